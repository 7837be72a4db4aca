/* esprit-command.h: request/response packets, checksum and status decoding (protocol-facts §1, §2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

typedef enum {
  ESPRIT_OP_FLASH_BEGIN       = 0x02,
  ESPRIT_OP_FLASH_DATA        = 0x03,
  ESPRIT_OP_FLASH_END         = 0x04,
  ESPRIT_OP_MEM_BEGIN         = 0x05,
  ESPRIT_OP_MEM_END           = 0x06,
  ESPRIT_OP_MEM_DATA          = 0x07,
  ESPRIT_OP_SYNC              = 0x08,
  ESPRIT_OP_WRITE_REG         = 0x09,
  ESPRIT_OP_READ_REG          = 0x0A,
  ESPRIT_OP_SPI_SET_PARAMS    = 0x0B,
  ESPRIT_OP_SPI_ATTACH        = 0x0D,
  ESPRIT_OP_READ_FLASH_SLOW   = 0x0E,
  ESPRIT_OP_CHANGE_BAUDRATE   = 0x0F,
  ESPRIT_OP_FLASH_DEFL_BEGIN  = 0x10,
  ESPRIT_OP_FLASH_DEFL_DATA   = 0x11,
  ESPRIT_OP_FLASH_DEFL_END    = 0x12,
  ESPRIT_OP_SPI_FLASH_MD5     = 0x13,
  ESPRIT_OP_GET_SECURITY_INFO = 0x14,
  ESPRIT_OP_ERASE_FLASH       = 0xD0,
  ESPRIT_OP_ERASE_REGION      = 0xD1,
  ESPRIT_OP_READ_FLASH        = 0xD2,
  ESPRIT_OP_RUN_USER_CODE     = 0xD3,
  ESPRIT_OP_FLASH_ENCRYPT_DATA = 0xD4,
  /* Esprit stub extensions (vendor range, never sent before the stub identified itself). */
  ESPRIT_OP_ESPRIT_VERSION    = 0xE0,
  ESPRIT_OP_ESPRIT_READ_PACKED = 0xE1,
} EspritOp;

/* Header of a request (host to chip) and of a response (chip to host). */
#define ESPRIT_PACKET_HEADER 8
#define ESPRIT_DIR_REQUEST   0x00
#define ESPRIT_DIR_RESPONSE  0x01
/* Payload header of the *_DATA commands: len, seq, 0, 0. */
#define ESPRIT_DATA_HEADER   16
#define ESPRIT_CHECKSUM_SEED 0xEF

/* ROM error codes (second status byte), protocol-facts §1. */
typedef enum {
  ESPRIT_ROM_ERR_UNDEFINED       = 0x00,
  ESPRIT_ROM_ERR_INVALID_PARAM   = 0x01,
  ESPRIT_ROM_ERR_MALLOC          = 0x02,
  ESPRIT_ROM_ERR_SEND            = 0x03,
  ESPRIT_ROM_ERR_RECV            = 0x04,
  ESPRIT_ROM_ERR_INVALID_MESSAGE = 0x05,  /* also: unknown/unsupported command */
  ESPRIT_ROM_ERR_FAILED          = 0x06,
  ESPRIT_ROM_ERR_CHECKSUM        = 0x07,
  ESPRIT_ROM_ERR_FLASH_WRITE     = 0x08,
  ESPRIT_ROM_ERR_FLASH_READ      = 0x09,
  ESPRIT_ROM_ERR_READ_LENGTH     = 0x0A,
  ESPRIT_ROM_ERR_DEFLATE         = 0x0B,
  ESPRIT_ROM_ERR_DEFLATE_ADLER   = 0x0C,
  ESPRIT_ROM_ERR_DEFLATE_PARAM   = 0x0D,
  ESPRIT_ROM_ERR_RAM_SIZE        = 0x0E,
  ESPRIT_ROM_ERR_RAM_ADDR        = 0x0F,
} EspritRomError;

/* Stub error codes, protocol-facts §1. */
typedef enum {
  ESPRIT_STUB_ERR_BAD_DATA_LEN      = 0xC0,
  ESPRIT_STUB_ERR_BAD_DATA_CHECKSUM = 0xC1,
  ESPRIT_STUB_ERR_BAD_BLOCKSIZE     = 0xC2,
  ESPRIT_STUB_ERR_INVALID_COMMAND   = 0xC3,
  ESPRIT_STUB_ERR_FAILED_SPI_OP     = 0xC4,
  ESPRIT_STUB_ERR_FAILED_SPI_UNLOCK = 0xC5,
  ESPRIT_STUB_ERR_NOT_IN_FLASH_MODE = 0xC6,
  ESPRIT_STUB_ERR_INFLATE           = 0xC7,
  ESPRIT_STUB_ERR_NOT_ENOUGH_DATA   = 0xC8,
  ESPRIT_STUB_ERR_TOO_MUCH_DATA     = 0xC9,
  ESPRIT_STUB_ERR_CMD_NOT_IMPLEMENTED = 0xFF,
} EspritStubError;

/* A decoded response. @data points into the frame it was parsed from. */
typedef struct {
  guint8        op;
  guint16       size;   /* as sent: payload + status bytes */
  guint32       value;  /* meaningful for READ_REG only */
  const guint8 *data;   /* @size bytes (fewer if the frame was short: see @data_len) */
  gsize         data_len;
} EspritResponse;

/* XOR of @data seeded with 0xEF, protocol-facts §1. */
guint32      esprit_checksum             (const guint8  *data,
                                          gsize          len);
/* Builds the unescaped request: 00 op size checksum data. */
GByteArray  *esprit_command_build        (guint8         op,
                                          const guint8  *data,
                                          gsize          len,
                                          guint32        checksum);
/* Builds a *_DATA request: header (len, seq, 0, 0) + @block, checksum of @block. */
GByteArray  *esprit_command_build_data   (guint8         op,
                                          guint32        seq,
                                          const guint8  *block,
                                          gsize          len);
/* Parses a frame; FALSE if it is not a response (direction != 1 or shorter than 8 bytes). */
gboolean     esprit_response_parse       (const guint8  *frame,
                                          gsize          len,
                                          EspritResponse *out);
/* Splits @resp's data into payload and status, given how many payload bytes the command
 * returns (robust rule of protocol-facts §1: status at data[N], data[N+1]). Returns FALSE
 * when the frame is too short to hold a status. */
gboolean     esprit_response_status      (const EspritResponse *resp,
                                          gsize          payload_len,
                                          guint8        *failed,
                                          guint8        *error_code);
/* Human-readable name of a ROM or stub error code ("checksum error", "bad block size"). */
const char  *esprit_status_describe      (guint8         error_code);
/* "FLASH_BEGIN" etc., or NULL. */
const char  *esprit_op_name              (guint8         op);

/* Little-endian helpers used everywhere a packet is built or read. */
static inline guint32
esprit_read_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static inline guint16
esprit_read_le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static inline void
esprit_write_le32 (guint8  *p,
                   guint32  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
  p[2] = (v >> 16) & 0xFF;
  p[3] = (v >> 24) & 0xFF;
}

static inline void
esprit_write_le16 (guint8  *p,
                   guint16  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
}

G_END_DECLS

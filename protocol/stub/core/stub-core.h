/* stub-core.h: the stub core's working memory, opcodes and status codes
 *
 * Freestanding (no GLib): the same values as protocol/esprit-command.h, from protocol-facts
 * §1 and §2, restated here because the ESP8266 build has no host headers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef STUB_CORE_H
#define STUB_CORE_H

#include <stdint.h>

#include "esprit-stub-hal.h"
#include "stub-inflate.h"
#include "stub-md5.h"
#include "stub-pack.h"

/* What ESPRIT_VERSION answers after "ESPR": bumped when the stub's behaviour changes (2: the
 * ESP32-S3, -C3 and -C6 stubs run the program on RUN_USER_CODE). */
#define ESPRIT_STUB_VERSION 3u

#define STUB_BLOCK_MAX     0x4000u     /* §2 FLASH_WRITE_SIZE for the stub */
#define STUB_DATA_HEADER   16u
#define STUB_FRAME_MAX     (8u + STUB_DATA_HEADER + STUB_BLOCK_MAX)
#define STUB_SECTOR        0x1000u
#define STUB_BLOCK         0x10000u
#define STUB_READ_BUF      4096u
#define STUB_STAGE         2048u       /* inflate output gathered before a flash write */
#define STUB_TX_BUF        256u
/* An acknowledgement with this total abandons READ_FLASH or the packed read (Esprit's host
 * sends it before retrying a corrupted read, so that the stub stops streaming). */
#define STUB_READ_ABORT    0xFFFFFFFFu

enum {
  STUB_OP_FLASH_BEGIN      = 0x02,
  STUB_OP_FLASH_DATA       = 0x03,
  STUB_OP_FLASH_END        = 0x04,
  STUB_OP_MEM_BEGIN        = 0x05,
  STUB_OP_MEM_END          = 0x06,
  STUB_OP_MEM_DATA         = 0x07,
  STUB_OP_SYNC             = 0x08,
  STUB_OP_WRITE_REG        = 0x09,
  STUB_OP_READ_REG         = 0x0A,
  STUB_OP_SPI_SET_PARAMS   = 0x0B,
  STUB_OP_SPI_ATTACH       = 0x0D,
  STUB_OP_CHANGE_BAUDRATE  = 0x0F,
  STUB_OP_FLASH_DEFL_BEGIN = 0x10,
  STUB_OP_FLASH_DEFL_DATA  = 0x11,
  STUB_OP_FLASH_DEFL_END   = 0x12,
  STUB_OP_SPI_FLASH_MD5    = 0x13,
  STUB_OP_ERASE_FLASH      = 0xD0,
  STUB_OP_ERASE_REGION     = 0xD1,
  STUB_OP_READ_FLASH       = 0xD2,
  STUB_OP_RUN_USER_CODE    = 0xD3,
  STUB_OP_FLASH_ENCRYPT_DATA = 0xD4, /* the common ESP32 stub's, deprecated: hal.h */
  STUB_OP_ESPRIT_VERSION   = 0xE0,   /* Esprit extension (vendor range) */
  STUB_OP_ESPRIT_READ_PACKED = 0xE1, /* Esprit extension: stub-pack.h */
};

/* §1 stub error codes. */
enum {
  STUB_OK                 = 0x00,
  STUB_ERR_BAD_DATA_LEN   = 0xC0,
  STUB_ERR_BAD_CHECKSUM   = 0xC1,
  STUB_ERR_BAD_BLOCKSIZE  = 0xC2,
  STUB_ERR_INVALID_COMMAND = 0xC3,
  STUB_ERR_SPI_OP         = 0xC4,
  STUB_ERR_SPI_UNLOCK     = 0xC5,
  STUB_ERR_NOT_FLASHING   = 0xC6,
  STUB_ERR_INFLATE        = 0xC7,
  STUB_ERR_NOT_ENOUGH     = 0xC8,
  STUB_ERR_TOO_MUCH       = 0xC9,
  STUB_ERR_NOT_IMPLEMENTED = 0xFF,
};

/* Buffers handed to the ROM's SPIRead/SPIWrite move 32-bit words: keep them word-aligned. */
#define STUB_ALIGNED __attribute__ ((aligned (4)))

typedef struct esprit_stub_state {
  /* the request being served, SLIP-decoded */
  uint8_t  frame[STUB_FRAME_MAX] STUB_ALIGNED;
  uint32_t frame_len;
  int      frame_overflow;

  /* SLIP encoder output, handed to hal->tx when full */
  uint8_t  tx[STUB_TX_BUF];
  uint32_t tx_len;

  /* flash write session (FLASH_* or FLASH_DEFL_*) */
  int      flashing;
  int      deflating;
  int      encrypting;       /* this session's writes go through hal->flash_write_encrypted */
  uint8_t  deferred_error;   /* a failure after DATA was acknowledged, reported next */
  uint32_t write_addr;       /* where the next byte goes */
  uint32_t write_end;        /* offset + size of FLASH_BEGIN */
  uint32_t erased_to;        /* lazy erase: [.., erased_to) is erased */
  uint32_t next_seq;
  uint32_t flash_size;       /* from SPI_SET_PARAMS; bounds erase and write */
  uint32_t stage_len;
  uint8_t  stage[STUB_STAGE] STUB_ALIGNED;

  /* READ_FLASH / packed read stream */
  uint32_t packet_size;
  uint32_t max_unacked;
  uint32_t stream_sent;      /* bytes of the stream sent */
  uint32_t stream_acked;     /* running total the host acknowledged */
  uint32_t packet_fill;      /* bytes of the current frame sent */
  int      link_gone;

  stub_md5_t md5;

  /* RAM load session (MEM_*) */
  int      mem_active;
  uint32_t mem_addr;         /* where the next byte goes */
  uint32_t mem_remaining;    /* bytes MEM_BEGIN announced and not yet received */
  uint32_t mem_next_seq;

  /* commands never overlap, so the big buffers share memory */
  union {
    stub_inflate_t inflate;
    struct {
      uint8_t     raw[STUB_READ_BUF] STUB_ALIGNED;
      uint8_t     record[STUB_PACK_RECORD_MAX];
      stub_pack_t pack;
    } read;
  } u;
} esprit_stub_state_t;

#endif /* STUB_CORE_H */

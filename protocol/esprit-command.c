/* esprit-command.c: packets, checksum, status decoding (protocol-facts §1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-command"

#include "config.h"

#include "esprit-command.h"
#include "esprit-i18n.h"

guint32
esprit_checksum (const guint8 *data,
                 gsize         len)
{
  guint8 sum = ESPRIT_CHECKSUM_SEED;

  for (gsize i = 0; i < len; i++)
    sum ^= data[i];
  return sum;
}

GByteArray *
esprit_command_build (guint8        op,
                      const guint8 *data,
                      gsize         len,
                      guint32       checksum)
{
  GByteArray *out;
  guint8 header[ESPRIT_PACKET_HEADER];

  g_return_val_if_fail (len <= G_MAXUINT16, NULL);

  out = g_byte_array_sized_new (ESPRIT_PACKET_HEADER + len);
  header[0] = ESPRIT_DIR_REQUEST;
  header[1] = op;
  esprit_write_le16 (header + 2, (guint16) len);
  esprit_write_le32 (header + 4, checksum);
  g_byte_array_append (out, header, sizeof header);
  if (len > 0)
    g_byte_array_append (out, data, len);
  return out;
}

GByteArray *
esprit_command_build_data (guint8        op,
                           guint32       seq,
                           const guint8 *block,
                           gsize         len)
{
  g_autofree guint8 *payload = g_malloc (ESPRIT_DATA_HEADER + len);

  esprit_write_le32 (payload, (guint32) len);
  esprit_write_le32 (payload + 4, seq);
  esprit_write_le32 (payload + 8, 0);
  esprit_write_le32 (payload + 12, 0);
  memcpy (payload + ESPRIT_DATA_HEADER, block, len);
  return esprit_command_build (op, payload, ESPRIT_DATA_HEADER + len,
                               esprit_checksum (block, len));
}

gboolean
esprit_response_parse (const guint8   *frame,
                       gsize           len,
                       EspritResponse *out)
{
  /* Host rule of §1: skip frames with direction != 1 or shorter than 8 bytes. */
  if (len < ESPRIT_PACKET_HEADER || frame[0] != ESPRIT_DIR_RESPONSE)
    return FALSE;
  out->op = frame[1];
  out->size = esprit_read_le16 (frame + 2);
  out->value = esprit_read_le32 (frame + 4);
  out->data = frame + ESPRIT_PACKET_HEADER;
  out->data_len = MIN ((gsize) out->size, len - ESPRIT_PACKET_HEADER);
  return TRUE;
}

gboolean
esprit_response_status (const EspritResponse *resp,
                        gsize                 payload_len,
                        guint8               *failed,
                        guint8               *error_code)
{
  /* Robust rule of §1: the status sits right after the payload; the two extra bytes an
   * ESP32-family ROM appends are ignored. */
  if (resp->data_len < payload_len + 2)
    return FALSE;
  *failed = resp->data[payload_len];
  *error_code = resp->data[payload_len + 1];
  return TRUE;
}

const char *
esprit_status_describe (guint8 code)
{
  switch (code)
    {
    case 0x00: return _("undefined error");
    case 0x01: return _("invalid parameter");
    case 0x02: return _("out of memory");
    case 0x03: return _("send failed");
    case 0x04: return _("receive failed");
    case 0x05: return _("invalid message or unsupported command");
    case 0x06: return _("operation failed");
    case 0x07: return _("checksum error");
    case 0x08: return _("flash write error (data did not read back)");
    case 0x09: return _("flash read error");
    case 0x0A: return _("read length error");
    case 0x0B: return _("deflate failed");
    case 0x0C: return _("deflate Adler-32 error");
    case 0x0D: return _("deflate parameter error");
    case 0x0E: return _("bad RAM binary size");
    case 0x0F: return _("bad RAM binary address");
    case 0x64: return _("invalid parameter");
    case 0x65: return _("invalid format");
    case 0x66: return _("description too long");
    case 0x67: return _("bad encoding");
    case 0x69: return _("insufficient storage");
    case 0xC0: return _("bad data length");
    case 0xC1: return _("bad data checksum");
    case 0xC2: return _("bad block size");
    case 0xC3: return _("invalid command");
    case 0xC4: return _("SPI operation failed");
    case 0xC5: return _("SPI unlock failed");
    case 0xC6: return _("not in flash mode");
    case 0xC7: return _("inflate error");
    case 0xC8: return _("not enough data");
    case 0xC9: return _("too much data");
    case 0xFF: return _("command not implemented");
    default:   return _("unknown error");
    }
}

const char *
esprit_op_name (guint8 op)
{
  switch (op)
    {
    case ESPRIT_OP_FLASH_BEGIN: return "FLASH_BEGIN";
    case ESPRIT_OP_FLASH_DATA: return "FLASH_DATA";
    case ESPRIT_OP_FLASH_END: return "FLASH_END";
    case ESPRIT_OP_MEM_BEGIN: return "MEM_BEGIN";
    case ESPRIT_OP_MEM_END: return "MEM_END";
    case ESPRIT_OP_MEM_DATA: return "MEM_DATA";
    case ESPRIT_OP_SYNC: return "SYNC";
    case ESPRIT_OP_WRITE_REG: return "WRITE_REG";
    case ESPRIT_OP_READ_REG: return "READ_REG";
    case ESPRIT_OP_SPI_SET_PARAMS: return "SPI_SET_PARAMS";
    case ESPRIT_OP_SPI_ATTACH: return "SPI_ATTACH";
    case ESPRIT_OP_READ_FLASH_SLOW: return "READ_FLASH_SLOW";
    case ESPRIT_OP_CHANGE_BAUDRATE: return "CHANGE_BAUDRATE";
    case ESPRIT_OP_FLASH_DEFL_BEGIN: return "FLASH_DEFL_BEGIN";
    case ESPRIT_OP_FLASH_DEFL_DATA: return "FLASH_DEFL_DATA";
    case ESPRIT_OP_FLASH_DEFL_END: return "FLASH_DEFL_END";
    case ESPRIT_OP_SPI_FLASH_MD5: return "SPI_FLASH_MD5";
    case ESPRIT_OP_GET_SECURITY_INFO: return "GET_SECURITY_INFO";
    case ESPRIT_OP_ERASE_FLASH: return "ERASE_FLASH";
    case ESPRIT_OP_ERASE_REGION: return "ERASE_REGION";
    case ESPRIT_OP_READ_FLASH: return "READ_FLASH";
    case ESPRIT_OP_RUN_USER_CODE: return "RUN_USER_CODE";
    case ESPRIT_OP_FLASH_ENCRYPT_DATA: return "FLASH_ENCRYPT_DATA";
    case ESPRIT_OP_ESPRIT_VERSION: return "ESPRIT_VERSION";
    case ESPRIT_OP_ESPRIT_READ_PACKED: return "ESPRIT_READ_PACKED";
    default: return NULL;
    }
}

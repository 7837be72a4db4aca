/* esprit-sim-loader-frames.c: the ROM loaders' replies and request framing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-sim-loader-private.h"
#include "esprit-slip.h"

/* §1: value of non-READ_REG replies on R8266 is stale buffer content, often the first SYNC
 * word. */
#define R8266_STALE_VALUE 0x20120707u

/* Which ESP32-family ROM commands set the error byte back to 0 when they succeed; on the
 * others it keeps the last failure's code (measured on the genuine ESP32 and ESP32-C3 ROMs). */
static gboolean
clears_error (guint8 op)
{
  switch (op)
    {
    case ESPRIT_OP_SYNC:
    case ESPRIT_OP_READ_REG:
    case ESPRIT_OP_WRITE_REG:
    case ESPRIT_OP_SPI_ATTACH:
    case ESPRIT_OP_SPI_FLASH_MD5:
    case ESPRIT_OP_READ_FLASH_SLOW:
    case ESPRIT_OP_CHANGE_BAUDRATE:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The ESP32-family ROMs (measured on the genuine ESP32 and ESP32-C3 ROMs in Espressif's
 * QEMU fork) build every reply in one buffer that they never clear: the data at its start,
 * then the status byte and the error byte, and the two reserved bytes after them are whatever
 * an earlier reply left there; a READ_FLASH_SLOW they refuse still sends its 64 bytes, as
 * they are. The value is the last one SYNC or READ_REG gave (on the S3, READ_REG only), the
 * error byte the last failure's code until a command of clears_error() succeeds; both S3
 * probes agreed with this too. */
static const guint8 *
family_reply (Loader       *l,
              guint8        op,
              guint32      *value,
              const guint8 *payload,
              gsize         payload_len,
              guint8        failed,
              guint8        error)
{
  EspritChip chip = _esprit_sim_chip (l->sim);
  /* The ESP32's and the C3's SYNC leaves its value for the replies after it, the S3's does
   * not (measured; the S2 is taken to be like the S3, the C6 like the C3). */
  gboolean sync_stays = chip != ESPRIT_CHIP_ESP32S3 && chip != ESPRIT_CHIP_ESP32S2;

  g_assert (payload_len + 4 <= sizeof l->reply_buf);
  if (!failed && (op == ESPRIT_OP_READ_REG || (op == ESPRIT_OP_SYNC && sync_stays)))
    l->value = *value;
  else if (failed || op != ESPRIT_OP_SYNC)
    *value = l->value;
  if (failed)
    l->error = error;
  else if (clears_error (op))
    l->error = 0;
  if (payload != NULL)
    memcpy (l->reply_buf, payload, payload_len);
  l->reply_buf[payload_len] = failed;
  l->reply_buf[payload_len + 1] = l->error;
  return l->reply_buf;
}

void
_esprit_sim_loader_reply (Loader       *l,
                          guint8        op,
                          guint32       value,
                          const guint8 *payload,
                          gsize         payload_len,
                          guint8        failed,
                          guint8        error)
{
  g_autoptr(GByteArray) pkt = g_byte_array_new ();
  g_autofree guint8 *own = NULL;
  const guint8 *body;   /* the data, then the status bytes */
  guint8 header[8];

  if (l->rom8266)
    {
      /* §1: two status bytes right after the data. */
      own = g_malloc (payload_len + 2);
      if (payload_len)
        memcpy (own, payload, payload_len);
      own[payload_len] = failed;
      own[payload_len + 1] = error;
      body = own;
    }
  else
    body = family_reply (l, op, &value, payload, payload_len, failed, error);
  header[0] = ESPRIT_DIR_RESPONSE;
  header[1] = op;
  esprit_write_le16 (header + 2, (guint16) (payload_len + l->status_len));
  esprit_write_le32 (header + 4, value);
  g_byte_array_append (pkt, header, 8);
  g_byte_array_append (pkt, body, payload_len + l->status_len);
  _esprit_sim_board_send_frame (l->sim, pkt->data, pkt->len);
}

static guint32
loader_default_value (Loader *l)
{
  return l->rom8266 ? R8266_STALE_VALUE : 0;
}

void
_esprit_sim_loader_ok (Loader *l,
                       guint8  op)
{
  _esprit_sim_loader_reply (l, op, loader_default_value (l), NULL, 0, 0, 0);
}

void
_esprit_sim_loader_fail (Loader *l,
                         guint8  op,
                         guint8  error)
{
  _esprit_sim_loader_reply (l, op, loader_default_value (l), NULL, 0, 1, error);
}

gboolean
_esprit_sim_loader_check_data_packet (Loader        *l,
                                      const guint8  *data,
                                      gsize          len,
                                      guint32        checksum,
                                      guint8         op,
                                      guint32       *next_seq,
                                      const guint8 **block,
                                      guint32       *block_len)
{
  guint32 dlen, seq;

  if (len < ESPRIT_DATA_HEADER)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return FALSE;
    }
  dlen = esprit_read_le32 (data);
  seq = esprit_read_le32 (data + 4);
  if (dlen != len - ESPRIT_DATA_HEADER)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return FALSE;
    }
  if (next_seq != NULL)
    {
      /* The ESP32-family ROMs check the sequence number before the checksum, and a block
       * whose checksum fails still uses up its number: the same block sent again with the
       * same number gets 0x05, with the next one it is written where the failed one would
       * have gone (measured on the genuine ESP32 and ESP32-C3 ROMs in Espressif's QEMU
       * fork, for FLASH_DATA and MEM_DATA). */
      if (seq != *next_seq)
        {
          _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return FALSE;
        }
      (*next_seq)++;
    }
  if (esprit_checksum (data + ESPRIT_DATA_HEADER, dlen) != (checksum & 0xFF))
    {
      /* §8.4: a bad checksum gives 0x07 (stub: 0xC1). */
      if (next_seq != NULL && op == ESPRIT_OP_FLASH_DEFL_DATA)
        l->inflate_broken = TRUE;
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_CHECKSUM);
      return FALSE;
    }
  *block = data + ESPRIT_DATA_HEADER;
  *block_len = dlen;
  return TRUE;
}

int
_esprit_sim_loader_read_frame (Loader     *l,
                               GByteArray *frame)
{
  g_autoptr(EspritSlipDecoder) dec = esprit_slip_decoder_new (0x4000 + 64);

  for (;;)
    {
      int c = _esprit_sim_board_getc (l->sim, -1);
      EspritSlipResult r;

      if (c < 0)
        return c;
      r = esprit_slip_decoder_push (dec, (guint8) c);
      if (r == ESPRIT_SLIP_FRAME)
        {
          gsize n;
          const guint8 *f = esprit_slip_decoder_frame (dec, &n);

          g_byte_array_set_size (frame, 0);
          g_byte_array_append (frame, f, n);
          return 0;
        }
    }
}

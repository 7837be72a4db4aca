/* esprit-loader-regs.c: registers (READ_REG, WRITE_REG), the *_DATA blocks with their one
 * retry rule, and uploading to RAM (MEM_BEGIN, MEM_DATA)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-loader"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-loader-private.h"

#define ESP_RAM_BLOCK    0x1800       /* §2 block sizes */

/* ---- registers and RAM -------------------------------------------------------------- */

gboolean
esprit_loader_read_reg (EspritLoader  *self,
                        guint32        addr,
                        guint32       *value,
                        GCancellable  *cancellable,
                        GError       **error)
{
  guint8 data[4];

  esprit_write_le32 (data, addr);
  return _esprit_loader_command_retry (self, ESPRIT_OP_READ_REG, data, 4, 0,
                                       ESPRIT_TIMEOUT_DEFAULT, NULL, value, cancellable, error);
}

gboolean
esprit_loader_write_reg (EspritLoader  *self,
                         guint32        addr,
                         guint32        value,
                         guint32        mask,
                         guint32        delay_us,
                         GCancellable  *cancellable,
                         GError       **error)
{
  guint8 data[16];

  esprit_write_le32 (data, addr);
  esprit_write_le32 (data + 4, value);
  esprit_write_le32 (data + 8, mask);
  esprit_write_le32 (data + 12, delay_us);
  return esprit_loader_command (self, ESPRIT_OP_WRITE_REG, data, 16, 0, 0, ESPRIT_TIMEOUT_DEFAULT,
                                NULL, NULL, NULL, cancellable, error);
}

gboolean
_esprit_loader_send_data (EspritLoader  *self,
                          guint8         op,
                          guint32       *seq,
                          const guint8  *block,
                          gsize          len,
                          guint          timeout_ms,
                          gboolean       lost_reply_ok,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GByteArray) pkt = esprit_command_build_data (op, *seq, block, len);
  EspritAttempt attempt = ESPRIT_ATTEMPT_INIT;
  gboolean timed_out = FALSE;
  /* The ESP32-family ROMs count a block they refuse for its checksum: the same number again
   * is refused (0x05), the next one writes the block where it belongs (FLASH_DATA, MEM_DATA;
   * measured on the genuine ESP32 and ESP32-C3 ROMs). Their inflater is left broken by such
   * a block, so FLASH_DEFL_DATA cannot go on (0x0C): that write starts again from BEGIN. */
  gboolean counts_refused = self->kind == ESPRIT_LOADER_ROM && self->chip != ESPRIT_CHIP_ESP8266;

  /* §2: a failed DATA block is retried 3 times. */
  for (guint tries = 1; ; tries++)
    {
      if (_esprit_loader_exchange (self, op, pkt->data + 8, pkt->len - 8,
                                   esprit_read_le32 (pkt->data + 4), 0, timeout_ms, NULL, NULL,
                                   &attempt, cancellable))
        return TRUE;
      if (timed_out && lost_reply_ok && attempt.result == ESPRIT_ATTEMPT_REFUSED &&
          attempt.status == ESPRIT_ROM_ERR_INVALID_MESSAGE)
        {
          /* The block arrived but its reply was lost: the loader now wants the next
           * sequence number (§8.4). */
          return TRUE;
        }
      timed_out = attempt.result == ESPRIT_ATTEMPT_TIMEOUT;
      if (counts_refused && attempt.result == ESPRIT_ATTEMPT_REFUSED &&
          attempt.status == ESPRIT_ROM_ERR_CHECKSUM)
        {
          if (op == ESPRIT_OP_FLASH_DEFL_DATA)
            {
              g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM,
                           _("Block %u arrived damaged; the ROM cannot go on with this "
                             "compressed write"), *seq);
              return FALSE;
            }
          (*seq)++;
          g_byte_array_unref (pkt);
          pkt = esprit_command_build_data (op, *seq, block, len);
        }
      if (!esprit_retry_again (&attempt, ESPRIT_RETRY_LOST | ESPRIT_RETRY_REJECTED, tries,
                               self->kind != ESPRIT_LOADER_ROM))
        return esprit_attempt_fail (&attempt, error);
      {
        g_autofree char *why = esprit_attempt_describe (&attempt);

        esprit_loader_log (self, ESPRIT_LOG_WARNING, _("Block %u: %s; sending it again"), *seq,
                           why);
      }
      esprit_transport_flush_input (self->transport, NULL);
    }
}

gboolean
esprit_loader_mem_upload (EspritLoader  *self,
                          guint32        addr,
                          const guint8  *data,
                          gsize          len,
                          GCancellable  *cancellable,
                          GError       **error)
{
  guint8 begin[16];
  guint32 blocks = (guint32) ((len + ESP_RAM_BLOCK - 1) / ESP_RAM_BLOCK);

  esprit_write_le32 (begin, (guint32) len);
  esprit_write_le32 (begin + 4, blocks);
  esprit_write_le32 (begin + 8, ESP_RAM_BLOCK);
  esprit_write_le32 (begin + 12, addr);
  if (!esprit_loader_command (self, ESPRIT_OP_MEM_BEGIN, begin, 16, 0, 0, ESPRIT_TIMEOUT_DEFAULT,
                              NULL, NULL, NULL, cancellable, error))
    return FALSE;
  for (guint32 i = 0, seq = 0; i < blocks; i++, seq++)
    {
      gsize off = (gsize) i * ESP_RAM_BLOCK;
      gsize n = MIN (ESP_RAM_BLOCK, len - off);

      /* The ROM checks each block's checksum, so a block it took is intact. */
      if (!_esprit_loader_send_data (self, ESPRIT_OP_MEM_DATA, &seq, data + off, n,
                                     ESPRIT_TIMEOUT_DEFAULT, TRUE, cancellable, error))
        return FALSE;
    }
  return TRUE;
}


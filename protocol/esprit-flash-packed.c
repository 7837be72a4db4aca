/* esprit-flash-packed.c: host side of Esprit's packed read (ESPRIT_READ_PACKED, 0xE1)
 *
 * The request and the flow control are READ_FLASH's (§2 "Stub READ_FLASH"); the frames carry
 * the record stream of protocol/stub/core/stub-pack.h instead of raw bytes: an erased 4 KiB
 * chunk costs one byte, the rest is LZ-compressed. The final MD5 still covers every byte.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-error.h"
#include "esprit-flash-private.h"
#include "esprit-i18n.h"
#include "esprit-loader-private.h"
#include "stub-pack.h"

#define PACKED_PACKET   0x1000u   /* frame size, as esptool's READ_FLASH (§2) */
#define PACKED_UNACKED  64u
#define PACKED_RETRIES  3
/* An acknowledgement of 0xFFFFFFFF tells Esprit's stub to abandon the read (stub-pack.h). */
#define PACKED_ABORT    0xFFFFFFFFu

static gboolean
corrupt (GError **error,
         guint32  at)
{
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM,
               _("Corrupt data from the board at 0x%08x"), at);
  return FALSE;
}

static gboolean
read_packed_once (EspritLoader       *self,
                  guint32             addr,
                  guint32             size,
                  guint8             *buffer,
                  guint32            *wire,
                  EspritProgressFunc  progress,
                  gpointer            user_data,
                  GCancellable       *cancellable,
                  GError            **error)
{
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  guint8 req[16];
  guint32 produced = 0, stream = 0;

  esprit_write_le32 (req, addr);
  esprit_write_le32 (req + 4, size);
  esprit_write_le32 (req + 8, PACKED_PACKET);
  esprit_write_le32 (req + 12, PACKED_UNACKED);
  if (!esprit_loader_command (self, ESPRIT_OP_ESPRIT_READ_PACKED, req, 16, 0, 0,
                              ESPRIT_TIMEOUT_DEFAULT, NULL, NULL, NULL, cancellable, error))
    return FALSE;

  while (produced < size)
    {
      /* A frame of erased-chunk records stands for up to 16 MiB, scanned and hashed before it
       * is sent (§12: the ESP32 family reads its flash 64 bytes at a time): allow hashing
       * what remains. */
      guint wait_ms = ESPRIT_TIMEOUT_DEFAULT +
                      (guint) ((guint64) ESPRIT_TIMEOUT_MD5_PER_MB * (size - produced) >> 20);
      g_autoptr(GBytes) frame = esprit_loader_read_frame (self, wait_ms, cancellable, error);
      guint32 used = 0;
      guint32 before = produced;
      guint8 ack[4];
      gsize n;
      const guint8 *p;

      if (frame == NULL)
        return FALSE;
      p = g_bytes_get_data (frame, &n);
      if (n == 0 || n > PACKED_PACKET)
        return corrupt (error, addr + produced);
      g_byte_array_append (pending, p, (guint) n);
      stream += (guint32) n;
      esprit_write_le32 (ack, stream);
      if (!esprit_loader_write_frame (self, ack, 4, cancellable, error))
        return FALSE;

      while (produced < size)
        {
          guint32 chunk = MIN (STUB_PACK_CHUNK, size - produced);
          gint32 r = stub_pack_record_size (pending->data + used, pending->len - used, chunk);

          if (r < 0)
            return corrupt (error, addr + produced);
          if (r == 0)
            break;
          if (stub_pack_unpack (pending->data + used, (guint32) r, buffer + produced, chunk) < 0)
            return corrupt (error, addr + produced);
          produced += chunk;
          used += (guint32) r;
        }
      g_byte_array_remove_range (pending, 0, used);
      /* Only the last frame may be short, and nothing may follow the last record. */
      if ((n < PACKED_PACKET && produced < size) || (produced == size && pending->len > 0))
        return corrupt (error, addr + produced);

      if (progress)
        progress (ESPRIT_PHASE_READING, produced, size, user_data);
      if (produced / 0x10000 != before / 0x10000 || produced == size)
        esprit_loader_log (self, ESPRIT_LOG_PROGRESS, _("Reading at 0x%08x... (%u %%)"),
                           addr + produced, (guint) ((guint64) produced * 100 / size));
    }

  if (!_esprit_flash_check_read_digest (self, buffer, size, cancellable, error))
    return FALSE;
  *wire = stream;
  return TRUE;
}

gboolean
_esprit_flash_read_packed (EspritLoader       *self,
                           guint32             addr,
                           guint32             size,
                           guint8             *buffer,
                           EspritProgressFunc  progress,
                           gpointer            user_data,
                           GCancellable       *cancellable,
                           GError            **error)
{
  guint32 wire = 0;

  for (int attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (read_packed_once (self, addr, size, buffer, &wire, progress, user_data, cancellable,
                            &local_error))
        break;
      if (attempt >= PACKED_RETRIES ||
          !(g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM) ||
            g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT)))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      esprit_loader_log (self, ESPRIT_LOG_WARNING, _("%s; reading again"), local_error->message);
      /* Stop the stub's stream, let what is in flight arrive, and drop it. */
      _esprit_flash_release_read (self, PACKED_ABORT);
    }
  esprit_loader_log (self, ESPRIT_LOG_INFO,
                     _("Read %u bytes as %u packed bytes (%.1f %% of the data on the wire)"),
                     size, wire, size ? wire * 100.0 / size : 0.0);
  return TRUE;
}

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
/* An acknowledgement of 0xFFFFFFFF tells Esprit's stub to abandon the read (stub-pack.h). */
#define PACKED_ABORT    0xFFFFFFFFu

/* A record or frame that cannot be right, reached at @at. */
static gboolean
corrupt (EspritAttempt *a,
         guint32        at)
{
  a->result = ESPRIT_ATTEMPT_BAD_PACKET;
  a->at = at;
  a->length = 0;
  return FALSE;
}

static gboolean
read_packed_once (EspritLoader       *self,
                  guint32             addr,
                  guint32             size,
                  guint8             *buffer,
                  guint32            *wire,
                  GByteArray         *states,
                  EspritProgressFunc  progress,
                  gpointer            user_data,
                  EspritAttempt      *a,
                  GCancellable       *cancellable)
{
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  guint8 req[16];
  guint32 produced = 0, stream = 0;

  esprit_write_le32 (req, addr);
  esprit_write_le32 (req + 4, size);
  esprit_write_le32 (req + 8, PACKED_PACKET);
  esprit_write_le32 (req + 12, PACKED_UNACKED);
  if (!_esprit_loader_exchange (self, ESPRIT_OP_ESPRIT_READ_PACKED, req, 16, 0, 0,
                                ESPRIT_TIMEOUT_DEFAULT, NULL, NULL, a, cancellable))
    return FALSE;
  a->op = 0;
  g_byte_array_set_size (states, 0);

  while (produced < size)
    {
      /* A frame of erased-chunk records stands for up to 16 MiB, scanned and hashed before it
       * is sent (§12: the ESP32 family reads its flash 64 bytes at a time): allow hashing
       * what remains. */
      guint wait_ms = ESPRIT_TIMEOUT_DEFAULT +
                      (guint) ((guint64) ESPRIT_TIMEOUT_MD5_PER_MB * (size - produced) >> 20);
      g_autoptr(GBytes) frame = NULL;
      GError *ack_error = NULL;
      guint32 used = 0;
      guint32 before = produced;
      guint8 ack[4];
      gsize n;
      const guint8 *p;

      if (!_esprit_loader_next_frame (self, wait_ms, &frame, a, cancellable))
        return FALSE;
      p = g_bytes_get_data (frame, &n);
      if (n == 0 || n > PACKED_PACKET)
        return corrupt (a, addr + produced);
      g_byte_array_append (pending, p, (guint) n);
      stream += (guint32) n;
      esprit_write_le32 (ack, stream);
      if (!esprit_loader_write_frame (self, ack, 4, cancellable, &ack_error))
        {
          esprit_attempt_take_fatal (a, ack_error);
          return FALSE;
        }

      while (produced < size)
        {
          guint32 chunk = MIN (STUB_PACK_CHUNK, size - produced);
          gint32 r = stub_pack_record_size (pending->data + used, pending->len - used, chunk);

          if (r < 0)
            return corrupt (a, addr + produced);
          if (r == 0)
            break;
          if (stub_pack_unpack (pending->data + used, (guint32) r, buffer + produced, chunk) < 0)
            return corrupt (a, addr + produced);
          /* An erased chunk costs its one-byte record; a stored or compressed one holds
           * something else, which the stub checked byte by byte (stub-pack.h). */
          {
            guint8 state = pending->data[used] == STUB_PACK_ERASED ? ESPRIT_CHUNK_ERASED
                                                                    : ESPRIT_CHUNK_DATA;

            g_byte_array_append (states, &state, 1);
          }
          produced += chunk;
          used += (guint32) r;
        }
      g_byte_array_remove_range (pending, 0, used);
      /* Only the last frame may be short, and nothing may follow the last record. */
      if ((n < PACKED_PACKET && produced < size) || (produced == size && pending->len > 0))
        return corrupt (a, addr + produced);

      if (progress)
        progress (ESPRIT_PHASE_READING, produced, size, user_data);
      if (produced / 0x10000 != before / 0x10000 || produced == size)
        esprit_loader_log (self, ESPRIT_LOG_PROGRESS, _("Reading at 0x%08x... (%u %%)"),
                           addr + produced, (guint) ((guint64) produced * 100 / size));
    }

  if (!_esprit_flash_check_read_digest (self, buffer, size, a, cancellable))
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
  EspritAttempt attempt = ESPRIT_ATTEMPT_INIT;
  g_autoptr(GByteArray) states = g_byte_array_new ();
  guint32 wire = 0;

  for (guint tries = 1; ; tries++)
    {
      if (read_packed_once (self, addr, size, buffer, &wire, states, progress, user_data,
                            &attempt, cancellable))
        break;
      if (!esprit_retry_again (&attempt, ESPRIT_RETRY_LOST, tries, TRUE))
        return esprit_attempt_fail (&attempt, error);
      /* Stop the stub's stream, let what is in flight arrive, and drop it. */
      _esprit_flash_release_read (self, &attempt, PACKED_ABORT);
    }
  /* The final MD5 matched: what the records said of each chunk is the flash's. Chunks are
   * counted from @addr, so only an aligned read lines up with the map's chunks. */
  for (guint i = 0; i < states->len; i++)
    _esprit_loader_note_chunks (self, addr + i * STUB_PACK_CHUNK,
                                MIN (STUB_PACK_CHUNK, size - i * STUB_PACK_CHUNK),
                                (EspritChunkState) states->data[i]);
  esprit_loader_log (self, ESPRIT_LOG_INFO,
                     _("Read %u bytes as %u packed bytes (%.1f %% of the data on the wire)"),
                     size, wire, size ? wire * 100.0 / size : 0.0);
  return TRUE;
}

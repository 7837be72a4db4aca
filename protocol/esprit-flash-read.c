/* esprit-flash-read.c: reading flash: ROM READ_FLASH_SLOW, the stub's READ_FLASH, or
 * Esprit's packed read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-flash"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-flash-private.h"
#include "esprit-i18n.h"
#include "esprit-stub-image.h"

#define READ_PACKET     0x1000u    /* §2 stub READ_FLASH: esptool's packet size */
#define READ_UNACKED    64

/* ---- read --------------------------------------------------------------------------- */

/* ROM READ_FLASH_SLOW (§2: at most 64 bytes a command, the reply always carries 64). The ROM
 * gives no checksum, so each 64 KB region is checked against the ROM's MD5 where it has one and
 * read again when they differ. */
static gboolean
read_slow (EspritLoader       *self,
           guint32             addr,
           guint32             size,
           guint8             *buffer,
           EspritProgressFunc  progress,
           gpointer            user_data,
           GCancellable       *cancellable,
           GError            **error)
{
  gboolean md5 = _esprit_flash_can_md5 (self);

  for (guint32 region = 0; region < size; region += ESPRIT_FLASH_REGION)
    {
      guint32 rlen = MIN (ESPRIT_FLASH_REGION, size - region);
      int attempt;

      for (attempt = 0; attempt < ESPRIT_ATTEMPTS; attempt++)
        {
          guint8 remote[16], local[16];

          for (guint32 done = region; done < region + rlen;)
            {
              g_autoptr(GBytes) reply = NULL;
              guint8 req[8];
              guint32 n = MIN (64, region + rlen - done);

              esprit_write_le32 (req, addr + done);
              esprit_write_le32 (req + 4, n);
              if (!_esprit_loader_command_retry (self, ESPRIT_OP_READ_FLASH_SLOW, req, 8, 64,
                                                 ESPRIT_TIMEOUT_DEFAULT, &reply, NULL,
                                                 cancellable, error))
                return FALSE;
              memcpy (buffer + done, g_bytes_get_data (reply, NULL), n);
              done += n;
              if (progress && (done % 4096 == 0 || done == size))
                progress (ESPRIT_PHASE_READING, done, size, user_data);
            }
          if (!md5)
            break;
          if (!esprit_flash_md5 (self, addr + region, rlen, remote, cancellable, error))
            return FALSE;
          _esprit_flash_local_md5 (buffer + region, rlen, local);
          if (memcmp (remote, local, 16) == 0)
            break;
          esprit_loader_log (self, ESPRIT_LOG_WARNING,
                             _("Data at 0x%08x arrived corrupted; reading it again"),
                             addr + region);
        }
      if (attempt == ESPRIT_ATTEMPTS)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM,
                       _("The data at 0x%08x kept arriving corrupted (%d attempts)"),
                       addr + region, ESPRIT_ATTEMPTS);
          return FALSE;
        }
      esprit_loader_log (self, ESPRIT_LOG_PROGRESS, _("Reading at 0x%08x... (%u %%)"),
                         addr + region + rlen, (guint) ((guint64) (region + rlen) * 100 / size));
    }
  return TRUE;
}


static gboolean
read_stub_once (EspritLoader       *self,
                guint32             addr,
                guint32             size,
                guint8             *buffer,
                EspritProgressFunc  progress,
                gpointer            user_data,
                EspritAttempt      *a,
                GCancellable       *cancellable)
{
  guint8 req[16];
  guint32 got = 0;

  esprit_write_le32 (req, addr);
  esprit_write_le32 (req + 4, size);
  esprit_write_le32 (req + 8, READ_PACKET);
  esprit_write_le32 (req + 12, READ_UNACKED);
  if (!_esprit_loader_exchange (self, ESPRIT_OP_READ_FLASH, req, 16, 0, 0, ESPRIT_TIMEOUT_DEFAULT,
                                NULL, NULL, a, cancellable))
    return FALSE;
  a->op = 0;
  /* §2 stub READ_FLASH: raw frames, each acknowledged with the running total. */
  while (got < size)
    {
      g_autoptr(GBytes) frame = NULL;
      GError *ack_error = NULL;
      gsize n;
      const guint8 *p;
      guint8 ack[4];

      if (!_esprit_loader_next_frame (self, ESPRIT_TIMEOUT_DEFAULT, &frame, a, cancellable))
        return FALSE;
      p = g_bytes_get_data (frame, &n);
      if (n > size - got || (n < READ_PACKET && got + n < size))
        {
          a->result = ESPRIT_ATTEMPT_BAD_PACKET;
          a->at = addr + got;
          a->length = n;
          return FALSE;
        }
      memcpy (buffer + got, p, n);
      got += (guint32) n;
      esprit_write_le32 (ack, got);
      if (!esprit_loader_write_frame (self, ack, 4, cancellable, &ack_error))
        {
          esprit_attempt_take_fatal (a, ack_error);
          return FALSE;
        }
      if (progress)
        progress (ESPRIT_PHASE_READING, got, size, user_data);
      if (got % 0x10000 == 0 || got == size)
        esprit_loader_log (self, ESPRIT_LOG_PROGRESS, _("Reading at 0x%08x... (%u %%)"),
                           addr + got, (guint) ((guint64) got * 100 / size));
    }
  return _esprit_flash_check_read_digest (self, buffer, size, a, cancellable);
}


gboolean
esprit_flash_read (EspritLoader       *self,
                   guint32             addr,
                   guint32             size,
                   guint8             *buffer,
                   EspritProgressFunc  progress,
                   gpointer            user_data,
                   GCancellable       *cancellable,
                   GError            **error)
{
  gint64 t0 = g_get_monotonic_time ();
  double secs;

  if (size == 0)
    return TRUE;
  if (!_esprit_loader_ensure_attached (self, cancellable, error))
    return FALSE;
  if (progress)
    progress (ESPRIT_PHASE_READING, 0, size, user_data);

  if (esprit_loader_get_kind (self) == ESPRIT_LOADER_ESPRIT_STUB)
    {
      g_autoptr(GError) local_error = NULL;

      if (_esprit_flash_read_packed (self, addr, size, buffer, progress, user_data, cancellable,
                                     &local_error))
        goto done;
      if (!g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  if (!_esprit_flash_is_rom (self))
    {
      EspritAttempt attempt = ESPRIT_ATTEMPT_INIT;

      /* A corrupted transfer is read again (up to 3 times, §2 retry count). */
      for (guint tries = 1; ; tries++)
        {
          if (read_stub_once (self, addr, size, buffer, progress, user_data, &attempt,
                              cancellable))
            break;
          if (!esprit_retry_again (&attempt, ESPRIT_RETRY_LOST, tries, TRUE))
            return esprit_attempt_fail (&attempt, error);
          _esprit_flash_release_read (self, &attempt, size);
        }
    }
  else if (_esprit_flash_chip (self)->rom_caps & ESPRIT_ROM_CAN_READ_SLOW)
    {
      if (!read_slow (self, addr, size, buffer, progress, user_data, cancellable, error))
        return FALSE;
    }
  else
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   esprit_stub_image_for_chip (esprit_loader_get_chip (self)) != NULL
                     ? _("The %s ROM loader cannot read flash: Esprit's flasher stub is needed "
                         "(leave out --no-stub)")
                     : _("The %s ROM loader cannot read flash, and this build of Esprit has no "
                         "flasher stub for it"), _esprit_flash_chip (self)->name);
      return FALSE;
    }

done:
  secs = MAX ((g_get_monotonic_time () - t0) / 1e6, 0.001);
  esprit_loader_log (self, ESPRIT_LOG_INFO,
                     _("Read %u bytes at 0x%08x in %.1f seconds (%.1f kbit/s)..."),
                     size, addr, secs, size * 8 / secs / 1000);
  return TRUE;
}


/* esprit-ota-stream.c: the ArduinoOTA connect-back and the image stream (§7.1-§7.3)
 *
 * The board dials the host; the host sends a chunk and waits for the board's count before
 * the next, as espota does; the counts come unframed and the final OK or error text may be
 * glued to the last one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-ota"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-ota-private.h"

/* espota.py sends 1460-byte chunks (one TCP segment) and the ESP32 core reads at most 1460
 * per call (§7.1, §7.2). */
#define OTA_CHUNK 1460

GSocket *
_esprit_ota_wait_connect_back (Ota     *ota,
                               GError **error)
{
  g_autoptr(GError) e = NULL;
  GSocket *conn;

  _esprit_ota_say (ota, ESPRIT_LOG_INFO, _("Waiting for the board to connect to %s TCP port %u…"),
                   ota->local_ip, ota->host_port);
  if (!g_socket_condition_timed_wait (ota->listener, G_IO_IN, (gint64) ota->timeout_ms * 1000,
                                      ota->cancellable, &e))
    {
      if (!g_error_matches (e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          g_propagate_error (error, g_steal_pointer (&e));
          return NULL;
        }
      /* §7.3: the usual cause is a host firewall dropping the inbound connection. */
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT,
                   _("The board accepted the upload but never connected back to TCP port %u "
                     "on %s. Allow inbound TCP on that port in this computer's firewall (for "
                     "example “sudo ufw allow %u/tcp”), or pass an allowed port with "
                     "--host-port; the board must also be able to reach this computer (same "
                     "network). An ESP32 also stays silent like this when the image is "
                     "larger than its OTA partition."),
                   ota->host_port, ota->local_ip, ota->host_port);
      return NULL;
    }
  conn = g_socket_accept (ota->listener, ota->cancellable, &e);
  if (conn == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&e));
      return NULL;
    }
  g_socket_set_blocking (conn, TRUE);
  g_socket_set_timeout (conn, MAX (1, (ota->timeout_ms + 999) / 1000));
  g_socket_set_option (conn, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  return conn;
}

/* Reads what the board sent (waiting up to @timeout_ms) into @acks. Returns the state;
 * @closed tells that the board hung up. -1 with @error on a timeout or cancel. */
static int
read_acks (Ota            *ota,
           GSocket        *conn,
           EspritOtaAcks  *acks,
           guint           timeout_ms,
           gboolean       *closed,
           GError        **error)
{
  g_autoptr(GError) e = NULL;
  guint8 buf[256];
  gssize n;

  *closed = FALSE;
  if (!g_socket_condition_timed_wait (conn, G_IO_IN, (gint64) timeout_ms * 1000,
                                      ota->cancellable, &e))
    {
      g_propagate_error (error, g_steal_pointer (&e));
      return -1;
    }
  n = g_socket_receive (conn, (char *) buf, sizeof buf, ota->cancellable, &e);
  if (n < 0)
    {
      if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&e));
          return -1;
        }
      n = 0;   /* a reset: the link is gone */
    }
  if (n == 0)
    *closed = TRUE;
  else
    {
      g_autofree char *shown = _esprit_ota_printable (buf, n);

      _esprit_ota_say (ota, ESPRIT_LOG_TRACE, "TCP ←: %s", shown);
    }
  return esprit_ota_acks_feed (acks, buf, n, *closed);
}

gboolean
_esprit_ota_stream (Ota           *ota,
                    GSocket       *conn,
                    const guint8  *data,
                    gsize          size,
                    GError       **error)
{
  EspritOtaAcks acks;
  g_autoptr(GError) e = NULL;
  gsize off = 0;
  gboolean closed = FALSE, ok = FALSE;
  int state = ESPRIT_OTA_ACKS_MORE;
  gint64 deadline;

  esprit_ota_acks_init (&acks);
  _esprit_ota_say (ota, ESPRIT_LOG_INFO, _("Uploading %lu bytes…"), (gulong) size);
  _esprit_ota_report (ota, ESPRIT_PHASE_WRITING, 0, size);
  /* espota's pace: a chunk, then wait for the board's count before the next (§7.1). */
  while (off < size && state == ESPRIT_OTA_ACKS_MORE && !closed)
    {
      gsize n = MIN (OTA_CHUNK, size - off);
      gsize sent = 0;

      while (sent < n)
        {
          gssize w = g_socket_send (conn, (const char *) data + off + sent, n - sent,
                                    ota->cancellable, &e);

          if (w < 0)
            {
              if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                {
                  g_propagate_error (error, g_steal_pointer (&e));
                  goto out;
                }
              g_clear_error (&e);
              closed = TRUE;
              break;
            }
          sent += w;
        }
      if (closed)
        {
          /* Whatever the board said before it hung up may name the reason. */
          GError *ignored = NULL;
          gboolean c2;

          while (state == ESPRIT_OTA_ACKS_MORE &&
                 (state = read_acks (ota, conn, &acks, 200, &c2, &ignored)) >= 0 && !c2)
            ;
          g_clear_error (&ignored);
          state = esprit_ota_acks_feed (&acks, NULL, 0, TRUE);
          break;
        }
      off += n;
      _esprit_ota_report (ota, ESPRIT_PHASE_WRITING, off, size);
      state = read_acks (ota, conn, &acks, ota->timeout_ms, &closed, &e);
      if (state < 0)
        {
          if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT,
                         _("The board stopped acknowledging after %lu of %lu bytes."),
                         (gulong) off, (gulong) size);
          else
            g_propagate_error (error, g_steal_pointer (&e));
          goto out;
        }
    }

  /* All sent: the board checks the MD5, then says OK or names the error. */
  if (state == ESPRIT_OTA_ACKS_MORE && !closed)
    {
      _esprit_ota_report (ota, ESPRIT_PHASE_VERIFYING, 0, 0);
      deadline = g_get_monotonic_time ()
                 + (gint64) (ota->o->final_timeout_ms ? ota->o->final_timeout_ms : 60000) * 1000;
      while (state == ESPRIT_OTA_ACKS_MORE && !closed)
        {
          gint64 left = (deadline - g_get_monotonic_time ()) / 1000;

          if (left <= 0)
            {
              g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT,
                           _("The board took all %lu bytes but never confirmed the upload."),
                           (gulong) size);
              goto out;
            }
          state = read_acks (ota, conn, &acks, (guint) left, &closed, &e);
          if (state < 0)
            {
              if (!g_error_matches (e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
                {
                  g_propagate_error (error, g_steal_pointer (&e));
                  goto out;
                }
              g_clear_error (&e);
              state = ESPRIT_OTA_ACKS_MORE;
            }
        }
    }

  if (state == ESPRIT_OTA_ACKS_OK)
    {
      _esprit_ota_say (ota, ESPRIT_LOG_INFO, _("The board confirmed the upload and reboots."));
      ok = TRUE;
    }
  else if (state == ESPRIT_OTA_ACKS_ERROR && *esprit_ota_acks_text (&acks) != '\0')
    _esprit_ota_set_device_error (error, esprit_ota_acks_text (&acks));
  else
    g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED,
                 _("The board dropped the connection after %lu of %lu bytes. Check its Wi-Fi "
                   "signal and power, then upload again."), (gulong) off, (gulong) size);
out:
  esprit_ota_acks_clear (&acks);
  return ok;
}

/* esprit-ota.c: the host side of ArduinoOTA: invitation, challenge, connect-back, stream
 *
 * The board answers a UDP invitation, then dials back to a TCP port the host listens on and
 * acknowledges with unframed byte counts (protocol-facts §7). Everything blocks, with the
 * cancellable's pollfd in every wait.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-ota"

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <zlib.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-image.h"
#include "esprit-ota-private.h"


static gboolean
is_esp32_family (EspritChip chip)
{
  return chip != ESPRIT_CHIP_ESP8266 && chip != ESPRIT_CHIP_AUTO;
}

/* The image inside a .bin.gz, all of it (an ESP8266 sketch is at most 1 MB): a damaged file
 * is refused here rather than by eboot after the board rebooted. */
static GBytes *
gunzip (const guint8  *data,
        gsize          len,
        GError       **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  z_stream z = { 0 };
  guint8 chunk[16384];
  int rc = Z_OK;

  if (inflateInit2 (&z, 16 + MAX_WBITS) != Z_OK)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, "inflateInit2");
      return NULL;
    }
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) MIN (len, G_MAXUINT32);
  while (rc == Z_OK && out->len <= 16 * 1024 * 1024)
    {
      z.next_out = chunk;
      z.avail_out = sizeof chunk;
      rc = inflate (&z, Z_NO_FLUSH);
      g_byte_array_append (out, chunk, sizeof chunk - z.avail_out);
    }
  inflateEnd (&z);
  if (rc != Z_STREAM_END)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID,
                   _("The gzip file is damaged (%s): compress the sketch's .bin again."),
                   z.msg != NULL ? z.msg : rc == Z_BUF_ERROR ? _("it ends too early")
                                                             : _("too large"));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
esprit_ota_check_image (const guint8     *data,
                        gsize             len,
                        EspritOtaCommand  command,
                        EspritChip        chip,
                        GError          **error)
{
  EspritImageInfo info;
  g_autoptr(GError) local = NULL;

  if (len == 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("The file is empty: there is nothing to upload."));
      return FALSE;
    }
  if (command == ESPRIT_OTA_FILESYSTEM)
    return TRUE;   /* a filesystem image has no header to check */

  /* The ESP8266 core also takes a gzip-compressed image (§7.1); the ESP32's Updater wants
   * 0xE9 first (Wrong Magic Byte). What is inside gets the same checks. */
  if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    {
      g_autoptr(GBytes) inner = NULL;

      if (is_esp32_family (chip))
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID,
                       _("This is a gzip-compressed image, which only the ESP8266 core "
                         "unpacks; an %s wants the .bin itself."),
                       esprit_chip_get_info (chip)->name);
          return FALSE;
        }
      inner = gunzip (data, len, error);
      if (inner == NULL)
        return FALSE;
      return esprit_ota_check_image (g_bytes_get_data (inner, NULL), g_bytes_get_size (inner),
                                     command, ESPRIT_CHIP_ESP8266, error);
    }
  if (!esprit_image_parse (data, len, ESPRIT_CHIP_AUTO, &info, &local))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID,
                   _("This is not a firmware image the board can run (%s). Upload the "
                     "sketch's .bin file, or use the filesystem option for a filesystem "
                     "image."), local->message);
      return FALSE;
    }
  if (info.kind != ESPRIT_IMAGE_ESP)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID,
                   _("This is not an app image (it does not start with 0xE9). Upload the "
                     "sketch's .bin file, or use the filesystem option for a filesystem "
                     "image."));
      return FALSE;
    }
  if (chip == ESPRIT_CHIP_AUTO || info.chip == ESPRIT_CHIP_AUTO)
    return TRUE;
  if ((chip == ESPRIT_CHIP_ESP8266) != (info.chip == ESPRIT_CHIP_ESP8266) ||
      (is_esp32_family (chip) && chip != ESPRIT_CHIP_ESP32 && info.chip != chip))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID,
                   _("This image is built for the %s, but the board is an %s. Build the "
                     "sketch for this board and upload that .bin."),
                   esprit_chip_get_info (info.chip)->name, esprit_chip_get_info (chip)->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
resolve (Ota           *ota,
         GInetAddress **out,
         GError       **error)
{
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (ota->o->host);
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GError) local = NULL;
  GList *list;

  if (addr == NULL)
    {
      resolver = g_resolver_get_default ();
      list = g_resolver_lookup_by_name (resolver, ota->o->host, ota->cancellable, &local);
      if (list == NULL)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                       _("Cannot find the board “%s” (%s). Check the name, or give its IP "
                         "address."), ota->o->host, local->message);
          return FALSE;
        }
      /* Prefer IPv4: that is what every ArduinoOTA release answers on (§7.3). */
      for (GList *l = list; l != NULL; l = l->next)
        if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4)
          {
            addr = g_object_ref (l->data);
            break;
          }
      if (addr == NULL)
        addr = g_object_ref (list->data);
      g_resolver_free_addresses (list);
    }
  *out = g_steal_pointer (&addr);
  return TRUE;
}

/* The UDP socket is connected to the board, so the kernel fixes the source address the
 * board will dial back to; the listener binds that same address (§7.3: on a multi-homed host
 * the board dials the invitation's source, not espota's -I). */
static gboolean
open_sockets (Ota     *ota,
              GError **error)
{
  g_autoptr(GInetAddress) target = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) e = NULL;
  GInetAddress *local_ip;
  GSocketFamily family;

  if (!resolve (ota, &target, error))
    return FALSE;
  ota->target_ip = g_inet_address_to_string (target);
  family = g_inet_address_get_family (target);
  ota->udp = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &e);
  if (ota->udp == NULL)
    goto fail;
  if (ota->o->local_address != NULL && *ota->o->local_address != '\0')
    {
      g_autoptr(GInetAddress) bind_ip = g_inet_address_new_from_string (ota->o->local_address);
      g_autoptr(GSocketAddress) sa = NULL;

      if (bind_ip == NULL || g_inet_address_get_family (bind_ip) != family)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("The host address %s is not an %s address of this computer."),
                       ota->o->local_address, family == G_SOCKET_FAMILY_IPV4 ? "IPv4" : "IPv6");
          return FALSE;
        }
      sa = g_inet_socket_address_new (bind_ip, 0);
      if (!g_socket_bind (ota->udp, sa, FALSE, &e))
        goto fail;
    }
  remote = g_inet_socket_address_new (target, ota->port);
  if (!g_socket_connect (ota->udp, remote, ota->cancellable, &e))
    goto fail;
  local = g_socket_get_local_address (ota->udp, &e);
  if (local == NULL)
    goto fail;
  local_ip = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  ota->local_ip = g_inet_address_to_string (local_ip);

  ota->listener = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &e);
  if (ota->listener == NULL)
    goto fail;
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GSocketAddress) sa = NULL;
      guint16 p = ota->o->host_port ? ota->o->host_port
                                    : (guint16) g_random_int_range (10000, 60001);

      sa = g_inet_socket_address_new (local_ip, p);
      if (g_socket_bind (ota->listener, sa, TRUE, &e))
        {
          ota->host_port = p;
          break;
        }
      if (ota->o->host_port != 0 || attempt >= 20 ||
          !g_error_matches (e, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_PORT_BUSY,
                       _("Cannot listen on TCP port %u of %s: %s. Choose another port with "
                         "--host-port."), p, ota->local_ip, e->message);
          return FALSE;
        }
      g_clear_error (&e);
    }
  g_socket_set_listen_backlog (ota->listener, 1);
  if (!g_socket_listen (ota->listener, &e))
    goto fail;
  return TRUE;

fail:
  if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&e));
  else
    g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, _("Cannot reach %s: %s"),
                 ota->o->host, e->message);
  return FALSE;
}

static gboolean
send_datagram (Ota         *ota,
               const char  *text,
               const char  *shown,
               GError     **error)
{
  g_autoptr(GError) e = NULL;

  _esprit_ota_say (ota, ESPRIT_LOG_TRACE, "UDP → %s:%u: %s", ota->target_ip, ota->port, shown);
  if (g_socket_send (ota->udp, text, strlen (text), ota->cancellable, &e) < 0)
    {
      if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&e));
      else
        g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                     _("Cannot send to %s port %u: %s"), ota->target_ip, ota->port, e->message);
      return FALSE;
    }
  return TRUE;
}

/* Waits up to timeout_ms for one datagram. FALSE with no error on a timeout. */
static gboolean
receive_reply (Ota             *ota,
               EspritOtaReply  *reply,
               GError         **error)
{
  g_autoptr(GError) e = NULL;
  guint8 buf[256];
  gssize n;

  if (!g_socket_condition_timed_wait (ota->udp, G_IO_IN, (gint64) ota->timeout_ms * 1000,
                                      ota->cancellable, &e))
    {
      if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        return FALSE;
      g_propagate_error (error, g_steal_pointer (&e));
      return FALSE;
    }
  n = g_socket_receive (ota->udp, (char *) buf, sizeof buf, ota->cancellable, &e);
  if (n < 0)
    {
      if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                     _("Nothing listens on UDP port %u at %s: the board does not run a sketch "
                       "with ArduinoOTA, or the port is wrong (8266 for an ESP8266, 3232 for an "
                       "ESP32)."), ota->port, ota->target_ip);
      else
        g_propagate_error (error, g_steal_pointer (&e));
      return FALSE;
    }
  {
    g_autofree char *shown = _esprit_ota_printable (buf, n);

    _esprit_ota_say (ota, ESPRIT_LOG_TRACE, "UDP ← %s:%u: %s", ota->target_ip, ota->port, shown);
  }
  esprit_ota_parse_reply (buf, n, reply);
  return TRUE;
}

static gboolean
invite (Ota             *ota,
        const char      *md5,
        gsize            size,
        EspritOtaReply  *reply,
        GError         **error)
{
  g_autofree char *text = g_strdup_printf ("%d %u %" G_GSIZE_FORMAT " %s\n", ota->o->command,
                                           ota->host_port, size, md5);
  guint tries = ota->o->invitation_tries ? ota->o->invitation_tries : 3;

  for (guint t = 0; t < tries; t++)
    {
      g_autofree char *shown = g_strchomp (g_strdup (text));

      _esprit_ota_say (ota, ESPRIT_LOG_INFO, _("Sending invitation to %s port %u…"),
                       ota->target_ip, ota->port);
      if (!send_datagram (ota, text, shown, error))
        return FALSE;
      if (receive_reply (ota, reply, error))
        return TRUE;
      if (error != NULL && *error != NULL)
        return FALSE;
    }
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT,
               _("No answer from %s port %u after %u invitations. Check the address, that the "
                 "board is on and runs a sketch with ArduinoOTA, and that the network lets UDP "
                 "through to it."), ota->target_ip, ota->port, tries);
  return FALSE;
}

/* A board waiting for the answer to its challenge has no timeout and swallows the next
 * datagram, an invitation too (§7.1, §7.3): when the host gives up on a challenge it sends
 * one datagram that is no answer, so the board goes back to idle for the next upload. */
static void
release_challenge (Ota *ota)
{
  g_socket_send (ota->udp, "\n", 1, NULL, NULL);
}

/* Invitation and challenge until the board says OK (§7.1, §7.2). */
static gboolean
negotiate_inner (Ota         *ota,
                 const char  *md5,
                 gsize        size,
                 char       **asked,
                 GError     **error)
{
  const char *password = ota->o->password;
  gboolean have_password = password != NULL && *password != '\0';
  gboolean use_md5_hash = ota->o->md5_target;
  gboolean retried = FALSE;

  for (;;)
    {
      EspritOtaReply reply;
      g_autofree char *cnonce_text = NULL, *cnonce = NULL, *hash = NULL, *response = NULL;
      g_autofree char *text = NULL, *shown = NULL;
      GChecksumType type;
      gsize nlen;

      _esprit_ota_report (ota, ESPRIT_PHASE_CONNECTING, 0, 0);
      if (!invite (ota, md5, size, &reply, error))
        return FALSE;
      switch (reply.kind)
        {
        case ESPRIT_OTA_REPLY_OK:
          return TRUE;
        case ESPRIT_OTA_REPLY_ERROR:
          _esprit_ota_set_device_error (error, reply.text);
          return FALSE;
        case ESPRIT_OTA_REPLY_AUTH:
          break;
        case ESPRIT_OTA_REPLY_AUTH_FAILED:
        case ESPRIT_OTA_REPLY_UNKNOWN:
        default:
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                       _("The board answered the invitation with “%s”, which is not "
                         "ArduinoOTA."), reply.text);
          return FALSE;
        }

      if (!have_password && ota->o->ask_password != NULL && *asked == NULL)
        {
          /* Asked now, while the board holds this challenge. */
          *asked = ota->o->ask_password (ota->o->host, ota->user_data);
          if (*asked != NULL && **asked != '\0')
            {
              password = *asked;
              have_password = TRUE;
            }
        }
      if (!have_password)
        {
          release_challenge (ota);
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_AUTH,
                       _("The board needs a password. Give it with --auth-file or the "
                         "ESPRIT_OTA_PASSWORD variable, or type it at the prompt."));
          return FALSE;
        }
      /* The nonce length picks the scheme (§7.2): 32 = MD5, 64 = PBKDF2-SHA-256. */
      nlen = strlen (reply.text);
      if (nlen != 32 && nlen != 64)
        {
          release_challenge (ota);
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                       _("The board sent a %lu-character challenge; Esprit knows the "
                         "32-character (MD5) and 64-character (SHA-256) ones."), (gulong) nlen);
          return FALSE;
        }
      type = nlen == 32 ? G_CHECKSUM_MD5 : G_CHECKSUM_SHA256;
      _esprit_ota_say (ota, ESPRIT_LOG_INFO, _("Authenticating (%s)…"),
                       nlen == 32 ? "MD5" : use_md5_hash ? "PBKDF2-SHA-256, MD5 password hash"
                                                          : "PBKDF2-SHA-256");
      /* espota's client nonce is hash(file name + size + MD5 + address); a random part
       * keeps two uploads of the same file from using the same one. */
      cnonce_text = g_strdup_printf ("%s%" G_GSIZE_FORMAT "%s%s%08x%08x",
                                     ota->o->file_name ? ota->o->file_name : "", size, md5,
                                     ota->target_ip, g_random_int (), g_random_int ());
      cnonce = esprit_ota_hash_hex (type, cnonce_text);
      hash = esprit_ota_hash_hex (nlen == 32 || use_md5_hash ? G_CHECKSUM_MD5 : G_CHECKSUM_SHA256,
                                  password);
      response = esprit_ota_auth_response (reply.text, cnonce, hash);
      text = g_strdup_printf ("%d %s %s\n", ESPRIT_OTA_AUTH, cnonce, response);
      shown = g_strdup_printf ("%d %s (hidden)", ESPRIT_OTA_AUTH, cnonce);
      memset (hash, 0, strlen (hash));
      /* The same socket: the ESP8266 answers the invitation's source port (§7.3). */
      if (!send_datagram (ota, text, shown, error))
        return FALSE;
      memset (text, 0, strlen (text));
      if (!receive_reply (ota, &reply, error))
        {
          if (error == NULL || *error == NULL)
            g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT,
                         _("The board did not answer the password in %u s."),
                         ota->timeout_ms / 1000);
          return FALSE;
        }
      switch (reply.kind)
        {
        case ESPRIT_OTA_REPLY_OK:
          _esprit_ota_say (ota, ESPRIT_LOG_INFO, _("Authenticated."));
          return TRUE;
        case ESPRIT_OTA_REPLY_ERROR:
          _esprit_ota_set_device_error (error, reply.text);
          return FALSE;
        case ESPRIT_OTA_REPLY_AUTH_FAILED:
          /* A sketch that stores an MD5 hash with setPasswordHash() wants H = MD5 (§7.2):
           * one more round from a new invitation. */
          if (nlen == 64 && !use_md5_hash && !retried)
            {
              _esprit_ota_say (ota, ESPRIT_LOG_INFO,
                               _("Refused; trying again with the MD5 password hash older "
                                 "sketches store…"));
              use_md5_hash = TRUE;
              retried = TRUE;
              continue;
            }
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_AUTH,
                       _("Wrong password: the board refused it. Check the password set in "
                         "the sketch (ArduinoOTA.setPassword)."));
          return FALSE;
        case ESPRIT_OTA_REPLY_AUTH:
        case ESPRIT_OTA_REPLY_UNKNOWN:
        default:
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                       _("The board answered the password with “%s”, which is not "
                         "ArduinoOTA."), reply.text);
          return FALSE;
        }
    }
}

static gboolean
negotiate (Ota         *ota,
           const char  *md5,
           gsize        size,
           GError     **error)
{
  char *asked = NULL;
  gboolean ok = negotiate_inner (ota, md5, size, &asked, error);

  if (asked != NULL)
    {
      memset (asked, 0, strlen (asked));
      g_free (asked);
    }
  return ok;
}

gboolean
esprit_ota_upload (const EspritOtaOptions *options,
                   GBytes                 *image,
                   EspritProgressFunc      progress,
                   EspritLogFunc           log,
                   gpointer                user_data,
                   GCancellable           *cancellable,
                   GError                **error)
{
  Ota ota = { options, progress, log, user_data, cancellable, 0 };
  g_autoptr(GSocket) conn = NULL;
  g_autofree char *md5 = NULL;
  const guint8 *data;
  gsize size;
  gboolean ok = FALSE;

  g_return_val_if_fail (options != NULL && options->host != NULL && image != NULL, FALSE);
  g_return_val_if_fail (options->command == ESPRIT_OTA_FLASH ||
                        options->command == ESPRIT_OTA_FILESYSTEM, FALSE);

  data = g_bytes_get_data (image, &size);
  ota.port = options->port;
  ota.chip = options->chip;
  /* The standard ports tell the core; on any other port the image is not checked against
   * a family (espota checks nothing at all). */
  if (ota.chip == ESPRIT_CHIP_AUTO && (ota.port == 0 || ota.port == ESPRIT_OTA_PORT_ESP8266))
    ota.chip = ESPRIT_CHIP_ESP8266;
  else if (ota.chip == ESPRIT_CHIP_AUTO && ota.port == ESPRIT_OTA_PORT_ESP32)
    ota.chip = ESPRIT_CHIP_ESP32;
  if (ota.port == 0)
    ota.port = ota.chip == ESPRIT_CHIP_ESP8266 ? ESPRIT_OTA_PORT_ESP8266 : ESPRIT_OTA_PORT_ESP32;
  ota.timeout_ms = options->timeout_ms ? options->timeout_ms : 10000;

  if (!esprit_ota_check_image (data, size, options->command, ota.chip, error))
    return FALSE;
  if (size > G_MAXINT32)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_TOO_LARGE,
                   _("The file is larger than any board's flash."));
      return FALSE;
    }
  md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, data, size);
  if (!open_sockets (&ota, error))
    goto out;
  _esprit_ota_say (&ota, ESPRIT_LOG_INFO, _("Listening on %s TCP port %u"), ota.local_ip,
                   ota.host_port);
  if (!negotiate (&ota, md5, size, error))
    goto out;
  conn = _esprit_ota_wait_connect_back (&ota, error);
  if (conn == NULL)
    goto out;
  ok = _esprit_ota_stream (&ota, conn, data, size, error);
  if (conn != NULL)
    g_socket_close (conn, NULL);

out:
  g_clear_object (&ota.udp);
  g_clear_object (&ota.listener);
  g_free (ota.target_ip);
  g_free (ota.local_ip);
  return ok;
}

/* esprit-sim-ota.c: the virtual OTA board's network side: a sketch running ArduinoOTA
 *
 * The device half of protocol-facts §7 for each core: the invitation parser, the nonce and
 * both challenge schemes, the connect-back, byte counts as each core sends them, the final
 * OK or error text, the reboot. Where the data lands: esprit-sim-ota-flash.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-ota.h"
#include "esprit-sim-ota-private.h"

int
esprit_sim_ota_core_from_name (const char *name)
{
  if (g_strcmp0 (name, "esp8266") == 0)
    return ESPRIT_SIM_OTA_ESP8266;
  if (g_strcmp0 (name, "esp32-md5") == 0)
    return ESPRIT_SIM_OTA_ESP32_MD5;
  if (g_strcmp0 (name, "esp32-sha256") == 0)
    return ESPRIT_SIM_OTA_ESP32_SHA256;
  return -1;
}

void
_esprit_sim_ota_event (EspritSimOta *self,
                       const char   *format,
                       ...)
{
  g_autofree char *line = NULL;
  va_list args;
  FILE *f;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  g_debug ("%s", line);
  if (self->events_path == NULL || (f = fopen (self->events_path, "a")) == NULL)
    return;
  fprintf (f, "%s\n", line);
  fclose (f);
}

static gboolean
is_esp8266 (EspritSimOta *self)
{
  return self->config.core == ESPRIT_SIM_OTA_ESP8266;
}

static gboolean
open_flash (EspritSimOta  *self,
            GError       **error)
{
  self->flash = g_malloc (self->flash_size);
  memset (self->flash, 0xFF, self->flash_size);
  self->fd = -1;
  if (self->flash_path == NULL)
    return TRUE;
  self->fd = open (self->flash_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (self->fd < 0)
    {
      int saved = errno;

      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                   _("Cannot open the flash file %s: %s"), self->flash_path, g_strerror (saved));
      return FALSE;
    }
  {
    gssize n = pread (self->fd, self->flash, self->flash_size, 0);

    /* A new or short file: the rest reads as erased flash, and the file gets it all. */
    if (n < (gssize) self->flash_size &&
        pwrite (self->fd, self->flash, self->flash_size, 0) != (gssize) self->flash_size)
      {
        g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                     _("Cannot write the flash file %s"), self->flash_path);
        return FALSE;
      }
  }
  return TRUE;
}

static void
publish (EspritSimOta *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", self->port);
  /* ARDUINO_BOARD_ID "generic" on the ESP8266, ARDUINO_VARIANT "esp32" ... on the ESP32 */
  const char *variant = is_esp8266 (self) ? "generic"
                                          : esprit_chip_get_info (self->config.chip)->id;
  g_autofree char *board = g_strdup_printf ("board=%s", variant);
  const char *auth = self->password_hash != NULL ? "auth_upload=yes" : "auth_upload=no";

  /* The TXT records both cores announce (§7.1, §7.2). */
  self->publisher = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                                      "avahi-publish", "-s", self->publish_name, "_arduino._tcp",
                                      port, "tcp_check=no", "ssh_upload=no", board, auth, NULL);
  if (self->publisher == NULL)
    g_printerr ("esprit-sim: cannot publish through Avahi: %s\n", error->message);
  else
    _esprit_sim_ota_event (self, "ota: published %s as _arduino._tcp on port %u",
                           self->publish_name, self->port);
}

EspritSimOta *
esprit_sim_ota_new (const EspritSimOtaConfig  *config,
                    GError                   **error)
{
  g_autoptr(EspritSimOta) self = g_new0 (EspritSimOta, 1);
  g_autoptr(GInetAddress) ip = NULL;
  g_autoptr(GSocketAddress) sa = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  self->config = *config;
  self->fd = -1;
  self->address = g_strdup (config->address ? config->address : "127.0.0.1");
  self->flash_path = g_strdup (config->flash_path);
  self->events_path = g_strdup (config->events_path);
  self->publish_name = g_strdup (config->publish_name);
  self->config.address = self->address;
  self->config.flash_path = self->flash_path;
  self->config.events_path = self->events_path;
  self->config.publish_name = self->publish_name;
  self->flash_size = config->flash_size ? config->flash_size : 0x400000;
  self->port = config->port;
  /* setPasswordHash() keeps the hash as given; setPassword() stores MD5hex, or SHA256hex
   * in 3.3.1+ (§7.1, §7.2). */
  if (config->password_hash != NULL && *config->password_hash != '\0')
    self->password_hash = g_ascii_strdown (config->password_hash, -1);
  else if (config->password != NULL && *config->password != '\0')
    self->password_hash = esprit_ota_hash_hex (config->core == ESPRIT_SIM_OTA_ESP32_SHA256
                                               ? G_CHECKSUM_SHA256 : G_CHECKSUM_MD5,
                                               config->password);
  self->config.password = NULL;
  self->config.password_hash = NULL;

  if (!open_flash (self, error))
    return NULL;
  if (!is_esp8266 (self))
    _esprit_sim_ota_parts_init (self);
  ip = g_inet_address_new_from_string (self->address);
  if (ip == NULL)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("%s is not an IP address"), self->address);
      return NULL;
    }
  self->udp = g_socket_new (g_inet_address_get_family (ip), G_SOCKET_TYPE_DATAGRAM,
                            G_SOCKET_PROTOCOL_UDP, error);
  if (self->udp == NULL)
    return NULL;
  sa = g_inet_socket_address_new (ip, self->port);
  if (!g_socket_bind (self->udp, sa, FALSE, error))
    return NULL;
  bound = g_socket_get_local_address (self->udp, error);
  if (bound == NULL)
    return NULL;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  _esprit_sim_ota_boot (self, "power on");
  if (self->publish_name != NULL)
    publish (self);
  return g_steal_pointer (&self);
}

void
esprit_sim_ota_free (EspritSimOta *self)
{
  if (self == NULL)
    return;
  if (self->publisher != NULL)
    {
      g_subprocess_force_exit (self->publisher);
      g_subprocess_wait (self->publisher, NULL, NULL);
      g_clear_object (&self->publisher);
    }
  _esprit_sim_ota_abort (self);
  g_clear_object (&self->udp);
  if (self->fd >= 0)
    close (self->fd);
  g_free (self->flash);
  g_free (self->address);
  if (self->password_hash != NULL)
    memset (self->password_hash, 0, strlen (self->password_hash));
  g_free (self->password_hash);
  g_free (self->flash_path);
  g_free (self->events_path);
  g_free (self->publish_name);
  g_free (self);
}

guint16
esprit_sim_ota_get_port (EspritSimOta *self)
{
  return self->port;
}

GBytes *
esprit_sim_ota_dup_flash (EspritSimOta *self)
{
  return g_bytes_new (self->flash, self->flash_size);
}

void
esprit_sim_ota_load_flash (EspritSimOta *self,
                           guint32       addr,
                           const guint8 *data,
                           gsize         len)
{
  g_return_if_fail (addr <= self->flash_size && len <= self->flash_size - addr);
  memcpy (self->flash + addr, data, len);
  if (self->fd >= 0 && pwrite (self->fd, data, len, addr) != (gssize) len)
    g_warning ("cannot write the flash file");
  _esprit_sim_ota_boot (self, "reset (test set-up)");
}

static void
send_udp (EspritSimOta   *self,
          GSocketAddress *to,
          const char     *text,
          gsize           len)
{
  g_socket_send_to (self->udp, to, text, len, NULL, NULL);
}

static void
send_tcp (GSocket    *conn,
          const char *text)
{
  g_socket_send (conn, text, strlen (text), NULL, NULL);
}

/* Non-blocking read of what has arrived, at most @max bytes; 0 when nothing is there, -1
 * when the host closed the connection. */
static gssize
read_available (GSocket *conn,
                guint8  *buf,
                gsize    max)
{
  g_autoptr(GError) e = NULL;
  gssize n;

  if (max == 0)
    return 0;
  n = g_socket_receive_with_blocking (conn, (char *) buf, max, FALSE, NULL, &e);
  if (n < 0 && g_error_matches (e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return 0;
  if (n <= 0)
    return -1;
  return n;
}

typedef struct {
  EspritSimOta *self;
  guint64       received;
  gboolean      connected;
  GSocket      *conn;
} Link;

/* Applies the link faults to bytes just received; returns how many to keep. */
static gsize
faults (Link   *link,
        guint8 *buf,
        gsize   n)
{
  EspritSimOtaConfig *c = &link->self->config;

  if (c->corrupt_byte > 0 && (guint64) c->corrupt_byte > link->received &&
      (guint64) c->corrupt_byte <= link->received + n)
    buf[c->corrupt_byte - 1 - link->received] ^= 0x01;
  if (c->drop_after >= 0 && link->received + n >= (guint64) c->drop_after)
    {
      n = c->drop_after - link->received;
      _esprit_sim_ota_event (link->self, "ota: link dropped after %" G_GINT64_FORMAT " bytes",
                             c->drop_after);
      g_socket_close (link->conn, NULL);
      link->connected = FALSE;
    }
  link->received += n;
  return n;
}

static gboolean
wait_data (GSocket *conn,
           guint    ms)
{
  return g_socket_condition_timed_wait (conn, G_IO_IN, (gint64) ms * 1000, NULL, NULL);
}

/* esp8266/Arduino ArduinoOTA::_runUpdate(): wait ≤ 1000 × 1 ms, Update.write(client) takes
 * what is available (again after 1 ms while more comes), then the count (§7.1). A timeout
 * does not leave the loop. */
static void
transfer_esp8266 (Link *link)
{
  EspritSimOta *self = link->self;

  while (!_esprit_sim_ota_finished (self) && link->connected)
    {
      gsize written = 0;

      if (!wait_data (link->conn, 1000))
        continue;
      for (;;)
        {
          guint8 buf[4096];
          gsize room = _esprit_sim_ota_remaining (self) - self->up.buffer_len;
          gssize n = read_available (link->conn, buf, MIN (sizeof buf, room));

          if (n < 0)
            {
              link->connected = FALSE;
              break;
            }
          if (n == 0)
            break;
          n = faults (link, buf, n);
          written += _esprit_sim_ota_write (self, buf, n);
          if (!self->up.running || _esprit_sim_ota_finished (self) || !link->connected)
            break;
          g_usleep (1000);
        }
      if (written > 0 && link->connected)
        {
          g_autofree char *count = g_strdup_printf ("%" G_GSIZE_FORMAT, written);

          send_tcp (link->conn, count);
        }
      if (!self->up.running)
        break;
    }
}

/* arduino-esp32 ArduinoOTA::_runUpdate(): read ≤ 1460, write, "%lu" after every read; an
 * idle timeout (1000 ms) re-sends the last count up to 3 times, then aborts (§7.2). */
static gboolean
transfer_esp32 (Link *link)
{
  EspritSimOta *self = link->self;
  gsize written = 0;
  guint tried = 0;

  while (!_esprit_sim_ota_finished (self) && link->connected)
    {
      guint8 buf[1460];
      gssize n;

      if (!wait_data (link->conn, 1000))
        {
          if (written && tried++ < 3)
            {
              g_autofree char *count = g_strdup_printf ("%" G_GSIZE_FORMAT, written);

              send_tcp (link->conn, count);
              continue;
            }
          _esprit_sim_ota_event (self, "ota: Receive Failed");
          _esprit_sim_ota_abort (self);
          return FALSE;
        }
      tried = 0;
      n = read_available (link->conn, buf, sizeof buf);
      if (n < 0)
        {
          link->connected = FALSE;
          break;
        }
      n = faults (link, buf, n);
      written = _esprit_sim_ota_write (self, buf, n);
      if (written > 0 && link->connected)
        {
          g_autofree char *count = g_strdup_printf ("%" G_GSIZE_FORMAT, written);

          send_tcp (link->conn, count);
        }
    }
  return TRUE;
}

static void
run_update (EspritSimOta   *self,
            GSocketAddress *reply_to,
            GInetAddress   *host,
            int             command,
            int             host_port,
            int             size,
            const char     *md5)
{
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketAddress) dial = NULL;
  g_autoptr(GError) e = NULL;
  g_autofree char *host_s = g_inet_address_to_string (host);
  Link link = { self, 0, FALSE, NULL };
  gboolean ok;

  if (!_esprit_sim_ota_begin (self, (guint32) size, command, md5))
    {
      g_autofree char *text = _esprit_sim_ota_error_text (self);

      _esprit_sim_ota_event (self, "ota: Update.begin failed: %s", g_strchomp (text));
      if (is_esp8266 (self))
        {
          /* "ERR: " + printError() to the saved address (§7.1); the ESP32 says nothing. */
          g_autofree char *reply = g_strdup_printf ("ERR: %s\n", text);

          send_udp (self, reply_to, reply, strlen (reply));
        }
      return;
    }
  if (is_esp8266 (self))
    {
      /* "OK", then delay(100) before dialling (§7.1); the ESP32 dials at once. */
      send_udp (self, reply_to, "OK", 2);
      g_usleep (100 * 1000);
    }
  if (self->config.no_connect_back)
    {
      _esprit_sim_ota_event (self, "ota: not connecting back to %s:%d (fault)", host_s,
                             host_port);
      _esprit_sim_ota_abort (self);
      return;
    }
  /* WiFiClient's connect timeout: 5 s. */
  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, 5);
  g_socket_client_set_enable_proxy (client, FALSE);
  dial = g_inet_socket_address_new (host, (guint16) host_port);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (dial), NULL, &e);
  if (connection == NULL)
    {
      _esprit_sim_ota_event (self, "ota: Connect Failed to %s:%d: %s", host_s, host_port,
                             e->message);
      _esprit_sim_ota_abort (self);
      return;
    }
  link.conn = g_socket_connection_get_socket (connection);
  link.connected = TRUE;
  g_socket_set_option (link.conn, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  _esprit_sim_ota_event (self, "ota: connected to %s:%d, receiving %d bytes", host_s,
                         host_port, size);
  if (is_esp8266 (self))
    transfer_esp8266 (&link);
  else if (!transfer_esp32 (&link))
    return;
  ok = _esprit_sim_ota_end (self);
  if (ok)
    {
      if (link.connected)
        send_tcp (link.conn, "OK");
      g_socket_close (link.conn, NULL);
      _esprit_sim_ota_boot (self, "ESP.restart() after the update");
    }
  else
    {
      g_autofree char *text = _esprit_sim_ota_error_text (self);

      if (link.connected)
        send_tcp (link.conn, text);
      g_socket_close (link.conn, NULL);
      _esprit_sim_ota_event (self, "ota: update failed: %s", g_strchomp (text));
    }
}

static char *
make_nonce (EspritSimOta *self)
{
  g_autofree char *micros = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_monotonic_time ());

  /* MD5hex(String(micros())) (§7.1); the 3.3.1+ core's source is not known, a SHA-256 of
   * the same gives its length (§7.2). */
  return esprit_ota_hash_hex (self->config.core == ESPRIT_SIM_OTA_ESP32_SHA256
                              ? G_CHECKSUM_SHA256 : G_CHECKSUM_MD5, micros);
}

void
esprit_sim_ota_run (EspritSimOta  *self,
                    volatile gint *stop)
{
  enum { IDLE, WAITAUTH } state = IDLE;
  g_autoptr(GSocketAddress) saved = NULL;
  g_autoptr(GInetAddress) saved_ip = NULL;
  g_autofree char *nonce = NULL;
  int command = 0, host_port = 0, size = 0;
  char md5[33] = "";
  gsize field = self->config.core == ESPRIT_SIM_OTA_ESP32_SHA256 ? 64 : 32;

  while (!g_atomic_int_get (stop))
    {
      g_autoptr(GSocketAddress) from = NULL;
      guint8 buf[512];
      gssize n;

      if (!g_socket_condition_timed_wait (self->udp, G_IO_IN, 100000, NULL, NULL))
        continue;
      n = g_socket_receive_from (self->udp, &from, (char *) buf, sizeof buf, NULL, NULL);
      if (n < 0)
        continue;
      if (state == IDLE)
        {
          int c, p, s;
          char m[33];

          if (!esprit_ota_parse_invitation (buf, n, &c, &p, &s, m))
            continue;   /* dropped silently (§7.1) */
          command = c;
          host_port = p;
          size = s;
          memcpy (md5, m, sizeof md5);
          g_set_object (&saved, from);
          g_set_object (&saved_ip,
                        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from)));
          _esprit_sim_ota_event (self, "ota: invitation: command %d, %d bytes, TCP port %d",
                                 command, size, host_port);
          if (self->password_hash != NULL)
            {
              g_autofree char *auth = NULL;

              g_free (nonce);
              nonce = make_nonce (self);
              auth = g_strdup_printf ("AUTH %s", nonce);
              send_udp (self, saved, auth, strlen (auth));
              state = WAITAUTH;   /* no timeout (§7.1) */
              continue;
            }
          if (!is_esp8266 (self))
            send_udp (self, from, "OK", 2);   /* before Update.begin (§7.2) */
        }
      else
        {
          char cnonce[65], response[65];
          g_autofree char *expected = NULL;

          state = IDLE;
          /* Anything but a well-formed "200" resets a pending challenge (§7.1, §7.3). */
          if (!esprit_ota_parse_auth (buf, n, field, cnonce, response))
            continue;
          expected = esprit_ota_auth_response (nonce, cnonce, self->password_hash);
          if (expected == NULL || strcmp (expected, response) != 0)
            {
              _esprit_sim_ota_event (self, "ota: Authentication Failed");
              send_udp (self, is_esp8266 (self) ? saved : from, "Authentication Failed", 21);
              continue;
            }
          _esprit_sim_ota_event (self, "ota: authenticated");
          if (!is_esp8266 (self))
            {
              send_udp (self, from, "OK", 2);
              g_set_object (&saved_ip,
                            g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from)));
            }
        }
      run_update (self, saved, saved_ip, command, host_port, size, md5);
      /* The ESP8266 core stops all UDP during the update and listens again: what came in
       * meanwhile is gone (§7.1). */
      if (is_esp8266 (self))
        while (g_socket_condition_check (self->udp, G_IO_IN) & G_IO_IN)
          if (g_socket_receive (self->udp, (char *) buf, sizeof buf, NULL, NULL) < 0)
            break;
    }
}

/* test-transport.c: the OS transports over real ptys and sockets, and esprit-sim's listeners
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <asm/termbits.h>

#include "esprit-device-info.h"
#include "esprit-error.h"
#include "esprit-flash.h"
#include "esprit-telnet.h"
#include "esprit-sim-server.h"
#include "esprit-test-util.h"

static int
open_pty (char **slave)
{
  int master = posix_openpt (O_RDWR | O_NOCTTY);

  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  *slave = g_strdup (ptsname (master));
  return master;
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (100000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_tty (void)
{
  g_autofree char *slave = NULL;
  int master = open_pty (&slave);
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritTransport) t = esprit_transport_open (slave, 115200, &error);
  g_autoptr(EspritTransport) again = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  struct termios2 tio;
  guint8 buf[16];
  gint64 t0;
  gssize n;
  GThread *th;

  g_assert_no_error (error);
  g_assert_nonnull (t);
  /* A pty carries no modem lines (TESTING.md). */
  g_assert_false (esprit_transport_has_lines (t));

  /* Deadline: nothing arrives, 0 after about the timeout. */
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (esprit_transport_read (t, buf, sizeof buf, 80, NULL, NULL), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 70000);

  g_assert_cmpint (write (master, "hello", 5), ==, 5);
  n = esprit_transport_read (t, buf, sizeof buf, 500, NULL, &error);
  g_assert_cmpint (n, ==, 5);
  g_assert_cmpmem (buf, 5, "hello", 5);
  g_assert_true (esprit_transport_write (t, (const guint8 *) "\xC0\x00\xFF", 3, NULL, NULL));
  g_assert_cmpint (read (master, buf, sizeof buf), ==, 3);
  g_assert_cmpmem (buf, 3, "\xC0\x00\xFF", 3);

  /* 74880 baud (the ESP8266 boot log) through BOTHER; the master sees the slave's rate. */
  g_assert_true (esprit_transport_set_baud (t, 74880, &error));
  g_assert_cmpint (ioctl (master, TCGETS2, &tio), ==, 0);
  g_assert_cmpuint (tio.c_ospeed, ==, 74880);

  /* Flush drops what arrived. */
  g_assert_cmpint (write (master, "junk", 4), ==, 4);
  g_usleep (20000);
  g_assert_true (esprit_transport_flush_input (t, NULL));
  g_assert_cmpint (esprit_transport_read (t, buf, sizeof buf, 50, NULL, NULL), ==, 0);

  /* Cancel interrupts a long read at once. */
  th = g_thread_new ("cancel", cancel_later, cancellable);
  t0 = g_get_monotonic_time ();
  g_assert_cmpint (esprit_transport_read (t, buf, sizeof buf, 5000, cancellable, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 1000000);
  g_thread_join (th);
  g_clear_error (&error);

  /* Exclusive: a second open is refused as busy. */
  again = esprit_transport_open (slave, 115200, &error);
  g_assert_null (again);
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_PORT_BUSY);
  close (master);
}

static void
test_open_errors (void)
{
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  g_autoptr(EspritTransport) t1 = esprit_transport_open ("/dev/ttyNOPE42", 115200, &e1);
  g_autoptr(EspritTransport) t2 = esprit_transport_open ("socket://127.0.0.1:1", 115200, &e2);
  g_autoptr(EspritTransport) t3 = esprit_test_open_port ("sim:esp9000", 115200, &e3);

  g_assert_error (e1, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (e1->message, "/dev/ttyNOPE42"));
  g_assert_error (e2, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND);
  g_assert_error (e3, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND);
}

typedef struct {
  EspritSim     *sim;
  GSocket       *listener;
  int            master;
  gboolean       rfc2217;
  EspritSimServeFlags flags;
  volatile gint  stop;
  GThread       *thread;
  char          *port;
} Server;

static gpointer
server_thread (gpointer data)
{
  Server *s = data;

  if (s->master >= 0)
    esprit_sim_serve_pty (s->sim, s->master, &s->stop);
  else
    esprit_sim_serve_tcp (s->sim, s->listener, s->flags, &s->stop);
  return NULL;
}

static Server *
server_start (EspritChip  chip,
              const char *kind)
{
  Server *s = g_new0 (Server, 1);
  EspritSimConfig config = { chip, 0, { 0 }, FALSE, NULL, g_str_has_prefix (kind, "rfc2217") };
  guint16 p = 0;

  s->sim = esprit_sim_new (&config, NULL);
  s->master = -1;
  if (g_str_equal (kind, "pty"))
    {
      s->master = esprit_sim_pty_open (&s->port, NULL);
      g_assert_cmpint (s->master, >=, 0);
    }
  else
    {
      s->rfc2217 = g_str_has_prefix (kind, "rfc2217");
      s->flags = s->rfc2217 ? ESPRIT_SIM_SERVE_RFC2217 : ESPRIT_SIM_SERVE_RAW;
      if (g_str_equal (kind, "rfc2217-plain"))
        s->flags |= ESPRIT_SIM_SERVE_PLAIN_LINES;
      s->listener = esprit_sim_listen_tcp (&p, NULL);
      g_assert_nonnull (s->listener);
      s->port = g_strdup_printf ("%s://127.0.0.1:%u", s->rfc2217 ? "rfc2217" : "socket", p);
    }
  s->thread = g_thread_new ("server", server_thread, s);
  return s;
}

static void
server_stop (Server *s)
{
  g_atomic_int_set (&s->stop, 1);
  g_thread_join (s->thread);
  g_clear_object (&s->listener);
  if (s->master >= 0)
    close (s->master);
  g_object_unref (s->sim);
  g_free (s->port);
  g_free (s);
}

/* The library through each kind of listener: connect, MAC, a compressed write verified by
 * MD5 and read back. */
static void
test_served (gconstpointer data)
{
  const char *kind = data;
  Server *s = server_start (ESPRIT_CHIP_ESP32, kind);
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritTransport) t = esprit_test_open_port (s->port, 115200, &error);
  g_autoptr(EspritLoader) loader = NULL;
  g_autoptr(GBytes) data_in = esprit_test_random_bytes (70000, 21);
  g_autofree guint8 *back = g_malloc (70000);
  guint8 mac[6];

  g_assert_no_error (error);
  loader = esprit_loader_new (t);
  g_assert_true (esprit_loader_connect (loader, ESPRIT_BEFORE_DEFAULT_RESET, 3, ESPRIT_CHIP_AUTO,
                                        NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (esprit_device_info_read_mac (loader, mac, NULL, &error));
  g_assert_cmpmem (mac, 6, esprit_sim_get_config (s->sim)->mac, 6);
  g_assert_true (esprit_flash_write (loader, 0x1000, data_in, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (esprit_flash_read (loader, 0x1000, 70000, back, NULL, NULL, NULL, &error));
  g_assert_cmpmem (back, 70000, g_bytes_get_data (data_in, NULL), 70000);
  if (g_str_equal (kind, "rfc2217"))
    {
      /* DTR/RTS travel: the hard reset boots the program, after which nothing syncs without
       * a reset. */
      g_autoptr(EspritLoader) again = esprit_loader_new (t);

      g_assert_true (esprit_loader_finish (loader, ESPRIT_AFTER_HARD_RESET, NULL, &error));
      g_assert_cmpint (esprit_test_wait_mode (s->sim, ESPRIT_SIM_MODE_APP), ==,
                       ESPRIT_SIM_MODE_APP);
      g_assert_false (esprit_loader_connect (again, ESPRIT_BEFORE_NO_RESET, 1, ESPRIT_CHIP_AUTO,
                                             NULL, NULL, NULL, &error));
      g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NO_SYNC);
    }
  g_clear_object (&loader);
  esprit_transport_close (t);
  server_stop (s);
}

static void
on_sub (const guint8 *sb,
        gsize         len,
        gpointer      user_data)
{
  g_byte_array_append (user_data, sb, len);
}

static void
test_telnet_codec (void)
{
  static const guint8 data[] = { 0x01, 0xFF, 0x02, 0xFF };
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GByteArray) sub = g_byte_array_new ();
  EspritTelnetDecoder dec = { 0 };
  guint8 out[64];
  gsize n;
  const guint8 baud[4] = { 0x00, 0x01, 0xC2, 0xFF };

  esprit_telnet_escape (wire, data, sizeof data);
  g_assert_cmpmem (wire->data, wire->len, "\x01\xFF\xFF\x02\xFF\xFF", 6);
  esprit_telnet_subneg (wire, RFC2217_SET_BAUDRATE, baud, 4);
  g_assert_cmpmem (wire->data + 6, wire->len - 6,
                   "\xFF\xFA\x2C\x01\x00\x01\xC2\xFF\xFF\xFF\xF0", 11);
  /* Decoding in odd-sized pieces gives back the data and the subnegotiation. */
  n = 0;
  for (guint i = 0; i < wire->len; i += 3)
    n += esprit_telnet_decode (&dec, wire->data + i, MIN (3, wire->len - i), out + n, on_sub, NULL,
                               sub);
  g_assert_cmpmem (out, n, data, sizeof data);
  g_assert_cmpmem (sub->data, sub->len, "\x2C\x01\x00\x01\xC2\xFF", 6);
}

/* A raw RFC 2217 client: the bytes a pyserial-like client sends, one SET-CONTROL at a time. */
static GSocket *
raw_client (Server *s)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = g_socket_client_connect_to_host (client, s->port + 10, 0,
                                                                        NULL, NULL);
  GSocket *sock;

  g_assert_nonnull (conn);
  sock = g_object_ref (g_socket_connection_get_socket (conn));
  /* Keep the connection's stream alive with the socket. */
  g_object_set_data_full (G_OBJECT (sock), "conn", g_steal_pointer (&conn), g_object_unref);
  return sock;
}

static void
raw_send (GSocket      *sock,
          const guint8 *data,
          gsize         len)
{
  g_assert_cmpint (g_socket_send (sock, (const gchar *) data, len, NULL, NULL), ==, (gssize) len);
}

static void
raw_control (GSocket *sock,
             guint8   value,
             guint    wait_ms)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  esprit_telnet_comport_encode (out, RFC2217_SET_CONTROL, value);
  raw_send (sock, out->data, out->len);
  g_usleep (wait_ms * 1000);
}

typedef struct {
  guint modem_states;
} Seen;

static void
seen_subneg (const guint8 *sb,
             gsize         len,
             gpointer      user_data)
{
  Seen *seen = user_data;
  EspritComPortCommand cmd;

  if (esprit_telnet_comport_decode (sb, len, &cmd) &&
      cmd.code == RFC2217_NOTIFY_MODEMSTATE + RFC2217_SERVER_OFFSET)
    seen->modem_states++;
}

/* Reads for @ms and counts the NOTIFY-MODEMSTATE messages. */
static guint
count_modem_states (GSocket *sock,
                    guint    ms)
{
  Seen seen = { 0 };

  esprit_test_read_telnet (sock, ms, seen_subneg, &seen);
  return seen.modem_states;
}

/* Issue 10 item 8: the server sends NOTIFY-MODEMSTATE when the client starts COM-PORT and
 * when it polls. */
static void
test_rfc2217_modem_state (void)
{
  Server *s = server_start (ESPRIT_CHIP_ESP8266, "rfc2217");
  GSocket *sock = raw_client (s);
  static const guint8 will[] = { TELNET_IAC, TELNET_WILL, TELNET_OPT_COM_PORT };
  static const guint8 poll_req[] = { TELNET_IAC, TELNET_SB, TELNET_OPT_COM_PORT,
                                     RFC2217_NOTIFY_MODEMSTATE, TELNET_IAC, TELNET_SE };

  raw_send (sock, will, sizeof will);
  g_assert_cmpuint (count_modem_states (sock, 300), ==, 1);
  raw_send (sock, poll_req, sizeof poll_req);
  g_assert_cmpuint (count_modem_states (sock, 300), ==, 1);
  g_socket_close (sock, NULL);
  g_object_unref (sock);
  server_stop (s);
}

/* Issue 10 item 8: the classic and unix-tight download resets, one line per SET-CONTROL and
 * 50 ms apart (a pyserial client's round trips), put the board into download mode; with
 * --rfc2217-plain-lines the stretched (1,1) step boots the program, as a real board behind a
 * plain redirector does. */
static void
test_rfc2217_stretched_reset (gconstpointer data)
{
  const char *kind = data;
  gboolean plain = g_str_equal (kind, "rfc2217-plain");

  for (int tight = 0; tight < 2; tight++)
    {
      Server *s = server_start (ESPRIT_CHIP_ESP8266, kind);
      GSocket *sock = raw_client (s);
      EspritSimMode mode;
      guint resets;

      /* The board's own power-on boot first, so that it is not taken for the reset. */
      esprit_test_wait_boot (s->sim, 0);
      resets = esprit_sim_get_reset_count (s->sim);
      if (!tight)
        {
          /* Classic: D0 R1 W0.1 D1 R0 W0.05 D0 (§3) */
          raw_control (sock, RFC2217_DTR_OFF, 50);
          raw_control (sock, RFC2217_RTS_ON, 100);
          raw_control (sock, RFC2217_DTR_ON, 50);
          raw_control (sock, RFC2217_RTS_OFF, 50);
          raw_control (sock, RFC2217_DTR_OFF, 50);
        }
      else
        {
          /* UnixTight: U0,0 U1,1 U0,1 W0.1 U1,0 W0.05 U0,0 D0, each U as DTR then RTS */
          raw_control (sock, RFC2217_DTR_OFF, 50);
          raw_control (sock, RFC2217_RTS_OFF, 50);
          raw_control (sock, RFC2217_DTR_ON, 50);
          raw_control (sock, RFC2217_RTS_ON, 50);
          raw_control (sock, RFC2217_DTR_OFF, 50);
          raw_control (sock, RFC2217_RTS_ON, 100);
          raw_control (sock, RFC2217_DTR_ON, 50);
          raw_control (sock, RFC2217_RTS_OFF, 50);
          raw_control (sock, RFC2217_DTR_OFF, 50);
          raw_control (sock, RFC2217_RTS_OFF, 50);
          raw_control (sock, RFC2217_DTR_OFF, 50);
        }
      g_assert_cmpuint (esprit_test_wait_boot (s->sim, resets), ==, plain ? 3 : 1);
      g_assert_cmpuint (esprit_sim_get_reset_count (s->sim), >, resets);
      mode = plain ? ESPRIT_SIM_MODE_APP : ESPRIT_SIM_MODE_ROM_LOADER;
      g_assert_cmpint (esprit_test_wait_mode (s->sim, mode), ==, mode);
      g_socket_close (sock, NULL);
      g_object_unref (sock);
      server_stop (s);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/transport/tty", test_tty);
  g_test_add_func ("/esprit/transport/open-errors", test_open_errors);
  g_test_add_func ("/esprit/transport/telnet-codec", test_telnet_codec);
  g_test_add_data_func ("/esprit/transport/served-pty", "pty", test_served);
  g_test_add_data_func ("/esprit/transport/served-socket", "socket", test_served);
  g_test_add_data_func ("/esprit/transport/served-rfc2217", "rfc2217", test_served);
  g_test_add_func ("/esprit/transport/rfc2217-modem-state", test_rfc2217_modem_state);
  g_test_add_data_func ("/esprit/transport/rfc2217-stretched-reset", "rfc2217",
                        test_rfc2217_stretched_reset);
  g_test_add_data_func ("/esprit/transport/rfc2217-stretched-reset-plain", "rfc2217-plain",
                        test_rfc2217_stretched_reset);
  return g_test_run ();
}

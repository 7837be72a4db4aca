/* esprit-rfc2217-server.c: a board's serial port behind a TCP socket or an RFC 2217 server
 *
 * One client at a time; bytes go both ways through the board's transport, and with RFC 2217
 * the client's baud, DTR/RTS and purge requests are carried out here, the modem-status inputs
 * are reported with NOTIFY-MODEMSTATE, and the download reset is recognised and completed on
 * this side with its real timing (see client_lines_changed).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-serve"

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-reset.h"
#include "esprit-rfc2217-server.h"
#include "esprit-telnet.h"

GSocket *
esprit_serve_listen (const char  *address,
                     guint16     *port,
                     GError     **error)
{
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  inet = address ? g_inet_address_new_from_string (address)
                 : g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  if (inet == NULL)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("%s is not an IP address to listen on"), address);
      return NULL;
    }
  addr = g_inet_socket_address_new (inet, *port);
  sock = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                       G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL)
    return NULL;
  g_socket_set_option (sock, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
  if (!g_socket_bind (sock, addr, TRUE, NULL))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_PORT_BUSY,
                   _("Cannot listen on %s port %u: it is in use or not this machine's"),
                   address ? address : "127.0.0.1", *port);
      return NULL;
    }
  if (!g_socket_listen (sock, error))
    return NULL;
  bound = g_socket_get_local_address (sock, error);
  if (bound == NULL)
    return NULL;
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&sock);
}

typedef enum {
  ABSORB_NONE,
  ABSORB_CLASSIC,    /* D1 R0 done here: the client's R0, DTR rewrite and D0 follow */
  ABSORB_USB_JTAG,   /* the whole sequence done here: the client's until (0,0) */
} Absorb;

typedef struct {
  EspritTransport *board;
  GSocket         *socket;
  gboolean         rfc2217;
  gboolean         plain_lines;
  gboolean         usb_jtag;       /* the local port is Espressif's USB-Serial/JTAG */
  volatile gint   *stop;
  volatile gint    closed;
  GMutex           write_lock;
  GError          *board_error;    /* set by the reading thread only */
  /* DTR/RTS: what the client asked for, its last distinct states, what the board has. */
  gboolean         dtr, rts;
  guint8           history[3];     /* bit 1 = DTR, bit 0 = RTS; [2] is the newest */
  gboolean         board_dtr, board_rts;
  Absorb           absorb;
  gint64           absorb_until;
  gint64           release_at;     /* GPIO0 released no earlier (classic's W<d>) */
  gboolean         release_pending;
  guint8           modem_mask;
  guint8           modem_state;    /* last NOTIFY-MODEMSTATE value, deltas cleared */
  gint64           modem_checked;
} Link;

static void
link_send (Link         *link,
           const guint8 *data,
           gsize         len)
{
  g_mutex_lock (&link->write_lock);
  while (len > 0 && !g_atomic_int_get (&link->closed))
    {
      gssize n = g_socket_send (link->socket, (const gchar *) data, len, NULL, NULL);

      if (n <= 0)
        {
          g_atomic_int_set (&link->closed, 1);
          break;
        }
      data += n;
      len -= (gsize) n;
    }
  g_mutex_unlock (&link->write_lock);
}

static gpointer
board_to_client (gpointer data)
{
  Link *link = data;
  guint8 buf[2048];

  while (!g_atomic_int_get (link->stop) && !g_atomic_int_get (&link->closed))
    {
      g_autoptr(GError) error = NULL;
      gssize n = esprit_transport_read (link->board, buf, sizeof buf, 50, NULL, &error);

      if (n < 0)
        {
          link->board_error = g_steal_pointer (&error);
          g_atomic_int_set (&link->closed, 1);
          break;
        }
      if (n == 0)
        continue;
      if (link->rfc2217)
        {
          g_autoptr(GByteArray) out = g_byte_array_sized_new ((guint) n + 16);

          esprit_telnet_escape (out, buf, (gsize) n);
          link_send (link, out->data, out->len);
        }
      else
        link_send (link, buf, (gsize) n);
    }
  return NULL;
}

/* ---- modem state -------------------------------------------------------------------- */

static guint8
modem_bits (EspritTransport *board)
{
  guint lines = esprit_transport_get_modem_lines (board);

  /* RFC 2217 "Modem State": CD 0x80, RI 0x40, DSR 0x20, CTS 0x10 (an ESP board leaves them
   * unconnected, so they read inactive). */
  return (lines & ESPRIT_MODEM_CD ? RFC2217_MODEM_CD : 0) |
         (lines & ESPRIT_MODEM_RI ? RFC2217_MODEM_RI : 0) |
         (lines & ESPRIT_MODEM_DSR ? RFC2217_MODEM_DSR : 0) |
         (lines & ESPRIT_MODEM_CTS ? RFC2217_MODEM_CTS : 0);
}

static void
send_modem_state (Link   *link,
                  guint8  value)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  /* NOTIFY-MODEMSTATE is server code 107, masked by the client's SET-MODEMSTATE-MASK. */
  esprit_telnet_comport_encode (out, RFC2217_NOTIFY_MODEMSTATE + RFC2217_SERVER_OFFSET,
                                value & link->modem_mask);
  link_send (link, out->data, out->len);
}

/* Sends a notification when an input changed, with its delta bit (RFC 2217: CD delta 0x08,
 * RI trailing edge 0x04, DSR delta 0x02, CTS delta 0x01). */
static void
check_modem (Link *link)
{
  gint64 now = g_get_monotonic_time ();
  guint8 state, changed, deltas;

  if (now - link->modem_checked < 200000)
    return;
  link->modem_checked = now;
  state = modem_bits (link->board);
  changed = state ^ link->modem_state;
  if (changed == 0)
    return;
  deltas = (changed & RFC2217_MODEM_CD ? 0x08 : 0) | (changed & RFC2217_MODEM_DSR ? 0x02 : 0) |
           (changed & RFC2217_MODEM_CTS ? 0x01 : 0) |
           ((changed & link->modem_state & RFC2217_MODEM_RI) ? 0x04 : 0);
  link->modem_state = state;
  send_modem_state (link, state | deltas);
}

/* ---- DTR/RTS: the download reset ---------------------------------------------------- */

static void
set_board (Link     *link,
           gboolean  dtr,
           gboolean  rts)
{
  link->board_dtr = dtr;
  link->board_rts = rts;
  esprit_transport_set_lines (link->board, dtr, rts, NULL);
}

#define STATE(d, r) (((d) ? 2 : 0) | ((r) ? 1 : 0))
/* esptool's <d> (DEFAULT_RESET_DELAY, §3): GPIO0 stays low at least this long after EN. */
#define CLASSIC_HOLD_US 50000
/* A reset the client does not finish stops being absorbed after this. */
#define ABSORB_US 2000000

static void
replay_usb_jtag (Link *link)
{
  /* §3's USB-JTAG sequence with its real waits; it ends with both lines released. */
  esprit_reset_run (link->board, ESPRIT_RESET_USB_JTAG, 0, NULL, NULL);
  link->board_dtr = link->board_rts = FALSE;
  link->absorb = ABSORB_USB_JTAG;
  link->absorb_until = g_get_monotonic_time () + ABSORB_US;
}

/* RFC 2217 carries one line per SET-CONTROL, and a client's messages arrive with the
 * network's delays (a pyserial client also waits a round trip for each answer). esptool's
 * classic download reset over RFC 2217 (§3: D0 R1 W0.1 D1 R0 W<d> D0) then holds (1,1)
 * between D1 and R0 for that delay: on the usual two-transistor circuit (1,1) releases EN
 * with GPIO0 still high, and the board boots its program instead of the loader. That is why
 * Espressif ships esp_rfc2217_server: on the client's DTR-on it runs the reset itself.
 *
 * Here the reset is recognised by its pattern and completed on this side:
 *  - classic: DTR asserted while the client holds EN low (0,1)->(1,1). D1 and R0 are set
 *    back to back as a local classic reset does, and GPIO0 is released when the client's
 *    own D0 arrives but never earlier than esptool's <d> (50 ms) after EN rose; the client's
 *    R0 and DTR rewrite are what was done already. EN was held low for the client's W0.1
 *    (the network only lengthens that, which is harmless).
 *  - USB-JTAG: (0,0)->(1,0)->(1,1)->(0,1). The local port being Espressif's USB-Serial/JTAG,
 *    the whole §3 sequence is run here (with its 100 ms waits) and the client's rest of it
 *    absorbed; to a classic bridge it passes through as it would on a local port.
 *  - On a local USB-Serial/JTAG the classic pattern is answered by the USB-JTAG sequence:
 *    a client over RFC 2217 cannot see the USB ids and always sends classic (§3).
 * The hard reset (R1 W0.1 R0) passes through: stretching only lengthens its EN-low time. */
static void
client_lines_changed (Link *link)
{
  guint8 now_state = STATE (link->dtr, link->rts);
  guint8 old_state = link->history[2];
  gint64 now = g_get_monotonic_time ();

  if (now_state == old_state)
    return;   /* a rewrite (esptool rewrites DTR after each RTS write, §3) */
  link->history[0] = link->history[1];
  link->history[1] = old_state;
  link->history[2] = now_state;
  if (link->plain_lines)
    {
      set_board (link, link->dtr, link->rts);
      return;
    }
  link->release_pending = FALSE;
  if (link->absorb != ABSORB_NONE && now >= link->absorb_until)
    link->absorb = ABSORB_NONE;
  if (link->absorb == ABSORB_CLASSIC)
    {
      if (now_state == STATE (TRUE, FALSE))
        return;   /* the client's R0: done */
      link->absorb = ABSORB_NONE;
      if (now_state == STATE (FALSE, FALSE) && now < link->release_at)
        {
          link->release_pending = TRUE;   /* the client's D0, early: see check_timers */
          return;
        }
    }
  else if (link->absorb == ABSORB_USB_JTAG)
    {
      if (now_state == STATE (FALSE, FALSE))
        link->absorb = ABSORB_NONE;
      return;
    }
  else if (now_state == STATE (TRUE, TRUE) && old_state == STATE (FALSE, TRUE))
    {
      if (link->usb_jtag)
        {
          replay_usb_jtag (link);
          return;
        }
      set_board (link, TRUE, link->board_rts);
      set_board (link, TRUE, FALSE);
      link->absorb = ABSORB_CLASSIC;
      link->absorb_until = now + ABSORB_US;
      link->release_at = g_get_monotonic_time () + CLASSIC_HOLD_US;
      return;
    }
  else if (link->usb_jtag && now_state == STATE (FALSE, TRUE) &&
           old_state == STATE (TRUE, TRUE) && link->history[1] == STATE (TRUE, FALSE) &&
           link->history[0] == STATE (FALSE, FALSE))
    {
      replay_usb_jtag (link);
      return;
    }
  set_board (link, link->dtr, link->rts);
}

/* The poll timeout the timers need (µs), after acting on those that are due. */
static gint64
check_timers (Link *link)
{
  gint64 now = g_get_monotonic_time ();

  if (link->release_pending)
    {
      if (now >= link->release_at)
        {
          link->release_pending = FALSE;
          set_board (link, link->dtr, link->rts);
        }
      else
        return link->release_at - now;
    }
  return 100000;
}

/* ---- telnet ------------------------------------------------------------------------- */

static void
on_subneg (const guint8 *sb,
           gsize         len,
           gpointer      user_data)
{
  Link *link = user_data;
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  EspritComPortCommand cmd;
  guint32 answer;

  if (!esprit_telnet_comport_decode (sb, len, &cmd))
    return;
  answer = cmd.value;
  switch (cmd.code)
    {
    case RFC2217_SET_BAUDRATE:
      /* 0 asks for the current rate. */
      if (cmd.value != 0)
        esprit_transport_set_baud (link->board, cmd.value, NULL);
      answer = esprit_transport_get_baud (link->board);
      break;
    case RFC2217_SET_DATASIZE:
      answer = 8;   /* the ROM loaders speak 8N1 only */
      break;
    case RFC2217_SET_PARITY:
    case RFC2217_SET_STOPSIZE:
      answer = 1;   /* no parity; one stop bit */
      break;
    case RFC2217_SET_CONTROL:
      switch (cmd.value)
        {
        case RFC2217_DTR_ON: link->dtr = TRUE; break;
        case RFC2217_DTR_OFF: link->dtr = FALSE; break;
        case RFC2217_RTS_ON: link->rts = TRUE; break;
        case RFC2217_RTS_OFF: link->rts = FALSE; break;
        default: break;
        }
      client_lines_changed (link);
      break;
    case RFC2217_SET_MODEMSTATE_MASK:
      link->modem_mask = (guint8) cmd.value;
      break;
    case RFC2217_NOTIFY_MODEMSTATE:
      /* A client's poll (pyserial asks when its last notification is older than 0.2 s). */
      send_modem_state (link, link->modem_state);
      return;
    case RFC2217_PURGE_DATA:
      if (cmd.value == RFC2217_PURGE_RECEIVE || cmd.value == RFC2217_PURGE_BOTH)
        esprit_transport_flush_input (link->board, NULL);
      break;
    default:
      break;
    }
  /* The server confirms each setting with the code + 100 and the value in force (RFC 2217),
   * every SET-CONTROL too: pyserial clients wait for it (esp_rfc2217_server does not answer
   * the ones it absorbs, hence esptool's "?ign_set_control" advice for it). */
  esprit_telnet_comport_encode (reply, cmd.code + RFC2217_SERVER_OFFSET, answer);
  link_send (link, reply->data, reply->len);
  if (cmd.code == RFC2217_SET_MODEMSTATE_MASK)
    send_modem_state (link, link->modem_state);
}

static void
on_command (guint8   verb,
            guint8   option,
            gpointer user_data)
{
  Link *link = user_data;
  g_autoptr(GByteArray) answer = g_byte_array_new ();

  if (esprit_telnet_negotiate (ESPRIT_TELNET_SERVER, verb, option, answer))
    link_send (link, answer->data, answer->len);
  /* Once the client speaks COM-PORT, tell it the modem lines, as RFC 2217 servers do at the
   * start; clients that read CTS/DSR wait for it. */
  if (verb == TELNET_WILL && option == TELNET_OPT_COM_PORT)
    send_modem_state (link, link->modem_state);
}

/* ---- clients ------------------------------------------------------------------------ */

static char *
peer_name (GSocket *sock)
{
  g_autoptr(GSocketAddress) addr = g_socket_get_remote_address (sock, NULL);
  g_autofree char *ip = NULL;

  if (addr == NULL || !G_IS_INET_SOCKET_ADDRESS (addr))
    return g_strdup ("?");
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr)));
  return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr)));
}

static void
say (EspritServeLog  log,
     gpointer        user_data,
     const char     *format,
     ...) G_GNUC_PRINTF (3, 4);

static void
say (EspritServeLog  log,
     gpointer        user_data,
     const char     *format,
     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (log == NULL)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  log (message, user_data);
}

/* A second client: a line saying who has the board, then closed (the rfc2217:// client shows
 * it in its error). */
static void
refuse (EspritTransport *board,
        GSocket         *listener,
        const char      *holder,
        EspritServeLog   log,
        gpointer         user_data)
{
  g_autoptr(GSocket) extra = g_socket_accept (listener, NULL, NULL);
  g_autofree char *who = NULL;
  g_autofree char *text = NULL;

  if (extra == NULL)
    return;
  who = peer_name (extra);
  text = g_strdup_printf (_("%s is busy: %s is using it; try again when it is done"),
                          esprit_transport_get_name (board), holder);
  g_socket_set_blocking (extra, TRUE);
  g_socket_send (extra, text, strlen (text), NULL, NULL);
  g_socket_send (extra, "\r\n", 2, NULL, NULL);
  g_socket_shutdown (extra, FALSE, TRUE, NULL);
  /* Closing with the client's first bytes unread would reset the connection, and the client
   * might lose the line before reading it: take what it sends for a moment first. */
  {
    gint64 until = g_get_monotonic_time () + 100000;
    char junk[512];

    while (g_get_monotonic_time () < until &&
           g_socket_condition_timed_wait (extra, G_IO_IN, until - g_get_monotonic_time (), NULL,
                                          NULL) &&
           g_socket_receive (extra, junk, sizeof junk, NULL, NULL) > 0)
      ;
  }
  g_socket_close (extra, NULL);
  say (log, user_data, _("Refused %s: %s is using the board"), who, holder);
}

static gboolean
serve_client (EspritTransport  *board,
              GSocket          *listener,
              GSocket          *client,
              EspritServeFlags  flags,
              volatile gint    *stop,
              EspritServeLog    log,
              gpointer          user_data,
              GError          **error)
{
  Link link = { 0 };
  EspritTelnetDecoder dec = { 0 };
  g_autofree char *who = peer_name (client);
  guint16 vid = 0, pid = 0;
  GThread *out;
  guint8 raw[2048], data[2048];
  g_autoptr(GError) write_error = NULL;

  link.board = board;
  link.socket = client;
  link.rfc2217 = (flags & ESPRIT_SERVE_RFC2217) != 0;
  link.plain_lines = (flags & ESPRIT_SERVE_PLAIN_LINES) != 0;
  link.usb_jtag = esprit_transport_get_usb_ids (board, &vid, &pid) && vid == 0x303A &&
                  pid == 0x1001;
  link.stop = stop;
  link.modem_mask = 0xFF;   /* RFC 2217's default mask */
  link.modem_state = modem_bits (board);
  g_mutex_init (&link.write_lock);
  g_socket_set_blocking (client, TRUE);
  g_socket_set_timeout (client, 0);
  say (log, user_data, _("%s connected"), who);
  out = g_thread_new ("serve-out", board_to_client, &link);
  while (!g_atomic_int_get (stop) && !g_atomic_int_get (&link.closed))
    {
      GPollFD fds[2] = { { g_socket_get_fd (client), G_IO_IN, 0 },
                         { g_socket_get_fd (listener), G_IO_IN, 0 } };
      gint64 wait = check_timers (&link);
      gssize n;
      gsize m;

      if (link.rfc2217)
        check_modem (&link);
      if (g_poll (fds, 2, (gint) ((wait + 999) / 1000)) <= 0)
        continue;
      if (fds[1].revents & G_IO_IN)
        refuse (board, listener, who, log, user_data);
      if (!(fds[0].revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
        continue;
      n = g_socket_receive (client, (gchar *) raw, sizeof raw, NULL, NULL);
      if (n <= 0)
        break;
      m = link.rfc2217 ? esprit_telnet_decode (&dec, raw, (gsize) n, data, on_subneg, on_command,
                                               &link)
                       : (memcpy (data, raw, (gsize) n), (gsize) n);
      if (m > 0 && !esprit_transport_write (board, data, m, NULL, &write_error))
        break;
    }
  g_atomic_int_set (&link.closed, 1);
  g_thread_join (out);
  if (link.board_error != NULL || write_error != NULL)
    {
      /* The client learns why, if it has not had data yet (see the rfc2217:// client). */
      const char *why = (link.board_error ? link.board_error : write_error)->message;

      g_socket_send (client, why, strlen (why), NULL, NULL);
      g_socket_send (client, "\r\n", 2, NULL, NULL);
      g_socket_shutdown (client, FALSE, TRUE, NULL);
    }
  g_socket_close (client, NULL);
  g_mutex_clear (&link.write_lock);
  if (link.board_error != NULL || write_error != NULL)
    {
      g_propagate_error (error, link.board_error ? link.board_error
                                                 : g_steal_pointer (&write_error));
      return FALSE;
    }
  say (log, user_data, _("%s left"), who);
  return TRUE;
}

gboolean
esprit_serve_run (EspritTransport   *board,
                  GSocket           *listener,
                  EspritServeFlags   flags,
                  volatile gint     *stop,
                  EspritServeLog     log,
                  gpointer           user_data,
                  GError           **error)
{
  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (board), FALSE);
  g_return_val_if_fail (G_IS_SOCKET (listener), FALSE);

  while (!g_atomic_int_get (stop))
    {
      g_autoptr(GSocket) client = NULL;

      if (!g_socket_condition_timed_wait (listener, G_IO_IN, 200000, NULL, NULL))
        continue;
      client = g_socket_accept (listener, NULL, NULL);
      if (client != NULL &&
          !serve_client (board, listener, client, flags, stop, log, user_data, error))
        return FALSE;
    }
  return TRUE;
}

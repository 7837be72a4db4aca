/* esprit-sim-server.c: the virtual board behind a pty, a TCP socket or an RFC 2217 server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <asm/termbits.h>

#include "esprit-error.h"
#include "esprit-telnet.h"
#include "esprit-sim-server.h"

/* ---- pty ---------------------------------------------------------------------------- */

/* The slave fd each master's board keeps open, so that unplugging can close it too. */
static GMutex slaves_lock;
static GHashTable *slaves;

int
esprit_sim_pty_open (char   **slave_path,
                     GError **error)
{
  int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  struct termios2 tio;
  int slave;

  if (master < 0 || grantpt (master) < 0 || unlockpt (master) < 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, "pty: %s", g_strerror (errno));
      return -1;
    }
  *slave_path = g_strdup (ptsname (master));
  /* Hold the slave open ourselves: the master then never sees EIO between clients. */
  slave = open (*slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0 || ioctl (slave, TCGETS2, &tio) < 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, "pty: %s", g_strerror (errno));
      return -1;
    }
  tio.c_iflag = 0;
  tio.c_oflag = 0;
  tio.c_lflag = 0;
  tio.c_cflag = (tio.c_cflag & ~(CSIZE | PARENB)) | CS8 | CREAD | CLOCAL;
  tio.c_cflag = (tio.c_cflag & ~CBAUD) | BOTHER;
  tio.c_ispeed = tio.c_ospeed = 115200;
  ioctl (slave, TCSETS2, &tio);
  /* The fd stays open for the life of the process on purpose (until an unplug). */
  g_mutex_lock (&slaves_lock);
  if (slaves == NULL)
    slaves = g_hash_table_new (NULL, NULL);
  g_hash_table_insert (slaves, GINT_TO_POINTER (master), GINT_TO_POINTER (slave));
  g_mutex_unlock (&slaves_lock);
  return master;
}

void
esprit_sim_pty_unplug (int master)
{
  gpointer slave = NULL;
  gboolean found;

  g_mutex_lock (&slaves_lock);
  found = slaves != NULL && g_hash_table_steal_extended (slaves, GINT_TO_POINTER (master), NULL,
                                                         &slave);
  g_mutex_unlock (&slaves_lock);
  /* Closing the master hangs the slave up and removes its /dev/pts node. */
  if (found)
    close (GPOINTER_TO_INT (slave));
  close (master);
}

/* The rate the client set on its end: Linux answers a master's TCGETS2 with the slave's
 * termios. */
static guint
pty_client_baud (int master)
{
  struct termios2 tio;

  if (ioctl (master, TCGETS2, &tio) < 0 || tio.c_ospeed == 0)
    return 115200;
  return tio.c_ospeed;
}

typedef struct {
  EspritSim     *sim;
  int            fd;
  GSocket       *socket;
  gboolean       rfc2217;
  guint          baud;
  volatile gint *stop;
  volatile gint  closed;
  GMutex         write_lock;
  gboolean       dtr;          /* what the client asked for */
  gboolean       rts;
  gboolean       plain_lines;
  gboolean       board_dtr;    /* what the board's lines are */
  gboolean       board_rts;
  gboolean       holding;      /* a reset's (1,1) step kept from the board */
  gint64         held_since;
  guint8         modem_mask;
} Link;

static gpointer
pty_board_to_host (gpointer data)
{
  Link *link = data;
  guint8 buf[1024];

  while (!g_atomic_int_get (link->stop))
    {
      gssize n = esprit_sim_host_read (link->sim, buf, sizeof buf, pty_client_baud (link->fd), 50,
                                       NULL, NULL);

      if (n < 0)
        break;
      for (gssize off = 0; off < n;)
        {
          ssize_t w = write (link->fd, buf + off, (size_t) (n - off));

          if (w < 0 && (errno == EAGAIN || errno == EINTR))
            {
              g_usleep (1000);
              continue;
            }
          if (w < 0)
            break;
          off += w;
        }
    }
  return NULL;
}

void
esprit_sim_serve_pty (EspritSim     *sim,
                      int            master,
                      volatile gint *stop)
{
  Link link = { sim, master, NULL, FALSE, 115200, stop, 0 };
  GThread *out = g_thread_new ("sim-pty-out", pty_board_to_host, &link);
  guint8 buf[1024];

  while (!g_atomic_int_get (stop) && !esprit_sim_is_unplugged (sim))
    {
      struct pollfd pfd = { master, POLLIN, 0 };
      ssize_t n;

      if (poll (&pfd, 1, 100) <= 0)
        continue;
      n = read (master, buf, sizeof buf);
      if (n > 0)
        esprit_sim_host_write (sim, buf, (gsize) n, pty_client_baud (master));
      else if (n < 0 && errno != EAGAIN && errno != EINTR)
        g_usleep (10000);
    }
  /* The board side stops at the unplug too (its reads fail): then the pty can go. */
  g_thread_join (out);
  if (esprit_sim_is_unplugged (sim))
    esprit_sim_pty_unplug (master);
}

/* ---- TCP and RFC 2217 --------------------------------------------------------------- */

GSocket *
esprit_sim_listen_tcp (guint16  *port,
                       GError  **error)
{
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (loopback, *port);
  g_autoptr(GSocketAddress) bound = NULL;

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (sock == NULL)
    return NULL;
  g_socket_set_option (sock, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
  if (!g_socket_bind (sock, addr, TRUE, error) || !g_socket_listen (sock, error))
    return NULL;
  bound = g_socket_get_local_address (sock, error);
  if (bound == NULL)
    return NULL;
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&sock);
}

static void
tcp_send (Link         *link,
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
tcp_board_to_host (gpointer data)
{
  Link *link = data;
  guint8 buf[1024];

  while (!g_atomic_int_get (link->stop) && !g_atomic_int_get (&link->closed))
    {
      /* Over a plain socket no rate travels: the client is taken to match the board. */
      guint baud = link->rfc2217 ? link->baud : esprit_sim_get_uart_baud (link->sim);
      gssize n = esprit_sim_host_read (link->sim, buf, sizeof buf, baud, 50, NULL, NULL);

      if (n < 0)
        {
          g_atomic_int_set (&link->closed, 1);
          break;
        }
      if (n == 0)
        continue;
      if (link->rfc2217)
        {
          g_autoptr(GByteArray) out = g_byte_array_new ();

          esprit_telnet_escape (out, buf, (gsize) n);
          tcp_send (link, out->data, out->len);
        }
      else
        tcp_send (link, buf, (gsize) n);
    }
  return NULL;
}

/* The modem-state inputs of the virtual USB bridge: an ESP board leaves CTS, DSR, RI and CD
 * unconnected and the bridge's pull-ups keep them inactive. */
#define SIM_MODEM_STATE 0x00

static void
send_modem_state (Link *link)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  /* RFC 2217: NOTIFY-MODEMSTATE (server code 107) with the lines the mask lets through. */
  esprit_telnet_comport_encode (out, RFC2217_NOTIFY_MODEMSTATE + RFC2217_SERVER_OFFSET,
                                SIM_MODEM_STATE & link->modem_mask);
  tcp_send (link, out->data, out->len);
}

static void
apply_lines (Link     *link,
             gboolean  dtr,
             gboolean  rts)
{
  link->board_dtr = dtr;
  link->board_rts = rts;
  esprit_sim_set_lines (link->sim, dtr, rts);
}

/* How long a held (1,1) may wait for the rest of a reset sequence: far above the round trip
 * a client needs per SET-CONTROL (about 50 ms with pyserial), far below a user's patience. */
#define HOLD_US 500000

/* RFC 2217 carries one line per SET-CONTROL and clients wait for each answer, so the classic
 * and unix-tight download resets (§3: EN low with RTS, then EN released while DTR holds GPIO0
 * low) arrive as (0,1) -> (1,1) -> (1,0), each step a round trip apart. Given as it comes, the
 * (1,1) step releases EN with GPIO0 still high and the board boots its program, as a real
 * board behind a plain redirector does. So the (1,1) that follows an EN-low state is kept from
 * the board: a (1,0) next completes the download reset exactly, EN rising with GPIO0 low;
 * anything else, or HOLD_US without a change, is applied as asked. */
static void
client_lines_changed (Link *link)
{
  if (link->plain_lines)
    {
      apply_lines (link, link->dtr, link->rts);
      return;
    }
  if (link->holding)
    {
      link->holding = FALSE;
      apply_lines (link, link->dtr, link->rts);
      return;
    }
  if (link->dtr && link->rts && link->board_rts && !link->board_dtr)
    {
      link->holding = TRUE;
      link->held_since = g_get_monotonic_time ();
      return;
    }
  apply_lines (link, link->dtr, link->rts);
}

static void
check_hold (Link *link)
{
  if (link->holding && g_get_monotonic_time () - link->held_since >= HOLD_US)
    {
      link->holding = FALSE;
      apply_lines (link, link->dtr, link->rts);
    }
}

static void
on_subneg (const guint8 *sb,
           gsize         len,
           gpointer      user_data)
{
  Link *link = user_data;
  g_autoptr(GByteArray) reply = g_byte_array_new ();
  EspritComPortCommand cmd;

  if (!esprit_telnet_comport_decode (sb, len, &cmd))
    return;
  switch (cmd.code)
    {
    case RFC2217_SET_BAUDRATE:
      if (cmd.value != 0)
        link->baud = cmd.value;
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
      send_modem_state (link);
      return;
    case RFC2217_PURGE_DATA:
      if (cmd.value == RFC2217_PURGE_RECEIVE || cmd.value == RFC2217_PURGE_BOTH)
        esprit_sim_host_flush (link->sim);
      break;
    default:
      break;
    }
  /* The server confirms each setting with the code + 100 and the value (RFC 2217). */
  esprit_telnet_comport_encode (reply, cmd.code + RFC2217_SERVER_OFFSET, cmd.value);
  tcp_send (link, reply->data, reply->len);
  if (cmd.code == RFC2217_SET_MODEMSTATE_MASK)
    send_modem_state (link);
}

static void
on_command (guint8   verb,
            guint8   option,
            gpointer user_data)
{
  Link *link = user_data;
  g_autoptr(GByteArray) answer = g_byte_array_new ();

  if (esprit_telnet_negotiate (ESPRIT_TELNET_SERVER, verb, option, answer))
    tcp_send (link, answer->data, answer->len);
  /* Once the client speaks COM-PORT, tell it the modem lines, as RFC 2217 servers do at the
   * start; clients that read CTS/DSR wait for it. */
  if (verb == TELNET_WILL && option == TELNET_OPT_COM_PORT)
    send_modem_state (link);
}

static void
serve_client (EspritSim          *sim,
              GSocket            *client,
              EspritSimServeFlags flags,
              volatile gint      *stop)
{
  gboolean rfc2217 = (flags & ESPRIT_SIM_SERVE_RFC2217) != 0;
  Link link = { sim, -1, client, rfc2217, 115200, stop, 0 };
  EspritTelnetDecoder dec = { 0 };
  GThread *out;
  guint8 raw[2048], data[2048];

  link.plain_lines = (flags & ESPRIT_SIM_SERVE_PLAIN_LINES) != 0;
  link.modem_mask = 0xFF;   /* RFC 2217's default mask */
  g_mutex_init (&link.write_lock);
  g_socket_set_blocking (client, TRUE);
  g_socket_set_timeout (client, 0);
  out = g_thread_new ("sim-tcp-out", tcp_board_to_host, &link);
  while (!g_atomic_int_get (stop) && !g_atomic_int_get (&link.closed))
    {
      gssize n;

      check_hold (&link);
      if (!g_socket_condition_timed_wait (client, G_IO_IN, 100000, NULL, NULL))
        continue;
      n = g_socket_receive (client, (gchar *) raw, sizeof raw, NULL, NULL);
      if (n <= 0)
        break;
      if (rfc2217)
        {
          gsize m = esprit_telnet_decode (&dec, raw, (gsize) n, data, on_subneg, on_command,
                                          &link);

          esprit_sim_host_write (sim, data, m, link.baud);
        }
      else
        esprit_sim_host_write (sim, raw, (gsize) n, esprit_sim_get_uart_baud (sim));
    }
  g_atomic_int_set (&link.closed, 1);
  g_thread_join (out);
  g_socket_close (client, NULL);
  g_mutex_clear (&link.write_lock);
}

void
esprit_sim_serve_tcp (EspritSim          *sim,
                      GSocket            *listener,
                      EspritSimServeFlags flags,
                      volatile gint      *stop)
{
  while (!g_atomic_int_get (stop))
    {
      g_autoptr(GSocket) client = NULL;

      if (!g_socket_condition_timed_wait (listener, G_IO_IN, 200000, NULL, NULL))
        continue;
      client = g_socket_accept (listener, NULL, NULL);
      if (client != NULL)
        serve_client (sim, client, flags, stop);
    }
}

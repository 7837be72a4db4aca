/* esprit-sim-server.c: the virtual board behind a pty, a TCP socket or an RFC 2217 server
 * (the last two are protocol/esprit-rfc2217-server.c's, on a transport to the board)
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
#include "esprit-rfc2217-server.h"
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
  volatile gint *stop;
} Link;

static gpointer
pty_board_to_host (gpointer data)
{
  Link *link = data;
  guint8 buf[1024];

  while (!g_atomic_int_get (link->stop))
    {
      gssize n;

      /* The client's rate when the bytes arrive, not when the wait began: a client that
       * has just changed its rate (CHANGE_BAUDRATE) must not see the answer garbled. */
      if (!esprit_sim_host_wait (link->sim, 50))
        continue;
      n = esprit_sim_host_read (link->sim, buf, sizeof buf, pty_client_baud (link->fd), 0, NULL,
                                NULL);

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
  Link link = { sim, master, stop };
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

/* ---- TCP and RFC 2217: the server esprit-cli serve uses too ---------------------------- */

GSocket *
esprit_sim_listen_tcp (guint16  *port,
                       GError  **error)
{
  return esprit_serve_listen (NULL, port, error);
}

void
esprit_sim_serve_tcp (EspritSim          *sim,
                      GSocket            *listener,
                      EspritSimServeFlags flags,
                      volatile gint      *stop)
{
  g_autoptr(EspritTransport) board = esprit_sim_transport_new (sim, 115200);

  /* Over a plain socket no rate travels: the client is taken to match the board. */
  if (!(flags & ESPRIT_SIM_SERVE_RFC2217))
    esprit_sim_transport_follow_board (board);
  /* A disconnect fault fails the board for the client it happens to; the next one finds it
   * disconnected again, as a real unplugged board would be. */
  while (!g_atomic_int_get (stop))
    esprit_serve_run (board, listener, (EspritServeFlags) flags, stop, NULL, NULL, NULL);
}

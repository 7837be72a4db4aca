/* esprit-transport-tty.c: a tty through plain termios (ptys, and boards bridged by socat)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-transport"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <asm/termbits.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-transport-fd.h"

#define ESPRIT_TYPE_TTY_TRANSPORT (esprit_tty_transport_get_type ())
G_DECLARE_FINAL_TYPE (EspritTtyTransport, esprit_tty_transport, ESPRIT, TTY_TRANSPORT, GObject)

struct _EspritTtyTransport
{
  GObject  parent_instance;
  int      fd;
  char    *path;
  guint    baud;
  gboolean lines_work;   /* TIOCMSET accepted (a real UART); ptys answer ENOTTY */
  int      lines;        /* TIOCM_DTR | TIOCM_RTS as last set */
};

static void transport_iface_init (EspritTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EspritTtyTransport, esprit_tty_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ESPRIT_TYPE_TRANSPORT, transport_iface_init))

void
_esprit_set_open_error (GError     **error,
                        int          errsv,
                        const char  *path)
{
  struct stat st;
  struct group *gr = NULL;

  switch (errsv)
    {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                   _("There is no serial port %s: is the board plugged in?"), path);
      break;
    case EACCES:
    case EPERM:
      if (stat (path, &st) == 0)
        gr = getgrgid (st.st_gid);
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_PERMISSION_DENIED,
                   _("Permission denied on %s: add yourself to the %s group "
                     "(sudo usermod -aG %s $USER), then log in again"),
                   path, gr ? gr->gr_name : "dialout", gr ? gr->gr_name : "dialout");
      break;
    case EBUSY:
    case EWOULDBLOCK:
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_PORT_BUSY,
                   _("%s is in use by another program (a serial monitor?): close it first"),
                   path);
      break;
    default:
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, _("Cannot open %s: %s"), path,
                   g_strerror (errsv));
    }
}

gboolean
_esprit_errno_is_unplug (int errsv)
{
  return errsv == EIO || errsv == ENXIO || errsv == ENODEV;
}

void
_esprit_set_unplugged_error (GError     **error,
                             const char  *path)
{
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED, _("%s: the board was unplugged"),
               path);
}

int
_esprit_fd_wait_readable (int            fd,
                          guint          timeout_ms,
                          GCancellable  *cancellable,
                          GError       **error)
{
  GPollFD fds[2] = { { fd, G_IO_IN | G_IO_HUP | G_IO_ERR, 0 } };
  guint n = 1;
  int rc;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fds[1]))
    n = 2;
  do
    rc = g_poll (fds, n, (gint) MIN (timeout_ms, G_MAXINT));
  while (rc < 0 && errno == EINTR);
  if (n == 2)
    g_cancellable_release_fd (cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (rc < 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, "poll: %s", g_strerror (errno));
      return -1;
    }
  return rc > 0 ? 1 : 0;
}

static gssize
tty_read (EspritTransport  *transport,
          guint8           *buffer,
          gsize             len,
          guint             timeout_ms,
          GCancellable     *cancellable,
          GError          **error)
{
  EspritTtyTransport *self = ESPRIT_TTY_TRANSPORT (transport);
  int ready = _esprit_fd_wait_readable (self->fd, timeout_ms, cancellable, error);
  ssize_t n;

  if (ready <= 0)
    return ready;
  n = read (self->fd, buffer, len);
  if (n > 0)
    return n;
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return 0;
  /* Readable yet empty: the tty was hung up, its device is gone. */
  if (n == 0 || _esprit_errno_is_unplug (errno))
    _esprit_set_unplugged_error (error, self->path);
  else
    g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED, _("%s went away: %s"),
                 self->path, g_strerror (errno));
  return -1;
}

static gboolean
tty_write (EspritTransport  *transport,
           const guint8     *data,
           gsize             len,
           GCancellable     *cancellable,
           GError          **error)
{
  EspritTtyTransport *self = ESPRIT_TTY_TRANSPORT (transport);

  while (len > 0)
    {
      ssize_t n = write (self->fd, data, len);

      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        {
          GPollFD fd = { self->fd, G_IO_OUT, 0 };

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          g_poll (&fd, 1, 50);
          continue;
        }
      if (n < 0 && _esprit_errno_is_unplug (errno))
        {
          _esprit_set_unplugged_error (error, self->path);
          return FALSE;
        }
      if (n < 0)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED, _("%s went away: %s"),
                       self->path, g_strerror (errno));
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
tty_drain (EspritTransport  *transport,
           GError          **error)
{
  EspritTtyTransport *self = ESPRIT_TTY_TRANSPORT (transport);

  if (ioctl (self->fd, TCSBRK, 1) < 0 && errno != ENOTTY && errno != EINVAL)
    return TRUE;   /* best effort */
  return TRUE;
}

static gboolean
tty_flush_input (EspritTransport  *transport,
                 GError          **error)
{
  EspritTtyTransport *self = ESPRIT_TTY_TRANSPORT (transport);
  guint8 junk[256];

  ioctl (self->fd, TCFLSH, TCIFLUSH);
  /* A pty's flush does not reach bytes its master already queued on our side: read them. */
  while (read (self->fd, junk, sizeof junk) > 0)
    ;
  return TRUE;
}

static gboolean
tty_set_baud (EspritTransport  *transport,
              guint             baud,
              GError          **error)
{
  EspritTtyTransport *self = ESPRIT_TTY_TRANSPORT (transport);
  struct termios2 tio;

  /* termios2 with BOTHER takes any rate, 74880 included. */
  if (ioctl (self->fd, TCGETS2, &tio) < 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, "TCGETS2: %s", g_strerror (errno));
      return FALSE;
    }
  tio.c_cflag &= ~CBAUD;
  tio.c_cflag |= BOTHER;
  tio.c_cflag &= ~(CBAUD << IBSHIFT);
  tio.c_cflag |= BOTHER << IBSHIFT;
  tio.c_ispeed = baud;
  tio.c_ospeed = baud;
  if (ioctl (self->fd, TCSETS2, &tio) < 0)
    {
      if (_esprit_errno_is_unplug (errno))
        {
          _esprit_set_unplugged_error (error, self->path);
          return FALSE;
        }
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, _("Cannot set %u baud on %s: %s"),
                   baud, self->path, g_strerror (errno));
      return FALSE;
    }
  self->baud = baud;
  return TRUE;
}

static guint
tty_get_baud (EspritTransport *transport)
{
  return ESPRIT_TTY_TRANSPORT (transport)->baud;
}

static gboolean
tty_set_lines (EspritTransport  *transport,
               int               dtr,
               int               rts,
               GError          **error)
{
  EspritTtyTransport *self = ESPRIT_TTY_TRANSPORT (transport);
  int lines = self->lines;

  if (dtr != ESPRIT_LINE_UNCHANGED)
    lines = dtr ? lines | TIOCM_DTR : lines & ~TIOCM_DTR;
  if (rts != ESPRIT_LINE_UNCHANGED)
    lines = rts ? lines | TIOCM_RTS : lines & ~TIOCM_RTS;
  self->lines = lines;
  if (!self->lines_work)
    return TRUE;
  /* One TIOCMSET for both lines: the unix-tight sequence depends on it (§3). */
  if (ioctl (self->fd, TIOCMSET, &lines) < 0)
    {
      if (_esprit_errno_is_unplug (errno))
        {
          _esprit_set_unplugged_error (error, self->path);
          return FALSE;
        }
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, _("Cannot set DTR/RTS on %s: %s"),
                   self->path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
tty_has_lines (EspritTransport *transport)
{
  return ESPRIT_TTY_TRANSPORT (transport)->lines_work;
}

static gboolean
tty_get_modem_lines (EspritTransport *transport,
                     guint           *lines)
{
  EspritTtyTransport *self = ESPRIT_TTY_TRANSPORT (transport);
  int bits;

  if (!self->lines_work || ioctl (self->fd, TIOCMGET, &bits) < 0)
    return FALSE;
  *lines = (bits & TIOCM_CTS ? ESPRIT_MODEM_CTS : 0) | (bits & TIOCM_DSR ? ESPRIT_MODEM_DSR : 0) |
           (bits & TIOCM_RI ? ESPRIT_MODEM_RI : 0) | (bits & TIOCM_CD ? ESPRIT_MODEM_CD : 0);
  return TRUE;
}

static const char *
tty_get_name (EspritTransport *transport)
{
  return ESPRIT_TTY_TRANSPORT (transport)->path;
}

static void
tty_close (EspritTransport *transport)
{
  EspritTtyTransport *self = ESPRIT_TTY_TRANSPORT (transport);

  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
}

static void
transport_iface_init (EspritTransportInterface *iface)
{
  iface->read = tty_read;
  iface->write = tty_write;
  iface->drain = tty_drain;
  iface->flush_input = tty_flush_input;
  iface->set_baud = tty_set_baud;
  iface->get_baud = tty_get_baud;
  iface->set_lines = tty_set_lines;
  iface->has_lines = tty_has_lines;
  iface->get_modem_lines = tty_get_modem_lines;
  iface->get_name = tty_get_name;
  iface->close = tty_close;
}

static void
esprit_tty_transport_finalize (GObject *object)
{
  EspritTtyTransport *self = ESPRIT_TTY_TRANSPORT (object);

  tty_close (ESPRIT_TRANSPORT (self));
  g_free (self->path);
  G_OBJECT_CLASS (esprit_tty_transport_parent_class)->finalize (object);
}

static void
esprit_tty_transport_class_init (EspritTtyTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = esprit_tty_transport_finalize;
}

static void
esprit_tty_transport_init (EspritTtyTransport *self)
{
  self->fd = -1;
}

EspritTransport *
esprit_transport_tty_open (const char  *path,
                           guint        baud,
                           GError     **error)
{
  g_autoptr(EspritTtyTransport) self = NULL;
  struct termios2 tio;
  int lines;

  self = g_object_new (ESPRIT_TYPE_TTY_TRANSPORT, NULL);
  self->path = g_strdup (path);
  self->fd = open (path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (self->fd < 0)
    {
      _esprit_set_open_error (error, errno, path);
      return NULL;
    }
  /* Exclusive: a second open of the port fails with EBUSY (TIOCEXCL), and a lock keeps
   * cooperating programs away. */
  if (flock (self->fd, LOCK_EX | LOCK_NB) < 0)
    {
      _esprit_set_open_error (error, EBUSY, path);
      return NULL;
    }
  ioctl (self->fd, TIOCEXCL);
  if (ioctl (self->fd, TCGETS2, &tio) < 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, _("%s is not a serial port"), path);
      return NULL;
    }
  /* Raw 8N1, no flow control; no HUPCL, so closing does not toggle RTS (§3). */
  tio.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY);
  tio.c_oflag &= ~OPOST;
  tio.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  tio.c_cflag &= ~(CSIZE | PARENB | CSTOPB | CRTSCTS | HUPCL);
  tio.c_cflag |= CS8 | CREAD | CLOCAL;
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  if (ioctl (self->fd, TCSETS2, &tio) < 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, "TCSETS2: %s", g_strerror (errno));
      return NULL;
    }
  if (!tty_set_baud (ESPRIT_TRANSPORT (self), baud, error))
    return NULL;
  /* Linux ptys answer TIOCMGET with ENOTTY (TESTING.md): they carry no modem lines. */
  self->lines_work = ioctl (self->fd, TIOCMGET, &lines) == 0;
  if (self->lines_work)
    self->lines = lines & (TIOCM_DTR | TIOCM_RTS);
  return ESPRIT_TRANSPORT (g_steal_pointer (&self));
}

/* esprit-transport-serial.c: a serial device through libserialport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-transport"

#include "config.h"

#include <errno.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <libserialport.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-transport-fd.h"

typedef struct sp_port SpPort;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpPort, sp_free_port)

#define ESPRIT_TYPE_SERIAL_TRANSPORT (esprit_serial_transport_get_type ())
G_DECLARE_FINAL_TYPE (EspritSerialTransport, esprit_serial_transport, ESPRIT, SERIAL_TRANSPORT,
                      GObject)

struct _EspritSerialTransport
{
  GObject         parent_instance;
  struct sp_port *port;
  gboolean        open;
  int             fd;
  char           *path;
  guint           baud;
  gboolean        dtr;
  gboolean        rts;
};

static void transport_iface_init (EspritTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EspritSerialTransport, esprit_serial_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ESPRIT_TYPE_TRANSPORT, transport_iface_init))

/* After SP_ERR_FAIL the OS error is in errno right now (STYLE.md §4): map it at once. */
static gboolean
check (EspritSerialTransport  *self,
       enum sp_return          rc,
       const char             *what,
       GError                **error)
{
  if (rc >= 0)
    return TRUE;
  if (rc == SP_ERR_FAIL)
    {
      int errsv = sp_last_error_code ();

      if (_esprit_errno_is_unplug (errsv))
        _esprit_set_unplugged_error (error, self->path);
      else
        g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, "%s %s: %s", what, self->path,
                     g_strerror (errsv));
    }
  else
    g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, "%s %s: libserialport error %d", what,
                 self->path, rc);
  return FALSE;
}

static gssize
serial_read (EspritTransport  *transport,
             guint8           *buffer,
             gsize             len,
             guint             timeout_ms,
             GCancellable     *cancellable,
             GError          **error)
{
  EspritSerialTransport *self = ESPRIT_SERIAL_TRANSPORT (transport);
  enum sp_return rc;
  int ready;

  /* Never sp_blocking_read with timeout 0 (STYLE house rule 7): poll the handle with the
   * cancellable, then take what is there. */
  ready = _esprit_fd_wait_readable (self->fd, timeout_ms, cancellable, error);
  if (ready <= 0)
    return ready;
  rc = sp_nonblocking_read (self->port, buffer, len);
  if (!check (self, rc, "read", error))
    return -1;
  if (rc == 0)
    {
      /* Readable but empty: the tty was hung up, the device is gone. */
      _esprit_set_unplugged_error (error, self->path);
      return -1;
    }
  return rc;
}

static gboolean
serial_write (EspritTransport  *transport,
              const guint8     *data,
              gsize             len,
              GCancellable     *cancellable,
              GError          **error)
{
  EspritSerialTransport *self = ESPRIT_SERIAL_TRANSPORT (transport);

  while (len > 0)
    {
      enum sp_return rc;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      rc = sp_blocking_write (self->port, data, len, 50);
      if (!check (self, rc, "write", error))
        return FALSE;
      data += rc;
      len -= (gsize) rc;
    }
  return TRUE;
}

static gboolean
serial_drain (EspritTransport  *transport,
              GError          **error)
{
  EspritSerialTransport *self = ESPRIT_SERIAL_TRANSPORT (transport);

  return check (self, sp_drain (self->port), "drain", error);
}

static gboolean
serial_flush_input (EspritTransport  *transport,
                    GError          **error)
{
  EspritSerialTransport *self = ESPRIT_SERIAL_TRANSPORT (transport);

  return check (self, sp_flush (self->port, SP_BUF_INPUT), "flush", error);
}

static gboolean
serial_set_baud (EspritTransport  *transport,
                 guint             baud,
                 GError          **error)
{
  EspritSerialTransport *self = ESPRIT_SERIAL_TRANSPORT (transport);

  if (!check (self, sp_set_baudrate (self->port, (int) baud), "baud", error))
    return FALSE;
  self->baud = baud;
  return TRUE;
}

static guint
serial_get_baud (EspritTransport *transport)
{
  return ESPRIT_SERIAL_TRANSPORT (transport)->baud;
}

static gboolean
serial_set_lines (EspritTransport  *transport,
                  int               dtr,
                  int               rts,
                  GError          **error)
{
  EspritSerialTransport *self = ESPRIT_SERIAL_TRANSPORT (transport);
  int bits;

  if (dtr != ESPRIT_LINE_UNCHANGED)
    self->dtr = dtr;
  if (rts != ESPRIT_LINE_UNCHANGED)
    self->rts = rts;
  /* libserialport sets one line per call; the unix-tight sequence needs both in one
   * TIOCMSET (§3), so go to the handle. */
  if (ioctl (self->fd, TIOCMGET, &bits) == 0)
    {
      bits = self->dtr ? bits | TIOCM_DTR : bits & ~TIOCM_DTR;
      bits = self->rts ? bits | TIOCM_RTS : bits & ~TIOCM_RTS;
      if (ioctl (self->fd, TIOCMSET, &bits) == 0)
        return TRUE;
    }
  return check (self, sp_set_dtr (self->port, self->dtr ? SP_DTR_ON : SP_DTR_OFF), "DTR", error) &&
         check (self, sp_set_rts (self->port, self->rts ? SP_RTS_ON : SP_RTS_OFF), "RTS", error);
}

static gboolean
serial_has_lines (EspritTransport *transport)
{
  return TRUE;
}

static gboolean
serial_get_modem_lines (EspritTransport *transport,
                        guint           *lines)
{
  enum sp_signal sig;

  if (sp_get_signals (ESPRIT_SERIAL_TRANSPORT (transport)->port, &sig) != SP_OK)
    return FALSE;
  *lines = (sig & SP_SIG_CTS ? ESPRIT_MODEM_CTS : 0) | (sig & SP_SIG_DSR ? ESPRIT_MODEM_DSR : 0) |
           (sig & SP_SIG_RI ? ESPRIT_MODEM_RI : 0) | (sig & SP_SIG_DCD ? ESPRIT_MODEM_CD : 0);
  return TRUE;
}

static const char *
serial_get_name (EspritTransport *transport)
{
  return ESPRIT_SERIAL_TRANSPORT (transport)->path;
}

static gboolean
serial_get_usb_ids (EspritTransport *transport,
                    guint16         *vid,
                    guint16         *pid)
{
  EspritSerialTransport *self = ESPRIT_SERIAL_TRANSPORT (transport);
  int v = 0, p = 0;

  if (sp_get_port_transport (self->port) != SP_TRANSPORT_USB ||
      sp_get_port_usb_vid_pid (self->port, &v, &p) != SP_OK)
    return FALSE;
  *vid = (guint16) v;
  *pid = (guint16) p;
  return TRUE;
}

static void
serial_close (EspritTransport *transport)
{
  EspritSerialTransport *self = ESPRIT_SERIAL_TRANSPORT (transport);

  if (self->open)
    sp_close (self->port);
  self->open = FALSE;
}

static void
transport_iface_init (EspritTransportInterface *iface)
{
  iface->read = serial_read;
  iface->write = serial_write;
  iface->drain = serial_drain;
  iface->flush_input = serial_flush_input;
  iface->set_baud = serial_set_baud;
  iface->get_baud = serial_get_baud;
  iface->set_lines = serial_set_lines;
  iface->has_lines = serial_has_lines;
  iface->get_modem_lines = serial_get_modem_lines;
  iface->get_name = serial_get_name;
  iface->get_usb_ids = serial_get_usb_ids;
  iface->close = serial_close;
}

static void
esprit_serial_transport_finalize (GObject *object)
{
  EspritSerialTransport *self = ESPRIT_SERIAL_TRANSPORT (object);

  serial_close (ESPRIT_TRANSPORT (self));
  g_clear_pointer (&self->port, sp_free_port);
  g_free (self->path);
  G_OBJECT_CLASS (esprit_serial_transport_parent_class)->finalize (object);
}

static void
esprit_serial_transport_class_init (EspritSerialTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = esprit_serial_transport_finalize;
}

static void
esprit_serial_transport_init (EspritSerialTransport *self)
{
  self->fd = -1;
}

EspritTransport *
esprit_transport_serial_open (const char  *path,
                              guint        baud,
                              GError     **error)
{
  g_autoptr(EspritSerialTransport) self = g_object_new (ESPRIT_TYPE_SERIAL_TRANSPORT, NULL);
  enum sp_return rc;

  self->path = g_strdup (path);
  rc = sp_get_port_by_name (path, &self->port);
  if (rc != SP_OK)
    {
      _esprit_set_open_error (error, rc == SP_ERR_FAIL ? sp_last_error_code () : ENOENT, path);
      return NULL;
    }
  rc = sp_open (self->port, SP_MODE_READ_WRITE);
  if (rc != SP_OK)
    {
      _esprit_set_open_error (error, rc == SP_ERR_FAIL ? sp_last_error_code () : EIO, path);
      return NULL;
    }
  self->open = TRUE;
  if (sp_get_port_handle (self->port, &self->fd) != SP_OK)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, _("Cannot use %s"), path);
      return NULL;
    }
  /* libserialport opens exclusively with TIOCEXCL; the lock also stops cooperating programs
   * that do not reopen the device node. */
  if (flock (self->fd, LOCK_EX | LOCK_NB) < 0)
    {
      _esprit_set_open_error (error, EBUSY, path);
      return NULL;
    }
  if (!check (self, sp_set_bits (self->port, 8), "configure", error) ||
      !check (self, sp_set_parity (self->port, SP_PARITY_NONE), "configure", error) ||
      !check (self, sp_set_stopbits (self->port, 1), "configure", error) ||
      !check (self, sp_set_flowcontrol (self->port, SP_FLOWCONTROL_NONE), "configure", error) ||
      !serial_set_baud (ESPRIT_TRANSPORT (self), baud, error))
    return NULL;
  return ESPRIT_TRANSPORT (g_steal_pointer (&self));
}

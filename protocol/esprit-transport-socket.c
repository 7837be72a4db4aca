/* esprit-transport-socket.c: socket://host:port, a raw TCP byte pipe (ser2net, esp-link,
 * esprit-sim). No baud rate and no modem lines travel over it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-transport"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-transport-fd.h"

#define ESPRIT_TYPE_SOCKET_TRANSPORT (esprit_socket_transport_get_type ())
G_DECLARE_FINAL_TYPE (EspritSocketTransport, esprit_socket_transport, ESPRIT, SOCKET_TRANSPORT,
                      GObject)

struct _EspritSocketTransport
{
  GObject            parent_instance;
  GSocketConnection *connection;
  GSocket           *socket;
  char              *name;
  guint              baud;
};

static void transport_iface_init (EspritTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EspritSocketTransport, esprit_socket_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ESPRIT_TYPE_TRANSPORT, transport_iface_init))

static gssize
socket_read (EspritTransport  *transport,
             guint8           *buffer,
             gsize             len,
             guint             timeout_ms,
             GCancellable     *cancellable,
             GError          **error)
{
  EspritSocketTransport *self = ESPRIT_SOCKET_TRANSPORT (transport);
  g_autoptr(GError) local_error = NULL;
  int ready = _esprit_fd_wait_readable (g_socket_get_fd (self->socket), timeout_ms, cancellable,
                                        error);
  gssize n;

  if (ready <= 0)
    return ready;
  n = g_socket_receive_with_blocking (self->socket, (gchar *) buffer, len, FALSE, cancellable,
                                      &local_error);
  if (n > 0)
    return n;
  if (n < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return 0;
  if (n < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED, _("%s closed the connection"),
               self->name);
  return -1;
}

static gboolean
socket_write (EspritTransport  *transport,
              const guint8     *data,
              gsize             len,
              GCancellable     *cancellable,
              GError          **error)
{
  EspritSocketTransport *self = ESPRIT_SOCKET_TRANSPORT (transport);

  while (len > 0)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n = g_socket_send_with_blocking (self->socket, (const gchar *) data, len, TRUE,
                                              cancellable, &local_error);

      if (n < 0)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED,
                         _("%s closed the connection"), self->name);
          return FALSE;
        }
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
socket_flush_input (EspritTransport  *transport,
                    GError          **error)
{
  EspritSocketTransport *self = ESPRIT_SOCKET_TRANSPORT (transport);
  gchar junk[512];

  while (g_socket_condition_check (self->socket, G_IO_IN) & G_IO_IN)
    if (g_socket_receive_with_blocking (self->socket, junk, sizeof junk, FALSE, NULL, NULL) <= 0)
      break;
  return TRUE;
}

static gboolean
socket_set_baud (EspritTransport  *transport,
                 guint             baud,
                 GError          **error)
{
  /* The far end's rate is its own business: remember it for timeouts and messages only. */
  ESPRIT_SOCKET_TRANSPORT (transport)->baud = baud;
  return TRUE;
}

static guint
socket_get_baud (EspritTransport *transport)
{
  return ESPRIT_SOCKET_TRANSPORT (transport)->baud;
}

static const char *
socket_get_name (EspritTransport *transport)
{
  return ESPRIT_SOCKET_TRANSPORT (transport)->name;
}

static void
socket_close (EspritTransport *transport)
{
  EspritSocketTransport *self = ESPRIT_SOCKET_TRANSPORT (transport);

  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
}

static void
transport_iface_init (EspritTransportInterface *iface)
{
  iface->read = socket_read;
  iface->write = socket_write;
  iface->flush_input = socket_flush_input;
  iface->set_baud = socket_set_baud;
  iface->get_baud = socket_get_baud;
  iface->get_name = socket_get_name;
  iface->close = socket_close;
}

static void
esprit_socket_transport_dispose (GObject *object)
{
  EspritSocketTransport *self = ESPRIT_SOCKET_TRANSPORT (object);

  g_clear_object (&self->connection);
  G_OBJECT_CLASS (esprit_socket_transport_parent_class)->dispose (object);
}

static void
esprit_socket_transport_finalize (GObject *object)
{
  g_free (ESPRIT_SOCKET_TRANSPORT (object)->name);
  G_OBJECT_CLASS (esprit_socket_transport_parent_class)->finalize (object);
}

static void
esprit_socket_transport_class_init (EspritSocketTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esprit_socket_transport_dispose;
  G_OBJECT_CLASS (klass)->finalize = esprit_socket_transport_finalize;
}

static void
esprit_socket_transport_init (EspritSocketTransport *self)
{
  self->baud = 115200;
}

/* Connects a TCP socket for socket:// and rfc2217:// with a 5 s limit. */
GSocketConnection *
_esprit_tcp_connect (const char  *host_and_port,
                     GError     **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) local_error = NULL;
  GSocketConnection *connection;
  int one = 1;

  g_socket_client_set_timeout (client, 5);
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, host_and_port, 0, NULL, &local_error);
  if (connection == NULL)
    {
      g_set_error (error, ESPRIT_ERROR,
                   g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
                     ? ESPRIT_ERROR_NOT_FOUND : ESPRIT_ERROR_FAILED,
                   _("Cannot connect to %s: %s"), host_and_port, local_error->message);
      return NULL;
    }
  /* Small request/reply packets: no Nagle delay. */
  setsockopt (g_socket_get_fd (g_socket_connection_get_socket (connection)), IPPROTO_TCP,
              TCP_NODELAY, &one, sizeof one);
  return connection;
}

EspritTransport *
esprit_transport_socket_open (const char  *host_and_port,
                              GError     **error)
{
  g_autoptr(EspritSocketTransport) self = g_object_new (ESPRIT_TYPE_SOCKET_TRANSPORT, NULL);

  self->connection = _esprit_tcp_connect (host_and_port, error);
  if (self->connection == NULL)
    return NULL;
  self->socket = g_socket_connection_get_socket (self->connection);
  self->name = g_strdup_printf ("socket://%s", host_and_port);
  return ESPRIT_TRANSPORT (g_steal_pointer (&self));
}

/* esprit-transport-rfc2217.c: rfc2217://host:port, a serial port behind a telnet server with
 * the COM-PORT option (RFC 2217): baud, DTR/RTS and purge travel with the data.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-transport"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-telnet.h"
#include "esprit-transport-fd.h"

#define ESPRIT_TYPE_RFC2217_TRANSPORT (esprit_rfc2217_transport_get_type ())
G_DECLARE_FINAL_TYPE (EspritRfc2217Transport, esprit_rfc2217_transport, ESPRIT,
                      RFC2217_TRANSPORT, GObject)

struct _EspritRfc2217Transport
{
  GObject             parent_instance;
  GSocketConnection  *connection;
  GSocket            *socket;
  char               *name;
  guint               baud;
  gboolean            dtr;
  gboolean            rts;
  EspritTelnetDecoder dec;
  GByteArray         *pending;   /* decoded data not yet handed out */
  GString            *greeting;  /* the text a server sends before closing, if any */
  gboolean            greeted;   /* data other than text came: no greeting */
};

static void transport_iface_init (EspritTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EspritRfc2217Transport, esprit_rfc2217_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ESPRIT_TYPE_TRANSPORT, transport_iface_init))

static void
take_greeting (EspritRfc2217Transport *self,
               const guint8           *data,
               gsize                   len)
{
  for (gsize i = 0; i < len && !self->greeted; i++)
    {
      if ((data[i] < 0x20 || data[i] > 0x7e) && data[i] != '\r' && data[i] != '\n')
        self->greeted = TRUE;
      else if (self->greeting->len < 200)
        g_string_append_c (self->greeting, (char) data[i]);
    }
}

/* The server closed the connection. One that turns a client away says why in a line of text
 * first (esprit-cli serve when another client has the board or the board went away, ser2net
 * when its port is taken): that goes into the error. */
static void
set_closed_error (EspritRfc2217Transport  *self,
                  GError                 **error)
{
  g_autofree char *text = NULL;
  guint8 raw[256], data[256];
  gssize n;

  /* What is still unread, when the close was noticed while writing. */
  while ((n = g_socket_receive_with_blocking (self->socket, (gchar *) raw, sizeof raw, FALSE,
                                              NULL, NULL)) > 0)
    take_greeting (self, data, esprit_telnet_decode (&self->dec, raw, (gsize) n, data, NULL,
                                                     NULL, NULL));
  text = g_strstrip (g_strdup (self->greeting->str));
  if (!self->greeted && text[0] != '\0')
    g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED,
                 _("%s closed the connection: %s"), self->name, text);
  else
    g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED,
                 _("%s closed the connection"), self->name);
}

static gboolean
send_raw (EspritRfc2217Transport  *self,
          const guint8            *data,
          gsize                    len,
          GError                 **error)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));

  if (!g_output_stream_write_all (out, data, len, NULL, NULL, NULL))
    {
      set_closed_error (self, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
send_comport (EspritRfc2217Transport  *self,
              guint8                   code,
              guint32                  value,
              GError                 **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  esprit_telnet_comport_encode (out, code, value);
  return send_raw (self, out->data, out->len, error);
}

static void
on_command (guint8   verb,
            guint8   option,
            gpointer user_data)
{
  EspritRfc2217Transport *self = user_data;
  g_autoptr(GByteArray) answer = g_byte_array_new ();

  if (esprit_telnet_negotiate (ESPRIT_TELNET_CLIENT, verb, option, answer))
    send_raw (self, answer->data, answer->len, NULL);
}

static gssize
rfc_read (EspritTransport  *transport,
          guint8           *buffer,
          gsize             len,
          guint             timeout_ms,
          GCancellable     *cancellable,
          GError          **error)
{
  EspritRfc2217Transport *self = ESPRIT_RFC2217_TRANSPORT (transport);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (self->pending->len == 0)
    {
      guint8 raw[1024], data[1024];
      gint64 left = deadline - g_get_monotonic_time ();
      int ready;
      gssize n;
      gsize m;

      if (left <= 0)
        return 0;
      ready = _esprit_fd_wait_readable (g_socket_get_fd (self->socket),
                                        (guint) ((left + 999) / 1000), cancellable, error);
      if (ready < 0)
        return -1;
      if (ready == 0)
        return 0;
      n = g_socket_receive_with_blocking (self->socket, (gchar *) raw, sizeof raw, FALSE, NULL,
                                          NULL);
      if (n <= 0)
        {
          set_closed_error (self, error);
          return -1;
        }
      m = esprit_telnet_decode (&self->dec, raw, (gsize) n, data, NULL, on_command, self);
      take_greeting (self, data, m);
      g_byte_array_append (self->pending, data, m);
    }
  len = MIN (len, self->pending->len);
  memcpy (buffer, self->pending->data, len);
  g_byte_array_remove_range (self->pending, 0, len);
  return (gssize) len;
}

static gboolean
rfc_write (EspritTransport  *transport,
           const guint8     *data,
           gsize             len,
           GCancellable     *cancellable,
           GError          **error)
{
  EspritRfc2217Transport *self = ESPRIT_RFC2217_TRANSPORT (transport);
  g_autoptr(GByteArray) out = g_byte_array_sized_new (len + 16);

  esprit_telnet_escape (out, data, len);
  return send_raw (self, out->data, out->len, error);
}

static gboolean
rfc_flush_input (EspritTransport  *transport,
                 GError          **error)
{
  EspritRfc2217Transport *self = ESPRIT_RFC2217_TRANSPORT (transport);
  guint8 junk[256];

  g_byte_array_set_size (self->pending, 0);
  if (!send_comport (self, RFC2217_PURGE_DATA, RFC2217_PURGE_RECEIVE, error))
    return FALSE;
  /* What already crossed the network is ours to drop. */
  while (rfc_read (transport, junk, sizeof junk, 0, NULL, NULL) > 0)
    ;
  g_byte_array_set_size (self->pending, 0);
  return TRUE;
}

static gboolean
rfc_set_baud (EspritTransport  *transport,
              guint             baud,
              GError          **error)
{
  EspritRfc2217Transport *self = ESPRIT_RFC2217_TRANSPORT (transport);

  if (!send_comport (self, RFC2217_SET_BAUDRATE, baud, error))
    return FALSE;
  self->baud = baud;
  return TRUE;
}

static guint
rfc_get_baud (EspritTransport *transport)
{
  return ESPRIT_RFC2217_TRANSPORT (transport)->baud;
}

static gboolean
rfc_set_lines (EspritTransport  *transport,
               int               dtr,
               int               rts,
               GError          **error)
{
  EspritRfc2217Transport *self = ESPRIT_RFC2217_TRANSPORT (transport);

  /* RFC 2217 changes one line per SET-CONTROL, hence classic reset only (§3). */
  if (dtr != ESPRIT_LINE_UNCHANGED)
    {
      self->dtr = dtr;
      if (!send_comport (self, RFC2217_SET_CONTROL, dtr ? RFC2217_DTR_ON : RFC2217_DTR_OFF, error))
        return FALSE;
    }
  if (rts != ESPRIT_LINE_UNCHANGED)
    {
      self->rts = rts;
      if (!send_comport (self, RFC2217_SET_CONTROL, rts ? RFC2217_RTS_ON : RFC2217_RTS_OFF, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
rfc_has_lines (EspritTransport *transport)
{
  return TRUE;
}

static const char *
rfc_get_name (EspritTransport *transport)
{
  return ESPRIT_RFC2217_TRANSPORT (transport)->name;
}

static void
rfc_close (EspritTransport *transport)
{
  EspritRfc2217Transport *self = ESPRIT_RFC2217_TRANSPORT (transport);

  if (self->connection != NULL)
    g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
}

static void
transport_iface_init (EspritTransportInterface *iface)
{
  iface->read = rfc_read;
  iface->write = rfc_write;
  iface->flush_input = rfc_flush_input;
  iface->set_baud = rfc_set_baud;
  iface->get_baud = rfc_get_baud;
  iface->set_lines = rfc_set_lines;
  iface->has_lines = rfc_has_lines;
  iface->get_name = rfc_get_name;
  iface->close = rfc_close;
}

static void
esprit_rfc2217_transport_dispose (GObject *object)
{
  g_clear_object (&ESPRIT_RFC2217_TRANSPORT (object)->connection);
  G_OBJECT_CLASS (esprit_rfc2217_transport_parent_class)->dispose (object);
}

static void
esprit_rfc2217_transport_finalize (GObject *object)
{
  EspritRfc2217Transport *self = ESPRIT_RFC2217_TRANSPORT (object);

  g_byte_array_unref (self->pending);
  g_string_free (self->greeting, TRUE);
  g_free (self->name);
  G_OBJECT_CLASS (esprit_rfc2217_transport_parent_class)->finalize (object);
}

static void
esprit_rfc2217_transport_class_init (EspritRfc2217TransportClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esprit_rfc2217_transport_dispose;
  G_OBJECT_CLASS (klass)->finalize = esprit_rfc2217_transport_finalize;
}

static void
esprit_rfc2217_transport_init (EspritRfc2217Transport *self)
{
  self->pending = g_byte_array_new ();
  self->greeting = g_string_new (NULL);
}

EspritTransport *
esprit_transport_rfc2217_open (const char  *host_and_port,
                               guint        baud,
                               GError     **error)
{
  g_autoptr(EspritRfc2217Transport) self = g_object_new (ESPRIT_TYPE_RFC2217_TRANSPORT, NULL);
  const guint8 hello[] = {
    TELNET_IAC, TELNET_WILL, TELNET_OPT_BINARY, TELNET_IAC, TELNET_DO, TELNET_OPT_BINARY,
    TELNET_IAC, TELNET_WILL, TELNET_OPT_SGA, TELNET_IAC, TELNET_DO, TELNET_OPT_SGA,
    TELNET_IAC, TELNET_WILL, TELNET_OPT_COM_PORT,
  };

  self->connection = _esprit_tcp_connect (host_and_port, error);
  if (self->connection == NULL)
    return NULL;
  self->socket = g_socket_connection_get_socket (self->connection);
  self->name = g_strdup_printf ("rfc2217://%s", host_and_port);
  if (!send_raw (self, hello, sizeof hello, error) ||
      !rfc_set_baud (ESPRIT_TRANSPORT (self), baud, error) ||
      !send_comport (self, RFC2217_SET_DATASIZE, 8, error) ||       /* 8 data bits */
      !send_comport (self, RFC2217_SET_PARITY, 1, error) ||         /* 1 = none */
      !send_comport (self, RFC2217_SET_STOPSIZE, 1, error))         /* 1 stop bit */
    return NULL;
  return ESPRIT_TRANSPORT (g_steal_pointer (&self));
}

/* esprit-transport.c: the transport interface and its dispatch by port name
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-transport"

#include "config.h"

#include "esprit-error.h"
#include "esprit-transport.h"

G_DEFINE_INTERFACE (EspritTransport, esprit_transport, G_TYPE_OBJECT)

static void
esprit_transport_default_init (EspritTransportInterface *iface)
{
}

gssize
esprit_transport_read (EspritTransport  *self,
                       guint8           *buffer,
                       gsize             len,
                       guint             timeout_ms,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), -1);

  if (len == 0)
    return 0;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  return ESPRIT_TRANSPORT_GET_IFACE (self)->read (self, buffer, len, timeout_ms, cancellable,
                                                  error);
}

gboolean
esprit_transport_read_exact (EspritTransport  *self,
                             guint8           *buffer,
                             gsize             len,
                             guint             timeout_ms,
                             GCancellable     *cancellable,
                             GError          **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gsize got = 0;

  while (got < len)
    {
      gint64 left_us = deadline - g_get_monotonic_time ();
      gssize n;

      if (left_us <= 0)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT,
                       "Timed out after %u ms with %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                       " bytes", timeout_ms, got, len);
          return FALSE;
        }
      n = esprit_transport_read (self, buffer + got, len - got, (guint) ((left_us + 999) / 1000),
                                 cancellable, error);
      if (n < 0)
        return FALSE;
      got += (gsize) n;
    }
  return TRUE;
}

gboolean
esprit_transport_write (EspritTransport  *self,
                        const guint8     *data,
                        gsize             len,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  return ESPRIT_TRANSPORT_GET_IFACE (self)->write (self, data, len, cancellable, error);
}

gboolean
esprit_transport_drain (EspritTransport  *self,
                        GError          **error)
{
  EspritTransportInterface *iface;

  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), FALSE);

  iface = ESPRIT_TRANSPORT_GET_IFACE (self);
  return iface->drain == NULL || iface->drain (self, error);
}

gboolean
esprit_transport_flush_input (EspritTransport  *self,
                              GError          **error)
{
  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), FALSE);

  return ESPRIT_TRANSPORT_GET_IFACE (self)->flush_input (self, error);
}

gboolean
esprit_transport_set_baud (EspritTransport  *self,
                           guint             baud,
                           GError          **error)
{
  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), FALSE);

  return ESPRIT_TRANSPORT_GET_IFACE (self)->set_baud (self, baud, error);
}

guint
esprit_transport_get_baud (EspritTransport *self)
{
  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), 0);

  return ESPRIT_TRANSPORT_GET_IFACE (self)->get_baud (self);
}

gboolean
esprit_transport_set_lines (EspritTransport  *self,
                            int               dtr,
                            int               rts,
                            GError          **error)
{
  EspritTransportInterface *iface;

  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), FALSE);

  iface = ESPRIT_TRANSPORT_GET_IFACE (self);
  if (iface->set_lines == NULL)
    return TRUE;
  return iface->set_lines (self, dtr, rts, error);
}

gboolean
esprit_transport_has_lines (EspritTransport *self)
{
  EspritTransportInterface *iface;

  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), FALSE);

  iface = ESPRIT_TRANSPORT_GET_IFACE (self);
  return iface->has_lines != NULL && iface->has_lines (self);
}

const char *
esprit_transport_get_name (EspritTransport *self)
{
  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), NULL);

  return ESPRIT_TRANSPORT_GET_IFACE (self)->get_name (self);
}

gboolean
esprit_transport_get_usb_ids (EspritTransport *self,
                              guint16         *vid,
                              guint16         *pid)
{
  EspritTransportInterface *iface;

  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), FALSE);

  iface = ESPRIT_TRANSPORT_GET_IFACE (self);
  if (iface->get_usb_ids == NULL)
    return FALSE;
  return iface->get_usb_ids (self, vid, pid);
}

void
esprit_transport_close (EspritTransport *self)
{
  EspritTransportInterface *iface;

  g_return_if_fail (ESPRIT_IS_TRANSPORT (self));

  iface = ESPRIT_TRANSPORT_GET_IFACE (self);
  if (iface->close != NULL)
    iface->close (self);
}

guint
esprit_transport_get_modem_lines (EspritTransport *self)
{
  EspritTransportInterface *iface;
  guint lines = 0;

  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (self), 0);

  iface = ESPRIT_TRANSPORT_GET_IFACE (self);
  if (iface->get_modem_lines == NULL || !iface->get_modem_lines (self, &lines))
    return 0;
  return lines;
}

/* esprit-sim-transport.c: a transport wired straight to an in-process virtual board
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include "esprit-error.h"
#include "esprit-sim.h"
#include "esprit-sim-private.h"

#define ESPRIT_TYPE_SIM_TRANSPORT (esprit_sim_transport_get_type ())
G_DECLARE_FINAL_TYPE (EspritSimTransport, esprit_sim_transport, ESPRIT, SIM_TRANSPORT, GObject)

struct _EspritSimTransport
{
  GObject    parent_instance;
  EspritSim *sim;
  guint      baud;
  gboolean   dtr;
  gboolean   rts;
  gboolean   follow;   /* the rate is the board's (esprit_sim_transport_follow_board) */
  char      *name;
};

static guint
rate (EspritSimTransport *self)
{
  return self->follow ? esprit_sim_get_uart_baud (self->sim) : self->baud;
}

static void transport_iface_init (EspritTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EspritSimTransport, esprit_sim_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ESPRIT_TYPE_TRANSPORT, transport_iface_init))

static gssize
sim_read (EspritTransport  *transport,
          guint8           *buffer,
          gsize             len,
          guint             timeout_ms,
          GCancellable     *cancellable,
          GError          **error)
{
  EspritSimTransport *self = ESPRIT_SIM_TRANSPORT (transport);

  return esprit_sim_host_read (self->sim, buffer, len, rate (self), timeout_ms, cancellable, error);
}

static gboolean
sim_write (EspritTransport  *transport,
           const guint8     *data,
           gsize             len,
           GCancellable     *cancellable,
           GError          **error)
{
  EspritSimTransport *self = ESPRIT_SIM_TRANSPORT (transport);

  esprit_sim_host_write (self->sim, data, len, rate (self));
  return TRUE;
}

static gboolean
sim_flush_input (EspritTransport  *transport,
                 GError          **error)
{
  esprit_sim_host_flush (ESPRIT_SIM_TRANSPORT (transport)->sim);
  return TRUE;
}

static gboolean
sim_set_baud (EspritTransport  *transport,
              guint             baud,
              GError          **error)
{
  ESPRIT_SIM_TRANSPORT (transport)->baud = baud;
  return TRUE;
}

static guint
sim_get_baud (EspritTransport *transport)
{
  return rate (ESPRIT_SIM_TRANSPORT (transport));
}

static gboolean
sim_set_lines (EspritTransport  *transport,
               int               dtr,
               int               rts,
               GError          **error)
{
  EspritSimTransport *self = ESPRIT_SIM_TRANSPORT (transport);

  if (dtr != ESPRIT_LINE_UNCHANGED)
    self->dtr = dtr;
  if (rts != ESPRIT_LINE_UNCHANGED)
    self->rts = rts;
  esprit_sim_set_lines (self->sim, self->dtr, self->rts);
  return TRUE;
}

static gboolean
sim_has_lines (EspritTransport *transport)
{
  return esprit_sim_get_config (ESPRIT_SIM_TRANSPORT (transport)->sim)->lines_wired;
}

static const char *
sim_get_name (EspritTransport *transport)
{
  return ESPRIT_SIM_TRANSPORT (transport)->name;
}

static gboolean
sim_get_usb_ids (EspritTransport *transport,
                 guint16         *vid,
                 guint16         *pid)
{
  /* §11: a board reached through its chip's USB-Serial/JTAG shows Espressif's ids. */
  if (!_esprit_sim_usb_jtag (ESPRIT_SIM_TRANSPORT (transport)->sim))
    return FALSE;
  *vid = 0x303A;
  *pid = 0x1001;
  return TRUE;
}

static void
transport_iface_init (EspritTransportInterface *iface)
{
  iface->read = sim_read;
  iface->write = sim_write;
  iface->flush_input = sim_flush_input;
  iface->set_baud = sim_set_baud;
  iface->get_baud = sim_get_baud;
  iface->set_lines = sim_set_lines;
  iface->has_lines = sim_has_lines;
  iface->get_name = sim_get_name;
  iface->get_usb_ids = sim_get_usb_ids;
}

static void
esprit_sim_transport_dispose (GObject *object)
{
  EspritSimTransport *self = ESPRIT_SIM_TRANSPORT (object);

  g_clear_object (&self->sim);
  G_OBJECT_CLASS (esprit_sim_transport_parent_class)->dispose (object);
}

static void
esprit_sim_transport_finalize (GObject *object)
{
  g_free (ESPRIT_SIM_TRANSPORT (object)->name);
  G_OBJECT_CLASS (esprit_sim_transport_parent_class)->finalize (object);
}

static void
esprit_sim_transport_class_init (EspritSimTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esprit_sim_transport_dispose;
  G_OBJECT_CLASS (klass)->finalize = esprit_sim_transport_finalize;
}

static void
esprit_sim_transport_init (EspritSimTransport *self)
{
}

EspritTransport *
esprit_sim_transport_new (EspritSim *sim,
                          guint      baud)
{
  EspritSimTransport *self = g_object_new (ESPRIT_TYPE_SIM_TRANSPORT, NULL);

  self->sim = g_object_ref (sim);
  self->baud = baud ? baud : 115200;
  self->name = g_strdup_printf ("sim:%s", esprit_chip_get_info (esprit_sim_get_config (sim)->chip)->id);
  return ESPRIT_TRANSPORT (self);
}

void
esprit_sim_transport_follow_board (EspritTransport *transport)
{
  g_return_if_fail (ESPRIT_IS_SIM_TRANSPORT (transport));
  ESPRIT_SIM_TRANSPORT (transport)->follow = TRUE;
}

EspritSim *
esprit_sim_transport_get_sim (EspritTransport *transport)
{
  g_return_val_if_fail (ESPRIT_IS_SIM_TRANSPORT (transport), NULL);
  return ESPRIT_SIM_TRANSPORT (transport)->sim;
}

/* esprit-port-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-port-model"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-port-model-private.h"


static const struct {
  const char *id;
  const char *label;
  EspritChip  chip;
} virtual_ports[] = {
  { "sim:esp8266", N_("Virtual ESP8266"), ESPRIT_CHIP_ESP8266 },
  { "sim:esp32", N_("Virtual ESP32"), ESPRIT_CHIP_ESP32 },
};

static GType
esprit_port_model_get_item_type (GListModel *model)
{
  return ESPRIT_TYPE_PORT_ITEM;
}

static guint
esprit_port_model_get_n_items (GListModel *model)
{
  return ESPRIT_PORT_MODEL (model)->items->len;
}

static gpointer
esprit_port_model_get_item (GListModel *model,
                            guint       position)
{
  EspritPortModel *self = ESPRIT_PORT_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (self->items->pdata[position]);
}

static void
esprit_port_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = esprit_port_model_get_item_type;
  iface->get_n_items = esprit_port_model_get_n_items;
  iface->get_item = esprit_port_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (EspritPortModel, esprit_port_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      esprit_port_model_list_model_init))

static void
esprit_port_model_dispose (GObject *object)
{
  EspritPortModel *self = ESPRIT_PORT_MODEL (object);

  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  _esprit_port_model_ota_dispose (self);
  _esprit_port_model_classroom_dispose (self);
  G_OBJECT_CLASS (esprit_port_model_parent_class)->dispose (object);
}

static void
esprit_port_model_finalize (GObject *object)
{
  EspritPortModel *self = ESPRIT_PORT_MODEL (object);

  g_ptr_array_unref (self->items);
  g_object_unref (self->registry);
  G_OBJECT_CLASS (esprit_port_model_parent_class)->finalize (object);
}

static void
esprit_port_model_class_init (EspritPortModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esprit_port_model_dispose;
  object_class->finalize = esprit_port_model_finalize;
}

static void
on_port_changed (EspritPortMonitor *monitor,
                 EspritPortInfo    *info,
                 EspritPortModel   *self)
{
  g_autoptr(GPtrArray) ports = esprit_port_monitor_dup_ports (monitor);

  esprit_port_model_update (self, ports);
}

static void
esprit_port_model_init (EspritPortModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->registry = esprit_port_registry_new ();
  esprit_sim_register_scheme (self->registry, TRUE);
  /* The virtual boards are always there, so the window is useful without hardware. */
  for (guint i = 0; i < G_N_ELEMENTS (virtual_ports); i++)
    g_ptr_array_add (self->items,
                     esprit_port_item_new_virtual (virtual_ports[i].id, _(virtual_ports[i].label),
                                                   virtual_ports[i].chip));
  _esprit_port_model_classroom_init (self);
  _esprit_port_model_ota_init (self);
}

EspritPortModel *
esprit_port_model_new (void)
{
  EspritPortModel *self = g_object_new (ESPRIT_TYPE_PORT_MODEL, NULL);

  /* Boards come and go: udev says so where its events arrive, else the monitor looks
   * again every couple of seconds. */
  self->monitor = esprit_port_monitor_new (ESPRIT_PORT_MONITOR_AUTO);
  g_signal_connect (self->monitor, "port-added", G_CALLBACK (on_port_changed), self);
  g_signal_connect (self->monitor, "port-removed", G_CALLBACK (on_port_changed), self);
  esprit_port_model_refresh (self);
  return self;
}

void
esprit_port_model_refresh (EspritPortModel *self)
{
  g_autoptr(GPtrArray) ports = NULL;

  g_return_if_fail (ESPRIT_IS_PORT_MODEL (self));

  if (self->monitor == NULL)
    return;
  esprit_port_monitor_rescan (self->monitor);
  ports = esprit_port_monitor_dup_ports (self->monitor);
  esprit_port_model_update (self, ports);
}

static EspritPortItem *
find_real (EspritPortModel *self,
           const char      *id)
{
  for (guint i = 0; i < self->n_real; i++)
    if (g_str_equal (esprit_port_item_get_id (self->items->pdata[i]), id))
      return self->items->pdata[i];
  return NULL;
}

void
esprit_port_model_update (EspritPortModel *self,
                          GPtrArray       *ports)
{
  g_autoptr(GPtrArray) real = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean same;
  guint removed = self->n_real;

  g_return_if_fail (ESPRIT_IS_PORT_MODEL (self));
  g_return_if_fail (ports != NULL);

  for (guint i = 0; i < ports->len; i++)
    {
      g_autoptr(EspritPortItem) item = esprit_port_item_new_real (ports->pdata[i]);
      EspritPortItem *old = find_real (self, esprit_port_item_get_id (item));

      /* The same device under the same name keeps its item (and so a selection of it). */
      if (old != NULL && g_str_equal (esprit_port_item_get_label (old),
                                      esprit_port_item_get_label (item)))
        g_ptr_array_add (real, g_object_ref (old));
      else
        g_ptr_array_add (real, g_steal_pointer (&item));
    }
  same = real->len == self->n_real;
  for (guint i = 0; same && i < real->len; i++)
    same = real->pdata[i] == self->items->pdata[i];
  if (same)
    return;

  g_ptr_array_remove_range (self->items, 0, self->n_real);
  for (guint i = 0; i < real->len; i++)
    g_ptr_array_insert (self->items, (int) i, g_object_ref (real->pdata[i]));
  self->n_real = real->len;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, real->len);
}

gboolean
esprit_port_model_find (EspritPortModel *self,
                        const char      *id,
                        guint           *position)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_MODEL (self), FALSE);

  if (id == NULL)
    return FALSE;
  for (guint i = 0; i < self->items->len; i++)
    if (g_str_equal (esprit_port_item_get_id (self->items->pdata[i]), id))
      {
        if (position != NULL)
          *position = i;
        return TRUE;
      }
  return FALSE;
}

guint
esprit_port_model_get_preferred (EspritPortModel *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_MODEL (self), 0);

  for (guint i = 0; i < self->n_real; i++)
    if (esprit_port_item_get_vid (self->items->pdata[i]) != 0)
      return i;
  return self->n_real;
}

EspritPortRegistry *
esprit_port_model_get_registry (EspritPortModel *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_MODEL (self), NULL);
  return self->registry;
}

EspritSim *
esprit_port_model_get_virtual_board (EspritPortModel *self,
                                     EspritChip       chip)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_MODEL (self), NULL);
  g_return_val_if_fail (chip >= 0 && chip < ESPRIT_N_CHIPS, NULL);

  for (guint i = self->n_real; i < self->items->len; i++)
    if (esprit_port_item_get_kind (self->items->pdata[i]) == ESPRIT_PORT_KIND_VIRTUAL &&
        esprit_port_item_get_chip (self->items->pdata[i]) == chip)
      {
        g_autofree char *port = esprit_port_item_dup_open_name (self->items->pdata[i]);
        EspritSim *sim = esprit_sim_lookup_board (self->registry, port, TRUE);

        /* Borrowed: the registry keeps the board as long as the model lives. */
        g_object_unref (sim);
        return sim;
      }
  g_return_val_if_reached (NULL);
}

/* esprit-port-model-ota.c: the port model's network boards: ArduinoOTA boards Avahi finds,
 * boards added by address, and the in-process virtual OTA board
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-port-model"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esprit-port-model-private.h"

/* The default UDP ports of the cores' ArduinoOTA (protocol-facts §7.1). */
#define OTA_PORT_ESP8266 8266
#define OTA_PORT_ESP32   3232

static guint
net_start (EspritPortModel *self)
{
  return self->n_real + ESPRIT_PORT_MODEL_N_VIRTUAL;
}

static const char *
chip_name (EspritChip chip)
{
  return esprit_chip_get_info (chip)->name;
}

/* "kitchen-sensor — 192.168.1.40 · ESP8266 · OTA, password" */
static char *
ota_label (const char *name,
           const char *address,
           EspritChip  chip,
           gboolean    auth)
{
  if (auth)
    /* Translators: a network board in the port list: name, address, chip */
    return g_strdup_printf (_("%s — %s · %s · OTA, password"), name, address, chip_name (chip));
  /* Translators: a network board in the port list: name, address, chip */
  return g_strdup_printf (_("%s — %s · %s · OTA"), name, address, chip_name (chip));
}

/* The TXT board= value is the core's board name ("ESP8266_WEMOS_D1MINI", "ESP32_DEV"); the
 * port tells the core when the sketch kept the default. */
static EspritChip
chip_of_board (const EspritMdnsBoard *board)
{
  if (board->board != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (board->board, -1);

      if (strstr (lower, "esp32") != NULL)
        return ESPRIT_CHIP_ESP32;
      if (strstr (lower, "esp8266") != NULL || strstr (lower, "esp8285") != NULL)
        return ESPRIT_CHIP_ESP8266;
    }
  return board->port == OTA_PORT_ESP32 ? ESPRIT_CHIP_ESP32 : ESPRIT_CHIP_ESP8266;
}

static EspritPortItem *
find_net (EspritPortModel *self,
          const char      *id)
{
  for (guint i = net_start (self); i < net_start (self) + self->n_net; i++)
    if (g_str_equal (esprit_port_item_get_id (self->items->pdata[i]), id))
      return self->items->pdata[i];
  return NULL;
}

static gboolean
same_item (EspritPortItem *a,
           EspritPortItem *b)
{
  return g_str_equal (esprit_port_item_get_label (a), esprit_port_item_get_label (b)) &&
         g_strcmp0 (esprit_port_item_get_host (a), esprit_port_item_get_host (b)) == 0 &&
         esprit_port_item_get_ota_port (a) == esprit_port_item_get_ota_port (b);
}

/* Puts @net (element-type EspritPortItem) in place of the network items; unchanged items
 * keep their object, so a selection of one survives. */
static void
replace_net (EspritPortModel *self,
             GPtrArray       *net)
{
  guint start = net_start (self);
  guint removed = self->n_net;
  gboolean same = net->len == self->n_net;

  for (guint i = 0; i < net->len; i++)
    {
      EspritPortItem *old = find_net (self, esprit_port_item_get_id (net->pdata[i]));

      if (old != NULL && same_item (old, net->pdata[i]))
        {
          g_object_unref (net->pdata[i]);
          net->pdata[i] = g_object_ref (old);
        }
      same = same && net->pdata[i] == self->items->pdata[start + i];
    }
  if (same)
    return;
  g_ptr_array_remove_range (self->items, start, self->n_net);
  for (guint i = 0; i < net->len; i++)
    g_ptr_array_insert (self->items, (int) (start + i), g_object_ref (net->pdata[i]));
  self->n_net = net->len;
  g_list_model_items_changed (G_LIST_MODEL (self), start, removed, net->len);
}

static void
rebuild_net (EspritPortModel *self)
{
  g_autoptr(GPtrArray) net = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) boards = NULL;

  if (self->browser != NULL)
    boards = esprit_mdns_browser_dup_boards (self->browser);
  for (guint i = 0; boards != NULL && i < boards->len; i++)
    {
      EspritMdnsBoard *b = boards->pdata[i];
      EspritChip chip = chip_of_board (b);
      g_autofree char *id = g_strconcat ("ota:", b->name, NULL);
      g_autofree char *label = ota_label (b->name, b->address, chip, b->auth_upload);

      g_ptr_array_add (net, esprit_port_item_new_ota (ESPRIT_PORT_KIND_OTA, id, label, chip,
                                                      b->address, b->port, b->auth_upload));
    }
  for (guint i = 0; i < self->added->len; i++)
    g_ptr_array_add (net, g_object_ref (self->added->pdata[i]));
  replace_net (self, net);
}

static void
on_browser_changed (EspritPortModel *self)
{
  rebuild_net (self);
}

void
_esprit_port_model_ota_init (EspritPortModel *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  const char *password = g_getenv ("ESPRIT_SIM_OTA_PASSWORD");

  self->added = g_ptr_array_new_with_free_func (g_object_unref);
  /* Without Avahi the list has no discovered boards; typed addresses still work. */
  self->browser = esprit_mdns_browser_new (&error);
  if (self->browser == NULL)
    g_debug ("No network boards: %s", error->message);
  else
    g_signal_connect_swapped (self->browser, "changed", G_CALLBACK (on_browser_changed), self);

  label = g_strdup (_("Virtual ESP8266 (OTA)"));
  g_ptr_array_add (self->items,
                   esprit_port_item_new_ota (ESPRIT_PORT_KIND_OTA_VIRTUAL, "ota-sim:esp8266", label,
                                             ESPRIT_CHIP_ESP8266, "127.0.0.1", 0,
                                             password != NULL && *password != '\0'));
  g_ptr_array_add (self->items, esprit_port_item_new_add ());
  rebuild_net (self);
}

void
_esprit_port_model_ota_dispose (EspritPortModel *self)
{
  if (self->browser != NULL)
    g_signal_handlers_disconnect_by_data (self->browser, self);
  g_clear_object (&self->browser);
  g_clear_pointer (&self->added, g_ptr_array_unref);
  if (self->sim_thread != NULL)
    {
      g_atomic_int_set (&self->sim_stop, 1);
      g_thread_join (g_steal_pointer (&self->sim_thread));
    }
  g_clear_pointer (&self->sim_ota, esprit_sim_ota_free);
}

char *
esprit_port_model_add_address (EspritPortModel *self,
                               const char      *host,
                               guint16          port,
                               EspritChip       chip)
{
  g_autofree char *label = NULL;
  char *id;

  g_return_val_if_fail (ESPRIT_IS_PORT_MODEL (self), NULL);
  g_return_val_if_fail (host != NULL && *host != '\0', NULL);

  if (port == 0)
    port = chip == ESPRIT_CHIP_ESP8266 ? OTA_PORT_ESP8266 : OTA_PORT_ESP32;
  id = g_strdup_printf ("ota:%s:%u", host, port);
  for (guint i = 0; i < self->added->len; i++)
    if (g_str_equal (esprit_port_item_get_id (self->added->pdata[i]), id))
      return id;
  /* Typed: whether it wants a password shows when it asks. */
  label = ota_label (host, host, chip, FALSE);
  g_ptr_array_add (self->added, esprit_port_item_new_ota (ESPRIT_PORT_KIND_OTA, id, label, chip,
                                                          host, port, FALSE));
  rebuild_net (self);
  return id;
}

static gpointer
sim_thread (gpointer data)
{
  EspritPortModel *self = data;

  esprit_sim_ota_run (self->sim_ota, &self->sim_stop);
  return NULL;
}

EspritSimOta *
esprit_port_model_get_virtual_ota (EspritPortModel *self,
                                   GError         **error)
{
  EspritSimOtaConfig config = {
    .chip = ESPRIT_CHIP_ESP8266,
    .core = ESPRIT_SIM_OTA_ESP8266,
    .drop_after = -1,
    .corrupt_byte = -1,
  };

  g_return_val_if_fail (ESPRIT_IS_PORT_MODEL (self), NULL);

  if (self->sim_ota != NULL)
    return self->sim_ota;
  config.password = g_getenv ("ESPRIT_SIM_OTA_PASSWORD");
  if (config.password != NULL && *config.password == '\0')
    config.password = NULL;
  self->sim_ota = esprit_sim_ota_new (&config, error);
  if (self->sim_ota == NULL)
    return NULL;
  self->sim_thread = g_thread_new ("esprit-sim-ota", sim_thread, self);
  return self->sim_ota;
}

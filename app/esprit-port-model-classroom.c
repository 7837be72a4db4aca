/* esprit-port-model-classroom.c: "Virtual classroom (8 boards)": eight virtual ESP8266
 * boards, each with its own flash and MAC, that can be plugged in and out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-port-model"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esprit-port-model-private.h"

/* Espressif's OUI (the one the ESP8266's efuse MACs start with), then a number per board. */
#define CLASSROOM_MAC "18:fe:34:c1:a5:%02x"

static EspritPortItem *
board_item (guint k)
{
  g_autofree char *id = g_strdup_printf ("sim:esp8266?mac=" CLASSROOM_MAC, k);
  /* Translators: one board of the virtual classroom in the board list */
  g_autofree char *label = g_strdup_printf (_("Virtual board %u"), k);

  return esprit_port_item_new_virtual (id, label, ESPRIT_CHIP_ESP8266);
}

static guint
board_number (EspritPortItem *item)
{
  const char *id = esprit_port_item_get_id (item);
  guint64 k = 0;

  g_ascii_string_to_unsigned (id + strlen (id) - 2, 16, 1, ESPRIT_PORT_MODEL_CLASSROOM_SIZE, &k,
                              NULL);
  return (guint) k;
}

void
_esprit_port_model_classroom_init (EspritPortModel *self)
{
  self->classroom = g_list_store_new (ESPRIT_TYPE_PORT_ITEM);
  for (guint k = 1; k <= ESPRIT_PORT_MODEL_CLASSROOM_SIZE; k++)
    {
      g_autoptr(EspritPortItem) item = board_item (k);

      g_list_store_append (self->classroom, item);
    }
  g_ptr_array_add (self->items,
                   esprit_port_item_new_classroom ("classroom:esp8266",
                                                   _("Virtual classroom (8 boards)"),
                                                   ESPRIT_CHIP_ESP8266));
}

void
_esprit_port_model_classroom_dispose (EspritPortModel *self)
{
  g_clear_object (&self->classroom);
}

GListModel *
esprit_port_model_get_classroom (EspritPortModel *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_MODEL (self), NULL);
  return G_LIST_MODEL (self->classroom);
}

static gboolean
find_board (EspritPortModel *self,
            guint            k,
            guint           *position)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->classroom)); i++)
    {
      g_autoptr(EspritPortItem) item = g_list_model_get_item (G_LIST_MODEL (self->classroom), i);

      if (board_number (item) == k)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

EspritSim *
esprit_port_model_get_classroom_board (EspritPortModel *self,
                                       guint            k)
{
  g_autoptr(EspritPortItem) item = NULL;
  g_autofree char *port = NULL;
  EspritSim *sim;

  g_return_val_if_fail (ESPRIT_IS_PORT_MODEL (self), NULL);
  g_return_val_if_fail (k >= 1 && k <= ESPRIT_PORT_MODEL_CLASSROOM_SIZE, NULL);

  item = board_item (k);
  /* The name a job opens, so the same board ("?timing=1" included). */
  port = esprit_port_item_dup_open_name (item);
  sim = esprit_sim_lookup_board (self->registry, port, TRUE);
  /* Borrowed: the registry keeps the board as long as the model lives. */
  g_object_unref (sim);
  return sim;
}

void
esprit_port_model_classroom_plug (EspritPortModel *self,
                                  guint            k,
                                  gboolean         plugged)
{
  EspritSimFaults faults = ESPRIT_SIM_FAULTS_NONE;
  guint position = 0;

  g_return_if_fail (ESPRIT_IS_PORT_MODEL (self));
  g_return_if_fail (k >= 1 && k <= ESPRIT_PORT_MODEL_CLASSROOM_SIZE);

  if (find_board (self, k, &position) == plugged)
    return;
  if (plugged)
    {
      g_autoptr(EspritPortItem) item = board_item (k);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->classroom));

      /* In board order, where it was. */
      for (position = 0; position < n; position++)
        {
          g_autoptr(EspritPortItem) other = g_list_model_get_item (G_LIST_MODEL (self->classroom),
                                                                   position);

          if (board_number (other) > k)
            break;
        }
      /* A cable plugged in again: the link is back. */
      esprit_sim_set_faults (esprit_port_model_get_classroom_board (self, k), &faults);
      g_list_store_insert (self->classroom, position, item);
    }
  else
    {
      /* Pulled out: a job on it loses the link at once, as on a real hub. */
      faults.disconnect_after = 0;
      esprit_sim_set_faults (esprit_port_model_get_classroom_board (self, k), &faults);
      g_list_store_remove (self->classroom, position);
    }
}

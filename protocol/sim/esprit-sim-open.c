/* esprit-sim-open.c: "sim:<chip>?options" port names, and the "sim:" scheme
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-numbers.h"
#include "esprit-sim.h"

#define SHELF_KEY "esprit-sim-shelf"

void
esprit_sim_port_clear (EspritSimPort *port)
{
  g_clear_pointer (&port->flash_path, g_free);
  g_clear_pointer (&port->events_path, g_free);
}

gboolean
esprit_sim_port_parse (const char     *port,
                       EspritSimPort  *out,
                       GError        **error)
{
  g_auto(EspritSimPort) p = { { 0 } };
  g_auto(GStrv) parts = NULL;
  g_autofree char *chip = NULL;
  const char *query;

  g_return_val_if_fail (port != NULL, FALSE);

  if (!g_str_has_prefix (port, "sim:"))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a virtual board (those start with sim:)"), port);
      return FALSE;
    }
  query = strchr (port, '?');
  chip = g_strndup (port + 4, query ? (gsize) (query - port - 4) : strlen (port + 4));
  if (!esprit_chip_parse (chip, &p.config.chip) || p.config.chip == ESPRIT_CHIP_AUTO)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                   _("Unknown virtual board “%s” (try sim:esp8266 or sim:esp32)"), chip);
      return FALSE;
    }
  p.config.lines_wired = TRUE;
  parts = g_strsplit (query ? query + 1 : "", "&", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *key = g_strndup (parts[i], eq ? (gsize) (eq - parts[i]) : strlen (parts[i]));
      const char *value = eq ? eq + 1 : "";
      gboolean good = TRUE;

      if (*parts[i] == '\0')
        continue;
      if (g_str_equal (key, "flash") && *value != '\0')
        {
          g_free (p.flash_path);
          p.flash_path = g_strdup (value);
        }
      else if (g_str_equal (key, "events") && *value != '\0')
        {
          g_free (p.events_path);
          p.events_path = g_strdup (value);
        }
      else if (g_str_equal (key, "size"))
        good = esprit_parse_size (value, _("Flash size"), &p.config.flash_size, NULL);
      else if (g_str_equal (key, "mac"))
        good = esprit_parse_mac (value, p.config.mac, NULL);
      else if (g_str_equal (key, "timing"))
        p.config.timing = g_str_equal (value, "1") || g_str_equal (value, "true");
      else if (g_str_equal (key, "lines"))
        p.config.lines_wired = !g_str_equal (value, "0");
      else
        good = FALSE;
      if (!good)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("Bad virtual board option “%s” (known: flash=FILE, size=4MB, "
                         "mac=aa:bb:cc:dd:ee:ff, timing=1, lines=0, events=FILE)"), parts[i]);
          return FALSE;
        }
    }
  p.config.flash_path = p.flash_path;
  p.config.events_path = p.events_path;
  *out = p;
  memset (&p, 0, sizeof p);
  return TRUE;
}

EspritSim *
esprit_sim_new_for_port (const char  *port,
                         GError     **error)
{
  g_auto(EspritSimPort) p = { { 0 } };

  if (!esprit_sim_port_parse (port, &p, error))
    return NULL;
  return esprit_sim_new (&p.config, error);
}

/* The boards a registry keeps (keep_boards): the same name opens the same board again. */
typedef struct {
  GMutex      lock;
  gboolean    keep;
  GHashTable *boards;   /* port name -> EspritSim */
} Shelf;

static void
shelf_free (gpointer data)
{
  Shelf *shelf = data;

  g_hash_table_unref (shelf->boards);
  g_mutex_clear (&shelf->lock);
  g_free (shelf);
}

static EspritSim *
shelf_get (Shelf       *shelf,
           const char  *port,
           gboolean     create,
           GError     **error)
{
  EspritSim *sim;

  g_mutex_lock (&shelf->lock);
  sim = g_hash_table_lookup (shelf->boards, port);
  if (sim != NULL)
    g_object_ref (sim);
  else if (create)
    {
      sim = esprit_sim_new_for_port (port, error);
      if (sim != NULL && shelf->keep)
        g_hash_table_insert (shelf->boards, g_strdup (port), g_object_ref (sim));
    }
  g_mutex_unlock (&shelf->lock);
  return sim;
}

static EspritTransport *
open_sim (const char  *port,
          guint        baud,
          gpointer     user_data,
          GError     **error)
{
  g_autoptr(EspritSim) sim = shelf_get (user_data, port, TRUE, error);

  if (sim == NULL)
    return NULL;
  return esprit_sim_transport_new (sim, baud);
}

void
esprit_sim_register_scheme (EspritPortRegistry *registry,
                            gboolean            keep_boards)
{
  Shelf *shelf = g_new0 (Shelf, 1);

  g_mutex_init (&shelf->lock);
  shelf->keep = keep_boards;
  shelf->boards = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  /* The registry owns the shelf through the scheme; the data key only finds it again. */
  g_object_set_data (G_OBJECT (registry), SHELF_KEY, shelf);
  esprit_port_registry_add_scheme (registry, "sim:", open_sim, shelf, shelf_free);
}

EspritSim *
esprit_sim_lookup_board (EspritPortRegistry *registry,
                         const char         *port,
                         gboolean            create)
{
  Shelf *shelf = g_object_get_data (G_OBJECT (registry), SHELF_KEY);

  g_return_val_if_fail (shelf != NULL, NULL);
  return shelf_get (shelf, port, create && shelf->keep, NULL);
}

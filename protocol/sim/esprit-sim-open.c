/* esprit-sim-open.c: "sim:<chip>?options" port names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-sim.h"

gboolean
esprit_sim_parse_size (const char *text,
                       guint32    *size)
{
  char *end = NULL;
  guint64 v;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  v = g_ascii_strtoull (text, &end, 0);
  if (g_ascii_strcasecmp (end, "MB") == 0 || g_ascii_strcasecmp (end, "M") == 0)
    v *= 1024 * 1024;
  else if (g_ascii_strcasecmp (end, "KB") == 0 || g_ascii_strcasecmp (end, "K") == 0)
    v *= 1024;
  else if (*end != '\0')
    return FALSE;
  if (v == 0 || v > G_MAXUINT32)
    return FALSE;
  *size = (guint32) v;
  return TRUE;
}

gboolean
esprit_sim_parse_mac (const char *text,
                      guint8      mac[6])
{
  unsigned int b[6];
  char tail;

  if (sscanf (text, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
    return FALSE;
  for (int i = 0; i < 6; i++)
    {
      if (b[i] > 0xFF)
        return FALSE;
      mac[i] = (guint8) b[i];
    }
  return TRUE;
}

EspritTransport *
esprit_sim_open_port (const char  *port,
                      guint        baud,
                      GError     **error)
{
  EspritSimConfig config = { 0 };
  g_autoptr(EspritSim) sim = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *flash = NULL;
  const char *query;
  g_autofree char *chip = NULL;

  if (!g_str_has_prefix (port, "sim:"))
    return esprit_transport_open (port, baud, error);

  query = strchr (port, '?');
  chip = g_strndup (port + 4, query ? (gsize) (query - port - 4) : strlen (port + 4));
  config.chip = esprit_chip_from_name (chip);
  if (config.chip < 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                   _("Unknown virtual board “%s” (try sim:esp8266 or sim:esp32)"), chip);
      return NULL;
    }
  config.lines_wired = TRUE;
  parts = g_strsplit (query ? query + 1 : "", "&", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *key = g_strndup (parts[i], eq ? (gsize) (eq - parts[i]) : strlen (parts[i]));
      const char *value = eq ? eq + 1 : "";
      gboolean good = TRUE;

      if (*parts[i] == '\0')
        continue;
      if (g_str_equal (key, "flash"))
        {
          g_free (flash);
          flash = g_strdup (value);
        }
      else if (g_str_equal (key, "size"))
        good = esprit_sim_parse_size (value, &config.flash_size);
      else if (g_str_equal (key, "mac"))
        good = esprit_sim_parse_mac (value, config.mac);
      else if (g_str_equal (key, "timing"))
        config.timing = g_str_equal (value, "1") || g_str_equal (value, "true");
      else if (g_str_equal (key, "lines"))
        config.lines_wired = !g_str_equal (value, "0");
      else
        good = FALSE;
      if (!good)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("Bad virtual board option “%s”"), parts[i]);
          return NULL;
        }
    }
  config.flash_path = flash;
  sim = esprit_sim_new (&config, error);
  if (sim == NULL)
    return NULL;
  return esprit_sim_transport_new (sim, baud);
}

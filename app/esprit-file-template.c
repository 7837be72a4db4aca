/* esprit-file-template.c: file names for many boards at once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-file-template"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esprit-error.h"
#include "esprit-file-template.h"

static const char *const fields[] = { "mac", "chip", "port", "date" };

gboolean
esprit_file_template_check (const char  *template,
                            gboolean    *has_fields,
                            gboolean    *per_board,
                            GError     **error)
{
  const char *p = template;

  *has_fields = FALSE;
  *per_board = FALSE;
  while ((p = strchr (p, '{')) != NULL)
    {
      const char *close = strchr (p, '}');
      gboolean known = FALSE;

      if (close == NULL)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("%s: a { without its }"), template);
          return FALSE;
        }
      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        if ((gsize) (close - p - 1) == strlen (fields[i]) &&
            strncmp (p + 1, fields[i], close - p - 1) == 0)
          {
            known = TRUE;
            /* A MAC or a port tells boards apart; a chip or a date does not. */
            if (i == 0 || i == 2)
              *per_board = TRUE;
          }
      if (!known)
        {
          g_autofree char *field = g_strndup (p, close - p + 1);

          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("%s: unknown field %s (use {mac}, {chip}, {port} or {date})"),
                       template, field);
          return FALSE;
        }
      *has_fields = TRUE;
      p = close + 1;
    }
  return TRUE;
}

char *
esprit_file_template_expand (const char *template,
                             const char *mac,
                             const char *chip,
                             const char *port,
                             GDateTime  *date)
{
  GString *out = g_string_new (NULL);
  const char *p = template;

  while (*p != '\0')
    {
      if (g_str_has_prefix (p, "{mac}"))
        {
          /* Without colons: they are awkward in file names (and on FAT sticks). */
          for (const char *m = mac ? mac : "unknown"; *m != '\0'; m++)
            if (*m != ':')
              g_string_append_c (out, *m);
          p += 5;
        }
      else if (g_str_has_prefix (p, "{chip}"))
        {
          g_autofree char *lower = g_ascii_strdown (chip ? chip : "unknown", -1);

          g_string_append (out, lower);
          p += 6;
        }
      else if (g_str_has_prefix (p, "{port}"))
        {
          g_autofree char *name = g_strdelimit (g_strdup (port ? port : "unknown"), "/:", '-');

          g_string_append (out, name);
          p += 6;
        }
      else if (g_str_has_prefix (p, "{date}"))
        {
          g_autofree char *text = g_date_time_format (date, "%Y-%m-%d");

          g_string_append (out, text);
          p += 6;
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

void
esprit_file_template_collision (GError     **error,
                                const char  *file)
{
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
               _("Another board would also be backed up to %s: put {mac} or {port} in the "
                 "file name"), file);
}

gboolean
esprit_file_template_unique (GPtrArray  *names,
                             GError    **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < names->len; i++)
    if (!g_hash_table_add (seen, names->pdata[i]))
      {
        esprit_file_template_collision (error, names->pdata[i]);
        return FALSE;
      }
  return TRUE;
}

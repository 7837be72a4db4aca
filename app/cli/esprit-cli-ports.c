/* esprit-cli-ports.c: which ports a run takes (--ports all|GLOB|@FILE), their short names,
 * and read_flash's file-name templates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "esprit-cli-private.h"
#include "esprit-error.h"
#include "esprit-file-template.h"
#include "esprit-port-list.h"

static void
add_unique (GPtrArray  *out,
            const char *port)
{
  for (guint i = 0; i < out->len; i++)
    if (g_str_equal (out->pdata[i], port))
      return;
  g_ptr_array_add (out, g_strdup (port));
}

gboolean
esprit_cli_expand_ports (const char  *spec,
                         GPtrArray   *out,
                         GError     **error)
{
  if (g_str_equal (spec, "all"))
    {
      g_autoptr(GPtrArray) ports = esprit_port_list ();

      /* Only bridges ESP boards carry: not a modem, not a GPS mouse on the same machine. */
      for (guint i = 0; i < ports->len; i++)
        {
          EspritPortInfo *p = ports->pdata[i];

          if (esprit_port_is_esp_bridge (p->vid, p->pid))
            add_unique (out, p->path);
        }
    }
  else if (spec[0] == '@')
    {
      g_autofree char *text = NULL;
      g_autoptr(GError) local = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (spec + 1, &text, NULL, &local))
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT, _("Cannot read %s: %s"),
                       spec + 1, local->message);
          return FALSE;
        }
      /* One port a line; blank lines and # comments are skipped. */
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          char *hash = strchr (lines[i], '#');

          if (hash != NULL)
            *hash = '\0';
          g_strstrip (lines[i]);
          if (lines[i][0] != '\0')
            add_unique (out, lines[i]);
        }
    }
  else if (strpbrk (spec, "*?[") != NULL)
    {
      glob_t g = { 0 };

      /* No match is no board (yet): --watch waits for them. A symlink whose pty went away
       * is a board unplugged. */
      if (glob (spec, 0, NULL, &g) == 0)
        for (gsize i = 0; i < g.gl_pathc; i++)
          if (g_file_test (g.gl_pathv[i], G_FILE_TEST_EXISTS))
            add_unique (out, g.gl_pathv[i]);
      globfree (&g);
    }
  else
    add_unique (out, spec);
  return TRUE;
}

char *
esprit_cli_port_name (const char *port,
                      guint       sim_number)
{
  const char *scheme_end = strstr (port, "://");

  if (g_str_has_prefix (port, "sim:"))
    return g_strdup_printf ("sim-%u", sim_number);
  if (scheme_end != NULL)
    return g_strdup (scheme_end + 3);
  if (g_str_has_prefix (port, "/dev/pts/"))
    return g_strdup (port + strlen ("/dev/"));
  return g_path_get_basename (port);
}

GPtrArray *
esprit_cli_port_names (GPtrArray *ports)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  guint sims = 0;

  for (guint i = 0; i < ports->len; i++)
    {
      const char *port = ports->pdata[i];

      g_ptr_array_add (names, esprit_cli_port_name (port, g_str_has_prefix (port, "sim:")
                                                          ? ++sims : 0));
    }
  return names;
}

static char *
canonical (const char *port)
{
  char *real;

  if (strstr (port, ":") != NULL)
    return g_strdup (port);
  real = realpath (port, NULL);
  if (real == NULL)
    return g_strdup (port);
  return real;
}

gboolean
esprit_cli_find_duplicate (GPtrArray  *ports,
                           char      **dup)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < ports->len; i++)
    {
      char *c = canonical (ports->pdata[i]);

      /* Virtual boards are new boards each time they are opened: never one board twice. */
      if (g_str_has_prefix (c, "sim:") && strstr (c, "flash=") == NULL)
        {
          g_free (c);
          continue;
        }
      if (!g_hash_table_add (seen, c))
        {
          *dup = g_strdup (ports->pdata[i]);
          return TRUE;
        }
    }
  return FALSE;
}

char *
esprit_cli_template_expand (const char     *template,
                            EspritCliBoard *board)
{
  return esprit_file_template_expand (template, board->mac, board->chip, board->name,
                                      board->cli->started);
}

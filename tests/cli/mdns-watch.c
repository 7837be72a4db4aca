/* mdns-watch.c: prints "+NAME ADDRESS PORT" and "-NAME" as EspritMdnsBrowser sees boards come
 * and go, for test-cli-ota-mdns.sh; exits after SECONDS (default 20)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "esprit-mdns.h"

static GHashTable *shown;

static void
on_changed (EspritMdnsBrowser *browser,
            gpointer           user_data)
{
  g_autoptr(GPtrArray) boards = esprit_mdns_browser_dup_boards (browser);
  g_autoptr(GHashTable) now = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < boards->len; i++)
    {
      EspritMdnsBoard *b = g_ptr_array_index (boards, i);

      g_hash_table_add (now, g_strdup (b->name));
      if (!g_hash_table_contains (shown, b->name))
        {
          printf ("+%s %s %u\n", b->name, b->address, b->port);
          g_hash_table_add (shown, g_strdup (b->name));
        }
    }
  g_hash_table_iter_init (&iter, shown);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (now, key))
      {
        printf ("-%s\n", (char *) key);
        g_hash_table_iter_remove (&iter);
      }
  fflush (stdout);
}

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(EspritMdnsBrowser) browser = NULL;
  g_autoptr(GError) error = NULL;

  shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  browser = esprit_mdns_browser_new (&error);
  if (browser == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  g_signal_connect (browser, "changed", G_CALLBACK (on_changed), NULL);
  g_timeout_add_seconds (argc > 1 ? atoi (argv[1]) : 20, quit, loop);
  g_main_loop_run (loop);
  g_hash_table_unref (shown);
  return 0;
}

/* esprit-sim-classroom.c: N virtual boards from one esprit-sim, for classroom tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <glib-unix.h>
#include <stdio.h>
#include <string.h>

#include "esprit-numbers.h"
#include "esprit-sim-classroom.h"
#include "esprit-sim-server.h"

static volatile gint stop_flag;

typedef struct {
  EspritSim *sim;
  GSocket   *listener;
  int        master;
  gboolean   rfc2217;
  GThread   *thread;
  char      *count_file;
} Board;

void
esprit_sim_write_counts (EspritSim  *sim,
                         const char *path)
{
  g_autofree char *text = NULL;
  guint64 to_board, to_host;

  esprit_sim_get_wire_counts (sim, &to_board, &to_host);
  text = g_strdup_printf ("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n", to_board, to_host);
  g_file_set_contents (path, text, -1, NULL);
}

typedef struct {
  Board *boards;
  guint  n;
} Classroom;

static gboolean
write_all_counts (gpointer data)
{
  Classroom *c = data;

  for (guint k = 0; k < c->n; k++)
    if (c->boards[k].count_file != NULL)
      esprit_sim_write_counts (c->boards[k].sim, c->boards[k].count_file);
  return G_SOURCE_CONTINUE;
}

static gpointer
serve_thread (gpointer data)
{
  Board *b = data;

  if (b->master >= 0)
    esprit_sim_serve_pty (b->sim, b->master, &stop_flag);
  else
    esprit_sim_serve_tcp (b->sim, b->listener, b->rfc2217, &stop_flag);
  return NULL;
}

static gboolean
on_signal (gpointer data)
{
  g_atomic_int_set (&stop_flag, 1);
  g_main_context_wakeup (NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
parse_value (const char *text,
             gint64     *out)
{
  char *end = NULL;
  gint64 v = g_ascii_strtoll (text, &end, 0);

  if (end == text || *end != '\0' || v < 0)
    return FALSE;
  *out = v;
  return TRUE;
}

/* "NAME=N,NAME=N" onto @faults; the names are esprit-sim's fault options. */
static gboolean
parse_faults (const char      *spec,
              EspritSimFaults *faults)
{
  g_auto(GStrv) parts = g_strsplit (spec, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *eq = strchr (parts[i], '=');
      const char *name = parts[i];
      gint64 v;

      if (eq == NULL)
        return FALSE;
      *eq = '\0';
      if (g_str_has_prefix (name, "--"))
        name += 2;
      if (!parse_value (eq + 1, &v))
        return FALSE;
      if (g_str_equal (name, "noise-before-sync"))
        faults->noise_before_sync = (guint) v;
      else if (g_str_equal (name, "corrupt-tx-byte"))
        faults->corrupt_tx_byte = v;
      else if (g_str_equal (name, "corrupt-rx-byte"))
        faults->corrupt_rx_byte = v;
      else if (g_str_equal (name, "drop-frame"))
        faults->drop_frame = (gint) v;
      else if (g_str_equal (name, "stall-after"))
        faults->stall_after_bytes = v;
      else if (g_str_equal (name, "stall-ms"))
        faults->stall_ms = (guint) v;
      else if (g_str_equal (name, "disconnect-after"))
        faults->disconnect_after = v;
      else if (g_str_equal (name, "unplug-after"))
        faults->unplug_after = v;
      else
        return FALSE;
    }
  return TRUE;
}

static char *
board_path (const char *path,
            guint       k)
{
  if (path == NULL)
    return NULL;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *base = g_strdup_printf ("board-%u.bin", k);

      return g_build_filename (path, base, NULL);
    }
  return g_strdup_printf ("%s-%u", path, k);
}

static void
mac_add (guint8 mac[6],
         guint  n)
{
  /* Count up in the device half (the OUI stays the vendor's). */
  guint32 low = ((guint32) mac[3] << 16 | (guint32) mac[4] << 8 | mac[5]) + n;

  mac[3] = (low >> 16) & 0xFF;
  mac[4] = (low >> 8) & 0xFF;
  mac[5] = low & 0xFF;
}

int
esprit_sim_classroom_main (const EspritSimConfig *config,
                           const EspritSimFaults *faults,
                           const char            *listen,
                           guint                  n_boards,
                           char                 **board_faults,
                           const char            *count_file)
{
  Classroom classroom;
  g_autofree Board *boards = NULL;
  g_autofree EspritSimFaults *each = NULL;
  guint8 mac[6];
  guint16 next_port = 0;
  gboolean tcp = g_str_has_prefix (listen, "socket://") || g_str_has_prefix (listen, "rfc2217://");

  if (n_boards == 0 || n_boards > 256)
    {
      fprintf (stderr, "esprit-sim: --boards takes 1 to 256\n");
      return 2;
    }
  if (!tcp && !g_str_equal (listen, "pty"))
    {
      fprintf (stderr, "esprit-sim: --listen takes pty, socket://HOST:PORT or rfc2217://HOST:PORT\n");
      return 2;
    }
  if (tcp)
    {
      const char *colon = strrchr (strstr (listen, "://") + 3, ':');
      gint64 port = 0;

      if (colon == NULL || !parse_value (colon + 1, &port) || port + n_boards - 1 > 65535)
        {
          fprintf (stderr, "esprit-sim: --listen %s needs HOST:PORT\n", listen);
          return 2;
        }
      next_port = (guint16) port;
    }
  each = g_new (EspritSimFaults, n_boards);
  for (guint k = 0; k < n_boards; k++)
    each[k] = *faults;
  for (guint i = 0; board_faults != NULL && board_faults[i] != NULL; i++)
    {
      char *end = NULL;
      guint64 k = g_ascii_strtoull (board_faults[i], &end, 10);

      if (end == board_faults[i] || *end != ':' || k < 1 || k > n_boards ||
          !parse_faults (end + 1, &each[k - 1]))
        {
          fprintf (stderr, "esprit-sim: --board-faults %s: use K:NAME=N[,NAME=N] with K from 1 "
                   "to %u and NAME a fault option (disconnect-after, stall-after...)\n",
                   board_faults[i], n_boards);
          return 2;
        }
    }

  boards = g_new0 (Board, n_boards);
  memcpy (mac, config->mac, 6);
  for (guint k = 0; k < n_boards; k++)
    {
      Board *b = &boards[k];
      EspritSimConfig c = *config;
      g_autofree char *flash = board_path (config->flash_path, k + 1);
      g_autofree char *events = board_path (config->events_path, k + 1);
      g_autofree char *where = NULL;
      g_autoptr(GError) error = NULL;

      c.flash_path = flash;
      c.events_path = events;
      memcpy (c.mac, mac, 6);
      if (k > 0)
        mac_add (c.mac, k);
      b->sim = esprit_sim_new (&c, &error);
      if (b->sim == NULL)
        {
          fprintf (stderr, "esprit-sim: board %u: %s\n", k + 1, error->message);
          return 1;
        }
      /* The first board's MAC (the chip's default unless --mac) is the one counted from. */
      if (k == 0)
        memcpy (mac, esprit_sim_get_config (b->sim)->mac, 6);
      esprit_sim_set_faults (b->sim, &each[k]);
      /* FILE-1, FILE-2...: each board's own counts. */
      b->count_file = count_file ? g_strdup_printf ("%s-%u", count_file, k + 1) : NULL;
      b->master = -1;
      if (!tcp)
        {
          b->master = esprit_sim_pty_open (&where, &error);
          if (b->master < 0)
            {
              fprintf (stderr, "esprit-sim: %s\n", error->message);
              return 1;
            }
        }
      else
        {
          guint16 p = next_port ? (guint16) (next_port + k) : 0;

          b->rfc2217 = g_str_has_prefix (listen, "rfc2217://");
          b->listener = esprit_sim_listen_tcp (&p, &error);
          if (b->listener == NULL)
            {
              fprintf (stderr, "esprit-sim: %s\n", error->message);
              return 1;
            }
          where = g_strdup_printf ("%s127.0.0.1:%u", b->rfc2217 ? "rfc2217://" : "socket://", p);
        }
      /* One line per board, in order: tests and scripts read them. */
      printf ("%s\n", where);
    }
  fflush (stdout);

  g_unix_signal_add (SIGINT, on_signal, NULL);
  g_unix_signal_add (SIGTERM, on_signal, NULL);
  classroom.boards = boards;
  classroom.n = n_boards;
  if (count_file != NULL)
    {
      write_all_counts (&classroom);
      g_timeout_add (50, write_all_counts, &classroom);
    }
  for (guint k = 0; k < n_boards; k++)
    boards[k].thread = g_thread_new ("sim-serve", serve_thread, &boards[k]);
  while (!g_atomic_int_get (&stop_flag))
    g_main_context_iteration (NULL, TRUE);
  for (guint k = 0; k < n_boards; k++)
    g_thread_join (boards[k].thread);
  write_all_counts (&classroom);
  for (guint k = 0; k < n_boards; k++)
    {
      g_clear_object (&boards[k].listener);
      g_clear_object (&boards[k].sim);
      g_free (boards[k].count_file);
    }
  return 0;
}

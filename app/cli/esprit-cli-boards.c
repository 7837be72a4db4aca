/* esprit-cli-boards.c: one command on many boards at once (a classroom, a production line)
 *
 * Each board gets its own EspritSession in its own thread; a board that fails does not stop
 * the others unless --fail-fast, which cancels them all through one GCancellable. With
 * --watch an EspritPortMonitor says when ports come and go (udev events, else polling; the
 * --ports globs and files are polled, ptys raise no events) and every board that appears
 * gets the command once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "esprit-cli-private.h"
#include "esprit-error.h"
#include "esprit-file-template.h"
#include "esprit-port-monitor.h"

/* How often --watch looks for new boards where nothing tells it. */
#define WATCH_INTERVAL_MS 1000
#define REDRAW_INTERVAL_MS 100

typedef struct {
  EspritCli    *cli;
  EspritCliJob *job;
  GPtrArray    *boards;           /* every board of the run, in order */
  GCancellable *cancellable;
  GMutex        lock;
  GCond         cond;
  /* read_flash with several boards: the file names, checked once every board is connected. */
  guint         pending;          /* boards not yet connected (or failed) */
  GHashTable   *files;            /* file name → number of boards */
  gboolean      collision;
  /* --watch */
  GHashTable   *present;          /* port → its board, while the port is there */
  GHashTable   *done_macs;        /* boards done in this run */
  EspritPortMonitor *monitor;
  gint          finished;         /* a board ended: look at the ports again */
  gboolean      stop;
  gint          running;
} Runner;

typedef struct {
  Runner         *runner;
  EspritCliBoard *board;
} BoardTask;

static gboolean
is_read (EspritCliJob *job)
{
  return job->file != NULL;
}

/* Gives @board its file name; without --watch waits until every board has one and refuses
 * all of them if two share a name, before anything is read. */
static gboolean
claim_file (Runner          *r,
            EspritCliBoard  *board,
            gboolean         connected,
            GError         **error)
{
  gboolean collision = FALSE;

  g_mutex_lock (&r->lock);
  if (connected)
    {
      board->file = esprit_cli_template_expand (r->job->file, board);
      if (r->cli->watch)
        collision = g_hash_table_contains (r->files, board->file);
      g_hash_table_insert (r->files, g_strdup (board->file),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (r->files,
                                                                                    board->file))
                                             + 1));
    }
  if (!r->cli->watch)
    {
      if (--r->pending == 0)
        {
          GHashTableIter iter;
          gpointer count;

          g_hash_table_iter_init (&iter, r->files);
          while (g_hash_table_iter_next (&iter, NULL, &count))
            if (GPOINTER_TO_UINT (count) > 1)
              r->collision = TRUE;
          g_cond_broadcast (&r->cond);
        }
      while (r->pending > 0)
        g_cond_wait (&r->cond, &r->lock);
      collision = connected && GPOINTER_TO_UINT (g_hash_table_lookup (r->files, board->file)) > 1;
    }
  g_mutex_unlock (&r->lock);
  if (collision)
    {
      esprit_file_template_collision (error, board->file);
      return FALSE;
    }
  return TRUE;
}

static gboolean
already_done (Runner         *r,
              EspritCliBoard *board)
{
  gboolean done;

  g_mutex_lock (&r->lock);
  done = r->cli->watch && board->mac != NULL && g_hash_table_contains (r->done_macs, board->mac);
  g_mutex_unlock (&r->lock);
  return done;
}

static gpointer
board_thread (gpointer data)
{
  BoardTask *task = data;
  Runner *r = task->runner;
  EspritCliBoard *board = task->board;
  EspritCli *cli = r->cli;
  g_autoptr(GError) error = NULL;
  gboolean ok, skipped = FALSE;

  ok = esprit_cli_connect (board, r->cancellable, &error);
  if (is_read (r->job) && !claim_file (r, board, ok, ok ? &error : NULL))
    {
      /* Connected, then refused: the board still leaves its loader as --after says. */
      if (ok)
        esprit_cli_finish (board, r->cancellable, NULL);
      ok = FALSE;
    }
  /* A board that stays plugged in (or comes back) is not done twice. */
  if (ok && already_done (r, board))
    skipped = TRUE;
  else if (ok)
    ok = r->job->cmd->run (board, r->job, r->cancellable, &error) &&
         (r->job->cmd->no_finish || esprit_cli_finish (board, r->cancellable, &error));
  if (board->session != NULL)
    esprit_session_close (board->session);

  g_mutex_lock (&cli->print_lock);
  board->end = g_get_monotonic_time ();
  board->ok = ok;
  board->skipped = skipped;
  board->error = g_steal_pointer (&error);
  board->finished = TRUE;
  g_mutex_unlock (&cli->print_lock);
  if (ok && !skipped && board->mac != NULL)
    {
      g_mutex_lock (&r->lock);
      g_hash_table_add (r->done_macs, g_strdup (board->mac));
      g_mutex_unlock (&r->lock);
    }
  if (!ok && cli->fail_fast)
    g_cancellable_cancel (r->cancellable);
  esprit_cli_report_result (board);
  g_free (task);
  g_atomic_int_set (&r->finished, 1);
  g_atomic_int_dec_and_test (&r->running);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
start_board (Runner     *r,
             const char *port,
             const char *name)
{
  EspritCliBoard *board = esprit_cli_board_new (r->cli, port, name, r->boards->len);
  BoardTask *task = g_new0 (BoardTask, 1);

  task->runner = r;
  task->board = board;
  board->start = g_get_monotonic_time ();
  g_ptr_array_add (r->boards, board);
  g_atomic_int_inc (&r->running);
  board->thread = g_thread_new ("board", board_thread, task);
}

static gboolean
redraw (gpointer data)
{
  Runner *r = data;

  esprit_cli_redraw (r->cli, r->boards, FALSE);
  return G_SOURCE_CONTINUE;
}

static GPtrArray *
current_ports (Runner *r)
{
  EspritCli *cli = r->cli;
  GPtrArray *ports = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < cli->ports->len; i++)
    g_ptr_array_add (ports, g_strdup (cli->ports->pdata[i]));
  for (guint i = 0; i < cli->port_specs->len; i++)
    {
      const char *spec = cli->port_specs->pdata[i];

      /* "all": the ESP bridges the monitor knows of, as udev or the poll found them. */
      if (g_str_equal (spec, "all"))
        {
          g_autoptr(GPtrArray) known = esprit_port_monitor_dup_ports (r->monitor);

          for (guint k = 0; k < known->len; k++)
            {
              EspritPortInfo *p = known->pdata[k];

              if (esprit_port_is_esp_bridge (p->vid, p->pid) &&
                  !g_ptr_array_find_with_equal_func (ports, p->path, g_str_equal, NULL))
                g_ptr_array_add (ports, g_strdup (p->path));
            }
        }
      else
        esprit_cli_expand_ports (spec, ports, NULL);
    }
  return ports;
}

static gboolean
board_finished (EspritCliBoard *board)
{
  gboolean finished;

  g_mutex_lock (&board->cli->print_lock);
  finished = board->finished;
  g_mutex_unlock (&board->cli->print_lock);
  return finished;
}

/* --watch: boards that left are forgotten (by port; their MAC stays done), new ones start. */
static void
look_at_ports (Runner *r)
{
  g_autoptr(GPtrArray) ports = NULL;
  g_autoptr(GHashTable) now = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;

  if (r->stop)
    return;
  ports = current_ports (r);
  for (guint i = 0; i < ports->len; i++)
    g_hash_table_add (now, ports->pdata[i]);
  g_hash_table_iter_init (&iter, r->present);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (now, key) && board_finished (value))
      g_hash_table_iter_remove (&iter);
  for (guint i = 0; i < ports->len; i++)
    {
      const char *port = ports->pdata[i];
      g_autofree char *name = NULL;

      if (g_hash_table_contains (r->present, port))
        continue;
      name = esprit_cli_port_name (port, r->boards->len + 1);
      start_board (r, port, name);
      g_hash_table_insert (r->present, g_strdup (port), r->boards->pdata[r->boards->len - 1]);
    }
}

static void
on_port_changed (EspritPortMonitor *monitor,
                 EspritPortInfo    *info,
                 Runner            *r)
{
  look_at_ports (r);
}

/* What --watch follows: the system's ports, and the paths the --ports globs and files name
 * (polled by the monitor: a pty or a symlink to one raises no udev event). */
static void
watch_ports (Runner *r)
{
  EspritCli *cli = r->cli;

  r->monitor = esprit_port_monitor_new (ESPRIT_PORT_MONITOR_AUTO);
  esprit_port_monitor_set_interval (r->monitor, WATCH_INTERVAL_MS);
  for (guint i = 0; i < cli->port_specs->len; i++)
    {
      const char *spec = cli->port_specs->pdata[i];

      if (spec[0] == '@')
        {
          g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func (g_free);

          esprit_cli_expand_ports (spec, listed, NULL);
          for (guint k = 0; k < listed->len; k++)
            if (g_path_is_absolute (listed->pdata[k]))
              esprit_port_monitor_add_pattern (r->monitor, listed->pdata[k]);
        }
      else if (!g_str_equal (spec, "all"))
        esprit_port_monitor_add_pattern (r->monitor, spec);
    }
  g_signal_connect (r->monitor, "port-added", G_CALLBACK (on_port_changed), r);
  g_signal_connect (r->monitor, "port-removed", G_CALLBACK (on_port_changed), r);
  look_at_ports (r);
}

static gboolean
on_interrupt (gpointer data)
{
  Runner *r = data;

  /* Ctrl+C: no new boards; the ones at work stop cleanly; then the summary. */
  r->stop = TRUE;
  g_cancellable_cancel (r->cancellable);
  g_main_context_wakeup (NULL);
  return G_SOURCE_CONTINUE;
}

static int
run_many (EspritCli    *cli,
          EspritCliJob *job,
          GPtrArray    *ports)
{
  Runner r = { 0 };
  g_autoptr(GPtrArray) names = esprit_cli_port_names (ports);
  guint redraw_id = 0, sigint_id = 0;
  gboolean all_ok = TRUE;

  r.cli = cli;
  r.job = job;
  r.boards = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_cli_board_free);
  r.cancellable = g_cancellable_new ();
  g_mutex_init (&r.lock);
  g_cond_init (&r.cond);
  r.files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r.present = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r.done_macs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (cli->watch)
    watch_ports (&r);
  else
    {
      r.pending = ports->len;
      for (guint i = 0; i < ports->len; i++)
        start_board (&r, ports->pdata[i], names->pdata[i]);
    }
  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, &r);
  if (cli->output == ESPRIT_CLI_OUTPUT_LIVE)
    redraw_id = g_timeout_add (REDRAW_INTERVAL_MS, redraw, &r);

  while (g_atomic_int_get (&r.running) > 0 || (cli->watch && !r.stop))
    {
      g_main_context_iteration (NULL, TRUE);
      /* A board whose port left while it worked is forgotten once it ends, so that it is
       * taken again when it comes back (no event may follow to say so). */
      if (cli->watch && g_atomic_int_exchange (&r.finished, 0))
        look_at_ports (&r);
    }

  for (guint i = 0; i < r.boards->len; i++)
    {
      EspritCliBoard *b = r.boards->pdata[i];

      g_thread_join (g_steal_pointer (&b->thread));
      if (!b->ok)
        all_ok = FALSE;
    }
  if (redraw_id)
    {
      g_source_remove (redraw_id);
      esprit_cli_redraw (cli, r.boards, TRUE);
    }
  if (r.monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (r.monitor, &r);
      g_clear_object (&r.monitor);
    }
  g_source_remove (sigint_id);
  esprit_cli_print_summary (cli, r.boards);

  g_ptr_array_unref (r.boards);
  g_object_unref (r.cancellable);
  g_hash_table_unref (r.files);
  g_hash_table_unref (r.present);
  g_hash_table_unref (r.done_macs);
  g_mutex_clear (&r.lock);
  g_cond_clear (&r.cond);
  if (r.collision)
    return ESPRIT_CLI_EXIT_BAD_INPUT;
  return all_ok ? 0 : 1;
}

/* One board: esptool's output (or --json), in this thread. */
static int
run_one (EspritCli    *cli,
         EspritCliJob *job,
         const char   *port)
{
  g_autofree char *name = esprit_cli_port_name (port, 1);
  EspritCliBoard *board = esprit_cli_board_new (cli, port, name, 0);
  g_autoptr(GError) error = NULL;
  gboolean ok;
  int status = 0;

  cli->plain = board;
  board->start = g_get_monotonic_time ();
  ok = esprit_cli_connect (board, NULL, &error);
  if (ok && is_read (job))
    board->file = esprit_cli_template_expand (job->file, board);
  ok = ok && job->cmd->run (board, job, NULL, &error) &&
       (job->cmd->no_finish || esprit_cli_finish (board, NULL, &error));
  board->end = g_get_monotonic_time ();
  board->ok = ok;
  board->finished = TRUE;
  if (!ok)
    {
      status = esprit_cli_fail (cli, error);
      board->error = g_steal_pointer (&error);
    }
  esprit_cli_report_result (board);
  cli->plain = NULL;
  esprit_cli_board_free (board);
  return status;
}

int
esprit_cli_run_boards (EspritCli    *cli,
                       EspritCliJob *job)
{
  g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *dup = NULL;
  gboolean fields = FALSE, per_board = FALSE;

  /* A production line with nothing named watches every ESP bridge. */
  if (cli->watch && cli->ports->len == 0 && cli->port_specs->len == 0)
    g_ptr_array_add (cli->port_specs, g_strdup ("all"));
  for (guint i = 0; i < cli->ports->len; i++)
    g_ptr_array_add (ports, g_strdup (cli->ports->pdata[i]));
  /* A port given twice is refused before anything is opened, also as two spellings. */
  if (esprit_cli_find_duplicate (ports, &dup))
    return esprit_cli_bad_input (_("Port %s is given more than once"), dup);
  for (guint i = 0; i < cli->port_specs->len; i++)
    if (!esprit_cli_expand_ports (cli->port_specs->pdata[i], ports, &error))
      return esprit_cli_fail (cli, error);
  if (esprit_cli_find_duplicate (ports, &dup))
    return esprit_cli_bad_input (_("Port %s is given more than once"), dup);
  if (is_read (job) && !esprit_file_template_check (job->file, &fields, &per_board, &error))
    return esprit_cli_fail (cli, error);
  if (cli->watch && is_read (job) && !fields)
    return esprit_cli_bad_input (_("--watch backs up every board it sees: give read_flash a "
                                   "file name template such as 'backup-{mac}.img'"));
  if (!cli->watch && ports->len == 0 && cli->port_specs->len > 0)
    return esprit_cli_bad_input (_("No board found for --ports %s"),
                                 (const char *) cli->port_specs->pdata[0]);

  if (!cli->watch && ports->len <= 1)
    {
      g_autofree char *port = ports->len == 1 ? g_strdup (ports->pdata[0])
                                              : esprit_cli_default_port ();

      if (cli->output != ESPRIT_CLI_OUTPUT_JSON)
        cli->output = ESPRIT_CLI_OUTPUT_PLAIN;
      if (port == NULL)
        {
          g_set_error_literal (&error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                               _("No serial port found: plug the board in, or give --port "
                                 "(sim:esp8266 is a virtual board)"));
          return esprit_cli_fail (cli, error);
        }
      esprit_cli_set_json_errors (FALSE);
      return run_one (cli, job, port);
    }
  if (is_read (job) && !fields)
    return esprit_cli_bad_input (_("Every board would be backed up to %s: put {mac} or {port} "
                                   "in the file name"), job->file);
  if (cli->output != ESPRIT_CLI_OUTPUT_JSON)
    cli->output = cli->tty ? ESPRIT_CLI_OUTPUT_LIVE : ESPRIT_CLI_OUTPUT_PREFIXED;
  esprit_cli_set_json_errors (FALSE);
  return run_many (cli, job, ports);
}

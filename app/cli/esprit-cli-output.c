/* esprit-cli-output.c: what the command line prints, and its connection to a board
 *
 * One board prints as esptool does. Several boards print whole lines behind one lock:
 * "[ttyUSB3] line" into a pipe or file, one live line per board on a terminal, or one JSON
 * object per event with --json.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>
#include <string.h>

#include "esprit-advice.h"
#include "esprit-cli-json.h"
#include "esprit-cli-private.h"
#include "esprit-enums.h"
#include "esprit-error.h"
#include "esprit-numbers.h"
#include "esprit-port-list.h"

void
esprit_cli_clear (EspritCli *cli)
{
  g_clear_pointer (&cli->ports, g_ptr_array_unref);
  g_clear_pointer (&cli->port_specs, g_ptr_array_unref);
  g_clear_pointer (&cli->started, g_date_time_unref);
}

EspritCliBoard *
esprit_cli_board_new (EspritCli  *cli,
                      const char *port,
                      const char *name,
                      guint       index)
{
  EspritCliBoard *board = g_new0 (EspritCliBoard, 1);

  board->cli = cli;
  board->port = g_strdup (port);
  board->name = g_strdup (name);
  board->index = index;
  return board;
}

void
esprit_cli_board_free (EspritCliBoard *board)
{
  if (board == NULL)
    return;
  g_clear_object (&board->session);
  g_free (board->port);
  g_free (board->name);
  g_free (board->last_progress);
  g_free (board->chip);
  g_free (board->mac);
  g_clear_error (&board->error);
  g_free (board->file);
  g_free (board);
}

void
esprit_cli_end_progress (EspritCliBoard *board)
{
  if (board != NULL && board->progress_open)
    fputc ('\n', stdout);
  if (board != NULL)
    board->progress_open = FALSE;
}

static void
json_board (GString        *out,
            const char     *event,
            EspritCliBoard *board)
{
  esprit_json_add_string (out, "event", event);
  esprit_json_add_string (out, "board", board->name);
  esprit_json_add_string (out, "port", board->port);
}

static void
json_write (GString *out)
{
  esprit_json_end (out);
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
}

/* esptool's output for one board. */
static void
print_plain (EspritCliBoard *board,
             EspritLogLevel  level,
             const char     *line)
{
  if (board->cli->quiet && (level == ESPRIT_LOG_INFO || level == ESPRIT_LOG_PROGRESS))
    return;
  switch (level)
    {
    case ESPRIT_LOG_PROGRESS:
      /* On a terminal the progress line rewrites itself; in a log each step stays. */
      if (board->cli->tty)
        {
          printf ("\r%s", line);
          board->progress_open = TRUE;
        }
      else
        printf ("%s\n", line);
      g_free (board->last_progress);
      board->last_progress = g_strdup (line);
      break;
    case ESPRIT_LOG_WARNING:
      esprit_cli_end_progress (board);
      printf (_("Warning: %s\n"), line);
      break;
    case ESPRIT_LOG_TRACE:
      esprit_cli_end_progress (board);
      fprintf (stderr, "TRACE %s\n", line);
      break;
    case ESPRIT_LOG_INFO:
    default:
      /* A final line equal to the last progress line is already on screen. */
      if (g_strcmp0 (line, board->last_progress) == 0)
        {
          esprit_cli_end_progress (board);
          break;
        }
      esprit_cli_end_progress (board);
      printf ("%s\n", line);
      break;
    }
}

static void
print_log (EspritCliBoard *board,
           EspritLogLevel  level,
           const char     *line)
{
  EspritCli *cli = board->cli;

  g_mutex_lock (&cli->print_lock);
  switch (cli->output)
    {
    case ESPRIT_CLI_OUTPUT_PLAIN:
      print_plain (board, level, line);
      break;
    case ESPRIT_CLI_OUTPUT_PREFIXED:
      if (level == ESPRIT_LOG_TRACE)
        fprintf (stderr, "[%s] TRACE %s\n", board->name, line);
      else if (level == ESPRIT_LOG_WARNING)
        {
          g_autofree char *text = g_strdup_printf (_("Warning: %s\n"), line);

          printf ("[%s] %s", board->name, text);
        }
      else if (g_strcmp0 (line, board->last_progress) != 0)
        printf ("[%s] %s\n", board->name, line);
      if (level == ESPRIT_LOG_PROGRESS)
        {
          g_free (board->last_progress);
          board->last_progress = g_strdup (line);
        }
      break;
    case ESPRIT_CLI_OUTPUT_JSON:
      {
        g_autoptr(GString) out = g_string_new (NULL);
        static const char *const levels[] = { "info", "progress", "warning", "trace" };

        json_board (out, "log", board);
        esprit_json_add_string (out, "level", levels[MIN (level, G_N_ELEMENTS (levels) - 1)]);
        esprit_json_add_string (out, "line", line);
        json_write (out);
      }
      break;
    case ESPRIT_CLI_OUTPUT_LIVE:
    default:
      /* The live line shows the phase; traces still go to stderr for who asked. */
      if (level == ESPRIT_LOG_TRACE)
        fprintf (stderr, "[%s] TRACE %s\n", board->name, line);
      break;
    }
  fflush (stdout);
  g_mutex_unlock (&cli->print_lock);
}

void
esprit_cli_board_print (EspritCliBoard *board,
                        const char     *format,
                        ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  print_log (board, ESPRIT_LOG_INFO, line);
}

static void
on_progress (EspritCliBoard *board,
             EspritPhase     phase,
             guint64         done,
             guint64         total)
{
  EspritCli *cli = board->cli;

  g_mutex_lock (&cli->print_lock);
  if (!board->phase_known || board->phase != phase)
    board->phase_start = g_get_monotonic_time ();
  board->phase = phase;
  board->phase_known = TRUE;
  board->done = done;
  board->total = total;
  if (cli->output == ESPRIT_CLI_OUTPUT_JSON)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      json_board (out, "progress", board);
      esprit_json_add_string (out, "phase", esprit_enum_to_nick (ESPRIT_TYPE_PHASE, phase));
      esprit_json_add_int (out, "done", (gint64) done);
      esprit_json_add_int (out, "total", (gint64) total);
      json_write (out);
    }
  g_mutex_unlock (&cli->print_lock);
}

static void
on_connected (EspritCliBoard         *board,
              const EspritDeviceInfo *info)
{
  EspritCli *cli = board->cli;

  g_mutex_lock (&cli->print_lock);
  g_free (board->chip);
  board->chip = g_strdup (esprit_chip_get_info (info->chip)->name);
  g_free (board->mac);
  board->mac = esprit_format_mac (info->mac);
  if (cli->output == ESPRIT_CLI_OUTPUT_JSON)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      json_board (out, "connected", board);
      esprit_json_add_string (out, "chip", board->chip);
      esprit_json_add_string (out, "description", info->description);
      esprit_json_add_string (out, "mac", board->mac);
      json_write (out);
    }
  g_mutex_unlock (&cli->print_lock);
}

void
esprit_cli_on_event (EspritSession     *session,
                     const EspritEvent *event,
                     gpointer           board)
{
  switch (event->kind)
    {
    case ESPRIT_EVENT_LOG:
      print_log (board, event->level, event->line);
      break;
    case ESPRIT_EVENT_PROGRESS:
      on_progress (board, event->phase, event->done, event->total);
      break;
    case ESPRIT_EVENT_CONNECTED:
      on_connected (board, event->info);
      break;
    default:
      break;
    }
}

int
esprit_cli_error_status (const GError *error)
{
  return error->domain == ESPRIT_ERROR &&
         (error->code == ESPRIT_ERROR_INVALID_ARGUMENT || error->code == ESPRIT_ERROR_IMAGE_INVALID ||
          error->code == ESPRIT_ERROR_IMAGE_TOO_LARGE)
         ? ESPRIT_CLI_EXIT_BAD_INPUT : 1;
}

int
esprit_cli_fail (EspritCli    *cli,
                 const GError *error)
{
  g_autofree char *hint = esprit_advice_hint (error);

  esprit_cli_end_progress (cli->plain);
  fprintf (stderr, _("Error: %s\n"), error->message);
  if (hint != NULL)
    fprintf (stderr, "%s\n", hint);
  return esprit_cli_error_status (error);
}

int
esprit_cli_bad_input (const char *format,
                      ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, _("Error: %s\n"), msg);
  return ESPRIT_CLI_EXIT_BAD_INPUT;
}

char *
esprit_cli_default_port (void)
{
  g_autoptr(GPtrArray) ports = NULL;

  if (g_getenv ("ESPTOOL_PORT") != NULL)
    return g_strdup (g_getenv ("ESPTOOL_PORT"));
  ports = esprit_port_list ();
  if (ports->len == 0)
    return NULL;
  return g_strdup (((EspritPortInfo *) ports->pdata[0])->path);
}

gboolean
esprit_cli_connect (EspritCliBoard  *board,
                    GCancellable    *cancellable,
                    GError         **error)
{
  esprit_cli_board_print (board, _("Serial port %s"), board->port);
  board->session = esprit_session_new (board->port, &board->cli->connect);
  esprit_session_set_event_func (board->session, esprit_cli_on_event, board, NULL);
  return esprit_session_connect (board->session, cancellable, error);
}

gboolean
esprit_cli_finish (EspritCliBoard  *board,
                   GCancellable    *cancellable,
                   GError         **error)
{
  if (board->cli->output == ESPRIT_CLI_OUTPUT_PLAIN)
    {
      esprit_cli_end_progress (board);
      printf (_("\nLeaving...\n"));
    }
  else
    {
      g_autofree char *line = g_strstrip (g_strdup (_("\nLeaving...\n")));

      print_log (board, ESPRIT_LOG_INFO, line);
    }
  return esprit_session_finish (board->session, cancellable, error);
}

static const char *
error_code_name (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  if (error->domain == ESPRIT_ERROR)
    return esprit_enum_to_nick (ESPRIT_TYPE_ERROR, error->code);
  return "failed";
}

static const char *
result_word (EspritCliBoard *board)
{
  if (!board->finished)
    return esprit_phase_name (board->phase);
  if (board->skipped)
    return _("already done");
  if (board->ok)
    return _("ok");
  if (g_error_matches (board->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _("cancelled");
  return _("FAILED");
}

static double
board_seconds (EspritCliBoard *board)
{
  gint64 end = board->end ? board->end : g_get_monotonic_time ();

  return board->start ? (end - board->start) / 1e6 : 0;
}

void
esprit_cli_report_result (EspritCliBoard *board)
{
  EspritCli *cli = board->cli;

  g_mutex_lock (&cli->print_lock);
  if (cli->output == ESPRIT_CLI_OUTPUT_JSON)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      json_board (out, "result", board);
      esprit_json_add_string (out, "chip", board->chip);
      esprit_json_add_string (out, "mac", board->mac);
      esprit_json_add_string (out, "result", board->skipped ? "skipped" : board->ok ? "ok"
                              : g_error_matches (board->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                              ? "cancelled" : "failed");
      esprit_json_add_double (out, "seconds", board_seconds (board));
      if (board->file != NULL)
        esprit_json_add_string (out, "file", board->file);
      if (board->error != NULL)
        {
          esprit_json_add_string (out, "error_code", error_code_name (board->error));
          esprit_json_add_string (out, "error_message", board->error->message);
          esprit_json_add_int (out, "exit_status", esprit_cli_error_status (board->error));
        }
      json_write (out);
    }
  else if (cli->output == ESPRIT_CLI_OUTPUT_PREFIXED)
    {
      if (board->error != NULL)
        printf (_("[%s] Error: %s\n"), board->name, board->error->message);
      else
        printf ("[%s] %s (%.1f s)\n", board->name, result_word (board), board_seconds (board));
      fflush (stdout);
    }
  g_mutex_unlock (&cli->print_lock);
}

static char *
live_line (EspritCliBoard *board)
{
  GString *s = g_string_new (NULL);
  const guint width = 20;

  g_string_append_printf (s, "%-12.12s %-8.8s %-17s ", board->name, board->chip ? board->chip : "",
                          board->mac ? board->mac : "");
  if (board->finished)
    {
      g_string_append_printf (s, "%-14s %.1f s", result_word (board), board_seconds (board));
      if (board->error != NULL)
        g_string_append_printf (s, "  %s", board->error->message);
      return g_string_free (s, FALSE);
    }
  g_string_append_printf (s, "%-14.14s ", board->phase_known ? result_word (board) : "");
  if (board->total > 0)
    {
      guint filled = (guint) (width * MIN (board->done, board->total) / board->total);
      double secs = (g_get_monotonic_time () - board->phase_start) / 1e6;

      g_string_append_c (s, '[');
      for (guint i = 0; i < width; i++)
        g_string_append_c (s, i < filled ? '#' : '.');
      g_string_append_printf (s, "] %3d %%", (int) (100 * MIN (board->done, board->total) /
                                                   board->total));
      if (secs > 0.2)
        g_string_append_printf (s, " %7.1f kB/s", board->done / secs / 1000);
    }
  return g_string_free (s, FALSE);
}

void
esprit_cli_redraw (EspritCli *cli,
                   GPtrArray *boards,
                   gboolean   final)
{
  static guint drawn;
  guint running = 0;

  g_mutex_lock (&cli->print_lock);
  /* Back to the first live line. A board that has ended gets its last line for good, above
   * the ones still at work, so a long --watch run redraws only the boards at work. */
  if (drawn > 0)
    printf ("\033[%uA", drawn);
  for (guint i = 0; i < boards->len; i++)
    {
      EspritCliBoard *board = boards->pdata[i];

      if (board->finished && !board->shown)
        {
          g_autofree char *line = live_line (board);

          printf ("\r\033[K%s\n", line);
          board->shown = TRUE;
        }
    }
  for (guint i = 0; i < boards->len; i++)
    {
      EspritCliBoard *board = boards->pdata[i];
      g_autofree char *line = NULL;

      if (board->finished)
        continue;
      line = live_line (board);
      printf ("\r\033[K%s\n", line);
      running++;
    }
  /* Lines left over from boards that ended are cleared below. */
  printf ("\033[J");
  drawn = final ? 0 : running;
  fflush (stdout);
  g_mutex_unlock (&cli->print_lock);
}

void
esprit_cli_print_summary (EspritCli *cli,
                          GPtrArray *boards)
{
  guint ok = 0, failed = 0, skipped = 0;

  for (guint i = 0; i < boards->len; i++)
    {
      EspritCliBoard *b = boards->pdata[i];

      if (b->skipped)
        skipped++;
      else if (b->ok)
        ok++;
      else
        failed++;
    }
  g_mutex_lock (&cli->print_lock);
  if (cli->output == ESPRIT_CLI_OUTPUT_JSON)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      esprit_json_add_string (out, "event", "summary");
      esprit_json_add_int (out, "boards", boards->len);
      esprit_json_add_int (out, "succeeded", ok);
      esprit_json_add_int (out, "failed", failed);
      esprit_json_add_int (out, "skipped", skipped);
      json_write (out);
    }
  else
    {
      int width = 12;

      for (guint i = 0; i < boards->len; i++)
        width = MAX (width, (int) strlen (((EspritCliBoard *) boards->pdata[i])->name));
      printf ("\n%-*s %-8s %-17s %-12s %7s  %s\n", width, _("Port"), _("Chip"), _("MAC"),
              _("Result"), _("Time"), _("Reason"));
      for (guint i = 0; i < boards->len; i++)
        {
          EspritCliBoard *b = boards->pdata[i];

          printf ("%-*s %-8s %-17s %-12s %6.1fs  %s\n", width, b->name, b->chip ? b->chip : "-",
                  b->mac ? b->mac : "-", result_word (b), board_seconds (b),
                  b->error ? b->error->message : "");
        }
      printf (_("%u boards: %u succeeded, %u failed\n"), boards->len, ok, failed);
      if (skipped > 0)
        printf (_("%u seen again and left alone (done already in this run)\n"), skipped);
    }
  fflush (stdout);
  g_mutex_unlock (&cli->print_lock);
}

GBytes *
esprit_cli_load_file (const char  *path,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT, _("Cannot read %s: %s"),
                   path, local_error->message);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

gboolean
esprit_cli_check_output (const char  *path,
                         GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT, _("%s is a directory"),
                   path);
      return FALSE;
    }
  if (access (dir, W_OK) != 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("Cannot write to %s: %s"), dir, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
esprit_cli_save_file (const char    *path,
                      const guint8  *data,
                      gsize          len,
                      GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  /* GFile's replace writes a temporary and renames it on close. */
  return g_file_replace_contents (file, (const char *) data, len, NULL, FALSE,
                                  G_FILE_CREATE_NONE, NULL, NULL, error);
}

EspritCliBoard *
esprit_cli_connect_one (EspritCli  *cli,
                        GError    **error)
{
  g_autoptr(EspritCliBoard) board = NULL;
  g_autofree char *port = NULL;
  g_autofree char *name = NULL;

  if (cli->ports->len > 1 || cli->port_specs->len > 0 || cli->watch)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                           _("This command works on one board: give one --port"));
      return NULL;
    }
  port = cli->ports->len == 1 ? g_strdup (cli->ports->pdata[0]) : esprit_cli_default_port ();
  if (port == NULL)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                           _("No serial port found: plug the board in, or give --port "
                             "(sim:esp8266 is a virtual board)"));
      return NULL;
    }
  name = esprit_cli_port_name (port, 1);
  cli->output = ESPRIT_CLI_OUTPUT_PLAIN;
  board = esprit_cli_board_new (cli, port, name, 0);
  cli->plain = board;
  if (!esprit_cli_connect (board, NULL, error))
    {
      cli->plain = NULL;
      return NULL;
    }
  return g_steal_pointer (&board);
}

int
esprit_cli_finish_one (EspritCli      *cli,
                       EspritCliBoard *board)
{
  g_autoptr(EspritCliBoard) owned = board;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!esprit_cli_finish (board, NULL, &error))
    status = esprit_cli_fail (cli, error);
  cli->plain = NULL;
  return status;
}

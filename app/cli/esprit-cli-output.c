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
  /* The single-board output must not print through a board that is gone. */
  if (board->cli != NULL && board->cli->plain == board)
    board->cli->plain = NULL;
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

void
_esprit_cli_json_board (GString        *out,
                        const char     *event,
                        EspritCliBoard *board)
{
  esprit_json_add_string (out, "event", event);
  esprit_json_add_string (out, "board", board->name);
  esprit_json_add_string (out, "port", board->port);
}

void
_esprit_cli_json_write (GString *out)
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

        _esprit_cli_json_board (out, "log", board);
        esprit_json_add_string (out, "level", levels[MIN (level, G_N_ELEMENTS (levels) - 1)]);
        esprit_json_add_string (out, "line", line);
        _esprit_cli_json_write (out);
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

      _esprit_cli_json_board (out, "progress", board);
      esprit_json_add_string (out, "phase", esprit_enum_to_nick (ESPRIT_TYPE_PHASE, phase));
      esprit_json_add_int (out, "done", (gint64) done);
      esprit_json_add_int (out, "total", (gint64) total);
      _esprit_cli_json_write (out);
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

      _esprit_cli_json_board (out, "connected", board);
      esprit_json_add_string (out, "chip", board->chip);
      esprit_json_add_string (out, "description", info->description);
      esprit_json_add_string (out, "mac", board->mac);
      _esprit_cli_json_write (out);
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

/* --json given, and no board started yet: a refusal is an "error" event on stdout too. */
static gboolean json_errors;

void
esprit_cli_set_json_errors (gboolean json)
{
  json_errors = json;
}

const char *
_esprit_cli_error_code_name (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "cancelled";
  if (error->domain == ESPRIT_ERROR)
    return esprit_enum_to_nick (ESPRIT_TYPE_ERROR, error->code);
  return "failed";
}
static void
json_error (const char *code,
            const char *message,
            int         status)
{
  g_autoptr(GString) out = g_string_new (NULL);

  esprit_json_add_string (out, "event", "error");
  esprit_json_add_string (out, "error_code", code);
  esprit_json_add_string (out, "error_message", message);
  esprit_json_add_int (out, "exit_status", status);
  _esprit_cli_json_write (out);
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
  if (json_errors)
    json_error (_esprit_cli_error_code_name (error), error->message,
                esprit_cli_error_status (error));
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
  if (json_errors)
    json_error ("invalid-argument", msg, ESPRIT_CLI_EXIT_BAD_INPUT);
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

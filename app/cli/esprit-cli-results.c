/* esprit-cli-results.c: how boards end: the result line or JSON event, the live lines of
 * several boards on a terminal, and the summary table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esprit-cli-json.h"
#include "esprit-cli-private.h"
#include "esprit-enums.h"
#include "esprit-error.h"
#include "esprit-numbers.h"

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

      _esprit_cli_json_board (out, "result", board);
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
          esprit_json_add_string (out, "error_code", _esprit_cli_error_code_name (board->error));
          esprit_json_add_string (out, "error_message", board->error->message);
          esprit_json_add_int (out, "exit_status", esprit_cli_error_status (board->error));
        }
      _esprit_cli_json_write (out);
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
      _esprit_cli_json_write (out);
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


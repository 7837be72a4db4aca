/* esprit-cli-output.c: what the command line prints, and its connection to the board
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "esprit-advice.h"
#include "esprit-cli-private.h"
#include "esprit-error.h"
#include "esprit-port-list.h"

void
esprit_cli_clear (EspritCli *cli)
{
  g_clear_pointer (&cli->port, g_free);
  g_clear_pointer (&cli->last_progress, g_free);
}

void
esprit_cli_end_progress (EspritCli *cli)
{
  if (cli->progress_open)
    fputc ('\n', stdout);
  cli->progress_open = FALSE;
}

static void
print_log (EspritCli      *cli,
           EspritLogLevel  level,
           const char     *line)
{
  if (cli->quiet && (level == ESPRIT_LOG_INFO || level == ESPRIT_LOG_PROGRESS))
    return;
  switch (level)
    {
    case ESPRIT_LOG_PROGRESS:
      /* On a terminal the progress line rewrites itself; in a log each step stays. */
      if (cli->tty)
        {
          printf ("\r%s", line);
          cli->progress_open = TRUE;
        }
      else
        printf ("%s\n", line);
      g_free (cli->last_progress);
      cli->last_progress = g_strdup (line);
      break;
    case ESPRIT_LOG_WARNING:
      esprit_cli_end_progress (cli);
      printf (_("Warning: %s\n"), line);
      break;
    case ESPRIT_LOG_TRACE:
      esprit_cli_end_progress (cli);
      fprintf (stderr, "TRACE %s\n", line);
      break;
    case ESPRIT_LOG_INFO:
    default:
      /* A final line equal to the last progress line is already on screen. */
      if (g_strcmp0 (line, cli->last_progress) == 0)
        {
          esprit_cli_end_progress (cli);
          break;
        }
      esprit_cli_end_progress (cli);
      printf ("%s\n", line);
      break;
    }
  fflush (stdout);
}

void
esprit_cli_on_event (EspritSession     *session,
                     const EspritEvent *event,
                     gpointer           cli)
{
  /* Progress reaches a terminal as the loader's progress lines. */
  if (event->kind == ESPRIT_EVENT_LOG)
    print_log (cli, event->level, event->line);
}

int
esprit_cli_fail (EspritCli    *cli,
                 const GError *error)
{
  g_autofree char *hint = esprit_advice_hint (error);

  esprit_cli_end_progress (cli);
  fprintf (stderr, _("Error: %s\n"), error->message);
  if (hint != NULL)
    fprintf (stderr, "%s\n", hint);
  return error->domain == ESPRIT_ERROR &&
         (error->code == ESPRIT_ERROR_INVALID_ARGUMENT || error->code == ESPRIT_ERROR_IMAGE_INVALID ||
          error->code == ESPRIT_ERROR_IMAGE_TOO_LARGE)
         ? ESPRIT_CLI_EXIT_BAD_INPUT : 1;
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

EspritSession *
esprit_cli_connect (EspritCli  *cli,
                    GError    **error)
{
  g_autoptr(EspritSession) session = NULL;

  if (cli->port == NULL)
    cli->port = esprit_cli_default_port ();
  if (cli->port == NULL)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                           _("No serial port found: plug the board in, or give --port "
                             "(sim:esp8266 is a virtual board)"));
      return NULL;
    }
  printf (_("Serial port %s\n"), cli->port);
  session = esprit_session_new (cli->port, &cli->connect);
  esprit_session_set_event_func (session, esprit_cli_on_event, cli, NULL);
  if (!esprit_session_connect (session, NULL, error))
    return NULL;
  return g_steal_pointer (&session);
}

int
esprit_cli_finish (EspritCli     *cli,
                   EspritSession *session)
{
  g_autoptr(GError) error = NULL;

  esprit_cli_end_progress (cli);
  printf (_("\nLeaving...\n"));
  if (!esprit_session_finish (session, NULL, &error))
    return esprit_cli_fail (cli, error);
  return 0;
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

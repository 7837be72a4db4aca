/* esprit-cli-ota.c: `esprit-cli ota …` and `esprit-cli espota …` (espota.py's options);
 * with --json `ota` prints the serial commands' events (log, progress, result) instead
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "esprit-cli-json.h"
#include "esprit-cli-ota.h"
#include "esprit-enums.h"
#include "esprit-error.h"
#include "esprit-mdns.h"
#include "esprit-numbers.h"
#include "esprit-ota.h"

#define EXIT_BAD_INPUT 2

typedef struct {
  gboolean  espota;     /* espota.py syntax: exit 1 for every failure */
  gboolean  tty;
  gboolean  trace;
  gboolean  bar;        /* espota -r */
  gint64    start_us;
  int       last_percent;
  gboolean  line_open;
  gboolean  json;       /* --json: nothing but JSON objects on stdout */
  char     *board;      /* the board as JSON events name it: the host as given */
  char     *port_id;    /* ota:HOST:PORT, as the window names network boards */
  const char *chip;     /* "ESP8266" with --chip, else unknown (NULL) */
} Cli;

/* One event object with the members every board event has (esprit-cli(1), JSON OUTPUT). */
static GString *
json_event (Cli        *cli,
            const char *event)
{
  GString *out = g_string_new (NULL);

  esprit_json_add_string (out, "event", event);
  esprit_json_add_string (out, "board", cli->board);
  esprit_json_add_string (out, "port", cli->port_id);
  return out;
}

static void
json_write (GString *out)
{
  esprit_json_end (out);
  fwrite (out->str, 1, out->len, stdout);
  fflush (stdout);
  g_string_free (out, TRUE);
}

static void
json_log (Cli            *cli,
          EspritLogLevel  level,
          const char     *line)
{
  static const char *const levels[] = { "info", "progress", "warning", "trace" };
  GString *out = json_event (cli, "log");

  esprit_json_add_string (out, "level", levels[MIN (level, G_N_ELEMENTS (levels) - 1)]);
  esprit_json_add_string (out, "line", line);
  json_write (out);
}

/* The last event of an upload: as the serial commands' "result" (the MAC is unknown over
 * the air, the chip only when given). */
static void
json_result (Cli          *cli,
             const char   *file,
             const GError *error,
             int           status)
{
  GString *out = json_event (cli, "result");

  esprit_json_add_string (out, "chip", cli->chip);
  esprit_json_add_string (out, "mac", NULL);
  esprit_json_add_string (out, "result", error == NULL ? "ok"
                          : g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                          ? "cancelled" : "failed");
  esprit_json_add_double (out, "seconds", (g_get_monotonic_time () - cli->start_us) / 1e6);
  esprit_json_add_string (out, "file", file);
  if (error != NULL)
    {
      esprit_json_add_string (out, "error_code", error->domain == ESPRIT_ERROR
                              ? esprit_enum_to_nick (ESPRIT_TYPE_ERROR, error->code)
                              : g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                              ? "cancelled" : "failed");
      esprit_json_add_string (out, "error_message", error->message);
      esprit_json_add_int (out, "exit_status", status);
    }
  json_write (out);
}

static void
end_line (Cli *cli)
{
  if (cli->line_open)
    fputc ('\n', stdout);
  cli->line_open = FALSE;
}

static void
on_log (EspritLogLevel  level,
        const char     *line,
        gpointer        user_data)
{
  Cli *cli = user_data;

  if (level == ESPRIT_LOG_TRACE && !cli->trace)
    return;
  if (cli->json)
    {
      json_log (cli, level, line);
      return;
    }
  if (level == ESPRIT_LOG_TRACE)
    {
      end_line (cli);
      fprintf (stderr, "TRACE %s\n", line);
      return;
    }
  end_line (cli);
  if (level == ESPRIT_LOG_WARNING)
    printf (_("Warning: %s\n"), line);
  else
    printf ("%s\n", line);
  fflush (stdout);
}

static void
on_progress (EspritPhase phase,
             guint64     done,
             guint64     total,
             gpointer    user_data)
{
  Cli *cli = user_data;
  int percent;

  if (cli->json)
    {
      GString *out = json_event (cli, "progress");

      esprit_json_add_string (out, "phase", esprit_enum_to_nick (ESPRIT_TYPE_PHASE, phase));
      esprit_json_add_int (out, "done", (gint64) done);
      esprit_json_add_int (out, "total", (gint64) total);
      json_write (out);
      return;
    }
  if (phase == ESPRIT_PHASE_VERIFYING)
    {
      end_line (cli);
      printf (_("Waiting for the board to check the image…\n"));
      fflush (stdout);
      return;
    }
  if (phase != ESPRIT_PHASE_WRITING || total == 0)
    return;
  percent = (int) (done * 100 / total);
  if (percent == cli->last_percent)
    return;
  if (cli->tty || cli->bar)
    {
      char bar[51];
      int fill = percent / 2;

      memset (bar, '=', fill);
      memset (bar + fill, ' ', 50 - fill);
      bar[50] = '\0';
      printf ("\rUploading: [%s] %d%% (%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " bytes)",
              bar, percent, done, total);
      cli->line_open = TRUE;
    }
  else if (percent / 10 != cli->last_percent / 10 || percent == 100)
    printf (_("Uploading: %d%% (%llu/%llu bytes)\n"), percent, (unsigned long long) done,
            (unsigned long long) total);
  cli->last_percent = percent;
  fflush (stdout);
}

/* Reads a password from the terminal without echo; NULL without a terminal. */
static char *
prompt_password (const char *host,
                 gpointer    user_data)
{
  Cli *cli = user_data;
  FILE *tty = fopen ("/dev/tty", "r+");
  struct termios old, quiet;
  char buf[256];
  char *result = NULL;

  if (tty == NULL)
    return NULL;
  end_line (cli);
  fprintf (tty, _("Password for %s: "), host);
  fflush (tty);
  if (tcgetattr (fileno (tty), &old) == 0)
    {
      quiet = old;
      quiet.c_lflag &= ~ECHO;
      tcsetattr (fileno (tty), TCSAFLUSH, &quiet);
    }
  if (fgets (buf, sizeof buf, tty) != NULL)
    result = g_strdup (g_strchomp (buf));
  tcsetattr (fileno (tty), TCSAFLUSH, &old);
  fputc ('\n', tty);
  fclose (tty);
  memset (buf, 0, sizeof buf);
  return result;
}

static char *
read_auth_file (const char  *path,
                GError     **error)
{
  g_autofree char *text = NULL;
  char *nl;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  nl = strpbrk (text, "\r\n");
  if (nl != NULL)
    *nl = '\0';
  return g_steal_pointer (&text);
}

static int
exit_status (Cli          *cli,
             const GError *error)
{
  if (cli->espota)
    return 1;
  return error->domain == ESPRIT_ERROR && (error->code == ESPRIT_ERROR_INVALID_ARGUMENT ||
                                           error->code == ESPRIT_ERROR_IMAGE_INVALID)
         ? EXIT_BAD_INPUT : 1;
}

static int
fail (Cli          *cli,
      const GError *error)
{
  end_line (cli);
  fprintf (stderr, _("Error: %s\n"), error->message);
  return exit_status (cli, error);
}

static int
bad_input (Cli        *cli,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static int
bad_input (Cli        *cli,
           const char *format,
           ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, _("Error: %s\n"), msg);
  return cli->espota ? 1 : EXIT_BAD_INPUT;
}

static void
set_str (char       **slot,
         const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*slot);
  *slot = copy;
}

static gboolean
parse_port (const char *text,
            guint16    *out)
{
  guint32 v;

  if (!esprit_parse_number (text, "port", &v, NULL) || v == 0 || v > 65535)
    return FALSE;
  *out = (guint16) v;
  return TRUE;
}

static int
list_boards (Cli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) boards = esprit_mdns_list_sync (3000, NULL, &error);

  if (boards == NULL)
    return fail (cli, error);
  if (cli->json)
    {
      /* One object a board, as announced (§7.1 TXT records). */
      for (guint i = 0; i < boards->len; i++)
        {
          EspritMdnsBoard *b = g_ptr_array_index (boards, i);
          GString *out = g_string_new (NULL);

          esprit_json_add_string (out, "event", "ota-board");
          esprit_json_add_string (out, "name", b->name);
          esprit_json_add_string (out, "address", b->address);
          esprit_json_add_int (out, "ota_port", b->port);
          esprit_json_add_string (out, "board_type", b->board);
          esprit_json_add_bool (out, "auth", b->auth_upload);
          json_write (out);
        }
      return 0;
    }
  if (boards->len == 0)
    printf (_("No ArduinoOTA boards announce themselves on the network.\n"));
  for (guint i = 0; i < boards->len; i++)
    {
      EspritMdnsBoard *b = g_ptr_array_index (boards, i);

      /* name, address, board, auth: one line each, tab-separated for scripts */
      printf ("%s\t%s\t%u\t%s\t%s\n", b->name, b->address, b->port,
              b->board ? b->board : "-", b->auth_upload ? _("password") : _("no password"));
    }
  return 0;
}

static void
usage (gboolean espota)
{
  if (espota)
    printf (_("Usage: esprit-cli espota -i IP -f FILE [-p PORT] [-P HOST_PORT] [-I HOST_IP]\n"
              "                         [-a PASSWORD] [-s] [-m] [-t SECONDS] [-r] [-d]\n"
              "espota.py's options: -s uploads a filesystem, -m answers a SHA-256 challenge\n"
              "with the MD5 password hash, -r shows a progress bar, -d debug output.\n"));
  else
    printf (_("Usage: esprit-cli ota [--host H] [--ota-port P] [--host-port P] [--host-ip IP]\n"
              "                      [--auth-file F] [--filesystem] [--timeout S] [--chip C]\n"
              "                      [--trace] [--json] FILE\n"
              "       esprit-cli ota --list [--json]\n"
              "The password comes from a prompt, --auth-file, or ESPRIT_OTA_PASSWORD.\n"));
}

int
esprit_cli_ota_main (int        argc,
                     char     **argv,
                     gboolean   espota_syntax,
                     gboolean   json,
                     gboolean   trace)
{
  Cli cli = { espota_syntax, isatty (STDOUT_FILENO), trace, FALSE, 0, -1, FALSE, json,
              NULL, NULL, NULL };
  EspritOtaOptions o = { 0 };
  g_autofree char *host = NULL, *file = NULL, *auth_file = NULL, *auth_arg = NULL;
  g_autofree char *password = NULL, *local = NULL, *resolved = NULL, *found = NULL;
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GError) error = NULL;
  gboolean list = FALSE, filesystem = FALSE;
  guint timeout_s = 10;
  gboolean ok;

  o.chip = ESPRIT_CHIP_AUTO;
  for (int i = 2; i < argc; i++)
    {
      const char *a = argv[i];
      const char *v = i + 1 < argc ? argv[i + 1] : NULL;
      gboolean takes_value = TRUE;

      if (g_str_equal (a, "-h") || g_str_equal (a, "--help"))
        {
          usage (espota_syntax);
          return 0;
        }
      if (espota_syntax)
        {
          if (g_str_equal (a, "-s") || g_str_equal (a, "--spiffs"))
            filesystem = TRUE, takes_value = FALSE;
          else if (g_str_equal (a, "-r") || g_str_equal (a, "--progress"))
            cli.bar = TRUE, takes_value = FALSE;
          else if (g_str_equal (a, "-d") || g_str_equal (a, "--debug"))
            cli.trace = TRUE, takes_value = FALSE;
          else if (g_str_equal (a, "-m") || g_str_equal (a, "--md5-target"))
            o.md5_target = TRUE, takes_value = FALSE;
        }
      else
        {
          if (g_str_equal (a, "--list"))
            list = TRUE, takes_value = FALSE;
          else if (g_str_equal (a, "--filesystem"))
            filesystem = TRUE, takes_value = FALSE;
          else if (g_str_equal (a, "--trace"))
            cli.trace = TRUE, takes_value = FALSE;
          else if (g_str_equal (a, "--json"))
            cli.json = TRUE, takes_value = FALSE;
          else if (g_str_equal (a, "--md5-target"))
            o.md5_target = TRUE, takes_value = FALSE;
          else if (a[0] != '-')
            {
              if (file != NULL)
                return bad_input (&cli, _("Only one FILE can be uploaded at a time"));
              file = g_strdup (a);
              continue;
            }
        }
      if (!takes_value)
        continue;
      if (v == NULL)
        return bad_input (&cli, _("%s needs a value"), a);
      i++;
      if ((espota_syntax && (g_str_equal (a, "-i") || g_str_equal (a, "--ip"))) ||
          (!espota_syntax && g_str_equal (a, "--host")))
        set_str (&host, v);
      else if (espota_syntax && (g_str_equal (a, "-f") || g_str_equal (a, "--file")))
        set_str (&file, v);
      else if ((espota_syntax && (g_str_equal (a, "-p") || g_str_equal (a, "--port"))) ||
               (!espota_syntax && g_str_equal (a, "--ota-port")))
        {
          if (!parse_port (v, &o.port))
            return bad_input (&cli, _("%s: %s is not a port number (1 to 65535)"), a, v);
        }
      else if ((espota_syntax && (g_str_equal (a, "-P") || g_str_equal (a, "--host_port"))) ||
               (!espota_syntax && g_str_equal (a, "--host-port")))
        {
          if (!parse_port (v, &o.host_port))
            return bad_input (&cli, _("%s: %s is not a port number (1 to 65535)"), a, v);
        }
      else if ((espota_syntax && (g_str_equal (a, "-I") || g_str_equal (a, "--host_ip"))) ||
               (!espota_syntax && g_str_equal (a, "--host-ip")))
        set_str (&local, g_str_equal (v, "0.0.0.0") ? NULL : v);
      else if ((espota_syntax && (g_str_equal (a, "-a") || g_str_equal (a, "--auth"))) ||
               (!espota_syntax && g_str_equal (a, "--auth")))
        set_str (&auth_arg, v);
      else if (!espota_syntax && g_str_equal (a, "--auth-file"))
        set_str (&auth_file, v);
      else if (g_str_equal (a, "-t") || g_str_equal (a, "--timeout"))
        {
          guint32 t;

          if (!esprit_parse_number (v, "seconds", &t, NULL) || t == 0 || t > 3600)
            return bad_input (&cli, _("%s: %s is not a number of seconds (1 to 3600)"), a, v);
          timeout_s = (guint) t;
        }
      else if (!espota_syntax && g_str_equal (a, "--chip"))
        {
          if (!esprit_chip_parse (v, &o.chip))
            return bad_input (&cli, _("Unknown chip %s"), v);
        }
      else
        return bad_input (&cli, _("Unknown option %s (see %s --help)"), a,
                          espota_syntax ? "esprit-cli espota" : "esprit-cli ota");
    }

  if (list)
    return list_boards (&cli);
  if (host == NULL)
    return bad_input (&cli, espota_syntax ? _("-i IP is required")
                                         : _("--host is required (or --list to find boards)"));
  if (file == NULL)
    return bad_input (&cli, espota_syntax ? _("-f FILE is required")
                                         : _("Name the FILE to upload"));

  /* espota uploads FILE.signed instead when it exists (§7.1). */
  {
    g_autofree char *signed_file = g_strconcat (file, ".signed", NULL);

    if (espota_syntax && g_file_test (signed_file, G_FILE_TEST_IS_REGULAR))
      set_str (&file, signed_file);
  }
  {
    g_autoptr(GMappedFile) mapped = g_mapped_file_new (file, FALSE, &error);

    if (mapped == NULL)
      return bad_input (&cli, _("Cannot read %s: %s"), file, error->message);
    image = g_mapped_file_get_bytes (mapped);
  }

  /* The password: environment, file, or the (warned-about) command line; else a prompt if
   * the board asks. It is never printed. */
  if (auth_file != NULL)
    {
      password = read_auth_file (auth_file, &error);
      if (password == NULL)
        return bad_input (&cli, _("Cannot read %s: %s"), auth_file, error->message);
    }
  else if (auth_arg != NULL)
    {
      fprintf (stderr, _("Warning: a password on the command line is visible to other users "
                         "(ps); use --auth-file or ESPRIT_OTA_PASSWORD instead.\n"));
      password = g_strdup (auth_arg);
    }
  else if (g_getenv ("ESPRIT_OTA_PASSWORD") != NULL)
    password = g_strdup (g_getenv ("ESPRIT_OTA_PASSWORD"));

  /* A name the board announces (kitchen-sensor, kitchen-sensor.local) resolves through
   * Avahi; anything else goes to the system resolver. */
  {
    g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (host);

    if (literal == NULL && !espota_syntax)
      {
        g_autoptr(GError) e = NULL;
        g_autoptr(EspritMdnsBoard) b = esprit_mdns_lookup_sync (host, 3000, NULL, &e);

        if (b != NULL)
          {
            found = g_strdup_printf (_("Found %s at %s port %u (%s)"), b->name, b->address,
                                     b->port, b->board ? b->board : "?");
            if (!cli.json)
              printf ("%s\n", found);
            resolved = g_strdup (b->address);
            if (o.port == 0)
              o.port = b->port;
          }
        else if (g_error_matches (e, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED))
          /* No Avahi: say so, then try the name as an ordinary host name. */
          fprintf (stderr, _("Note: %s\n"), e->message);
      }
  }

  o.host = resolved ? resolved : host;
  o.local_address = local;
  o.command = filesystem ? ESPRIT_OTA_FILESYSTEM : ESPRIT_OTA_FLASH;
  o.file_name = file;
  o.timeout_ms = timeout_s * 1000;
  o.invitation_tries = espota_syntax ? 10 : 3;
  o.password = password;
  cli.start_us = g_get_monotonic_time ();
  o.ask_password = prompt_password;
  cli.json = cli.json && !espota_syntax;
  cli.board = g_strdup (host);
  if (o.chip != ESPRIT_CHIP_AUTO)
    cli.chip = esprit_chip_get_info (o.chip)->name;
  /* The port the upload really goes to: what the chip's core listens on unless given. */
  cli.port_id = g_strdup_printf ("ota:%s:%u", o.host,
                                 o.port ? o.port
                                 : o.chip == ESPRIT_CHIP_AUTO || o.chip == ESPRIT_CHIP_ESP8266
                                 ? ESPRIT_OTA_PORT_ESP8266 : ESPRIT_OTA_PORT_ESP32);
  if (cli.json && found != NULL)
    json_log (&cli, ESPRIT_LOG_INFO, found);
  ok = esprit_ota_upload (&o, image, on_progress, on_log, &cli, NULL, &error);
  if (password != NULL)
    memset (password, 0, strlen (password));
  if (!ok)
    {
      int status = fail (&cli, error);

      /* Refused input (an image for another chip) is only on stderr, as for serial boards. */
      if (cli.json && status != EXIT_BAD_INPUT)
        json_result (&cli, file, error, status);
      g_free (cli.board);
      g_free (cli.port_id);
      return status;
    }
  end_line (&cli);
  {
    g_autofree char *done = g_strdup_printf (_("Done: %lu bytes uploaded to %s in %.1f s; the "
                                               "board restarts."),
                                             (gulong) g_bytes_get_size (image), host,
                                             (g_get_monotonic_time () - cli.start_us) / 1e6);

    if (cli.json)
      {
        json_log (&cli, ESPRIT_LOG_INFO, done);
        json_result (&cli, file, NULL, 0);
      }
    else
      printf ("%s\n", done);
  }
  g_free (cli.board);
  g_free (cli.port_id);
  return 0;
}

/* esprit-cli.c: esptool-compatible command line: the global options, then the command
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <unistd.h>

#include "esprit-cli-ota.h"
#include "esprit-cli-private.h"
#include "esprit-enums.h"
#include "esprit-numbers.h"
#include "esprit-sim.h"

static void
usage (FILE *out)
{
  const EspritCliCommand *commands;
  guint n;

  fprintf (out, _("usage: esprit-cli [--port PORT] [--baud BAUD] [--chip CHIP] [--before MODE] "
                  "[--after MODE]\n                  [--no-stub] [--connect-attempts N] "
                  "[--trace] COMMAND [ARGS]\n\n"));
  fprintf (out, _("Several boards: --port PORT (again and again), --ports all|GLOB|@FILE, "
                  "--watch, --fail-fast;\n--json prints one JSON object per event\n\n"));
  fprintf (out, _("Ports: /dev/ttyUSB0, socket://HOST:PORT, rfc2217://HOST:PORT, sim:esp8266, "
                  "sim:esp32 (virtual boards)\n"));
  fprintf (out, _("Boards on other machines: there, esprit-cli serve PORT (or --ports all) "
                  "[--listen rfc2217://ADDRESS:PORT];\nhere, --port rfc2217://HOST:PORT\n"));
  fprintf (out, _("--before: default_reset, usb_reset, no_reset, no_reset_no_sync\n"));
  fprintf (out, _("--after: hard_reset (default), soft_reset, no_reset, no_reset_stub\n\n"));
  fprintf (out, _("Commands (also spelled with -, e.g. read-flash):\n"));
  commands = esprit_cli_get_commands (&n);
  for (guint i = 0; i < n; i++)
    fprintf (out, "  %-13s %s\n                %s\n", commands[i].name, _(commands[i].help),
             _(commands[i].args));
  /* Over the air: no serial port, so their own options (esprit-cli-ota.c). */
  fprintf (out, _("\nOver the air (ArduinoOTA), with their own options (COMMAND --help):\n"));
  fprintf (out, "  %-13s %s\n                %s\n", "ota",
           _("Upload a sketch or filesystem image over Wi-Fi; --list finds boards"),
           _("[--host H] [--ota-port P] [--auth-file F] [--filesystem] [--json] FILE"));
  fprintf (out, "  %-13s %s\n                %s\n", "espota",
           _("The same with espota.py's options (exit status 0 or 1)"),
           _("-i IP -f FILE [-p PORT] [-P HOST_PORT] [-a PASSWORD] [-s] [-r] [-d]"));
}

/* One global option with its value; returns -1 to go on, else the exit status. */
static int
parse_option (EspritCli  *cli,
              const char *a,
              const char *v)
{
  g_autoptr(GError) error = NULL;
  int value;

  if (g_str_equal (a, "--port") || g_str_equal (a, "-p"))
    g_ptr_array_add (cli->ports, g_strdup (v));
  else if (g_str_equal (a, "--ports"))
    g_ptr_array_add (cli->port_specs, g_strdup (v));
  else if (g_str_equal (a, "--baud") || g_str_equal (a, "-b"))
    {
      if (!esprit_parse_number (v, _("Baud rate"), &cli->connect.baud, &error))
        return esprit_cli_fail (cli, error);
      if (cli->connect.baud < 300 || cli->connect.baud > 5000000)
        return esprit_cli_bad_input (_("Baud rate %s is out of range (300 to 5000000)"), v);
    }
  else if (g_str_equal (a, "--chip") || g_str_equal (a, "-c"))
    {
      if (!esprit_chip_parse (v, &cli->connect.expected))
        return esprit_cli_bad_input (_("Unknown chip %s (auto, esp8266, esp32, esp32s2, "
                                       "esp32s3, esp32c3, esp32c6)"), v);
    }
  else if (g_str_equal (a, "--before"))
    {
      if (!esprit_enum_parse (ESPRIT_TYPE_BEFORE, v, &value))
        return esprit_cli_bad_input (_("Unknown --before mode %s"), v);
      cli->connect.before = value;
    }
  else if (g_str_equal (a, "--after") || g_str_equal (a, "-a"))
    {
      if (!esprit_enum_parse (ESPRIT_TYPE_AFTER, v, &value))
        return esprit_cli_bad_input (_("Unknown --after mode %s"), v);
      cli->connect.after = value;
    }
  else if (g_str_equal (a, "--connect-attempts"))
    {
      if (!esprit_parse_number (v, _("Connect attempts"), &cli->connect.attempts, &error))
        return esprit_cli_fail (cli, error);
    }
  else
    return esprit_cli_bad_input (_("Unknown option %s (see --help)"), a);
  return -1;
}

int
main (int    argc,
      char **argv)
{
  static const EspritConnectOptions defaults = ESPRIT_CONNECT_OPTIONS_INIT;
  g_auto(EspritCli) cli = { NULL };
  g_auto(EspritCliJob) job = { NULL };
  const EspritCliCommand *cmd;
  int i, rc;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* Over the air the board is no serial port: the OTA commands take their own options. */
  if (argc > 1 && (g_str_equal (argv[1], "ota") || g_str_equal (argv[1], "espota")))
    return esprit_cli_ota_main (argc, argv, g_str_equal (argv[1], "espota"), FALSE,
                                FALSE);
  cli.tty = isatty (STDOUT_FILENO);
  cli.connect = defaults;
  cli.ports = g_ptr_array_new_with_free_func (g_free);
  cli.port_specs = g_ptr_array_new_with_free_func (g_free);
  cli.started = g_date_time_new_now_local ();
  g_mutex_init (&cli.print_lock);
  /* Virtual boards: every run gets a new one (or the one its flash= file holds). */
  esprit_sim_register_scheme (esprit_port_registry_get_default (), FALSE);

  /* Refusals before the boards start are JSON events too, wherever --json stands. */
  for (i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--json"))
      esprit_cli_set_json_errors (TRUE);
  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      const char *a = argv[i];

      if (g_str_equal (a, "-h") || g_str_equal (a, "--help"))
        {
          usage (stdout);
          return 0;
        }
      if (g_str_equal (a, "--no-stub"))
        {
          cli.connect.stub = ESPRIT_STUB_NEVER;
          continue;
        }
      if (g_str_equal (a, "--trace") || g_str_equal (a, "-t"))
        {
          cli.connect.trace = TRUE;
          continue;
        }
      if (g_str_equal (a, "--json") || g_str_equal (a, "--watch") ||
          g_str_equal (a, "--fail-fast"))
        {
          cli.json |= g_str_equal (a, "--json");
          cli.watch |= g_str_equal (a, "--watch");
          cli.fail_fast |= g_str_equal (a, "--fail-fast");
          continue;
        }
      if (i + 1 >= argc)
        return esprit_cli_bad_input (_("%s needs a value"), a);
      rc = parse_option (&cli, a, argv[++i]);
      if (rc >= 0)
        return rc;
    }
  if (i >= argc)
    {
      usage (stderr);
      return ESPRIT_CLI_EXIT_BAD_INPUT;
    }
  /* `esprit-cli --json ota …`: only --json and --trace mean something over the air. */
  if (g_str_equal (argv[i], "ota") || g_str_equal (argv[i], "espota"))
    {
      if (cli.ports->len > 0 || cli.port_specs->len > 0)
        return esprit_cli_bad_input (_("%s goes over the network, not a serial port: give the "
                                       "board with its own options (see esprit-cli %s --help)"),
                                     argv[i], argv[i]);
      return esprit_cli_ota_main (argc - i + 1, argv + i - 1, g_str_equal (argv[i], "espota"),
                                  cli.json, cli.connect.trace);
    }
  cmd = esprit_cli_find_command (argv[i]);
  if (cmd == NULL)
    return esprit_cli_bad_input (_("Unknown command %s (see --help)"), argv[i]);
  if (cmd->func != NULL)
    return cmd->func (&cli, argc - i - 1, argv + i + 1);
  job.cmd = cmd;
  rc = cmd->parse (&cli, &job, argc - i - 1, argv + i + 1);
  if (rc >= 0)
    return rc;
  cli.output = cli.json ? ESPRIT_CLI_OUTPUT_JSON : ESPRIT_CLI_OUTPUT_PLAIN;
  /* JSON output is nothing but JSON. */
  if (!cli.json)
    printf ("esprit-cli v%s\n", PACKAGE_VERSION);
  return esprit_cli_run_boards (&cli, &job);
}

/* esprit-sim-main.c: `esprit-sim`, a virtual board any client can use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esprit-numbers.h"
#include "esprit-sim-classroom.h"
#include "esprit-sim-ota.h"
#include "esprit-sim-server.h"

static volatile gint stop_flag;
static char *count_file;
static char *events_file;

static gboolean
write_counts (gpointer data)
{
  esprit_sim_write_counts (data, count_file);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer data)
{
  g_atomic_int_set (&stop_flag, 1);
  return G_SOURCE_CONTINUE;
}

typedef struct {
  EspritSim *sim;
  GSocket   *listener;
  int        master;
  EspritSimServeFlags flags;
} Serve;

static gpointer
serve_thread (gpointer data)
{
  Serve *s = data;

  if (s->master >= 0)
    esprit_sim_serve_pty (s->sim, s->master, &stop_flag);
  else
    esprit_sim_serve_tcp (s->sim, s->listener, s->flags, &stop_flag);
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *chip = NULL, *flash = NULL, *size = NULL, *mac = NULL, *listen = NULL;
  gboolean timing = FALSE, plain_lines = FALSE;
  gint64 noise = 0, corrupt_tx = -1, corrupt_rx = -1, drop_frame = -1, stall_after = -1;
  gint64 stall_ms = 0, disconnect_after = -1, unplug_after = -1;
  gint boards = 0;
  g_auto(GStrv) board_faults = NULL;
  g_autofree char *noise_s = NULL, *corrupt_tx_s = NULL, *corrupt_rx_s = NULL, *drop_s = NULL;
  g_autofree char *stall_after_s = NULL, *stall_ms_s = NULL, *disconnect_s = NULL;
  g_autofree char *unplug_s = NULL;
  GOptionEntry entries[] = {
    { "chip", 0, 0, G_OPTION_ARG_STRING, &chip, N_("Chip: esp8266, esp32, esp32s2, esp32s3, esp32c3, esp32c6"), "CHIP" },
    { "flash", 0, 0, G_OPTION_ARG_FILENAME, &flash, N_("Keep the flash in FILE (created 0xFF-filled)"), "FILE" },
    { "flash-size", 0, 0, G_OPTION_ARG_STRING, &size, N_("Flash size (default 4MB)"), "SIZE" },
    { "mac", 0, 0, G_OPTION_ARG_STRING, &mac, N_("MAC address in the eFuse"), "MAC" },
    { "timing", 0, 0, G_OPTION_ARG_NONE, &timing, N_("Model wire, loader and flash time"), NULL },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, N_("pty, socket://127.0.0.1:PORT or rfc2217://127.0.0.1:PORT"), "WHERE" },
    { "noise-before-sync", 0, 0, G_OPTION_ARG_STRING, &noise_s, N_("Send N noise bytes before the first SYNC reply"), "N" },
    { "corrupt-tx-byte", 0, 0, G_OPTION_ARG_STRING, &corrupt_tx_s, N_("Corrupt the Nth byte the board sends"), "N" },
    { "corrupt-rx-byte", 0, 0, G_OPTION_ARG_STRING, &corrupt_rx_s, N_("Corrupt the Nth byte the board receives"), "N" },
    { "drop-frame", 0, 0, G_OPTION_ARG_STRING, &drop_s, N_("Drop the board's Nth reply frame"), "N" },
    { "stall-after", 0, 0, G_OPTION_ARG_STRING, &stall_after_s, N_("Stall after receiving N bytes"), "N" },
    { "stall-ms", 0, 0, G_OPTION_ARG_STRING, &stall_ms_s, N_("How long to stall"), "MS" },
    { "disconnect-after", 0, 0, G_OPTION_ARG_STRING, &disconnect_s, N_("Drop the link after N bytes"), "N" },
    { "unplug-after", 0, 0, G_OPTION_ARG_STRING, &unplug_s, N_("Unplug the board after N bytes (a pty goes away)"), "N" },
    { "count-file", 0, 0, G_OPTION_ARG_FILENAME, &count_file, N_("Keep the byte counts of the wire in FILE (FILE-1, FILE-2... with --boards)"), "FILE" },
    { "events", 0, 0, G_OPTION_ARG_FILENAME, &events_file, N_("Append what the board does (boots, firmware it runs) to FILE"), "FILE" },
    { "boards", 0, 0, G_OPTION_ARG_INT, &boards, N_("Serve N boards, each with its own flash (FILE-1, FILE-2... or DIR/board-K.bin) and MAC"), "N" },
    { "board-faults", 0, 0, G_OPTION_ARG_STRING_ARRAY, &board_faults, N_("Faults for board K only (K:disconnect-after=N,...)"), "K:SPEC" },
    { "rfc2217-plain-lines", 0, 0, G_OPTION_ARG_NONE, &plain_lines, N_("Apply each RFC 2217 DTR/RTS change as it arrives (no reset-sequence recognition)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— a virtual ESP8266/ESP32 board"));
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritSim) sim = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  EspritSimConfig config = { 0 };
  EspritSimFaults faults = ESPRIT_SIM_FAULTS_NONE;
  Serve serve = { NULL, NULL, -1, ESPRIT_SIM_SERVE_RAW };
  g_autofree char *where = NULL;
  GThread *thread;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (context, esprit_sim_ota_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "esprit-sim: %s\n", error->message);
      return 2;
    }
  if (!esprit_chip_parse (chip ? chip : "esp8266", &config.chip) ||
      config.chip == ESPRIT_CHIP_AUTO)
    {
      fprintf (stderr, "esprit-sim: unknown chip %s\n", chip);
      return 2;
    }
  if ((size && !esprit_parse_size (size, _("Flash size"), &config.flash_size, &error)) ||
      (mac && !esprit_parse_mac (mac, config.mac, &error)))
    {
      fprintf (stderr, "esprit-sim: %s\n", error->message);
      return 2;
    }
  if (esprit_sim_ota_wanted ())
    return esprit_sim_ota_main (config.chip, flash, config.flash_size, events_file);
  if ((noise_s && !esprit_parse_count (noise_s, &noise)) ||
      (corrupt_tx_s && !esprit_parse_count (corrupt_tx_s, &corrupt_tx)) ||
      (corrupt_rx_s && !esprit_parse_count (corrupt_rx_s, &corrupt_rx)) ||
      (drop_s && !esprit_parse_count (drop_s, &drop_frame)) ||
      (stall_after_s && !esprit_parse_count (stall_after_s, &stall_after)) ||
      (stall_ms_s && !esprit_parse_count (stall_ms_s, &stall_ms)) ||
      (disconnect_s && !esprit_parse_count (disconnect_s, &disconnect_after)) ||
      (unplug_s && !esprit_parse_count (unplug_s, &unplug_after)))
    {
      fprintf (stderr, "esprit-sim: fault counts are non-negative numbers\n");
      return 2;
    }
  faults.noise_before_sync = (guint) noise;
  faults.corrupt_tx_byte = corrupt_tx;
  faults.corrupt_rx_byte = corrupt_rx;
  faults.drop_frame = (gint) drop_frame;
  faults.stall_after_bytes = stall_after;
  faults.stall_ms = (guint) stall_ms;
  faults.disconnect_after = disconnect_after;
  faults.unplug_after = unplug_after;
  config.timing = timing;
  config.flash_path = flash;
  config.events_path = events_file;
  if (listen == NULL)
    listen = g_strdup ("pty");
  /* Only rfc2217 carries DTR/RTS; elsewhere the board waits in download mode as if BOOT
   * were held. */
  config.lines_wired = g_str_has_prefix (listen, "rfc2217://");
  if (boards != 0 || board_faults != NULL)
    return esprit_sim_classroom_main (&config, &faults, listen, MAX (boards, 1), board_faults,
                                      count_file);

  sim = esprit_sim_new (&config, &error);
  if (sim == NULL)
    {
      fprintf (stderr, "esprit-sim: %s\n", error->message);
      return 1;
    }
  esprit_sim_set_faults (sim, &faults);
  serve.sim = sim;

  if (g_str_equal (listen, "pty"))
    {
      serve.master = esprit_sim_pty_open (&where, &error);
      if (serve.master < 0)
        {
          fprintf (stderr, "esprit-sim: %s\n", error->message);
          return 1;
        }
    }
  else if (g_str_has_prefix (listen, "socket://") || g_str_has_prefix (listen, "rfc2217://"))
    {
      const char *hp = strstr (listen, "://") + 3;
      const char *colon = strrchr (hp, ':');
      gint64 port = 0;

      if (g_str_has_prefix (listen, "rfc2217://"))
        serve.flags = ESPRIT_SIM_SERVE_RFC2217 | (plain_lines ? ESPRIT_SIM_SERVE_PLAIN_LINES : 0);
      if (colon == NULL || !esprit_parse_count (colon + 1, &port) || port > 65535)
        {
          fprintf (stderr, "esprit-sim: --listen %s needs HOST:PORT\n", listen);
          return 2;
        }
      {
        guint16 p = (guint16) port;

        serve.listener = esprit_sim_listen_tcp (&p, &error);
        if (serve.listener == NULL)
          {
            fprintf (stderr, "esprit-sim: %s\n", error->message);
            return 1;
          }
        where = g_strdup_printf ("%s127.0.0.1:%u",
                                 serve.flags & ESPRIT_SIM_SERVE_RFC2217 ? "rfc2217://" : "socket://",
                                 p);
      }
    }
  else
    {
      fprintf (stderr, "esprit-sim: --listen takes pty, socket://HOST:PORT or rfc2217://HOST:PORT\n");
      return 2;
    }

  /* The first line is where to connect: tests read it. */
  printf ("%s\n", where);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, NULL);
  g_unix_signal_add (SIGTERM, on_signal, NULL);
  if (count_file != NULL)
    {
      write_counts (sim);
      g_timeout_add (50, write_counts, sim);
    }
  thread = g_thread_new ("sim-serve", serve_thread, &serve);
  while (!g_atomic_int_get (&stop_flag))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  if (count_file != NULL)
    write_counts (sim);
  g_clear_object (&serve.listener);
  return 0;
}

/* esprit-sim-ota-main.c: `esprit-sim --ota udp://HOST:PORT`, the virtual OTA board as a program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "esprit-numbers.h"
#include "esprit-sim-ota.h"

static char *ota_url, *ota_password, *ota_password_hash, *ota_core, *ota_publish;
static char *ota_drop_after, *ota_corrupt_byte;
static gboolean ota_no_connect_back, ota_full, ota_atomic_fs;
static volatile gint ota_stop;

static const GOptionEntry ota_entries[] = {
  { "ota", 0, 0, G_OPTION_ARG_STRING, &ota_url, N_("Run an ArduinoOTA sketch on UDP HOST:PORT (udp://127.0.0.1:8266; port 0 picks one)"), "udp://HOST:PORT" },
  { "ota-password", 0, 0, G_OPTION_ARG_STRING, &ota_password, N_("The sketch's ArduinoOTA.setPassword()"), "PW" },
  { "ota-password-hash", 0, 0, G_OPTION_ARG_STRING, &ota_password_hash, N_("The sketch's ArduinoOTA.setPasswordHash() (hex)"), "HEX" },
  { "ota-core", 0, 0, G_OPTION_ARG_STRING, &ota_core, N_("esp8266, esp32-md5 (before 3.3.1) or esp32-sha256 (3.3.1+)"), "CORE" },
  { "ota-publish", 0, 0, G_OPTION_ARG_STRING, &ota_publish, N_("Announce the board as NAME through Avahi"), "NAME" },
  { "ota-drop-after", 0, 0, G_OPTION_ARG_STRING, &ota_drop_after, N_("Fault: drop the TCP link after N bytes"), "N" },
  { "ota-no-connect-back", 0, 0, G_OPTION_ARG_NONE, &ota_no_connect_back, N_("Fault: never connect back to the host"), NULL },
  { "ota-corrupt-byte", 0, 0, G_OPTION_ARG_STRING, &ota_corrupt_byte, N_("Fault: corrupt the Nth byte received (MD5 mismatch)"), "N" },
  { "ota-full", 0, 0, G_OPTION_ARG_NONE, &ota_full, N_("Fault: the flash has no room for an update"), NULL },
  { "ota-atomic-fs", 0, 0, G_OPTION_ARG_NONE, &ota_atomic_fs, N_("ESP8266 sketch built with ATOMIC_FS_UPDATE: a filesystem is staged, then copied by eboot"), NULL },
  { NULL }
};

GOptionGroup *
esprit_sim_ota_option_group (void)
{
  GOptionGroup *group = g_option_group_new ("ota", _("Virtual ArduinoOTA board:"),
                                            _("Show the OTA board options"), NULL, NULL);

  g_option_group_add_entries (group, ota_entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  return group;
}

gboolean
esprit_sim_ota_wanted (void)
{
  return ota_url != NULL;
}

static gboolean
on_signal (gpointer data)
{
  g_atomic_int_set (&ota_stop, 1);
  return G_SOURCE_CONTINUE;
}

static gpointer
serve (gpointer data)
{
  esprit_sim_ota_run (data, &ota_stop);
  return NULL;
}

/* An optional count option: absent is fine. */
static gboolean
parse_count (const char *text,
             gint64     *out)
{
  return text == NULL || esprit_parse_count (text, out);
}

int
esprit_sim_ota_main (EspritChip  chip,
                     const char *flash,
                     guint32     flash_size,
                     const char *events)
{
  EspritSimOtaConfig config = { 0 };
  g_autoptr(EspritSimOta) ota = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  const char *hp, *colon;
  gint64 port = -1;
  GThread *thread;
  int core;

  if (!g_str_has_prefix (ota_url, "udp://") || (colon = strrchr (ota_url + 6, ':')) == NULL ||
      !parse_count (colon + 1, &port) || port > 65535)
    {
      fprintf (stderr, "esprit-sim: --ota takes udp://HOST:PORT\n");
      return 2;
    }
  hp = ota_url + 6;
  host = g_strndup (hp, colon - hp);
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);

      g_free (host);
      host = inner;
    }
  core = ota_core ? esprit_sim_ota_core_from_name (ota_core)
         : chip == ESPRIT_CHIP_ESP8266 ? ESPRIT_SIM_OTA_ESP8266 : ESPRIT_SIM_OTA_ESP32_SHA256;
  if (core < 0 || ((core == ESPRIT_SIM_OTA_ESP8266) != (chip == ESPRIT_CHIP_ESP8266)))
    {
      fprintf (stderr, "esprit-sim: --ota-core is esp8266 (with --chip esp8266), esp32-md5 or "
               "esp32-sha256 (with an ESP32 chip)\n");
      return 2;
    }
  config.chip = chip;
  config.core = core;
  config.address = host;
  config.port = (guint16) port;
  config.password = ota_password;
  config.password_hash = ota_password_hash;
  config.flash_size = flash_size;
  config.flash_path = flash;
  config.events_path = events;
  config.publish_name = ota_publish;
  config.drop_after = -1;
  config.corrupt_byte = -1;
  config.no_connect_back = ota_no_connect_back;
  config.full = ota_full;
  config.atomic_fs_update = ota_atomic_fs;
  if (!parse_count (ota_drop_after, &config.drop_after) ||
      !parse_count (ota_corrupt_byte, &config.corrupt_byte))
    {
      fprintf (stderr, "esprit-sim: fault counts are non-negative numbers\n");
      return 2;
    }
  ota = esprit_sim_ota_new (&config, &error);
  if (ota == NULL)
    {
      fprintf (stderr, "esprit-sim: %s\n", error->message);
      return 1;
    }
  /* The first line is where to send the invitation: tests read it. */
  if (strchr (host, ':') != NULL)
    printf ("udp://[%s]:%u\n", host, esprit_sim_ota_get_port (ota));
  else
    printf ("udp://%s:%u\n", host, esprit_sim_ota_get_port (ota));
  fflush (stdout);
  g_unix_signal_add (SIGINT, on_signal, NULL);
  g_unix_signal_add (SIGTERM, on_signal, NULL);
  thread = g_thread_new ("sim-ota", serve, ota);
  while (!g_atomic_int_get (&ota_stop))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  return 0;
}

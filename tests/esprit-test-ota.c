/* esprit-test-ota.c: a virtual OTA board in a thread, and what the OTA tests check on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "esprit-test-ota.h"
#include "esprit-test-util.h"

static gpointer
serve (gpointer data)
{
  EspritTestOtaBoard *b = data;

  esprit_sim_ota_run (b->ota, &b->stop);
  return NULL;
}

EspritTestOtaBoard *
esprit_test_ota_start (EspritSimOtaConfig *config,
                       GBytes             *old_program,
                       guint32             old_addr)
{
  EspritTestOtaBoard *b = g_new0 (EspritTestOtaBoard, 1);
  g_autoptr(GError) error = NULL;

  b->dir = g_dir_make_tmp ("esprit-ota-XXXXXX", &error);
  g_assert_no_error (error);
  b->events = g_build_filename (b->dir, "events", NULL);
  config->events_path = b->events;
  if (config->chip == 0 && config->core != ESPRIT_SIM_OTA_ESP8266)
    config->chip = ESPRIT_CHIP_ESP32;
  b->ota = esprit_sim_ota_new (config, &error);
  g_assert_no_error (error);
  if (old_program != NULL)
    esprit_sim_ota_load_flash (b->ota, old_addr, g_bytes_get_data (old_program, NULL),
                               g_bytes_get_size (old_program));
  b->log = g_string_new (NULL);
  b->chip = config->chip;
  b->thread = g_thread_new ("board", serve, b);
  return b;
}

char *
esprit_test_ota_events (EspritTestOtaBoard *b)
{
  char *text = NULL;

  g_file_get_contents (b->events, &text, NULL, NULL);
  return text ? text : g_strdup ("");
}

void
esprit_test_ota_stop (EspritTestOtaBoard *b)
{
  g_atomic_int_set (&b->stop, 1);
  g_thread_join (b->thread);
  esprit_sim_ota_free (b->ota);
  g_unlink (b->events);
  g_rmdir (b->dir);
  g_free (b->events);
  g_free (b->dir);
  g_string_free (b->log, TRUE);
  g_free (b);
}

void
esprit_test_ota_collect_log (EspritLogLevel  level,
                             const char     *line,
                             gpointer        user_data)
{
  EspritTestOtaBoard *b = user_data;

  g_string_append_printf (b->log, "%d %s\n", level, line);
}

gboolean
esprit_test_ota_upload (EspritTestOtaBoard  *b,
                        EspritOtaCommand     command,
                        const char          *password,
                        GBytes              *image,
                        GError             **error)
{
  EspritOtaOptions o = { 0 };

  o.host = "127.0.0.1";
  o.port = esprit_sim_ota_get_port (b->ota);
  o.password = password;
  o.command = command;
  o.chip = b->chip;   /* the port is not 8266/3232 here, so it cannot tell */
  o.file_name = "sketch.bin";
  o.timeout_ms = 3000;
  o.invitation_tries = 1;
  o.final_timeout_ms = 5000;
  return esprit_ota_upload (&o, image, NULL, esprit_test_ota_collect_log, b, NULL, error);
}

/* An Arduino ESP8266 .bin: eboot at 0x0 padded with 0xAA to 4 KB, the sketch at 0x1000
 * (§10.2). */
GBytes *
esprit_test_ota_arduino_bin (gsize     sketch_size,
                             guint32   seed,
                             GBytes  **sketch_out)
{
  g_autoptr(GBytes) eboot = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 1500, 1, FALSE, 7);
  g_autoptr(GBytes) sketch = esprit_test_make_image (ESPRIT_CHIP_ESP8266, sketch_size, 3, FALSE,
                                                     seed);
  GByteArray *bin = g_byte_array_new ();
  guint8 pad = 0xAA;

  g_byte_array_append (bin, g_bytes_get_data (eboot, NULL), g_bytes_get_size (eboot));
  while (bin->len < 0x1000)
    g_byte_array_append (bin, &pad, 1);
  g_byte_array_append (bin, g_bytes_get_data (sketch, NULL), g_bytes_get_size (sketch));
  if (sketch_out != NULL)
    *sketch_out = g_bytes_ref (sketch);
  return g_byte_array_free_to_bytes (bin);
}

void
esprit_test_ota_assert_flash (EspritTestOtaBoard *b,
                              guint32             addr,
                              GBytes             *expected)
{
  g_autoptr(GBytes) flash = esprit_sim_ota_dup_flash (b->ota);
  gsize n;
  const guint8 *want = g_bytes_get_data (expected, &n);

  g_assert_cmpuint (g_bytes_get_size (flash), >=, addr + n);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (flash, NULL) + addr, n, want, n);
}

/* The last "app:" line says the board runs @image (md5 of its bytes) at @where. */
void
esprit_test_ota_assert_running (EspritTestOtaBoard *b,
                                const char         *where,
                                GBytes             *image)
{
  g_autofree char *events = NULL;
  g_autofree char *md5 = image ? g_compute_checksum_for_bytes (G_CHECKSUM_MD5, image) : NULL;
  /* NULL @image: only that the board rebooted after an update and runs something there */
  g_autofree char *want = image ? g_strdup_printf ("app: running %s (%" G_GSIZE_FORMAT
                                                   " bytes, md5 %s)", where,
                                                   g_bytes_get_size (image), md5)
                                : g_strdup_printf ("app: running %s", where);
  const char *last = NULL;

  /* The board reboots after it sent OK: give it a moment. */
  for (guint i = 0; i < 100; i++)
    {
      g_free (events);
      events = esprit_test_ota_events (b);
      last = g_strrstr (events, "app: ");
      if (last != NULL && g_str_has_prefix (last, want) &&
          (image != NULL || strstr (events, "ESP.restart()") != NULL))
        break;
      g_usleep (20000);
    }

  if (last == NULL || !g_str_has_prefix (last, want))
    g_test_message ("events:\n%s\nwanted: %s", events, want);
  g_assert_nonnull (last);
  g_assert_true (g_str_has_prefix (last, want));
}

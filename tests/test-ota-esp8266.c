/* test-ota-esp8266.c: what the ESP8266 core does besides a plain sketch upload, on the
 * virtual OTA board: gzip-compressed images (staged as sent, inflated by eboot on the
 * reboot, no flash-mode patch), the host's check of what is inside a .bin.gz, and sketches
 * built with ATOMIC_FS_UPDATE (a filesystem staged below FS_start and copied by eboot)
 * (esp8266/Arduino Updater.cpp, bootloaders/eboot/eboot.c; §7.1, §10.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "esprit-error.h"
#include "esprit-image.h"
#include "esprit-test-ota.h"
#include "esprit-test-util.h"

#define FS_START 0x200000u   /* 4M2M, the virtual board's 4 MB layout (§10.2) */

/* An Arduino .bin whose sketch repeats itself, so that gzip has something to do. */
static GBytes *
compressible_bin (GBytes **sketch_out)
{
  g_autoptr(GBytes) bin = esprit_test_ota_arduino_bin (200000, 21, sketch_out);
  gsize n = g_bytes_get_size (bin);
  guint8 *data = g_memdup2 (g_bytes_get_data (bin, NULL), n);
  g_autoptr(GBytes) patched = NULL;
  guint8 checksum = 0xEF;
  guint32 pos = 0x1000 + 8;

  /* Every segment's data becomes a 1 KB pattern; the XOR checksum is put right again. */
  for (guint s = 0; s < data[0x1001]; s++)
    {
      guint32 len = data[pos + 4] | (data[pos + 5] << 8) | (data[pos + 6] << 16);

      pos += 8;
      for (guint32 i = 0; i < len; i++)
        {
          data[pos + i] = (guint8) ((i % 1024) * 7);
          checksum ^= data[pos + i];
        }
      pos += len;
    }
  while (pos % 16 != 15)
    pos++;
  data[pos] = checksum;
  patched = g_bytes_new_take (data, n);
  if (sketch_out != NULL)
    {
      g_bytes_unref (*sketch_out);
      *sketch_out = g_bytes_new_from_bytes (patched, 0x1000, n - 0x1000);
    }
  return g_steal_pointer (&patched);
}

static void
upload_ok (EspritTestOtaBoard *b,
           EspritOtaCommand    command,
           GBytes             *image)
{
  g_autoptr(GError) error = NULL;
  gboolean done = esprit_test_ota_upload (b, command, NULL, image, &error);

  g_assert_no_error (error);
  g_assert_true (done);
}

/* The board reboots after it sent OK, so what eboot does comes a moment after the upload:
 * waits up to 5 s for @line. */
static void
assert_event (EspritTestOtaBoard *b,
              const char         *line)
{
  g_autofree char *events = NULL;

  for (guint i = 0; i < 250; i++)
    {
      g_free (events);
      events = esprit_test_ota_events (b);
      if (strstr (events, line) != NULL)
        return;
      g_usleep (20000);
    }
  g_error ("No event \"%s\" in:\n%s", line, events);
}

/* A .bin.gz: staged as sent (the compressed size decides the room), and on the reboot
 * eboot inflates it to 0x0 (its size from the gzip trailer); the header keeps its own flash
 * mode, since neither the Updater nor eboot patches a gzip image. */
static void
test_gzip (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) old = esprit_test_ota_arduino_bin (100000, 20, NULL);
  g_autoptr(GBytes) sketch = NULL;
  g_autoptr(GBytes) bin = compressible_bin (&sketch);
  g_autoptr(GBytes) gz = esprit_test_gzip (bin);
  g_autoptr(GBytes) qio_old = NULL;
  g_autofree char *inflated = NULL;
  guint8 *copy = g_memdup2 (g_bytes_get_data (old, NULL), g_bytes_get_size (old));
  guint32 staged = FS_START - ((g_bytes_get_size (gz) + 0xFFF) & ~0xFFFu);
  EspritTestOtaBoard *b;

  g_test_message ("%" G_GSIZE_FORMAT " bytes, %" G_GSIZE_FORMAT " gzip-compressed",
                  g_bytes_get_size (bin), g_bytes_get_size (gz));
  g_assert_cmpuint (g_bytes_get_size (gz), <, g_bytes_get_size (bin) / 2);
  /* The running program is QIO; the upload says DIO (esprit_test_make_image). */
  copy[2] = ESPRIT_FLASH_MODE_QIO;
  qio_old = g_bytes_new_take (copy, g_bytes_get_size (old));
  b = esprit_test_ota_start (&c, qio_old, 0);
  upload_ok (b, ESPRIT_OTA_FLASH, gz);
  assert_event (b, "ESP.restart() after the update");
  esprit_test_ota_assert_running (b, "the sketch at 0x001000", sketch);
  esprit_test_ota_assert_flash (b, staged, gz);
  esprit_test_ota_assert_flash (b, 0, bin);
  inflated = g_strdup_printf ("boot: eboot inflated 0x%06x to 0x000000, %" G_GSIZE_FORMAT
                              " bytes gzip, %" G_GSIZE_FORMAT " bytes", staged,
                              g_bytes_get_size (gz), g_bytes_get_size (bin));
  assert_event (b, inflated);
  esprit_test_ota_stop (b);
}

/* The host looks inside a .bin.gz before sending: damaged, or built for an ESP32, or for a
 * board whose core cannot unpack it, it is refused with the reason. */
static void
test_gzip_checked (void)
{
  g_autoptr(GBytes) bin = compressible_bin (NULL);
  g_autoptr(GBytes) gz = esprit_test_gzip (bin);
  g_autoptr(GBytes) esp32 = esprit_test_make_image (ESPRIT_CHIP_ESP32, 30000, 2, TRUE, 22);
  g_autoptr(GBytes) gz32 = esprit_test_gzip (esp32);
  g_autoptr(GBytes) fs = esprit_test_random_bytes (5000, 23);
  g_autoptr(GBytes) gzfs = esprit_test_gzip (fs);
  const guint8 *z = g_bytes_get_data (gz, NULL);
  gsize n = g_bytes_get_size (gz);
  g_autoptr(GError) error = NULL;

  g_assert_true (esprit_ota_check_image (z, n, ESPRIT_OTA_FLASH, ESPRIT_CHIP_ESP8266, &error));
  g_assert_no_error (error);
  /* Cut short, and one flipped bit (the CRC in the trailer catches it). */
  g_assert_false (esprit_ota_check_image (z, n - 100, ESPRIT_OTA_FLASH, ESPRIT_CHIP_ESP8266,
                                          &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
  g_assert_nonnull (strstr (error->message, "damaged"));
  g_clear_error (&error);
  {
    guint8 *bad = g_memdup2 (z, n);

    bad[n - 12] ^= 0x01;
    g_assert_false (esprit_ota_check_image (bad, n, ESPRIT_OTA_FLASH, ESPRIT_CHIP_ESP8266,
                                            &error));
    g_free (bad);
  }
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
  g_clear_error (&error);
  g_assert_false (esprit_ota_check_image (g_bytes_get_data (gz32, NULL), g_bytes_get_size (gz32),
                                          ESPRIT_OTA_FLASH, ESPRIT_CHIP_AUTO, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
  g_assert_nonnull (strstr (error->message, "built for the ESP32"));
  g_clear_error (&error);
  g_assert_false (esprit_ota_check_image (g_bytes_get_data (gzfs, NULL), g_bytes_get_size (gzfs),
                                          ESPRIT_OTA_FLASH, ESPRIT_CHIP_ESP8266, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
  g_clear_error (&error);
  g_assert_false (esprit_ota_check_image (z, n, ESPRIT_OTA_FLASH, ESPRIT_CHIP_ESP32, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
  g_assert_nonnull (strstr (error->message, "only the ESP8266"));
}

/* ATOMIC_FS_UPDATE: the filesystem is staged below FS_start, the live one untouched until
 * the reboot, when eboot copies it to FS_start; eboot then looks for an app there, finds
 * none, and the chip restarts into the sketch. */
static void
test_atomic_fs (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1, .atomic_fs_update = TRUE };
  g_autoptr(GBytes) sketch = NULL;
  g_autoptr(GBytes) old = esprit_test_ota_arduino_bin (100000, 24, &sketch);
  g_autoptr(GBytes) fs = esprit_test_random_bytes (0x6000 + 123, 25);
  g_autofree char *written = NULL, *copied = NULL, *ld = NULL;
  guint32 staged = FS_START - 0x7000;
  EspritTestOtaBoard *b = esprit_test_ota_start (&c, old, 0);

  upload_ok (b, ESPRIT_OTA_FILESYSTEM, fs);
  written = g_strdup_printf ("ota: filesystem of %" G_GSIZE_FORMAT " bytes written at 0x%06x",
                             g_bytes_get_size (fs), staged);
  copied = g_strdup_printf ("boot: eboot copied 0x%06x to 0x%06x, %" G_GSIZE_FORMAT " bytes",
                            staged, FS_START, g_bytes_get_size (fs));
  ld = g_strdup_printf ("boot: eboot ld from 0x%06x: no app there", FS_START);
  assert_event (b, written);
  assert_event (b, ld);
  assert_event (b, copied);
  esprit_test_ota_assert_running (b, "the sketch at 0x001000", sketch);
  esprit_test_ota_assert_flash (b, staged, fs);
  esprit_test_ota_assert_flash (b, FS_START, fs);
  esprit_test_ota_assert_flash (b, 0, old);
  esprit_test_ota_stop (b);
}

/* The staging needs room below FS_start as a sketch does: a filesystem that fits FS but not
 * below it next to the running sketch is refused with the core's text. */
static void
test_atomic_fs_space (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1, .atomic_fs_update = TRUE };
  g_autoptr(GBytes) old = esprit_test_ota_arduino_bin (600000, 26, NULL);
  g_autoptr(GBytes) fs = esprit_test_random_bytes (0x180000, 27);
  g_autoptr(GError) error = NULL;
  EspritTestOtaBoard *b = esprit_test_ota_start (&c, old, 0);

  g_assert_false (esprit_test_ota_upload (b, ESPRIT_OTA_FILESYSTEM, NULL, fs, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DEVICE);
  g_assert_nonnull (strstr (error->message, "ERROR[4]: Not Enough Space"));
  esprit_test_ota_stop (b);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/ota-esp8266/gzip", test_gzip);
  g_test_add_func ("/esprit/ota-esp8266/gzip-checked", test_gzip_checked);
  g_test_add_func ("/esprit/ota-esp8266/atomic-fs", test_atomic_fs);
  g_test_add_func ("/esprit/ota-esp8266/atomic-fs-space", test_atomic_fs_space);
  return g_test_run ();
}

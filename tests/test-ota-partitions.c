/* test-ota-partitions.c: the virtual ESP32 OTA board with partition tables other than
 * Arduino's default: it reads the table from its flash, writes each update to the OTA slot
 * after the running app and points otadata there as esp_ota_set_boot_partition does, and
 * refuses, with the core's Update.begin() texts, what the table has no room for (§7.2,
 * §10.1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-layout.h"
#include "esprit-test-ota.h"
#include "esprit-test-util.h"

#define PASSWORD ESPRIT_TEST_OTA_PASSWORD

/* A factory app, three OTA slots of 512 KB, and FAT instead of SPIFFS. */
static const char three_slots_csv[] =
  "# Name,   Type, SubType, Offset,   Size\n"
  "nvs,      data, nvs,     0x9000,   0x5000\n"
  "otadata,  data, ota,     0xE000,   0x2000\n"
  "factory,  app,  factory, 0x10000,  0x100000\n"
  "ota_0,    app,  ota_0,   0x110000, 0x80000\n"
  "ota_1,    app,  ota_1,   0x190000, 0x80000\n"
  "ota_2,    app,  ota_2,   0x210000, 0x80000\n"
  "ffat,     data, fat,     0x290000, 0x160000\n";

/* Only a factory app: nowhere for an update to go. */
static const char no_ota_csv[] =
  "nvs,      data, nvs,     0x9000,   0x5000\n"
  "factory,  app,  factory, 0x10000,  0x300000\n"
  "spiffs,   data, spiffs,  0x310000, 0xF0000\n";

static EspritTestOtaBoard *
start_with_table (const char *csv,
                  GBytes     *factory)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP32, .core = ESPRIT_SIM_OTA_ESP32_SHA256,
                           .password = PASSWORD, .drop_after = -1, .corrupt_byte = -1 };
  EspritPartitionTable table;
  g_autoptr(GBytes) bin = NULL;
  g_autoptr(GError) error = NULL;
  guint8 erased[0x2000];
  EspritTestOtaBoard *b = esprit_test_ota_start (&c, factory, 0x10000);

  g_assert_true (esprit_partition_table_from_csv (csv, ESPRIT_PARTITION_TABLE_OFFSET, &table,
                                                  &error));
  g_assert_no_error (error);
  bin = esprit_partition_table_to_binary (&table, TRUE, &error);
  g_assert_no_error (error);
  /* As a USB upload of the new table leaves it: otadata blank, the factory app boots. */
  memset (erased, 0xFF, sizeof erased);
  esprit_sim_ota_load_flash (b->ota, 0xE000, erased, sizeof erased);
  esprit_sim_ota_load_flash (b->ota, ESPRIT_PARTITION_TABLE_OFFSET, g_bytes_get_data (bin, NULL),
                             g_bytes_get_size (bin));
  return b;
}

static void
upload_ok (EspritTestOtaBoard *b,
           EspritOtaCommand    command,
           GBytes             *image)
{
  g_autoptr(GError) error = NULL;
  gboolean done = esprit_test_ota_upload (b, command, PASSWORD, image, &error);

  g_assert_no_error (error);
  g_assert_true (done);
}

/* otadata's entry in @sector holds @seq (with its CRC) */
static void
assert_otadata (EspritTestOtaBoard *b,
                guint               sector,
                guint32             seq)
{
  g_autoptr(GBytes) flash = esprit_sim_ota_dup_flash (b->ota);
  const guint8 *entry = (const guint8 *) g_bytes_get_data (flash, NULL) + 0xE000 + sector * 0x1000;
  guint8 want[ESPRIT_OTADATA_ENTRY_LEN];

  esprit_otadata_make_entry (seq, ESPRIT_OTA_STATE_UNDEFINED, want);
  g_assert_cmpmem (entry, sizeof want, want, sizeof want);
}

/* factory → ota_0 → ota_1 → ota_2 → ota_0 again, each where the table puts it. */
static void
test_three_slots (void)
{
  g_autoptr(GBytes) factory = esprit_test_make_image (ESPRIT_CHIP_ESP32, 150000, 3, TRUE, 30);
  GBytes *img[4];
  static const char *const where[4] = {
    "ota_0 at 0x110000", "ota_1 at 0x190000", "ota_2 at 0x210000", "ota_0 at 0x110000",
  };
  static const guint32 addr[4] = { 0x110000, 0x190000, 0x210000, 0x110000 };
  EspritTestOtaBoard *b = start_with_table (three_slots_csv, factory);

  esprit_test_ota_assert_running (b, "factory at 0x010000", factory);
  for (guint i = 0; i < 4; i++)
    {
      img[i] = esprit_test_make_image (ESPRIT_CHIP_ESP32, 100000 + 50000 * i, 3, TRUE, 31 + i);
      upload_ok (b, ESPRIT_OTA_FLASH, img[i]);
      esprit_test_ota_assert_running (b, where[i], img[i]);
      esprit_test_ota_assert_flash (b, addr[i], img[i]);
      /* seq 1, 2, 3, 4 in alternating sectors: (seq − 1) mod 3 is the slot (§10.1). */
      assert_otadata (b, i % 2, i + 1);
    }
  for (guint i = 0; i < 4; i++)
    g_bytes_unref (img[i]);
  esprit_test_ota_stop (b);
}

/* @img followed by 0xFF up to exactly @size bytes (what a padded export looks like). */
static GBytes *
padded (GBytes *img,
        gsize   size)
{
  guint8 *data = g_malloc (size);

  g_assert_cmpuint (g_bytes_get_size (img), <=, size);
  memset (data, 0xFF, size);
  memcpy (data, g_bytes_get_data (img, NULL), g_bytes_get_size (img));
  return g_bytes_new_take (data, size);
}

/* Bigger than the next slot: Update.begin() says "Bad Size Given" (only in the board's log
 * on the ESP32, which then never dials back), and the board runs on as it was. */
static void
test_oversize (void)
{
  g_autoptr(GBytes) factory = esprit_test_make_image (ESPRIT_CHIP_ESP32, 150000, 3, TRUE, 40);
  g_autoptr(GBytes) app = esprit_test_make_image (ESPRIT_CHIP_ESP32, 0x70000, 3, TRUE, 41);
  g_autoptr(GBytes) fits = padded (app, 0x80000);
  g_autoptr(GBytes) big = padded (app, 0x80001);
  g_autoptr(GError) error = NULL;
  g_autofree char *events = NULL;
  EspritTestOtaBoard *b = start_with_table (three_slots_csv, factory);

  g_assert_false (esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, PASSWORD, big, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT);
  events = esprit_test_ota_events (b);
  g_assert_nonnull (strstr (events, "ota: Update.begin failed: Bad Size Given"));
  g_assert_null (strstr (events, "ESP.restart()"));
  esprit_test_ota_assert_running (b, "factory at 0x010000", factory);
  /* Exactly the slot's size fits. */
  upload_ok (b, ESPRIT_OTA_FLASH, fits);
  esprit_test_ota_assert_running (b, "ota_0 at 0x110000", NULL);
  esprit_test_ota_assert_flash (b, 0x110000, fits);
  esprit_test_ota_stop (b);
}

/* No spiffs partition: a filesystem goes to the first fat one, past its first sector. */
static void
test_fat (void)
{
  g_autoptr(GBytes) factory = esprit_test_make_image (ESPRIT_CHIP_ESP32, 150000, 3, TRUE, 50);
  g_autoptr(GBytes) fs = esprit_test_random_bytes (0x8000, 51);
  EspritTestOtaBoard *b = start_with_table (three_slots_csv, factory);
  g_autofree char *events = NULL;

  upload_ok (b, ESPRIT_OTA_FILESYSTEM, fs);
  esprit_test_ota_assert_flash (b, 0x291000, fs);
  events = esprit_test_ota_events (b);
  g_assert_nonnull (strstr (events, "written at 0x291000 (partition ffat)"));
  esprit_test_ota_stop (b);
}

/* A table with no OTA slot: "Partition Could Not be Found"; a filesystem still works. */
static void
test_no_slot (void)
{
  g_autoptr(GBytes) factory = esprit_test_make_image (ESPRIT_CHIP_ESP32, 150000, 3, TRUE, 60);
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP32, 40000, 2, TRUE, 61);
  g_autoptr(GBytes) fs = esprit_test_random_bytes (0x4000, 62);
  g_autoptr(GError) error = NULL;
  g_autofree char *events = NULL;
  EspritTestOtaBoard *b = start_with_table (no_ota_csv, factory);

  g_assert_false (esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, PASSWORD, img, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT);
  events = esprit_test_ota_events (b);
  g_assert_nonnull (strstr (events, "ota: Update.begin failed: Partition Could Not be Found"));
  esprit_test_ota_assert_running (b, "factory at 0x010000", factory);
  upload_ok (b, ESPRIT_OTA_FILESYSTEM, fs);
  esprit_test_ota_assert_flash (b, 0x310000, fs);
  esprit_test_ota_stop (b);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/ota-partitions/three-slots", test_three_slots);
  g_test_add_func ("/esprit/ota-partitions/oversize", test_oversize);
  g_test_add_func ("/esprit/ota-partitions/fat", test_fat);
  g_test_add_func ("/esprit/ota-partitions/no-slot", test_no_slot);
  return g_test_run ();
}

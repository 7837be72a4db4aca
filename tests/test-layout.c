/* test-layout.c: recognising layouts (ESP-IDF flashes, ESP8266 Arduino and SDK builds) and the
 * flash map (protocol-facts §10)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-error.h"
#include "esprit-layout.h"
#include "esprit-test-util.h"

#define MB (1024u * 1024u)

static void
put (guint8  *flash,
     guint32  at,
     GBytes  *data)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (data, &len);

  memcpy (flash + at, p, len);
}

/* A 4 MB ESP32 flash with Arduino's default table, a bootloader, an app in app1 and
 * otadata pointing at it. */
static guint8 *
make_esp32_flash (gsize *app_len)
{
  guint8 *flash = g_malloc (4 * MB);
  g_autoptr(GBytes) boot = esprit_test_make_image (ESPRIT_CHIP_ESP32, 20000, 3, TRUE, 1);
  g_autoptr(GBytes) app = esprit_test_make_image (ESPRIT_CHIP_ESP32, 200000, 4, TRUE, 2);
  g_autofree guint8 *table = esprit_test_arduino_default_binary ();

  memset (flash, 0xFF, 4 * MB);
  put (flash, 0x1000, boot);
  memcpy (flash + 0x8000, table, 0xC00);
  esprit_otadata_make_entry (2, ESPRIT_OTA_STATE_VALID, flash + 0xE000);
  put (flash, 0x150000, app);
  memset (flash + 0x9000, 0x12, 0x100);   /* something in nvs */
  *app_len = g_bytes_get_size (app);
  return flash;
}

static const EspritRegion *
find (const EspritLayout *layout,
      const char         *name)
{
  g_autoptr(GError) error = NULL;
  const EspritRegion *r = esprit_layout_find (layout, name, &error);

  g_assert_no_error (error);
  return r;
}

typedef struct {
  const guint8 *flash;
  guint         reads;
  gboolean      fail;
} ReadCount;

static gboolean
count_read (guint32   addr,
            guint32   len,
            guint8   *buffer,
            gpointer  user_data,
            GError  **error)
{
  ReadCount *rc = user_data;

  g_assert_cmpuint (addr % ESPRIT_CHUNK_SIZE, ==, 0);
  if (rc->fail)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT, "no answer");
      return FALSE;
    }
  rc->reads++;
  memcpy (buffer, rc->flash + addr, len);
  return TRUE;
}

static void
test_esp32_flash (void)
{
  gsize app_len;
  g_autofree guint8 *flash = make_esp32_flash (&app_len);
  g_autoptr(EspritLayout) layout = esprit_layout_detect_image (flash, 4 * MB, ESPRIT_CHIP_AUTO,
                                                               0x8000);
  g_autoptr(EspritLayout) again = NULL;
  g_autoptr(EspritChunkMap) chunks = esprit_chunk_map_new (4 * MB);
  g_autoptr(GPtrArray) map = NULL;
  g_autoptr(GPtrArray) settings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *desc = NULL;
  g_autofree char *json = NULL;
  const EspritRegion *r;
  ReadCount rc = { flash, 0, FALSE };
  guint32 sum = 0;

  g_assert_cmpint (layout->kind, ==, ESPRIT_LAYOUT_PARTITION_TABLE);
  g_assert_cmpint (layout->chip, ==, ESPRIT_CHIP_ESP32);
  g_assert_true (layout->has_otadata);
  desc = esprit_layout_describe (layout);
  g_assert_cmpstr (desc, ==, "ESP-IDF partition table at 0x8000: 6 partitions, boots “app1”");
  g_assert_cmpuint (layout->regions->len, ==, 8);
  r = find (layout, "bootloader");
  g_assert_cmphex (r->offset, ==, 0x1000);
  g_assert_cmphex (r->size, ==, 0x7000);
  g_assert_true (r->has_image);
  g_assert_true (r->image.checksum_ok && r->image.hash_ok);
  r = find (layout, "partition_table");
  g_assert_cmphex (r->offset, ==, 0x8000);
  r = find (layout, "nvs");
  g_assert_cmphex (r->offset, ==, 0x9000);
  g_assert_cmphex (r->size, ==, 0x5000);
  g_assert_cmpint (r->kind, ==, ESPRIT_REGION_SETTINGS);
  r = find (layout, "app1");
  g_assert_true (r->boots && r->has_image);
  g_assert_cmpuint (r->used, ==, app_len);
  g_assert_cmpint (r->image.chip, ==, ESPRIT_CHIP_ESP32);
  g_assert_false (find (layout, "app0")->has_image);
  g_assert_cmpint (find (layout, "spiffs")->kind, ==, ESPRIT_REGION_FILESYSTEM);
  g_assert_null (esprit_layout_find (layout, "nvs2", &error));
  /* A name the user typed that the flash does not have (NOT_FOUND means a port or file). */
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "app0, app1"));
  g_clear_error (&error);

  settings = esprit_layout_settings_regions (layout);
  g_assert_cmpuint (settings->len, ==, 1);
  g_assert_cmpstr (((EspritRegion *) settings->pdata[0])->name, ==, "nvs");

  /* Through a reader: the same answer from a handful of 4 KB chunks. */
  again = esprit_layout_detect (ESPRIT_CHIP_ESP32, 4 * MB, 0x8000, count_read, &rc, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->kind, ==, ESPRIT_LAYOUT_PARTITION_TABLE);
  g_assert_cmpuint (again->regions->len, ==, 8);
  g_assert_true (esprit_layout_find (again, "app1", NULL)->boots);
  g_assert_cmpuint (esprit_layout_find (again, "app1", NULL)->used, ==, app_len);
  g_assert_cmpuint (rc.reads, <=, 16);
  /* Only the headers were read: the checksum is not judged. */
  g_assert_true (find (layout, "app1")->image_verified);
  g_assert_false (esprit_layout_find (again, "app1", NULL)->image_verified);
  {
    g_autofree char *img = esprit_region_describe_image (esprit_layout_find (again, "app1",
                                                                             NULL));

    g_assert_nonnull (strstr (img, "ESP image for ESP32: 4 segments"));
    g_assert_nonnull (strstr (img, "checksum not read"));
    g_assert_null (strstr (img, "bad"));
  }
  g_test_message ("layout of a 4 MB ESP32 flash from %u chunk reads", rc.reads);
  rc.fail = TRUE;
  g_assert_null (esprit_layout_detect (ESPRIT_CHIP_ESP32, 4 * MB, 0x8000, count_read, &rc,
                                       &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT);
  g_clear_error (&error);

  /* The map: everything covered once, gaps told by the chunk knowledge. */
  esprit_chunk_map_learn (chunks, 0, flash, 4 * MB);
  map = esprit_flash_map_build (layout, chunks);
  for (guint i = 0; i < map->len; i++)
    {
      r = map->pdata[i];
      g_assert_cmphex (r->offset, ==, sum);
      sum += r->size;
    }
  g_assert_cmphex (sum, ==, 4 * MB);
  r = map->pdata[0];
  g_assert_cmpstr (r->name, ==, "erased");
  g_assert_cmphex (r->size, ==, 0x1000);
  g_assert_cmpint (r->kind, ==, ESPRIT_REGION_ERASED);
  for (guint i = 0; i < map->len; i++)
    {
      r = map->pdata[i];
      if (g_str_equal (r->name, "app0") || g_str_equal (r->name, "spiffs"))
        g_assert_cmpint (r->contents, ==, ESPRIT_CHUNK_ERASED);
      if (g_str_equal (r->name, "nvs"))
        g_assert_cmpint (r->contents, ==, ESPRIT_CHUNK_UNKNOWN);   /* mixed */
      if (g_str_equal (r->name, "bootloader"))
        g_assert_cmpint (r->contents, ==, ESPRIT_CHUNK_UNKNOWN);
    }
  json = esprit_flash_map_to_json (layout, map);
  g_assert_nonnull (strstr (json, "\"name\": \"app1\", \"offset\": 1376256, \"size\": 1310720, "
                                  "\"kind\": \"app\", \"contents\": \"unknown\""));
  g_assert_nonnull (strstr (json, "\"boots\": true"));
  g_assert_nonnull (strstr (json, "\"chip\": \"esp32\""));

  /* Without chunk knowledge the gaps are unknown. */
  g_clear_pointer (&map, g_ptr_array_unref);
  map = esprit_flash_map_build (layout, NULL);
  g_assert_cmpstr (((EspritRegion *) map->pdata[0])->name, ==, "unknown");
  /* One gap region each, not one per chunk: bootloader ... coredump, and the first 4 KB. */
  g_assert_cmpuint (map->len, ==, 9);
}

static void
test_esp32_app_file (void)
{
  g_autoptr(GBytes) app = esprit_test_make_image (ESPRIT_CHIP_ESP32S3, 200000, 3, TRUE, 8);
  g_autofree guint8 *file = g_malloc0 (256 * 1024);
  g_autoptr(EspritLayout) layout = NULL;

  /* An ESP32-S3 app padded to 256 KB looks like a small backup: it is not ESP8266 firmware. */
  put (file, 0, app);
  layout = esprit_layout_detect_image (file, 256 * 1024, ESPRIT_CHIP_AUTO, 0x8000);
  g_assert_cmpint (layout->kind, ==, ESPRIT_LAYOUT_UNKNOWN);
  g_assert_cmpint (layout->chip, ==, ESPRIT_CHIP_ESP32S3);
}

static void
test_erased_flash (void)
{
  g_autofree guint8 *flash = g_malloc (4 * MB);
  g_autoptr(EspritLayout) layout = NULL;
  g_autoptr(EspritLayout) e8 = NULL;
  g_autoptr(GPtrArray) map = NULL;
  g_autoptr(GPtrArray) settings = NULL;
  g_autoptr(EspritChunkMap) chunks = esprit_chunk_map_new (4 * MB);

  memset (flash, 0xFF, 4 * MB);
  layout = esprit_layout_detect_image (flash, 4 * MB, ESPRIT_CHIP_AUTO, 0x8000);
  g_assert_cmpint (layout->kind, ==, ESPRIT_LAYOUT_ERASED);
  g_assert_cmpuint (layout->regions->len, ==, 0);
  g_assert_null (layout->table_error);
  esprit_chunk_map_set (chunks, 0, 4 * MB, ESPRIT_CHUNK_ERASED);
  map = esprit_flash_map_build (layout, chunks);
  g_assert_cmpuint (map->len, ==, 1);
  g_assert_cmpint (((EspritRegion *) map->pdata[0])->kind, ==, ESPRIT_REGION_ERASED);

  /* An erased ESP8266 still has its settings sectors where the SDK will put them. */
  e8 = esprit_layout_detect_image (flash, 4 * MB, ESPRIT_CHIP_ESP8266, 0x8000);
  g_assert_cmpint (e8->kind, ==, ESPRIT_LAYOUT_ERASED);
  settings = esprit_layout_settings_regions (e8);
  g_assert_cmpuint (settings->len, ==, 2);

  /* A table that is there but broken is reported, not an error. */
  memcpy (flash + 0x8000, "\xAA\x50\x01\x02", 4);
  g_clear_pointer (&layout, esprit_layout_free);
  layout = esprit_layout_detect_image (flash, 4 * MB, ESPRIT_CHIP_ESP32, 0x8000);
  g_assert_cmpint (layout->kind, ==, ESPRIT_LAYOUT_UNKNOWN);
  g_assert_nonnull (layout->table_error);
}

static void
test_chunk_map (void)
{
  g_autoptr(EspritChunkMap) m = esprit_chunk_map_new (64 * 1024);
  guint8 bitmap[2] = { 0x0F, 0x80 };
  guint8 digest[16];
  g_autofree guint8 *ff = g_malloc (ESPRIT_CHUNK_SIZE);
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize dlen = 16;
  guint u, e, d;

  g_assert_cmpint (esprit_chunk_map_get (m, 0), ==, ESPRIT_CHUNK_UNKNOWN);
  esprit_chunk_map_set_erased_bitmap (m, bitmap, 16);
  g_assert_cmpint (esprit_chunk_map_range (m, 0, 0x4000), ==, ESPRIT_CHUNK_ERASED);
  g_assert_cmpint (esprit_chunk_map_range (m, 0x4000, 0xB000), ==, ESPRIT_CHUNK_DATA);
  g_assert_cmpint (esprit_chunk_map_get (m, 0xF000), ==, ESPRIT_CHUNK_ERASED);
  esprit_chunk_map_count (m, 0, 0x10000, &u, &e, &d);
  g_assert_cmpuint (u, ==, 0);
  g_assert_cmpuint (e, ==, 5);
  g_assert_cmpuint (d, ==, 11);
  /* Only whole chunks are set. */
  esprit_chunk_map_set (m, 0x800, 0x1000, ESPRIT_CHUNK_UNKNOWN);
  g_assert_cmpint (esprit_chunk_map_get (m, 0), ==, ESPRIT_CHUNK_ERASED);
  esprit_chunk_map_set (m, 0x800, 0x1800, ESPRIT_CHUNK_UNKNOWN);
  g_assert_cmpint (esprit_chunk_map_get (m, 0x1000), ==, ESPRIT_CHUNK_UNKNOWN);

  memset (ff, 0xFF, ESPRIT_CHUNK_SIZE);
  g_checksum_update (md5, ff, ESPRIT_CHUNK_SIZE);
  g_checksum_get_digest (md5, digest, &dlen);
  esprit_chunk_map_learn_md5 (m, 0x5000, digest);
  g_assert_cmpint (esprit_chunk_map_get (m, 0x5000), ==, ESPRIT_CHUNK_ERASED);
  digest[0] ^= 1;
  esprit_chunk_map_learn_md5 (m, 0x5000, digest);
  g_assert_cmpint (esprit_chunk_map_get (m, 0x5000), ==, ESPRIT_CHUNK_DATA);
  ff[100] = 0;
  esprit_chunk_map_learn (m, 0x6000, ff, ESPRIT_CHUNK_SIZE);
  g_assert_cmpint (esprit_chunk_map_get (m, 0x6000), ==, ESPRIT_CHUNK_DATA);
}

/* ---- ESP8266 ------------------------------------------------------------------------ */

typedef enum { FS_LITTLEFS, FS_SPIFFS, FS_SPIFFS_LENGTH } FsKind;

/* An Arduino build on a 4 MB ESP8266: eboot padded with 0xAA to 4 KB, the sketch at 0x1000,
 * and the filesystem's first two blocks as mklittlefs/mkspiffs leave them (§10.2). */
static guint8 *
make_arduino_flash (guint32  fs_start,
                    FsKind   fs,
                    gsize   *sketch_len)
{
  guint8 *flash = g_malloc (4 * MB);
  g_autoptr(GBytes) eboot = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 2000, 2, FALSE, 3);
  g_autoptr(GBytes) sketch = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 300000, 4, FALSE, 4);
  guint32 blocks = (0x3FA000 - fs_start) / 0x2000;

  memset (flash, 0xFF, 4 * MB);
  memset (flash, 0xAA, 0x1000);
  put (flash, 0, eboot);
  put (flash, 0x1000, sketch);
  *sketch_len = g_bytes_get_size (sketch);
  for (guint b = 0; b < 2; b++)
    {
      guint8 *blk = flash + fs_start + b * 0x2000;

      if (fs == FS_LITTLEFS)
        {
          /* Revision count, a tag, the name, a tag, then the superblock struct (SPEC.md). */
          esprit_write_le32 (blk, 1 + b);
          memcpy (blk + 4, "\x0f\xf0\x00\x08", 4);
          memcpy (blk + 8, "littlefs", 8);
          memcpy (blk + 16, "\x2f\xe0\x00\x18", 4);
          esprit_write_le32 (blk + 20, 0x00020000);
          esprit_write_le32 (blk + 24, 0x2000);
          esprit_write_le32 (blk + 28, blocks);
          esprit_write_le32 (blk + 32, 32);
          esprit_write_le32 (blk + 36, 0x7FFFFFFF);
          esprit_write_le32 (blk + 40, 1022);
        }
      else
        {
          guint magic = fs == FS_SPIFFS ? 0x0429 : (0x0429 ^ (blocks - b)) & 0xFFFF;

          memset (blk, 0x00, 0x40);
          esprit_write_le16 (blk + 0xFC, magic);
        }
    }
  return flash;
}

static void
check_arduino (guint32     fs_start,
               FsKind      fs,
               const char *variant)
{
  gsize sketch_len;
  g_autofree guint8 *flash = make_arduino_flash (fs_start, fs, &sketch_len);
  g_autoptr(EspritLayout) layout = esprit_layout_detect_image (flash, 4 * MB,
                                                               ESPRIT_CHIP_AUTO, 0x8000);
  g_autoptr(GPtrArray) settings = NULL;
  const EspritRegion *r;

  g_assert_cmpint (layout->kind, ==, ESPRIT_LAYOUT_ESP8266_ARDUINO);
  g_assert_cmpint (layout->chip, ==, ESPRIT_CHIP_ESP8266);
  g_assert_cmpstr (layout->variant, ==, variant);
  g_assert_cmpstr (layout->fs_type, ==, fs == FS_LITTLEFS ? "LittleFS" : "SPIFFS");
  r = find (layout, "eboot");
  g_assert_cmphex (r->offset, ==, 0);
  g_assert_true (r->has_image && r->image.checksum_ok);
  r = find (layout, "sketch");
  g_assert_cmphex (r->offset, ==, 0x1000);
  g_assert_cmpuint (r->used, ==, sketch_len);
  g_assert_true (r->image.checksum_ok);
  r = find (layout, "fs");
  g_assert_cmphex (r->offset, ==, fs_start);
  g_assert_cmphex (r->offset + r->size, ==, 0x3FA000);
  g_assert_cmphex (find (layout, "eeprom")->offset, ==, 0x3FB000);
  g_assert_cmphex (find (layout, "rfcal")->offset, ==, 0x3FC000);
  r = find (layout, "wifi");
  g_assert_cmphex (r->offset, ==, 0x3FD000);
  g_assert_cmphex (r->size, ==, 0x3000);
  /* erase_settings: the 0x4000 bytes from 0x3FC000 (§10.2). */
  settings = esprit_layout_settings_regions (layout);
  g_assert_cmpuint (settings->len, ==, 2);
  g_assert_cmphex (((EspritRegion *) settings->pdata[0])->offset, ==, 0x3FC000);
  g_assert_cmphex (((EspritRegion *) settings->pdata[1])->offset +
                   ((EspritRegion *) settings->pdata[1])->size, ==, 0x400000);
}

static void
test_esp8266_arduino (void)
{
  check_arduino (0x300000, FS_LITTLEFS, "4M1M");
  check_arduino (0x200000, FS_LITTLEFS, "4M2M");
  check_arduino (0x100000, FS_LITTLEFS, "4M3M");
  check_arduino (0x300000, FS_SPIFFS, "4M1M");
  check_arduino (0x200000, FS_SPIFFS, "4M2M");
  check_arduino (0x100000, FS_SPIFFS_LENGTH, "4M3M");
  check_arduino (0x200000, FS_SPIFFS_LENGTH, "4M2M");
}

static void
test_esp8266_fs_mismatch (void)
{
  gsize sketch_len;
  g_autofree guint8 *flash = make_arduino_flash (0x200000, FS_LITTLEFS, &sketch_len);
  g_autoptr(EspritLayout) layout = NULL;
  g_autoptr(EspritLayout) spiffs = NULL;

  /* A superblock whose size is not the region's is not that layout's filesystem. */
  esprit_write_le32 (flash + 0x200000 + 28, 100);
  esprit_write_le32 (flash + 0x202000 + 28, 100);
  layout = esprit_layout_detect_image (flash, 4 * MB, ESPRIT_CHIP_ESP8266, 0x8000);
  g_assert_cmpint (layout->kind, ==, ESPRIT_LAYOUT_ESP8266_ARDUINO);
  g_assert_null (layout->variant);
  g_assert_null (esprit_layout_find (layout, "fs", NULL));
  /* A SPIFFS magic made for another length is refused too. */
  g_clear_pointer (&flash, g_free);
  flash = make_arduino_flash (0x200000, FS_SPIFFS_LENGTH, &sketch_len);
  esprit_write_le16 (flash + 0x200000 + 0xFC, (0x0429 ^ 125) & 0xFFFF);
  spiffs = esprit_layout_detect_image (flash, 4 * MB, ESPRIT_CHIP_ESP8266, 0x8000);
  g_assert_null (spiffs->variant);
}

static void
test_esp8266_sdk (void)
{
  g_autoptr(GBytes) inner = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 40000, 3, FALSE, 5);
  g_autoptr(GBytes) irom = esprit_test_random_bytes (60000, 6);
  g_autofree guint8 *flash = g_malloc (MB);
  g_autoptr(EspritLayout) layout = NULL;
  g_autoptr(EspritLayout) ota = NULL;
  g_autoptr(GError) error = NULL;
  EspritImageInfo info;
  const EspritRegion *r;
  gsize inner_len = g_bytes_get_size (inner);
  guint8 *v2;
  gsize v2_len;

  /* A v2 image (§5): EA 04 mode size_freq entry, irom0 at load address 0, E9 image, CRC32. */
  memset (flash, 0xFF, MB);
  v2 = flash;
  memcpy (v2, "\xEA\x04\x02\x20", 4);
  esprit_write_le32 (v2 + 4, 0x40100004);
  esprit_write_le32 (v2 + 8, 0);
  esprit_write_le32 (v2 + 12, 60000);
  memcpy (v2 + 16, g_bytes_get_data (irom, NULL), 60000);
  put (v2, 16 + 60000, inner);
  memcpy (v2 + 16 + 60000 + inner_len, "\x01\x02\x03\x04", 4);
  v2_len = 16 + 60000 + inner_len + 4;

  layout = esprit_layout_detect_image (flash, MB, ESPRIT_CHIP_ESP8266, 0x8000);
  g_assert_cmpint (layout->kind, ==, ESPRIT_LAYOUT_ESP8266_SDK);
  r = find (layout, "firmware");
  g_assert_true (r->has_image);
  g_assert_cmpint (r->image.kind, ==, ESPRIT_IMAGE_ESP8266_V2);
  g_assert_cmpuint (r->used, ==, v2_len);
  /* The image parser agrees on the length. */
  g_assert_true (esprit_image_parse (flash, MB, ESPRIT_CHIP_ESP8266, &info, &error));
  g_assert_cmpuint (info.image_len, ==, v2_len);
  g_assert_cmphex (find (layout, "wifi")->offset, ==, MB - 0x3000);

  /* The SDK's OTA layout: boot.bin at 0x0, the v2 user1.bin at 0x1000. */
  memmove (flash + 0x1000, flash, v2_len);
  memset (flash, 0xFF, 0x1000);
  {
    g_autoptr(GBytes) boot = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 3000, 1, FALSE, 7);

    put (flash, 0, boot);
  }
  ota = esprit_layout_detect_image (flash, MB, ESPRIT_CHIP_AUTO, 0x8000);
  g_assert_cmpint (ota->kind, ==, ESPRIT_LAYOUT_ESP8266_SDK);
  g_assert_cmpint (ota->chip, ==, ESPRIT_CHIP_ESP8266);
  g_assert_true (find (ota, "boot")->has_image);
  r = find (ota, "user1");
  g_assert_cmpuint (r->used, ==, v2_len);
  g_assert_cmphex (r->offset, ==, 0x1000);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/layout/esp32-flash", test_esp32_flash);
  g_test_add_func ("/esprit/layout/esp32-app-file", test_esp32_app_file);
  g_test_add_func ("/esprit/layout/erased-flash", test_erased_flash);
  g_test_add_func ("/esprit/layout/chunk-map", test_chunk_map);
  g_test_add_func ("/esprit/layout/esp8266/arduino", test_esp8266_arduino);
  g_test_add_func ("/esprit/layout/esp8266/fs-mismatch", test_esp8266_fs_mismatch);
  g_test_add_func ("/esprit/layout/esp8266/sdk", test_esp8266_sdk);
  return g_test_run ();
}

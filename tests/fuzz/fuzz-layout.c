/* fuzz-layout.c: partition tables, CSV, otadata and layout detection on arbitrary bytes
 *
 * The input is a table binary, CSV text, otadata, a small flash image, and (through a
 * reader) a 4 MB flash whose first 16 chunks are the input's 4 KB slices in turn and whose
 * other chunks are all the last slice, so the ESP8266 filesystem probes see input bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "esprit-command.h"
#include "esprit-layout.h"
#include "esprit-test-util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
size_t esprit_fuzz_seeds (const uint8_t ***seeds, const size_t **sizes);

#define N_SEEDS 4

size_t
esprit_fuzz_seeds (const uint8_t ***s,
                   const size_t    **z)
{
  static const uint8_t *seeds[N_SEEDS];
  static size_t sizes[N_SEEDS];
  static guint8 table_bin[0xC00];
  static guint8 esp32[0x10000];
  static guint8 arduino[3 * 0x1000];
  static const char csv[] =
    "nvs, data, nvs, 0x9000, 0x5000,\notadata, data, ota, , 0x2000\n"
    "app0, app, ota_0, 0x10000, 1M\nfs, data, spiffs, , 64K, readonly\n";
  EspritPartitionTable t = { .table_offset = 0x8000 };
  g_autoptr(GBytes) bin = NULL;
  g_autoptr(GBytes) boot = esprit_test_make_image (ESPRIT_CHIP_ESP32, 3000, 2, TRUE, 1);
  g_autoptr(GBytes) eboot = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 1500, 2, FALSE, 2);
  g_autoptr(GBytes) sketch = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 3000, 3, FALSE, 3);

  esprit_partition_table_add (&t, "nvs", 1, 2, 0x9000, 0x5000, 0);
  esprit_partition_table_add (&t, "otadata", 1, 0, 0xE000, 0x2000, 0);
  esprit_partition_table_add (&t, "app0", 0, 0x10, 0x10000, 0x140000, 0);
  esprit_partition_table_add (&t, "app1", 0, 0x11, 0x150000, 0x140000, 0);
  bin = esprit_partition_table_to_binary (&t, TRUE, NULL);
  memcpy (table_bin, g_bytes_get_data (bin, NULL), sizeof table_bin);

  memset (esp32, 0xFF, sizeof esp32);
  memcpy (esp32 + 0x1000, g_bytes_get_data (boot, NULL), g_bytes_get_size (boot));
  memcpy (esp32 + 0x8000, table_bin, sizeof table_bin);
  esprit_otadata_make_entry (2, ESPRIT_OTA_STATE_VALID, esp32 + 0xE000);

  /* eboot, the sketch's first chunk, a LittleFS superblock for 4M3M. */
  memset (arduino, 0xFF, sizeof arduino);
  memcpy (arduino, g_bytes_get_data (eboot, NULL), g_bytes_get_size (eboot));
  memcpy (arduino + 0x1000, g_bytes_get_data (sketch, NULL), MIN (g_bytes_get_size (sketch),
                                                                   0x1000));
  memcpy (arduino + 0x2008, "littlefs", 8);
  esprit_write_le32 (arduino + 0x2018, 0x2000);
  esprit_write_le32 (arduino + 0x201C, (0x3FA000 - 0x100000) / 0x2000);

  seeds[0] = table_bin, sizes[0] = sizeof table_bin;
  seeds[1] = esp32, sizes[1] = sizeof esp32;
  seeds[2] = arduino, sizes[2] = sizeof arduino;
  seeds[3] = (const uint8_t *) csv, sizes[3] = sizeof csv - 1;
  *s = seeds;
  *z = sizes;
  return N_SEEDS;
}

typedef struct {
  const uint8_t *data;
  size_t         size;
} Input;

static gboolean
read_slices (guint32   addr,
             guint32   len,
             guint8   *buffer,
             gpointer  user_data,
             GError  **error)
{
  const Input *in = user_data;
  size_t n = (in->size + 0xFFF) / 0x1000;
  size_t chunk = addr / 0x1000;
  size_t slice = chunk < 16 ? chunk % n : n - 1;
  size_t from = slice * 0x1000;

  memset (buffer, 0xFF, len);
  memcpy (buffer, in->data + from, MIN (len, in->size - from));
  return TRUE;
}

static void
exercise (EspritLayout *layout)
{
  g_autoptr(EspritChunkMap) chunks = esprit_chunk_map_new (layout->flash_size);
  g_autoptr(GPtrArray) map = NULL;
  g_autoptr(GPtrArray) settings = esprit_layout_settings_regions (layout);
  g_autofree char *desc = esprit_layout_describe (layout);
  g_autofree char *json = NULL;
  guint64 sum = 0;

  esprit_chunk_map_set (chunks, 0, 0x2000, ESPRIT_CHUNK_ERASED);
  map = esprit_flash_map_build (layout, chunks);
  for (guint i = 0; i < map->len; i++)
    {
      const EspritRegion *r = map->pdata[i];

      g_assert_cmpuint (r->offset, ==, sum);
      g_assert_cmpuint (r->used, <=, r->size);
      sum += r->size;
    }
  g_assert_cmpuint (sum, ==, layout->flash_size);
  json = esprit_flash_map_to_json (layout, map);
  for (guint i = 0; i < layout->regions->len; i++)
    g_assert_nonnull (esprit_layout_find (layout,
                                          ((EspritRegion *) layout->regions->pdata[i])->name,
                                          NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const EspritChip chips[] = { ESPRIT_CHIP_AUTO, ESPRIT_CHIP_ESP8266, ESPRIT_CHIP_ESP32 };
  EspritPartitionTable table;
  EspritOtaData ota;
  g_autofree char *text = g_strndup ((const char *) data, size);
  Input in = { data, size };

  if (esprit_partition_table_parse (data, size, 0x8000, &table, NULL))
    {
      g_autofree char *csv = esprit_partition_table_to_csv (&table);
      g_autoptr(GBytes) bin = esprit_partition_table_to_binary (&table, table.n_entries < 95,
                                                                NULL);

      g_assert_cmpuint (table.n_entries, <=, ESPRIT_PARTITION_MAX_ENTRIES);
      (void) esprit_partition_table_boot_index (&table, NULL);
    }
  if (esprit_partition_table_from_csv (text, 0x8000, &table, NULL))
    {
      g_autoptr(GBytes) bin = esprit_partition_table_to_binary (&table, FALSE, NULL);
      EspritPartitionTable back;

      /* What the CSV parser accepts builds and parses back to the same entries. */
      g_assert_nonnull (bin);
      g_assert_true (esprit_partition_table_parse (g_bytes_get_data (bin, NULL), 0xC00, 0x8000,
                                                   &back, NULL));
      g_assert_cmpuint (back.n_entries, ==, table.n_entries);
    }
  esprit_otadata_parse (data, size, &ota);
  g_assert_cmpint (ota.active, >=, -1);
  g_assert_cmpint (ota.active, <=, 1);

  for (guint c = 0; c < G_N_ELEMENTS (chips); c++)
    {
      g_autoptr(EspritLayout) layout = NULL;

      layout = esprit_layout_detect_image (data, size, chips[c], 0x8000);
      exercise (layout);
      if (size > 0 && c < 2)
        {
          g_autoptr(EspritLayout) big = esprit_layout_detect (chips[c], 0x400000, 0x8000,
                                                              read_slices, &in, NULL);

          g_assert_nonnull (big);
          exercise (big);
        }
    }
  return 0;
}

/* test-partition-table.c: partition tables, their CSV form and otadata (protocol-facts §10.1)
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

/* esp-idf components/partition_table/partitions_singleapp.csv and partitions_two_ota.csv. */
static const char singleapp_csv[] =
  "# Name,   Type, SubType, Offset,  Size, Flags\n"
  "nvs,      data, nvs,     ,        0x6000,\n"
  "phy_init, data, phy,     ,        0x1000,\n"
  "factory,  app,  factory, ,        1M,\n";

static const char two_ota_csv[] =
  "# Name,   Type, SubType, Offset,  Size, Flags\n"
  "nvs,      data, nvs,     ,        0x4000,\n"
  "otadata,  data, ota,     ,        0x2000,\n"
  "phy_init, data, phy,     ,        0x1000,\n"
  "factory,  app,  factory, ,        1M,\n"
  "ota_0,    app,  ota_0,   ,        1M,\n"
  "ota_1,    app,  ota_1,   ,        1M,\n";

static void
assert_entry (const EspritPartition *p,
              const char            *label,
              guint8                 type,
              guint8                 subtype,
              guint32                offset,
              guint32                size)
{
  g_assert_cmpstr (p->label, ==, label);
  g_assert_cmpuint (p->type, ==, type);
  g_assert_cmpuint (p->subtype, ==, subtype);
  g_assert_cmphex (p->offset, ==, offset);
  g_assert_cmphex (p->size, ==, size);
}

static void
test_idf_defaults (void)
{
  EspritPartitionTable t, back;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bin = NULL;
  g_autofree char *csv = NULL;
  const guint8 *p;
  gsize len;

  g_assert_true (esprit_partition_table_from_csv (singleapp_csv, 0x8000, &t, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (t.n_entries, ==, 3);
  assert_entry (&t.entries[0], "nvs", 1, 2, 0x9000, 0x6000);
  assert_entry (&t.entries[1], "phy_init", 1, 1, 0xF000, 0x1000);
  assert_entry (&t.entries[2], "factory", 0, 0, 0x10000, MB);

  g_assert_true (esprit_partition_table_from_csv (two_ota_csv, 0x8000, &t, &error));
  g_assert_cmpuint (t.n_entries, ==, 6);
  assert_entry (&t.entries[0], "nvs", 1, 2, 0x9000, 0x4000);
  assert_entry (&t.entries[1], "otadata", 1, 0, 0xD000, 0x2000);
  assert_entry (&t.entries[2], "phy_init", 1, 1, 0xF000, 0x1000);
  assert_entry (&t.entries[3], "factory", 0, 0, 0x10000, MB);
  assert_entry (&t.entries[4], "ota_0", 0, 0x10, 0x110000, MB);
  assert_entry (&t.entries[5], "ota_1", 0, 0x11, 0x210000, MB);

  /* The binary round trip: entries, the MD5 entry, the end marker, 0xFF padding. */
  bin = esprit_partition_table_to_binary (&t, TRUE, &error);
  g_assert_no_error (error);
  p = g_bytes_get_data (bin, &len);
  g_assert_cmpuint (len, ==, 0xC00);
  g_assert_cmpuint (p[0], ==, 0xAA);
  g_assert_cmpuint (p[1], ==, 0x50);
  g_assert_cmpuint (p[6 * 32], ==, 0xEB);
  g_assert_cmpuint (p[6 * 32 + 1], ==, 0xEB);
  for (guint i = 6 * 32 + 2; i < 6 * 32 + 16; i++)
    g_assert_cmpuint (p[i], ==, 0xFF);
  for (guint i = 7 * 32; i < len; i++)
    g_assert_cmpuint (p[i], ==, 0xFF);
  g_assert_true (esprit_partition_table_parse (p, len, 0x8000, &back, &error));
  g_assert_no_error (error);
  g_assert_true (back.has_md5);
  g_assert_cmpuint (back.n_entries, ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpmem (&back.entries[i], sizeof back.entries[i], &t.entries[i],
                     sizeof t.entries[i]);

  /* CSV out and in again gives the same table. */
  csv = esprit_partition_table_to_csv (&back);
  g_assert_nonnull (strstr (csv, "ota_1,app,ota_1,0x210000,1M,\n"));
  g_assert_true (esprit_partition_table_from_csv (csv, 0x8000, &t, &error));
  g_assert_cmpmem (t.entries, sizeof t.entries[0] * 6, back.entries, sizeof t.entries[0] * 6);
}

static void
test_arduino_default (void)
{
  EspritPartitionTable t, back;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bin = NULL;
  g_autofree char *type = NULL;

  esprit_test_arduino_default_table (&t);
  bin = esprit_partition_table_to_binary (&t, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (esprit_partition_table_parse (g_bytes_get_data (bin, NULL), 0xC00, 0x8000,
                                               &back, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (back.n_entries, ==, 6);
  assert_entry (&back.entries[0], "nvs", 1, 2, 0x9000, 0x5000);
  assert_entry (&back.entries[1], "otadata", 1, 0, 0xE000, 0x2000);
  assert_entry (&back.entries[2], "app0", 0, 0x10, 0x10000, 0x140000);
  assert_entry (&back.entries[3], "app1", 0, 0x11, 0x150000, 0x140000);
  assert_entry (&back.entries[4], "spiffs", 1, 0x82, 0x290000, 0x160000);
  assert_entry (&back.entries[5], "coredump", 1, 3, 0x3F0000, 0x10000);
  type = esprit_partition_describe_type (&back.entries[4]);
  g_assert_cmpstr (type, ==, "data/spiffs");
  g_assert_true (esprit_partition_table_find (&back, "app1") == &back.entries[3]);
  g_assert_null (esprit_partition_table_find (&back, "app2"));
}

static void
assert_refused (const guint8 *data,
                gsize         len,
                int           code,
                const char   *reason)
{
  EspritPartitionTable t;
  g_autoptr(GError) error = NULL;

  g_assert_false (esprit_partition_table_parse (data, len, 0x8000, &t, &error));
  g_assert_error (error, ESPRIT_ERROR, code);
  if (strstr (error->message, reason) == NULL)
    g_error ("“%s” does not say “%s”", error->message, reason);
}

static void
test_refusals (void)
{
  g_autofree guint8 *bin = esprit_test_arduino_default_binary ();
  guint8 copy[0xC00];
  EspritPartitionTable t;
  g_autoptr(GError) error = NULL;

  /* A changed size behind the MD5's back. */
  memcpy (copy, bin, sizeof copy);
  copy[2 * 32 + 10] ^= 0x01;
  assert_refused (copy, sizeof copy, ESPRIT_ERROR_IMAGE_INVALID, "MD5 does not match");

  /* Bad magic, first entry and a later one. */
  memcpy (copy, bin, sizeof copy);
  copy[0] = 0x55;
  assert_refused (copy, sizeof copy, ESPRIT_ERROR_IMAGE_INVALID, "bad magic 0x5055");
  memcpy (copy, bin, sizeof copy);
  copy[3 * 32 + 1] = 0x51;
  assert_refused (copy, sizeof copy, ESPRIT_ERROR_IMAGE_INVALID, "entry 4 has a bad magic");

  /* The same edits with the MD5 entry removed are judged on the layout rules. Overlap: app1
   * starts inside app0. */
  memcpy (copy, bin, sizeof copy);
  memset (copy + 6 * 32, 0xFF, 32);
  esprit_write_le32 (copy + 3 * 32 + 4, 0x140000);
  assert_refused (copy, sizeof copy, ESPRIT_ERROR_IMAGE_INVALID, "overlap");
  /* Misaligned app. */
  esprit_write_le32 (copy + 3 * 32 + 4, 0x151000);
  assert_refused (copy, sizeof copy, ESPRIT_ERROR_IMAGE_INVALID, "not aligned to 0x10000");
  /* Inside the table's own sector. */
  esprit_write_le32 (copy + 3 * 32 + 4, 0x150000);
  esprit_write_le32 (copy + 0 * 32 + 4, 0x8000);
  assert_refused (copy, sizeof copy, ESPRIT_ERROR_IMAGE_INVALID, "overlaps the partition table");
  esprit_write_le32 (copy + 0 * 32 + 4, 0x9000);
  g_assert_true (esprit_partition_table_parse (copy, sizeof copy, 0x8000, &t, &error));
  g_assert_no_error (error);
  g_assert_false (t.has_md5);

  /* No end marker: the data stops after the entries. */
  assert_refused (bin, 6 * 32 + 32, ESPRIT_ERROR_IMAGE_INVALID, "no end marker");
  /* An erased flash. */
  memset (copy, 0xFF, sizeof copy);
  assert_refused (copy, sizeof copy, ESPRIT_ERROR_NOT_FOUND, "erased");
  assert_refused (copy, 16, ESPRIT_ERROR_IMAGE_INVALID, "at least 32 bytes");

  /* Building refuses what parsing would, and the strict rules: otadata is 0x2000. */
  esprit_test_arduino_default_table (&t);
  t.entries[1].size = 0x1000;
  g_assert_null (esprit_partition_table_to_binary (&t, TRUE, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
  g_clear_error (&error);
  esprit_test_arduino_default_table (&t);
  t.entries[0].size = 0x2000;
  g_assert_null (esprit_partition_table_to_binary (&t, TRUE, &error));
  g_assert_nonnull (strstr (error->message, "0x3000"));
  g_clear_error (&error);
  esprit_test_arduino_default_table (&t);
  g_strlcpy (t.entries[5].label, "nvs", sizeof t.entries[5].label);
  g_assert_null (esprit_partition_table_to_binary (&t, FALSE, &error));
  g_assert_nonnull (strstr (error->message, "Two partitions"));
}

static void
test_95_entries (void)
{
  EspritPartitionTable t = { .table_offset = 0x8000 };
  EspritPartitionTable back;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bin = NULL;
  guint8 full[0xC00];

  for (guint i = 0; i < 95; i++)
    {
      g_autofree char *label = g_strdup_printf ("d%u", i);

      g_assert_true (esprit_partition_table_add (&t, label, 1, 0x40, 0x9000 + i * 0x1000,
                                                 0x1000, 0));
    }
  g_assert_false (esprit_partition_table_add (&t, "one-too-many", 1, 0x40, 0x70000, 0x1000, 0));
  /* 95 entries and the end marker fill the 0xC00 area; the MD5 entry no longer fits. */
  g_assert_null (esprit_partition_table_to_binary (&t, TRUE, &error));
  g_assert_nonnull (strstr (error->message, "at most 94 with the MD5 entry"));
  g_clear_error (&error);
  bin = esprit_partition_table_to_binary (&t, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (esprit_partition_table_parse (g_bytes_get_data (bin, NULL), 0xC00, 0x8000,
                                               &back, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (back.n_entries, ==, 95);
  assert_entry (&back.entries[94], "d94", 1, 0x40, 0x9000 + 94 * 0x1000, 0x1000);

  /* A 96th entry where the end marker should be. */
  memcpy (full, g_bytes_get_data (bin, NULL), sizeof full);
  memcpy (full + 95 * 32, full + 94 * 32, 32);
  esprit_write_le32 (full + 95 * 32 + 4, 0x9000 + 95 * 0x1000);
  full[95 * 32 + 13] = 'X';
  assert_refused (full, sizeof full, ESPRIT_ERROR_IMAGE_INVALID, "more than 95");
}

static void
test_csv_errors (void)
{
  EspritPartitionTable t;
  g_autoptr(GError) error = NULL;

  g_assert_false (esprit_partition_table_from_csv ("nvs, data, nvs, 0x9000, 0x5000\n"
                                                   "\n# comment\n"
                                                   "app, program, factory, , 1M\n",
                                                   0x8000, &t, &error));
  g_assert_nonnull (strstr (error->message, "Line 4: unknown type “program”"));
  g_clear_error (&error);
  g_assert_false (esprit_partition_table_from_csv ("nvs, data, nvs, 0x9000, 5Q\n", 0x8000, &t,
                                                   &error));
  g_assert_nonnull (strstr (error->message, "bad size"));
  g_clear_error (&error);
  g_assert_false (esprit_partition_table_from_csv ("a, app, factory, 0x10000, 1M\n"
                                                   "b, app, ota_0, 0x80000, 1M\n", 0x8000, &t,
                                                   &error));
  g_assert_nonnull (strstr (error->message, "overlap"));
  g_clear_error (&error);
  g_assert_true (esprit_partition_table_from_csv ("fs, data, 0x99, 0x9000, 8K, readonly:encrypted\n"
                                                  "c, 0x40, 7, , 4K\n", 0x8000, &t, &error));
  g_assert_cmpuint (t.entries[0].flags, ==, 3);
  assert_entry (&t.entries[1], "c", 0x40, 7, 0xB000, 0x1000);
}

/* ---- otadata ------------------------------------------------------------------------ */

static void
test_otadata (void)
{
  EspritPartitionTable t;
  g_autofree guint8 *ota = g_malloc (ESPRIT_OTADATA_SIZE);
  EspritOtaData od;
  guint8 e[32];

  /* Known answers: binascii.crc32(le32(seq), 0xFFFFFFFF). */
  esprit_otadata_make_entry (1, ESPRIT_OTA_STATE_UNDEFINED, e);
  g_assert_cmphex (esprit_read_le32 (e + 28), ==, 0x4743989A);
  esprit_otadata_make_entry (2, ESPRIT_OTA_STATE_VALID, e);
  g_assert_cmphex (esprit_read_le32 (e + 28), ==, 0x55F63774);

  esprit_test_arduino_default_table (&t);
  memset (ota, 0xFF, ESPRIT_OTADATA_SIZE);
  esprit_otadata_parse (ota, ESPRIT_OTADATA_SIZE, &od);
  g_assert_cmpint (od.active, ==, -1);
  /* No valid entry and no factory app: ota_0 (app0). */
  g_assert_cmpint (esprit_partition_table_boot_index (&t, &od), ==, 2);

  esprit_otadata_make_entry (1, ESPRIT_OTA_STATE_VALID, ota);
  esprit_otadata_parse (ota, ESPRIT_OTADATA_SIZE, &od);
  g_assert_cmpint (od.active, ==, 0);
  g_assert_cmpint (esprit_partition_table_boot_index (&t, &od), ==, 2);

  esprit_otadata_make_entry (2, ESPRIT_OTA_STATE_NEW, ota + 0x1000);
  esprit_otadata_parse (ota, ESPRIT_OTADATA_SIZE, &od);
  g_assert_cmpint (od.active, ==, 1);
  g_assert_cmpint (esprit_partition_table_boot_index (&t, &od), ==, 3);

  /* seq 3 in slot 0: (3 - 1) mod 2 = 0, app0 again. */
  esprit_otadata_make_entry (3, ESPRIT_OTA_STATE_PENDING_VERIFY, ota);
  esprit_otadata_parse (ota, ESPRIT_OTADATA_SIZE, &od);
  g_assert_cmpint (od.active, ==, 0);
  g_assert_cmpint (esprit_partition_table_boot_index (&t, &od), ==, 2);

  /* Invalid entries do not count: aborted, invalid, a wrong CRC. */
  esprit_otadata_make_entry (3, ESPRIT_OTA_STATE_ABORTED, ota);
  esprit_otadata_parse (ota, ESPRIT_OTADATA_SIZE, &od);
  g_assert_false (od.entries[0].valid);
  g_assert_cmpint (od.active, ==, 1);
  esprit_otadata_make_entry (4, ESPRIT_OTA_STATE_INVALID, ota + 0x1000);
  esprit_otadata_parse (ota, ESPRIT_OTADATA_SIZE, &od);
  g_assert_cmpint (od.active, ==, -1);
  esprit_otadata_make_entry (5, ESPRIT_OTA_STATE_VALID, ota + 0x1000);
  ota[0x1000 + 28] ^= 1;
  esprit_otadata_parse (ota, ESPRIT_OTADATA_SIZE, &od);
  g_assert_false (od.entries[1].crc_ok);
  g_assert_cmpint (od.active, ==, -1);
  /* A short read leaves the second entry invalid. */
  esprit_otadata_make_entry (6, ESPRIT_OTA_STATE_VALID, ota + 0x1000);
  esprit_otadata_parse (ota, 0x1000, &od);
  g_assert_cmpint (od.active, ==, -1);

  /* With a factory app, no valid entry boots factory. */
  g_assert_true (esprit_partition_table_from_csv (two_ota_csv, 0x8000, &t, NULL));
  g_assert_cmpint (esprit_partition_table_boot_index (&t, &od), ==, 3);
  g_assert_cmpint (esprit_partition_table_boot_index (&t, NULL), ==, 3);
}

/* ---- whole flashes ------------------------------------------------------------------ */

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/layout/table/idf-defaults", test_idf_defaults);
  g_test_add_func ("/esprit/layout/table/arduino-default", test_arduino_default);
  g_test_add_func ("/esprit/layout/table/refusals", test_refusals);
  g_test_add_func ("/esprit/layout/table/95-entries", test_95_entries);
  g_test_add_func ("/esprit/layout/table/csv-errors", test_csv_errors);
  g_test_add_func ("/esprit/layout/otadata", test_otadata);
  return g_test_run ();
}

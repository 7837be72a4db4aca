/* test-sim-flash-crypt.c: the virtual ESP32's flash-encryption engine: AES-256 against
 * FIPS-197, the ESP32 key tweak's properties, and encrypted writes through the public
 * esptool stub (issue 10 item 9)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"
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

/* ---- the wire: the common ESP32 stub's encrypted writes ----------------------------- */

/* The legacy esptool ESP32 stub (v1) as the board knows it: its text's place and length
 * (esprit-sim-known-stubs.c); the text itself is not in this tree, so the test makes the
 * board trust a stand-in of that size, which then runs as that stub does (no extensions). */
#define STUB_TEXT  0x400BE000u
#define STUB_LEN   0x0DD4u
#define STUB_ENTRY 0x400BE658u

static EspritSim *
board_with_common_stub (void)
{
  EspritSim *sim = esprit_test_new_board (ESPRIT_CHIP_ESP32, NULL);
  g_autoptr(GBytes) text = esprit_test_random_bytes (STUB_LEN, 11);
  const guint8 *t = g_bytes_get_data (text, NULL);
  guint8 begin[16], end[8];
  guint32 checksum;
  g_autoptr(GBytes) pkt = esprit_test_data_packet (0, t, STUB_LEN, &checksum);
  g_autoptr(GPtrArray) r = NULL;

  esprit_sim_trust_stub (sim, STUB_TEXT, t, STUB_LEN);
  esprit_test_enter_loader (sim);
  esprit_write_le32 (begin, STUB_LEN);
  esprit_write_le32 (begin + 4, 1);
  esprit_write_le32 (begin + 8, 0x1800);
  esprit_write_le32 (begin + 12, STUB_TEXT);
  g_ptr_array_unref (esprit_test_exchange_n (sim, 0x05, begin, 16, 0, 1, 2000));
  g_ptr_array_unref (esprit_test_exchange_n (sim, 0x07, g_bytes_get_data (pkt, NULL),
                                             g_bytes_get_size (pkt), checksum, 1, 2000));
  esprit_write_le32 (end, 0);
  esprit_write_le32 (end + 4, STUB_ENTRY);
  r = esprit_test_exchange_n (sim, 0x06, end, 8, 0, 2, 2000);
  g_assert_cmpuint (r->len, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (r->pdata[1], NULL), g_bytes_get_size (r->pdata[1]), "OHAI", 4);
  return sim;
}

/* One request to the stub; returns its error byte (the stub's status is [error, 0], §1). */
static guint8
stub_request (EspritSim    *sim,
              guint8        op,
              const guint8 *data,
              gsize         len,
              guint32       checksum)
{
  g_autoptr(GPtrArray) r = esprit_test_exchange_n (sim, op, data, len, checksum, 1, 5000);
  const guint8 *f;
  gsize n;

  g_assert_cmpuint (r->len, ==, 1);
  f = g_bytes_get_data (r->pdata[0], &n);
  g_assert_cmpuint (n, ==, 10);
  g_assert_cmpuint (f[1], ==, op);
  g_assert_cmpuint (f[9], ==, 0);
  return f[8];
}

static guint8
flash_begin (EspritSim *sim,
             guint32    size,
             guint32    offset,
             gint       encrypt)   /* -1: the 16-byte form */
{
  guint8 b[20];

  esprit_write_le32 (b, size);
  esprit_write_le32 (b + 4, (size + 0xFFF) / 0x1000);
  esprit_write_le32 (b + 8, 0x1000);
  esprit_write_le32 (b + 12, offset);
  esprit_write_le32 (b + 16, encrypt < 0 ? 0 : (guint32) encrypt);
  return stub_request (sim, 0x02, b, encrypt < 0 ? 16 : 20, 0);
}

static guint8
flash_data (EspritSim    *sim,
            guint8        op,
            guint32       seq,
            const guint8 *block,
            gsize         len)
{
  guint32 checksum;
  g_autoptr(GBytes) pkt = esprit_test_data_packet (seq, block, len, &checksum);

  return stub_request (sim, op, g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt), checksum);
}

static guint8
flash_end (EspritSim *sim)
{
  guint8 e[4] = { 1, 0, 0, 0 };   /* stay in the stub */

  return stub_request (sim, 0x04, e, 4, 0);
}

static void
assert_flash_is (EspritSim    *sim,
                 guint32       addr,
                 const guint8 *want,
                 gsize         len)
{
  g_autoptr(GBytes) flash = esprit_sim_dup_flash (sim);
  const guint8 *f = g_bytes_get_data (flash, NULL);

  g_assert_cmpmem (f + addr, len, want, len);
}

/* FLASH_BEGIN with the encrypt word, plain FLASH_DATA blocks: the flash holds the engine's
 * ciphertext for the blank eFuse (key 0, FLASH_CRYPT_CONFIG 0); FLASH_ENCRYPT_DATA (0xD4)
 * after an ordinary FLASH_BEGIN does the same; without either the data stays plaintext. */
static void
test_wire_encrypted_write (void)
{
  g_autoptr(EspritSim) sim = board_with_common_stub ();
  g_autoptr(GBytes) plain = esprit_test_random_bytes (0x2000, 5);
  const guint8 *p = g_bytes_get_data (plain, NULL);
  const guint8 zero[32] = { 0 };
  g_autofree guint8 *want = g_memdup2 (p, 0x2000);

  g_assert_cmpuint (esprit_test_read_reg (sim, 0x3FF5A014) >> 28, ==, 0);         /* CONFIG */
  g_assert_cmpuint (esprit_test_read_reg (sim, 0x3FF5A000) >> 20 & 0x7F, ==, 0);  /* CNT */

  g_assert_cmpuint (flash_begin (sim, 0x2000, 0x10000, 1), ==, 0);
  g_assert_cmpuint (flash_data (sim, 0x03, 0, p, 0x1000), ==, 0);
  g_assert_cmpuint (flash_data (sim, 0x03, 1, p + 0x1000, 0x1000), ==, 0);
  g_assert_cmpuint (flash_end (sim), ==, 0);
  g_assert_cmpint (esprit_sim_flash_encrypt (zero, 0, 0x10000, want, 0x2000), ==, 0);
  g_assert_true (memcmp (want, p, 0x2000) != 0);
  assert_flash_is (sim, 0x10000, want, 0x2000);

  memcpy (want, p, 0x1000);
  g_assert_cmpuint (flash_begin (sim, 0x1000, 0x20000, -1), ==, 0);
  g_assert_cmpuint (flash_data (sim, 0xD4, 0, p, 0x1000), ==, 0);
  g_assert_cmpuint (flash_end (sim), ==, 0);
  esprit_sim_flash_encrypt (zero, 0, 0x20000, want, 0x1000);
  assert_flash_is (sim, 0x20000, want, 0x1000);

  g_assert_cmpuint (flash_begin (sim, 0x1000, 0x30000, 0), ==, 0);
  g_assert_cmpuint (flash_data (sim, 0x03, 0, p, 0x1000), ==, 0);
  g_assert_cmpuint (flash_end (sim), ==, 0);
  assert_flash_is (sim, 0x30000, p, 0x1000);
}

/* The refusals, as the common stub gives them: a DATA header whose length disagrees (0xC0);
 * an encrypted write the ROM's esp_rom_spiflash_write_encrypted refuses (an address or a
 * size that is no multiple of 32): the block is acknowledged, the failure (0xC4) comes with
 * FLASH_END, and nothing is written. */
static void
test_wire_refusals (void)
{
  g_autoptr(EspritSim) sim = board_with_common_stub ();
  g_autoptr(GBytes) plain = esprit_test_random_bytes (0x1000, 6);
  const guint8 *p = g_bytes_get_data (plain, NULL);
  g_autoptr(GBytes) erased = NULL;
  guint8 ff[0x100];
  guint32 checksum;
  g_autoptr(GBytes) pkt = esprit_test_data_packet (0, p, 0x100, &checksum);
  g_autofree guint8 *bad = g_memdup2 (g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt));

  memset (ff, 0xFF, sizeof ff);
  g_assert_cmpuint (flash_begin (sim, 0x100, 0x40000, -1), ==, 0);
  esprit_write_le32 (bad, 0x80);   /* says 128 bytes, carries 256 */
  g_assert_cmpuint (stub_request (sim, 0xD4, bad, g_bytes_get_size (pkt), checksum), ==, 0xC0);

  g_assert_cmpuint (flash_begin (sim, 0x100, 0x40010, 1), ==, 0);
  g_assert_cmpuint (flash_data (sim, 0x03, 0, p, 0x100), ==, 0);
  g_assert_cmpuint (flash_end (sim), ==, 0xC4);
  assert_flash_is (sim, 0x40010, ff, 0x100);

  g_assert_cmpuint (flash_begin (sim, 0x30, 0x50000, 1), ==, 0);
  g_assert_cmpuint (flash_data (sim, 0x03, 0, p, 0x100), ==, 0);
  g_assert_cmpuint (flash_end (sim), ==, 0xC4);
  assert_flash_is (sim, 0x50000, ff, 0x30);
}

/* esptool 5 sends --encrypt compressed (FLASH_DEFL_BEGIN with the encrypt word): the
 * inflated data goes through the engine as well. */
static void
test_wire_encrypted_deflate (void)
{
  g_autoptr(EspritSim) sim = board_with_common_stub ();
  g_autoptr(GBytes) plain = esprit_test_random_bytes (0x3000, 8);
  const guint8 zero[32] = { 0 };
  g_autofree guint8 *want = g_memdup2 (g_bytes_get_data (plain, NULL), 0x3000);
  g_autoptr(GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9);
  guint8 packed[0x4000], b[20], e[4] = { 1, 0, 0, 0 };
  gsize in_read, packed_len;
  guint32 blocks;

  g_assert_cmpint (g_converter_convert (G_CONVERTER (z), want, 0x3000, packed, sizeof packed,
                                        G_CONVERTER_INPUT_AT_END, &in_read, &packed_len, NULL),
                   ==, G_CONVERTER_FINISHED);
  blocks = (guint32) ((packed_len + 0x3FF) / 0x400);
  esprit_write_le32 (b, 0x3000);
  esprit_write_le32 (b + 4, blocks);
  esprit_write_le32 (b + 8, 0x400);
  esprit_write_le32 (b + 12, 0x60000);
  esprit_write_le32 (b + 16, 1);
  g_assert_cmpuint (stub_request (sim, 0x10, b, 20, 0), ==, 0);
  for (guint32 seq = 0; seq < blocks; seq++)
    g_assert_cmpuint (flash_data (sim, 0x11, seq, packed + seq * 0x400,
                                  MIN (0x400, packed_len - seq * 0x400)), ==, 0);
  g_assert_cmpuint (stub_request (sim, 0x12, e, 4, 0), ==, 0);
  esprit_sim_flash_encrypt (zero, 0, 0x60000, want, 0x3000);
  assert_flash_is (sim, 0x60000, want, 0x3000);
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
  g_test_add_func ("/esprit/sim-flash-crypt/wire-encrypted-write", test_wire_encrypted_write);
  g_test_add_func ("/esprit/sim-flash-crypt/wire-encrypted-deflate", test_wire_encrypted_deflate);
  g_test_add_func ("/esprit/sim-flash-crypt/wire-refusals", test_wire_refusals);
  return g_test_run ();
}

/* test-slip.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-slip.h"

static GPtrArray *
decode_all (const guint8 *wire,
            gsize         len,
            guint        *bad)
{
  g_autoptr(EspritSlipDecoder) dec = esprit_slip_decoder_new (64);
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  *bad = 0;
  for (gsize i = 0; i < len; i++)
    {
      EspritSlipResult r = esprit_slip_decoder_push (dec, wire[i]);

      if (r == ESPRIT_SLIP_FRAME)
        {
          gsize n;
          const guint8 *f = esprit_slip_decoder_frame (dec, &n);

          g_ptr_array_add (frames, g_bytes_new (f, n));
        }
      else if (r != ESPRIT_SLIP_NONE)
        (*bad)++;
    }
  return frames;
}

static void
test_escapes_at_edges (void)
{
  static const guint8 data[] = { 0xC0, 0x01, 0xDB, 0x02, 0xDB };
  static const guint8 expect[] = { 0xC0, 0xDB, 0xDC, 0x01, 0xDB, 0xDD, 0x02, 0xDB, 0xDD, 0xC0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GPtrArray) frames = NULL;
  guint bad;

  esprit_slip_encode (out, data, sizeof data);
  g_assert_cmpmem (out->data, out->len, expect, sizeof expect);
  frames = decode_all (out->data, out->len, &bad);
  g_assert_cmpuint (frames->len, ==, 1);
  g_assert_cmpuint (bad, ==, 0);
  g_assert_cmpmem (g_bytes_get_data (frames->pdata[0], NULL), g_bytes_get_size (frames->pdata[0]),
                   data, sizeof data);
}

static void
test_noise_and_empty (void)
{
  /* Boot noise, then C0 C0 (no empty frame), then a frame. */
  static const guint8 wire[] = { 'e', 't', 's', 0x00, 0xC0, 0xC0, 0x01, 0x02, 0xC0 };
  g_autoptr(EspritSlipDecoder) dec = esprit_slip_decoder_new (64);
  g_autoptr(GPtrArray) frames = NULL;
  guint bad;

  frames = decode_all (wire, sizeof wire, &bad);
  g_assert_cmpuint (frames->len, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (frames->pdata[0]), ==, 2);
  for (gsize i = 0; i < 4; i++)
    esprit_slip_decoder_push (dec, wire[i]);
  g_assert_cmpuint (esprit_slip_decoder_noise (dec), ==, 4);
  g_assert_false (esprit_slip_decoder_in_frame (dec));
}

static void
test_bad_escape_and_truncation (void)
{
  /* DB followed by 0x41 drops the frame; the next one survives. A frame cut by a new C0
   * after DB is dropped too; an unterminated frame never completes. */
  static const guint8 wire[] = { 0xC0, 0x01, 0xDB, 0x41, 0x02, 0xC0,
                                 0xC0, 0x03, 0x04, 0xC0,
                                 0xC0, 0x05, 0xDB, 0xC0,
                                 0xC0, 0x06, 0x07 };
  g_autoptr(GPtrArray) frames = NULL;
  guint bad;

  frames = decode_all (wire, sizeof wire, &bad);
  g_assert_cmpuint (bad, ==, 1);
  g_assert_cmpuint (frames->len, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (frames->pdata[0], NULL), 2, "\x03\x04", 2);
}

static void
test_overflow (void)
{
  guint8 wire[100];
  g_autoptr(GPtrArray) frames = NULL;
  guint bad;

  memset (wire, 0x11, sizeof wire);
  wire[0] = 0xC0;
  wire[99] = 0xC0;
  frames = decode_all (wire, sizeof wire, &bad);
  g_assert_cmpuint (frames->len, ==, 0);
  g_assert_cmpuint (bad, ==, 1);
}

static void
test_round_trip_random (void)
{
  for (guint round = 0; round < 200; round++)
    {
      gsize len = g_test_rand_int_range (1, 60);
      g_autofree guint8 *data = g_malloc (len);
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GPtrArray) frames = NULL;
      guint bad;

      for (gsize i = 0; i < len; i++)
        data[i] = (guint8) (g_test_rand_bit () ? 0xC0 + g_test_rand_int_range (0, 28) : g_test_rand_int ());
      esprit_slip_encode (out, data, len);
      /* No raw C0 inside the frame. */
      for (guint i = 1; i + 1 < out->len; i++)
        g_assert_cmpuint (out->data[i], !=, 0xC0);
      frames = decode_all (out->data, out->len, &bad);
      g_assert_cmpuint (frames->len, ==, 1);
      g_assert_cmpmem (g_bytes_get_data (frames->pdata[0], NULL),
                       g_bytes_get_size (frames->pdata[0]), data, len);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/slip/escapes-at-edges", test_escapes_at_edges);
  g_test_add_func ("/esprit/slip/noise-and-empty", test_noise_and_empty);
  g_test_add_func ("/esprit/slip/bad-escape-and-truncation", test_bad_escape_and_truncation);
  g_test_add_func ("/esprit/slip/overflow", test_overflow);
  g_test_add_func ("/esprit/slip/round-trip-random", test_round_trip_random);
  return g_test_run ();
}

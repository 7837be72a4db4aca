/* test-stub-core.c: the stub core's parts on the host: inflate against zlib, MD5 against
 * GLib, the packed-read records round trip, and bad input never crashing them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <zlib.h>

#include "esprit-test-util.h"
#include "stub-inflate.h"
#include "stub-md5.h"
#include "stub-pack.h"

typedef struct {
  GByteArray *out;
  gsize       abort_after;   /* 0: never */
} Sink;

static int
sink_append (void *ctx, const uint8_t *data, uint32_t len)
{
  Sink *s = ctx;

  g_byte_array_append (s->out, data, len);
  return s->abort_after && s->out->len >= s->abort_after;
}

static GBytes *
compress_with (GBytes *data, int level, int strategy)
{
  z_stream zs = { 0 };
  gsize len = g_bytes_get_size (data);
  gsize cap = compressBound (len) + 64;
  guint8 *out = g_malloc (cap);

  g_assert_cmpint (deflateInit2 (&zs, level, Z_DEFLATED, 15, 8, strategy), ==, Z_OK);
  zs.next_in = (Bytef *) g_bytes_get_data (data, NULL);
  zs.avail_in = len;
  zs.next_out = out;
  zs.avail_out = cap;
  g_assert_cmpint (deflate (&zs, Z_FINISH), ==, Z_STREAM_END);
  cap = zs.total_out;
  deflateEnd (&zs);
  return g_bytes_new_take (out, cap);
}

/* Feeds @z in pieces (@piece 0: random sizes 1..20000) and returns what came out. */
static GByteArray *
inflate_in_pieces (GBytes *z, gsize piece, int *result)
{
  g_autofree stub_inflate_t *s = g_new (stub_inflate_t, 1);
  Sink sink = { g_byte_array_new (), 0 };
  gsize len;
  const guint8 *p = g_bytes_get_data (z, &len);
  gsize at = 0;

  stub_inflate_init (s);
  *result = STUB_INFLATE_MORE;
  while (at < len)
    {
      gsize n = piece ? piece : (gsize) g_random_int_range (1, 20001);

      n = MIN (n, len - at);
      *result = stub_inflate_feed (s, p + at, (uint32_t) n, sink_append, &sink);
      at += n;
      if (*result != STUB_INFLATE_MORE)
        break;
    }
  g_assert_cmpuint (stub_inflate_total_out (s), ==, sink.out->len);
  return sink.out;
}

static GBytes *
mixed_data (gsize len, guint32 seed)
{
  g_autoptr(GBytes) noise = esprit_test_random_bytes (len, seed);
  guint8 *d = g_memdup2 (g_bytes_get_data (noise, NULL), len);

  /* Text-like runs, erased spans and repeats between the random parts. */
  for (gsize i = 0; i + 4096 < len; i += 16384)
    {
      memset (d + i, 0xFF, 2048);
      for (gsize k = 0; k < 1024; k++)
        d[i + 2048 + k] = "the quick brown fox jumps over the lazy dog "[k % 44];
    }
  return g_bytes_new_take (d, len);
}

static void
test_inflate_matches_zlib (void)
{
  const int levels[] = { 0, 1, 6, 9 };
  const int strategies[] = { Z_DEFAULT_STRATEGY, Z_FIXED, Z_HUFFMAN_ONLY, Z_RLE };
  const gsize sizes[] = { 0, 1, 1000, 70000, 300000 };
  const gsize pieces[] = { 1, 7, 16384, 0 };

  for (guint si = 0; si < G_N_ELEMENTS (sizes); si++)
    for (guint li = 0; li < G_N_ELEMENTS (levels); li++)
      for (guint ti = 0; ti < G_N_ELEMENTS (strategies); ti++)
        {
          g_autoptr(GBytes) data = mixed_data (sizes[si], si * 31 + li);
          g_autoptr(GBytes) z = compress_with (data, levels[li], strategies[ti]);

          for (guint pi = 0; pi < G_N_ELEMENTS (pieces); pi++)
            {
              int result;
              g_autoptr(GByteArray) out = NULL;

              /* Byte-at-a-time feeding of the big inputs is slow and adds nothing. */
              if (pieces[pi] == 1 && sizes[si] > 70000)
                continue;
              out = inflate_in_pieces (z, pieces[pi], &result);
              g_assert_cmpint (result, ==, STUB_INFLATE_DONE);
              g_assert_cmpmem (out->data, out->len, g_bytes_get_data (data, NULL),
                               g_bytes_get_size (data));
            }
        }
}

static void
test_inflate_erased_megabyte (void)
{
  g_autofree guint8 *ff = g_malloc (1024 * 1024);
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) z = NULL;
  g_autoptr(GByteArray) out = NULL;
  int result;

  memset (ff, 0xFF, 1024 * 1024);
  data = g_bytes_new (ff, 1024 * 1024);
  z = compress_with (data, 9, Z_DEFAULT_STRATEGY);
  out = inflate_in_pieces (z, 0, &result);
  g_assert_cmpint (result, ==, STUB_INFLATE_DONE);
  g_assert_cmpmem (out->data, out->len, ff, 1024 * 1024);
}

typedef struct {
  Sink  sink;
  gsize calls;
} IdleSink;

static void
count_idle (void *ctx)
{
  IdleSink *t = ctx;

  t->calls++;
}

static int
idle_sink_append (void *ctx, const uint8_t *data, uint32_t len)
{
  IdleSink *t = ctx;

  g_byte_array_append (t->sink.out, data, len);
  return 0;
}

/* hal->poll: a machine that polls its UART is called back every STUB_INFLATE_IDLE bytes of
 * output, however long the DATA block, and not at all when it asked for nothing. */
static void
test_inflate_calls_idle (void)
{
  g_autofree guint8 *ff = g_malloc (1024 * 1024);
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) z = NULL;
  g_autofree stub_inflate_t *s = g_new (stub_inflate_t, 1);
  IdleSink t = { { g_byte_array_new (), 0 }, 0 };
  gsize len;
  const guint8 *p;

  memset (ff, 0xFF, 1024 * 1024);
  data = g_bytes_new (ff, 1024 * 1024);
  z = compress_with (data, 9, Z_DEFAULT_STRATEGY);
  p = g_bytes_get_data (z, &len);

  stub_inflate_init (s);
  g_assert_null (s->idle);
  s->idle = count_idle;
  g_assert_cmpint (stub_inflate_feed (s, p, (uint32_t) len, idle_sink_append, &t), ==,
                   STUB_INFLATE_DONE);
  g_assert_cmpuint (t.sink.out->len, ==, 1024 * 1024);
  g_assert_cmpuint (t.calls, ==, 1024 * 1024 / STUB_INFLATE_IDLE);

  /* A new stream forgets the callback. */
  stub_inflate_init (s);
  g_assert_null (s->idle);
  g_byte_array_unref (t.sink.out);
}

static void
test_inflate_rejects_bad_streams (void)
{
  g_autoptr(GBytes) data = mixed_data (50000, 5);
  g_autoptr(GBytes) z = compress_with (data, 6, Z_DEFAULT_STRATEGY);
  gsize len;
  const guint8 *p = g_bytes_get_data (z, &len);
  g_autofree stub_inflate_t *s = g_new (stub_inflate_t, 1);
  int result;

  /* A bad header, a bad Adler-32, a truncated stream. */
  {
    g_autoptr(GBytes) bad = NULL;
    guint8 *copy = g_memdup2 (p, len);
    g_autoptr(GByteArray) out = NULL;

    copy[0] ^= 0x01;
    bad = g_bytes_new_take (copy, len);
    out = inflate_in_pieces (bad, 0, &result);
    g_assert_cmpint (result, ==, STUB_INFLATE_ERROR);
  }
  {
    g_autoptr(GBytes) bad = NULL;
    guint8 *copy = g_memdup2 (p, len);
    g_autoptr(GByteArray) out = NULL;

    copy[len - 1] ^= 0x40;
    bad = g_bytes_new_take (copy, len);
    out = inflate_in_pieces (bad, 0, &result);
    g_assert_cmpint (result, ==, STUB_INFLATE_ERROR);
  }
  {
    g_autoptr(GBytes) cut = g_bytes_new_from_bytes (z, 0, len - 3);
    g_autoptr(GByteArray) out = inflate_in_pieces (cut, 0, &result);

    g_assert_cmpint (result, ==, STUB_INFLATE_MORE);
  }
  /* The error is sticky. */
  stub_inflate_init (s);
  {
    Sink sink = { g_byte_array_new (), 0 };
    guint8 junk[2] = { 0x12, 0x34 };

    g_assert_cmpint (stub_inflate_feed (s, junk, 2, sink_append, &sink), ==, STUB_INFLATE_ERROR);
    g_assert_cmpint (stub_inflate_feed (s, p, (uint32_t) len, sink_append, &sink), ==,
                     STUB_INFLATE_ERROR);
    g_byte_array_unref (sink.out);
  }
  /* A refusing sink stops the stream. */
  stub_inflate_init (s);
  {
    Sink sink = { g_byte_array_new (), 1000 };

    g_assert_cmpint (stub_inflate_feed (s, p, (uint32_t) len, sink_append, &sink), ==,
                     STUB_INFLATE_SINK_ERROR);
    g_byte_array_unref (sink.out);
  }
}

static void
test_inflate_survives_garbage (void)
{
  g_autofree stub_inflate_t *s = g_new (stub_inflate_t, 1);

  for (guint32 seed = 1; seed <= 300; seed++)
    {
      g_autoptr(GBytes) junk = esprit_test_random_bytes (g_random_int_range (1, 5000), seed);
      g_autoptr(GBytes) data = mixed_data (20000, seed);
      g_autoptr(GBytes) z = compress_with (data, 6, Z_DEFAULT_STRATEGY);
      guint8 *copy = g_memdup2 (g_bytes_get_data (z, NULL), g_bytes_get_size (z));
      Sink sink = { g_byte_array_new (), 0 };

      /* Pure noise behind a valid header, and a valid stream with flipped bytes. */
      stub_inflate_init (s);
      stub_inflate_feed (s, (const uint8_t *) "\x78\x9c", 2, sink_append, &sink);
      stub_inflate_feed (s, g_bytes_get_data (junk, NULL), g_bytes_get_size (junk), sink_append,
                         &sink);
      for (int k = 0; k < 4; k++)
        copy[2 + g_random_int_range (0, g_bytes_get_size (z) - 2)] ^= 1 << (k + seed % 4);
      stub_inflate_init (s);
      stub_inflate_feed (s, copy, g_bytes_get_size (z), sink_append, &sink);
      g_free (copy);
      g_byte_array_unref (sink.out);
    }
}

static void
test_md5_matches_glib (void)
{
  /* RFC 1321 appendix A.5 */
  static const struct { const char *in, *hex; } vectors[] = {
    { "", "d41d8cd98f00b204e9800998ecf8427e" },
    { "a", "0cc175b9c0f1b6a831c399e269772661" },
    { "abc", "900150983cd24fb0d6963f7d28e17f72" },
    { "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
    { "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
      "57edf4a22be3c955ac49da2e2107b67a" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      stub_md5_t md5;
      guint8 digest[16];
      char hex[33];

      stub_md5_init (&md5);
      stub_md5_update (&md5, vectors[i].in, strlen (vectors[i].in));
      stub_md5_final (&md5, digest);
      for (int k = 0; k < 16; k++)
        g_snprintf (hex + 2 * k, 3, "%02x", digest[k]);
      g_assert_cmpstr (hex, ==, vectors[i].hex);
    }

  for (guint32 seed = 1; seed <= 40; seed++)
    {
      gsize len = seed == 1 ? 0 : (gsize) g_random_int_range (0, 200000);
      g_autoptr(GBytes) data = esprit_test_random_bytes (len, seed);
      const guint8 *p = g_bytes_get_data (data, NULL);
      g_autofree char *expect = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, data);
      stub_md5_t md5;
      guint8 digest[16];
      char hex[33];
      gsize at = 0;

      stub_md5_init (&md5);
      while (at < len)
        {
          gsize n = (gsize) g_random_int_range (1, 5000);

          n = MIN (n, len - at);

          stub_md5_update (&md5, p + at, (uint32_t) n);
          at += n;
        }
      stub_md5_final (&md5, digest);
      for (int k = 0; k < 16; k++)
        g_snprintf (hex + 2 * k, 3, "%02x", digest[k]);
      g_assert_cmpstr (hex, ==, expect);
    }
}

static void
check_round_trip (const guint8 *chunk, guint32 len, guint8 expect_type)
{
  g_autofree stub_pack_t *pack = g_new0 (stub_pack_t, 1);
  guint8 record[STUB_PACK_RECORD_MAX];
  guint8 out[STUB_PACK_CHUNK];
  guint32 n = stub_pack_record (pack, chunk, len, record);

  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <=, 1 + len);
  if (expect_type != 0xAA)
    g_assert_cmpuint (record[0], ==, expect_type);
  g_assert_cmpint (stub_pack_record_size (record, n, len), ==, (gint32) n);
  g_assert_cmpint (stub_pack_record_size (record, n - 1, len), ==, 0);
  g_assert_cmpint (stub_pack_unpack (record, n, out, len), ==, 0);
  g_assert_cmpmem (out, len, chunk, len);
}

static void
test_pack_round_trip (void)
{
  guint8 chunk[STUB_PACK_CHUNK];

  memset (chunk, 0xFF, sizeof chunk);
  check_round_trip (chunk, STUB_PACK_CHUNK, STUB_PACK_ERASED);
  check_round_trip (chunk, 100, STUB_PACK_ERASED);
  memset (chunk, 0x00, sizeof chunk);
  check_round_trip (chunk, STUB_PACK_CHUNK, STUB_PACK_LZ);
  for (guint32 seed = 1; seed <= 200; seed++)
    {
      g_autoptr(GBytes) data = mixed_data (STUB_PACK_CHUNK * 5, seed);
      guint32 len = (guint32) g_random_int_range (1, STUB_PACK_CHUNK + 1);
      const guint8 *p = g_bytes_get_data (data, NULL);

      check_round_trip (p + g_random_int_range (0, STUB_PACK_CHUNK * 4), len, 0xAA);
    }
  {
    g_autoptr(GBytes) noise = esprit_test_random_bytes (STUB_PACK_CHUNK, 9);

    check_round_trip (g_bytes_get_data (noise, NULL), STUB_PACK_CHUNK, STUB_PACK_STORED);
  }
}

static void
test_pack_rejects_bad_records (void)
{
  guint8 out[STUB_PACK_CHUNK];

  for (guint32 seed = 1; seed <= 2000; seed++)
    {
      g_autoptr(GBytes) junk = esprit_test_random_bytes (g_random_int_range (1, 600), seed);
      guint8 *rec = g_memdup2 (g_bytes_get_data (junk, NULL), g_bytes_get_size (junk));
      guint32 len = (guint32) g_bytes_get_size (junk);

      rec[0] = (guint8) (seed % 4);
      if (len >= 3)
        {
          rec[1] = (guint8) (len - 3);
          rec[2] = (guint8) ((len - 3) >> 8);
        }
      /* Whatever it says, it never writes past the chunk or reads past the record. */
      stub_pack_record_size (rec, len, STUB_PACK_CHUNK);
      stub_pack_unpack (rec, len, out, (guint32) g_random_int_range (1, STUB_PACK_CHUNK + 1));
      g_free (rec);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/stub-core/inflate-matches-zlib", test_inflate_matches_zlib);
  g_test_add_func ("/esprit/stub-core/inflate-calls-idle", test_inflate_calls_idle);
  g_test_add_func ("/esprit/stub-core/inflate-erased-megabyte", test_inflate_erased_megabyte);
  g_test_add_func ("/esprit/stub-core/inflate-rejects-bad-streams", test_inflate_rejects_bad_streams);
  g_test_add_func ("/esprit/stub-core/inflate-survives-garbage", test_inflate_survives_garbage);
  g_test_add_func ("/esprit/stub-core/md5-matches-glib", test_md5_matches_glib);
  g_test_add_func ("/esprit/stub-core/pack-round-trip", test_pack_round_trip);
  g_test_add_func ("/esprit/stub-core/pack-rejects-bad-records", test_pack_rejects_bad_records);
  return g_test_run ();
}

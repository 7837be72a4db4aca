/* fuzz-stub.c: what the stub core and the host take from the wire: the packed-read records
 * (host side) and the inflate stream of FLASH_DEFL_DATA (stub side), on arbitrary bytes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stub-inflate.h"
#include "stub-pack.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
size_t esprit_fuzz_seeds (const uint8_t ***seeds, const size_t **sizes);

/* A zlib stream of "hello hello hello" and an LZ record. */
static const uint8_t seed1[] = { 0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x90,
                                 0x00, 0x3a, 0x2e, 0x06, 0x7d };
static const uint8_t seed2[] = { 0x02, 0x07, 0x00, 0x1f, 0x61, 0x01, 0x00, 0xff, 0xff, 0x05 };
static const uint8_t *seeds[] = { seed1, seed2 };
static const size_t sizes[] = { sizeof seed1, sizeof seed2 };

size_t
esprit_fuzz_seeds (const uint8_t ***s,
                   const size_t    **z)
{
  *s = seeds;
  *z = sizes;
  return 2;
}

static int
sink (void *ctx, const uint8_t *out, uint32_t len)
{
  size_t *total = ctx;

  *total += len;
  return *total > (1u << 16);   /* enough (two window wraps): a bomb is cut off */
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static uint8_t out[STUB_PACK_CHUNK];
  stub_inflate_t *s = malloc (sizeof *s);
  size_t total = 0;

  /* As records: the first byte picks the chunk length. */
  if (size > 1)
    {
      uint32_t chunk = 1 + (data[0] * 16u) % STUB_PACK_CHUNK;
      int32_t n = stub_pack_record_size (data + 1, (uint32_t) size - 1, chunk);

      if (n > 0)
        stub_pack_unpack (data + 1, (uint32_t) n, out, chunk);
      stub_pack_unpack (data + 1, (uint32_t) size - 1, out, chunk);
    }

  /* As a deflate stream, fed whole and then in pieces of the first byte's size. */
  stub_inflate_init (s);
  stub_inflate_feed (s, data, (uint32_t) size, sink, &total);
  stub_inflate_init (s);
  for (size_t at = 0, step = size ? 1 + data[0] % 64 : 1; at < size; at += step)
    stub_inflate_feed (s, data + at, (uint32_t) (size - at < step ? size - at : step), sink, &total);
  free (s);
  return 0;
}

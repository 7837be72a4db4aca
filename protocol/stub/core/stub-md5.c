/* stub-md5.c: MD5 (RFC 1321), byte-oriented so that it never makes unaligned word loads
 * (they trap on the lx106). Freestanding.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-md5.h"

/* Per-round shift amounts and the sine-derived constants of RFC 1321 §3.4. */
static const uint8_t shifts[64] = {
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static const uint32_t sines[64] = {
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static void
transform (uint32_t state[4], const uint8_t block[64])
{
  uint32_t w[16], a = state[0], b = state[1], c = state[2], d = state[3];

  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t) block[4 * i] | (uint32_t) block[4 * i + 1] << 8 |
           (uint32_t) block[4 * i + 2] << 16 | (uint32_t) block[4 * i + 3] << 24;
  for (int i = 0; i < 64; i++)
    {
      uint32_t f, t;
      int g;

      if (i < 16)
        f = (b & c) | (~b & d), g = i;
      else if (i < 32)
        f = (d & b) | (~d & c), g = (5 * i + 1) & 15;
      else if (i < 48)
        f = b ^ c ^ d, g = (3 * i + 5) & 15;
      else
        f = c ^ (b | ~d), g = (7 * i) & 15;
      t = a + f + sines[i] + w[g];
      a = d;
      d = c;
      c = b;
      b += (t << shifts[i]) | (t >> (32 - shifts[i]));
    }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
}

void
stub_md5_init (stub_md5_t *md5)
{
  md5->state[0] = 0x67452301;
  md5->state[1] = 0xefcdab89;
  md5->state[2] = 0x98badcfe;
  md5->state[3] = 0x10325476;
  md5->count_lo = md5->count_hi = 0;
}

void
stub_md5_update (stub_md5_t *md5, const void *data, uint32_t len)
{
  const uint8_t *p = data;
  uint32_t have = md5->count_lo & 63;

  if ((md5->count_lo += len) < len)
    md5->count_hi++;
  while (len)
    {
      uint32_t n = 64 - have;

      if (have == 0 && len >= 64)
        {
          transform (md5->state, p);
          p += 64;
          len -= 64;
          continue;
        }
      if (n > len)
        n = len;
      for (uint32_t i = 0; i < n; i++)
        md5->buffer[have + i] = p[i];
      have += n;
      p += n;
      len -= n;
      if (have == 64)
        {
          transform (md5->state, md5->buffer);
          have = 0;
        }
    }
}

void
stub_md5_final (stub_md5_t *md5, uint8_t digest[16])
{
  static const uint8_t pad[64] = { 0x80 };
  uint32_t have = md5->count_lo & 63;
  uint32_t bits_lo = md5->count_lo << 3, bits_hi = md5->count_hi << 3 | md5->count_lo >> 29;
  uint8_t length[8];

  for (int i = 0; i < 4; i++)
    {
      length[i] = (uint8_t) (bits_lo >> (8 * i));
      length[4 + i] = (uint8_t) (bits_hi >> (8 * i));
    }
  /* RFC 1321 §3.1-3.2: pad to 56 mod 64, then the bit length, little-endian. */
  stub_md5_update (md5, pad, have < 56 ? 56 - have : 120 - have);
  stub_md5_update (md5, length, 8);
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      digest[4 * i + j] = (uint8_t) (md5->state[i] >> (8 * j));
}

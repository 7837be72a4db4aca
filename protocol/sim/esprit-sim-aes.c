/* esprit-sim-aes.c: AES-256 block cipher and inverse cipher (FIPS-197 §5.1-5.3)
 *
 * Written for the virtual ESP32's flash-encryption engine (esprit-sim-flash-crypt.c), which
 * changes the key every 32 bytes: the S-boxes are derived once per context from the field
 * arithmetic (FIPS-197 §5.1.1) and the key schedule is cheap to redo. Byte-oriented and
 * straightforward rather than fast; the state is column-major as in FIPS-197 §3.4.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "esprit-sim-aes.h"

#include <string.h>

#define AES256_ROUNDS 14

/* multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 §4.2.1) */
static uint8_t
xtime (uint8_t a)
{
  return (uint8_t) ((a << 1) ^ ((a & 0x80) ? 0x1B : 0x00));
}

static uint8_t
gmul (uint8_t a,
      uint8_t b)
{
  uint8_t r = 0;

  while (b)
    {
      if (b & 1)
        r ^= a;
      a = xtime (a);
      b >>= 1;
    }
  return r;
}

static uint8_t
rotl8 (uint8_t v,
       int     n)
{
  return (uint8_t) ((v << n) | (v >> (8 - n)));
}

/* §5.1.1: S(x) = affine(x^-1). Walks the field with the generator 3 (p) and its inverse
 * 3^-1 (q), so that q is always p's inverse. */
static void
build_sboxes (EspritSimAes256 *ctx)
{
  uint8_t p = 1, q = 1;

  do
    {
      uint8_t s;

      p = (uint8_t) (p ^ xtime (p));   /* p *= 3 */
      q ^= (uint8_t) (q << 1);         /* q /= 3 */
      q ^= (uint8_t) (q << 2);
      q ^= (uint8_t) (q << 4);
      if (q & 0x80)
        q ^= 0x09;
      s = (uint8_t) (q ^ rotl8 (q, 1) ^ rotl8 (q, 2) ^ rotl8 (q, 3) ^ rotl8 (q, 4) ^ 0x63);
      ctx->sbox[p] = s;
    }
  while (p != 1);
  ctx->sbox[0] = 0x63;   /* 0 has no inverse: the affine map of 0 */
  for (int i = 0; i < 256; i++)
    ctx->inv_sbox[ctx->sbox[i]] = (uint8_t) i;
}

void
esprit_sim_aes256_set_key (EspritSimAes256 *ctx,
                           const uint8_t    key[32])
{
  uint8_t w[60][4];
  uint8_t rcon = 1;

  /* §5.2, Nk = 8: 60 words, SubWord also at i mod 8 == 4 */
  memcpy (w, key, 32);
  for (int i = 8; i < 60; i++)
    {
      uint8_t t[4];

      memcpy (t, w[i - 1], 4);
      if (i % 8 == 0)
        {
          uint8_t first = t[0];

          t[0] = (uint8_t) (ctx->sbox[t[1]] ^ rcon);
          t[1] = ctx->sbox[t[2]];
          t[2] = ctx->sbox[t[3]];
          t[3] = ctx->sbox[first];
          rcon = xtime (rcon);
        }
      else if (i % 8 == 4)
        {
          for (int j = 0; j < 4; j++)
            t[j] = ctx->sbox[t[j]];
        }
      for (int j = 0; j < 4; j++)
        w[i][j] = w[i - 8][j] ^ t[j];
    }
  memcpy (ctx->round_key, w, sizeof ctx->round_key);
}

void
esprit_sim_aes256_init (EspritSimAes256 *ctx,
                        const uint8_t    key[32])
{
  build_sboxes (ctx);
  esprit_sim_aes256_set_key (ctx, key);
}

static void
add_round_key (uint8_t        s[16],
               const uint8_t  k[16])
{
  for (int i = 0; i < 16; i++)
    s[i] ^= k[i];
}

/* §5.1.2 / §5.3.1: row r moves r columns left (or right for the inverse). */
static void
shift_rows (uint8_t s[16],
            int     inverse)
{
  uint8_t t[16];

  for (int c = 0; c < 4; c++)
    for (int r = 0; r < 4; r++)
      {
        int from = inverse ? (c + 4 - r) % 4 : (c + r) % 4;

        t[r + 4 * c] = s[r + 4 * from];
      }
  memcpy (s, t, 16);
}

/* §5.1.3 / §5.3.3: each column times {03}x^3 + {01}x^2 + {01}x + {02}, or the inverse
 * polynomial {0b}x^3 + {0d}x^2 + {09}x + {0e}. */
static void
mix_columns (uint8_t s[16],
             int     inverse)
{
  static const uint8_t fwd[4] = { 2, 3, 1, 1 }, inv[4] = { 14, 11, 13, 9 };
  const uint8_t *m = inverse ? inv : fwd;

  for (int c = 0; c < 4; c++)
    {
      uint8_t col[4];

      memcpy (col, s + 4 * c, 4);
      for (int r = 0; r < 4; r++)
        s[4 * c + r] = (uint8_t) (gmul (col[r], m[0]) ^ gmul (col[(r + 1) % 4], m[1]) ^
                                  gmul (col[(r + 2) % 4], m[2]) ^ gmul (col[(r + 3) % 4], m[3]));
    }
}

void
esprit_sim_aes256_encrypt (const EspritSimAes256 *ctx,
                           const uint8_t          in[16],
                           uint8_t                out[16])
{
  uint8_t s[16];

  memcpy (s, in, 16);
  add_round_key (s, ctx->round_key[0]);
  for (int round = 1; round <= AES256_ROUNDS; round++)
    {
      for (int i = 0; i < 16; i++)
        s[i] = ctx->sbox[s[i]];
      shift_rows (s, 0);
      if (round != AES256_ROUNDS)
        mix_columns (s, 0);
      add_round_key (s, ctx->round_key[round]);
    }
  memcpy (out, s, 16);
}

void
esprit_sim_aes256_decrypt (const EspritSimAes256 *ctx,
                           const uint8_t          in[16],
                           uint8_t                out[16])
{
  uint8_t s[16];

  /* §5.3 (the inverse cipher in the order of Figure 12) */
  memcpy (s, in, 16);
  add_round_key (s, ctx->round_key[AES256_ROUNDS]);
  for (int round = AES256_ROUNDS - 1; round >= 0; round--)
    {
      shift_rows (s, 1);
      for (int i = 0; i < 16; i++)
        s[i] = ctx->inv_sbox[s[i]];
      add_round_key (s, ctx->round_key[round]);
      if (round != 0)
        mix_columns (s, 1);
    }
  memcpy (out, s, 16);
}

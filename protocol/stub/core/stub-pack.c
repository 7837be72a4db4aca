/* stub-pack.c: Esprit's packed-read records (format in stub-pack.h)
 *
 * Freestanding: runs in the ESP8266 stub (encoder) and in the host library (decoder).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-pack.h"

#define MIN_MATCH 4u

static uint32_t
hash4 (const uint8_t *p)
{
  /* Bytes, not a word load: unaligned loads trap on the lx106. */
  uint32_t v = (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;

  return (v * 2654435761u) >> (32 - STUB_PACK_HASH_BITS);
}

static uint8_t *
put_length (uint8_t *out, uint32_t n)
{
  while (n >= 255)
    {
      *out++ = 255;
      n -= 255;
    }
  *out++ = (uint8_t) n;
  return out;
}

/* One sequence: @nlit literals from @lit, then a match of @mlen at @dist (mlen 0: last). */
static uint8_t *
put_sequence (uint8_t *out, const uint8_t *lit, uint32_t nlit, uint32_t mlen, uint32_t dist)
{
  uint32_t ml = mlen ? mlen - MIN_MATCH : 0;
  uint8_t *token = out++;

  *token = (uint8_t) ((nlit < 15 ? nlit : 15) << 4 | (ml < 15 ? ml : 15));
  if (nlit >= 15)
    out = put_length (out, nlit - 15);
  for (uint32_t i = 0; i < nlit; i++)
    *out++ = lit[i];
  if (mlen)
    {
      *out++ = (uint8_t) dist;
      *out++ = (uint8_t) (dist >> 8);
      if (ml >= 15)
        out = put_length (out, ml - 15);
    }
  return out;
}

static int
all_erased (const uint8_t *in, uint32_t len)
{
  for (uint32_t i = 0; i < len; i++)
    if (in[i] != 0xFF)
      return 0;
  return 1;
}

uint32_t
stub_pack_record (stub_pack_t   *p,
                  const uint8_t *in,
                  uint32_t       len,
                  uint8_t       *out)
{
  /* The LZ block must stay shorter than storing (1 + len): give up as soon as the next
   * sequence could cross that, counting its worst case (token, length bytes, distance). */
  uint8_t *base = out + 3, *o = base;
  uint32_t budget = len > 8 ? len - 8 : 0, anchor = 0, i = 0, next_idle = STUB_PACK_IDLE;

  if (all_erased (in, len))
    {
      out[0] = STUB_PACK_ERASED;
      return 1;
    }
  for (uint32_t h = 0; h < (1u << STUB_PACK_HASH_BITS); h++)
    p->table[h] = 0;

  while (len >= 16 && i + MIN_MATCH <= len - 4)
    {
      uint32_t h = hash4 (in + i), cand = p->table[h], mlen = 0;

      if (p->idle && i >= next_idle)
        {
          p->idle (p->idle_ctx);
          next_idle = i + STUB_PACK_IDLE;
        }
      p->table[h] = (uint16_t) (i + 1);
      if (cand != 0)
        {
          const uint8_t *a = in + cand - 1, *b = in + i;

          while (i + mlen < len && a[mlen] == b[mlen])
            mlen++;
        }
      if (mlen < MIN_MATCH)
        {
          i++;
          continue;
        }
      if ((uint32_t) (o - base) + (i - anchor) + (i - anchor) / 255 + 5 + mlen / 255 > budget)
        break;
      o = put_sequence (o, in + anchor, i - anchor, mlen, i - (cand - 1));
      /* Remember a few positions inside the match so that runs keep matching. */
      for (uint32_t k = i + 1; k < i + mlen && k + MIN_MATCH <= len; k += 16)
        p->table[hash4 (in + k)] = (uint16_t) (k + 1);
      i += mlen;
      anchor = i;
    }
  if ((uint32_t) (o - base) + (len - anchor) + (len - anchor) / 255 + 2 <= budget)
    {
      uint32_t n;

      o = put_sequence (o, in + anchor, len - anchor, 0, 0);
      n = (uint32_t) (o - base);
      out[0] = STUB_PACK_LZ;
      out[1] = (uint8_t) n;
      out[2] = (uint8_t) (n >> 8);
      return n + 3;
    }
  out[0] = STUB_PACK_STORED;
  for (uint32_t k = 0; k < len; k++)
    out[1 + k] = in[k];
  return 1 + len;
}

int32_t
stub_pack_record_size (const uint8_t *rec,
                       uint32_t       avail,
                       uint32_t       chunk_len)
{
  uint32_t need;

  if (avail == 0)
    return 0;
  switch (rec[0])
    {
    case STUB_PACK_ERASED:
      need = 1;
      break;
    case STUB_PACK_STORED:
      need = 1 + chunk_len;
      break;
    case STUB_PACK_LZ:
      if (avail < 3)
        return 0;
      need = 3 + ((uint32_t) rec[1] | (uint32_t) rec[2] << 8);
      break;
    default:
      return -1;
    }
  return avail >= need ? (int32_t) need : 0;
}

/* Reads a nibble's continuation; -1 past the end. */
static int
get_length (const uint8_t **in, const uint8_t *end, uint32_t *n)
{
  for (;;)
    {
      uint8_t b;

      if (*in >= end)
        return -1;
      b = *(*in)++;
      *n += b;
      if (b != 255)
        return 0;
    }
}

int
stub_pack_unpack (const uint8_t *rec,
                  uint32_t       rec_len,
                  uint8_t       *out,
                  uint32_t       chunk_len)
{
  const uint8_t *in, *end = rec + rec_len;
  uint32_t o = 0;

  if (rec_len == 0)
    return -1;
  switch (rec[0])
    {
    case STUB_PACK_ERASED:
      if (rec_len != 1)
        return -1;
      for (uint32_t k = 0; k < chunk_len; k++)
        out[k] = 0xFF;
      return 0;
    case STUB_PACK_STORED:
      if (rec_len != 1 + chunk_len)
        return -1;
      for (uint32_t k = 0; k < chunk_len; k++)
        out[k] = rec[1 + k];
      return 0;
    case STUB_PACK_LZ:
      if (rec_len < 3 || rec_len != 3 + ((uint32_t) rec[1] | (uint32_t) rec[2] << 8))
        return -1;
      break;
    default:
      return -1;
    }

  in = rec + 3;
  while (in < end)
    {
      uint8_t token = *in++;
      uint32_t nlit = token >> 4, mlen = token & 15, dist;

      if (nlit == 15 && get_length (&in, end, &nlit) < 0)
        return -1;
      if (nlit > (uint32_t) (end - in) || nlit > chunk_len - o)
        return -1;
      for (uint32_t k = 0; k < nlit; k++)
        out[o++] = *in++;
      if (in == end)
        break;   /* the last sequence: literals only */
      if (end - in < 2)
        return -1;
      dist = (uint32_t) in[0] | (uint32_t) in[1] << 8;
      in += 2;
      if (mlen == 15 && get_length (&in, end, &mlen) < 0)
        return -1;
      mlen += MIN_MATCH;
      if (dist == 0 || dist > o || mlen > chunk_len - o)
        return -1;
      for (uint32_t k = 0; k < mlen; k++, o++)
        out[o] = out[o - dist];
    }
  return o == chunk_len ? 0 : -1;
}

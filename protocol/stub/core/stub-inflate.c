/* stub-inflate.c: streaming zlib decoder (RFC 1950, RFC 1951), freestanding
 *
 * Resumable at any input byte: the decoder works in units (a zlib header, a block header with
 * its code tables, one literal or length/distance pair, one stored byte, the Adler-32
 * trailer). A unit that runs out of input is rolled back to its start and its bytes are kept
 * in a small carry buffer for the next call, so no unit is ever half-applied. Huffman codes
 * are decoded canonically, a bit at a time: small tables matter more than speed here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-inflate.h"

enum {
  ST_ZLIB_HEADER,
  ST_BLOCK_HEADER,
  ST_STORED,
  ST_CODES,
  ST_TRAILER,
  ST_DONE,
  ST_ERROR,
  ST_SINK_ERROR,
};

/* RFC 1951 §3.2.5: base lengths and extra bits of length codes 257..285, distance codes
 * 0..29. */
static const uint16_t len_base[29] = {
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
  35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t len_extra[29] = {
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0 };
static const uint16_t dist_base[30] = {
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
  257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[30] = {
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
/* RFC 1951 §3.2.7: the order code length code lengths are sent in. */
static const uint8_t clen_order[19] = {
  16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

#define ADLER_MOD 65521u

/* The input of one feed call: the carried bytes, then the new ones. */
typedef struct {
  const uint8_t *carry;
  uint32_t       carry_len;
  const uint8_t *in;
  uint32_t       total;
  uint32_t       pos;
} Reader;

/* Results of a unit besides success. */
#define UNDERFLOW (-10)
#define BAD       (-11)
#define SINK      (-12)

static int
byte_at (const Reader *r, uint32_t i)
{
  return i < r->carry_len ? r->carry[i] : r->in[i - r->carry_len];
}

/* Takes @n (<= 16) bits, LSB first. */
static int
bits (stub_inflate_t *s, Reader *r, uint32_t n, uint32_t *out)
{
  while (s->nbits < n)
    {
      if (r->pos == r->total)
        return UNDERFLOW;
      s->bits |= (uint32_t) byte_at (r, r->pos++) << s->nbits;
      s->nbits += 8;
    }
  *out = s->bits & ((1u << n) - 1);
  s->bits >>= n;
  s->nbits -= n;
  return 0;
}

static int
decode (stub_inflate_t *s, Reader *r, const stub_huffman_t *h, uint32_t *symbol)
{
  uint32_t code = 0, first = 0, index = 0;

  for (uint32_t len = 1; len < 16; len++)
    {
      uint32_t bit, count;
      int e = bits (s, r, 1, &bit);

      if (e)
        return e;
      code |= bit;
      count = h->count[len];
      if (code - first < count)
        {
          *symbol = h->symbol[index + code - first];
          return 0;
        }
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
  return BAD;   /* no code of 15 bits or less: an incomplete table reached its hole */
}

/* Builds canonical decoding tables from code lengths; BAD when over-subscribed. */
static int
build (stub_huffman_t *h, const uint8_t *lengths, uint32_t n)
{
  uint16_t offs[16];
  int left = 1;

  for (uint32_t i = 0; i < 16; i++)
    h->count[i] = 0;
  for (uint32_t i = 0; i < n; i++)
    h->count[lengths[i]]++;
  for (uint32_t len = 1; len < 16; len++)
    {
      left = (left << 1) - h->count[len];
      if (left < 0)
        return BAD;
    }
  offs[1] = 0;
  for (uint32_t len = 1; len < 15; len++)
    offs[len + 1] = (uint16_t) (offs[len] + h->count[len]);
  for (uint32_t i = 0; i < n; i++)
    if (lengths[i])
      h->symbol[offs[lengths[i]]++] = (uint16_t) i;
  return 0;
}

static int
flush (stub_inflate_t *s, stub_inflate_sink_t sink, void *ctx)
{
  uint32_t a = s->adler_a, b = s->adler_b;

  if (s->wpos == s->flushed)
    return 0;
  for (uint32_t i = s->flushed; i < s->wpos; i++)
    {
      a += s->window[i];
      if (a >= ADLER_MOD)
        a -= ADLER_MOD;
      b += a;
      if (b >= ADLER_MOD)
        b -= ADLER_MOD;
    }
  s->adler_a = a;
  s->adler_b = b;
  if (sink (ctx, s->window + s->flushed, s->wpos - s->flushed))
    return SINK;
  s->flushed = s->wpos;
  return 0;
}

static int
put (stub_inflate_t *s, uint8_t byte, stub_inflate_sink_t sink, void *ctx)
{
  s->window[s->wpos++] = byte;
  s->total_out++;
  if (s->idle && (s->wpos & (STUB_INFLATE_IDLE - 1)) == 0)
    s->idle (ctx);
  if (s->wpos == STUB_INFLATE_WINDOW)
    {
      if (flush (s, sink, ctx))
        return SINK;
      s->wpos = s->flushed = 0;
    }
  return 0;
}

static void
fixed_tables (stub_inflate_t *s)
{
  uint8_t lengths[288];

  /* RFC 1951 §3.2.6 */
  for (uint32_t i = 0; i < 288; i++)
    lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  build (&s->lit, lengths, 288);
  for (uint32_t i = 0; i < 30; i++)
    lengths[i] = 5;
  build (&s->dist, lengths, 30);
}

#define TRY(expr) do { int e_ = (expr); if (e_) return e_; } while (0)

/* RFC 1951 §3.2.7: the code tables of a dynamic block. */
static int
dynamic_tables (stub_inflate_t *s, Reader *r)
{
  uint8_t lengths[288 + 32];
  uint32_t nlit, ndist, nclen, i = 0;

  TRY (bits (s, r, 5, &nlit));
  TRY (bits (s, r, 5, &ndist));
  TRY (bits (s, r, 4, &nclen));
  nlit += 257;
  ndist += 1;
  nclen += 4;
  if (nlit > 286 || ndist > 30)
    return BAD;
  for (uint32_t k = 0; k < 19; k++)
    {
      uint32_t v = 0;

      if (k < nclen)
        TRY (bits (s, r, 3, &v));
      lengths[clen_order[k]] = (uint8_t) v;
    }
  TRY (build (&s->lit, lengths, 19));   /* the code length code, borrowing lit */

  while (i < nlit + ndist)
    {
      uint32_t sym, rep, value = 0;

      TRY (decode (s, r, &s->lit, &sym));
      if (sym < 16)
        {
          lengths[i++] = (uint8_t) sym;
          continue;
        }
      if (sym == 16)
        {
          if (i == 0)
            return BAD;
          value = lengths[i - 1];
          TRY (bits (s, r, 2, &rep));
          rep += 3;
        }
      else if (sym == 17)
        {
          TRY (bits (s, r, 3, &rep));
          rep += 3;
        }
      else
        {
          TRY (bits (s, r, 7, &rep));
          rep += 11;
        }
      if (i + rep > nlit + ndist)
        return BAD;
      while (rep--)
        lengths[i++] = (uint8_t) value;
    }
  if (lengths[256] == 0)
    return BAD;   /* no end-of-block code */
  TRY (build (&s->lit, lengths, nlit));
  TRY (build (&s->dist, lengths + nlit, ndist));
  return 0;
}

/* One unit of work. */
static int
step (stub_inflate_t *s, Reader *r, stub_inflate_sink_t sink, void *ctx)
{
  uint32_t v, w;

  switch (s->state)
    {
    case ST_ZLIB_HEADER:
      /* RFC 1950 §2.2: deflate, window <= 32 KiB, no preset dictionary, check bits. */
      TRY (bits (s, r, 8, &v));
      TRY (bits (s, r, 8, &w));
      if ((v & 15) != 8 || (v >> 4) > 7 || (w & 0x20) || (v * 256 + w) % 31 != 0)
        return BAD;
      s->state = ST_BLOCK_HEADER;
      return 0;

    case ST_BLOCK_HEADER:
      {
        uint32_t last, type;

        TRY (bits (s, r, 1, &last));
        TRY (bits (s, r, 2, &type));
        if (type == 0)
          {
            uint32_t len, nlen;

            /* Stored: skip to a byte boundary, then LEN and its complement. */
            s->bits >>= s->nbits & 7;
            s->nbits -= s->nbits & 7;
            TRY (bits (s, r, 16, &len));
            TRY (bits (s, r, 16, &nlen));
            if ((len ^ 0xFFFF) != nlen)
              return BAD;
            s->stored_left = len;
            s->state = ST_STORED;
          }
        else if (type == 1)
          {
            fixed_tables (s);
            s->state = ST_CODES;
          }
        else if (type == 2)
          {
            TRY (dynamic_tables (s, r));
            s->state = ST_CODES;
          }
        else
          return BAD;
        s->last_block = (int) last;
        return 0;
      }

    case ST_STORED:
      if (s->stored_left == 0)
        {
          s->state = s->last_block ? ST_TRAILER : ST_BLOCK_HEADER;
          return 0;
        }
      TRY (bits (s, r, 8, &v));
      s->stored_left--;
      return put (s, (uint8_t) v, sink, ctx);

    case ST_CODES:
      {
        uint32_t sym, len, dist, extra;

        TRY (decode (s, r, &s->lit, &sym));
        if (sym < 256)
          return put (s, (uint8_t) sym, sink, ctx);
        if (sym == 256)
          {
            s->state = s->last_block ? ST_TRAILER : ST_BLOCK_HEADER;
            return 0;
          }
        sym -= 257;
        if (sym >= 29)
          return BAD;
        TRY (bits (s, r, len_extra[sym], &extra));
        len = len_base[sym] + extra;
        TRY (decode (s, r, &s->dist, &sym));
        if (sym >= 30)
          return BAD;
        TRY (bits (s, r, dist_extra[sym], &extra));
        dist = dist_base[sym] + extra;
        if (dist > s->total_out || dist > STUB_INFLATE_WINDOW)
          return BAD;
        while (len--)
          TRY (put (s, s->window[(s->wpos - dist) & (STUB_INFLATE_WINDOW - 1)], sink, ctx));
        return 0;
      }

    case ST_TRAILER:
      {
        uint32_t adler = 0;

        /* RFC 1950: the Adler-32 of the data, big-endian, after a byte boundary. */
        s->bits >>= s->nbits & 7;
        s->nbits -= s->nbits & 7;
        for (int i = 0; i < 4; i++)
          {
            TRY (bits (s, r, 8, &v));
            adler = adler << 8 | v;
          }
        TRY (flush (s, sink, ctx));
        if (adler != (s->adler_b << 16 | s->adler_a))
          return BAD;
        s->state = ST_DONE;
        return 0;
      }

    default:
      return BAD;
    }
}

void
stub_inflate_init (stub_inflate_t *s)
{
  s->state = ST_ZLIB_HEADER;
  s->last_block = 0;
  s->stored_left = 0;
  s->bits = s->nbits = 0;
  s->adler_a = 1;
  s->adler_b = 0;
  s->total_out = 0;
  s->wpos = s->flushed = 0;
  s->carry_len = 0;
  s->idle = 0;
}

uint32_t
stub_inflate_total_out (const stub_inflate_t *s)
{
  return s->total_out;
}

/* Keeps the unconsumed input from @from on for the next call. */
static int
keep_rest (stub_inflate_t *s, const Reader *r, uint32_t from)
{
  uint32_t n = r->total - from, k = 0;

  if (n > STUB_INFLATE_CARRY)
    return BAD;
  /* The carried part moves down first (from >= k always), then the new bytes follow. */
  for (uint32_t i = from; i < r->carry_len; i++)
    s->carry[k++] = s->carry[i];
  for (uint32_t i = from > r->carry_len ? from : r->carry_len; i < r->total; i++)
    s->carry[k++] = r->in[i - r->carry_len];
  s->carry_len = k;
  return 0;
}

int
stub_inflate_feed (stub_inflate_t      *s,
                   const uint8_t       *in,
                   uint32_t             len,
                   stub_inflate_sink_t  sink,
                   void                *ctx)
{
  Reader r = { s->carry, s->carry_len, in, s->carry_len + len, 0 };
  int e = 0;

  while (s->state != ST_DONE && s->state < ST_ERROR)
    {
      uint32_t pos = r.pos, bits_saved = s->bits, nbits_saved = s->nbits;

      e = step (s, &r, sink, ctx);
      if (e == UNDERFLOW)
        {
          /* Roll the unit back and keep its bytes. */
          r.pos = pos;
          s->bits = bits_saved;
          s->nbits = nbits_saved;
          if (keep_rest (s, &r, pos))
            s->state = ST_ERROR;
          break;
        }
      if (e == BAD)
        s->state = ST_ERROR;
      else if (e == SINK)
        s->state = ST_SINK_ERROR;
    }
  if (s->state == ST_DONE || e != UNDERFLOW)
    s->carry_len = 0;
  if (s->state < ST_DONE && flush (s, sink, ctx))
    s->state = ST_SINK_ERROR;

  switch (s->state)
    {
    case ST_DONE:
      return STUB_INFLATE_DONE;
    case ST_ERROR:
      return STUB_INFLATE_ERROR;
    case ST_SINK_ERROR:
      return STUB_INFLATE_SINK_ERROR;
    default:
      return STUB_INFLATE_MORE;
    }
}

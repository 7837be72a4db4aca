/* stub-inflate.h: a streaming zlib decoder (RFC 1950 + RFC 1951) for FLASH_DEFL_DATA
 *
 * The compressed stream arrives in DATA blocks cut at arbitrary bytes; the decoder takes each
 * block as it comes and keeps the few bytes of an unfinished unit (a code, a block header) for
 * the next one. Output goes through a 32 KiB window to a sink. No allocation, no libc.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef STUB_INFLATE_H
#define STUB_INFLATE_H

#include <stdint.h>

enum {
  STUB_INFLATE_MORE = 0,
  STUB_INFLATE_DONE = 1,
  STUB_INFLATE_ERROR = -1,
  STUB_INFLATE_SINK_ERROR = -2,
};

/* Receives output in order; nonzero aborts the stream. */
typedef int (*stub_inflate_sink_t) (void *ctx, const uint8_t *data, uint32_t len);

#define STUB_INFLATE_WINDOW 32768u
/* Room for the unconsumed bytes of one unfinished unit; the largest is a dynamic block header
 * (under 600 bytes even with every code length at its longest). */
#define STUB_INFLATE_CARRY  1024u
#define STUB_INFLATE_IDLE   512u

typedef struct {
  uint16_t count[16];    /* codes of each length */
  uint16_t symbol[288];  /* symbols ordered by code */
} stub_huffman_t;

typedef struct {
  int            state;
  int            last_block;
  uint32_t       stored_left;
  uint32_t       bits;        /* bit buffer, LSB first */
  uint32_t       nbits;
  uint32_t       adler_a, adler_b;
  uint32_t       total_out;
  uint32_t       wpos;        /* next write position in the window */
  uint32_t       flushed;     /* window[flushed..wpos) not given to the sink yet */
  uint32_t       carry_len;
  /* Optional, called with the sink's context every STUB_INFLATE_IDLE output bytes: lets a
   * machine that polls its UART drain the receive FIFO during a long block (NULL: never). */
  void         (*idle) (void *ctx);
  stub_huffman_t lit;
  stub_huffman_t dist;
  uint8_t        carry[STUB_INFLATE_CARRY];
  uint8_t        window[STUB_INFLATE_WINDOW];
} stub_inflate_t;

/* Resets @s for a new stream (idle becomes NULL). */
void     stub_inflate_init      (stub_inflate_t *s);
/* Consumes all of @in (any chunking). Every output byte it produces reaches @sink before it
 * returns. Returns MORE until the final block ended and the Adler-32 matched (DONE; later
 * bytes are ignored); ERROR on malformed data and SINK_ERROR when the sink refused, both
 * sticky. */
int      stub_inflate_feed      (stub_inflate_t *s, const uint8_t *in, uint32_t len,
                                 stub_inflate_sink_t sink, void *ctx);
uint32_t stub_inflate_total_out (const stub_inflate_t *s);

#endif /* STUB_INFLATE_H */

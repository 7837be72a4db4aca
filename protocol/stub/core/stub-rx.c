/* stub-rx.c: the receive ring between a UART interrupt and the core (stub-rx.h)
 *
 * Ring layout: frames one after another, each a 2-byte length (bit 15: bad) and the decoded
 * bytes; head moves past a frame only when its closing END arrived, so the reader never sees
 * half a frame. Indices wrap by comparison: the lx106 has no divider.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-rx.h"

#define END     0xC0
#define ESC     0xDB
#define ESC_END 0xDC
#define ESC_ESC 0xDD

#define BAD_FLAG 0x8000u

/* the writer's states */
enum { RX_OUTSIDE, RX_INSIDE, RX_ESCAPED };
/* the reader's states */
enum { OUT_BETWEEN, OUT_INSIDE };

/* Orders the buffer's stores and loads against head and tail (one core and its interrupt:
 * a compiler barrier is enough). */
#define BARRIER() __asm__ volatile ("" ::: "memory")

static uint32_t
advance (uint32_t i)
{
  return i + 1 == STUB_RX_RING ? 0 : i + 1;
}

void
stub_rx_init (stub_rx_t *r)
{
  r->head = r->tail = r->wpos = r->frame_start = 0;
  r->state = RX_OUTSIDE;
  r->reserved = r->bad = 0;
  r->out_left = 0;
  r->out_state = OUT_BETWEEN;
  r->out_bad = 0;
  r->out_pending = -1;
}

/* Stores one byte of the frame; a full ring marks the frame bad instead. */
static int
put (stub_rx_t *r, uint8_t b)
{
  uint32_t next = advance (r->wpos);

  if (next == r->tail)
    {
      r->bad = 1;
      return -1;
    }
  r->buf[r->wpos] = b;
  r->wpos = next;
  return 0;
}

static void
begin_frame (stub_rx_t *r)
{
  r->state = RX_INSIDE;
  r->bad = 0;
  r->wpos = r->frame_start = r->head;
  /* the length, filled in at the end; no room for it: the frame is dropped */
  r->reserved = put (r, 0) == 0 && put (r, 0) == 0;
  if (!r->reserved)
    r->wpos = r->head;
}

static uint32_t
stored (const stub_rx_t *r)
{
  uint32_t first = r->frame_start + 2 >= STUB_RX_RING ? r->frame_start + 2 - STUB_RX_RING
                                                      : r->frame_start + 2;

  return r->wpos >= first ? r->wpos - first : r->wpos + STUB_RX_RING - first;
}

static void
end_frame (stub_rx_t *r)
{
  uint32_t len = stored (r);

  if (r->reserved)
    {
      len |= r->bad ? BAD_FLAG : 0;
      r->buf[r->frame_start] = (uint8_t) len;
      r->buf[advance (r->frame_start)] = (uint8_t) (len >> 8);
      BARRIER ();
      r->head = r->wpos;
    }
  r->state = RX_OUTSIDE;
}

void
stub_rx_push (stub_rx_t *r, uint8_t c)
{
  switch (r->state)
    {
    case RX_OUTSIDE:
      /* §1: bytes between frames are noise */
      if (c == END)
        begin_frame (r);
      return;

    case RX_INSIDE:
      if (c == END)
        {
          /* back-to-back END bytes: the frame has not started yet */
          if (r->reserved && stored (r) == 0 && !r->bad)
            return;
          end_frame (r);
        }
      else if (c == ESC)
        r->state = RX_ESCAPED;
      else if (r->reserved)
        put (r, c);
      return;

    default:
      r->state = RX_INSIDE;
      if (c == ESC_END || c == ESC_ESC)
        {
          if (r->reserved)
            put (r, c == ESC_END ? END : ESC);
          return;
        }
      /* §1: DB must be followed by DC or DD */
      r->bad = 1;
      if (c == END)
        end_frame (r);
      return;
    }
}

int
stub_rx_pop (stub_rx_t *r)
{
  uint8_t b;

  if (r->out_pending >= 0)
    {
      int p = r->out_pending;

      r->out_pending = -1;
      return p;
    }
  if (r->out_state == OUT_BETWEEN)
    {
      uint32_t t = r->tail, len;

      if (t == r->head)
        return -1;
      BARRIER ();
      len = r->buf[t];
      t = advance (t);
      len |= (uint32_t) r->buf[t] << 8;
      r->tail = advance (t);
      r->out_bad = (len & BAD_FLAG) != 0;
      r->out_left = len & ~BAD_FLAG;
      r->out_state = OUT_INSIDE;
      return END;
    }
  if (r->out_left == 0)
    {
      if (r->out_bad)
        {
          /* a bad escape, so that the core refuses the frame as a bad one */
          r->out_bad = 0;
          r->out_pending = 0x00;
          return ESC;
        }
      r->out_state = OUT_BETWEEN;
      return END;
    }
  b = r->buf[r->tail];
  r->tail = advance (r->tail);
  r->out_left--;
  if (b == END || b == ESC)
    {
      r->out_pending = b == END ? ESC_END : ESC_ESC;
      return ESC;
    }
  return b;
}

/* stub-rx.h: the receive ring between a UART interrupt and the core
 *
 * The interrupt decodes SLIP as the bytes arrive (protocol-facts §1) and keeps only whole
 * decoded frames, each behind a 2-byte length, so that a 16 KiB block made entirely of 0xC0
 * or 0xDB bytes (32 KiB on the wire) takes 16 KiB of ring, not 32: the ring holds the next
 * block while the core still erases and writes the previous one (§6: DATA is acknowledged
 * before it is written). The core's side hands the bytes out SLIP-encoded again, so the core
 * reads the wire format it always read (esprit_stub_hal_t.rx_byte).
 *
 * One writer (the interrupt: stub_rx_push) and one reader (the core: stub_rx_pop); no locks.
 * Freestanding C, built for the chips and for the host's tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef STUB_RX_H
#define STUB_RX_H

#include <stdint.h>

/* One whole request (8 + 16 + 16 KiB, STUB_FRAME_MAX) with its length, and 230 bytes more:
 * the host sends nothing after a DATA block until it is acknowledged, and the small frames of
 * a read (acknowledgements, 6 bytes each here) come without a block in the ring. */
#define STUB_RX_RING 16640u

typedef struct {
  uint8_t           buf[STUB_RX_RING];
  volatile uint32_t head;          /* end of the published frames (written by the interrupt) */
  volatile uint32_t tail;          /* what the reader took (written by the reader) */

  /* the interrupt's side */
  uint32_t wpos;                   /* where the next decoded byte goes */
  uint32_t frame_start;            /* where this frame's length goes */
  uint8_t  state;                  /* outside a frame, inside, inside after DB */
  uint8_t  reserved;               /* this frame's 2 length bytes are reserved */
  uint8_t  bad;                    /* bad escape or no room: hand the frame out as bad */

  /* the reader's side */
  uint32_t out_left;               /* bytes of the current frame not yet handed out */
  uint8_t  out_state;
  uint8_t  out_bad;
  int16_t  out_pending;            /* second byte of an escape, or -1 */
} stub_rx_t;

void stub_rx_init (stub_rx_t *r);
/* From the interrupt: one byte off the wire. */
void stub_rx_push (stub_rx_t *r, uint8_t c);
/* From the core: the next wire byte (0..255) of the frames received, SLIP-encoded (a bad
 * frame carries a bad escape, so that the core refuses it), or -1 when none is there yet. */
int  stub_rx_pop  (stub_rx_t *r);

#endif /* STUB_RX_H */

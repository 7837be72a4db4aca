/* stub-io.c: SLIP frames in and out, and the replies with their status bytes [error, 0]
 * (protocol-facts §1)
 *
 * Freestanding: no libc, no static state (all of it is in hal->state).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-internal.h"

/* ---- SLIP out ------------------------------------------------------------------------ */

void
stub_tx_flush_buffer (Hal *hal)
{
  esprit_stub_state_t *st = hal->state;

  if (st->tx_len)
    hal->tx (hal->ctx, st->tx, st->tx_len);
  st->tx_len = 0;
}

void
stub_tx_raw (Hal *hal, uint8_t b)
{
  esprit_stub_state_t *st = hal->state;

  if (st->tx_len == STUB_TX_BUF)
    stub_tx_flush_buffer (hal);
  st->tx[st->tx_len++] = b;
}

void
stub_tx_escaped (Hal *hal, const uint8_t *data, uint32_t len)
{
  for (uint32_t i = 0; i < len; i++)
    {
      if (data[i] == SLIP_END)
        {
          stub_tx_raw (hal, SLIP_ESC);
          stub_tx_raw (hal, SLIP_ESC_END);
        }
      else if (data[i] == SLIP_ESC)
        {
          stub_tx_raw (hal, SLIP_ESC);
          stub_tx_raw (hal, SLIP_ESC_ESC);
        }
      else
        stub_tx_raw (hal, data[i]);
    }
}

void
stub_send_frame (Hal *hal, const uint8_t *data, uint32_t len)
{
  stub_tx_raw (hal, SLIP_END);
  stub_tx_escaped (hal, data, len);
  stub_tx_raw (hal, SLIP_END);
  stub_tx_flush_buffer (hal);
}

void
stub_reply (Hal *hal, uint8_t op, uint32_t value, const uint8_t *payload, uint32_t len, uint8_t error)
{
  uint8_t header[8];
  /* §1: the common stubs' order, error first; the second byte stays 0. */
  uint8_t status[2] = { error, 0 };

  header[0] = 0x01;
  header[1] = op;
  header[2] = (uint8_t) (len + 2);
  header[3] = (uint8_t) ((len + 2) >> 8);
  put_le32 (header + 4, value);
  stub_tx_raw (hal, SLIP_END);
  stub_tx_escaped (hal, header, 8);
  stub_tx_escaped (hal, payload, len);
  stub_tx_escaped (hal, status, 2);
  stub_tx_raw (hal, SLIP_END);
  stub_tx_flush_buffer (hal);
}

void
stub_status (Hal *hal, uint8_t op, uint8_t error)
{
  stub_reply (hal, op, 0, 0, 0, error);
}

/* ---- SLIP in ------------------------------------------------------------------------- */

/* Reads the next frame into st->frame (noise between frames skipped, §1). Returns 0, or -1
 * when the link is gone. An overlong frame or a bad escape sets frame_overflow. */
int
stub_read_frame (Hal *hal)
{
  esprit_stub_state_t *st = hal->state;
  int in_frame = 0, escaped = 0;

  for (;;)
    {
      int c = hal->rx_byte (hal->ctx);

      if (c < 0)
        {
          st->link_gone = 1;
          return -1;
        }
      if (!in_frame)
        {
          if (c == SLIP_END)
            {
              in_frame = 1;
              st->frame_len = 0;
              st->frame_overflow = 0;
            }
          continue;
        }
      if (c == SLIP_END)
        {
          if (st->frame_len == 0 && !st->frame_overflow)
            continue;   /* back-to-back END bytes: still waiting for the frame to start */
          return 0;
        }
      if (escaped)
        {
          escaped = 0;
          if (c == SLIP_ESC_END)
            c = SLIP_END;
          else if (c == SLIP_ESC_ESC)
            c = SLIP_ESC;
          else
            st->frame_overflow = 1;   /* §1: DB must be followed by DC or DD */
        }
      else if (c == SLIP_ESC)
        {
          escaped = 1;
          continue;
        }
      if (st->frame_len < STUB_FRAME_MAX)
        st->frame[st->frame_len++] = (uint8_t) c;
      else
        st->frame_overflow = 1;
    }
}

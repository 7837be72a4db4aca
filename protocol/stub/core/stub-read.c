/* stub-read.c: SPI_FLASH_MD5, READ_FLASH with its flow control, and Esprit's packed read
 * (protocol-facts §2 "Stub READ_FLASH")
 *
 * Freestanding: no libc, no static state (all of it is in hal->state).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-internal.h"

/* ---- hashing and reading ------------------------------------------------------------- */

/* Hashes @n bytes in pieces, letting a polling HAL serve its UART between them (4 KiB take
 * about 2 ms on a 40 MHz core, longer than the 128-byte FIFOs last at 921600). */
#define MD5_PIECE 1024u

static void
md5_update_polled (Hal *hal, const uint8_t *data, uint32_t n)
{
  esprit_stub_state_t *st = hal->state;

  while (n)
    {
      uint32_t k = n < MD5_PIECE ? n : MD5_PIECE;

      stub_md5_update (&st->md5, data, k);
      if (hal->poll)
        hal->poll (hal->ctx);
      data += k;
      n -= k;
    }
}

/* Hashes [addr, addr+len) into st->md5; reads in STUB_READ_BUF pieces. */
static uint8_t
md5_region (Hal *hal, uint32_t addr, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;

  stub_md5_init (&st->md5);
  while (len)
    {
      uint32_t n = len < STUB_READ_BUF ? len : STUB_READ_BUF;

      if (hal->flash_read (hal->ctx, addr, st->u.read.raw, (n + 3) & ~3u))
        return STUB_ERR_SPI_OP;
      if (hal->work)
        hal->work (hal->ctx, ESPRIT_STUB_WORK_MD5, n);
      md5_update_polled (hal, st->u.read.raw, n);
      addr += n;
      len -= n;
    }
  return STUB_OK;
}

void
stub_handle_md5 (Hal *hal, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint8_t digest[16];
  uint32_t addr, size;
  uint8_t err;

  if (len != 16)
    {
      stub_status (hal, STUB_OP_SPI_FLASH_MD5, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  addr = le32 (data);
  size = le32 (data + 4);
  if (addr > st->flash_size || size > st->flash_size - addr || addr % 4)
    {
      stub_status (hal, STUB_OP_SPI_FLASH_MD5, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  if ((err = md5_region (hal, addr, size)) != STUB_OK)
    {
      stub_status (hal, STUB_OP_SPI_FLASH_MD5, err);
      return;
    }
  stub_md5_final (&st->md5, digest);
  /* §2: the stub answers with 16 raw bytes. */
  stub_reply (hal, STUB_OP_SPI_FLASH_MD5, 0, digest, 16, STUB_OK);
}

/* Waits for acknowledgements until at most @outstanding bytes are unacknowledged. Acks are u32
 * running totals (§2 "Stub READ_FLASH"); STUB_READ_ABORT ends the read. Returns 0, -1 when
 * the link is gone, -2 when the host abandoned the read. */
static int
wait_acks (Hal *hal, uint32_t outstanding)
{
  esprit_stub_state_t *st = hal->state;

  while (st->stream_sent - st->stream_acked > outstanding)
    {
      if (stub_read_frame (hal) < 0)
        return -1;
      if (st->frame_len == 4 && !st->frame_overflow)
        {
          uint32_t total = le32 (st->frame);

          if (total == STUB_READ_ABORT)
            return -2;
          if (total <= st->stream_sent && total > st->stream_acked)
            st->stream_acked = total;
        }
    }
  return 0;
}

/* Appends @len bytes to the stream, cut into frames of packet_size; never more than
 * max_unacked frames ahead of the acknowledgements. Returns wait_acks' failures. */
static int
stream_put (Hal *hal, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;

  while (len)
    {
      uint32_t n;
      int r;

      if (st->packet_fill == 0)
        {
          if ((r = wait_acks (hal, (st->max_unacked - 1) * st->packet_size)) < 0)
            return r;
          stub_tx_raw (hal, SLIP_END);
        }
      n = st->packet_size - st->packet_fill;
      if (n > len)
        n = len;
      stub_tx_escaped (hal, data, n);
      st->packet_fill += n;
      st->stream_sent += n;
      data += n;
      len -= n;
      if (st->packet_fill == st->packet_size)
        {
          stub_tx_raw (hal, SLIP_END);
          stub_tx_flush_buffer (hal);
          st->packet_fill = 0;
        }
    }
  return 0;
}

/* READ_FLASH (0xD2) and the packed read (0xE1): same request, same flow control, the MD5 of
 * the raw bytes at the end. Returns -1 when the link is gone. */
int
stub_handle_read (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t addr, size, done = 0;
  uint8_t digest[16];
  int r;

  if (len != 16)
    {
      stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return 0;
    }
  addr = le32 (data);
  size = le32 (data + 4);
  st->packet_size = le32 (data + 8);
  st->max_unacked = le32 (data + 12);
  if (addr > st->flash_size || size > st->flash_size - addr || addr % 4 ||
      st->packet_size == 0 || st->packet_size > STUB_BLOCK_MAX || st->max_unacked == 0)
    {
      stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return 0;
    }
  if (st->max_unacked > 256)
    st->max_unacked = 256;   /* fewer frames in flight is always safe */
  stub_status (hal, op, STUB_OK);

  st->stream_sent = st->stream_acked = st->packet_fill = 0;
  st->u.read.pack.idle = hal->poll;
  st->u.read.pack.idle_ctx = hal->ctx;
  stub_md5_init (&st->md5);
  while (done < size)
    {
      uint32_t n = size - done < STUB_READ_BUF ? size - done : STUB_READ_BUF;
      const uint8_t *out = st->u.read.raw;
      uint32_t out_len = n;

      if (hal->flash_read (hal->ctx, addr + done, st->u.read.raw, (n + 3) & ~3u))
        {
          /* The host sees a short frame and no digest: it reports the failure. */
          if (st->packet_fill)
            {
              stub_tx_raw (hal, SLIP_END);
              stub_tx_flush_buffer (hal);
            }
          return 0;
        }
      if (hal->work)
        hal->work (hal->ctx, ESPRIT_STUB_WORK_MD5, n);
      md5_update_polled (hal, st->u.read.raw, n);
      if (op == STUB_OP_ESPRIT_READ_PACKED)
        {
          out_len = stub_pack_record (&st->u.read.pack, st->u.read.raw, n, st->u.read.record);
          out = st->u.read.record;
          if (hal->work)
            hal->work (hal->ctx, out[0] == STUB_PACK_ERASED ? ESPRIT_STUB_WORK_SCAN
                                                            : ESPRIT_STUB_WORK_PACK, n);
        }
      if ((r = stream_put (hal, out, out_len)) < 0)
        return r == -1 ? -1 : 0;
      done += n;
    }
  if (st->packet_fill)
    {
      stub_tx_raw (hal, SLIP_END);
      stub_tx_flush_buffer (hal);
      st->packet_fill = 0;
    }
  if ((r = wait_acks (hal, 0)) < 0)
    return r == -1 ? -1 : 0;
  stub_md5_final (&st->md5, digest);
  stub_send_frame (hal, digest, 16);
  return 0;
}

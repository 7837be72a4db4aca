/* stub-main.c: the stub core: SLIP, command dispatch and the flash commands
 *
 * Protocol from protocol-facts §1, §2 and §6: requests and replies are SLIP frames; a reply
 * echoes the opcode and ends with 2 status bytes [error, 0] as the common stubs send them
 * (error first, 0 on success; a ROM sends [failed, error]); DATA blocks are acknowledged
 * before they are written, so END is the completion barrier.
 *
 * Freestanding: no libc, no static state (all of it is in hal->state).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-core.h"

#define SLIP_END     0xC0
#define SLIP_ESC     0xDB
#define SLIP_ESC_END 0xDC
#define SLIP_ESC_ESC 0xDD

typedef const esprit_stub_hal_t Hal;

static uint32_t
le32 (const uint8_t *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static void
put_le32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) v;
  p[1] = (uint8_t) (v >> 8);
  p[2] = (uint8_t) (v >> 16);
  p[3] = (uint8_t) (v >> 24);
}

/* ---- SLIP out ------------------------------------------------------------------------ */

static void
tx_flush_buffer (Hal *hal)
{
  esprit_stub_state_t *st = hal->state;

  if (st->tx_len)
    hal->tx (hal->ctx, st->tx, st->tx_len);
  st->tx_len = 0;
}

static void
tx_raw (Hal *hal, uint8_t b)
{
  esprit_stub_state_t *st = hal->state;

  if (st->tx_len == STUB_TX_BUF)
    tx_flush_buffer (hal);
  st->tx[st->tx_len++] = b;
}

static void
tx_escaped (Hal *hal, const uint8_t *data, uint32_t len)
{
  for (uint32_t i = 0; i < len; i++)
    {
      if (data[i] == SLIP_END)
        {
          tx_raw (hal, SLIP_ESC);
          tx_raw (hal, SLIP_ESC_END);
        }
      else if (data[i] == SLIP_ESC)
        {
          tx_raw (hal, SLIP_ESC);
          tx_raw (hal, SLIP_ESC_ESC);
        }
      else
        tx_raw (hal, data[i]);
    }
}

static void
send_frame (Hal *hal, const uint8_t *data, uint32_t len)
{
  tx_raw (hal, SLIP_END);
  tx_escaped (hal, data, len);
  tx_raw (hal, SLIP_END);
  tx_flush_buffer (hal);
}

static void
reply (Hal *hal, uint8_t op, uint32_t value, const uint8_t *payload, uint32_t len, uint8_t error)
{
  uint8_t header[8];
  /* §1: the common stubs' order, error first; the second byte stays 0. */
  uint8_t status[2] = { error, 0 };

  header[0] = 0x01;
  header[1] = op;
  header[2] = (uint8_t) (len + 2);
  header[3] = (uint8_t) ((len + 2) >> 8);
  put_le32 (header + 4, value);
  tx_raw (hal, SLIP_END);
  tx_escaped (hal, header, 8);
  tx_escaped (hal, payload, len);
  tx_escaped (hal, status, 2);
  tx_raw (hal, SLIP_END);
  tx_flush_buffer (hal);
}

static void
status (Hal *hal, uint8_t op, uint8_t error)
{
  reply (hal, op, 0, 0, 0, error);
}

/* ---- SLIP in ------------------------------------------------------------------------- */

/* Reads the next frame into st->frame (noise between frames skipped, §1). Returns 0, or -1
 * when the link is gone. An overlong frame or a bad escape sets frame_overflow. */
static int
read_frame (Hal *hal)
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

/* ---- flash writing ------------------------------------------------------------------- */

/* Lazy erase (§6): erase ahead of @end in 64 KiB blocks where aligned and at least a block of
 * the announced write remains, otherwise in 4 KiB sectors. */
static uint8_t
erase_ahead (Hal *hal, uint32_t end)
{
  esprit_stub_state_t *st = hal->state;

  while (st->erased_to < end)
    {
      if (st->erased_to % STUB_BLOCK == 0 && st->write_end - st->erased_to >= STUB_BLOCK)
        {
          if (hal->flash_erase_block (hal->ctx, st->erased_to / STUB_BLOCK))
            return STUB_ERR_SPI_OP;
          st->erased_to += STUB_BLOCK;
        }
      else
        {
          if (hal->flash_erase_sector (hal->ctx, st->erased_to / STUB_SECTOR))
            return STUB_ERR_SPI_OP;
          st->erased_to += STUB_SECTOR;
        }
    }
  return STUB_OK;
}

/* Writes @len bytes at write_addr. The HAL (the ROM's SPIWrite) takes whole words from a
 * word-aligned buffer: a write that starts inside a word (an odd FLASH_BEGIN offset, or a
 * DATA block of odd length before this one), comes from an unaligned buffer or ends inside
 * a word goes through an aligned bounce buffer padded with 0xFF, which leaves flash as it is
 * (programming only clears bits). */
static uint8_t
write_bytes (Hal *hal, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint8_t err;

  if (len > st->write_end - st->write_addr)
    return STUB_ERR_TOO_MUCH;
  if ((err = erase_ahead (hal, st->write_addr + len)) != STUB_OK)
    return err;
  while (len)
    {
      uint32_t head = st->write_addr & 3u, n;

      if (head == 0 && len >= 4 && ((uintptr_t) data & 3u) == 0)
        {
          n = len & ~3u;
          if (hal->flash_write (hal->ctx, st->write_addr, data, n))
            return STUB_ERR_SPI_OP;
        }
      else
        {
          uint8_t bounce[64] STUB_ALIGNED;
          uint32_t words;

          n = len < sizeof bounce - head ? len : sizeof bounce - head;
          words = (head + n + 3) & ~3u;
          for (uint32_t i = 0; i < words; i++)
            bounce[i] = i >= head && i < head + n ? data[i - head] : 0xFF;
          if (hal->flash_write (hal->ctx, st->write_addr - head, bounce, words))
            return STUB_ERR_SPI_OP;
        }
      st->write_addr += n;
      data += n;
      len -= n;
    }
  return STUB_OK;
}

static int
stage_flush (Hal *hal)
{
  esprit_stub_state_t *st = hal->state;
  uint8_t err = write_bytes (hal, st->stage, st->stage_len);

  st->stage_len = 0;
  if (err != STUB_OK && st->deferred_error == STUB_OK)
    st->deferred_error = err;
  return err != STUB_OK;
}

/* Inflate's output: gathered into 4-byte multiples before it reaches the flash. */
static int
inflate_sink (void *ctx, const uint8_t *data, uint32_t len)
{
  Hal *hal = ctx;
  esprit_stub_state_t *st = hal->state;

  if (hal->work)
    hal->work (hal->ctx, ESPRIT_STUB_WORK_INFLATE, len);
  if (len > st->write_end - st->write_addr - st->stage_len)
    {
      st->deferred_error = STUB_ERR_TOO_MUCH;
      return 1;
    }
  while (len)
    {
      uint32_t n = STUB_STAGE - st->stage_len;

      if (n > len)
        n = len;
      for (uint32_t i = 0; i < n; i++)
        st->stage[st->stage_len + i] = data[i];
      st->stage_len += n;
      data += n;
      len -= n;
      if (st->stage_len == STUB_STAGE && stage_flush (hal))
        return 1;
    }
  return 0;
}

static void
inflate_idle (void *ctx)
{
  Hal *hal = ctx;

  hal->poll (hal->ctx);
}

static void
handle_begin (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t size, block_size, offset;

  /* §2: 16 bytes, or 20 with the encrypted-write word (always 0 on the ESP8266). */
  if (len != 16 && len != 20)
    {
      status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  size = le32 (data);
  block_size = le32 (data + 8);
  offset = le32 (data + 12);
  if (block_size == 0 || block_size > STUB_BLOCK_MAX)
    {
      status (hal, op, STUB_ERR_BAD_BLOCKSIZE);
      return;
    }
  if (offset > st->flash_size || size > st->flash_size - offset)
    {
      status (hal, op, STUB_ERR_TOO_MUCH);
      return;
    }
  if (hal->flash_unlock && hal->flash_unlock (hal->ctx))
    {
      status (hal, op, STUB_ERR_SPI_UNLOCK);
      return;
    }
  st->flashing = 1;
  st->deflating = op == STUB_OP_FLASH_DEFL_BEGIN;
  st->deferred_error = STUB_OK;
  st->write_addr = offset;
  st->write_end = offset + size;
  st->erased_to = offset - offset % STUB_SECTOR;
  st->next_seq = 0;
  st->stage_len = 0;
  if (st->deflating)
    {
      stub_inflate_init (&st->u.inflate);
      if (hal->poll)
        st->u.inflate.idle = inflate_idle;
    }
  /* §6: the stub erases lazily, while the data arrives. */
  status (hal, op, STUB_OK);
}

static void
handle_data (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len, uint32_t checksum)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t dlen, seq;
  uint8_t sum = 0xEF;

  if (len < STUB_DATA_HEADER || (dlen = le32 (data)) != len - STUB_DATA_HEADER)
    {
      status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  for (uint32_t i = STUB_DATA_HEADER; i < len; i++)
    sum ^= data[i];
  if (sum != checksum)
    {
      status (hal, op, STUB_ERR_BAD_CHECKSUM);
      return;
    }
  if (!st->flashing || st->deflating != (op == STUB_OP_FLASH_DEFL_DATA))
    {
      status (hal, op, STUB_ERR_NOT_FLASHING);
      return;
    }
  seq = le32 (data + 4);
  if (st->next_seq > 0 && seq == st->next_seq - 1 && st->deferred_error == STUB_OK)
    {
      /* The host resends a block whose acknowledgement it lost: it is already written. */
      status (hal, op, STUB_OK);
      return;
    }
  if (seq != st->next_seq)
    {
      status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  if (st->deferred_error != STUB_OK)
    {
      status (hal, op, st->deferred_error);
      return;
    }
  st->next_seq++;

  /* §6: acknowledge first, then write: the host sends the next block meanwhile. */
  status (hal, op, STUB_OK);
  data += STUB_DATA_HEADER;
  if (st->deflating)
    {
      int r = stub_inflate_feed (&st->u.inflate, data, dlen, inflate_sink, (void *) hal);

      if (r == STUB_INFLATE_ERROR && st->deferred_error == STUB_OK)
        st->deferred_error = STUB_ERR_INFLATE;
      else if (r == STUB_INFLATE_DONE && st->stage_len)
        stage_flush (hal);
    }
  else
    {
      /* The host pads the last block with 0xFF (§2); only the announced size is written. */
      uint32_t n = st->write_end - st->write_addr;
      uint8_t err;

      if (n > dlen)
        n = dlen;
      if ((err = write_bytes (hal, data, n)) != STUB_OK)
        st->deferred_error = err;
    }
}

/* FLASH_END / FLASH_DEFL_END: returns nonzero when the core must leave (reboot). */
static int
handle_end (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint8_t err = STUB_OK;
  uint32_t flag;

  if (len != 4)
    {
      status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return 0;
    }
  flag = le32 (data);
  if (!st->flashing)
    err = STUB_ERR_NOT_FLASHING;
  else
    {
      if (st->stage_len)
        stage_flush (hal);
      if (st->deferred_error != STUB_OK)
        err = st->deferred_error;
      else if (st->write_addr != st->write_end)
        err = STUB_ERR_NOT_ENOUGH;
    }
  st->flashing = 0;
  status (hal, op, err);
  if (flag == 0 && hal->reboot)
    {
      hal->tx_flush (hal->ctx);
      hal->reboot (hal->ctx);
      return 1;
    }
  return 0;
}

/* ---- RAM programs (MEM_*) ------------------------------------------------------------ */

/* MEM_BEGIN: total size, number of blocks, block size, load address (§2). */
static void
handle_mem_begin (Hal *hal, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t size, addr;

  if (len != 16)
    {
      status (hal, STUB_OP_MEM_BEGIN, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  size = le32 (data);
  addr = le32 (data + 12);
  /* Word stores only; and never over the stub itself, which the common stubs allow. */
  if (addr % 4 || (hal->ram_check && hal->ram_check (hal->ctx, addr, size)))
    {
      st->mem_active = 0;
      status (hal, STUB_OP_MEM_BEGIN, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  st->mem_active = 1;
  st->mem_addr = addr;
  st->mem_remaining = size;
  st->mem_next_seq = 0;
  status (hal, STUB_OP_MEM_BEGIN, STUB_OK);
}

/* MEM_DATA: the FLASH_DATA layout (§2), written in order as it arrives. */
static void
handle_mem_data (Hal *hal, const uint8_t *data, uint32_t len, uint32_t checksum)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t dlen, seq;
  uint8_t sum = 0xEF;

  if (len < STUB_DATA_HEADER || (dlen = le32 (data)) != len - STUB_DATA_HEADER)
    {
      status (hal, STUB_OP_MEM_DATA, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  for (uint32_t i = STUB_DATA_HEADER; i < len; i++)
    sum ^= data[i];
  if (sum != checksum)
    {
      status (hal, STUB_OP_MEM_DATA, STUB_ERR_BAD_CHECKSUM);
      return;
    }
  if (!st->mem_active)
    {
      status (hal, STUB_OP_MEM_DATA, STUB_ERR_NOT_FLASHING);
      return;
    }
  seq = le32 (data + 4);
  if (st->mem_next_seq > 0 && seq == st->mem_next_seq - 1)
    {
      status (hal, STUB_OP_MEM_DATA, STUB_OK);   /* a resent block: already in place */
      return;
    }
  if (seq != st->mem_next_seq || dlen % 4)
    {
      status (hal, STUB_OP_MEM_DATA, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  if (dlen > st->mem_remaining)
    {
      status (hal, STUB_OP_MEM_DATA, STUB_ERR_TOO_MUCH);
      return;
    }
  hal->ram_write (hal->ctx, st->mem_addr, data + STUB_DATA_HEADER, dlen);
  st->mem_addr += dlen;
  st->mem_remaining -= dlen;
  st->mem_next_seq++;
  status (hal, STUB_OP_MEM_DATA, STUB_OK);
}

/* MEM_END: flag (0 = jump), entry. Returns nonzero when the core must return. */
static int
handle_mem_end (Hal *hal, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t flag, entry;
  uint8_t err = STUB_OK;

  if (len != 8)
    {
      status (hal, STUB_OP_MEM_END, STUB_ERR_BAD_DATA_LEN);
      return 0;
    }
  flag = le32 (data);
  entry = le32 (data + 4);
  if (!st->mem_active)
    err = STUB_ERR_NOT_FLASHING;
  else if (st->mem_remaining)
    err = STUB_ERR_NOT_ENOUGH;
  st->mem_active = 0;
  status (hal, STUB_OP_MEM_END, err);
  /* §2: flag 0 means "jump to entry" (esptool sends 1 when there is no entry). */
  if (err != STUB_OK || flag != 0 || entry == 0 || hal->ram_run == 0)
    return 0;
  hal->tx_flush (hal->ctx);
  return hal->ram_run (hal->ctx, entry);
}

/* ---- hashing and reading ------------------------------------------------------------- */

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
      stub_md5_update (&st->md5, st->u.read.raw, n);
      addr += n;
      len -= n;
    }
  return STUB_OK;
}

static void
handle_md5 (Hal *hal, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint8_t digest[16];
  uint32_t addr, size;
  uint8_t err;

  if (len != 16)
    {
      status (hal, STUB_OP_SPI_FLASH_MD5, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  addr = le32 (data);
  size = le32 (data + 4);
  if (addr > st->flash_size || size > st->flash_size - addr || addr % 4)
    {
      status (hal, STUB_OP_SPI_FLASH_MD5, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  if ((err = md5_region (hal, addr, size)) != STUB_OK)
    {
      status (hal, STUB_OP_SPI_FLASH_MD5, err);
      return;
    }
  stub_md5_final (&st->md5, digest);
  /* §2: the stub answers with 16 raw bytes. */
  reply (hal, STUB_OP_SPI_FLASH_MD5, 0, digest, 16, STUB_OK);
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
      if (read_frame (hal) < 0)
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
          tx_raw (hal, SLIP_END);
        }
      n = st->packet_size - st->packet_fill;
      if (n > len)
        n = len;
      tx_escaped (hal, data, n);
      st->packet_fill += n;
      st->stream_sent += n;
      data += n;
      len -= n;
      if (st->packet_fill == st->packet_size)
        {
          tx_raw (hal, SLIP_END);
          tx_flush_buffer (hal);
          st->packet_fill = 0;
        }
    }
  return 0;
}

/* READ_FLASH (0xD2) and the packed read (0xE1): same request, same flow control, the MD5 of
 * the raw bytes at the end. Returns -1 when the link is gone. */
static int
handle_read (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t addr, size, done = 0;
  uint8_t digest[16];
  int r;

  if (len != 16)
    {
      status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return 0;
    }
  addr = le32 (data);
  size = le32 (data + 4);
  st->packet_size = le32 (data + 8);
  st->max_unacked = le32 (data + 12);
  if (addr > st->flash_size || size > st->flash_size - addr || addr % 4 ||
      st->packet_size == 0 || st->packet_size > STUB_BLOCK_MAX || st->max_unacked == 0)
    {
      status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return 0;
    }
  if (st->max_unacked > 256)
    st->max_unacked = 256;   /* fewer frames in flight is always safe */
  status (hal, op, STUB_OK);

  st->stream_sent = st->stream_acked = st->packet_fill = 0;
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
              tx_raw (hal, SLIP_END);
              tx_flush_buffer (hal);
            }
          return 0;
        }
      if (hal->work)
        hal->work (hal->ctx, ESPRIT_STUB_WORK_MD5, n);
      stub_md5_update (&st->md5, st->u.read.raw, n);
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
      tx_raw (hal, SLIP_END);
      tx_flush_buffer (hal);
      st->packet_fill = 0;
    }
  if ((r = wait_acks (hal, 0)) < 0)
    return r == -1 ? -1 : 0;
  stub_md5_final (&st->md5, digest);
  send_frame (hal, digest, 16);
  return 0;
}

/* ---- erase --------------------------------------------------------------------------- */

static uint8_t
erase_region (Hal *hal, uint32_t addr, uint32_t size)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t end = addr + size;

  if (addr % STUB_SECTOR || size % STUB_SECTOR || addr > st->flash_size ||
      size > st->flash_size - addr)
    return STUB_ERR_BAD_DATA_LEN;
  if (hal->flash_unlock && hal->flash_unlock (hal->ctx))
    return STUB_ERR_SPI_UNLOCK;
  while (addr < end)
    {
      if (addr % STUB_BLOCK == 0 && end - addr >= STUB_BLOCK)
        {
          if (hal->flash_erase_block (hal->ctx, addr / STUB_BLOCK))
            return STUB_ERR_SPI_OP;
          addr += STUB_BLOCK;
        }
      else
        {
          if (hal->flash_erase_sector (hal->ctx, addr / STUB_SECTOR))
            return STUB_ERR_SPI_OP;
          addr += STUB_SECTOR;
        }
    }
  return STUB_OK;
}

/* ---- dispatch ------------------------------------------------------------------------ */

/* Serves one request; returns nonzero when the core must return (link gone, user code,
 * reboot). */
static int
dispatch (Hal *hal)
{
  esprit_stub_state_t *st = hal->state;
  const uint8_t *data = st->frame + 8;
  uint32_t len, value;
  uint8_t op;

  if (st->frame_len < 8 || st->frame[0] != 0x00)
    return 0;   /* not a request (§1): ignore it as the ROM does */
  op = st->frame[1];
  len = (uint32_t) st->frame[2] | (uint32_t) st->frame[3] << 8;
  if (st->frame_overflow || len != st->frame_len - 8)
    {
      status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return 0;
    }

  switch (op)
    {
    case STUB_OP_SYNC:
      /* §2: the stub answers SYNC 8 times too, with value 0. */
      for (int i = 0; i < 8; i++)
        status (hal, op, STUB_OK);
      return 0;

    case STUB_OP_FLASH_BEGIN:
    case STUB_OP_FLASH_DEFL_BEGIN:
      handle_begin (hal, op, data, len);
      return 0;

    case STUB_OP_FLASH_DATA:
    case STUB_OP_FLASH_DEFL_DATA:
      handle_data (hal, op, data, len, le32 (st->frame + 4));
      return 0;

    case STUB_OP_FLASH_END:
    case STUB_OP_FLASH_DEFL_END:
      return handle_end (hal, op, data, len);

    case STUB_OP_MEM_BEGIN:
    case STUB_OP_MEM_DATA:
    case STUB_OP_MEM_END:
      if (hal->ram_write == 0)
        break;
      if (op == STUB_OP_MEM_BEGIN)
        handle_mem_begin (hal, data, len);
      else if (op == STUB_OP_MEM_DATA)
        handle_mem_data (hal, data, len, le32 (st->frame + 4));
      else
        return handle_mem_end (hal, data, len);
      return 0;

    case STUB_OP_READ_REG:
      if (len != 4)
        {
          status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      value = hal->read_reg (hal->ctx, le32 (data));
      reply (hal, op, value, 0, 0, STUB_OK);
      return 0;

    case STUB_OP_WRITE_REG:
      /* §2: the stub takes several 16-byte groups (addr, value, mask, delay_us). */
      if (len == 0 || len % 16)
        {
          status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      for (uint32_t i = 0; i < len; i += 16)
        {
          uint32_t addr = le32 (data + i), mask = le32 (data + i + 8);
          uint32_t v = le32 (data + i + 4) & mask;

          /* As the common stubs: no read when every bit is written (reading a FIFO register
           * takes a byte out of it); the HAL waits delay_us before the write. */
          if (mask != 0xFFFFFFFFu)
            v |= hal->read_reg (hal->ctx, addr) & ~mask;
          hal->write_reg (hal->ctx, addr, v, 0xFFFFFFFFu, le32 (data + i + 12));
        }
      status (hal, op, STUB_OK);
      return 0;

    case STUB_OP_SPI_SET_PARAMS:
      /* id, total size, block, sector, page, status mask (§2) */
      if (len != 24)
        {
          status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      /* The core erases in 64 KiB blocks and 4 KiB sectors: other geometries are refused
       * rather than handed to the ROM while the core goes on using its own. */
      if (le32 (data + 8) != STUB_BLOCK || le32 (data + 12) != STUB_SECTOR)
        {
          status (hal, op, STUB_ERR_BAD_BLOCKSIZE);
          return 0;
        }
      if (hal->flash_set_params (hal->ctx, le32 (data + 4), le32 (data + 8), le32 (data + 12),
                                 le32 (data + 16)))
        {
          status (hal, op, STUB_ERR_SPI_OP);
          return 0;
        }
      st->flash_size = le32 (data + 4);
      status (hal, op, STUB_OK);
      return 0;

    case STUB_OP_SPI_ATTACH:
      /* §2: the stub wants exactly 4 bytes (a ROM 8). */
      if (len != 4)
        {
          status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      status (hal, op, hal->flash_attach (hal->ctx, le32 (data)) ? STUB_ERR_SPI_OP : STUB_OK);
      return 0;

    case STUB_OP_CHANGE_BAUDRATE:
      if (len != 8 || le32 (data) == 0)
        {
          status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      /* §2: reply at the old rate, then switch. */
      status (hal, op, STUB_OK);
      hal->tx_flush (hal->ctx);
      hal->set_baud (hal->ctx, le32 (data), le32 (data + 4));
      return 0;

    case STUB_OP_SPI_FLASH_MD5:
      handle_md5 (hal, data, len);
      return 0;

    case STUB_OP_ERASE_FLASH:
      if (len != 0)
        {
          status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      if (hal->flash_unlock && hal->flash_unlock (hal->ctx))
        status (hal, op, STUB_ERR_SPI_UNLOCK);
      else
        status (hal, op, hal->flash_erase_chip (hal->ctx) ? STUB_ERR_SPI_OP : STUB_OK);
      return 0;

    case STUB_OP_ERASE_REGION:
      if (len != 8)
        {
          status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      status (hal, op, erase_region (hal, le32 (data), le32 (data + 4)));
      return 0;

    case STUB_OP_READ_FLASH:
      return handle_read (hal, op, data, len);

    case STUB_OP_RUN_USER_CODE:
      if (hal->run_user_code == 0)
        break;
      /* §2: no reply. */
      hal->tx_flush (hal->ctx);
      hal->run_user_code (hal->ctx);
      return 1;

    case STUB_OP_ESPRIT_VERSION:
      if (!hal->extensions)
        break;
      {
        uint8_t payload[8] = { 'E', 'S', 'P', 'R' };

        put_le32 (payload + 4, ESPRIT_STUB_VERSION);
        reply (hal, op, 0, payload, 8, STUB_OK);
      }
      return 0;

    case STUB_OP_ESPRIT_READ_PACKED:
      if (!hal->extensions)
        break;
      return handle_read (hal, op, data, len);

    default:
      break;
    }
  status (hal, op, STUB_ERR_INVALID_COMMAND);
  return 0;
}

void
esprit_stub_main (const esprit_stub_hal_t *hal)
{
  esprit_stub_state_t *st = hal->state;
  static const uint8_t ohai[4] = { 'O', 'H', 'A', 'I' };

  st->tx_len = 0;
  st->flashing = 0;
  st->mem_active = 0;
  st->link_gone = 0;
  /* The common stubs start with 16 MB parameters (§6) until SPI_SET_PARAMS says more. */
  st->flash_size = 16u * 1024 * 1024;

  /* §6: OHAI is the only unsolicited frame, and it goes out before the flash is touched. */
  send_frame (hal, ohai, 4);
  if (hal->start)
    hal->start (hal->ctx);
  for (;;)
    {
      if (read_frame (hal) < 0)
        return;
      if (dispatch (hal) || st->link_gone)
        return;
    }
}

/* stub-write.c: FLASH_BEGIN/DATA/END, their deflate forms, and ERASE_REGION: lazy erase,
 * blocks acknowledged before they are written (protocol-facts §2, §6)
 *
 * Freestanding: no libc, no static state (all of it is in hal->state).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-internal.h"

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
write_bytes (Hal *hal, const uint8_t *data, uint32_t len, int encrypted)
{
  esprit_stub_state_t *st = hal->state;
  uint8_t err;

  if (len > st->write_end - st->write_addr)
    return STUB_ERR_TOO_MUCH;
  if ((err = erase_ahead (hal, st->write_addr + len)) != STUB_OK)
    return err;
  if (encrypted)
    {
      /* The engine takes the whole chunk; a misaligned one fails and, as in the common stub,
       * the position moves on all the same. */
      err = hal->flash_write_encrypted (hal->ctx, st->write_addr, data, len) ? STUB_ERR_SPI_OP
                                                                              : STUB_OK;
      st->write_addr += len;
      return err;
    }
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
  uint8_t err = write_bytes (hal, st->stage, st->stage_len, st->encrypting);

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

void
stub_handle_begin (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t size, block_size, offset;

  /* §2: 16 bytes, or 20 with the encrypted-write word (always 0 on the ESP8266). */
  if (len != 16 && len != 20)
    {
      stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  size = le32 (data);
  block_size = le32 (data + 8);
  offset = le32 (data + 12);
  if (block_size == 0 || block_size > STUB_BLOCK_MAX)
    {
      stub_status (hal, op, STUB_ERR_BAD_BLOCKSIZE);
      return;
    }
  if (offset > st->flash_size || size > st->flash_size - offset)
    {
      stub_status (hal, op, STUB_ERR_TOO_MUCH);
      return;
    }
  if (hal->flash_unlock && hal->flash_unlock (hal->ctx))
    {
      stub_status (hal, op, STUB_ERR_SPI_UNLOCK);
      return;
    }
  /* §2: the 5th word asks for encrypted writes. The common ESP8266 stub ignores it; a stub
   * without an encrypted writer (Esprit's) refuses it rather than write plaintext. */
  st->encrypting = len == 20 && le32 (data + 16) != 0 && hal->flash_write_encrypted;
  if (len == 20 && le32 (data + 16) != 0 && !st->encrypting && hal->extensions)
    {
      stub_status (hal, op, STUB_ERR_NOT_IMPLEMENTED);
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
  stub_status (hal, op, STUB_OK);
}

void
stub_handle_data (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len, uint32_t checksum)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t dlen, seq;
  uint8_t sum = 0xEF;

  if (len < STUB_DATA_HEADER || (dlen = le32 (data)) != len - STUB_DATA_HEADER)
    {
      stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  for (uint32_t i = STUB_DATA_HEADER; i < len; i++)
    sum ^= data[i];
  if (sum != checksum)
    {
      stub_status (hal, op, STUB_ERR_BAD_CHECKSUM);
      return;
    }
  if (!st->flashing || st->deflating != (op == STUB_OP_FLASH_DEFL_DATA))
    {
      stub_status (hal, op, STUB_ERR_NOT_FLASHING);
      return;
    }
  seq = le32 (data + 4);
  if (st->next_seq > 0 && seq == st->next_seq - 1 && st->deferred_error == STUB_OK)
    {
      /* The host resends a block whose acknowledgement it lost: it is already written. */
      stub_status (hal, op, STUB_OK);
      return;
    }
  if (seq != st->next_seq)
    {
      stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  if (st->deferred_error != STUB_OK)
    {
      stub_status (hal, op, st->deferred_error);
      return;
    }
  st->next_seq++;

  /* §6: acknowledge first, then write: the host sends the next block meanwhile. */
  stub_status (hal, op, STUB_OK);
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
      if ((err = write_bytes (hal, data, n,
                              st->encrypting || op == STUB_OP_FLASH_ENCRYPT_DATA)) != STUB_OK)
        st->deferred_error = err;
    }
}

/* FLASH_END / FLASH_DEFL_END: returns nonzero when the core must leave (reboot). */
int
stub_handle_end (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint8_t err = STUB_OK;
  uint32_t flag;

  if (len != 4)
    {
      stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
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
  stub_status (hal, op, err);
  if (flag == 0 && hal->reboot)
    {
      hal->tx_flush (hal->ctx);
      hal->reboot (hal->ctx);
      return 1;
    }
  return 0;
}

/* ---- erase --------------------------------------------------------------------------- */

uint8_t
stub_erase_region (Hal *hal, uint32_t addr, uint32_t size)
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

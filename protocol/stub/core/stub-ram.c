/* stub-ram.c: MEM_BEGIN/DATA/END behind the stub: loading and starting a RAM program
 *
 * Freestanding: no libc, no static state (all of it is in hal->state).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-internal.h"

/* ---- RAM programs (MEM_*) ------------------------------------------------------------ */

/* MEM_BEGIN: total size, number of blocks, block size, load address (§2). */
void
stub_handle_mem_begin (Hal *hal, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t size, addr;

  if (len != 16)
    {
      stub_status (hal, STUB_OP_MEM_BEGIN, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  size = le32 (data);
  addr = le32 (data + 12);
  /* Word stores only; and never over the stub itself, which the common stubs allow. */
  if (addr % 4 || (hal->ram_check && hal->ram_check (hal->ctx, addr, size)))
    {
      st->mem_active = 0;
      stub_status (hal, STUB_OP_MEM_BEGIN, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  st->mem_active = 1;
  st->mem_addr = addr;
  st->mem_remaining = size;
  st->mem_next_seq = 0;
  stub_status (hal, STUB_OP_MEM_BEGIN, STUB_OK);
}

/* MEM_DATA: the FLASH_DATA layout (§2), written in order as it arrives. */
void
stub_handle_mem_data (Hal *hal, const uint8_t *data, uint32_t len, uint32_t checksum)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t dlen, seq;
  uint8_t sum = 0xEF;

  if (len < STUB_DATA_HEADER || (dlen = le32 (data)) != len - STUB_DATA_HEADER)
    {
      stub_status (hal, STUB_OP_MEM_DATA, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  for (uint32_t i = STUB_DATA_HEADER; i < len; i++)
    sum ^= data[i];
  if (sum != checksum)
    {
      stub_status (hal, STUB_OP_MEM_DATA, STUB_ERR_BAD_CHECKSUM);
      return;
    }
  if (!st->mem_active)
    {
      stub_status (hal, STUB_OP_MEM_DATA, STUB_ERR_NOT_FLASHING);
      return;
    }
  seq = le32 (data + 4);
  if (st->mem_next_seq > 0 && seq == st->mem_next_seq - 1)
    {
      stub_status (hal, STUB_OP_MEM_DATA, STUB_OK);   /* a resent block: already in place */
      return;
    }
  if (seq != st->mem_next_seq || dlen % 4)
    {
      stub_status (hal, STUB_OP_MEM_DATA, STUB_ERR_BAD_DATA_LEN);
      return;
    }
  if (dlen > st->mem_remaining)
    {
      stub_status (hal, STUB_OP_MEM_DATA, STUB_ERR_TOO_MUCH);
      return;
    }
  hal->ram_write (hal->ctx, st->mem_addr, data + STUB_DATA_HEADER, dlen);
  st->mem_addr += dlen;
  st->mem_remaining -= dlen;
  st->mem_next_seq++;
  stub_status (hal, STUB_OP_MEM_DATA, STUB_OK);
}

/* MEM_END: flag (0 = jump), entry. Returns nonzero when the core must return. */
int
stub_handle_mem_end (Hal *hal, const uint8_t *data, uint32_t len)
{
  esprit_stub_state_t *st = hal->state;
  uint32_t flag, entry;
  uint8_t err = STUB_OK;

  if (len != 8)
    {
      stub_status (hal, STUB_OP_MEM_END, STUB_ERR_BAD_DATA_LEN);
      return 0;
    }
  flag = le32 (data);
  entry = le32 (data + 4);
  if (!st->mem_active)
    err = STUB_ERR_NOT_FLASHING;
  else if (st->mem_remaining)
    err = STUB_ERR_NOT_ENOUGH;
  st->mem_active = 0;
  stub_status (hal, STUB_OP_MEM_END, err);
  /* §2: flag 0 means "jump to entry" (esptool sends 1 when there is no entry). */
  if (err != STUB_OK || flag != 0 || entry == 0 || hal->ram_run == 0)
    return 0;
  hal->tx_flush (hal->ctx);
  return hal->ram_run (hal->ctx, entry);
}

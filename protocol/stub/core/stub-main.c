/* stub-main.c: the stub core's command dispatch and its loop (the commands' work is in
 * stub-io.c, stub-write.c, stub-read.c and stub-ram.c)
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
#include "stub-internal.h"

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
      stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
      return 0;
    }

  switch (op)
    {
    case STUB_OP_SYNC:
      /* §2: the stub answers SYNC 8 times too, with value 0. */
      for (int i = 0; i < 8; i++)
        stub_status (hal, op, STUB_OK);
      return 0;

    case STUB_OP_FLASH_BEGIN:
    case STUB_OP_FLASH_DEFL_BEGIN:
      stub_handle_begin (hal, op, data, len);
      return 0;

    case STUB_OP_FLASH_ENCRYPT_DATA:
      if (hal->flash_write_encrypted == 0)
        break;
      /* fall through - FLASH_DATA whose block goes through the engine */
    case STUB_OP_FLASH_DATA:
    case STUB_OP_FLASH_DEFL_DATA:
      stub_handle_data (hal, op, data, len, le32 (st->frame + 4));
      return 0;

    case STUB_OP_FLASH_END:
    case STUB_OP_FLASH_DEFL_END:
      return stub_handle_end (hal, op, data, len);

    case STUB_OP_MEM_BEGIN:
    case STUB_OP_MEM_DATA:
    case STUB_OP_MEM_END:
      if (hal->ram_write == 0)
        break;
      if (op == STUB_OP_MEM_BEGIN)
        stub_handle_mem_begin (hal, data, len);
      else if (op == STUB_OP_MEM_DATA)
        stub_handle_mem_data (hal, data, len, le32 (st->frame + 4));
      else
        return stub_handle_mem_end (hal, data, len);
      return 0;

    case STUB_OP_READ_REG:
      if (len != 4)
        {
          stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      value = hal->read_reg (hal->ctx, le32 (data));
      stub_reply (hal, op, value, 0, 0, STUB_OK);
      return 0;

    case STUB_OP_WRITE_REG:
      /* §2: the stub takes several 16-byte groups (addr, value, mask, delay_us). */
      if (len == 0 || len % 16)
        {
          stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
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
      stub_status (hal, op, STUB_OK);
      return 0;

    case STUB_OP_SPI_SET_PARAMS:
      /* id, total size, block, sector, page, status mask (§2) */
      if (len != 24)
        {
          stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      /* The core erases in 64 KiB blocks and 4 KiB sectors: other geometries are refused
       * rather than handed to the ROM while the core goes on using its own. */
      if (le32 (data + 8) != STUB_BLOCK || le32 (data + 12) != STUB_SECTOR)
        {
          stub_status (hal, op, STUB_ERR_BAD_BLOCKSIZE);
          return 0;
        }
      if (hal->flash_set_params (hal->ctx, le32 (data + 4), le32 (data + 8), le32 (data + 12),
                                 le32 (data + 16)))
        {
          stub_status (hal, op, STUB_ERR_SPI_OP);
          return 0;
        }
      st->flash_size = le32 (data + 4);
      stub_status (hal, op, STUB_OK);
      return 0;

    case STUB_OP_SPI_ATTACH:
      /* §2: the stub wants exactly 4 bytes (a ROM 8). */
      if (len != 4)
        {
          stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      stub_status (hal, op, hal->flash_attach (hal->ctx, le32 (data)) ? STUB_ERR_SPI_OP : STUB_OK);
      return 0;

    case STUB_OP_CHANGE_BAUDRATE:
      if (len != 8 || le32 (data) == 0)
        {
          stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      /* §2: reply at the old rate, then switch. */
      stub_status (hal, op, STUB_OK);
      hal->tx_flush (hal->ctx);
      hal->set_baud (hal->ctx, le32 (data), le32 (data + 4));
      return 0;

    case STUB_OP_SPI_FLASH_MD5:
      stub_handle_md5 (hal, data, len);
      return 0;

    case STUB_OP_ERASE_FLASH:
      if (len != 0)
        {
          stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      if (hal->flash_unlock && hal->flash_unlock (hal->ctx))
        stub_status (hal, op, STUB_ERR_SPI_UNLOCK);
      else
        stub_status (hal, op, hal->flash_erase_chip (hal->ctx) ? STUB_ERR_SPI_OP : STUB_OK);
      return 0;

    case STUB_OP_ERASE_REGION:
      if (len != 8)
        {
          stub_status (hal, op, STUB_ERR_BAD_DATA_LEN);
          return 0;
        }
      stub_status (hal, op, stub_erase_region (hal, le32 (data), le32 (data + 4)));
      return 0;

    case STUB_OP_READ_FLASH:
      return stub_handle_read (hal, op, data, len);

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
        stub_reply (hal, op, 0, payload, 8, STUB_OK);
      }
      return 0;

    case STUB_OP_ESPRIT_READ_PACKED:
      if (!hal->extensions)
        break;
      return stub_handle_read (hal, op, data, len);

    default:
      break;
    }
  stub_status (hal, op, STUB_ERR_INVALID_COMMAND);
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
  stub_send_frame (hal, ohai, 4);
  if (hal->start)
    hal->start (hal->ctx);
  for (;;)
    {
      if (stub_read_frame (hal) < 0)
        return;
      if (dispatch (hal) || st->link_gone)
        return;
    }
}

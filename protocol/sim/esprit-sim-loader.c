/* esprit-sim-loader.c: the ROM loaders of the virtual board: ESP8266 ROM, ESP32-family ROM
 *
 * One command processor for both ROM families; a stub started from it runs the stub core
 * (esprit-sim-stub.c). What each ROM accepts, refuses and how it answers follows
 * protocol-facts §1, §2 and §8; where the sources say nothing the choice is marked "model:".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-sim-loader-private.h"

/* Whether @op exists in this loader (protocol-facts §2 support columns). */
static gboolean
supported (Loader *l,
           guint8  op)
{
  if (l->rom8266)
    return op >= 0x02 && op <= 0x0A;   /* §8.1 */
  switch (op)
    {
    case ESPRIT_OP_GET_SECURITY_INFO:
      return (l->info->rom_caps & ESPRIT_ROM_HAS_SECURITY_INFO) != 0;
    default:
      return op >= 0x02 && op <= 0x13 && op != 0x0C;
    }
}

static void
handle_security_info (Loader *l)
{
  guint8 info[20] = { 0 };
  gsize n = l->info == esprit_chip_get_info (ESPRIT_CHIP_ESP32S2) ? 12 : 20;

  /* §2: flags, crypt_cnt, 7 key purposes, chip_id, api_version; S2 sends the first 12. */
  esprit_write_le32 (info + 12, (guint32) l->info->security_chip_id);
  /* api_version: 3 from the genuine C3 ROM, 0 from the S3's (measured in Espressif's QEMU
   * fork; the C6 is taken to be like the C3). */
  esprit_write_le32 (info + 16, l->info == esprit_chip_get_info (ESPRIT_CHIP_ESP32S3) ? 0 : 3);
  _esprit_sim_loader_reply (l, ESPRIT_OP_GET_SECURITY_INFO, 0, info, n, 0, 0);
}

static void
loader_clear (Loader *l)
{
  _esprit_sim_loader_end_deflate (l);
  g_hash_table_unref (l->ram);
}

/* Returns the next mode, or -1 to keep serving. */
static int
dispatch (Loader       *l,
          const guint8 *frame,
          gsize         frame_len)
{
  guint8 op;
  guint16 size;
  guint32 checksum;
  const guint8 *data;
  gsize len;

  if (frame_len < 8 || frame[0] != ESPRIT_DIR_REQUEST)
    return -1;   /* model: not a request: ignored */
  op = frame[1];
  size = esprit_read_le16 (frame + 2);
  checksum = esprit_read_le32 (frame + 4);
  data = frame + 8;
  len = frame_len - 8;
  if (size != len)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return -1;
    }

  if (!_esprit_sim_board_busy (l->sim, SIM_COMMAND_LATENCY_US))
    return ESPRIT_SIM_MODE_BOOTING;

  if (!supported (l, op))
    {
      /* §8.1/§1: unknown commands get failed=1, error 0x05 (the stub: invalid command).
       * model: the ESP8266's ROM echoes the request's opcode; the ESP32 family's answer with
       * the opcode of the last command they knew (measured on the genuine ESP32 and C3
       * ROMs: GET_SECURITY_INFO to an ESP32 comes back as a SYNC reply), so a client that
       * waits for its own opcode never sees the refusal. */
      _esprit_sim_loader_fail (l, l->rom8266 ? op : l->last_op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return -1;
    }
  l->last_op = op;

  switch (op)
    {
    case ESPRIT_OP_SYNC:
      {
        static const guint8 sync_body[36] = { 0x07, 0x07, 0x12, 0x20,
          0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
          0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
          0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55 };

        if (len != 36 || memcmp (data, sync_body, 36) != 0)
          {
            _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
            return -1;
          }
        _esprit_sim_board_sync_noise (l->sim);
        /* §2: a ROM replies 8 times with a nonzero (stale) value. */
        for (int i = 0; i < 8; i++)
          _esprit_sim_loader_reply (l, op, 0x20120707u, NULL, 0, 0, 0);
        return -1;
      }

    case ESPRIT_OP_READ_REG:
      if (len != 4)
        {
          _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return -1;
        }
      _esprit_sim_loader_reply (l, op, _esprit_sim_read_reg (l->sim, esprit_read_le32 (data)),
                                NULL, 0, 0, 0);
      return -1;

    case ESPRIT_OP_WRITE_REG:
      /* Groups of addr, value, mask, delay_us. The genuine ESP8266 and ESP32 ROMs take
       * several (two measured in emulation, issue 10), as the stub does (§2); common clients
       * send a second group as a delay. */
      if (len == 0 || len % 16 != 0)
        {
          _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return -1;
        }
      for (gsize i = 0; i < len; i += 16)
        {
          _esprit_sim_write_reg (l->sim, esprit_read_le32 (data + i), esprit_read_le32 (data + i + 4),
                                 esprit_read_le32 (data + i + 8));
          _esprit_sim_board_busy (l->sim, esprit_read_le32 (data + i + 12));
        }
      _esprit_sim_loader_ok (l, op);
      return -1;

    case ESPRIT_OP_FLASH_BEGIN:
    case ESPRIT_OP_FLASH_DEFL_BEGIN:
      _esprit_sim_loader_flash_begin (l, op, data, len);
      return -1;

    case ESPRIT_OP_FLASH_DATA:
    case ESPRIT_OP_FLASH_DEFL_DATA:
      _esprit_sim_loader_flash_data (l, op, data, len, checksum);
      return -1;

    case ESPRIT_OP_FLASH_END:
    case ESPRIT_OP_FLASH_DEFL_END:
      {
        guint32 flag = len >= 4 ? esprit_read_le32 (data) : 0;

        if (len != 4)
          {
            _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
            return -1;
          }
        l->flashing = FALSE;
        _esprit_sim_loader_end_deflate (l);
        _esprit_sim_loader_ok (l, op);
        /* §8.5: a ROM leaves the loader on FLASH_END either way: flag 0 reboots, 1 runs the
         * user code. */
        _esprit_sim_board_tx_flush (l->sim);
        if (flag == 0)
          return SIM_MODE_SOFT_REBOOT;
        return ESPRIT_SIM_MODE_APP;
      }

    case ESPRIT_OP_MEM_BEGIN:
      _esprit_sim_loader_mem_begin (l, data, len);
      return -1;

    case ESPRIT_OP_MEM_DATA:
      _esprit_sim_loader_mem_data (l, data, len, checksum);
      return -1;

    case ESPRIT_OP_MEM_END:
      return _esprit_sim_loader_mem_end (l, data, len);

    case ESPRIT_OP_SPI_ATTACH:
      /* §2: the ROM wants 8 bytes (the stub exactly 4). */
      if (len != 8)
        {
          _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return -1;
        }
      _esprit_sim_flash_attach (l->sim);
      _esprit_sim_loader_ok (l, op);
      return -1;

    case ESPRIT_OP_SPI_SET_PARAMS:
      if (len != 24)
        {
          _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return -1;
        }
      _esprit_sim_loader_ok (l, op);
      return -1;

    case ESPRIT_OP_READ_FLASH_SLOW:
      _esprit_sim_loader_read_flash_slow (l, data, len);
      return -1;

    case ESPRIT_OP_CHANGE_BAUDRATE:
      {
        guint32 baud;

        if (len != 8 || (baud = esprit_read_le32 (data)) < 300 || baud > 5000000)
          {
            _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_PARAM);
            return -1;
          }
        /* §2: reply at the old rate, then switch. */
        _esprit_sim_loader_ok (l, op);
        _esprit_sim_board_tx_flush (l->sim);
        _esprit_sim_board_busy (l->sim, 10000);
        _esprit_sim_board_set_baud (l->sim, _esprit_sim_rom_baud (l->sim, baud));
        return -1;
      }

    case ESPRIT_OP_SPI_FLASH_MD5:
      if (len != 16)
        {
          _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return -1;
        }
      _esprit_sim_loader_md5 (l, op, esprit_read_le32 (data), esprit_read_le32 (data + 4));
      return -1;

    case ESPRIT_OP_GET_SECURITY_INFO:
      handle_security_info (l);
      return -1;

    default:
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return -1;
    }
}

EspritSimMode
_esprit_sim_run_loader (EspritSim *sim)
{
  EspritChip chip = _esprit_sim_chip (sim);
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  Loader l = { 0 };
  int next = -1;

  l.sim = sim;
  l.info = esprit_chip_get_info (chip);
  l.rom8266 = chip == ESPRIT_CHIP_ESP8266;
  l.ram = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_byte_array_unref);

  while (next < 0)
    {
      l.status_len = l.info->rom_status_len;
      while (next < 0)
        {
          if (_esprit_sim_loader_read_frame (&l, frame) < 0)
            {
              next = ESPRIT_SIM_MODE_BOOTING;
              break;
            }
          next = dispatch (&l, frame->data, frame->len);
        }

      if (next == ESPRIT_SIM_MODE_STUB)
        {
          /* The uploaded stub runs until it reboots into the ROM loader, starts the user
           * program, or the board is reset. */
          _esprit_sim_set_mode (sim, ESPRIT_SIM_MODE_STUB);
          next = _esprit_sim_run_stub (sim, l.esprit_stub);
          if (next == ESPRIT_SIM_MODE_ROM_LOADER)
            {
              _esprit_sim_set_mode (sim, ESPRIT_SIM_MODE_ROM_LOADER);
              l.flashing = FALSE;
              next = -1;
            }
        }
    }
  loader_clear (&l);
  return next;
}

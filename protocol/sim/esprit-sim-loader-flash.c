/* esprit-sim-loader-flash.c: the ROM loaders' flash commands: FLASH_*, FLASH_DEFL_*, MD5,
 * READ_FLASH_SLOW (protocol-facts §2, §8.3, §8.4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>
#include <zlib.h>

#include "esprit-command.h"
#include "esprit-sim-loader-private.h"

static gboolean
write_flash_bytes (Loader       *l,
                   const guint8 *data,
                   guint32       len)
{
  gsize flash_size;

  _esprit_sim_flash (l->sim, &flash_size);
  if ((guint64) l->write_offset + len > flash_size)
    return FALSE;
  if (!_esprit_sim_flash_program (l->sim, l->write_offset, data, len))
    return FALSE;
  l->write_offset += len;
  return TRUE;
}

/* §2 "R8266 erase-size bug", seen from the ROM (esptool's formula is its inverse): the ROM
 * turns erase_size into a sector count n, erases sector by sector from the start up to the
 * next 64 KB block boundary (at most n sectors), and then erases n sectors more from there
 * instead of the n it has left, so it wipes head + n sectors in all. */
static guint32
rom8266_erase_len (guint32 offset,
                   guint32 erase_size)
{
  guint32 sectors = (erase_size + SIM_SECTOR - 1) / SIM_SECTOR;
  guint32 first = offset / SIM_SECTOR;
  guint32 to_boundary = SIM_BLOCK / SIM_SECTOR - first % (SIM_BLOCK / SIM_SECTOR);
  guint32 head = MIN (to_boundary, sectors);

  return (head + sectors) * SIM_SECTOR;
}

void
_esprit_sim_loader_end_deflate (Loader *l)
{
  if (l->zs_live)
    inflateEnd (&l->zs);
  l->zs_live = FALSE;
}

void
_esprit_sim_loader_flash_begin (Loader       *l,
                                guint8        op,
                                const guint8 *data,
                                gsize         len)
{
  gboolean deflate = op == ESPRIT_OP_FLASH_DEFL_BEGIN;
  guint32 size, blocks, block_size, offset;
  gboolean five_ok = (l->info->rom_caps & ESPRIT_ROM_BEGIN_5_WORDS) != 0;
  gsize flash_size;

  _esprit_sim_flash (l->sim, &flash_size);
  /* §2/§8.3: exactly 16 bytes for the ESP8266 and ESP32 ROMs; S2+ want the 5th word: the
   * genuine ESP32-C3 ROM refuses 16 bytes with 0x05 (measured in Espressif's QEMU fork). */
  if (len != (five_ok ? 20u : 16u))
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  if (!l->rom8266 && !_esprit_sim_flash_attached (l->sim))
    {
      /* model: an ESP32-family ROM without SPI_ATTACH cannot reach the flash. */
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_FAILED);
      return;
    }
  size = esprit_read_le32 (data);
  blocks = esprit_read_le32 (data + 4);
  block_size = esprit_read_le32 (data + 8);
  offset = esprit_read_le32 (data + 12);
  if (block_size > 0x10000u ||
      (block_size == 0 && size != 0))
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_PARAM);
      return;
    }
  if (offset > flash_size || (guint64) offset + size > flash_size + (guint64) SIM_BLOCK)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_PARAM);
      return;
    }

  _esprit_sim_loader_end_deflate (l);
  l->flashing = TRUE;
  l->deflating = deflate;
  l->write_offset = offset;
  l->block_size = block_size;
  l->blocks = blocks;
  l->next_seq = 0;
  l->inflate_broken = FALSE;
  if (deflate)
    {
      memset (&l->zs, 0, sizeof l->zs);
      inflateInit (&l->zs);
      l->zs_live = TRUE;
    }

  {
    /* ROMs erase before they reply (§8.3), which takes the flash's erase time. */
    guint32 start = offset - offset % SIM_SECTOR;
    guint32 erase = (size + (offset - start) + SIM_SECTOR - 1) / SIM_SECTOR * SIM_SECTOR;

    if (l->rom8266)
      erase = rom8266_erase_len (offset, size);
    if (size > 0 && !_esprit_sim_flash_erase (l->sim, start, erase))
      return;   /* reset during the erase */
    if (l->rom8266)
      _esprit_sim_flash_attach (l->sim);   /* R8266: FLASH_BEGIN attaches (§2) */
  }
  _esprit_sim_loader_ok (l, op);
}

void
_esprit_sim_loader_flash_data (Loader       *l,
                               guint8        op,
                               const guint8 *data,
                               gsize         len,
                               guint32       checksum)
{
  const guint8 *block;
  guint32 block_len, seq;
  gboolean session = l->flashing && l->deflating == (op == ESPRIT_OP_FLASH_DEFL_DATA);

  if (!l->rom8266 && !session)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  /* The family's ROMs count the sequence number in the packet check (see there). */
  if (!_esprit_sim_loader_check_data_packet (l, data, len, checksum, op,
                                             l->rom8266 ? NULL : &l->next_seq, &block, &block_len))
    return;
  seq = esprit_read_le32 (data + 4);
  if (!session)   /* the ESP8266's order: the packet first */
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  if (l->rom8266 && seq != l->next_seq)
    {
      /* §8.4: a repeated or wrong sequence number gives 0x05 (inferred from a trace). */
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  if (!l->deflating && block_len != l->block_size)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }

  if (l->rom8266)
    l->next_seq++;
  if (l->deflating && l->inflate_broken)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_DEFLATE_ADLER);
      return;
    }
  if (l->deflating)
    {
      guint8 out[4096];
      int rc = Z_OK;

      l->zs.next_in = (Bytef *) block;
      l->zs.avail_in = block_len;
      while (l->zs.avail_in > 0 && rc != Z_STREAM_END)
        {
          guint32 produced;

          l->zs.next_out = out;
          l->zs.avail_out = sizeof out;
          rc = inflate (&l->zs, Z_NO_FLUSH);
          if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            {
              _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_DEFLATE);
              l->flashing = FALSE;
              return;
            }
          produced = sizeof out - l->zs.avail_out;
          if (!write_flash_bytes (l, out, produced))
            {
              _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_FLASH_WRITE);
              l->flashing = FALSE;
              return;
            }
          if (rc == Z_BUF_ERROR && l->zs.avail_out != 0)
            break;
        }
    }
  else
    {
      if (!write_flash_bytes (l, block, block_len))
        {
          /* §8.4: the ROM reads back and reports 0x08 on a mismatch. */
          _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_FLASH_WRITE);
          l->flashing = FALSE;
          return;
        }
    }

  _esprit_sim_loader_ok (l, op);
}

void
_esprit_sim_loader_md5 (Loader  *l,
                        guint8   op,
                        guint32  addr,
                        guint32  size)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize flash_size;
  guint8 *flash = _esprit_sim_flash (l->sim, &flash_size);

  if ((guint64) addr + size > flash_size)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_PARAM);
      return;
    }
  /* model: the ROM reads and hashes at about 0.5 MB/s, 2 us a byte (well inside §2's 8 s/MB
   * timeout; about what its 10 MHz single-line reads and an MD5 of ~20 cycles a byte at
   * 40 MHz give on the ESP32 family, esprit-sim-stub.c). */
  _esprit_sim_board_busy (l->sim, (gint64) size * 2);
  g_checksum_update (md5, flash + addr, size);
  /* §2: the ROM answers with 32 ASCII hex characters (the stub with 16 raw bytes). */
  _esprit_sim_loader_reply (l, op, 0, (const guint8 *) g_checksum_get_string (md5), 32, 0, 0);
}

void
_esprit_sim_loader_read_flash_slow (Loader       *l,
                                    const guint8 *data,
                                    gsize         len)
{
  guint8 op = ESPRIT_OP_READ_FLASH_SLOW;
  guint8 buf[64];
  guint32 addr, n;
  gsize flash_size;
  guint8 *flash = _esprit_sim_flash (l->sim, &flash_size);

  if (len != 8 || (n = esprit_read_le32 (data + 4)) > 64 ||
      (guint64) (addr = esprit_read_le32 (data)) + n > flash_size)
    {
      /* Refused, the reply still carries 64 bytes: what the ROM's reply buffer holds
       * (esprit-sim-loader-frames.c; measured for a length over 64). */
      _esprit_sim_loader_reply (l, op, 0, NULL, 64, 1, ESPRIT_ROM_ERR_READ_LENGTH);
      return;
    }
  /* §2: the reply always carries 64 data bytes, then the status. */
  memset (buf, 0, sizeof buf);
  memcpy (buf, flash + addr, n);
  _esprit_sim_loader_reply (l, op, 0, buf, 64, 0, 0);
}

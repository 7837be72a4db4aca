/* esprit-sim-loader.c: the loaders of the virtual board: ESP8266 ROM, ESP32-family ROM, stub
 *
 * One command processor with three personalities. What each one accepts, refuses and how it
 * answers follows protocol-facts §1, §2 and §8; where the sources say nothing the choice is
 * marked "model:".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>
#include <zlib.h>

#include "esprit-command.h"
#include "esprit-flash.h"
#include "esprit-sim-private.h"
#include "esprit-slip.h"
#include "esprit-stub-image.h"

/* §1: value of non-READ_REG replies on R8266 is stale buffer content, often the first SYNC
 * word. */
#define R8266_STALE_VALUE 0x20120707u

typedef struct {
  EspritSim            *sim;
  const EspritChipInfo *info;
  gboolean              esprit_stub;    /* what MEM_END started is Esprit's stub */
  gboolean              rom8266;
  guint                 status_len;

  /* flash write session */
  gboolean              flashing;
  gboolean              deflating;
  guint32               write_offset;   /* where the next data goes */
  guint32               block_size;
  guint32               blocks;
  guint32               next_seq;
  z_stream              zs;
  gboolean              zs_live;
  gboolean              attached;

  /* RAM upload */
  GHashTable           *ram;            /* load addr -> GByteArray */
  guint32               mem_addr;
  guint32               mem_size;
  guint32               mem_block;
  guint32               mem_next_seq;
  GByteArray           *mem_segment;
  gboolean              uploaded;
} Loader;

static void
reply (Loader       *l,
       guint8        op,
       guint32       value,
       const guint8 *payload,
       gsize         payload_len,
       guint8        failed,
       guint8        error)
{
  g_autoptr(GByteArray) pkt = g_byte_array_new ();
  guint8 header[8];
  guint8 status[4] = { failed, error, 0, 0 };

  header[0] = ESPRIT_DIR_RESPONSE;
  header[1] = op;
  esprit_write_le16 (header + 2, (guint16) (payload_len + l->status_len));
  esprit_write_le32 (header + 4, value);
  g_byte_array_append (pkt, header, 8);
  if (payload_len)
    g_byte_array_append (pkt, payload, payload_len);
  g_byte_array_append (pkt, status, l->status_len);
  _esprit_sim_board_send_frame (l->sim, pkt->data, pkt->len);
}

static guint32
default_value (Loader *l)
{
  return l->rom8266 ? R8266_STALE_VALUE : 0;
}

static void
ok (Loader *l,
    guint8  op)
{
  reply (l, op, default_value (l), NULL, 0, 0, 0);
}

static void
fail (Loader *l,
      guint8  op,
      guint8  error)
{
  reply (l, op, default_value (l), NULL, 0, 1, error);
}

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

static gboolean
check_data_packet (Loader        *l,
                   const guint8  *data,
                   gsize          len,
                   guint32        checksum,
                   guint8         op,
                   const guint8 **block,
                   guint32       *block_len)
{
  guint32 dlen, seq;

  if (len < ESPRIT_DATA_HEADER)
    {
      fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return FALSE;
    }
  dlen = esprit_read_le32 (data);
  seq = esprit_read_le32 (data + 4);
  if (dlen != len - ESPRIT_DATA_HEADER)
    {
      fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return FALSE;
    }
  if (esprit_checksum (data + ESPRIT_DATA_HEADER, dlen) != (checksum & 0xFF))
    {
      /* §8.4: a bad checksum gives 0x07 (stub: 0xC1). */
      fail (l, op, ESPRIT_ROM_ERR_CHECKSUM);
      return FALSE;
    }
  *block = data + ESPRIT_DATA_HEADER;
  *block_len = dlen;
  (void) seq;
  return TRUE;
}

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

static void
end_deflate (Loader *l)
{
  if (l->zs_live)
    inflateEnd (&l->zs);
  l->zs_live = FALSE;
}

static void
handle_flash_begin (Loader       *l,
                    guint8        op,
                    const guint8 *data,
                    gsize         len)
{
  gboolean deflate = op == ESPRIT_OP_FLASH_DEFL_BEGIN;
  guint32 size, blocks, block_size, offset;
  gboolean five_ok = (l->info->rom_caps & ESPRIT_ROM_BEGIN_5_WORDS) != 0;
  gsize flash_size;

  _esprit_sim_flash (l->sim, &flash_size);
  /* §2/§8.3: exactly 16 bytes for the ESP8266 and ESP32 ROMs; S2+ take a 5th word. */
  if (len != 16 && !(len == 20 && five_ok))
    {
      fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  if (!l->rom8266 && !l->attached)
    {
      /* model: an ESP32-family ROM without SPI_ATTACH cannot reach the flash. */
      fail (l, op, ESPRIT_ROM_ERR_FAILED);
      return;
    }
  size = esprit_read_le32 (data);
  blocks = esprit_read_le32 (data + 4);
  block_size = esprit_read_le32 (data + 8);
  offset = esprit_read_le32 (data + 12);
  if (block_size > 0x10000u ||
      (block_size == 0 && size != 0))
    {
      fail (l, op, ESPRIT_ROM_ERR_INVALID_PARAM);
      return;
    }
  if (offset > flash_size || (guint64) offset + size > flash_size + (guint64) SIM_BLOCK)
    {
      fail (l, op, ESPRIT_ROM_ERR_INVALID_PARAM);
      return;
    }

  end_deflate (l);
  l->flashing = TRUE;
  l->deflating = deflate;
  l->write_offset = offset;
  l->block_size = block_size;
  l->blocks = blocks;
  l->next_seq = 0;
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

    /* §2 "R8266 erase-size bug": the ESP8266 ROM erases the head sectors up to the next
     * 64 KB boundary and then the requested count again. */
    if (l->rom8266)
      erase = esprit_flash_esp8266_rom_erase_len (offset, size);
    if (size > 0 && !_esprit_sim_flash_erase (l->sim, start, erase))
      return;   /* reset during the erase */
    if (size == 0 && blocks == 0)
      l->attached = TRUE;   /* FLASH_BEGIN(0,0) is the R8266 "attach" (§2) */
  }
  ok (l, op);
}

static void
handle_flash_data (Loader       *l,
                   guint8        op,
                   const guint8 *data,
                   gsize         len,
                   guint32       checksum)
{
  const guint8 *block;
  guint32 block_len, seq;

  if (!check_data_packet (l, data, len, checksum, op, &block, &block_len))
    return;
  seq = esprit_read_le32 (data + 4);
  if (!l->flashing || l->deflating != (op == ESPRIT_OP_FLASH_DEFL_DATA))
    {
      fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  if (seq != l->next_seq)
    {
      /* §8.4: a repeated or wrong sequence number gives 0x05 (inferred from a trace). */
      fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  if (!l->deflating && block_len != l->block_size)
    {
      fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }

  l->next_seq++;
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
              fail (l, op, ESPRIT_ROM_ERR_DEFLATE);
              l->flashing = FALSE;
              return;
            }
          produced = sizeof out - l->zs.avail_out;
          if (!write_flash_bytes (l, out, produced))
            {
              fail (l, op, ESPRIT_ROM_ERR_FLASH_WRITE);
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
          fail (l, op, ESPRIT_ROM_ERR_FLASH_WRITE);
          l->flashing = FALSE;
          return;
        }
    }

  ok (l, op);
}

static void
send_md5 (Loader  *l,
          guint8   op,
          guint32  addr,
          guint32  size)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize flash_size;
  guint8 *flash = _esprit_sim_flash (l->sim, &flash_size);

  if ((guint64) addr + size > flash_size)
    {
      fail (l, op, ESPRIT_ROM_ERR_INVALID_PARAM);
      return;
    }
  /* model: the ROM reads and hashes at about 0.5 MB/s (well inside §2's 8 s/MB timeout). */
  _esprit_sim_board_busy (l->sim, (gint64) size * 2 / 1000);
  g_checksum_update (md5, flash + addr, size);
  /* §2: the ROM answers with 32 ASCII hex characters (the stub with 16 raw bytes). */
  reply (l, op, 0, (const guint8 *) g_checksum_get_string (md5), 32, 0, 0);
}

static int
read_frame (Loader     *l,
            GByteArray *frame)
{
  g_autoptr(EspritSlipDecoder) dec = esprit_slip_decoder_new (0x4000 + 64);

  for (;;)
    {
      int c = _esprit_sim_board_getc (l->sim, -1);
      EspritSlipResult r;

      if (c < 0)
        return c;
      r = esprit_slip_decoder_push (dec, (guint8) c);
      if (r == ESPRIT_SLIP_FRAME)
        {
          gsize n;
          const guint8 *f = esprit_slip_decoder_frame (dec, &n);

          g_byte_array_set_size (frame, 0);
          g_byte_array_append (frame, f, n);
          return 0;
        }
    }
}

static void
handle_security_info (Loader *l)
{
  guint8 info[20] = { 0 };
  gsize n = l->info == esprit_chip_get_info (ESPRIT_CHIP_ESP32S2) ? 12 : 20;

  /* §2: flags, crypt_cnt, 7 key purposes, chip_id, api_version; S2 sends the first 12. */
  esprit_write_le32 (info + 12, (guint32) l->info->security_chip_id);
  esprit_write_le32 (info + 16, 3);
  reply (l, ESPRIT_OP_GET_SECURITY_INFO, 0, info, n, 0, 0);
}

static void
handle_mem_data (Loader       *l,
                 const guint8 *data,
                 gsize         len,
                 guint32       checksum)
{
  const guint8 *block;
  guint32 block_len;

  if (!check_data_packet (l, data, len, checksum, ESPRIT_OP_MEM_DATA, &block, &block_len))
    return;
  if (l->mem_segment == NULL || esprit_read_le32 (data + 4) != l->mem_next_seq ||
      l->mem_segment->len + block_len > l->mem_size)
    {
      fail (l, ESPRIT_OP_MEM_DATA, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  l->mem_next_seq++;
  g_byte_array_append (l->mem_segment, block, block_len);
  ok (l, ESPRIT_OP_MEM_DATA);
}

static gboolean
uploaded_is_esprit_stub (Loader *l)
{
  EspritChip chip = ESPRIT_CHIP_ESP8266;
  const EspritStubImage *image;

  for (int i = 0; i < ESPRIT_N_CHIPS; i++)
    if (esprit_chip_get_info (i) == l->info)
      chip = i;
  image = esprit_stub_image_for_chip (chip);
  if (image == NULL)
    return FALSE;
  for (guint i = 0; i < image->n_segments; i++)
    {
      GByteArray *seg = g_hash_table_lookup (l->ram, GUINT_TO_POINTER (image->segments[i].load_addr));

      if (seg == NULL || seg->len != image->segments[i].length ||
          memcmp (seg->data, image->segments[i].data, seg->len) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
loader_clear (Loader *l)
{
  end_deflate (l);
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
      fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return -1;
    }

  if (!_esprit_sim_board_busy (l->sim, SIM_COMMAND_LATENCY_US))
    return ESPRIT_SIM_MODE_BOOTING;

  if (!supported (l, op))
    {
      /* §8.1/§1: unknown commands get failed=1, error 0x05 (the stub: invalid command).
       * model: the request's opcode is echoed. */
      fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return -1;
    }

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
            fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
            return -1;
          }
        _esprit_sim_board_sync_noise (l->sim);
        /* §2: a ROM replies 8 times with a nonzero (stale) value. */
        for (int i = 0; i < 8; i++)
          reply (l, op, 0x20120707u, NULL, 0, 0, 0);
        return -1;
      }

    case ESPRIT_OP_READ_REG:
      if (len != 4)
        {
          fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return -1;
        }
      reply (l, op, _esprit_sim_read_reg (l->sim, esprit_read_le32 (data)), NULL, 0, 0, 0);
      return -1;

    case ESPRIT_OP_WRITE_REG:
      /* ROMs take one 16-byte group (the stub several, §2). */
      if (len != 16)
        {
          fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return -1;
        }
      for (gsize i = 0; i < len; i += 16)
        {
          _esprit_sim_write_reg (l->sim, esprit_read_le32 (data + i), esprit_read_le32 (data + i + 4),
                                 esprit_read_le32 (data + i + 8));
          _esprit_sim_board_busy (l->sim, esprit_read_le32 (data + i + 12));
        }
      ok (l, op);
      return -1;

    case ESPRIT_OP_FLASH_BEGIN:
    case ESPRIT_OP_FLASH_DEFL_BEGIN:
      handle_flash_begin (l, op, data, len);
      return -1;

    case ESPRIT_OP_FLASH_DATA:
    case ESPRIT_OP_FLASH_DEFL_DATA:
      handle_flash_data (l, op, data, len, checksum);
      return -1;

    case ESPRIT_OP_FLASH_END:
    case ESPRIT_OP_FLASH_DEFL_END:
      {
        guint32 flag = len >= 4 ? esprit_read_le32 (data) : 0;

        if (len != 4)
          {
            fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
            return -1;
          }
        l->flashing = FALSE;
        end_deflate (l);
        ok (l, op);
        /* §8.5: a ROM leaves the loader on FLASH_END either way: flag 0 reboots, 1 runs the
         * user code. */
        _esprit_sim_board_tx_flush (l->sim);
        if (flag == 0)
          return _esprit_sim_soft_reboot (l->sim);
        return ESPRIT_SIM_MODE_APP;
      }

    case ESPRIT_OP_MEM_BEGIN:
      {
        guint32 addr;

        if (len != 16)
          {
            fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
            return -1;
          }
        addr = esprit_read_le32 (data + 12);
        /* §8.7: IRAM takes 32-bit accesses only. */
        if (addr >= 0x40000000 && addr % 4 != 0)
          {
            fail (l, op, ESPRIT_ROM_ERR_RAM_ADDR);
            return -1;
          }
        l->mem_size = esprit_read_le32 (data);
        l->mem_block = esprit_read_le32 (data + 8);
        l->mem_addr = addr;
        l->mem_next_seq = 0;
        l->mem_segment = g_byte_array_new ();
        g_hash_table_replace (l->ram, GUINT_TO_POINTER (addr), l->mem_segment);
        ok (l, op);
        return -1;
      }

    case ESPRIT_OP_MEM_DATA:
      handle_mem_data (l, data, len, checksum);
      l->uploaded = TRUE;
      return -1;

    case ESPRIT_OP_MEM_END:
      {
        guint32 flag, entry;

        if (len != 8)
          {
            fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
            return -1;
          }
        flag = esprit_read_le32 (data);
        entry = esprit_read_le32 (data + 4);
        ok (l, op);
        if (flag != 0)
          return -1;   /* §2: flag 0 = jump to entry; otherwise stay */
        _esprit_sim_board_tx_flush (l->sim);
        if (l->uploaded && entry >= l->info->stub_ram_start && entry < l->info->stub_ram_end)
          {
            l->esprit_stub = uploaded_is_esprit_stub (l);
            return ESPRIT_SIM_MODE_STUB;
          }
        return ESPRIT_SIM_MODE_APP;   /* §8.5: the loader is left for the loaded program */
      }

    case ESPRIT_OP_SPI_ATTACH:
      /* §2: the ROM wants 8 bytes (the stub exactly 4). */
      if (len != 8)
        {
          fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return -1;
        }
      l->attached = TRUE;
      ok (l, op);
      return -1;

    case ESPRIT_OP_SPI_SET_PARAMS:
      if (len != 24)
        {
          fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return -1;
        }
      ok (l, op);
      return -1;

    case ESPRIT_OP_READ_FLASH_SLOW:
      {
        guint8 buf[64];
        guint32 addr, n;
        gsize flash_size;
        guint8 *flash = _esprit_sim_flash (l->sim, &flash_size);

        if (len != 8 || (n = esprit_read_le32 (data + 4)) > 64 ||
            (guint64) (addr = esprit_read_le32 (data)) + n > flash_size)
          {
            fail (l, op, ESPRIT_ROM_ERR_READ_LENGTH);
            return -1;
          }
        /* §2: the reply always carries 64 data bytes, then the status. */
        memset (buf, 0, sizeof buf);
        memcpy (buf, flash + addr, n);
        reply (l, op, 0, buf, 64, 0, 0);
        return -1;
      }

    case ESPRIT_OP_CHANGE_BAUDRATE:
      {
        guint32 baud;

        if (len != 8 || (baud = esprit_read_le32 (data)) < 300 || baud > 5000000)
          {
            fail (l, op, ESPRIT_ROM_ERR_INVALID_PARAM);
            return -1;
          }
        /* §2: reply at the old rate, then switch. */
        ok (l, op);
        _esprit_sim_board_tx_flush (l->sim);
        _esprit_sim_board_busy (l->sim, 10000);
        _esprit_sim_board_set_baud (l->sim, baud);
        return -1;
      }

    case ESPRIT_OP_SPI_FLASH_MD5:
      if (len != 16)
        {
          fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
          return -1;
        }
      send_md5 (l, op, esprit_read_le32 (data), esprit_read_le32 (data + 4));
      return -1;

    case ESPRIT_OP_GET_SECURITY_INFO:
      handle_security_info (l);
      return -1;

    default:
      fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return -1;
    }
}

EspritSimMode
_esprit_sim_run_loader (EspritSim *sim)
{
  const EspritSimConfig *config = esprit_sim_get_config (sim);
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  Loader l = { 0 };
  int next = -1;

  l.sim = sim;
  l.info = esprit_chip_get_info (config->chip);
  l.rom8266 = config->chip == ESPRIT_CHIP_ESP8266;
  l.ram = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_byte_array_unref);

  while (next < 0)
    {
      l.status_len = l.info->rom_status_len;
      while (next < 0)
        {
          if (read_frame (&l, frame) < 0)
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

/* test-sim.c: the virtual board answers byte for byte like the ROM loaders
 * (protocol-facts §1, §2, §8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "esprit-command.h"
#include "esprit-flash.h"
#include "esprit-sim-private.h"
#include "esprit-test-util.h"

static void
assert_frame (GBytes       *frame,
              const guint8 *expect,
              gsize         len)
{
  gsize n;
  const guint8 *f = g_bytes_get_data (frame, &n);

  g_assert_cmpmem (f, n, expect, len);
}

static GBytes *
data_packet (guint32       seq,
             const guint8 *block,
             gsize         len,
             guint32      *checksum)
{
  guint8 *p = g_malloc (16 + len);

  esprit_write_le32 (p, (guint32) len);
  esprit_write_le32 (p + 4, seq);
  memset (p + 8, 0, 8);
  memcpy (p + 16, block, len);
  *checksum = esprit_checksum (block, len);
  return g_bytes_new_take (p, 16 + len);
}

static void
flash_begin (EspritSim *sim,
             guint32    erase,
             guint32    blocks,
             guint32    block_size,
             guint32    offset)
{
  guint8 b[16];
  g_autoptr(GPtrArray) r = NULL;
  static const guint8 ok[] = { 0x01, 0x02, 0x02, 0x00, 0x07, 0x07, 0x12, 0x20, 0x00, 0x00 };

  esprit_write_le32 (b, erase);
  esprit_write_le32 (b + 4, blocks);
  esprit_write_le32 (b + 8, block_size);
  esprit_write_le32 (b + 12, offset);
  r = esprit_test_exchange (sim, 0x02, b, 16, 0, 100);
  g_assert_cmpuint (r->len, ==, 1);
  assert_frame (r->pdata[0], ok, sizeof ok);
}

/* §2 SYNC: the ESP8266 ROM answers 01 08 02 00 07 07 12 20 00 00, eight times. */
static void
test_sync_replies (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 body[36] = { 0x07, 0x07, 0x12, 0x20 };
  static const guint8 expect[] = { 0x01, 0x08, 0x02, 0x00, 0x07, 0x07, 0x12, 0x20, 0x00, 0x00 };
  g_autoptr(GPtrArray) r = NULL;

  esprit_test_enter_loader (sim);
  memset (body + 4, 0x55, 32);
  r = esprit_test_exchange (sim, 0x08, body, 36, 0, 100);
  g_assert_cmpuint (r->len, ==, 8);
  for (guint i = 0; i < r->len; i++)
    assert_frame (r->pdata[i], expect, sizeof expect);
}

/* §1 real trace: READ_REG 0x40001000 → 01 0A 02 00 01 C1 F0 FF 00 00. */
static void
test_read_reg_trace (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 addr[4];
  static const guint8 expect[] = { 0x01, 0x0A, 0x02, 0x00, 0x01, 0xC1, 0xF0, 0xFF, 0x00, 0x00 };
  g_autoptr(GPtrArray) r = NULL;

  esprit_test_enter_loader (sim);
  esprit_write_le32 (addr, 0x40001000);
  r = esprit_test_exchange (sim, 0x0A, addr, 4, 0, 100);
  g_assert_cmpuint (r->len, ==, 1);
  assert_frame (r->pdata[0], expect, sizeof expect);
}

/* §1/§8.4 real trace: FLASH_DATA with a bad checksum → 01 03 02 00 07 07 12 20 01 07. */
static void
test_bad_checksum_trace (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  static const guint8 expect[] = { 0x01, 0x03, 0x02, 0x00, 0x07, 0x07, 0x12, 0x20, 0x01, 0x07 };
  guint8 block[0x400];
  guint32 checksum;
  g_autoptr(GBytes) pkt = NULL;
  g_autoptr(GPtrArray) r = NULL;

  esprit_test_enter_loader (sim);
  flash_begin (sim, 0x1000, 1, 0x400, 0);
  memset (block, 0xA5, sizeof block);
  pkt = data_packet (0, block, sizeof block, &checksum);
  r = esprit_test_exchange (sim, 0x03, g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt),
                            checksum ^ 0x5A, 100);
  g_assert_cmpuint (r->len, ==, 1);
  assert_frame (r->pdata[0], expect, sizeof expect);
}

/* §8.1: the ESP8266 ROM knows only 0x02-0x0A; everything else fails with 0x05. */
static void
test_unknown_opcodes (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  static const guint8 ops[] = { 0x0B, 0x0D, 0x0E, 0x0F, 0x10, 0x13, 0x14, 0xD0, 0xD2, 0xE0 };

  esprit_test_enter_loader (sim);
  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_autoptr(GPtrArray) r = esprit_test_exchange (sim, ops[i], NULL, 0, 0, 60);
      const guint8 *f;
      gsize n;

      g_assert_cmpuint (r->len, ==, 1);
      f = g_bytes_get_data (r->pdata[0], &n);
      g_assert_cmpuint (n, ==, 10);
      g_assert_cmpuint (f[1], ==, ops[i]);
      g_assert_cmpuint (f[2], ==, 2);   /* 2-byte status */
      g_assert_cmpuint (f[8], ==, 1);
      g_assert_cmpuint (f[9], ==, 0x05);
    }
}

/* §8.3: FLASH_BEGIN takes exactly 16 bytes on the ESP8266 ROM. */
static void
test_flash_begin_length (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 b[20] = { 0 };
  g_autoptr(GPtrArray) r = NULL;
  const guint8 *f;

  esprit_test_enter_loader (sim);
  r = esprit_test_exchange (sim, 0x02, b, 20, 0, 100);
  g_assert_cmpuint (r->len, ==, 1);
  f = g_bytes_get_data (r->pdata[0], NULL);
  g_assert_cmpuint (f[8], ==, 1);
}

/* NOR semantics: writing over unerased data clears bits only; the ROM reads back and answers
 * 0x08 (§8.4). A repeated sequence number is refused with 0x05. */
static void
test_nor_and_sequence (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  static const guint8 ok[] = { 0x01, 0x03, 0x02, 0x00, 0x07, 0x07, 0x12, 0x20, 0x00, 0x00 };
  guint8 zeros[0x1000] = { 0 }, block[0x400];
  g_autoptr(GBytes) pkt = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GPtrArray) r2 = NULL;
  guint32 checksum;
  const guint8 *f;

  /* Flash holds 0x0F at 0x8000: not erased for the write below (which erases 0x0000...). */
  memset (zeros, 0x0F, sizeof zeros);
  esprit_sim_load_flash (sim, 0x8000, zeros, sizeof zeros);
  esprit_test_enter_loader (sim);
  /* Erase size 0 at 0x8000: nothing is erased, then write 0xF0 there. */
  flash_begin (sim, 0, 1, 0x400, 0x8000);
  memset (block, 0xF0, sizeof block);
  pkt = data_packet (0, block, sizeof block, &checksum);
  r = esprit_test_exchange (sim, 0x03, g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt),
                            checksum, 100);
  g_assert_cmpuint (r->len, ==, 1);
  f = g_bytes_get_data (r->pdata[0], NULL);
  g_assert_cmpuint (f[8], ==, 1);
  g_assert_cmpuint (f[9], ==, 0x08);
  flash = esprit_sim_dup_flash (sim);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (flash, NULL))[0x8000], ==, 0x00);

  /* A proper erase, a good block, then the same block again. */
  flash_begin (sim, 0x1000, 2, 0x400, 0x10000);
  r2 = esprit_test_exchange (sim, 0x03, g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt),
                             checksum, 100);
  g_assert_cmpuint (r2->len, ==, 1);
  assert_frame (r2->pdata[0], ok, sizeof ok);
  g_ptr_array_unref (r2);
  r2 = esprit_test_exchange (sim, 0x03, g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt),
                             checksum, 100);
  f = g_bytes_get_data (r2->pdata[0], NULL);
  g_assert_cmpuint (f[8], ==, 1);
  g_assert_cmpuint (f[9], ==, 0x05);
}

static guint32
erased_span (EspritSim *sim,
             guint32    from)
{
  g_autoptr(GBytes) flash = esprit_sim_dup_flash (sim);
  const guint8 *f = g_bytes_get_data (flash, NULL);
  guint32 end = from;

  while (f[end] == 0xFF)
    end++;
  return end - from;
}

/* §2 erase-size bug: a naive size at 0x3000 erases 13 head sectors too many; the workaround
 * size erases what was meant (an even count here). */
static void
test_erase_size_bug (void)
{
  g_autoptr(GBytes) fill = esprit_test_random_bytes (0x40000, 3);
  guint8 *zeros = g_malloc0 (0x40000);

  for (int workaround = 0; workaround < 2; workaround++)
    {
      g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
      guint32 size = 0x8000;   /* 8 sectors from 0x3000: 13 sectors to the block end */

      esprit_sim_load_flash (sim, 0, zeros, 0x40000);
      esprit_test_enter_loader (sim);
      flash_begin (sim, workaround ? esprit_flash_esp8266_erase_size (0x3000, size) : size, 0,
                   0x400, 0x3000);
      if (workaround)
        g_assert_cmpuint (erased_span (sim, 0x3000), ==, size);
      else
        g_assert_cmpuint (erased_span (sim, 0x3000), ==, size + 8 * 0x1000);
    }
  g_free (zeros);
}

/* §2: the host's workaround size, sent to the sim's model of the ROM (written from the ROM's
 * side, not with the host's function), erases the sectors meant: all of them, and at most one
 * more (an odd count before the first block boundary), never before the offset. */
static void
test_erase_size_host_formula (void)
{
  static const guint32 offsets[] = { 0, 0x1000, 0x3000, 0xE000, 0xF000, 0x10000, 0x2B000 };
  static const guint32 sizes[] = { 0x1000, 0x2000, 0x3000, 0x5000, 0x8000, 0xD000, 0x10000,
                                   0x11000, 0x23000, 0x3F000 };
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 *zeros = g_malloc0 (0x80000);

  esprit_test_enter_loader (sim);
  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    for (guint j = 0; j < G_N_ELEMENTS (sizes); j++)
      {
        guint32 off = offsets[i], size = sizes[j];
        g_autoptr(GBytes) flash = NULL;
        guint32 span;
        guint8 b[16];
        g_autoptr(GPtrArray) r = NULL;

        esprit_sim_load_flash (sim, 0, zeros, 0x80000);
        esprit_write_le32 (b, esprit_flash_esp8266_erase_size (off, size));
        esprit_write_le32 (b + 4, 0);
        esprit_write_le32 (b + 8, 0x400);
        esprit_write_le32 (b + 12, off);
        r = esprit_test_exchange (sim, 0x02, b, 16, 0, 30);
        g_assert_cmpuint (r->len, ==, 1);
        g_assert_cmpuint (((const guint8 *) g_bytes_get_data (r->pdata[0], NULL))[8], ==, 0);
        span = erased_span (sim, off);
        g_test_message ("offset 0x%x size 0x%x: erased 0x%x", off, size, span);
        g_assert_cmpuint (span, >=, size);
        g_assert_cmpuint (span, <=, size + 0x1000);
        flash = esprit_sim_dup_flash (sim);
        if (off > 0)
          g_assert_cmpuint (((const guint8 *) g_bytes_get_data (flash, NULL))[off - 1], ==, 0);
      }
  g_free (zeros);
}

/* §8.6: after a reset into download mode the ESP8266 prints its boot log at 74880 baud. */
static void
test_boot_log_74880 (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  guint8 buf[256];
  gssize n;

  esprit_sim_set_lines (sim, FALSE, TRUE);
  g_usleep (20000);
  esprit_sim_host_flush (sim);
  esprit_sim_set_lines (sim, TRUE, FALSE);
  g_usleep (30000);
  esprit_sim_set_lines (sim, FALSE, FALSE);
  while ((n = esprit_sim_host_read (sim, buf, sizeof buf, 74880, 50, NULL, NULL)) > 0)
    g_string_append_len (text, (const char *) buf, n);
  g_assert_nonnull (strstr (text->str, "ets Jan  8 2013,rst cause:2, boot mode:(1,7)"));
  g_assert_cmpuint (esprit_sim_get_boot_mode (sim), ==, 1);

  /* The same bytes read at 115200 are garbage. */
  g_string_truncate (text, 0);
  esprit_sim_set_lines (sim, FALSE, TRUE);
  g_usleep (20000);
  esprit_sim_host_flush (sim);
  esprit_sim_set_lines (sim, TRUE, FALSE);
  g_usleep (30000);
  esprit_sim_set_lines (sim, FALSE, FALSE);
  while ((n = esprit_sim_host_read (sim, buf, sizeof buf, 115200, 50, NULL, NULL)) > 0)
    g_string_append_len (text, (const char *) buf, n);
  g_assert_cmpuint (text->len, >, 20);
  g_assert_null (strstr (text->str, "ets Jan"));
}

/* §3: both lines asserted do nothing (two-transistor circuit); RTS alone resets and the
 * program boots (GPIO0 high). */
static void
test_reset_circuit (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint resets;

  g_usleep (20000);
  resets = esprit_sim_get_reset_count (sim);
  esprit_sim_set_lines (sim, TRUE, TRUE);
  g_usleep (20000);
  esprit_sim_set_lines (sim, FALSE, FALSE);
  g_usleep (20000);
  g_assert_cmpuint (esprit_sim_get_reset_count (sim), ==, resets);

  esprit_sim_set_lines (sim, FALSE, TRUE);
  g_usleep (20000);
  esprit_sim_set_lines (sim, FALSE, FALSE);
  g_usleep (30000);
  g_assert_cmpuint (esprit_sim_get_reset_count (sim), ==, resets + 1);
  g_assert_cmpuint (esprit_sim_get_boot_mode (sim), ==, 3);
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_APP);
}

/* §8.5: FLASH_END leaves the loader: afterwards no SLIP, only application text. */
static void
test_flash_end_leaves_loader (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 flag[4] = { 1, 0, 0, 0 };
  guint8 body[36] = { 0x07, 0x07, 0x12, 0x20 };
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GPtrArray) r2 = NULL;

  esprit_test_enter_loader (sim);
  r = esprit_test_exchange (sim, 0x04, flag, 4, 0, 100);
  g_assert_cmpuint (r->len, ==, 1);
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_APP);
  memset (body + 4, 0x55, 32);
  r2 = esprit_test_exchange (sim, 0x08, body, 36, 0, 200);
  g_assert_cmpuint (r2->len, ==, 0);
}

/* §1: ESP32-family ROMs send 4 status bytes; §2: MD5 as 32 hex characters; READ_FLASH_SLOW
 * always 64 data bytes. */
static void
test_esp32_rom (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP32, NULL);
  guint8 attach[8] = { 0 }, md5req[16] = { 0 }, rd[8];
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) m = NULL;
  g_autoptr(GPtrArray) s = NULL;
  g_autoptr(GPtrArray) sec = NULL;
  static const guint8 attach_ok[] = { 0x01, 0x0D, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0 };
  const guint8 *f;
  gsize n;

  esprit_test_enter_loader (sim);
  a = esprit_test_exchange (sim, 0x0D, attach, 8, 0, 100);
  g_assert_cmpuint (a->len, ==, 1);
  assert_frame (a->pdata[0], attach_ok, sizeof attach_ok);

  esprit_write_le32 (md5req + 4, 0x1000);
  m = esprit_test_exchange (sim, 0x13, md5req, 16, 0, 200);
  f = g_bytes_get_data (m->pdata[0], &n);
  g_assert_cmpuint (n, ==, 8 + 32 + 4);
  /* MD5 of 4096 bytes of 0xFF */
  g_assert_cmpmem (f + 8, 32, "6ae59e64850377ee5470c854761551ea", 32);

  esprit_write_le32 (rd, 0);
  esprit_write_le32 (rd + 4, 16);
  s = esprit_test_exchange (sim, 0x0E, rd, 8, 0, 100);
  f = g_bytes_get_data (s->pdata[0], &n);
  g_assert_cmpuint (n, ==, 8 + 64 + 4);

  /* The original ESP32 ROM has no GET_SECURITY_INFO. */
  sec = esprit_test_exchange (sim, 0x14, NULL, 0, 0, 100);
  f = g_bytes_get_data (sec->pdata[0], &n);
  g_assert_cmpuint (f[8], ==, 1);
  g_assert_cmpuint (f[9], ==, 0x05);
}

/* §2: GET_SECURITY_INFO gives 20 bytes with the chip id on S3/C3, 12 on the S2. */
static void
test_security_info (void)
{
  static const struct { EspritChip chip; gsize len; guint32 id; } cases[] = {
    { ESPRIT_CHIP_ESP32S2, 12, 0 }, { ESPRIT_CHIP_ESP32S3, 20, 9 }, { ESPRIT_CHIP_ESP32C3, 20, 5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EspritSim) sim = esprit_test_new_board (cases[i].chip, NULL);
      g_autoptr(GPtrArray) r = NULL;
      const guint8 *f;
      gsize n;

      esprit_test_enter_loader (sim);
      r = esprit_test_exchange (sim, 0x14, NULL, 0, 0, 100);
      f = g_bytes_get_data (r->pdata[0], &n);
      g_assert_cmpuint (n, ==, 8 + cases[i].len + 4);
      if (cases[i].len == 20)
        g_assert_cmpuint (esprit_read_le32 (f + 8 + 12), ==, cases[i].id);
    }
}

/* Issue 10 item 3: WRITE_REG with several 16-byte groups is accepted by every ROM and each
 * group is applied; a length that is no multiple of 16 is refused. */
static void
test_write_reg_groups (void)
{
  for (int chip = 0; chip < ESPRIT_N_CHIPS; chip++)
    {
      g_autoptr(EspritSim) sim = esprit_test_new_board (chip, NULL);
      /* Two registers of the chip's SPI controller's data buffer (W0, W0 + 4). */
      guint32 w0 = esprit_chip_get_info (chip)->spi.w0;
      guint8 groups[48] = { 0 };
      guint8 addr[4];
      g_autoptr(GPtrArray) r = NULL;
      g_autoptr(GPtrArray) bad = NULL;
      g_autoptr(GPtrArray) back = NULL;
      const guint8 *f;
      gsize n;

      esprit_test_enter_loader (sim);
      for (int i = 0; i < 2; i++)
        {
          esprit_write_le32 (groups + 16 * i, w0 + 4 * i);
          esprit_write_le32 (groups + 16 * i + 4, 0xA5A50000u + i);
          esprit_write_le32 (groups + 16 * i + 8, 0xFFFFFFFFu);
        }
      esprit_write_le32 (groups + 32 + 12, 100);   /* a third group: a delay only */
      r = esprit_test_exchange (sim, 0x09, groups, 48, 0, 60);
      g_assert_cmpuint (r->len, ==, 1);
      f = g_bytes_get_data (r->pdata[0], &n);
      g_assert_cmpuint (f[8], ==, 0);
      esprit_write_le32 (addr, w0 + 4);
      back = esprit_test_exchange (sim, 0x0A, addr, 4, 0, 60);
      f = g_bytes_get_data (back->pdata[0], &n);
      g_assert_cmpuint (esprit_read_le32 (f + 4), ==, 0xA5A50001u);
      bad = esprit_test_exchange (sim, 0x09, groups, 20, 0, 60);
      f = g_bytes_get_data (bad->pdata[0], &n);
      g_assert_cmpuint (f[8], ==, 1);
      g_assert_cmpuint (f[9], ==, 0x05);
    }
}

static void
rom_write_reg (EspritSim *sim,
               guint32    addr,
               guint32    value)
{
  guint8 group[16] = { 0 };

  esprit_write_le32 (group, addr);
  esprit_write_le32 (group + 4, value);
  esprit_write_le32 (group + 8, 0xFFFFFFFFu);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x09, group, 16, 0, 30));
}

static guint32
rom_read_reg (EspritSim *sim,
              guint32    addr)
{
  guint8 a[4];
  g_autoptr(GPtrArray) r = NULL;

  esprit_write_le32 (a, addr);
  r = esprit_test_exchange (sim, 0x0A, a, 4, 0, 30);
  g_assert_cmpuint (r->len, ==, 1);
  return esprit_read_le32 ((const guint8 *) g_bytes_get_data (r->pdata[0], NULL) + 4);
}

/* RDID (0x9F) through the SPI user-command registers, the way a host does it (§5). */
static guint32
spi_jedec (EspritSim  *sim,
           EspritChip  chip)
{
  const EspritSpiRegs *spi = &esprit_chip_get_info (chip)->spi;

  if (spi->miso_dlen == 0)
    rom_write_reg (sim, spi->usr1, 23u << 8);
  else
    rom_write_reg (sim, spi->miso_dlen, 23);
  rom_write_reg (sim, spi->usr, (1u << 31) | (1u << 28));
  rom_write_reg (sim, spi->usr2, (7u << 28) | 0x9F);
  rom_write_reg (sim, spi->base, 1u << 18);
  return rom_read_reg (sim, spi->w0) & 0xFFFFFF;
}

/* RDSFDP (0x5A) through the user-command registers as esptool's read_spiflash_sfdp does: a
 * 24-bit address (left-aligned on the ESP8266/ESP32), 8 dummy clocks, @len bytes. */
static void
spi_sfdp (EspritSim  *sim,
          EspritChip  chip,
          guint32     addr,
          guint8     *out,
          guint       len)
{
  const EspritSpiRegs *spi = &esprit_chip_get_info (chip)->spi;
  gboolean msb = chip == ESPRIT_CHIP_ESP8266 || chip == ESPRIT_CHIP_ESP32;
  guint32 usr1 = (23u << 26) | 7u;

  if (spi->miso_dlen == 0)
    usr1 |= (len * 8 - 1) << 8;
  else
    rom_write_reg (sim, spi->miso_dlen, len * 8 - 1);
  rom_write_reg (sim, spi->usr1, usr1);
  rom_write_reg (sim, spi->usr, (1u << 31) | (1u << 30) | (1u << 29) | (1u << 28));
  rom_write_reg (sim, spi->usr2, (7u << 28) | 0x5A);
  rom_write_reg (sim, spi->base + 4, msb ? addr << 8 : addr);
  rom_write_reg (sim, spi->base, 1u << 18);
  for (guint i = 0; i < len; i += 4)
    {
      guint32 w = rom_read_reg (sim, spi->w0 + i);

      for (guint b = 0; b < 4 && i + b < len; b++)
        out[i + b] = (guint8) (w >> (8 * b));
    }
}

/* Issue 10 item 7: the W25Q32JV's SFDP: the JESD216 header, the parameter header pointing at
 * the basic flash parameter table, and the table (density, erase types), on a chip with the
 * address left-aligned (ESP32) and one with it right-aligned (ESP32-C3), and the ESP8266. */
static void
test_sfdp (void)
{
  static const EspritChip chips[] = { ESPRIT_CHIP_ESP8266, ESPRIT_CHIP_ESP32, ESPRIT_CHIP_ESP32C3 };

  for (guint c = 0; c < G_N_ELEMENTS (chips); c++)
    {
      g_autoptr(EspritSim) sim = esprit_test_new_board (chips[c], NULL);
      guint8 attach[16] = { 0 }, head[16], bfpt[36], tail[4];
      guint32 ptr, dwords;

      esprit_test_enter_loader (sim);
      if (chips[c] == ESPRIT_CHIP_ESP8266)
        {
          esprit_write_le32 (attach + 8, 0x400);
          g_ptr_array_unref (esprit_test_exchange (sim, 0x02, attach, 16, 0, 30));
        }
      else
        g_ptr_array_unref (esprit_test_exchange (sim, 0x0D, attach, 8, 0, 30));
      spi_sfdp (sim, chips[c], 0, head, sizeof head);
      g_assert_cmpmem (head, 4, "SFDP", 4);
      g_assert_cmpuint (head[5], ==, 1);            /* major revision 1 */
      g_assert_cmpuint (head[6], ==, 0);            /* one parameter header */
      g_assert_cmpuint (head[8], ==, 0x00);         /* JEDEC basic flash parameters */
      dwords = head[11];
      ptr = head[12] | head[13] << 8 | head[14] << 16;
      g_assert_cmpuint (dwords, ==, 9);
      g_assert_cmphex (ptr, ==, 0x80);
      spi_sfdp (sim, chips[c], ptr, bfpt, sizeof bfpt);
      g_assert_cmphex (esprit_read_le32 (bfpt + 4), ==, 32 * 1024 * 1024 - 1);  /* bits - 1 */
      g_assert_cmpuint (bfpt[0] & 3, ==, 1);        /* 4 KB erase everywhere */
      g_assert_cmphex (bfpt[1], ==, 0x20);          /* ... with 20h */
      /* Erase types: 2^12 with 20h, 2^15 with 52h, 2^16 with D8h, none. */
      g_assert_cmpmem (bfpt + 28, 8,
                       ((const guint8[]) { 0x0C, 0x20, 0x0F, 0x52, 0x10, 0xD8, 0, 0 }), 8);
      spi_sfdp (sim, chips[c], 0x80 + 36, tail, sizeof tail);
      g_assert_cmpmem (tail, 4, ((const guint8[]) { 0xFF, 0xFF, 0xFF, 0xFF }), 4);
    }
}

/* Issue 10 item 4: after a boot the flash is detached: RDID reads 0xFFFFFF until SPI_ATTACH
 * (ESP32 family) or FLASH_BEGIN (ESP8266) attaches it; a reset detaches it again. */
static void
test_jedec_before_attach (void)
{
  for (int chip = 0; chip < ESPRIT_N_CHIPS; chip++)
    {
      g_autoptr(EspritSim) sim = esprit_test_new_board (chip, NULL);
      guint8 attach[16] = { 0 };

      esprit_test_enter_loader (sim);
      g_assert_cmphex (spi_jedec (sim, chip), ==, 0xFFFFFF);
      if (chip == ESPRIT_CHIP_ESP8266)
        {
          esprit_write_le32 (attach + 8, 0x400);
          g_ptr_array_unref (esprit_test_exchange (sim, 0x02, attach, 16, 0, 30));
        }
      else
        g_ptr_array_unref (esprit_test_exchange (sim, 0x0D, attach, 8, 0, 30));
      g_assert_cmphex (spi_jedec (sim, chip), ==, 0x1640EF);   /* W25Q32: EF 40 16 */
      esprit_test_enter_loader (sim);
      g_assert_cmphex (spi_jedec (sim, chip), ==, 0xFFFFFF);
    }
}

/* Issue 10 item 5: a standard client's ESP32 ROM baud change (esptool ESP32ROM.change_baud):
 * it reads the ROM's crystal estimate from RTCCALICFG1 and eFuse CLK8M_FREQ, scales the rate it
 * asks for, and the wire then runs at the rate it wanted. The eFuse block decodes (as esptool
 * does) to an ESP32-D0WD-V3 rated 240 MHz with Vref calibration. */
static void
test_esp32_rom_crystal (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP32, NULL);
  guint32 cali, ck8m, word3, word4, word5, apb_date, pkg, major, minor;
  double rom_freq, valid_freq;
  guint8 req[8] = { 0 };
  g_autoptr(GPtrArray) r = NULL;
  static const guint rev_by_bits[8] = { 0, 1, 0, 2, 0, 0, 0, 3 };

  esprit_test_enter_loader (sim);
  cali = (rom_read_reg (sim, 0x3FF5F06C) >> 7) & 0x01FFFFFF;
  ck8m = rom_read_reg (sim, 0x3FF5A010) & 0xFF;
  rom_freq = (double) cali * 15625 * ck8m / 40;
  g_test_message ("ROM crystal estimate %.0f Hz", rom_freq);
  g_assert_cmpfloat (rom_freq, >, 33e6);
  g_assert_cmpfloat (rom_freq, <, 42e6);
  valid_freq = rom_freq > 33e6 ? 40e6 : 26e6;

  word3 = rom_read_reg (sim, 0x3FF5A00C);
  word4 = rom_read_reg (sim, 0x3FF5A010);
  word5 = rom_read_reg (sim, 0x3FF5A014);
  apb_date = rom_read_reg (sim, 0x3FF6607C);
  pkg = ((word3 >> 9) & 7) | (((word3 >> 2) & 1) << 3);
  major = rev_by_bits[(((apb_date >> 31) & 1) << 2) | (((word5 >> 20) & 1) << 1) |
                      ((word3 >> 15) & 1)];
  minor = (word5 >> 24) & 3;
  g_assert_cmpuint (pkg, ==, 1);            /* ESP32-D0WD(-V3) */
  g_assert_cmpuint (major, ==, 3);          /* "-V3", revision v3.0 */
  g_assert_cmpuint (minor, ==, 0);
  g_assert_cmpuint (word3 & 3, ==, 0);      /* dual core, BT */
  g_assert_cmpuint (word3 & (3u << 12), ==, 1u << 13);   /* rated, not low: 240 MHz */
  g_assert_cmpuint ((word4 >> 8) & 0x1F, !=, 0);        /* Vref calibration in eFuse */

  /* The baud change last: the exchanges above run at 115200. */
  esprit_write_le32 (req, (guint32) (921600 * rom_freq / valid_freq));
  r = esprit_test_exchange (sim, 0x0F, req, 8, 0, 60);
  g_assert_cmpuint (r->len, ==, 1);
  g_usleep (20000);
  g_assert_cmpuint (esprit_sim_get_uart_baud (sim), >=, 921600 - 921600 / 1000);
  g_assert_cmpuint (esprit_sim_get_uart_baud (sim), <=, 921600 + 921600 / 1000);
}

/* Faults: the Nth reply frame is dropped. */
static void
test_fault_drop_frame (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  EspritSimFaults faults = ESPRIT_SIM_FAULTS_NONE;
  guint8 addr[4];
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GPtrArray) r2 = NULL;

  esprit_test_enter_loader (sim);
  faults.drop_frame = 1;
  esprit_sim_set_faults (sim, &faults);
  esprit_write_le32 (addr, 0x40001000);
  r = esprit_test_exchange (sim, 0x0A, addr, 4, 0, 100);
  g_assert_cmpuint (r->len, ==, 0);
  r2 = esprit_test_exchange (sim, 0x0A, addr, 4, 0, 100);
  g_assert_cmpuint (r2->len, ==, 1);
}

/* The stub personality: entered by MEM_END after a stub the board knows was loaded; says
 * OHAI, answers SYNC with value 0 and 2 status bytes. */
static void
test_stub_mode (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP32, NULL);
  guint8 begin[16], end[8], word[4] = { 1, 2, 3, 4 };
  guint32 checksum;
  g_autoptr(GBytes) pkt = NULL;
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GPtrArray) r2 = NULL;
  guint8 body[36] = { 0x07, 0x07, 0x12, 0x20 };
  const guint8 *f;
  gsize n;

  /* The board runs only stubs it knows: tell it this one is. */
  esprit_sim_trust_stub (sim, 0x40090000, word, sizeof word);
  esprit_test_enter_loader (sim);
  esprit_write_le32 (begin, 4);
  esprit_write_le32 (begin + 4, 1);
  esprit_write_le32 (begin + 8, 0x1800);
  esprit_write_le32 (begin + 12, 0x40090000);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x05, begin, 16, 0, 50));
  pkt = data_packet (0, word, 4, &checksum);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x07, g_bytes_get_data (pkt, NULL), 20, checksum, 50));
  esprit_write_le32 (end, 0);
  esprit_write_le32 (end + 4, 0x40090000);
  r = esprit_test_exchange (sim, 0x06, end, 8, 0, 100);
  g_assert_cmpuint (r->len, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (r->pdata[1], NULL), 4, "OHAI", 4);
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_STUB);

  memset (body + 4, 0x55, 32);
  r2 = esprit_test_exchange (sim, 0x08, body, 36, 0, 100);
  g_assert_cmpuint (r2->len, ==, 8);
  f = g_bytes_get_data (r2->pdata[0], &n);
  g_assert_cmpuint (n, ==, 10);
  g_assert_cmpuint (esprit_read_le32 (f + 4), ==, 0);
}

/* The stub core's refusals, as the common stubs give them (§1 stub codes), behind a program
 * that is not Esprit's stub (so its extensions stay off). */
static guint8
stub_status (EspritSim    *sim,
             guint8        op,
             const guint8 *data,
             gsize         len,
             guint32       checksum)
{
  g_autoptr(GPtrArray) r = esprit_test_exchange (sim, op, data, len, checksum, 100);
  const guint8 *f;
  gsize n;

  g_assert_cmpuint (r->len, ==, 1);
  f = g_bytes_get_data (r->pdata[0], &n);
  g_assert_cmpuint (n, ==, 10);                    /* 2 status bytes (§1) */
  g_assert_cmpuint (f[1], ==, op);
  g_assert_cmpuint (f[8], ==, f[9] != 0);
  return f[9];
}

static void
test_stub_refusals (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 begin[16], end[8], word[4] = { 1, 2, 3, 4 }, flag[4] = { 1, 0, 0, 0 };
  guint32 checksum;
  g_autoptr(GBytes) pkt = NULL;
  g_autoptr(GBytes) data = NULL;

  esprit_sim_trust_stub (sim, 0x4010B000, word, sizeof word);
  esprit_test_enter_loader (sim);
  esprit_write_le32 (begin, 4);
  esprit_write_le32 (begin + 4, 1);
  esprit_write_le32 (begin + 8, 0x1800);
  esprit_write_le32 (begin + 12, 0x4010B000);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x05, begin, 16, 0, 50));
  pkt = data_packet (0, word, 4, &checksum);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x07, g_bytes_get_data (pkt, NULL), 20, checksum, 50));
  esprit_write_le32 (end, 0);
  esprit_write_le32 (end + 4, 0x4010B000);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x06, end, 8, 0, 100));
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_STUB);

  data = data_packet (0, word, 4, &checksum);
  /* DATA before BEGIN: not in flash mode. */
  g_assert_cmpuint (stub_status (sim, 0x03, g_bytes_get_data (data, NULL), 20, checksum), ==, 0xC6);
  /* Blocks above 16 KB. */
  esprit_write_le32 (begin, 100);
  esprit_write_le32 (begin + 4, 1);
  esprit_write_le32 (begin + 8, 0x8000);
  esprit_write_le32 (begin + 12, 0x1000);
  g_assert_cmpuint (stub_status (sim, 0x02, begin, 16, 0), ==, 0xC2);
  esprit_write_le32 (begin + 8, 0x4000);
  g_assert_cmpuint (stub_status (sim, 0x02, begin, 16, 0), ==, 0x00);
  /* A bad checksum, then END before the 100 bytes came. */
  g_assert_cmpuint (stub_status (sim, 0x03, g_bytes_get_data (data, NULL), 20, checksum ^ 1), ==, 0xC1);
  g_assert_cmpuint (stub_status (sim, 0x04, flag, 4, 0), ==, 0xC8);
  /* Unknown commands and Esprit's extensions (this is not Esprit's stub). */
  g_assert_cmpuint (stub_status (sim, 0x55, NULL, 0, 0), ==, 0xC3);
  g_assert_cmpuint (stub_status (sim, 0xE0, NULL, 0, 0), ==, 0xC3);
  /* ERASE_REGION must be sector-aligned. */
  esprit_write_le32 (end, 0x1000);
  esprit_write_le32 (end + 4, 0x800);
  g_assert_cmpuint (stub_status (sim, 0xD1, end, 8, 0), ==, 0xC0);
}

/* A board with an events file (removed with the board by the caller). */
static EspritSim *
new_board_with_events (EspritChip   chip,
                       char       **events_path)
{
  EspritSimConfig config = { 0 };
  EspritSim *sim;
  int fd = g_file_open_tmp ("esprit-sim-events-XXXXXX", events_path, NULL);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  config.chip = chip;
  config.lines_wired = TRUE;
  config.events_path = *events_path;
  sim = esprit_sim_new (&config, NULL);
  g_assert_nonnull (sim);
  while (esprit_sim_get_reset_count (sim) == 0 ||
         esprit_sim_get_mode (sim) == ESPRIT_SIM_MODE_BOOTING)
    g_usleep (1000);
  return sim;
}

/* Uploads @len bytes at @addr with MEM_BEGIN/MEM_DATA in 0x1800 blocks (§12.0), then sends
 * MEM_END(@entry == 0, @entry) as esptool does (§2); returns the frames that came back. */
static GPtrArray *
run_from_ram (EspritSim    *sim,
              guint32       addr,
              const guint8 *text,
              gsize         len,
              guint32       entry)
{
  guint8 begin[16], end[8];
  guint32 blocks = (guint32) ((len + 0x17FF) / 0x1800);

  esprit_write_le32 (begin, (guint32) len);
  esprit_write_le32 (begin + 4, blocks);
  esprit_write_le32 (begin + 8, 0x1800);
  esprit_write_le32 (begin + 12, addr);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x05, begin, 16, 0, 30));
  for (guint32 seq = 0; seq < blocks; seq++)
    {
      gsize n = MIN (0x1800, len - seq * 0x1800);
      guint32 checksum;
      g_autoptr(GBytes) pkt = data_packet (seq, text + seq * 0x1800, n, &checksum);
      g_autoptr(GPtrArray) r = esprit_test_exchange (sim, 0x07, g_bytes_get_data (pkt, NULL),
                                                     g_bytes_get_size (pkt), checksum, 30);

      g_assert_cmpuint (r->len, ==, 1);
      g_assert_cmpuint (((const guint8 *) g_bytes_get_data (r->pdata[0], NULL))[8], ==, 0);
    }
  esprit_write_le32 (end, entry == 0);
  esprit_write_le32 (end + 4, entry);
  return esprit_test_exchange (sim, 0x06, end, 8, 0, 100);
}

/* Issue 10 item 2: a hello-world loaded into RAM (entry 0x40108008 on the ESP8266, 0x4008C008
 * on the ESP32) is not a stub: it "runs", the loader stops answering, the events file says
 * what started, and a reset brings the ROM back. */
static void
test_ram_program (gconstpointer data)
{
  EspritChip chip = GPOINTER_TO_INT (data);
  guint32 entry = chip == ESPRIT_CHIP_ESP8266 ? 0x40108008 : 0x4008C008;
  g_autofree char *events_path = NULL;
  g_autoptr(EspritSim) sim = new_board_with_events (chip, &events_path);
  g_autoptr(GBytes) program = esprit_test_random_bytes (0x2100, 7);
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GPtrArray) r2 = NULL;
  g_autofree char *events = NULL;
  g_autofree char *expect = NULL;
  guint8 body[36] = { 0x07, 0x07, 0x12, 0x20 };

  esprit_test_enter_loader (sim);
  r = run_from_ram (sim, entry - 8, g_bytes_get_data (program, NULL), 0x2100, entry);
  g_assert_cmpuint (r->len, ==, 1);   /* MEM_END's reply, no OHAI */
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_RAM_PROGRAM);
  memset (body + 4, 0x55, 32);
  r2 = esprit_test_exchange (sim, 0x08, body, 36, 0, 100);
  g_assert_cmpuint (r2->len, ==, 0);
  g_assert_true (g_file_get_contents (events_path, &events, NULL, NULL));
  expect = g_strdup_printf ("ram: program started at entry 0x%08x (1 segments: 0x%08x+8448)",
                            entry, entry - 8);
  g_assert_nonnull (strstr (events, expect));
  esprit_test_enter_loader (sim);
  g_unlink (events_path);
}

/* Issue 10 item 1: a stub the board knows runs wherever its entry is; the widely used ESP32
 * stub lives at 0x400A8000 with entry 0x400A902C (§12.1), outside 0x40080000-0x400A0000. */
static void
test_known_stub_anywhere (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP32, NULL);
  g_autoptr(GBytes) text = esprit_test_random_bytes (0x1938, 9);
  g_autoptr(GPtrArray) r = NULL;

  esprit_sim_trust_stub (sim, 0x400A8000, g_bytes_get_data (text, NULL), 0x1938);
  esprit_test_enter_loader (sim);
  r = run_from_ram (sim, 0x400A8000, g_bytes_get_data (text, NULL), 0x1938, 0x400A902C);
  g_assert_cmpuint (r->len, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (r->pdata[1], NULL), g_bytes_get_size (r->pdata[1]), "OHAI", 4);
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_STUB);
}

/* The public stubs' table agrees with protocol-facts §12.1: the entry lies inside the text,
 * the text inside the stub's linker region for the chip; two per chip (v1, v2). */
static void
test_known_stub_table (void)
{
  static const struct { EspritChip chip; guint32 start, end; } iram[] = {
    { ESPRIT_CHIP_ESP8266, 0x40100000, 0x40110000 },   /* §6: IRAM with the upper 32 KB */
    /* EFS 0x400A8000+0x2100, LEG 0x400BE000+0x1000 */
    { ESPRIT_CHIP_ESP32, 0x400A8000, 0x400BF000 },
    { ESPRIT_CHIP_ESP32S2, 0x40028000, 0x40040000 },
    { ESPRIT_CHIP_ESP32S3, 0x40378000, 0x40390000 },
    { ESPRIT_CHIP_ESP32C3, 0x40380000, 0x40384500 },
    { ESPRIT_CHIP_ESP32C6, 0x40800000, 0x40804500 },
  };
  guint n, per_chip[ESPRIT_N_CHIPS] = { 0 };
  const SimKnownStub *k = _esprit_sim_known_stubs (&n);

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (k[i].entry, >=, k[i].text_start);
      g_assert_cmpuint (k[i].entry, <, k[i].text_start + k[i].text_len);
      g_assert_cmpuint (strlen (k[i].text_sha256), ==, 64);
      for (guint j = 0; j < G_N_ELEMENTS (iram); j++)
        if (iram[j].chip == k[i].chip)
          {
            g_assert_cmpuint (k[i].text_start, >=, iram[j].start);
            g_assert_cmpuint (k[i].text_start + k[i].text_len, <=, iram[j].end);
          }
      per_chip[k[i].chip]++;
    }
  for (guint j = 0; j < G_N_ELEMENTS (iram); j++)
    g_assert_cmpuint (per_chip[iram[j].chip], ==, 2);
}

static gboolean
json_number (const char *json,
             const char *key,
             guint32    *value)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\"\\s*:\\s*([0-9]+)", key);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autofree char *digits = NULL;

  if (!g_regex_match (re, json, 0, &match))
    return FALSE;
  digits = g_match_info_fetch (match, 1);
  *value = (guint32) g_ascii_strtoull (digits, NULL, 10);
  return TRUE;
}

static guint8 *
json_base64 (const char *json,
             const char *key,
             gsize      *len)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\"\\s*:\\s*\"([A-Za-z0-9+/=]*)\"", key);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autofree char *b64 = NULL;

  if (!g_regex_match (re, json, 0, &match))
    return NULL;
  b64 = g_match_info_fetch (match, 1);
  return g_base64_decode (b64, len);
}

/* With ESPRIT_ESPTOOL_STUBS set to esptool's targets/stub_flasher directory, every public
 * stub for every chip, uploaded as esptool does (text, then data), says OHAI. The stubs are
 * not part of Esprit, so without the directory this test is skipped. */
static void
test_esptool_stubs (void)
{
  const char *dir = g_getenv ("ESPRIT_ESPTOOL_STUBS");
  guint ran = 0;

  if (dir == NULL)
    {
      g_test_skip ("ESPRIT_ESPTOOL_STUBS is not set");
      return;
    }
  for (int chip = 0; chip < ESPRIT_N_CHIPS; chip++)
    for (int v = 1; v <= 2; v++)
      {
        g_autofree char *path = g_strdup_printf ("%s/%d/%s.json", dir, v,
                                                 esprit_chip_get_info (chip)->id);
        g_autofree char *json = NULL;
        g_autofree guint8 *text = NULL, *data = NULL;
        gsize text_len, data_len;
        guint32 entry, text_start, data_start;
        g_autofree char *events_path = NULL;
        g_autoptr(EspritSim) sim = NULL;
        g_autoptr(GPtrArray) r = NULL;
        g_autoptr(GPtrArray) d = NULL;

        if (!g_file_get_contents (path, &json, NULL, NULL))
          continue;
        g_assert_true (json_number (json, "entry", &entry));
        g_assert_true (json_number (json, "text_start", &text_start));
        g_assert_true (json_number (json, "data_start", &data_start));
        text = json_base64 (json, "text", &text_len);
        data = json_base64 (json, "data", &data_len);
        g_assert_nonnull (text);
        sim = new_board_with_events (chip, &events_path);
        esprit_test_enter_loader (sim);
        /* The data segment first, ended with MEM_END flag 1 (stay). */
        if (data != NULL && data_len > 0)
          d = run_from_ram (sim, data_start, data, data_len, 0);
        r = run_from_ram (sim, text_start, text, text_len, entry);
        g_test_message ("%s", path);
        g_assert_cmpuint (r->len, ==, 2);
        g_assert_cmpmem (g_bytes_get_data (r->pdata[1], NULL), 4, "OHAI", 4);
        g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_STUB);
        g_unlink (events_path);
        ran++;
      }
  g_assert_cmpuint (ran, ==, 12);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/sim/sync-replies", test_sync_replies);
  g_test_add_func ("/esprit/sim/read-reg-trace", test_read_reg_trace);
  g_test_add_func ("/esprit/sim/bad-checksum-trace", test_bad_checksum_trace);
  g_test_add_func ("/esprit/sim/unknown-opcodes", test_unknown_opcodes);
  g_test_add_func ("/esprit/sim/flash-begin-length", test_flash_begin_length);
  g_test_add_func ("/esprit/sim/nor-and-sequence", test_nor_and_sequence);
  g_test_add_func ("/esprit/sim/erase-size-bug", test_erase_size_bug);
  g_test_add_func ("/esprit/sim/erase-size-host-formula", test_erase_size_host_formula);
  g_test_add_func ("/esprit/sim/boot-log-74880", test_boot_log_74880);
  g_test_add_func ("/esprit/sim/reset-circuit", test_reset_circuit);
  g_test_add_func ("/esprit/sim/flash-end-leaves-loader", test_flash_end_leaves_loader);
  g_test_add_func ("/esprit/sim/esp32-rom", test_esp32_rom);
  g_test_add_func ("/esprit/sim/security-info", test_security_info);
  g_test_add_func ("/esprit/sim/write-reg-groups", test_write_reg_groups);
  g_test_add_func ("/esprit/sim/jedec-before-attach", test_jedec_before_attach);
  g_test_add_func ("/esprit/sim/sfdp", test_sfdp);
  g_test_add_func ("/esprit/sim/esp32-rom-crystal", test_esp32_rom_crystal);
  g_test_add_func ("/esprit/sim/fault-drop-frame", test_fault_drop_frame);
  g_test_add_func ("/esprit/sim/stub-mode", test_stub_mode);
  g_test_add_func ("/esprit/sim/stub-refusals", test_stub_refusals);
  g_test_add_data_func ("/esprit/sim/ram-program/esp8266", GINT_TO_POINTER (ESPRIT_CHIP_ESP8266),
                        test_ram_program);
  g_test_add_data_func ("/esprit/sim/ram-program/esp32", GINT_TO_POINTER (ESPRIT_CHIP_ESP32),
                        test_ram_program);
  g_test_add_func ("/esprit/sim/known-stub-anywhere", test_known_stub_anywhere);
  g_test_add_func ("/esprit/sim/known-stub-table", test_known_stub_table);
  g_test_add_func ("/esprit/sim/esptool-stubs", test_esptool_stubs);
  return g_test_run ();
}

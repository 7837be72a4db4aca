/* test-sim-regs.c: the virtual board's registers as the ROMs expose them: WRITE_REG
 * groups, the SPI user commands (RDID, RDSFDP) and flash attach, the ESP32's calibration and
 * eFuse (issue 10 items 3, 4, 5, 7)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-test-util.h"
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

/* RDID (0x9F) through the SPI user-command registers, the way a host does it (§5). */
static guint32
spi_jedec (EspritSim  *sim,
           EspritChip  chip)
{
  const EspritSpiRegs *spi = &esprit_chip_get_info (chip)->spi;

  if (spi->miso_dlen == 0)
    esprit_test_write_reg (sim, spi->usr1, 23u << 8);
  else
    esprit_test_write_reg (sim, spi->miso_dlen, 23);
  esprit_test_write_reg (sim, spi->usr, (1u << 31) | (1u << 28));
  esprit_test_write_reg (sim, spi->usr2, (7u << 28) | 0x9F);
  esprit_test_write_reg (sim, spi->base, 1u << 18);
  return esprit_test_read_reg (sim, spi->w0) & 0xFFFFFF;
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
    esprit_test_write_reg (sim, spi->miso_dlen, len * 8 - 1);
  esprit_test_write_reg (sim, spi->usr1, usr1);
  esprit_test_write_reg (sim, spi->usr, (1u << 31) | (1u << 30) | (1u << 29) | (1u << 28));
  esprit_test_write_reg (sim, spi->usr2, (7u << 28) | 0x5A);
  esprit_test_write_reg (sim, spi->base + 4, msb ? addr << 8 : addr);
  esprit_test_write_reg (sim, spi->base, 1u << 18);
  for (guint i = 0; i < len; i += 4)
    {
      guint32 w = esprit_test_read_reg (sim, spi->w0 + i);

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
  cali = (esprit_test_read_reg (sim, 0x3FF5F06C) >> 7) & 0x01FFFFFF;
  ck8m = esprit_test_read_reg (sim, 0x3FF5A010) & 0xFF;
  rom_freq = (double) cali * 15625 * ck8m / 40;
  g_test_message ("ROM crystal estimate %.0f Hz", rom_freq);
  g_assert_cmpfloat (rom_freq, >, 33e6);
  g_assert_cmpfloat (rom_freq, <, 42e6);
  valid_freq = rom_freq > 33e6 ? 40e6 : 26e6;

  word3 = esprit_test_read_reg (sim, 0x3FF5A00C);
  word4 = esprit_test_read_reg (sim, 0x3FF5A010);
  word5 = esprit_test_read_reg (sim, 0x3FF5A014);
  apb_date = esprit_test_read_reg (sim, 0x3FF6607C);
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/sim-regs/write-reg-groups", test_write_reg_groups);
  g_test_add_func ("/esprit/sim-regs/jedec-before-attach", test_jedec_before_attach);
  g_test_add_func ("/esprit/sim-regs/sfdp", test_sfdp);
  g_test_add_func ("/esprit/sim-regs/esp32-rom-crystal", test_esp32_rom_crystal);
  return g_test_run ();
}

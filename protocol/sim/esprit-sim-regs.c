/* esprit-sim-regs.c: the virtual board's registers
 *
 * What READ_REG and WRITE_REG reach: the chip magic, the eFuse MAC words, the UART divider
 * and the SPI controller, whose user-command registers run JEDEC reads against the flash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include "esprit-sim-board-private.h"


/* ---- registers ---------------------------------------------------------------------- */

#define REG_CHIP_MAGIC 0x40001000   /* protocol-facts §4 */

EspritChip
_esprit_sim_chip (EspritSim *self)
{
  return self->config.chip;
}

/* Read-only registers with a real chip's values. The ESP32's eFuse block 0 describes an
 * ESP32-D0WD-V3 as espefuse shows one (field layout: esptool espefuse/efuse_defs/esp32.yaml,
 * decoding: esptool targets/esp32.py get_chip_description/get_chip_features):
 *   word 3: CHIP_PACKAGE [11:9] = 1 (D0WD), CHIP_CPU_FREQ_RATED [13] = 1 with
 *           CHIP_CPU_FREQ_LOW [12] = 0 (240 MHz), CHIP_VER_REV1 [15] = 1; both cores, BT on
 *   word 4: CLK8M_FREQ [7:0] = 0x33 (51, a value real chips show), ADC_VREF [12:8] = 0b00011
 *           (1121 mV: "Vref calibration in eFuse")
 *   word 5: CHIP_VER_REV2 [20] = 1, WAFER_VERSION_MINOR [25:24] = 0
 *   word 6: CONSOLE_DEBUG_DISABLE [2] = 1, coding scheme none
 * APB_CTL_DATE (0x3FF6607C) bit 31 is the third revision bit: with REV1 and REV2, v3.0.
 * model: its date bits are not known here and read 0.
 * RTCCALICFG1 (0x3FF5F06C) holds the ROM's RTC calibration, TIMERS_RTC_CALI_VALUE in [31:7];
 * the ROM takes the crystal to be cali * 15625 * CLK8M_FREQ / 40 Hz (esptool
 * get_rom_cal_crystal_freq). model: 2028 gives 40.40 MHz, the +1 % the 8 MHz oscillator's
 * drift makes of a 40 MHz crystal, which a standard client compensates (issue 10 item 5). */
#define ESP32_RTCCALICFG1   0x3FF5F06Cu
#define ESP32_EFUSE_WORD(n) (0x3FF5A000u + 4 * (n))
#define ESP32_APB_CTL_DATE  0x3FF6607Cu
#define ESP32_RTC_CALI      2028u
#define ESP32_CK8M_FREQ     0x33u

static const struct {
  EspritChip chip;
  guint32    addr;
  guint32    value;
} fixed_regs[] = {
  { ESPRIT_CHIP_ESP32, ESP32_EFUSE_WORD (3), (1u << 9) | (1u << 13) | (1u << 15) },
  { ESPRIT_CHIP_ESP32, ESP32_EFUSE_WORD (4), ESP32_CK8M_FREQ | (0x03u << 8) },
  { ESPRIT_CHIP_ESP32, ESP32_EFUSE_WORD (5), 1u << 20 },
  { ESPRIT_CHIP_ESP32, ESP32_EFUSE_WORD (6), 1u << 2 },
  { ESPRIT_CHIP_ESP32, ESP32_APB_CTL_DATE, 1u << 31 },
  { ESPRIT_CHIP_ESP32, ESP32_RTCCALICFG1, ESP32_RTC_CALI << 7 },
};

guint
_esprit_sim_rom_baud (EspritSim *self,
                      guint      requested)
{
  guint64 rom_xtal;

  if (self->config.chip != ESPRIT_CHIP_ESP32)
    return requested;
  /* The ESP32 ROM computes its divider from the crystal it calibrated, not the real 40 MHz:
   * the wire runs at requested × 40 MHz / its estimate. */
  rom_xtal = (guint64) ESP32_RTC_CALI * 15625u * ESP32_CK8M_FREQ / 40u;
  return (guint) ((requested * (guint64) 40000000u + rom_xtal / 2) / rom_xtal);
}

guint32
_esprit_sim_read_reg (EspritSim *self,
                      guint32    addr)
{
  const EspritChipInfo *info = esprit_chip_get_info (self->config.chip);
  guint n_efuse = info->mac_layout == ESPRIT_MAC_ESP8266 ? 4 : 2;
  gpointer value;

  if (addr == REG_CHIP_MAGIC)
    return info->magic[0];
  for (guint i = 0; i < G_N_ELEMENTS (fixed_regs); i++)
    if (fixed_regs[i].chip == self->config.chip && fixed_regs[i].addr == addr)
      return fixed_regs[i].value;
  if (addr >= info->mac_base && addr < info->mac_base + 4 * n_efuse && addr % 4 == 0)
    return self->efuse[(addr - info->mac_base) / 4];
  if (addr == info->uart_clkdiv_reg)
    {
      /* The ROM clocks its UART from 2 × 26 MHz on ESP8266 and from the 40 MHz crystal on the
       * ESP32 family (the §4 crystal formula inverted). */
      guint64 clock = info->xtal_clkdiv_divisor == 2 ? 52000000u : 40000000u;
      guint baud = _esprit_sim_board_get_baud (self);

      return (guint32) ((clock + baud / 2) / baud) & 0xFFFFF;
    }
  if (g_hash_table_lookup_extended (self->regs, GUINT_TO_POINTER (addr), NULL, &value))
    return GPOINTER_TO_UINT (value);
  return 0;
}

static void
spi_user_command (EspritSim *self)
{
  const EspritSpiRegs *spi = &esprit_chip_get_info (self->config.chip)->spi;
  guint32 usr = _esprit_sim_read_reg (self, spi->usr);
  guint32 usr2 = _esprit_sim_read_reg (self, spi->usr2);
  guint miso_bits;
  guint32 result = 0;

  /* Bit length of the read phase: USR1[16:8] on ESP8266, MISO_DLEN elsewhere (§5). */
  if (spi->miso_dlen == 0)
    miso_bits = ((_esprit_sim_read_reg (self, spi->usr1) >> 8) & 0x1FF) + 1;
  else
    miso_bits = (_esprit_sim_read_reg (self, spi->miso_dlen) & 0x3FFFF) + 1;

  if ((usr & (1u << 31)) && (usr2 & 0xFFFF) == 0x9F && (usr & (1u << 28)))
    {
      /* Issue 10 item 4: a detached flash does not drive MISO; the lines read high, so the
       * JEDEC id comes back 0xFFFFFF ("unknown") until the flash is attached. */
      result = _esprit_sim_flash_attached (self) ? _esprit_sim_jedec_id (self) : 0xFFFFFFFFu;
      if (miso_bits < 32)
        result &= (1u << miso_bits) - 1;
    }
  g_hash_table_insert (self->regs, GUINT_TO_POINTER (spi->w0), GUINT_TO_POINTER (result));
}

void
_esprit_sim_write_reg (EspritSim *self,
                       guint32    addr,
                       guint32    value,
                       guint32    mask)
{
  const EspritSpiRegs *spi = &esprit_chip_get_info (self->config.chip)->spi;
  guint32 old = _esprit_sim_read_reg (self, addr);

  value = (old & ~mask) | (value & mask);
  if (addr == spi->base && (value & (1u << 18)))
    {
      /* CMD bit 18 (USR) starts the user command and clears itself when it is done. */
      spi_user_command (self);
      value &= ~(1u << 18);
    }
  g_hash_table_insert (self->regs, GUINT_TO_POINTER (addr), GUINT_TO_POINTER (value));
}

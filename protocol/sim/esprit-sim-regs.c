/* esprit-sim-regs.c: the virtual board's registers
 *
 * What READ_REG and WRITE_REG reach: the chip magic, the eFuse MAC words, the UART divider
 * and the SPI controller, whose user-command registers run JEDEC reads against the flash.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>

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
 * Flash encryption is blank, as on a new chip: word 0 FLASH_CRYPT_CNT [26:20], word 5
 * FLASH_CRYPT_CONFIG [31:28], word 6 DISABLE_DL_ENCRYPT [7] and BLOCK1 (the key, words
 * 14..21) read 0 (not listed: unlisted registers read 0); esprit-sim-stub.c's encrypted
 * writes take their key and tweak from them.
 * APB_CTL_DATE (0x3FF6607C) bit 31 is the third revision bit: with REV1 and REV2, v3.0.
 * model: its date bits are not known here and read 0.
 * RTCCALICFG1 (0x3FF5F06C) holds the ROM's RTC calibration, TIMERS_RTC_CALI_VALUE in [31:7];
 * the ROM takes the crystal to be cali * 15625 * CLK8M_FREQ / 40 Hz (esptool
 * get_rom_cal_crystal_freq) and sets its UART divider for CHANGE_BAUDRATE from that estimate.
 * model: the estimate is 1 % high, the drift the 8 MHz oscillator's calibration shows, which a
 * standard client compensates (esptool ESP32ROM.change_baud; issue 10 item 5): 2028 for a
 * 40 MHz crystal (40.40 MHz), 1318 for a 26 MHz one (26.24 MHz). */
#define ESP32_RTCCALICFG1   0x3FF5F06Cu
#define ESP32_EFUSE_WORD(n) (0x3FF5A000u + 4 * (n))
#define ESP32_APB_CTL_DATE  0x3FF6607Cu
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
};

static guint
esp32_xtal_hz (EspritSim *self)
{
  return self->xtal_mhz == 26 ? 26000000u : 40000000u;
}

/* The calibration value that makes the ROM's estimate 1 % above the crystal. */
static guint32
esp32_rtc_cali (EspritSim *self)
{
  guint64 drifted = (guint64) esp32_xtal_hz (self) * 101 / 100;

  return (guint32) ((drifted * 40 + 15625u * ESP32_CK8M_FREQ / 2) / (15625u * ESP32_CK8M_FREQ));
}

void
_esprit_sim_set_crystal (EspritSim *self,
                         guint      mhz)
{
  g_return_if_fail (mhz == 40 || mhz == 26);
  self->xtal_mhz = mhz;
}

/* The RTC watchdog and super watchdog of the chips with a USB-Serial/JTAG (protocol-facts
 * §12.5): their registers take writes only while the matching write-protect register holds
 * its key. esptool says that on the USB-Serial/JTAG path "the RTC WDT and SWD watchdog are
 * not reset and can then reset the board during flashing": model: there the ROM leaves the
 * RTC watchdog enabled (EN b31, stage 0 set) and the super watchdog without auto-feed; how
 * soon either would fire is not known here, so the board only shows the registers. */
typedef struct {
  EspritChip chip;
  guint32    config0, wprotect, swd_conf, swd_wprotect, swd_key, swd_auto_feed;
} SimWatchdog;

#define RWDT_KEY 0x50D83AA1u

static const SimWatchdog watchdogs[] = {
  { ESPRIT_CHIP_ESP32S3, 0x60008098, 0x600080B0, 0x600080B4, 0x600080B8, 0x8F1D312A, 1u << 31 },
  { ESPRIT_CHIP_ESP32C3, 0x60008090, 0x600080A8, 0x600080AC, 0x600080B0, 0x8F1D312A, 1u << 31 },
  { ESPRIT_CHIP_ESP32C6, 0x600B1C00, 0x600B1C18, 0x600B1C1C, 0x600B1C20, 0x50D83AA1, 1u << 18 },
};

static const SimWatchdog *
watchdog_of (EspritSim *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (watchdogs); i++)
    if (watchdogs[i].chip == self->config.chip)
      return &watchdogs[i];
  return NULL;
}

/* FALSE when a write to @addr is dropped by the watchdogs' write protection. */
static gboolean
watchdog_write_allowed (EspritSim *self,
                        guint32    addr)
{
  const SimWatchdog *w = watchdog_of (self);

  if (w == NULL)
    return TRUE;
  /* CONFIG0 .. FEED share WPROTECT; the super watchdog has its own. */
  if (addr >= w->config0 && addr < w->wprotect)
    return _esprit_sim_read_reg (self, w->wprotect) == RWDT_KEY;
  if (addr == w->swd_conf)
    return _esprit_sim_read_reg (self, w->swd_wprotect) == w->swd_key;
  return TRUE;
}

void
_esprit_sim_usb_jtag_boot (EspritSim *self)
{
  const SimWatchdog *w = watchdog_of (self);

  if (w == NULL || !self->usb_jtag)
    return;
  g_hash_table_insert (self->regs, GUINT_TO_POINTER (w->config0),
                       GUINT_TO_POINTER ((1u << 31) | (5u << 28)));
  g_hash_table_remove (self->regs, GUINT_TO_POINTER (w->wprotect));
  g_hash_table_remove (self->regs, GUINT_TO_POINTER (w->swd_conf));
  g_hash_table_remove (self->regs, GUINT_TO_POINTER (w->swd_wprotect));
}

guint
_esprit_sim_rom_baud (EspritSim *self,
                      guint      requested)
{
  guint64 rom_xtal;

  if (self->config.chip != ESPRIT_CHIP_ESP32)
    return requested;
  /* The ESP32 ROM computes its divider from the crystal it calibrated, not the real one:
   * the wire runs at requested × crystal / its estimate. */
  rom_xtal = (guint64) esp32_rtc_cali (self) * 15625u * ESP32_CK8M_FREQ / 40u;
  return (guint) ((requested * (guint64) esp32_xtal_hz (self) + rom_xtal / 2) / rom_xtal);
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
  if (self->config.chip == ESPRIT_CHIP_ESP32 && addr == ESP32_RTCCALICFG1)
    return esp32_rtc_cali (self) << 7;
  for (guint i = 0; i < G_N_ELEMENTS (fixed_regs); i++)
    if (fixed_regs[i].chip == self->config.chip && fixed_regs[i].addr == addr)
      return fixed_regs[i].value;
  if (addr >= info->mac_base && addr < info->mac_base + 4 * n_efuse && addr % 4 == 0)
    return self->efuse[(addr - info->mac_base) / 4];
  if (addr == info->uart_clkdiv_reg)
    {
      /* The ROM clocks its UART from 2 × 26 MHz on ESP8266 and from the crystal on the ESP32
       * family (40 MHz, or 26 on an ESP32 so built; the §4 crystal formula inverted). */
      guint64 clock = info->xtal_clkdiv_divisor == 2 ? 52000000u
                    : self->config.chip == ESPRIT_CHIP_ESP32 ? esp32_xtal_hz (self) : 40000000u;
      guint baud = _esprit_sim_board_get_baud (self);

      return (guint32) ((clock + baud / 2) / baud) & 0xFFFFF;
    }
  if (g_hash_table_lookup_extended (self->regs, GUINT_TO_POINTER (addr), NULL, &value))
    return GPOINTER_TO_UINT (value);
  return 0;
}

/* The W25Q32JV's SFDP space (command 0x5A, 256 bytes, A7-A0 address it; Winbond W25Q32JV
 * datasheet §8.2 "Read SFDP Register (5Ah)": 24-bit address, 8 dummy clocks). The JESD216
 * header (signature "SFDP", one parameter header) and the 9-DWORD JEDEC basic flash parameter
 * table at 0x80 are the values a real W25Q32JV returns (DWORDs 1-9 as read from one, armink/SFUD
 * issue #84), and they agree with the datasheet: 4 KB erase 20h, 32 KB 52h, 64 KB D8h, density
 * 32 Mbit (DWORD 2 = 0x01FFFFFF), fast reads 3Bh/BBh/6Bh/EBh with 8/2+2/8/4+2 dummy/mode
 * clocks, 64-byte+ write granularity. model: the real chip's headers say revision 1.5 and 16
 * DWORDs; DWORDs 10-16 (JESD216A timings, QE and reset details) have no source here, so the
 * table is offered as JESD216 revision 1.0 with its 9 DWORDs. The rest reads 0xFF. */
static const guint8 w25q32jv_sfdp_head[16] = {
  'S', 'F', 'D', 'P', 0x00, 0x01, 0x00, 0xFF,      /* rev 1.0, NPH 0 (one header), FFh */
  0x00, 0x00, 0x01, 0x09, 0x80, 0x00, 0x00, 0xFF,  /* ID 00h, rev 1.0, 9 DWORDs at 0x000080 */
};
static const guint32 w25q32jv_bfpt[9] = {
  0xFFF920E5, 0x01FFFFFF, 0x6B08EB44, 0xBB423B08, 0xFFFFFFFE,
  0x0000FFFF, 0xEB40FFFF, 0x520F200C, 0x0000D810,
};

static guint8
sfdp_byte (guint32 addr)
{
  addr &= 0xFF;
  if (addr < sizeof w25q32jv_sfdp_head)
    return w25q32jv_sfdp_head[addr];
  if (addr >= 0x80 && addr < 0x80 + sizeof w25q32jv_bfpt)
    return (guint8) (w25q32jv_bfpt[(addr - 0x80) / 4] >> (8 * (addr % 4)));
  return 0xFF;
}

/* The address phase's value: left-aligned in SPI_ADDR on the ESP8266 and ESP32, right-aligned
 * on the later chips (esptool SPI_ADDR_REG_MSB); its length is USR1[31:26] + 1. */
static guint32
spi_address (EspritSim            *self,
             const EspritSpiRegs  *spi)
{
  guint bits = ((_esprit_sim_read_reg (self, spi->usr1) >> 26) & 0x3F) + 1;
  guint32 reg = _esprit_sim_read_reg (self, spi->base + 4);
  gboolean msb = self->config.chip == ESPRIT_CHIP_ESP8266 || self->config.chip == ESPRIT_CHIP_ESP32;

  if (bits >= 32)
    return reg;
  return msb ? reg >> (32 - bits) : reg & ((1u << bits) - 1);
}

static void
spi_user_command (EspritSim *self)
{
  const EspritSpiRegs *spi = &esprit_chip_get_info (self->config.chip)->spi;
  guint32 usr = _esprit_sim_read_reg (self, spi->usr);
  guint32 usr2 = _esprit_sim_read_reg (self, spi->usr2);
  guint8 command = usr2 & 0xFF;
  guint8 in[64];
  guint miso_bits, n;

  /* Bit length of the read phase: USR1[16:8] on ESP8266, MISO_DLEN elsewhere (§5). */
  if (spi->miso_dlen == 0)
    miso_bits = ((_esprit_sim_read_reg (self, spi->usr1) >> 8) & 0x1FF) + 1;
  else
    miso_bits = (_esprit_sim_read_reg (self, spi->miso_dlen) & 0x3FFFF) + 1;
  n = MIN ((miso_bits + 7) / 8, sizeof in);
  memset (in, 0, sizeof in);

  if ((usr & (1u << 31)) && (usr & (1u << 28)))
    {
      if (!_esprit_sim_flash_attached (self))
        {
          /* Issue 10 item 4: a detached flash does not drive MISO; the lines read high, so
           * the JEDEC id comes back 0xFFFFFF ("unknown") until the flash is attached. */
          memset (in, 0xFF, n);
        }
      else if (command == 0x9F)
        {
          guint32 id = _esprit_sim_jedec_id (self);

          for (guint i = 0; i < MIN (n, 3u); i++)
            in[i] = (guint8) (id >> (8 * i));
        }
      else if (command == 0x5A && (usr & (1u << 30)) && (usr & (1u << 29)))
        {
          guint32 addr = spi_address (self, spi);

          for (guint i = 0; i < n; i++)
            in[i] = sfdp_byte (addr + i);
        }
    }
  /* The controller stores what it shifted in from W0 up, first byte lowest; bits past the
   * read phase stay 0. */
  for (guint w = 0; w == 0 || w < (n + 3) / 4; w++)
    {
      guint32 word = (guint32) in[4 * w] | (guint32) in[4 * w + 1] << 8 |
                     (guint32) in[4 * w + 2] << 16 | (guint32) in[4 * w + 3] << 24;
      guint bit = 32 * w;

      if (miso_bits < bit + 32)
        word &= miso_bits > bit ? (1u << (miso_bits - bit)) - 1 : 0;
      g_hash_table_insert (self->regs, GUINT_TO_POINTER (spi->w0 + 4 * w), GUINT_TO_POINTER (word));
    }
}

void
_esprit_sim_write_reg (EspritSim *self,
                       guint32    addr,
                       guint32    value,
                       guint32    mask)
{
  const EspritSpiRegs *spi = &esprit_chip_get_info (self->config.chip)->spi;
  guint32 old = _esprit_sim_read_reg (self, addr);

  if (!watchdog_write_allowed (self, addr))
    return;
  value = (old & ~mask) | (value & mask);
  if (addr == spi->base && (value & (1u << 18)))
    {
      /* CMD bit 18 (USR) starts the user command and clears itself when it is done. */
      spi_user_command (self);
      value &= ~(1u << 18);
    }
  g_hash_table_insert (self->regs, GUINT_TO_POINTER (addr), GUINT_TO_POINTER (value));
}

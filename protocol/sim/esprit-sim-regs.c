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

guint32
_esprit_sim_read_reg (EspritSim *self,
                      guint32    addr)
{
  const EspritChipInfo *info = esprit_chip_get_info (self->config.chip);
  guint n_efuse = info->mac_layout == ESPRIT_MAC_ESP8266 ? 4 : 2;
  gpointer value;

  if (addr == REG_CHIP_MAGIC)
    return info->magic[0];
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

/* stub-spi.c: the SPI flash through the SPI1 controller's registers (ESP32 family)
 *
 * The ROM-equivalent sequences of protocol-facts §12.4: the controller's built-in commands
 * for write enable, status, page program and the erases (their bits in SPI_CMD clear when
 * the transaction is done), and a user-defined transaction (command 0x03, 24-bit address,
 * data in) for reads, 64 bytes (W0..W15) at a time. The flash must have been attached by the
 * ROM first: the host sends SPI_ATTACH to the ROM loader before it uploads this stub (§12.0,
 * §2), because attaching means a windowed ROM call (§12.4 "Attach").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-family.h"

#define SPI_CMD       (SPI1_BASE + 0x00)
#define SPI_ADDR      (SPI1_BASE + 0x04)
#define SPI_CTRL      (SPI1_BASE + 0x08)
#define SPI_RD_STATUS (SPI1_BASE + SPI_OFF_RD_STATUS)
#define SPI_USER      (SPI1_BASE + SPI_OFF_USER)
#define SPI_USER1     (SPI1_BASE + SPI_OFF_USER1)
#define SPI_USER2     (SPI1_BASE + SPI_OFF_USER2)
#define SPI_MOSI_DLEN (SPI1_BASE + SPI_OFF_MOSI_DLEN)
#define SPI_MISO_DLEN (SPI1_BASE + SPI_OFF_MISO_DLEN)
#define SPI_W0        (SPI1_BASE + SPI_OFF_W0)

/* §12.4 USER, USER1, USER2 fields. */
#define USER_COMMAND   (1u << 31)
#define USER_ADDR      (1u << 30)
#define USER_MISO      (1u << 28)
#define USER_MOSI      (1u << 27)
#define USER1_ADDR_24  (23u << 26)
#define USER2_READ_03  ((7u << 28) | 0x03u)
/* CTRL: the fast/dual/quad read-mode bits (FREAD_QIO b24, FREAD_DIO b23, FREAD_QUAD b20,
 * FREAD_DUAL b14, FASTRD_MODE b13; and FCMD_QUAD b8 / FCMD_DUAL b7 on S2 and later), cleared
 * so that the user-defined read is a plain single-line one. WP_REG b21, RESANDRES b15 (what
 * esp-flasher-stub writes on the ESP32, §12.4). */
#define CTRL_READ_MODES ((1u << 24) | (1u << 23) | (1u << 20) | (1u << 14) | (1u << 13) | \
                         (1u << 8) | (1u << 7))
#define CTRL_WP_REG     (1u << 21)
#define CTRL_RESANDRES  (1u << 15)

#define STATUS_WIP (1u << 0)
#define STATUS_WEL (1u << 1)
/* The 16-bit status (SR1 | SR2 << 8): QE is bit 9 on the parts the ROM-patch driver serves;
 * its unlock clears every other bit (esp-idf spi_flash_rom_patch.c esp_rom_spiflash_unlock:
 * the block-protect bits BP0-BP4 [6:2], SRP0 b7, SRP1 b8 and CMP b14, which with BP clear
 * protects the whole array on Winbond and GigaDevice parts). */
#define STATUS_QE  (1u << 9)

#define FLASH_RDSR  0x05u
#define FLASH_RDSR2 0x35u
#define FLASH_WRSR  0x01u

#define CHUNK 64u
#define PAGE  256u

/* The controller's own state machine, not the flash: bits [16:0] of CMD are status fields on
 * the newer chips (§12.4 "MST_ST"), so only the command bits are watched. */
#define CMD_BITS 0xFFFE0000u
#define CMD_WAIT_LIMIT 1000000u

/* A chip erase of a 16 MB flash takes up to ~200 s (datasheet figures of common parts). */
#define READY_WAIT_LIMIT 40000000u   /* polls, each about 5 us apart */

static int
wait_cmd (void)
{
  for (uint32_t i = 0; i < CMD_WAIT_LIMIT; i++)
    if ((REG (SPI_CMD) & CMD_BITS) == 0)
      return 0;
  return 1;
}

/* §12.6, §12.4: SPI0 (the cache's controller) and SPI1 share the flash's lines with no
 * arbiter, so a transaction starts only when neither controller's state machine is busy, as
 * the ROM's wait_idle and esp-flasher-stub's spi_wait_ready do. */
static int
wait_controllers_idle (void)
{
  for (uint32_t i = 0; i < CMD_WAIT_LIMIT; i++)
    if ((REG (SPI_IDLE_REG_A) & SPI_IDLE_MASK_A) == 0 &&
        (REG (SPI_IDLE_REG_B) & SPI_IDLE_MASK_B) == 0)
      return 0;
  return 1;
}

static int
command (uint32_t bit)
{
  if (wait_controllers_idle ())
    return 1;
  REG (SPI_CMD) = bit;
  return wait_cmd ();
}

/* A user-defined transaction with no address: command @op, then @mosi_bits of @out (first
 * byte lowest), then @miso_bits read into *@in (either may be 0). The controller's USER
 * registers are given back as the ROM set them, for its built-in commands. */
static int
user_command (uint32_t op, uint32_t mosi_bits, uint32_t out, uint32_t miso_bits, uint32_t *in)
{
  uint32_t user = REG (SPI_USER), user1 = REG (SPI_USER1), user2 = REG (SPI_USER2);
  int rc;

  REG (SPI_USER) = USER_COMMAND | (mosi_bits ? USER_MOSI : 0) | (miso_bits ? USER_MISO : 0);
  REG (SPI_USER2) = (7u << 28) | op;
  REG (SPI_MOSI_DLEN) = mosi_bits ? mosi_bits - 1 : 0;
  REG (SPI_MISO_DLEN) = miso_bits ? miso_bits - 1 : 0;
  REG (SPI_W0) = out;
  rc = command (SPI_CMD_USR);
  if (rc == 0 && in)
    *in = REG (SPI_W0) & (miso_bits >= 32 ? 0xFFFFFFFFu : (1u << miso_bits) - 1);
  REG (SPI_USER) = user;
  REG (SPI_USER1) = user1;
  REG (SPI_USER2) = user2;
  return rc;
}

static int
read_status (uint32_t *status)
{
  REG (SPI_RD_STATUS) = 0;
  if (command (SPI_CMD_RDSR))
    return 1;
  *status = REG (SPI_RD_STATUS) & 0xFFFFu;
  return 0;
}

static int
wait_ready (void)
{
  uint32_t status;

  for (uint32_t i = 0; i < READY_WAIT_LIMIT; i++)
    {
      if (read_status (&status))
        return 1;
      if (!(status & STATUS_WIP))
        return 0;
      family_delay_us (5);
    }
  return 1;
}

static int
write_enable (void)
{
  uint32_t status = 0;

  if (wait_ready () || command (SPI_CMD_WREN))
    return 1;
  for (uint32_t i = 0; i < 1000; i++)
    {
      if (read_status (&status))
        return 1;
      if (status & STATUS_WEL)
        return 0;
      family_delay_us (5);
    }
  return 1;
}

#ifndef SPI_OFF_CLOCK
/* S2 and later: SPI_MEM_CLOCK (+0x14 on every SPI_MEM controller) holds the bus clock as a
 * divider of the MSPI source clock: CLK_EQU_SYSCLK b31 (no division), CLKCNT_N [23:16] =
 * d - 1, CLKCNT_H [15:8] = d/2 - 1, CLKCNT_L [7:0] = d - 1. The ROM leaves d = 4 (0x30103,
 * the controller's reset value and what its attach sets up, esp-flasher-stub's
 * stub_target_spi_init on the S3). Which source the MSPI runs from while the ROM loader
 * runs (the 40 MHz crystal, or 80 MHz from the PLL) is not public, so the stub halves the
 * divider it finds rather than writing a frequency: from d = 4 to d = 2, 20 MHz from a
 * 40 MHz source and at most 40 MHz from an 80 MHz one, within what the single-line read
 * (03h) is specified to on the parts these modules carry (50 MHz on the W25Q32JV, 55 MHz on
 * the XM25QH32 and P25Q32H) and half of what esp-idf runs them at. A value that is not such
 * a divider (no division, d below 4, odd d) is left as it is. */
#define SPI_MEM_CLOCK   (SPI1_BASE + 0x14)
#define CLK_EQU_SYSCLK  (1u << 31)

static uint32_t
faster_clock (uint32_t clock)
{
  uint32_t n = (clock >> 16) & 0xFFu, h = (clock >> 8) & 0xFFu, l = clock & 0xFFu;
  uint32_t d = n + 1, half = d / 2;

  if ((clock & CLK_EQU_SYSCLK) || (clock & 0x7F000000u) || d < 4 || d % 2 || l != n ||
      h != d / 2 - 1)
    return clock;
  return ((half - 1) << 16) | ((half / 2 - 1) << 8) | (half - 1);
}
#endif

void
spi_init (void)
{
#ifdef SPI_OFF_CLOCK
  /* ESP32: what esp-flasher-stub sets up when the ROM has attached the flash (§12.4): plain
   * mode, 24 address bits and 8 dummy cycles, command phase on; but the SPI clock at APB/2
   * (CLKCNT_N 1, _H 0, _L 1: 0x1001), 20 MHz from the 40 MHz APB of the ROM loader, where
   * esp-flasher-stub's 0x3043 is APB/4 = 10 MHz: the single-line read (03h) the HAL uses is
   * specified to at least 33 MHz on common SPI NOR parts (50 MHz on the W25Q32JV), and the
   * reads of a backup and of every verify run at twice the rate. */
  REG (SPI_CTRL) = CTRL_WP_REG | CTRL_RESANDRES;
  REG (SPI1_BASE + SPI_OFF_CLOCK) = 0x1001u;
  REG (SPI_USER1) = USER1_ADDR_24 | 7u;
  REG (SPI_USER) |= USER_COMMAND;
#else
  REG (SPI_CTRL) &= ~CTRL_READ_MODES;
  REG (SPI_MEM_CLOCK) = faster_clock (REG (SPI_MEM_CLOCK));
#endif
}

int
spi_read (uint32_t addr, void *dst, uint32_t len)
{
  uint8_t *d = dst;
  uint32_t user = REG (SPI_USER), user1 = REG (SPI_USER1), user2 = REG (SPI_USER2);
  int rc = 0;

  if (wait_ready ())
    return 1;
  REG (SPI_USER) = USER_COMMAND | USER_ADDR | USER_MISO;
  REG (SPI_USER1) = USER1_ADDR_24;
  REG (SPI_USER2) = USER2_READ_03;
  while (len && rc == 0)
    {
      uint32_t n = len < CHUNK ? len : CHUNK;

      REG (SPI_MISO_DLEN) = n * 8 - 1;
      /* §12.4: the ESP32 takes a user transaction's address left-aligned, the others
       * right-aligned. */
      REG (SPI_ADDR) = addr << SPI_USR_ADDR_SHIFT;
      rc = command (SPI_CMD_USR);
      if (((uintptr_t) d & 3u) == 0 && n % 4 == 0)
        {
          /* The core's buffers are word-aligned: a word at a time. */
          for (uint32_t i = 0; i < n; i += 4)
            *(uint32_t *) (d + i) = REG (SPI_W0 + i);
        }
      else
        for (uint32_t i = 0; i < n; i += 4)
          {
            uint32_t w = REG (SPI_W0 + i);

            for (uint32_t k = 0; k < 4 && i + k < n; k++)
              d[i + k] = (uint8_t) (w >> (8 * k));
          }
      d += n;
      addr += n;
      len -= n;
      family_rx_poll ();
    }
  /* Built-in commands come next: give them the controller as the ROM configured it. */
  REG (SPI_USER) = user;
  REG (SPI_USER1) = user1;
  REG (SPI_USER2) = user2;
  return rc;
}

int
spi_write (uint32_t addr, const void *src, uint32_t len)
{
  const uint8_t *s = src;

  while (len)
    {
      /* At most 64 bytes (the W registers) and never across a 256-byte page. */
      uint32_t n = PAGE - addr % PAGE;

      if (n > CHUNK)
        n = CHUNK;
      if (n > len)
        n = len;
      if (write_enable ())
        return 1;
      for (uint32_t i = 0; i < n; i += 4)
        REG (SPI_W0 + i) = (uint32_t) s[i] | (uint32_t) s[i + 1] << 8 |
                           (uint32_t) s[i + 2] << 16 | (uint32_t) s[i + 3] << 24;
      REG (SPI_ADDR) = (addr & 0xFFFFFFu) | n << 24;
      if (command (SPI_CMD_PP) || wait_ready ())
        return 1;
      s += n;
      addr += n;
      len -= n;
    }
  return 0;
}

int
spi_unlock (void)
{
  uint32_t sr1 = 0, sr2 = 0, status;

  if (wait_ready () || user_command (FLASH_RDSR, 0, 0, 8, &sr1) ||
      user_command (FLASH_RDSR2, 0, 0, 8, &sr2))
    return 1;
  status = sr1 | sr2 << 8;
  /* Only a locked chip is written: the status register wears like any other flash cell. */
  if ((status & ~STATUS_QE) == 0)
    return 0;
  /* WRSR (01h) with both bytes, SR1 then SR2, keeping QE. */
  if (write_enable () || user_command (FLASH_WRSR, 16, status & STATUS_QE, 0, 0) ||
      wait_ready ())
    return 1;
  return 0;
}

int
spi_erase (uint32_t cmd_bit, uint32_t addr)
{
  if (write_enable ())
    return 1;
  REG (SPI_ADDR) = addr & 0xFFFFFFu;
  if (command (cmd_bit))
    return 1;
  return wait_ready ();
}

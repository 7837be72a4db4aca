/* stub-family.c: the stub core on the ESP32, -S2, -S3, -C3 and -C6: UART0 by polling
 *
 * The entry shim (stub-xtensa-entry.S, stub-riscv-entry.S) has masked the CPU's interrupts
 * and set this stub's own stack; nothing here returns to the ROM. UART0 is polled: every
 * wait in this HAL (flash busy, transmit FIFO full, delays) and the core's inflater (through
 * hal->poll) move the received bytes into a ring big enough for one whole DATA block, so the
 * host's next block can arrive while the previous one is written (§6: DATA is acknowledged
 * before it is written). Registers and addresses: protocol-facts §12.2, §12.4, §12.5 and the
 * chip's chip.h.
 *
 * This file is firmware: its one static object is the machine's memory, owned by the stub for
 * as long as it runs (the core itself keeps no state outside hal->state).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>

#include "stub-core.h"
#include "stub-family.h"

#define UART_FIFO    (UART0_BASE + 0x00)
#define UART_INT_ENA (UART0_BASE + 0x0C)
#define UART_INT_CLR (UART0_BASE + 0x10)
#define UART_CLKDIV  (UART0_BASE + 0x14)
#define UART_STATUS  (UART0_BASE + 0x1C)
#define UART_TX_FIFO_SIZE 128u

#define RWDT_KEY 0x50D83AA1u   /* §12.5, every chip */

/* Holds one whole 16 KiB block (with its SLIP escapes) arriving while the previous one is
 * written. */
#define RX_RING 18432u
/* What the core sends waits here and is fed to the 128-byte FIFO from every poll, so that a
 * read's flash access, MD5 and packing run while the wire drains (22 ms of it at 921600):
 * the FIFO alone lasts 1.4 ms, less than a 4 KiB chunk's work on a 40 MHz core. */
#define TX_RING 2048u

typedef struct {
  uint32_t            rx_head;
  uint32_t            rx_tail;
  uint32_t            rx_lost;    /* bytes dropped on a full ring (the host retries) */
  uint8_t             rx[RX_RING];
  uint32_t            tx_head;
  uint32_t            tx_tail;
  uint8_t             tx[TX_RING];
  int                 usj;        /* the host's link is the USB-Serial/JTAG, not UART0 */
  esprit_stub_state_t state;
} Machine;

static Machine machine;

extern uint32_t _bss_start, _bss_end;

/* -nostdlib: what GCC may call for struct copies and clears (no windowed ROM routine may be
 * called on the Xtensa chips, so these are the stub's own). */
void *memcpy (void *dst, const void *src, size_t n);
void *memset (void *dst, int c, size_t n);

void *
memcpy (void *dst, const void *src, size_t n)
{
  uint8_t *d = dst;
  const uint8_t *s = src;

  while (n--)
    *d++ = *s++;
  return dst;
}

void *
memset (void *dst, int c, size_t n)
{
  uint8_t *d = dst;

  while (n--)
    *d++ = (uint8_t) c;
  return dst;
}

static uint32_t
tx_count (void)
{
  return (REG (UART_STATUS) >> 16) & UART_TXCNT_MASK;
}

static void
rx_put (Machine *m, uint8_t c)
{
  uint32_t next = m->rx_head + 1 == RX_RING ? 0 : m->rx_head + 1;

  if (next == m->rx_tail)
    m->rx_lost++;
  else
    {
      m->rx[m->rx_head] = c;
      m->rx_head = next;
    }
}

#ifdef USJ_BASE
/* The same over the USB-Serial/JTAG FIFO: whatever was sent goes out in a packet as soon as
 * the ring is empty (a frame need not wait for 64 bytes). */
static void
usj_poll (Machine *m)
{
  int c, sent = 0;

  while (m->tx_tail != m->tx_head && usj_putc (m->tx[m->tx_tail]))
    {
      m->tx_tail = m->tx_tail + 1 == TX_RING ? 0 : m->tx_tail + 1;
      sent = 1;
    }
  if (sent && m->tx_tail == m->tx_head)
    usj_flush ();
  while ((c = usj_getc ()) >= 0)
    rx_put (m, (uint8_t) c);
}
#endif

void
family_rx_poll (void)
{
  Machine *m = &machine;
  uint32_t n;

#ifdef USJ_BASE
  if (m->usj)
    {
      usj_poll (m);
      return;
    }
#endif
  n = REG (UART_STATUS) & UART_RXCNT_MASK;

  if (m->tx_tail != m->tx_head)
    {
      uint32_t used = tx_count ();
      uint32_t room = used < UART_TX_FIFO_SIZE - 2 ? UART_TX_FIFO_SIZE - 2 - used : 0;

      while (room-- && m->tx_tail != m->tx_head)
        {
          REG (UART_FIFO) = m->tx[m->tx_tail];
          m->tx_tail = m->tx_tail + 1 == TX_RING ? 0 : m->tx_tail + 1;
        }
    }

  /* §12.2: on the ESP32 the FIFO is read at 0x3FF40000 and the count trusted, as esptool's
   * own stub does in its interrupt handler (stub_io.c). */
  while (n--)
    rx_put (m, (uint8_t) REG (UART_FIFO));
}

#if defined(__XTENSA__)
static uint32_t
ccount (void)
{
  uint32_t c;

  __asm__ volatile ("rsr %0, ccount" : "=a" (c));
  return c;
}

void
family_delay_us (uint32_t us)
{
  /* CHIP_CPU_MHZ is the fastest the CPU can run while the ROM loader is in charge, so the
   * wait is never shorter than asked. */
  uint32_t start = ccount (), cycles = us * CHIP_CPU_MHZ;

  while (ccount () - start < cycles)
    family_rx_poll ();
}
#else
extern void ets_delay_us (uint32_t us);

void
family_delay_us (uint32_t us)
{
  while (us)
    {
      uint32_t n = us < 20 ? us : 20;

      ets_delay_us (n);
      family_rx_poll ();
      us -= n;
    }
}
#endif

static void
hal_poll (void *ctx)
{
  family_rx_poll ();
}

static int
hal_rx_byte (void *ctx)
{
  Machine *m = ctx;
  uint8_t c;

  while (m->rx_tail == m->rx_head)
    family_rx_poll ();
  c = m->rx[m->rx_tail];
  m->rx_tail = m->rx_tail + 1 == RX_RING ? 0 : m->rx_tail + 1;
  return c;
}

static void
hal_tx (void *ctx, const uint8_t *data, uint32_t len)
{
  Machine *m = ctx;

  for (uint32_t i = 0; i < len; i++)
    {
      uint32_t next = m->tx_head + 1 == TX_RING ? 0 : m->tx_head + 1;

      while (next == m->tx_tail)
        family_rx_poll ();
      m->tx[m->tx_head] = data[i];
      m->tx_head = next;
    }
  family_rx_poll ();
}

static void
hal_tx_flush (void *ctx)
{
  Machine *m = ctx;

#ifdef USJ_BASE
  if (m->usj)
    while (m->tx_tail != m->tx_head || !usj_tx_idle ())
      family_rx_poll ();
  else
#endif
    while (m->tx_tail != m->tx_head || tx_count ())
      family_rx_poll ();
  family_delay_us (2000);   /* the last byte leaves the shift register, even at 9600 baud */
}

static void
hal_set_baud (void *ctx, uint32_t new_baud, uint32_t old_baud)
{
  /* Scale the divider the ROM set for the current rate (esptool's legacy stub does the same,
   * §12.2 "Baud divider"): it holds whatever the UART's clock is (XTAL or APB, 26 or 40 MHz),
   * so no clock has to be known. The divider is in 1/16 units: int << 4 | frag. */
  uint32_t reg = REG (UART_CLKDIV);
  uint32_t div16 = (reg & UART_CLKDIV_INT_MASK) << 4 | ((reg >> 20) & 0xFu);

#ifdef USJ_BASE
  /* USB has no baud rate: the reply went out, nothing to switch. */
  if (((Machine *) ctx)->usj)
    return;
#endif
  if (old_baud == 0)
    old_baud = 115200;
  if (new_baud == 0)
    return;
  /* div16 * old_baud is about 16 times the UART clock: under 2^32 for any clock below
   * 268 MHz. */
  div16 = div16 * old_baud / new_baud;
  family_delay_us (10000);
  REG (UART_CLKDIV) = (reg & ~(UART_CLKDIV_INT_MASK | 0xF00000u)) |
                      ((div16 >> 4) & UART_CLKDIV_INT_MASK) | (div16 & 0xFu) << 20;
#ifdef UART_REG_UPDATE
  REG (UART_REG_UPDATE) = 1;   /* C6: the *_SYNC registers take effect */
#endif
  family_delay_us (1000);
}

static int
hal_flash_read (void *ctx, uint32_t addr, void *dst, uint32_t len)
{
  return spi_read (addr, dst, len);
}

static int
hal_flash_write (void *ctx, uint32_t addr, const void *src, uint32_t len)
{
  return spi_write (addr, src, len);
}

static int
hal_erase_sector (void *ctx, uint32_t sector)
{
  return spi_erase (SPI_CMD_SE, sector * STUB_SECTOR);
}

static int
hal_erase_block (void *ctx, uint32_t block)
{
  return spi_erase (SPI_CMD_BE, block * STUB_BLOCK);
}

static int
hal_erase_chip (void *ctx)
{
  return spi_erase (SPI_CMD_CE, 0);
}

static int
hal_flash_unlock (void *ctx)
{
  return spi_unlock ();
}

static int
hal_set_params (void *ctx, uint32_t total, uint32_t block, uint32_t sector, uint32_t page)
{
  /* The controller needs no geometry: the core bounds writes and erases by the size. */
  return 0;
}

static int
hal_attach (void *ctx, uint32_t config)
{
  /* Attaching is a windowed ROM call on the Xtensa chips (§12.4): the host attached the
   * flash through the ROM loader before uploading this stub, so there is nothing left to do. */
  return 0;
}

static uint32_t
hal_read_reg (void *ctx, uint32_t addr)
{
  return REG (addr);
}

static void
hal_write_reg (void *ctx, uint32_t addr, uint32_t value, uint32_t mask, uint32_t delay_us)
{
  REG (addr) = (REG (addr) & ~mask) | (value & mask);
  if (delay_us)
    family_delay_us (delay_us);
}

static void
hal_reboot (void *ctx)
{
  /* §12.5: a software system reset; the latched strapping pins bring the ROM loader back. */
  REG (CHIP_RESET_REG) |= CHIP_RESET_BIT;
  for (;;)
    ;
}

#ifdef RWDT_CONFIG1
/* RUN_USER_CODE: the chip samples its strapping pins again on an RTC watchdog reset but not
 * on a software system reset (ESP32-C3 TRM 7.1: power-on, RTC WDT, brownout, super WDT and
 * glitch resets latch them; the ESP32's datasheet says the same of its own), so a watchdog
 * reset boots the flash once the host has let go of the boot pin, where reboot (below) comes
 * back to the ROM loader. The watchdog as esptool's watchdog_reset sets it on the S2 and
 * later (§12.5): timeout 2000 slow-clock cycles, stage 0 resets the whole chip (5 << 28),
 * enabled; the ESP32's own field layout in its chip.h. */
#ifndef RWDT_RESET_CONFIG0
#define RWDT_RESET_CONFIG0 ((1u << 31) | (5u << 28) | (1u << 8) | 2u)
#endif

static void
hal_run_user_code (void *ctx)
{
  REG (RWDT_WPROTECT) = RWDT_KEY;
  REG (RWDT_CONFIG1) = 2000;
  REG (RWDT_CONFIG0) = RWDT_RESET_CONFIG0;
  REG (RWDT_WPROTECT) = 0;
  for (;;)
    ;
}
#endif

static void
watchdogs_off (void)
{
  /* §12.5, in the order the public stubs use: the RTC watchdog off, the super watchdog
   * (S2 and later) fed by hardware. */
  REG (RWDT_INT_CLR) = RWDT_INT_BIT;
  REG (RWDT_WPROTECT) = RWDT_KEY;
  REG (RWDT_CONFIG0) = 0;
  REG (RWDT_WPROTECT) = 0;
#ifdef SWD_CONF
  REG (SWD_WPROTECT) = SWD_KEY;
  REG (SWD_CONF) |= SWD_AUTO_FEED;
  REG (SWD_WPROTECT) = 0;
#endif
}

void family_stub_main (void);

void
family_stub_main (void)
{
  Machine *m = &machine;
  esprit_stub_hal_t hal = {
    .ctx = m,
    .state = &m->state,
    .extensions = 1,
    .rx_byte = hal_rx_byte,
    .tx = hal_tx,
    .tx_flush = hal_tx_flush,
    .set_baud = hal_set_baud,
    .flash_read = hal_flash_read,
    .flash_write = hal_flash_write,
    .flash_erase_sector = hal_erase_sector,
    .flash_erase_block = hal_erase_block,
    .flash_erase_chip = hal_erase_chip,
    .flash_set_params = hal_set_params,
    .flash_attach = hal_attach,
    .read_reg = hal_read_reg,
    .write_reg = hal_write_reg,
    /* The entry shim never returns to the ROM's flash boot: RUN_USER_CODE resets the chip
     * by its RTC watchdog. */
#ifdef RWDT_CONFIG1
    .run_user_code = hal_run_user_code,
#else
    .run_user_code = 0,
#endif
    .reboot = hal_reboot,
    .poll = hal_poll,
    .work = 0,
    .flash_unlock = hal_flash_unlock,
  };

  /* .bss is not uploaded (stub.ld): zero it first. The stack lives above it. */
  for (uint32_t *p = &_bss_start; p < &_bss_end; p++)
    *p = 0;

#ifdef USJ_BASE
  /* §12.3: talk over the link the host used to reach the ROM. */
  m->usj = usj_in_use ();
#endif
  /* §12.2 "If you poll": no UART interrupts (the CPU's are masked too). */
  REG (UART_INT_ENA) = 0;
  REG (UART_INT_CLR) = 0xFFFFFFFFu;
  watchdogs_off ();
  spi_init ();

  esprit_stub_main (&hal);
  for (;;)
    ;
}

/* stub-esp8266.c: the stub core on a real ESP8266: UART0, SPI flash through the ROM
 *
 * Runs in the IRAM the ROM loader leaves free (stub.ld), calling ROM routines by address
 * (protocol-facts §6). Receiving is interrupt-driven into a ring buffer, so that the host's
 * next block arrives while the previous one is being erased and written (§6: DATA is
 * acknowledged before it is written).
 *
 * This file is firmware: its one static object is the machine's memory, owned by the stub for
 * as long as it runs (the core itself keeps no state outside hal->state).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>

#include "stub-core.h"
#include "stub-rx.h"

/* ROM routines (§6). They return 0 on success. */
extern int  SPIRead (uint32_t addr, void *dst, uint32_t len);
extern int  SPIWrite (uint32_t addr, const void *src, uint32_t len);
extern int  SPIEraseSector (uint32_t sector);
extern int  SPIEraseBlock (uint32_t block);
extern int  SPIEraseChip (void);
extern int  SPIUnlock (void);
extern int  SPIParamCfg (uint32_t id, uint32_t size, uint32_t block, uint32_t sector,
                         uint32_t page, uint32_t status_mask);
extern void SelectSpiFunction (uint32_t config);
extern void spi_flash_attach (void);
extern void uart_div_modify (uint32_t uart, uint32_t div);
extern void ets_delay_us (uint32_t us);
extern void ets_set_user_start (uint32_t addr);
extern void ets_isr_attach (int inum, void (*handler) (void *), void *arg);
extern void ets_isr_mask (uint32_t mask);
extern void ets_isr_unmask (uint32_t mask);
extern void software_reset (void);

/* UART0 registers (ESP8266 Technical Reference, UART chapter; SDK uart_register.h). */
#define UART0_FIFO      0x60000000u
#define UART0_INT_ST    0x60000008u
#define UART0_INT_ENA   0x6000000Cu
#define UART0_INT_CLR   0x60000010u
#define UART0_CLKDIV    0x60000014u   /* §6 */
#define UART0_STATUS    0x6000001Cu   /* RX count bits 0-7, TX count bits 16-23 */
#define UART0_CONF1     0x60000024u
#define UART_RXFIFO_FULL_INT 0x001u
#define UART_RXFIFO_TOUT_INT 0x100u
#define UART_RX_TOUT_EN      0x80000000u
#define UART_TX_FIFO_SIZE    128u
#define ETS_UART_INUM        5

#define REG(addr) (*(volatile uint32_t *) (addr))

typedef struct {
  /* The interrupt decodes SLIP into it: a whole 16 KiB block fits however many bytes of it
   * need escapes (stub-rx.h), while the previous one is erased and written. */
  stub_rx_t           rx;
  esprit_stub_state_t state;
} Machine;

static Machine machine;

extern uint32_t _bss_start, _bss_end;
extern uint8_t _stub_iram_start[], _stub_iram_end[], _stub_dram_start[], _stub_dram_end[];

/* RAM a program loaded with MEM_* may take (§6 memory map): DRAM below the ROM's own data
 * and stack at 0x3FFFC000 (model: the ROM keeps its variables and the stack there), and the
 * IRAM including the upper 32 KiB the flash cache would use, less the stub itself. */
#define LOAD_DRAM_START 0x3FFE8000u
#define LOAD_DRAM_END   0x3FFFC000u
#define LOAD_IRAM_START 0x40100000u
#define LOAD_IRAM_END   0x40110000u

static void
uart_isr (void *arg)
{
  Machine *m = arg;

  /* A frame that finds the ring full is handed to the core as a bad one (0xC0), and the
   * host sends it again. */
  while (REG (UART0_STATUS) & 0xFF)
    stub_rx_push (&m->rx, (uint8_t) REG (UART0_FIFO));
  REG (UART0_INT_CLR) = UART_RXFIFO_FULL_INT | UART_RXFIFO_TOUT_INT;
}

static int
esp_rx_byte (void *ctx)
{
  Machine *m = ctx;
  int c;

  while ((c = stub_rx_pop (&m->rx)) < 0)
    ;
  return c;
}

static void
esp_tx (void *ctx, const uint8_t *data, uint32_t len)
{
  for (uint32_t i = 0; i < len; i++)
    {
      while (((REG (UART0_STATUS) >> 16) & 0xFF) >= UART_TX_FIFO_SIZE - 2)
        ;
      REG (UART0_FIFO) = data[i];
    }
}

static void
esp_tx_flush (void *ctx)
{
  while ((REG (UART0_STATUS) >> 16) & 0xFF)
    ;
  ets_delay_us (100);   /* the last byte leaves the shift register */
}

static void
esp_set_baud (void *ctx, uint32_t new_baud, uint32_t old_baud)
{
  /* §2: the ESP8266 ROM has no crystal detection; scale the current divider. */
  uint32_t div = REG (UART0_CLKDIV) & 0xFFFFFu;

  ets_delay_us (10000);
  if (old_baud == 0)
    old_baud = 115200;
  /* In hundreds of baud, so that the product stays within 32 bits (no 64-bit helpers). */
  uart_div_modify (0, div * (old_baud / 100) / (new_baud / 100 ? new_baud / 100 : 1));
  ets_delay_us (1000);
}

static int
esp_flash_read (void *ctx, uint32_t addr, void *dst, uint32_t len)
{
  return SPIRead (addr, dst, len);
}

static int
esp_flash_write (void *ctx, uint32_t addr, const void *src, uint32_t len)
{
  return SPIWrite (addr, src, len);
}

static int
esp_erase_sector (void *ctx, uint32_t sector)
{
  return SPIEraseSector (sector);
}

static int
esp_erase_block (void *ctx, uint32_t block)
{
  return SPIEraseBlock (block);
}

static int
esp_erase_chip (void *ctx)
{
  return SPIEraseChip ();
}

static int
esp_set_params (void *ctx, uint32_t total, uint32_t block, uint32_t sector, uint32_t page)
{
  return SPIParamCfg (0, total, block, sector, page, 0xFFFF);
}

static int
esp_attach (void *ctx, uint32_t config)
{
  /* §6: SPI_ATTACH is accepted and ignored on the ESP8266 (the stub attached at start). */
  return 0;
}

static uint32_t
esp_read_reg (void *ctx, uint32_t addr)
{
  return REG (addr);
}

static void
esp_write_reg (void *ctx, uint32_t addr, uint32_t value, uint32_t mask, uint32_t delay_us)
{
  /* As the common stubs: the delay first, and no read when every bit is written (the core
   * passes a full mask after merging). */
  if (delay_us)
    ets_delay_us (delay_us);
  if (mask != 0xFFFFFFFFu)
    value = (REG (addr) & ~mask) | (value & mask);
  REG (addr) = value;
}

static int
esp_unlock (void *ctx)
{
  return SPIUnlock ();
}

static void
esp_start (void *ctx)
{
  Machine *m = ctx;

  /* Receive by interrupt: on a full FIFO and after a short pause in the data. */
  stub_rx_init (&m->rx);
  ets_isr_attach (ETS_UART_INUM, uart_isr, m);
  REG (UART0_CONF1) = UART_RX_TOUT_EN | (2u << 24) | 80u;
  REG (UART0_INT_CLR) = 0xFFFF;
  REG (UART0_INT_ENA) = UART_RXFIFO_FULL_INT | UART_RXFIFO_TOUT_INT;
  ets_isr_unmask (1u << ETS_UART_INUM);

  /* §6: after OHAI, as the common stubs do: the flash attached, and parameters for 16 MB
   * until SPI_SET_PARAMS says the real size. SPIUnlock waits for a write or an erase. */
  SelectSpiFunction (0);
  spi_flash_attach ();
  SPIParamCfg (0, 16u * 1024 * 1024, STUB_BLOCK, STUB_SECTOR, 256, 0xFFFF);
}

static int
overlaps (uint32_t addr, uint32_t len, const uint8_t *start, const uint8_t *end)
{
  uint32_t s = (uint32_t) (uintptr_t) start, e = (uint32_t) (uintptr_t) end;

  return addr < e && (s <= addr || s - addr < len);
}

static int
esp_ram_check (void *ctx, uint32_t addr, uint32_t len)
{
  int in_dram = addr >= LOAD_DRAM_START && addr <= LOAD_DRAM_END &&
                len <= LOAD_DRAM_END - addr;
  int in_iram = addr >= LOAD_IRAM_START && addr <= LOAD_IRAM_END &&
                len <= LOAD_IRAM_END - addr;

  if (!in_dram && !in_iram)
    return 1;
  return overlaps (addr, len, _stub_iram_start, _stub_iram_end) ||
         overlaps (addr, len, _stub_dram_start, _stub_dram_end);
}

static void
esp_ram_write (void *ctx, uint32_t addr, const uint8_t *src, uint32_t len)
{
  volatile uint32_t *dst = (volatile uint32_t *) (uintptr_t) addr;

  /* 32-bit stores: IRAM takes no others (§8.7). */
  for (uint32_t i = 0; i < len; i += 4)
    *dst++ = (uint32_t) src[i] | (uint32_t) src[i + 1] << 8 | (uint32_t) src[i + 2] << 16 |
             (uint32_t) src[i + 3] << 24;
}

static int
esp_ram_run (void *ctx, uint32_t entry)
{
  /* As the legacy stub: the reply has left the FIFO; 1 ms more, then call the program.
   * If it returns, the stub goes on serving. */
  ets_delay_us (1000);
  ((void (*) (void)) (uintptr_t) entry) ();
  return 0;
}

static void
esp_run_user_code (void *ctx)
{
  /* Returning from esp8266_stub_main lands at 0x400010A8, the ROM's flash boot
   * (stub-entry.S). */
  ets_isr_mask (1u << ETS_UART_INUM);
}

static void
esp_reboot (void *ctx)
{
  /* The reply has left the FIFO (tx_flush); as the common stubs, give the host's UART and
   * the line 10 ms before the reset. */
  ets_delay_us (10000);
  software_reset ();
}

void esp8266_stub_main (void);

void
esp8266_stub_main (void)
{
  Machine *m = &machine;
  esprit_stub_hal_t hal = {
    .ctx = m,
    .state = &m->state,
    .extensions = 1,
    .rx_byte = esp_rx_byte,
    .tx = esp_tx,
    .tx_flush = esp_tx_flush,
    .set_baud = esp_set_baud,
    .flash_read = esp_flash_read,
    .flash_write = esp_flash_write,
    .flash_erase_sector = esp_erase_sector,
    .flash_erase_block = esp_erase_block,
    .flash_erase_chip = esp_erase_chip,
    .flash_set_params = esp_set_params,
    .flash_attach = esp_attach,
    .read_reg = esp_read_reg,
    .write_reg = esp_write_reg,
    .run_user_code = esp_run_user_code,
    .reboot = esp_reboot,
    .poll = 0,
    .work = 0,
    .start = esp_start,
    .flash_unlock = esp_unlock,
    .ram_check = esp_ram_check,
    .ram_write = esp_ram_write,
    .ram_run = esp_ram_run,
  };

  /* .bss is not uploaded (stub.ld): zero it first. */
  for (uint32_t *p = &_bss_start; p < &_bss_end; p++)
    *p = 0;

  /* §6: no user start hook (it points at the stub now); the rest waits for OHAI (esp_start). */
  ets_set_user_start (0);
  esprit_stub_main (&hal);
}

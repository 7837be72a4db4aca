/* stub-qemu.c: the stub core, cross-compiled, in QEMU: the lx106 in the "sim" machine, or a
 * 32-bit RISC-V (the ESP32-C3/-C6 build flags) in the "virt" machine
 *
 * A test machine for the compiled code: the serial line is the process's stdin and stdout,
 * through semihosting (simcall) on the lx106 and through the virt machine's 16550 UART on
 * RISC-V (QEMU's RISC-V semihosting console does not wait for input), the flash is a 512 KiB
 * array in RAM with NOR
 * semantics (erase sets 0xFF, programming only clears bits), and the registers the host
 * library reads to identify an ESP8266 (protocol-facts §4) answer as one would. QEMU emulates
 * none of the ESP8266's peripherals or ROM.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>

#include "stub-core.h"
#include "stub-rx.h"

#define FLASH_SIZE (512u * 1024)

#if defined(__riscv)
/* QEMU virt: the 16550 UART (receive buffer / transmit holding register, line status: data
 * ready b0, transmitter empty b5) and the SiFive test device that ends the machine. */
#define VIRT_UART     0x10000000u
#define VIRT_UART_FCR (VIRT_UART + 2)
#define VIRT_UART_LSR (VIRT_UART + 5)
#define VIRT_TEST     0x00100000u
#define REG8(addr)    (*(volatile uint8_t *) (addr))
#endif

/* Xtensa semihosting call numbers (QEMU target-xtensa, the ISS's numbering). */
#define SYS_EXIT  1
#define SYS_READ  3
#define SYS_WRITE 4
#define SYS_SELECT_ONE 29   /* fd, 1 = readable, pointer to {seconds, microseconds} */

typedef struct {
  uint8_t             rx[512];
  stub_rx_t           ring;      /* as on the ESP8266: SLIP decoded on the way in */
  uint32_t            baud;
  esprit_stub_state_t state;
} Machine;

static Machine machine;
static uint8_t flash[FLASH_SIZE] __attribute__ ((section (".flash"), aligned (16)));

extern uint32_t _bss_start, _bss_end;

/* -nostdlib: what GCC may call for struct copies and clears. */
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

#if defined(__riscv)
static void
qemu_exit (int code)
{
  /* The test device: 0x5555 passes, (code << 16) | 0x3333 fails with that code. */
  for (;;)
    *(volatile uint32_t *) VIRT_TEST = code ? (uint32_t) code << 16 | 0x3333u : 0x5555u;
}

static int
q_rx_byte (void *ctx)
{
  while (!(REG8 (VIRT_UART_LSR) & 0x01))
    ;
  return REG8 (VIRT_UART);
}

static void
q_tx (void *ctx, const uint8_t *data, uint32_t len)
{
  for (uint32_t i = 0; i < len; i++)
    {
      while (!(REG8 (VIRT_UART_LSR) & 0x20))
        ;
      REG8 (VIRT_UART) = data[i];
    }
}
#else
static int
simcall (int nr, int a, int b, int c)
{
  register int a2 __asm__ ("a2") = nr;
  register int a3 __asm__ ("a3") = a;
  register int a4 __asm__ ("a4") = b;
  register int a5 __asm__ ("a5") = c;

  __asm__ volatile ("simcall" : "+r" (a2), "+r" (a3) : "r" (a4), "r" (a5) : "memory");
  return a2;
}

static void
qemu_exit (int code)
{
  for (;;)
    simcall (SYS_EXIT, code, 0, 0);
}

static int
q_rx_byte (void *ctx)
{
  Machine *m = ctx;
  int c;

  /* What the ESP8266's interrupt does (stub-esp8266.c), here when the ring runs dry. */
  while ((c = stub_rx_pop (&m->ring)) < 0)
    {
      int n = simcall (SYS_READ, 0, (int) (uintptr_t) m->rx, (int) sizeof m->rx);

      if (n <= 0)
        return -1;   /* the host closed the line */
      for (int i = 0; i < n; i++)
        stub_rx_push (&m->ring, m->rx[i]);
    }
  return c;
}

static void
q_tx (void *ctx, const uint8_t *data, uint32_t len)
{
  while (len)
    {
      int n = simcall (SYS_WRITE, 1, (int) (uintptr_t) data, (int) len);

      if (n <= 0)
        qemu_exit (3);
      data += n;
      len -= (uint32_t) n;
    }
}
#endif

static void
q_tx_flush (void *ctx)
{
}

static void
q_set_baud (void *ctx, uint32_t new_baud, uint32_t old_baud)
{
  Machine *m = ctx;

  m->baud = new_baud;   /* a pipe has no baud rate; remembered for READ_REG below */
}

static int
q_flash_read (void *ctx, uint32_t addr, void *dst, uint32_t len)
{
  uint8_t *d = dst;

  if (addr > FLASH_SIZE || len > FLASH_SIZE - addr)
    return 1;
  for (uint32_t i = 0; i < len; i++)
    d[i] = flash[addr + i];
  return 0;
}

static int
q_flash_write (void *ctx, uint32_t addr, const void *src, uint32_t len)
{
  const uint8_t *s = src;

  if (addr > FLASH_SIZE || len > FLASH_SIZE - addr)
    return 1;
  for (uint32_t i = 0; i < len; i++)
    flash[addr + i] &= s[i];
  return 0;
}

static int
erase (uint32_t addr, uint32_t len)
{
  if (addr > FLASH_SIZE || len > FLASH_SIZE - addr)
    return 1;
  for (uint32_t i = 0; i < len; i++)
    flash[addr + i] = 0xFF;
  return 0;
}

/* What the ESP8266's receive interrupt does while the flash is busy: the host's next frame
 * goes into the ring as it arrives. Waits (up to 20 x 10 ms) until a whole frame is there,
 * so that an erase always overlaps the next block, the ring's worst case. */
static void
q_receive_while_busy (Machine *m)
{
#if defined(__riscv)
  /* The virt machine's UART holds back what it cannot take (QEMU stops reading the socket),
   * and this build reads the UART directly, not through the ring. */
  (void) m;
#else
  for (int tries = 0; tries < 20 && m->ring.head == m->ring.tail; tries++)
    {
      uint32_t tv[2] = { 0, 10000 };
      int n;

      if (simcall (SYS_SELECT_ONE, 0, 1, (int) (uintptr_t) tv) <= 0)
        continue;
      n = simcall (SYS_READ, 0, (int) (uintptr_t) m->rx, (int) sizeof m->rx);
      if (n <= 0)
        return;
      for (int i = 0; i < n; i++)
        stub_rx_push (&m->ring, m->rx[i]);
    }
#endif
}

static int
q_erase_sector (void *ctx, uint32_t sector)
{
  q_receive_while_busy (ctx);
  return erase (sector * STUB_SECTOR, STUB_SECTOR);
}

static int
q_erase_block (void *ctx, uint32_t block)
{
  q_receive_while_busy (ctx);
  return erase (block * STUB_BLOCK, STUB_BLOCK);
}

static int
q_erase_chip (void *ctx)
{
  return erase (0, FLASH_SIZE);
}

static int
q_set_params (void *ctx, uint32_t total, uint32_t block, uint32_t sector, uint32_t page)
{
  return 0;
}

static int
q_attach (void *ctx, uint32_t config)
{
  return 0;
}

static uint32_t
q_read_reg (void *ctx, uint32_t addr)
{
  Machine *m = ctx;

  switch (addr)
    {
    case 0x40001000u:   /* §4: the ESP8266's chip-detect magic */
      return 0xFFF0C101u;
    case 0x60000078u:   /* UART date register: used by the test as a liveness probe */
      return m->baud;
    default:
      return 0;
    }
}

static void
q_write_reg (void *ctx, uint32_t addr, uint32_t value, uint32_t mask, uint32_t delay_us)
{
}

static void
q_run_user_code (void *ctx)
{
  qemu_exit (0);
}

void qemu_stub_main (void);

void
qemu_stub_main (void)
{
  Machine *m = &machine;
  esprit_stub_hal_t hal = {
    .ctx = m,
    .state = &m->state,
    .extensions = 1,
    .rx_byte = q_rx_byte,
    .tx = q_tx,
    .tx_flush = q_tx_flush,
    .set_baud = q_set_baud,
    .flash_read = q_flash_read,
    .flash_write = q_flash_write,
    .flash_erase_sector = q_erase_sector,
    .flash_erase_block = q_erase_block,
    .flash_erase_chip = q_erase_chip,
    .flash_set_params = q_set_params,
    .flash_attach = q_attach,
    .read_reg = q_read_reg,
    .write_reg = q_write_reg,
    .run_user_code = q_run_user_code,
    .reboot = 0,
    .poll = 0,
    .work = 0,
  };

  for (uint32_t *p = &_bss_start; p < &_bss_end; p++)
    *p = 0;
  for (uint32_t i = 0; i < FLASH_SIZE; i++)
    flash[i] = 0xFF;
  m->baud = 115200;
  stub_rx_init (&m->ring);
#if defined(__riscv)
  /* The 16-byte FIFOs on, receive trigger at 14: else QEMU hands over one byte per round of
   * its main loop. */
  REG8 (VIRT_UART_FCR) = 0xC7;
#endif

  esprit_stub_main (&hal);
  qemu_exit (0);
}

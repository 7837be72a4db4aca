/* test-stub-spi.c: the ESP32-family HAL's SPI flash code (protocol/stub/family/stub-spi.c)
 * built for the host over a model of the SPI1 controller, the cache's SPI0 controller and a
 * Winbond-like flash with write protection
 *
 * The model runs a command when the HAL next touches a register after writing CMD (the HAL
 * always reads CMD back to see it finish), and notes any command started while SPI0 was in a
 * transaction (§12.4, §12.6: no arbiter between the two). The flash refuses program and erase
 * while its block-protect or CMP bits are set, as real parts do (they drop WEL and ignore the
 * command). Built once with the ESP32's chip.h and once with the C3's (meson.build).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "stub-family.h"

#define FLASH_SIZE (64u * 1024)
#define PROTECT_BITS 0x40FCu   /* BP0-BP4, SRP0 [7:2], CMP b14 */

static struct {
  GHashTable *regs;            /* addr -> guint32 * */
  guint8      flash[FLASH_SIZE];
  guint32     status;          /* SR1 | SR2 << 8 */
  gboolean    wel;
  guint       wip_polls;       /* RDSR reads that still show WIP */
  guint       spi0_busy;       /* reads of SPI0's state that still show it busy */
  guint       started_while_busy;
  guint       wrsr_count;
  guint       commands;
} m;

void
family_delay_us (uint32_t us)
{
}

void
family_rx_poll (void)
{
}

static volatile uint32_t *
slot (uint32_t addr)
{
  guint32 *p = g_hash_table_lookup (m.regs, GUINT_TO_POINTER (addr));

  if (p == NULL)
    {
      p = g_new0 (guint32, 1);
      g_hash_table_insert (m.regs, GUINT_TO_POINTER (addr), p);
    }
  return p;
}

#define R(off) (*slot (SPI1_BASE + (off)))

static void
run_user (void)
{
  guint8 op = R (SPI_OFF_USER2) & 0xFF;
  guint32 user = R (SPI_OFF_USER);

  switch (op)
    {
    case 0x05:
      R (SPI_OFF_W0) = m.status & 0xFF;
      break;
    case 0x35:
      R (SPI_OFF_W0) = m.status >> 8;
      break;
    case 0x01:
      g_assert_true (user & (1u << 27));   /* MOSI phase */
      m.wrsr_count++;
      if (m.wel)
        m.status = (R (SPI_OFF_MOSI_DLEN) + 1) == 16 ? R (SPI_OFF_W0) & 0xFFFF
                   : (m.status & 0xFF00) | (R (SPI_OFF_W0) & 0xFF);
      m.wel = FALSE;
      m.wip_polls = 2;
      break;
    case 0x03:
      {
        guint32 addr = R (0x04) >> SPI_USR_ADDR_SHIFT, n = (R (SPI_OFF_MISO_DLEN) + 1) / 8;

        g_assert_cmpuint (addr + n, <=, FLASH_SIZE);
        for (guint32 i = 0; i < n; i += 4)
          {
            guint32 w = 0;

            memcpy (&w, m.flash + addr + i, 4);
            R (SPI_OFF_W0 + i) = w;
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
run_command (guint32 cmd)
{
  gboolean locked = (m.status & PROTECT_BITS) != 0;
  guint32 addr = R (0x04) & 0xFFFFFF;

  m.commands++;
  if (m.spi0_busy)
    m.started_while_busy++;
  if (cmd & SPI_CMD_WREN)
    m.wel = TRUE;
  else if (cmd & SPI_CMD_RDSR)
    {
      R (SPI_OFF_RD_STATUS) = m.status | (m.wip_polls ? 1 : 0) | (m.wel ? 2 : 0);
      if (m.wip_polls)
        m.wip_polls--;
    }
  else if (cmd & SPI_CMD_PP)
    {
      guint32 n = R (0x04) >> 24;

      if (m.wel && !locked)
        for (guint32 i = 0; i < n; i++)
          m.flash[addr + i] &= (guint8) (R (SPI_OFF_W0 + (i & ~3u)) >> (8 * (i & 3)));
      m.wel = FALSE;
      m.wip_polls = 1;
    }
  else if (cmd & (SPI_CMD_SE | SPI_CMD_BE | SPI_CMD_CE))
    {
      guint32 len = cmd & SPI_CMD_SE ? 0x1000 : cmd & SPI_CMD_BE ? 0x10000 : FLASH_SIZE;

      if (cmd & SPI_CMD_CE)
        addr = 0;
      if (m.wel && !locked)
        memset (m.flash + addr - addr % len, 0xFF, MIN (len, FLASH_SIZE));
      m.wel = FALSE;
      m.wip_polls = 3;
    }
  else if (cmd & SPI_CMD_USR)
    run_user ();
  else
    g_assert_not_reached ();
}

volatile uint32_t *
stub_spi_test_reg (uint32_t addr)
{
  guint32 cmd = *slot (SPI1_BASE) & 0xFFFE0000u;

  if (cmd)
    {
      run_command (cmd);
      *slot (SPI1_BASE) &= ~0xFFFE0000u;
    }
  /* SPI0's state machine: busy for the next m.spi0_busy looks at it. */
  if (addr == SPI_IDLE_REG_B && addr != SPI1_BASE)
    {
      *slot (addr) = m.spi0_busy ? SPI_IDLE_MASK_B : 0;
      if (m.spi0_busy)
        m.spi0_busy--;
    }
  return slot (addr);
}

static void
model_reset (guint32 status)
{
  g_clear_pointer (&m.regs, g_hash_table_unref);
  m.regs = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  memset (m.flash, 0x00, sizeof m.flash);   /* programmed: an erase must happen first */
  m.status = status;
  m.wel = FALSE;
  m.wip_polls = m.spi0_busy = m.started_while_busy = m.wrsr_count = m.commands = 0;
}

/* Every command waits until the cache's controller is idle: with SPI0 busy at the start,
 * none starts before it is done. The C6 has no separate SPI0 check (§12.4). */
static void
test_waits_for_spi0 (void)
{
  guint8 buf[64] __attribute__ ((aligned (4)));

  model_reset (0);
  m.spi0_busy = 40;
  g_assert_cmpint (spi_read (0, buf, sizeof buf), ==, 0);
  g_assert_cmpuint (m.commands, >, 0);
  g_assert_cmpuint (m.started_while_busy, ==, 0);
  m.spi0_busy = 40;
  g_assert_cmpint (spi_erase (SPI_CMD_SE, 0x1000), ==, 0);
  g_assert_cmpuint (m.started_while_busy, ==, 0);
  g_assert_cmpuint (m.flash[0x1000], ==, 0xFF);
}

/* A write-protected flash ignores erase and program; the unlock (WRSR 01h with both status
 * bytes) clears the protection, keeps QE, and then both work. */
static void
test_unlock_locked (void)
{
  guint8 page[64] __attribute__ ((aligned (4)));
  guint8 back[64] __attribute__ ((aligned (4)));

  for (guint i = 0; i < sizeof page; i++)
    page[i] = (guint8) (i * 7 + 1);
  model_reset (0x021C);   /* BP0-BP2 set (SR1 0x1C), QE (SR2 b1) */
  g_assert_cmpint (spi_erase (SPI_CMD_SE, 0x2000), ==, 0);
  g_assert_cmpuint (m.flash[0x2000], ==, 0x00);   /* the locked chip refused */

  g_assert_cmpint (spi_unlock (), ==, 0);
  g_assert_cmpuint (m.wrsr_count, ==, 1);
  g_assert_cmphex (m.status, ==, 0x0200);
  g_assert_cmpint (spi_erase (SPI_CMD_SE, 0x2000), ==, 0);
  g_assert_cmpuint (m.flash[0x2000], ==, 0xFF);
  g_assert_cmpint (spi_write (0x2000, page, sizeof page), ==, 0);
  g_assert_cmpint (spi_read (0x2000, back, sizeof back), ==, 0);
  g_assert_cmpmem (back, sizeof back, page, sizeof page);
}

/* CMP alone (SR2 b6) with BP clear protects everything on Winbond parts: unlocked too. */
static void
test_unlock_cmp (void)
{
  model_reset (0x4000);
  g_assert_cmpint (spi_unlock (), ==, 0);
  g_assert_cmphex (m.status, ==, 0);
}

/* An unlocked chip's status register is left alone (it wears like any flash cell). */
static void
test_unlock_unlocked (void)
{
  model_reset (0x0200);
  g_assert_cmpint (spi_unlock (), ==, 0);
  g_assert_cmpuint (m.wrsr_count, ==, 0);
  g_assert_cmphex (m.status, ==, 0x0200);
}

/* spi_init speeds the bus clock up to twice what the ROM left: on the ESP32 APB/2 (0x1001),
 * on the S2 and later the SPI_MEM divider halved (0x30103, /4, becomes 0x10001, /2), and a
 * clock already faster, or a value that is not a divider, is kept. */
static guint32
clock_after_init (guint32 rom_clock)
{
#ifdef SPI_OFF_CLOCK
  const guint32 clock = SPI1_BASE + SPI_OFF_CLOCK;
#else
  const guint32 clock = SPI1_BASE + 0x14;
#endif

  model_reset (0);
  *slot (clock) = rom_clock;
  spi_init ();
  return *slot (clock);
}

static void
test_clock (void)
{
#ifdef SPI_OFF_CLOCK
  g_assert_cmphex (clock_after_init (0x3043), ==, 0x1001);
#else
  g_assert_cmphex (clock_after_init (0x30103), ==, 0x10001);
  g_assert_cmphex (clock_after_init (0x70307), ==, 0x30103);   /* /8 becomes /4 */
  g_assert_cmphex (clock_after_init (0x10001), ==, 0x10001);   /* /2: already fast */
  g_assert_cmphex (clock_after_init (0x80000000), ==, 0x80000000);   /* undivided */
  g_assert_cmphex (clock_after_init (0x20002), ==, 0x20002);   /* /3: odd */
  g_assert_cmphex (clock_after_init (0x30003), ==, 0x30003);   /* not a 50 % duty divider */
#endif
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/stub-spi/" STUB_SPI_CHIP "/waits-for-spi0", test_waits_for_spi0);
  g_test_add_func ("/esprit/stub-spi/" STUB_SPI_CHIP "/unlock-locked", test_unlock_locked);
  g_test_add_func ("/esprit/stub-spi/" STUB_SPI_CHIP "/unlock-cmp", test_unlock_cmp);
  g_test_add_func ("/esprit/stub-spi/" STUB_SPI_CHIP "/unlock-unlocked", test_unlock_unlocked);
  g_test_add_func ("/esprit/stub-spi/" STUB_SPI_CHIP "/clock", test_clock);
  return g_test_run ();
}

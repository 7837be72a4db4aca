/* esprit-sim-stub.c: the virtual board's stub mode runs the real stub core
 *
 * When a program is uploaded into the stub's RAM and started with MEM_END, the board runs
 * protocol/stub/core (the same C the ESP8266 stub is built from) over this HAL: the wire of
 * the virtual board, its NOR flash model and its registers, with the timing model's costs.
 * A stub that is not Esprit's gets the core without Esprit's extensions, as the common stubs
 * behave.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>

#include "esprit-sim-private.h"
#include "stub-core.h"

/* model: CPU cost of the core's computing on an 80 MHz lx106, in ns per byte (estimates for
 * compiled C of this kind: inflate ~2 MB/s, MD5 ~4 MB/s, the packed-read compressor ~3 MB/s;
 * a SPI flash read at 40 MHz QIO ~20 MB/s; checking a chunk for 0xFF ~25 MB/s). */
#define STUB_INFLATE_NS_PER_BYTE 500
#define STUB_MD5_NS_PER_BYTE     250
#define STUB_PACK_NS_PER_BYTE    330
#define STUB_READ_NS_PER_BYTE    50
#define STUB_SCAN_NS_PER_BYTE    40   /* a compare-and-branch loop: ~3 cycles a byte */

typedef struct {
  EspritSim     *sim;
  EspritSimMode  next;
  gint64         pending_ns;   /* CPU time not yet charged (charged in whole microseconds) */
} SimStub;

static gboolean
charge_ns (SimStub *s,
           gint64   ns)
{
  s->pending_ns += ns;
  if (s->pending_ns < 1000)
    return TRUE;
  ns = s->pending_ns - s->pending_ns % 1000;
  s->pending_ns -= ns;
  return _esprit_sim_board_busy (s->sim, ns / 1000);
}

static int
sim_rx_byte (void *ctx)
{
  SimStub *s = ctx;
  int c = _esprit_sim_board_getc (s->sim, -1);

  if (c < 0)
    {
      s->next = ESPRIT_SIM_MODE_BOOTING;   /* reset or power-off */
      return -1;
    }
  return c;
}

static void
sim_tx (void          *ctx,
        const uint8_t *data,
        uint32_t       len)
{
  SimStub *s = ctx;

  _esprit_sim_board_send (s->sim, data, len);
}

static void
sim_tx_flush (void *ctx)
{
  SimStub *s = ctx;

  _esprit_sim_board_tx_flush (s->sim);
}

static void
sim_set_baud (void     *ctx,
              uint32_t  new_baud,
              uint32_t  old_baud)
{
  SimStub *s = ctx;

  /* §2: the stub waits 10 ms after its reply, sets the divider, then waits 1 ms. */
  _esprit_sim_board_busy (s->sim, 10000);
  _esprit_sim_board_set_baud (s->sim, new_baud);
  _esprit_sim_board_busy (s->sim, 1000);
}

static int
sim_flash_read (void     *ctx,
                uint32_t  addr,
                void     *dst,
                uint32_t  len)
{
  SimStub *s = ctx;
  gsize size;
  const guint8 *flash = _esprit_sim_flash (s->sim, &size);

  if ((guint64) addr + len > size)
    return 1;
  memcpy (dst, flash + addr, len);
  return charge_ns (s, (gint64) len * STUB_READ_NS_PER_BYTE) ? 0 : 1;
}

static int
sim_flash_write (void       *ctx,
                 uint32_t    addr,
                 const void *src,
                 uint32_t    len)
{
  SimStub *s = ctx;

  return _esprit_sim_flash_program (s->sim, addr, src, len) ? 0 : 1;
}

static int
sim_erase_sector (void     *ctx,
                  uint32_t  sector)
{
  SimStub *s = ctx;
  gsize size;

  _esprit_sim_flash (s->sim, &size);
  if ((guint64) sector * SIM_SECTOR >= size)
    return 1;
  return _esprit_sim_flash_erase (s->sim, sector * SIM_SECTOR, SIM_SECTOR) ? 0 : 1;
}

static int
sim_erase_block (void     *ctx,
                 uint32_t  block)
{
  SimStub *s = ctx;
  gsize size;

  _esprit_sim_flash (s->sim, &size);
  if ((guint64) block * SIM_BLOCK + SIM_BLOCK > size)
    return 1;
  return _esprit_sim_flash_erase (s->sim, block * SIM_BLOCK, SIM_BLOCK) ? 0 : 1;
}

static int
sim_erase_chip (void *ctx)
{
  SimStub *s = ctx;
  gsize size;
  guint8 *flash = _esprit_sim_flash (s->sim, &size);

  if (!_esprit_sim_board_busy (s->sim, SIM_CHIP_ERASE_US))
    return 1;
  memset (flash, 0xFF, size);
  return 0;
}

static int
sim_set_params (void     *ctx,
                uint32_t  total_size,
                uint32_t  block_size,
                uint32_t  sector_size,
                uint32_t  page_size)
{
  /* SPIParamCfg only records the geometry; a chip smaller than announced shows up as an SPI
   * failure when an address beyond it is used. */
  return block_size == SIM_BLOCK && sector_size == SIM_SECTOR && page_size == 256 ? 0 : 1;
}

static int
sim_attach (void     *ctx,
            uint32_t  config)
{
  return 0;
}

static uint32_t
sim_read_reg (void     *ctx,
              uint32_t  addr)
{
  SimStub *s = ctx;

  return _esprit_sim_read_reg (s->sim, addr);
}

static void
sim_write_reg (void     *ctx,
               uint32_t  addr,
               uint32_t  value,
               uint32_t  mask,
               uint32_t  delay_us)
{
  SimStub *s = ctx;

  /* the common stubs wait before the write */
  if (delay_us)
    _esprit_sim_board_busy (s->sim, delay_us);
  _esprit_sim_write_reg (s->sim, addr, value, mask);
}

static void
sim_run_user_code (void *ctx)
{
  SimStub *s = ctx;

  /* §6: the ESP8266 stub returns into the ROM's flash boot. */
  s->next = ESPRIT_SIM_MODE_APP;
}

static void
sim_reboot (void *ctx)
{
  SimStub *s = ctx;

  /* model: a software reset keeps the boot mode latched at the last external reset, so a
   * board that was reset into download mode comes back to the ROM loader. */
  s->next = ESPRIT_SIM_MODE_ROM_LOADER;
}

static void
sim_ram_write (void          *ctx,
               uint32_t       addr,
               const uint8_t *src,
               uint32_t       len)
{
  /* The board has no RAM model: a program loaded behind the stub is only recorded. */
}

static int
sim_ram_run (void     *ctx,
             uint32_t  entry)
{
  SimStub *s = ctx;

  _esprit_sim_event (s->sim, "stub: MEM_END starts a RAM program at 0x%08x", entry);
  return 0;
}

static void
sim_work (void     *ctx,
          int       kind,
          uint32_t  bytes)
{
  SimStub *s = ctx;
  gint64 ns = kind == ESPRIT_STUB_WORK_INFLATE ? STUB_INFLATE_NS_PER_BYTE
            : kind == ESPRIT_STUB_WORK_MD5 ? STUB_MD5_NS_PER_BYTE
            : kind == ESPRIT_STUB_WORK_SCAN ? STUB_SCAN_NS_PER_BYTE
            : STUB_PACK_NS_PER_BYTE;

  charge_ns (s, ns * bytes);
}

EspritSimMode
_esprit_sim_run_stub (EspritSim *sim,
                      gboolean   extensions)
{
  g_autofree esprit_stub_state_t *state = g_new0 (esprit_stub_state_t, 1);
  SimStub s = { sim, ESPRIT_SIM_MODE_BOOTING, 0 };
  esprit_stub_hal_t hal = {
    .ctx = &s,
    .state = state,
    .extensions = extensions,
    .rx_byte = sim_rx_byte,
    .tx = sim_tx,
    .tx_flush = sim_tx_flush,
    .set_baud = sim_set_baud,
    .flash_read = sim_flash_read,
    .flash_write = sim_flash_write,
    .flash_erase_sector = sim_erase_sector,
    .flash_erase_block = sim_erase_block,
    .flash_erase_chip = sim_erase_chip,
    .flash_set_params = sim_set_params,
    .flash_attach = sim_attach,
    .read_reg = sim_read_reg,
    .write_reg = sim_write_reg,
    /* §2: RUN_USER_CODE exists in the ESP8266 stub only. */
    .run_user_code = _esprit_sim_chip (sim) == ESPRIT_CHIP_ESP8266 ? sim_run_user_code : NULL,
    .reboot = sim_reboot,
    .poll = NULL,   /* the simulated wire buffers every byte */
    .work = sim_work,
    .ram_write = sim_ram_write,
    .ram_run = sim_ram_run,
  };

  /* §12.0: the ROM leaves the flash detached unless told; a stub attaches it itself. */
  _esprit_sim_flash_attach (sim);
  _esprit_sim_event (sim, "stub: running (%s)", extensions ? "Esprit's" : "another stub");
  esprit_stub_main (&hal);
  return s.next;
}

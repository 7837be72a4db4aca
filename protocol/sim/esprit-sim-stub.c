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

#include "esprit-command.h"
#include "esprit-sim-flash-crypt.h"
#include "esprit-sim-private.h"
#include "stub-core.h"

/* model: CPU cost of the core's computing, in CPU cycles per byte. The figures are the
 * ESP8266 estimates at 80 MHz (compiled C of this kind: inflate ~2 MB/s, MD5 ~4 MB/s, the
 * packed-read compressor ~3 MB/s, checking a chunk for 0xFF ~25 MB/s: a compare-and-branch
 * loop), expressed in cycles so that every chip runs the same code at its own clock: the
 * family's Xtensa stubs are the same call0 lx106 code on an LX6/LX7, the RISC-V ones comparable
 * rv32imc code, so the cycles a byte are taken to be the same (an estimate, not measured). */
#define STUB_INFLATE_CYCLES 40
#define STUB_MD5_CYCLES     20
#define STUB_PACK_CYCLES    26.4
#define STUB_SCAN_CYCLES    3.2

/* Each chip's clocks while its ROM loader (and so the stub) runs:
 * - ESP8266: 80 MHz, the basis of the estimates above; its stub reads through the ROM's
 *   SPIRead (40 MHz QIO, ~20 MB/s: 50 ns a byte).
 * - ESP32-family: the CPU runs from the 40 MHz crystal (protocol-facts §12.2: APB = XTAL
 *   while the PLL is off; §12.6: the stub does not start the PLL; the HAL's own delays assume
 *   the same, protocol/stub/<chip>/chip.h). The HAL reads with user transactions of 64 bytes
 *   (command 03h, 24 address bits, 512 data bits) at the SPI clock: on the ESP32 0x1001 in
 *   SPI_CLOCK, APB/2 = 20 MHz (what stub-spi.c sets); on the S2 and later stub-spi.c halves
 *   the divider the ROM left (its reset value /4 becomes /2), 20 MHz when the MSPI source is
 *   the 40 MHz crystal (model: the slower of the two sources it may be, so the estimate errs
 *   on the slow side), plus the CPU's copy of the W registers into the core's word-aligned
 *   buffer, a load and a store a word (taken as 2 cycles a byte with the loop). */
typedef struct {
  EspritChip chip;
  guint      cpu_mhz;
  guint      spi_mhz;   /* 0: the read costs STUB_ROM_READ_NS a byte */
  guint      tx_depth;  /* bytes the stub buffers for sending: the FIFO and its own ring */
} SimStubClock;

#define STUB_ROM_READ_NS   50
#define STUB_SPI_CHUNK     64
#define STUB_COPY_CYCLES   2

/* The family HAL keeps a 2 KiB ring in front of the 128-byte FIFO (stub-family.c TX_RING)
 * and the core serves it at least every 512 bytes of packing and 1 KiB of MD5. */
static const SimStubClock stub_clocks[] = {
  { ESPRIT_CHIP_ESP8266, 80, 0, 128 },
  { ESPRIT_CHIP_ESP32,   40, 20, 128 + 2048 },
  { ESPRIT_CHIP_ESP32S2, 40, 20, 128 + 2048 },
  { ESPRIT_CHIP_ESP32S3, 40, 20, 128 + 2048 },
  { ESPRIT_CHIP_ESP32C3, 40, 20, 128 + 2048 },
  { ESPRIT_CHIP_ESP32C6, 40, 20, 128 + 2048 },
};

typedef struct {
  EspritSim          *sim;
  EspritSimMode       next;
  const SimStubClock *clock;
  double              pending_ns;   /* CPU time not yet charged (charged in whole microseconds) */
} SimStub;

static const SimStubClock *
clock_of (EspritChip chip)
{
  for (guint i = 0; i < G_N_ELEMENTS (stub_clocks); i++)
    if (stub_clocks[i].chip == chip)
      return &stub_clocks[i];
  g_return_val_if_reached (&stub_clocks[0]);
}

/* The time one flash read of @len bytes takes on this chip. */
static double
read_ns (const SimStubClock *c,
         guint32             len)
{
  guint32 chunks = (len + STUB_SPI_CHUNK - 1) / STUB_SPI_CHUNK;

  if (c->spi_mhz == 0)
    return (double) len * STUB_ROM_READ_NS;
  return chunks * (8.0 + 24.0) * 1000.0 / c->spi_mhz + len * 8.0 * 1000.0 / c->spi_mhz +
         len * (double) STUB_COPY_CYCLES * 1000.0 / c->cpu_mhz;
}

static gboolean
charge_ns (SimStub *s,
           double   ns)
{
  gint64 us;

  s->pending_ns += ns;
  if (s->pending_ns < 1000)
    return TRUE;
  us = (gint64) (s->pending_ns / 1000);
  s->pending_ns -= us * 1000.0;
  return _esprit_sim_board_busy (s->sim, us);
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

  _esprit_sim_board_send_buffered (s->sim, data, len, s->clock->tx_depth);
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
  return charge_ns (s, read_ns (s->clock, len)) ? 0 : 1;
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

/* The ESP32's eFuse as the flash-encryption engine reads it (esptool targets/esp32.py and
 * espefuse's esp32 field table): FLASH_CRYPT_CONFIG is BLK0 word 5 [31:28], the key BLOCK1,
 * words 14..21. espefuse burn_key stores the key file's bytes reversed, so the key in
 * espsecure's order is the block read backwards. The virtual chip's eFuses are blank: the
 * words read 0, so the key is all zeros and no address bit tweaks it (esprit-sim-regs.c). */
#define ESP32_EFUSE_WORD(n) (0x3FF5A000u + 4 * (n))

static int
sim_flash_write_encrypted (void       *ctx,
                           uint32_t    addr,
                           const void *src,
                           uint32_t    len)
{
  SimStub *s = ctx;
  guint8 block1[32], key[32];
  guint32 conf = _esprit_sim_read_reg (s->sim, ESP32_EFUSE_WORD (5)) >> 28 & 0xF;
  g_autofree guint8 *data = g_memdup2 (src, len);

  for (guint i = 0; i < 8; i++)
    esprit_write_le32 (block1 + 4 * i, _esprit_sim_read_reg (s->sim, ESP32_EFUSE_WORD (14 + i)));
  for (guint i = 0; i < 32; i++)
    key[i] = block1[31 - i];
  /* the ROM's esp_rom_spiflash_write_encrypted: 32-byte aligned address and length only */
  if (esprit_sim_flash_encrypt (key, conf, addr, data, len) != 0)
    return 1;
  _esprit_sim_event (s->sim, "stub: %u bytes at 0x%06x through the flash-encryption engine "
                     "(FLASH_CRYPT_CONFIG 0x%x)", len, addr, conf);
  return _esprit_sim_flash_program (s->sim, addr, data, len) ? 0 : 1;
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

  /* §6: the ESP8266 stub returns into the ROM's flash boot; Esprit's ESP32-family stubs
   * reset the chip by its RTC watchdog, which samples the boot pins again
   * (protocol/stub/family/stub-family.c): the board boots per the lines, as after a
   * software reboot of the loader. */
  s->next = _esprit_sim_chip (s->sim) == ESPRIT_CHIP_ESP8266 ? ESPRIT_SIM_MODE_APP
                                                               : SIM_MODE_SOFT_REBOOT;
}

static gboolean
runs_user_code (EspritChip chip,
                gboolean   extensions)
{
  return chip == ESPRIT_CHIP_ESP8266 || extensions;
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
  double cycles = kind == ESPRIT_STUB_WORK_INFLATE ? STUB_INFLATE_CYCLES
                : kind == ESPRIT_STUB_WORK_MD5 ? STUB_MD5_CYCLES
                : kind == ESPRIT_STUB_WORK_SCAN ? STUB_SCAN_CYCLES
                : STUB_PACK_CYCLES;

  charge_ns (s, cycles * bytes * 1000.0 / s->clock->cpu_mhz);
}

EspritSimMode
_esprit_sim_run_stub (EspritSim *sim,
                      gboolean   extensions)
{
  g_autofree esprit_stub_state_t *state = g_new0 (esprit_stub_state_t, 1);
  SimStub s = { sim, ESPRIT_SIM_MODE_BOOTING, clock_of (_esprit_sim_chip (sim)), 0 };
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
    /* §2: RUN_USER_CODE exists in the ESP8266's stubs and in Esprit's for the S3, C3, C6. */
    .run_user_code = runs_user_code (_esprit_sim_chip (sim), extensions) ? sim_run_user_code : NULL,
    .reboot = sim_reboot,
    .poll = NULL,   /* the simulated wire buffers every byte */
    .work = sim_work,
    .ram_write = sim_ram_write,
    .ram_run = sim_ram_run,
    /* the common ESP32 stub's encrypted writes (v1: FLASH_BEGIN's 5th word and 0xD4); the
     * engine of the later chips (AES-XTS) is not modelled, nor are Esprit's own stubs */
    .flash_write_encrypted = !extensions && _esprit_sim_chip (sim) == ESPRIT_CHIP_ESP32
                             ? sim_flash_write_encrypted : NULL,
  };

  /* §12.0: the ROM leaves the flash detached unless told; a stub attaches it itself. */
  _esprit_sim_flash_attach (sim);
  _esprit_sim_event (sim, "stub: running (%s)", extensions ? "Esprit's" : "another stub");
  esprit_stub_main (&hal);
  return s.next;
}

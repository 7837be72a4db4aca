/* esprit-stub-harness.c: the stub core on the host over a scripted machine
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-slip.h"
#include "esprit-stub-harness.h"

static int
h_rx_byte (void *ctx)
{
  EspritStubHarness *h = ctx;
  int c;

  while ((c = stub_rx_pop (&h->rx)) < 0)
    {
      guint n = MIN (64, h->input->len - h->in_pos);

      if (n == 0)
        return -1;
      for (guint i = 0; i < n; i++)
        stub_rx_push (&h->rx, h->input->data[h->in_pos++]);
    }
  return c;
}

/* The host's next frame arrives while the flash is busy (only when nothing is waiting):
 * bytes go in until the ring has published one more frame. */
static void
arrive_during_erase (EspritStubHarness *h)
{
  uint32_t head = h->rx.head;

  if (head != h->rx.tail)
    return;
  while (h->in_pos < h->input->len && h->rx.head == head)
    stub_rx_push (&h->rx, h->input->data[h->in_pos++]);
}

static void
h_tx (void *ctx, const uint8_t *data, uint32_t len)
{
  EspritStubHarness *h = ctx;

  g_string_append (h->log, "tx ");
  g_byte_array_append (h->output, data, len);
}

static void
h_tx_flush (void *ctx)
{
  EspritStubHarness *h = ctx;

  g_string_append (h->log, "flush ");
}

static void
h_set_baud (void *ctx, uint32_t new_baud, uint32_t old_baud)
{
  EspritStubHarness *h = ctx;

  g_string_append_printf (h->log, "baud:%u ", new_baud);
}

static gboolean
in_flash (uint32_t addr, uint32_t len)
{
  return addr <= ESPRIT_HARNESS_FLASH && len <= ESPRIT_HARNESS_FLASH - addr;
}

static int
h_flash_read (void *ctx, uint32_t addr, void *dst, uint32_t len)
{
  EspritStubHarness *h = ctx;

  g_assert_true (addr % 4 == 0 && len % 4 == 0 && (uintptr_t) dst % 4 == 0);
  if (h->fail_flash || !in_flash (addr, len))
    return 1;
  memcpy (dst, h->flash + addr, len);
  return 0;
}

static int
h_flash_write (void *ctx, uint32_t addr, const void *src, uint32_t len)
{
  EspritStubHarness *h = ctx;
  const guint8 *s = src;

  /* the ROM's SPIWrite moves whole words from a word-aligned buffer */
  g_assert_true (addr % 4 == 0 && len % 4 == 0 && (uintptr_t) src % 4 == 0);
  g_string_append_printf (h->log, "write:%x ", addr);
  if (h->fail_flash || !in_flash (addr, len))
    return 1;
  for (uint32_t i = 0; i < len; i++)
    h->flash[addr + i] &= s[i];   /* NOR: programming only clears bits */
  return 0;
}

static int
h_erase (EspritStubHarness *h, const char *what, uint32_t addr, uint32_t len)
{
  g_string_append_printf (h->log, "%s:%x ", what, addr);
  arrive_during_erase (h);
  if (h->fail_flash || !in_flash (addr, len))
    return 1;
  memset (h->flash + addr, 0xFF, len);
  return 0;
}

static int
h_erase_sector (void *ctx, uint32_t sector)
{
  return h_erase (ctx, "erase-sector", sector * STUB_SECTOR, STUB_SECTOR);
}

static int
h_erase_block (void *ctx, uint32_t block)
{
  return h_erase (ctx, "erase-block", block * STUB_BLOCK, STUB_BLOCK);
}

static int
h_erase_chip (void *ctx)
{
  return h_erase (ctx, "erase-chip", 0, ESPRIT_HARNESS_FLASH);
}

static int
h_set_params (void *ctx, uint32_t total, uint32_t block, uint32_t sector, uint32_t page)
{
  EspritStubHarness *h = ctx;

  g_string_append_printf (h->log, "params:%x ", total);
  h->param_block = block;
  h->param_sector = sector;
  return h->fail_flash;
}

static int
h_attach (void *ctx, uint32_t config)
{
  EspritStubHarness *h = ctx;

  g_string_append (h->log, "attach ");
  return 0;
}

static int
reg_slot (EspritStubHarness *h, uint32_t addr)
{
  for (int i = 0; i < ESPRIT_HARNESS_REGS; i++)
    if (h->reg_addr[i] == addr)
      return i;
  for (int i = 0; i < ESPRIT_HARNESS_REGS; i++)
    if (h->reg_addr[i] == 0)
      {
        h->reg_addr[i] = addr;
        return i;
      }
  return ESPRIT_HARNESS_REGS - 1;
}

static uint32_t
h_read_reg (void *ctx, uint32_t addr)
{
  EspritStubHarness *h = ctx;

  h->reg_reads++;
  g_string_append_printf (h->log, "read-reg:%x ", addr);
  return h->reg_value[reg_slot (h, addr)];
}

static void
h_write_reg (void *ctx, uint32_t addr, uint32_t value, uint32_t mask, uint32_t delay_us)
{
  EspritStubHarness *h = ctx;
  int i = reg_slot (h, addr);

  g_string_append_printf (h->log, "write-reg:%x=%x/%x+%u ", addr, value, mask, delay_us);
  h->reg_value[i] = (h->reg_value[i] & ~mask) | (value & mask);
}

static void
h_run_user_code (void *ctx)
{
  EspritStubHarness *h = ctx;

  g_string_append (h->log, "run-user-code ");
}

static void
h_start (void *ctx)
{
  EspritStubHarness *h = ctx;

  g_string_append (h->log, "machine-start ");
}

static int
h_unlock (void *ctx)
{
  EspritStubHarness *h = ctx;

  g_string_append (h->log, "unlock ");
  return h->fail_unlock;
}

static int
h_ram_check (void *ctx, uint32_t addr, uint32_t len)
{
  /* the window, less the part the "stub" occupies */
  if (addr < ESPRIT_HARNESS_RAM_BASE || addr - ESPRIT_HARNESS_RAM_BASE > ESPRIT_HARNESS_RAM_SIZE ||
      len > ESPRIT_HARNESS_RAM_SIZE - (addr - ESPRIT_HARNESS_RAM_BASE))
    return 1;
  return addr + len > ESPRIT_HARNESS_SELF;
}

static void
h_ram_write (void *ctx, uint32_t addr, const uint8_t *src, uint32_t len)
{
  EspritStubHarness *h = ctx;

  /* the core checked the region (MEM_BEGIN) and never writes past what it announced */
  g_assert_true (addr % 4 == 0 && len % 4 == 0);
  g_assert_false (h_ram_check (ctx, addr, len));
  memcpy (h->ram + (addr - ESPRIT_HARNESS_RAM_BASE), src, len);
}

static int
h_ram_run (void *ctx, uint32_t entry)
{
  EspritStubHarness *h = ctx;

  g_string_append_printf (h->log, "run:%x ", entry);
  h->ran_entry = entry;
  return 0;
}

static void
h_reboot (void *ctx)
{
  EspritStubHarness *h = ctx;

  g_string_append (h->log, "reboot ");
}

EspritStubHarness *
esprit_stub_harness_new (void)
{
  EspritStubHarness *h = g_new0 (EspritStubHarness, 1);

  h->input = g_byte_array_new ();
  h->output = g_byte_array_new ();
  h->log = g_string_new (NULL);
  h->state = g_new0 (esprit_stub_state_t, 1);
  memset (h->flash, 0xFF, sizeof h->flash);
  stub_rx_init (&h->rx);
  h->hal = (esprit_stub_hal_t) {
    .ctx = h,
    .state = h->state,
    .extensions = 1,
    .rx_byte = h_rx_byte,
    .tx = h_tx,
    .tx_flush = h_tx_flush,
    .set_baud = h_set_baud,
    .flash_read = h_flash_read,
    .flash_write = h_flash_write,
    .flash_erase_sector = h_erase_sector,
    .flash_erase_block = h_erase_block,
    .flash_erase_chip = h_erase_chip,
    .flash_set_params = h_set_params,
    .flash_attach = h_attach,
    .read_reg = h_read_reg,
    .write_reg = h_write_reg,
    .run_user_code = h_run_user_code,
    .reboot = h_reboot,
    .start = h_start,
    .flash_unlock = h_unlock,
    .ram_check = h_ram_check,
    .ram_write = h_ram_write,
    .ram_run = h_ram_run,
  };
  return h;
}

void
esprit_stub_harness_free (EspritStubHarness *h)
{
  g_byte_array_unref (h->input);
  g_byte_array_unref (h->output);
  g_string_free (h->log, TRUE);
  g_free (h->state);
  g_free (h);
}

void
esprit_stub_harness_send (EspritStubHarness *h,
                          guint8             op,
                          const guint8      *data,
                          gsize              len,
                          guint32            checksum)
{
  g_autoptr(GByteArray) pkt = esprit_command_build (op, data, len, checksum);

  esprit_slip_encode (h->input, pkt->data, pkt->len);
}

void
esprit_stub_harness_run (EspritStubHarness *h)
{
  /* the machine's own start, then the core's */
  g_string_append (h->log, "start ");
  esprit_stub_main (&h->hal);
}

GPtrArray *
esprit_stub_harness_frames (EspritStubHarness *h)
{
  g_autoptr(EspritSlipDecoder) dec = esprit_slip_decoder_new (0x10000);
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < h->output->len; i++)
    if (esprit_slip_decoder_push (dec, h->output->data[i]) == ESPRIT_SLIP_FRAME)
      {
        gsize n;
        const guint8 *f = esprit_slip_decoder_frame (dec, &n);

        g_ptr_array_add (frames, g_bytes_new (f, n));
      }
  return frames;
}

/* esprit-sim.c: the virtual board: wire, reset and strapping, flash, the board's CPU thread
 *
 * The board is a thread that runs "firmware" (boot ROM, ROM loader, stub, application) and
 * talks to the host through two byte queues, one per direction. Each byte carries the baud
 * rate it was sent at and the time it finishes arriving, so that a receiver at another rate
 * gets garbage and, with timing on, every byte costs its 10 bits of wire time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esprit-command.h"
#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-sim-private.h"
#include "esprit-slip.h"

typedef struct {
  gint64 at;      /* monotonic µs when the byte has fully arrived */
  guint  baud;
  guint8 byte;
} WireByte;

typedef struct {
  GArray *bytes;
  guint   head;
  gint64  line_free;   /* when the line finishes sending what is queued */
} Wire;

struct _EspritSim
{
  GObject          parent_instance;

  EspritSimConfig  config;
  char            *flash_path;
  char            *events_path;
  EspritSimFaults  faults;

  GMutex           lock;
  GCond            cond;
  Wire             to_board;
  Wire             to_host;
  guint            uart_baud;       /* the board UART's rate */
  guint            autobaud_count;  /* consecutive 0x55 seen at another rate (ROM autobaud) */
  gboolean         dtr;
  gboolean         rts;
  gboolean         in_reset;        /* EN held low */
  guint            reset_gen;       /* bumps on every reset: firmware loops end */
  gboolean         quit;
  gboolean         disconnected;
  gboolean         noise_sent;
  guint64          count_to_board;
  guint64          count_to_host;
  gint             frames_sent;
  gboolean         stalled;
  EspritSimMode    mode;
  guint            reset_count;
  guint            boot_mode;
  guint            rst_cause;

  GThread         *thread;

  guint8          *flash;
  gsize            flash_size;
  gboolean         flash_mapped;

  GHashTable      *regs;            /* addr -> value for writable registers */
  guint32          efuse[4];
};

G_DEFINE_FINAL_TYPE (EspritSim, esprit_sim, G_TYPE_OBJECT)

static gint64
wire_time_us (guint baud)
{
  /* 10 bits a byte: start, 8 data, stop. */
  return baud ? (10 * G_USEC_PER_SEC + baud / 2) / baud : 0;
}

static gboolean
baud_matches (guint a,
              guint b)
{
  /* A UART tolerates about 3 % of rate error before bits slip. */
  return a == b || (a > b ? a - b : b - a) * 100 <= MAX (a, b) * 3;
}

static guint8
garble (guint8 byte,
        guint  sent_baud,
        guint  recv_baud)
{
  /* Deterministic stand-in for what a UART samples at the wrong rate. */
  guint32 x = byte * 0x9E3779B1u ^ (sent_baud * 31u + recv_baud);

  x ^= x >> 13;
  return (guint8) (x * 0x85EBCA6Bu >> 24);
}

static void
wire_init (Wire *wire)
{
  wire->bytes = g_array_new (FALSE, FALSE, sizeof (WireByte));
  wire->head = 0;
  wire->line_free = 0;
}

static void
wire_clear (Wire *wire)
{
  g_array_set_size (wire->bytes, 0);
  wire->head = 0;
}

static void
wire_compact (Wire *wire)
{
  if (wire->head > 4096 && wire->head * 2 > wire->bytes->len)
    {
      g_array_remove_range (wire->bytes, 0, wire->head);
      wire->head = 0;
    }
}

static gboolean
wire_empty (Wire *wire)
{
  return wire->head >= wire->bytes->len;
}

static WireByte *
wire_peek (Wire *wire)
{
  return &g_array_index (wire->bytes, WireByte, wire->head);
}

/* Called with the lock held. */
static void
wire_push (EspritSim    *self,
           Wire         *wire,
           const guint8 *data,
           gsize         len,
           guint         baud)
{
  gint64 now = g_get_monotonic_time ();
  gint64 per_byte = self->config.timing ? wire_time_us (baud) : 0;
  gint64 t = MAX (now, wire->line_free);

  for (gsize i = 0; i < len; i++)
    {
      WireByte wb = { 0, baud, data[i] };

      t += per_byte;
      wb.at = self->config.timing ? t : now;
      g_array_append_val (wire->bytes, wb);
    }
  wire->line_free = t;
}

static gboolean
count_and_check_disconnect (EspritSim *self,
                            gsize      n)
{
  if (self->faults.disconnect_after >= 0 &&
      self->count_to_board + self->count_to_host + n >= (guint64) self->faults.disconnect_after)
    {
      self->disconnected = TRUE;
      g_cond_broadcast (&self->cond);
      return TRUE;
    }
  return FALSE;
}

/* ---- host side ---------------------------------------------------------------------- */

void
esprit_sim_host_write (EspritSim    *self,
                       const guint8 *data,
                       gsize         len,
                       guint         baud)
{
  g_return_if_fail (ESPRIT_IS_SIM (self));

  g_mutex_lock (&self->lock);
  for (gsize i = 0; i < len && !self->disconnected; i++)
    {
      guint8 byte = data[i];

      if (count_and_check_disconnect (self, 1))
        break;
      self->count_to_board++;
      if ((gint64) self->count_to_board == self->faults.corrupt_rx_byte)
        byte ^= 0x24;
      if ((gint64) self->count_to_board == self->faults.stall_after_bytes)
        self->stalled = TRUE;
      wire_push (self, &self->to_board, &byte, 1, baud);
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

gssize
esprit_sim_host_read (EspritSim     *self,
                      guint8        *buffer,
                      gsize          len,
                      guint          baud,
                      guint          timeout_ms,
                      GCancellable  *cancellable,
                      GError       **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gsize got = 0;

  g_return_val_if_fail (ESPRIT_IS_SIM (self), -1);

  g_mutex_lock (&self->lock);
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 wake;

      if (self->disconnected)
        {
          g_mutex_unlock (&self->lock);
          g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED,
                               _("The virtual board disconnected"));
          return -1;
        }
      while (got < len && !wire_empty (&self->to_host) && wire_peek (&self->to_host)->at <= now)
        {
          WireByte *wb = wire_peek (&self->to_host);

          buffer[got++] = baud_matches (wb->baud, baud) ? wb->byte
                                                        : garble (wb->byte, wb->baud, baud);
          self->to_host.head++;
        }
      if (got > 0)
        break;
      if (now >= deadline)
        break;
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_mutex_unlock (&self->lock);
          g_cancellable_set_error_if_cancelled (cancellable, error);
          return -1;
        }
      /* Wake for the next byte, the deadline, or every 20 ms to look at the cancellable. */
      wake = MIN (deadline, now + 20000);
      if (!wire_empty (&self->to_host))
        wake = MIN (wake, wire_peek (&self->to_host)->at);
      g_cond_wait_until (&self->cond, &self->lock, wake);
    }
  wire_compact (&self->to_host);
  g_mutex_unlock (&self->lock);
  return (gssize) got;
}

void
esprit_sim_host_flush (EspritSim *self)
{
  g_mutex_lock (&self->lock);
  /* Only what has arrived can be discarded; bytes still on the wire come later. */
  while (!wire_empty (&self->to_host) && wire_peek (&self->to_host)->at <= g_get_monotonic_time ())
    self->to_host.head++;
  wire_compact (&self->to_host);
  g_mutex_unlock (&self->lock);
}

void
esprit_sim_set_lines (EspritSim *self,
                      gboolean   dtr,
                      gboolean   rts)
{
  gboolean en_low;

  g_mutex_lock (&self->lock);
  self->dtr = dtr;
  self->rts = rts;
  /* The common two-transistor auto-reset circuit (protocol-facts §3): EN is pulled low only
   * while RTS is asserted and DTR is not; GPIO0 only while DTR is asserted and RTS is not.
   * Asserting both lines does nothing. */
  en_low = self->config.lines_wired && rts && !dtr;
  if (en_low && !self->in_reset)
    {
      self->in_reset = TRUE;
      self->reset_gen++;
    }
  else if (!en_low && self->in_reset)
    self->in_reset = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* Called with the lock held. */
static gboolean
gpio0_low (EspritSim *self)
{
  if (!self->config.lines_wired)
    return TRUE;   /* as if BOOT were held */
  return self->dtr && !self->rts;
}

/* ---- board side --------------------------------------------------------------------- */

int
_esprit_sim_board_getc (EspritSim *self,
                        gint64     timeout_us)
{
  gint64 deadline = timeout_us < 0 ? G_MAXINT64 : g_get_monotonic_time () + timeout_us;
  guint gen;
  int result = SIM_TIMEOUT;

  g_mutex_lock (&self->lock);
  gen = self->reset_gen;
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 wake = deadline;

      if (self->quit || self->reset_gen != gen || self->in_reset)
        {
          result = SIM_RESET;
          break;
        }
      if (self->stalled && self->faults.stall_ms > 0)
        {
          gint64 until = now + (gint64) self->faults.stall_ms * 1000;

          self->stalled = FALSE;
          while (g_get_monotonic_time () < until && !self->quit)
            g_cond_wait_until (&self->cond, &self->lock, until);
          continue;
        }
      if (!wire_empty (&self->to_board))
        {
          WireByte *wb = wire_peek (&self->to_board);

          if (wb->at <= now)
            {
              self->to_board.head++;
              if (baud_matches (wb->baud, self->uart_baud))
                {
                  self->autobaud_count = 0;
                  result = wb->byte;
                }
              else
                {
                  /* The ROM loader measures the rate from SYNC's 0x55 bytes (§2 SYNC); a few
                   * of them at a new rate retune the UART. The stub and the application have
                   * a fixed rate. */
                  if (self->mode == ESPRIT_SIM_MODE_ROM_LOADER && wb->byte == 0x55 &&
                      ++self->autobaud_count >= 4)
                    {
                      self->uart_baud = wb->baud;
                      self->autobaud_count = 0;
                    }
                  result = garble (wb->byte, wb->baud, self->uart_baud);
                }
              break;
            }
          wake = MIN (wake, wb->at);
        }
      if (now >= deadline)
        break;
      g_cond_wait_until (&self->cond, &self->lock, MIN (wake, now + 100000));
    }
  wire_compact (&self->to_board);
  g_mutex_unlock (&self->lock);
  return result;
}

static void
board_send_locked (EspritSim    *self,
                   const guint8 *data,
                   gsize         len)
{
  for (gsize i = 0; i < len && !self->disconnected; i++)
    {
      guint8 byte = data[i];

      if (count_and_check_disconnect (self, 1))
        break;
      self->count_to_host++;
      if ((gint64) self->count_to_host == self->faults.corrupt_tx_byte)
        byte ^= 0x24;
      wire_push (self, &self->to_host, &byte, 1, self->uart_baud);
    }
  g_cond_broadcast (&self->cond);
}

void
_esprit_sim_board_send (EspritSim    *self,
                        const guint8 *data,
                        gsize         len)
{
  gint64 fifo_time;

  g_mutex_lock (&self->lock);
  board_send_locked (self, data, len);
  /* A 128-byte TX FIFO: the sender blocks while more than that is waiting to go out. */
  fifo_time = 128 * wire_time_us (self->uart_baud);
  while (self->config.timing && !self->quit &&
         self->to_host.line_free - fifo_time > g_get_monotonic_time ())
    g_cond_wait_until (&self->cond, &self->lock, self->to_host.line_free - fifo_time);
  g_mutex_unlock (&self->lock);
}

void
_esprit_sim_board_send_frame (EspritSim    *self,
                              const guint8 *data,
                              gsize         len)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gboolean drop;

  g_mutex_lock (&self->lock);
  self->frames_sent++;
  drop = self->frames_sent == self->faults.drop_frame;
  g_mutex_unlock (&self->lock);
  if (drop)
    return;
  esprit_slip_encode (out, data, len);
  _esprit_sim_board_send (self, out->data, out->len);
}

void
_esprit_sim_board_tx_flush (EspritSim *self)
{
  g_mutex_lock (&self->lock);
  while (self->config.timing && !self->quit && self->to_host.line_free > g_get_monotonic_time ())
    g_cond_wait_until (&self->cond, &self->lock, self->to_host.line_free);
  g_mutex_unlock (&self->lock);
}

gboolean
_esprit_sim_board_busy (EspritSim *self,
                        gint64     us)
{
  gint64 until = g_get_monotonic_time () + us;
  guint gen;
  gboolean ok = TRUE;

  if (!self->config.timing || us <= 0)
    return TRUE;
  g_mutex_lock (&self->lock);
  gen = self->reset_gen;
  while (g_get_monotonic_time () < until)
    {
      if (self->quit || self->reset_gen != gen)
        {
          ok = FALSE;
          break;
        }
      g_cond_wait_until (&self->cond, &self->lock, until);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

void
_esprit_sim_board_set_baud (EspritSim *self,
                            guint      baud)
{
  g_mutex_lock (&self->lock);
  self->uart_baud = baud;
  self->autobaud_count = 0;
  g_mutex_unlock (&self->lock);
}

guint
_esprit_sim_board_get_baud (EspritSim *self)
{
  guint baud;

  g_mutex_lock (&self->lock);
  baud = self->uart_baud;
  g_mutex_unlock (&self->lock);
  return baud;
}

void
_esprit_sim_set_mode (EspritSim     *self,
                      EspritSimMode  mode)
{
  g_mutex_lock (&self->lock);
  self->mode = mode;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
_esprit_sim_event (EspritSim  *self,
                   const char *format,
                   ...)
{
  g_autofree char *line = NULL;
  va_list args;
  FILE *f;

  if (self->events_path == NULL)
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  f = fopen (self->events_path, "a");
  if (f == NULL)
    return;
  fprintf (f, "%s\n", line);
  fclose (f);
}

void
_esprit_sim_board_sync_noise (EspritSim *self)
{
  g_autofree guint8 *noise = NULL;
  guint n;

  g_mutex_lock (&self->lock);
  n = self->noise_sent ? 0 : self->faults.noise_before_sync;
  self->noise_sent = TRUE;
  g_mutex_unlock (&self->lock);
  if (n == 0)
    return;
  noise = g_malloc (n);
  for (guint i = 0; i < n; i++)
    noise[i] = (guint8) (g_random_int () & 0xFF);
  _esprit_sim_board_send (self, noise, n);
}

gboolean
_esprit_sim_lines_wired (EspritSim *self)
{
  return self->config.lines_wired;
}

/* ---- flash -------------------------------------------------------------------------- */

guint8 *
_esprit_sim_flash (EspritSim *self,
                   gsize     *size)
{
  *size = self->flash_size;
  return self->flash;
}

gboolean
_esprit_sim_flash_erase (EspritSim *self,
                         guint32    addr,
                         guint32    len)
{
  guint32 end;

  if (addr % SIM_SECTOR != 0 || addr > self->flash_size)
    return FALSE;
  end = MIN ((guint64) addr + len, self->flash_size);
  while (addr < end)
    {
      gboolean block = addr % SIM_BLOCK == 0 && end - addr >= SIM_BLOCK;
      guint32 n = block ? SIM_BLOCK : SIM_SECTOR;

      if (!_esprit_sim_board_busy (self, block ? SIM_BLOCK_ERASE_US : SIM_SECTOR_ERASE_US))
        return FALSE;
      memset (self->flash + addr, 0xFF, MIN (n, self->flash_size - addr));
      addr += n;
    }
  return TRUE;
}

gboolean
_esprit_sim_flash_program (EspritSim    *self,
                           guint32       addr,
                           const guint8 *data,
                           gsize         len)
{
  gsize pages;

  if ((guint64) addr + len > self->flash_size)
    return FALSE;
  /* NOR programming only clears bits: a write over unerased data corrupts it. */
  for (gsize i = 0; i < len; i++)
    self->flash[addr + i] &= data[i];
  pages = (addr % 256 + len + 255) / 256;
  _esprit_sim_board_busy (self, (gint64) pages * SIM_PAGE_PROGRAM_US);
  return memcmp (self->flash + addr, data, len) == 0;
}

guint32
_esprit_sim_jedec_id (EspritSim *self)
{
  /* Winbond W25Q-series ids: manufacturer EF, type 40, capacity log2(size). */
  guint cap = 0;

  while ((1u << cap) < self->flash_size)
    cap++;
  return 0xEF | (0x40 << 8) | (cap << 16);
}

/* ---- registers ---------------------------------------------------------------------- */

#define REG_CHIP_MAGIC 0x40001000   /* protocol-facts §4 */

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
      result = _esprit_sim_jedec_id (self);
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

/* ---- boot --------------------------------------------------------------------------- */

static void
board_print (EspritSim  *self,
             guint       baud,
             const char *text)
{
  _esprit_sim_board_set_baud (self, baud);
  _esprit_sim_board_send (self, (const guint8 *) text, strlen (text));
}

static EspritSimMode
board_boot (EspritSim *self,
            gboolean   download)
{
  g_autofree char *log = NULL;

  if (self->config.chip == ESPRIT_CHIP_ESP8266)
    {
      /* §8.6: the ESP8266 ROM prints at 74880 baud (115200 × 26/40); boot mode first digit
       * 1 = UART download, 3 = flash. */
      log = g_strdup_printf ("\r\n ets Jan  8 2013,rst cause:%u, boot mode:(%u,7)\r\n\r\n",
                             self->rst_cause, download ? 1 : 3);
      board_print (self, 74880, log);
      if (download)
        _esprit_sim_board_set_baud (self, 115200);
    }
  else
    {
      log = g_strdup_printf ("ESP-ROM:%s\r\nrst:0x%x (%s),boot:0x%x (%s)\r\n",
                             esprit_chip_get_info (self->config.chip)->id,
                             self->rst_cause, self->rst_cause == 1 ? "POWERON_RESET" : "RTC_SW_SYS_RST",
                             download ? 0x3 : 0x13,
                             download ? "DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2)" : "SPI_FAST_FLASH_BOOT");
      board_print (self, 115200, log);
      if (download)
        board_print (self, 115200, "waiting for download\r\n");
    }
  _esprit_sim_event (self, "boot: rst cause %u, %s", self->rst_cause,
                     download ? "download mode" : "flash boot");
  return download ? ESPRIT_SIM_MODE_ROM_LOADER : ESPRIT_SIM_MODE_APP;
}

static void
board_run_app (EspritSim *self)
{
  gboolean has_image = self->flash[0] == 0xE9 || self->flash[0] == 0xEA;
  guint tick = 0;

  /* The "application": a program that prints at 115200 and never speaks SLIP. */
  _esprit_sim_board_set_baud (self, 115200);
  if (has_image)
    _esprit_sim_event (self, "app: running the program in flash (header %02X %02X %02X %02X)",
                       self->flash[0], self->flash[1], self->flash[2], self->flash[3]);
  else
    _esprit_sim_event (self, "app: invalid header: 0x%02x%02x%02x%02x", self->flash[3],
                       self->flash[2], self->flash[1], self->flash[0]);
  if (!has_image)
    {
      /* No valid image: the ROM complains and the chip resets itself now and then. */
      board_print (self, self->config.chip == ESPRIT_CHIP_ESP8266 ? 74880 : 115200,
                   "invalid header: 0xffffffff\r\n");
    }
  for (;;)
    {
      g_autofree char *line = NULL;
      int c = _esprit_sim_board_getc (self, 500000);

      if (c == SIM_RESET)
        return;
      if (c != SIM_TIMEOUT)
        continue;   /* the application ignores its input */
      if (has_image)
        {
          line = g_strdup_printf ("esprit-sim: application running, tick %u\r\n", tick++);
          board_print (self, 115200, line);
        }
    }
}

static gpointer
board_thread (gpointer data)
{
  EspritSim *self = data;

  for (;;)
    {
      gboolean download;
      EspritSimMode mode;

      g_mutex_lock (&self->lock);
      while (self->in_reset && !self->quit)
        g_cond_wait (&self->cond, &self->lock);
      if (self->quit)
        {
          g_mutex_unlock (&self->lock);
          break;
        }
      /* EN rose. The RC on EN delays the chip's start by a few ms; GPIO0 is sampled then,
       * which is why the classic sequence's brief both-asserted step does no harm (§3). */
      if (self->reset_count > 0)
        {
          gint64 until = g_get_monotonic_time () + SIM_EN_DELAY_US;

          while (g_get_monotonic_time () < until && !self->quit && !self->in_reset)
            g_cond_wait_until (&self->cond, &self->lock, until);
          if (self->in_reset || self->quit)
            {
              g_mutex_unlock (&self->lock);
              continue;
            }
        }
      download = gpio0_low (self);
      self->boot_mode = download ? 1 : 3;
      self->reset_count++;
      self->mode = ESPRIT_SIM_MODE_BOOTING;
      wire_clear (&self->to_board);
      g_mutex_unlock (&self->lock);

      mode = board_boot (self, download);
      self->rst_cause = 2;   /* any later boot follows an external reset */
      while (mode != ESPRIT_SIM_MODE_BOOTING)
        {
          _esprit_sim_set_mode (self, mode);
          if (mode == ESPRIT_SIM_MODE_APP)
            {
              board_run_app (self);
              mode = ESPRIT_SIM_MODE_BOOTING;
            }
          else
            mode = _esprit_sim_run_loader (self);
        }
      /* Wait here until the reset that ended the firmware is released. */
      g_mutex_lock (&self->lock);
      if (!self->in_reset && !self->quit && self->mode != ESPRIT_SIM_MODE_BOOTING)
        self->mode = ESPRIT_SIM_MODE_BOOTING;
      g_mutex_unlock (&self->lock);
    }
  return NULL;
}

/* Leaving a loader into a software reboot (FLASH_END flag 0) goes through here. */
EspritSimMode
_esprit_sim_soft_reboot (EspritSim *self)
{
  gboolean download;

  g_mutex_lock (&self->lock);
  download = gpio0_low (self);
  self->boot_mode = download ? 1 : 3;
  self->reset_count++;
  g_mutex_unlock (&self->lock);
  return board_boot (self, download);
}

/* ---- object ------------------------------------------------------------------------- */

static gboolean
flash_open (EspritSim  *self,
            GError    **error)
{
  int fd;
  struct stat st;

  self->flash_size = self->config.flash_size ? self->config.flash_size : 4 * 1024 * 1024;
  if (self->flash_path == NULL)
    {
      self->flash = g_malloc (self->flash_size);
      memset (self->flash, 0xFF, self->flash_size);
      return TRUE;
    }

  fd = open (self->flash_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                   _("Cannot open the flash file %s: %s"), self->flash_path, g_strerror (saved));
      return FALSE;
    }
  if ((gsize) st.st_size < self->flash_size)
    {
      /* New or shorter file: the missing part is erased flash. */
      guint8 ff[4096];
      off_t pos = st.st_size;

      memset (ff, 0xFF, sizeof ff);
      while ((gsize) pos < self->flash_size)
        {
          gsize n = MIN (sizeof ff, self->flash_size - pos);

          if (pwrite (fd, ff, n, pos) != (ssize_t) n)
            {
              g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                           _("Cannot write the flash file %s"), self->flash_path);
              close (fd);
              return FALSE;
            }
          pos += n;
        }
    }
  /* Shared mapping: the file always holds the current flash, for tests to inspect. */
  self->flash = mmap (NULL, self->flash_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close (fd);
  if (self->flash == MAP_FAILED)
    {
      self->flash = NULL;
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                   _("Cannot map the flash file %s"), self->flash_path);
      return FALSE;
    }
  self->flash_mapped = TRUE;
  return TRUE;
}

static void
esprit_sim_dispose (GObject *object)
{
  EspritSim *self = ESPRIT_SIM (object);

  if (self->thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->quit = TRUE;
      self->reset_gen++;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  G_OBJECT_CLASS (esprit_sim_parent_class)->dispose (object);
}

static void
esprit_sim_finalize (GObject *object)
{
  EspritSim *self = ESPRIT_SIM (object);

  if (self->flash_mapped)
    {
      msync (self->flash, self->flash_size, MS_SYNC);
      munmap (self->flash, self->flash_size);
    }
  else
    g_free (self->flash);
  g_array_unref (self->to_board.bytes);
  g_array_unref (self->to_host.bytes);
  g_hash_table_unref (self->regs);
  g_free (self->flash_path);
  g_free (self->events_path);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (esprit_sim_parent_class)->finalize (object);
}

static void
esprit_sim_class_init (EspritSimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esprit_sim_dispose;
  object_class->finalize = esprit_sim_finalize;
}

static void
esprit_sim_init (EspritSim *self)
{
  EspritSimFaults none = ESPRIT_SIM_FAULTS_NONE;

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  wire_init (&self->to_board);
  wire_init (&self->to_host);
  self->regs = g_hash_table_new (NULL, NULL);
  self->faults = none;
  self->rst_cause = 1;
  self->uart_baud = 115200;
}

EspritSim *
esprit_sim_new (const EspritSimConfig  *config,
                GError                **error)
{
  g_autoptr(EspritSim) self = NULL;
  static const guint8 default_macs[][6] = {
    [ESPRIT_CHIP_ESP8266] = { 0x5C, 0xCF, 0x7F, 0x01, 0x02, 0x03 },
    [ESPRIT_CHIP_ESP32]   = { 0x24, 0x0A, 0xC4, 0x11, 0x22, 0x33 },
    [ESPRIT_CHIP_ESP32S2] = { 0x7C, 0xDF, 0xA1, 0x11, 0x22, 0x33 },
    [ESPRIT_CHIP_ESP32S3] = { 0x34, 0x85, 0x18, 0x11, 0x22, 0x33 },
    [ESPRIT_CHIP_ESP32C3] = { 0x58, 0xCF, 0x79, 0x11, 0x22, 0x33 },
    [ESPRIT_CHIP_ESP32C6] = { 0x40, 0x4C, 0xCA, 0x11, 0x22, 0x33 },
  };
  static const guint8 zero[6];

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->chip >= 0 && config->chip < ESPRIT_N_CHIPS, NULL);

  self = g_object_new (ESPRIT_TYPE_SIM, NULL);
  self->config = *config;
  self->flash_path = g_strdup (config->flash_path);
  self->config.flash_path = self->flash_path;
  self->events_path = g_strdup (config->events_path);
  self->config.events_path = self->events_path;
  if (memcmp (config->mac, zero, 6) == 0)
    memcpy (self->config.mac, default_macs[config->chip], 6);
  if (self->config.flash_size == 0)
    self->config.flash_size = 4 * 1024 * 1024;
  if (self->config.flash_size % SIM_SECTOR != 0 || self->config.flash_size > 128 * 1024 * 1024)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("Unsupported flash size %u"), self->config.flash_size);
      return NULL;
    }
  esprit_chip_encode_mac (config->chip, self->config.mac, self->efuse);
  if (!flash_open (self, error))
    return NULL;

  /* Power-on with the lines released: EN high, GPIO0 high. */
  self->thread = g_thread_new ("esprit-sim-board", board_thread, self);
  return g_steal_pointer (&self);
}

const EspritSimConfig *
esprit_sim_get_config (EspritSim *self)
{
  return &self->config;
}

void
esprit_sim_set_faults (EspritSim             *self,
                       const EspritSimFaults *faults)
{
  g_mutex_lock (&self->lock);
  self->faults = *faults;
  self->noise_sent = FALSE;
  self->frames_sent = 0;
  self->count_to_board = 0;
  self->count_to_host = 0;
  g_mutex_unlock (&self->lock);
}

EspritSimMode
esprit_sim_get_mode (EspritSim *self)
{
  EspritSimMode mode;

  g_mutex_lock (&self->lock);
  mode = self->mode;
  g_mutex_unlock (&self->lock);
  return mode;
}

guint
esprit_sim_get_uart_baud (EspritSim *self)
{
  return _esprit_sim_board_get_baud (self);
}

GBytes *
esprit_sim_dup_flash (EspritSim *self)
{
  return g_bytes_new (self->flash, self->flash_size);
}

void
esprit_sim_load_flash (EspritSim    *self,
                       guint32       addr,
                       const guint8 *data,
                       gsize         len)
{
  g_return_if_fail ((guint64) addr + len <= self->flash_size);
  memcpy (self->flash + addr, data, len);
}

void
esprit_sim_get_wire_counts (EspritSim *self,
                            guint64   *to_board,
                            guint64   *to_host)
{
  g_mutex_lock (&self->lock);
  if (to_board)
    *to_board = self->count_to_board;
  if (to_host)
    *to_host = self->count_to_host;
  g_mutex_unlock (&self->lock);
}

guint
esprit_sim_get_reset_count (EspritSim *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->reset_count;
  g_mutex_unlock (&self->lock);
  return n;
}

guint
esprit_sim_get_boot_mode (EspritSim *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->boot_mode;
  g_mutex_unlock (&self->lock);
  return n;
}

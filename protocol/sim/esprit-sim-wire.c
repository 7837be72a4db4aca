/* esprit-sim-wire.c: the virtual board's wire: byte queues, timing, faults
 *
 * The board talks to the host through two byte queues, one per direction. Each byte carries
 * the baud rate it was sent at and the time it finishes arriving, so that a receiver at
 * another rate gets garbage and, with timing on, every byte costs its 10 bits of wire time.
 * The faults (noise, corrupted and dropped bytes, stalls, disconnects) act here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <stdio.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-sim-board-private.h"
#include "esprit-slip.h"


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

void
_esprit_sim_wire_init (Wire *wire)
{
  wire->bytes = g_array_new (FALSE, FALSE, sizeof (WireByte));
  wire->head = 0;
  wire->line_free = 0;
}

void
_esprit_sim_wire_clear (Wire *wire)
{
  g_array_set_size (wire->bytes, 0);
  wire->head = 0;
}

void
_esprit_sim_wire_free (Wire *wire)
{
  g_clear_pointer (&wire->bytes, g_array_unref);
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
  if (self->faults.unplug_after >= 0 &&
      self->count_to_board + self->count_to_host + n >= (guint64) self->faults.unplug_after)
    {
      self->disconnected = TRUE;
      self->unplugged = TRUE;
      g_cond_broadcast (&self->cond);
      return TRUE;
    }
  return FALSE;
}

gboolean
esprit_sim_is_unplugged (EspritSim *self)
{
  gboolean unplugged;

  g_return_val_if_fail (ESPRIT_IS_SIM (self), FALSE);

  g_mutex_lock (&self->lock);
  unplugged = self->unplugged;
  g_mutex_unlock (&self->lock);
  return unplugged;
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

gboolean
esprit_sim_host_wait (EspritSim *self,
                      guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean ready = FALSE;

  g_return_val_if_fail (ESPRIT_IS_SIM (self), FALSE);

  g_mutex_lock (&self->lock);
  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 wake = deadline;

      if (self->disconnected ||
          (!wire_empty (&self->to_host) && wire_peek (&self->to_host)->at <= now))
        {
          ready = TRUE;
          break;
        }
      if (now >= deadline)
        break;
      if (!wire_empty (&self->to_host))
        wake = MIN (wake, wire_peek (&self->to_host)->at);
      g_cond_wait_until (&self->cond, &self->lock, wake);
    }
  g_mutex_unlock (&self->lock);
  return ready;
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
  _esprit_sim_board_send_buffered (self, data, len, 128);
}

void
_esprit_sim_board_send_buffered (EspritSim    *self,
                                 const guint8 *data,
                                 gsize         len,
                                 guint         depth)
{
  gint64 fifo_time;

  g_mutex_lock (&self->lock);
  board_send_locked (self, data, len);
  /* A 128-byte TX FIFO (and what a firmware buffers in front of it): the sender blocks while
   * more than that is waiting to go out. */
  fifo_time = depth * wire_time_us (self->uart_baud);
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

/* What the board runs now; the loader sets it as the stub takes over or leaves. */
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

/* ---- public getters ------------------------------------------------------------ */

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
  /* New faults are a new link: a board whose cable was pulled (a disconnect) is plugged in
   * again. */
  self->disconnected = FALSE;
  g_mutex_unlock (&self->lock);
}

guint
esprit_sim_get_uart_baud (EspritSim *self)
{
  return _esprit_sim_board_get_baud (self);
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

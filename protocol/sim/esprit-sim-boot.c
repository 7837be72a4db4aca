/* esprit-sim-boot.c: the virtual board's reset circuit, boot and CPU thread
 *
 * DTR/RTS through the common auto-reset circuit, the strapping pins sampled when EN rises,
 * the ROM's boot log, and the board's thread, which runs one firmware after another: the ROM
 * loader (and a stub from inside it) or the "application".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>

#include "esprit-sim-board-private.h"

/* Called with the lock held. */
static gboolean
gpio0_low (EspritSim *self)
{
  if (!self->config.lines_wired)
    return TRUE;   /* as if BOOT were held */
  return self->dtr && !self->rts;
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
   * Asserting both lines does nothing.
   * The USB-Serial/JTAG controller instead holds the chip in reset while RTS is asserted,
   * and a reset that begins with DTR asserted boots into download mode. model: inferred from
   * esptool's USBJTAGSerialReset (§3: DTR set "IO0", then RTS set before DTR is cleared so
   * that the lines pass through (1,1), never (0,0), on the way into reset); the classic
   * sequence, which clears DTR before it asserts RTS, then boots the flash. */
  if (self->usb_jtag)
    en_low = rts;
  else
    en_low = self->config.lines_wired && rts && !dtr;
  if (en_low && !self->in_reset)
    {
      self->in_reset = TRUE;
      self->reset_gen++;
      self->usj_download = dtr;
    }
  else if (!en_low && self->in_reset)
    {
      self->in_reset = FALSE;
      self->en_rise_us = g_get_monotonic_time ();
    }
  /* The chip samples GPIO0 SIM_EN_DELAY_US after EN rose, whenever the board's thread gets
   * to run: what the pin holds at that instant is what it was last set to before it. */
  if (!self->in_reset && g_get_monotonic_time () < self->en_rise_us + SIM_EN_DELAY_US)
    self->strap_download = self->usb_jtag ? self->usj_download : gpio0_low (self);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
_esprit_sim_set_usb_jtag (EspritSim *self)
{
  EspritChip chip = self->config.chip;

  /* §12.3: only these chips have the controller. */
  g_return_if_fail (chip == ESPRIT_CHIP_ESP32S3 || chip == ESPRIT_CHIP_ESP32C3 ||
                    chip == ESPRIT_CHIP_ESP32C6);
  g_mutex_lock (&self->lock);
  self->usb_jtag = TRUE;
  g_mutex_unlock (&self->lock);
}

gboolean
_esprit_sim_usb_jtag (EspritSim *self)
{
  gboolean usb;

  g_mutex_lock (&self->lock);
  usb = self->usb_jtag;
  g_mutex_unlock (&self->lock);
  return usb;
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

/* A program loaded into RAM that the board cannot execute: the loader is gone (no SLIP), the
 * program's own output is unknown, so the board stays silent until the next reset. */
static void
board_run_ram_program (EspritSim *self)
{
  while (_esprit_sim_board_getc (self, -1) != SIM_RESET)
    ;   /* its input goes nowhere we can model */
}

/* A loader left into a software reboot (FLASH_END flag 0): boot again per the strapping
 * pins, without a reset pulse. */
static EspritSimMode
soft_reboot (EspritSim *self)
{
  gboolean download;

  g_mutex_lock (&self->lock);
  download = gpio0_low (self);
  self->boot_mode = download ? 1 : 3;
  self->reset_count++;
  self->flash_attached = FALSE;
  g_mutex_unlock (&self->lock);
  return board_boot (self, download);
}

gpointer
_esprit_sim_board_thread (gpointer data)
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
      download = self->reset_count > 0 ? self->strap_download : gpio0_low (self);
      self->boot_mode = download ? 1 : 3;
      self->reset_count++;
      self->mode = ESPRIT_SIM_MODE_BOOTING;
      self->flash_attached = FALSE;
      _esprit_sim_wire_clear (&self->to_board);
      g_mutex_unlock (&self->lock);

      _esprit_sim_usb_jtag_boot (self);
      mode = board_boot (self, download);
      self->rst_cause = 2;   /* any later boot follows an external reset */
      while (mode != ESPRIT_SIM_MODE_BOOTING)
        {
          if (mode == SIM_MODE_SOFT_REBOOT)
            {
              mode = soft_reboot (self);
              continue;
            }
          _esprit_sim_set_mode (self, mode);
          if (mode == ESPRIT_SIM_MODE_APP)
            {
              board_run_app (self);
              mode = ESPRIT_SIM_MODE_BOOTING;
            }
          else if (mode == ESPRIT_SIM_MODE_RAM_PROGRAM)
            {
              board_run_ram_program (self);
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

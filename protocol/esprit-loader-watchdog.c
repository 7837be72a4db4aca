/* esprit-loader-watchdog.c: the ROM's watchdogs on the USB-Serial/JTAG path
 *
 * esptool (esp32c3.py / esp32s3.py disable_watchdogs, the C6 with its LP_WDT addresses,
 * protocol-facts §12.5): when the host's port is the chip's USB-Serial/JTAG, "the RTC WDT and
 * SWD watchdog are not reset and can then reset the board during flashing", so right after
 * connecting to the ROM it turns the RTC watchdog off and lets the hardware feed the super
 * watchdog, each behind its write-protect key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-loader"

#include "config.h"

#include "esprit-loader-private.h"

#define RWDT_KEY 0x50D83AA1u   /* §12.5: the same on every chip */

typedef struct {
  EspritChip chip;
  guint32    config0;
  guint32    wprotect;
  guint32    swd_conf;
  guint32    swd_wprotect;
  guint32    swd_key;
  guint32    swd_auto_feed;
} Watchdog;

/* §12.5 table. */
static const Watchdog watchdogs[] = {
  { ESPRIT_CHIP_ESP32S3, 0x60008098, 0x600080B0, 0x600080B4, 0x600080B8, 0x8F1D312A, 1u << 31 },
  { ESPRIT_CHIP_ESP32C3, 0x60008090, 0x600080A8, 0x600080AC, 0x600080B0, 0x8F1D312A, 1u << 31 },
  { ESPRIT_CHIP_ESP32C6, 0x600B1C00, 0x600B1C18, 0x600B1C1C, 0x600B1C20, 0x50D83AA1, 1u << 18 },
};

gboolean
_esprit_loader_usb_jtag_watchdogs_off (EspritLoader  *self,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  const Watchdog *w = NULL;
  guint16 vid = 0, pid = 0;
  guint32 swd = 0;

  if (!esprit_transport_get_usb_ids (self->transport, &vid, &pid) || vid != 0x303A ||
      pid != 0x1001)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (watchdogs); i++)
    if (watchdogs[i].chip == self->chip)
      w = &watchdogs[i];
  if (w == NULL)
    return TRUE;
  esprit_loader_log (self, ESPRIT_LOG_TRACE, "USB-Serial/JTAG: RTC watchdog off, super "
                     "watchdog fed by hardware");
  return esprit_loader_write_reg (self, w->wprotect, RWDT_KEY, 0xFFFFFFFF, 0, cancellable, error) &&
         esprit_loader_write_reg (self, w->config0, 0, 0xFFFFFFFF, 0, cancellable, error) &&
         esprit_loader_write_reg (self, w->wprotect, 0, 0xFFFFFFFF, 0, cancellable, error) &&
         esprit_loader_write_reg (self, w->swd_wprotect, w->swd_key, 0xFFFFFFFF, 0, cancellable,
                                  error) &&
         esprit_loader_read_reg (self, w->swd_conf, &swd, cancellable, error) &&
         esprit_loader_write_reg (self, w->swd_conf, swd | w->swd_auto_feed, 0xFFFFFFFF, 0,
                                  cancellable, error) &&
         esprit_loader_write_reg (self, w->swd_wprotect, 0, 0xFFFFFFFF, 0, cancellable, error);
}

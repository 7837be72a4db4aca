/* esprit-loader-connect.c: reset and sync, chip detection, flash attach, baud change, and the
 * final --after action
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-loader"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-loader-private.h"
#include "esprit-reset.h"

/* ---- connect ------------------------------------------------------------------------ */

static gboolean
detect_chip (EspritLoader  *self,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  guint32 magic;

  /* §4 step 1: GET_SECURITY_INFO. Its payload is 20 bytes (12 on the S2) and the status 2 or
   * 4 bytes, which can't be told apart before the chip is known: read the frame itself. */
  if (!esprit_loader_send (self, ESPRIT_OP_GET_SECURITY_INFO, NULL, 0, 0, cancellable, error))
    return FALSE;
  for (guint i = 0; i < ESPRIT_MAX_STRAY_FRAMES; i++)
    {
      g_autoptr(GBytes) frame = esprit_loader_read_frame (self, ESPRIT_TIMEOUT_DEFAULT,
                                                          cancellable, &local_error);
      EspritResponse resp;

      if (frame == NULL)
        break;
      if (!esprit_response_parse (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &resp))
        continue;
      if (resp.op == ESPRIT_OP_GET_SECURITY_INFO && resp.data_len >= 22 &&
          resp.data[20] == 0 && esprit_chip_from_security_id (esprit_read_le32 (resp.data + 12),
                                                              &self->chip))
        return TRUE;
      break;   /* a refusal, or no chip id (S2): fall back to the magic register */
    }
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* ROMs may repeat their refusal (§1): wait and drain. */
  if (!esprit_sleep_ms (200, cancellable, error))
    return FALSE;
  esprit_transport_flush_input (self->transport, NULL);
  _esprit_loader_drop_input (self);

  /* §4 step 2: the magic register. */
  g_clear_error (&local_error);
  if (!esprit_loader_read_reg (self, ESPRIT_REG_CHIP_MAGIC, &magic, cancellable, &local_error))
    {
      if (g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_DEVICE) ||
          g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED))
        g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                             _("The chip refuses to be identified (an ESP32-S2 in Secure "
                               "Download Mode?)"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!esprit_chip_from_magic (magic, &self->chip))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("Unknown chip (magic value 0x%08x)"), magic);
      return FALSE;
    }
  return TRUE;
}

gboolean
esprit_loader_connect (EspritLoader       *self,
                       EspritBefore        before,
                       guint               attempts,
                       EspritChip          expected,
                       EspritProgressFunc  progress,
                       gpointer            user_data,
                       GCancellable       *cancellable,
                       GError            **error)
{
  g_autoptr(GString) dots = g_string_new (_("Connecting"));
  gboolean synced = FALSE, stub = FALSE;

  if (attempts == 0)
    attempts = 7;
  if (progress)
    progress (ESPRIT_PHASE_CONNECTING, 0, 0, user_data);

  if (before == ESPRIT_BEFORE_NO_RESET_NO_SYNC)
    synced = TRUE;
  for (guint attempt = 0; !synced && attempt < attempts; attempt++)
    {
      g_string_append_c (dots, '.');
      esprit_loader_log (self, ESPRIT_LOG_PROGRESS, "%s", dots->str);

      if (before != ESPRIT_BEFORE_NO_RESET && esprit_transport_has_lines (self->transport))
        {
          EspritResetKind kind;
          guint delay;

          esprit_reset_for_attempt (self->transport, attempt, &kind, &delay);
          if (before == ESPRIT_BEFORE_CLASSIC_RESET)
            kind = ESPRIT_RESET_CLASSIC;
          else if (before == ESPRIT_BEFORE_UNIX_TIGHT_RESET)
            kind = ESPRIT_RESET_UNIX_TIGHT;
          else if (before == ESPRIT_BEFORE_USB_RESET)
            kind = ESPRIT_RESET_USB_JTAG;
          esprit_loader_log (self, ESPRIT_LOG_TRACE, "reset: %s, %u ms",
                             esprit_reset_kind_name (kind), delay);
          if (!esprit_reset_run (self->transport, kind, delay, cancellable, error))
            return FALSE;
          self->attached = FALSE;   /* a reset detaches the flash (issue 10 item 4) */
        }
      /* The boot log (74880 baud on ESP8266, §8.6) is noise to us. */
      if (!esprit_transport_flush_input (self->transport, error))
        return FALSE;
      _esprit_loader_drop_input (self);

      for (guint i = 0; i < 5 && !synced; i++)
        {
          g_autoptr(GError) local_error = NULL;

          if (_esprit_loader_sync_once (self, &stub, cancellable, &local_error))
            synced = TRUE;
          else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                   g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED) ||
                   g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_PORT_BUSY))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          else if (!esprit_sleep_ms (50, cancellable, error))
            return FALSE;
          else
            {
              esprit_transport_flush_input (self->transport, NULL);
              _esprit_loader_drop_input (self);
            }
        }
    }
  if (!synced)
    {
      esprit_loader_log (self, ESPRIT_LOG_INFO, "%s", dots->str);
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NO_SYNC,
                   _("No answer from the board on %s after %u attempts: it is not in download "
                     "mode, or the port is not the board's"),
                   esprit_transport_get_name (self->transport), attempts);
      return FALSE;
    }
  esprit_loader_log (self, ESPRIT_LOG_INFO, "%s", dots->str);
  self->kind = stub ? ESPRIT_LOADER_STUB : ESPRIT_LOADER_ROM;

  if (!detect_chip (self, cancellable, error))
    return FALSE;
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Detecting chip type... %s"),
                     esprit_chip_get_info (self->chip)->name);
  if (expected != ESPRIT_CHIP_AUTO && expected != self->chip)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("This chip is %s, not %s. Wrong --chip argument?"),
                   esprit_chip_get_info (self->chip)->name, esprit_chip_get_info (expected)->name);
      return FALSE;
    }
  /* A stub left running by an earlier session (--after no_reset_stub) may be Esprit's. */
  if (self->kind == ESPRIT_LOADER_STUB)
    return _esprit_loader_identify_stub (self, cancellable, error);
  return _esprit_loader_usb_jtag_watchdogs_off (self, cancellable, error);
}

/* The ESP32 ROM sets its divider from the crystal it estimated by calibrating the RTC against
 * the 8 MHz oscillator, which drifts: esptool (ESP32ROM.change_baud, get_rom_cal_crystal_freq)
 * reads that estimate, cali × 15625 × CK8M_FREQ / 40 Hz, takes the real crystal to be 40 MHz
 * above 33 MHz and 26 MHz below, and asks for rate × estimate / crystal, so that the UART
 * ends up at the rate itself. */
#define ESP32_RTCCALICFG1     0x3FF5F06Cu   /* TIMERS_RTC_CALI_VALUE in [31:7] */
#define ESP32_EFUSE_BLK0_RD4  0x3FF5A010u   /* EFUSE_RD_CK8M_FREQ in [7:0] */

static gboolean
esp32_rom_rate (EspritLoader  *self,
                guint          baud,
                guint32       *rom_rate,
                GCancellable  *cancellable,
                GError       **error)
{
  guint32 cali, ck8m;
  double estimate, crystal;

  if (!esprit_loader_read_reg (self, ESP32_RTCCALICFG1, &cali, cancellable, error) ||
      !esprit_loader_read_reg (self, ESP32_EFUSE_BLK0_RD4, &ck8m, cancellable, error))
    return FALSE;
  estimate = (double) ((cali >> 7) & 0x01FFFFFFu) * 15625.0 * (ck8m & 0xFFu) / 40.0;
  crystal = estimate > 33e6 ? 40e6 : 26e6;
  /* An eFuse without CK8M_FREQ gives no estimate: the ROM's own rate is all there is. */
  *rom_rate = estimate > 0 ? (guint32) (baud * estimate / crystal) : baud;
  return TRUE;
}

gboolean
esprit_loader_change_baud (EspritLoader  *self,
                           guint          baud,
                           GCancellable  *cancellable,
                           GError       **error)
{
  guint8 data[8];
  guint32 asked = baud;

  if (self->kind == ESPRIT_LOADER_ROM &&
      !(esprit_chip_get_info (self->chip)->rom_caps & ESPRIT_ROM_CAN_CHANGE_BAUD))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("The %s ROM loader cannot change the baud rate"),
                   esprit_chip_get_info (self->chip)->name);
      return FALSE;
    }
  if (self->kind == ESPRIT_LOADER_ROM && self->chip == ESPRIT_CHIP_ESP32 &&
      !esp32_rom_rate (self, baud, &asked, cancellable, error))
    return FALSE;
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Changing baud rate to %u"), baud);
  /* §2: old rate 0 for a ROM, the current one for a stub. */
  esprit_write_le32 (data, asked);
  esprit_write_le32 (data + 4, self->kind == ESPRIT_LOADER_ROM
                                 ? 0 : esprit_transport_get_baud (self->transport));
  if (!esprit_loader_command (self, ESPRIT_OP_CHANGE_BAUDRATE, data, 8, 0, 0,
                              ESPRIT_TIMEOUT_DEFAULT, NULL, NULL, NULL, cancellable, error))
    return FALSE;
  if (!esprit_transport_set_baud (self->transport, baud, error))
    return FALSE;
  if (!esprit_sleep_ms (50, cancellable, error))
    return FALSE;
  esprit_transport_flush_input (self->transport, NULL);
  _esprit_loader_drop_input (self);
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Changed."));
  return TRUE;
}

/* ---- after -------------------------------------------------------------------------- */

static gboolean
begin_end (EspritLoader  *self,
           guint32        end_flag,
           GCancellable  *cancellable,
           GError       **error)
{
  guint8 begin[16] = { 0 };
  guint8 end[4];

  if (!_esprit_loader_ensure_attached (self, cancellable, error))
    return FALSE;
  /* FLASH_BEGIN(0,0) attaches; FLASH_END then reboots (0) or runs the program (1) (§2). */
  esprit_write_le32 (begin + 8, 0x400);
  if (!esprit_loader_command (self, ESPRIT_OP_FLASH_BEGIN, begin, 16, 0, 0,
                              ESPRIT_TIMEOUT_DEFAULT, NULL, NULL, NULL, cancellable, error))
    return FALSE;
  esprit_write_le32 (end, end_flag);
  /* The loader may be gone before its reply is read: only the send must succeed. */
  return esprit_loader_command (self, ESPRIT_OP_FLASH_END, end, 4, 0, 0, 500, NULL, NULL, NULL,
                                cancellable, NULL) ||
         !g_cancellable_set_error_if_cancelled (cancellable, error);
}

gboolean
esprit_loader_hard_reset (EspritLoader  *self,
                          GError       **error)
{
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Hard resetting via RTS pin..."));
  if (!esprit_transport_has_lines (self->transport))
    {
      esprit_loader_log (self, ESPRIT_LOG_WARNING,
                         _("This port carries no RTS line: press the board's RESET button to "
                           "start the program."));
      return TRUE;
    }
  if (!esprit_transport_drain (self->transport, error))
    return FALSE;
  return esprit_reset_run (self->transport, ESPRIT_RESET_HARD, 0, NULL, error);
}

/* RUN_USER_CODE: the ESP8266's stubs return into the ROM's flash boot (§6); Esprit's stub
 * resets the chip by its RTC watchdog, which samples the boot pins again
 * (protocol/stub/family/stub-family.c): from version 2 on the ESP32-S3, -C3 and -C6, from
 * version 3 on the ESP32 and ESP32-S2 too. */
static gboolean
stub_runs_user_code (EspritLoader *self)
{
  if (self->chip == ESPRIT_CHIP_ESP8266)
    return TRUE;
  if (self->kind != ESPRIT_LOADER_ESPRIT_STUB)
    return FALSE;
  if (self->chip == ESPRIT_CHIP_ESP32 || self->chip == ESPRIT_CHIP_ESP32S2)
    return self->stub_version >= 3;
  return self->stub_version >= 2;
}

gboolean
esprit_loader_finish (EspritLoader  *self,
                      EspritAfter    after,
                      GCancellable  *cancellable,
                      GError       **error)
{
  switch (after)
    {
    case ESPRIT_AFTER_HARD_RESET:
      return esprit_loader_hard_reset (self, error);

    case ESPRIT_AFTER_SOFT_RESET:
      esprit_loader_log (self, ESPRIT_LOG_INFO, _("Soft resetting..."));
      if (self->kind == ESPRIT_LOADER_ROM)
        return begin_end (self, 1, cancellable, error);
      if (stub_runs_user_code (self))
        return esprit_loader_send (self, ESPRIT_OP_RUN_USER_CODE, NULL, 0, 0, cancellable, error) &&
               esprit_transport_drain (self->transport, error);
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                           _("This chip's stub cannot start the program (soft reset): use "
                             "--after hard_reset"));
      return FALSE;

    case ESPRIT_AFTER_NO_RESET:
      esprit_loader_log (self, ESPRIT_LOG_INFO, _("Staying in bootloader."));
      if (self->kind != ESPRIT_LOADER_ROM)
        return begin_end (self, 0, cancellable, error);
      return TRUE;

    case ESPRIT_AFTER_NO_RESET_STUB:
      esprit_loader_log (self, ESPRIT_LOG_INFO, _("Staying in flasher stub."));
      return TRUE;

    default:
      g_return_val_if_reached (FALSE);
    }
}


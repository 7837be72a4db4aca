/* esprit-advice.c
 *
 * The library says what happened; this says what to do about it (STYLE house rule 5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-advice"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "esprit-advice.h"
#include "esprit-error.h"

static gboolean
in_flatpak (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

void
esprit_advice_for_error (const GError  *error,
                         char         **title,
                         char         **advice)
{
  const char *t = _("Something went wrong");
  g_autofree char *a = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      t = _("Stopped");
      a = g_strdup (_("The board is still in its loader and can be used again. Restart it to "
                      "run its program."));
    }
  else if (error->domain == ESPRIT_ERROR)
    switch (error->code)
      {
      case ESPRIT_ERROR_PERMISSION_DENIED:
        t = _("No permission to use the port");
        if (in_flatpak ())
          a = g_strdup (_("Esprit runs in a sandbox without access to serial ports. Allow "
                          "device access: flatpak override --user --device=all "
                          "io.github.esprit.Esprit"));
        else
          a = g_strdup_printf (_("%s\n\nAdd yourself to the group with: sudo usermod -aG dialout "
                                 "$USER — then log out and in again."), error->message);
        break;
      case ESPRIT_ERROR_PORT_BUSY:
        t = _("The port is in use");
        a = g_strdup (_("Another program holds the port, often a serial monitor (Arduino IDE, "
                        "screen, minicom). Close it and try again."));
        break;
      case ESPRIT_ERROR_NO_SYNC:
        t = _("The board does not answer");
        a = g_strdup (_("Put it in download mode: hold the BOOT (or FLASH) button, tap RESET, "
                        "release BOOT, then try again. Check that the cable carries data, not "
                        "just power."));
        break;
      case ESPRIT_ERROR_NOT_FOUND:
        t = _("Board not found");
        a = g_strdup_printf (_("%s\n\nPlug the board in and pick its port, or use a virtual "
                               "board."), error->message);
        break;
      case ESPRIT_ERROR_DISCONNECTED:
        t = _("The connection dropped");
        a = g_strdup (_("The board keeps what was written so far; the rest may be erased. "
                        "Reconnect it and do the same again: that is safe."));
        break;
      case ESPRIT_ERROR_TIMEOUT:
      case ESPRIT_ERROR_CHECKSUM:
        t = _("The transfer failed");
        a = g_strdup_printf (_("%s\n\nTrying again is safe. A lower speed or a shorter cable "
                               "helps when this repeats."), error->message);
        break;
      case ESPRIT_ERROR_IMAGE_TOO_LARGE:
        t = _("Does not fit");
        a = g_strdup (error->message);
        break;
      case ESPRIT_ERROR_IMAGE_INVALID:
        t = _("Unusable firmware file");
        a = g_strdup (error->message);
        break;
      case ESPRIT_ERROR_UNSUPPORTED:
        t = _("Not possible with this board");
        a = g_strdup (error->message);
        break;
      default:
        a = g_strdup (error->message);
        break;
      }
  else
    a = g_strdup (error->message);

  *title = g_strdup (t);
  *advice = g_steal_pointer (&a);
}

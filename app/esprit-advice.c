/* esprit-advice.c
 *
 * The library says what happened; this says what to do about it (STYLE house rule 5). The
 * command line prints the message and the hint; the window shows the title, the message
 * and the hint.
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

const char *
esprit_advice_title (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _("Stopped");
  if (error->domain != ESPRIT_ERROR)
    return _("Something went wrong");
  switch (error->code)
    {
    case ESPRIT_ERROR_PERMISSION_DENIED:
      return _("No permission to use the port");
    case ESPRIT_ERROR_PORT_BUSY:
      return _("The port is in use");
    case ESPRIT_ERROR_NO_SYNC:
      return _("The board does not answer");
    case ESPRIT_ERROR_NOT_FOUND:
      return _("Board not found");
    case ESPRIT_ERROR_DISCONNECTED:
      return _("The connection dropped");
    case ESPRIT_ERROR_TIMEOUT:
    case ESPRIT_ERROR_CHECKSUM:
      return _("The transfer failed");
    case ESPRIT_ERROR_IMAGE_TOO_LARGE:
      return _("Does not fit");
    case ESPRIT_ERROR_IMAGE_INVALID:
      return _("Unusable firmware file");
    case ESPRIT_ERROR_UNSUPPORTED:
      return _("Not possible with this board");
    default:
      return _("Something went wrong");
    }
}

char *
esprit_advice_hint (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("The board is still in its loader and can be used again. Restart it to "
                       "run its program."));
  if (error->domain != ESPRIT_ERROR)
    return NULL;
  switch (error->code)
    {
    case ESPRIT_ERROR_PERMISSION_DENIED:
      if (in_flatpak ())
        return g_strdup (_("Esprit runs in a sandbox without access to serial ports. Allow "
                           "device access: flatpak override --user --device=all "
                           "io.github.esprit.Esprit"));
      return g_strdup (_("Add yourself to the group with: sudo usermod -aG dialout $USER — "
                         "then log out and in again."));
    case ESPRIT_ERROR_PORT_BUSY:
      return g_strdup (_("Another program holds the port, often a serial monitor (Arduino "
                         "IDE, screen, minicom). Close it and try again."));
    case ESPRIT_ERROR_NO_SYNC:
      return g_strdup (_("Put it in download mode: hold the BOOT (or FLASH) button, tap "
                         "RESET, release BOOT, then try again. Check that the port is the "
                         "board's and the cable carries data, not just power."));
    case ESPRIT_ERROR_NOT_FOUND:
      return g_strdup (_("Plug the board in and pick its port, or use a virtual board "
                         "(sim:esp8266)."));
    case ESPRIT_ERROR_DISCONNECTED:
      /* A USB board unplugged mid-job (or a cable that came loose) lands here too. */
      return g_strdup (_("If the board was unplugged, plug it back in; a loose cable or a hub "
                         "short of power does the same. It keeps what was written so far and "
                         "the rest may be erased: doing the same again is safe."));
    case ESPRIT_ERROR_TIMEOUT:
    case ESPRIT_ERROR_CHECKSUM:
      return g_strdup (_("Trying again is safe. A lower speed or a shorter cable helps when "
                         "this repeats."));
    default:
      return NULL;
    }
}

void
esprit_advice_for_error (const GError  *error,
                         char         **title,
                         char         **advice)
{
  g_autofree char *hint = esprit_advice_hint (error);

  *title = g_strdup (esprit_advice_title (error));
  /* A cancelled job needs no message of its own: the hint says it all. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    *advice = g_steal_pointer (&hint);
  else if (hint != NULL)
    *advice = g_strdup_printf ("%s\n\n%s", error->message, hint);
  else
    *advice = g_strdup (error->message);
}

/* esprit-ota-report.c: how the ArduinoOTA client speaks: log lines, progress, trace text
 * and the board's own errors, for both its halves (esprit-ota.c, esprit-ota-stream.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-ota"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-ota-private.h"

void
_esprit_ota_say (Ota            *ota,
                 EspritLogLevel  level,
                 const char     *format,
                 ...)
{
  g_autofree char *line = NULL;
  va_list args;

  if (ota->log == NULL)
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  ota->log (level, line, ota->user_data);
}

void
_esprit_ota_report (Ota         *ota,
                    EspritPhase  phase,
                    guint64      done,
                    guint64      total)
{
  if (ota->progress != NULL)
    ota->progress (phase, done, total, ota->user_data);
}

char *
_esprit_ota_printable (const guint8 *data,
                       gsize         len)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] >= 0x20 && data[i] < 0x7f && data[i] != '\\')
        g_string_append_c (s, (char) data[i]);
      else
        g_string_append_printf (s, "\\x%02x", data[i]);
    }
  return g_string_free (s, FALSE);
}

void
_esprit_ota_set_device_error (GError     **error,
                              const char  *text)
{
  const char *hint = "";

  if (strstr (text, "MD5") != NULL)
    hint = _(" The image was damaged on the way: upload it again.");
  else if (strstr (text, "Space") != NULL || strstr (text, "space") != NULL)
    hint = _(" The image is larger than the board's free flash: make the sketch smaller or "
             "choose a flash layout with more room for OTA.");
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DEVICE, _("The board reported an error: %s.%s"),
               text, hint);
}

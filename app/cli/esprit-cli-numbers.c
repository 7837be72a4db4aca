/* esprit-cli-numbers.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-cli-numbers.h"
#include "esprit-error.h"

gboolean
esprit_cli_parse_number (const char  *text,
                         const char  *what,
                         guint32     *value,
                         GError     **error)
{
  const char *p = text;
  guint base = 10;
  guint64 v = 0, scale = 1;
  gboolean any = FALSE;

  if (text == NULL || *text == '\0')
    goto bad;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
    {
      base = 16;
      p += 2;
    }
  for (; *p != '\0'; p++)
    {
      int d = base == 16 ? g_ascii_xdigit_value (*p) : g_ascii_digit_value (*p);

      if (d < 0)
        break;
      v = v * base + (guint) d;
      any = TRUE;
      if (v > G_MAXUINT32)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("%s “%s” is too large (at most 0xFFFFFFFF)"), what, text);
          return FALSE;
        }
    }
  if (!any)
    goto bad;
  /* Suffixes (decimal numbers only: in hex, "b" is a digit): k, K, M, with optional B. */
  if (*p != '\0' && base == 10)
    {
      if (*p == 'k' || *p == 'K')
        scale = 1024;
      else if (*p == 'm' || *p == 'M')
        scale = 1024 * 1024;
      else
        goto bad;
      p++;
      if (*p == 'B' || *p == 'b')
        p++;
    }
  if (*p != '\0')
    goto bad;
  v *= scale;
  if (v > G_MAXUINT32)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("%s “%s” is too large (at most 0xFFFFFFFF)"), what, text);
      return FALSE;
    }
  *value = (guint32) v;
  return TRUE;

bad:
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
               _("%s “%s” is not a number (examples: 0x1000, 4096, 512K, 4M)"), what,
               text ? text : "");
  return FALSE;
}

/* esprit-numbers.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-numbers"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-numbers.h"

static gboolean
too_large (const char  *what,
           const char  *text,
           GError     **error)
{
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
               _("%s “%s” is too large (at most 0xFFFFFFFF)"), what, text);
  return FALSE;
}

gboolean
esprit_parse_number (const char  *text,
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
        return too_large (what, text, error);
    }
  if (!any)
    goto bad;
  /* Suffixes (decimal numbers only: in hex, "b" is a digit): k, K, m, M, with optional B. */
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
    return too_large (what, text, error);
  *value = (guint32) v;
  return TRUE;

bad:
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
               _("%s “%s” is not a number (examples: 0x1000, 4096, 512K, 4M)"), what,
               text ? text : "");
  return FALSE;
}

gboolean
esprit_parse_size (const char  *text,
                   const char  *what,
                   guint32     *value,
                   GError     **error)
{
  guint32 v;

  if (!esprit_parse_number (text, what, &v, error))
    return FALSE;
  if (v == 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT, _("%s must not be 0"),
                   what);
      return FALSE;
    }
  *value = v;
  return TRUE;
}

gboolean
esprit_parse_count (const char *text,
                    gint64     *count)
{
  guint32 v;

  if (!esprit_parse_number (text, "count", &v, NULL))
    return FALSE;
  *count = v;
  return TRUE;
}

gboolean
esprit_parse_mac (const char  *text,
                  guint8       mac[6],
                  GError     **error)
{
  const char *p = text;
  guint8 out[6];

  for (guint i = 0; i < 6; i++)
    {
      int hi = g_ascii_xdigit_value (p[0]);
      int lo = hi < 0 ? -1 : g_ascii_xdigit_value (p[1]);

      if (lo < 0 || (i < 5 ? (p[2] != ':' && p[2] != '-') : p[2] != '\0'))
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a MAC address (example: 5c:cf:7f:01:02:03)"), text);
          return FALSE;
        }
      out[i] = (guint8) (hi << 4 | lo);
      p += 3;
    }
  memcpy (mac, out, 6);
  return TRUE;
}

char *
esprit_format_size (guint64 bytes)
{
  unsigned long long b = bytes;

  if (b != 0 && b % (1024 * 1024) == 0)
    return g_strdup_printf ("%lluMB", b / (1024 * 1024));
  if (b != 0 && b % 1024 == 0)
    return g_strdup_printf ("%lluKB", b / 1024);
  return g_strdup_printf (_("%llu bytes"), b);
}

char *
esprit_format_mac (const guint8 mac[6])
{
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                          mac[4], mac[5]);
}

/* esprit-cli-json.c: JSON objects for --json, written with GString
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "esprit-cli-json.h"

void
esprit_json_append_string (GString    *out,
                           const char *str,
                           gssize      len)
{
  const char *p = str, *end;

  if (len < 0)
    len = (gssize) strlen (str);
  end = str + len;
  g_string_append_c (out, '"');
  while (p < end)
    {
      guchar c = (guchar) *p;
      gunichar u;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
          p++;
        }
      else if (c < 0x20)
        {
          switch (c)
            {
            case '\n': g_string_append (out, "\\n"); break;
            case '\r': g_string_append (out, "\\r"); break;
            case '\t': g_string_append (out, "\\t"); break;
            case '\b': g_string_append (out, "\\b"); break;
            case '\f': g_string_append (out, "\\f"); break;
            default: g_string_append_printf (out, "\\u%04x", c); break;
            }
          p++;
        }
      else if (c < 0x80)
        {
          g_string_append_c (out, (char) c);
          p++;
        }
      else if ((u = g_utf8_get_char_validated (p, end - p)) < 0x110000 && u != 0)
        {
          /* A whole valid sequence (an embedded NUL never comes through here). */
          const char *next = g_utf8_next_char (p);

          g_string_append_len (out, p, next - p);
          p = next;
        }
      else
        {
          /* A byte that does not start valid UTF-8 (a board's boot noise, a Latin-1 file
           * name): the replacement character, one per byte. */
          g_string_append (out, "\\ufffd");
          p++;
        }
    }
  g_string_append_c (out, '"');
}

static void
add_key (GString    *out,
         const char *key)
{
  if (out->len == 0 || out->str[out->len - 1] == '\n')
    g_string_append_c (out, '{');
  else
    g_string_append_c (out, ',');
  esprit_json_append_string (out, key, -1);
  g_string_append_c (out, ':');
}

void
esprit_json_add_string (GString    *out,
                        const char *key,
                        const char *value)
{
  add_key (out, key);
  if (value == NULL)
    g_string_append (out, "null");
  else
    esprit_json_append_string (out, value, -1);
}

void
esprit_json_add_int (GString    *out,
                     const char *key,
                     gint64      value)
{
  add_key (out, key);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

void
esprit_json_add_double (GString    *out,
                        const char *key,
                        double      value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  add_key (out, key);
  /* JSON has no NaN or infinity; C's locale-free form, never "3,5". */
  if (!isfinite (value))
    value = 0;
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.3f", value));
}

void
esprit_json_add_bool (GString    *out,
                      const char *key,
                      gboolean    value)
{
  add_key (out, key);
  g_string_append (out, value ? "true" : "false");
}

void
esprit_json_end (GString *out)
{
  if (out->len == 0 || out->str[out->len - 1] == '\n')
    g_string_append_c (out, '{');
  g_string_append (out, "}\n");
}

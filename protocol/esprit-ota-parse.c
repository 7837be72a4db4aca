/* esprit-ota-parse.c: the ArduinoOTA texts on the wire, both directions (§7.1, §7.3)
 *
 * Everything here parses what the other side sent, so it is fuzzed (tests/fuzz/fuzz-ota.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-ota"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "esprit-ota-parse.h"

/* The final text is at most a few lines ("ERROR[7]: MD5 verification failed: expected: <32>,
 * calculated: <32>"); anything longer is cut here. */
#define ACKS_TEXT_MAX 512

typedef struct {
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Reader;

static int
peek (Reader *r)
{
  return r->pos < r->len ? r->data[r->pos] : -1;
}

static int
next (Reader *r)
{
  return r->pos < r->len ? r->data[r->pos++] : -1;
}

/* The cores' parseInt(): spaces skipped, then digits into a 16-byte buffer; a 16th digit
 * makes it give up with 0 (INT_BUFFER_SIZE 16 in both cores). */
static int
parse_int (Reader *r)
{
  char digits[16];
  guint n = 0;

  while (peek (r) == ' ')
    next (r);
  while (n < sizeof digits - 1)
    {
      int c = peek (r);

      if (c < '0' || c > '9')
        {
          digits[n] = '\0';
          /* atoi() on the device: newlib wraps like strtol's result cast to int. */
          return (int) strtoll (digits, NULL, 10);
        }
      digits[n++] = (char) next (r);
    }
  return 0;
}

/* readStringUntil(): up to @end, NUL or the end of the datagram; @max keeps the copy short
 * (the caller only accepts fixed lengths). Returns the full length read. */
static gsize
read_until (Reader *r,
            int     end,
            char   *out,
            gsize   max)
{
  gsize n = 0;

  for (;;)
    {
      int c = next (r);

      if (c <= 0 || c == end)
        break;
      if (n < max)
        out[n] = (char) c;
      n++;
    }
  out[MIN (n, max)] = '\0';
  return n;
}

gboolean
esprit_ota_parse_invitation (const guint8 *data,
                             gsize         len,
                             int          *command,
                             int          *host_port,
                             int          *size,
                             char          md5[33])
{
  Reader r = { data, len, 0 };
  char buf[64];
  char *start, *end;
  int cmd;

  cmd = parse_int (&r);
  if (cmd != ESPRIT_OTA_FLASH && cmd != ESPRIT_OTA_FILESYSTEM)
    return FALSE;
  *command = cmd;
  *host_port = parse_int (&r);
  *size = parse_int (&r);
  next (&r);   /* the one separator byte */
  if (read_until (&r, '\n', buf, sizeof buf - 1) > sizeof buf - 1)
    return FALSE;
  /* String::trim() */
  start = buf;
  while (*start && g_ascii_isspace (*start))
    start++;
  end = start + strlen (start);
  while (end > start && g_ascii_isspace (end[-1]))
    *--end = '\0';
  if (strlen (start) != 32)
    return FALSE;
  memcpy (md5, start, 33);
  return TRUE;
}

gboolean
esprit_ota_parse_auth (const guint8 *data,
                       gsize         len,
                       gsize         field_len,
                       char         *cnonce,
                       char         *response)
{
  Reader r = { data, len, 0 };

  if (parse_int (&r) != ESPRIT_OTA_AUTH)
    return FALSE;
  next (&r);
  if (read_until (&r, ' ', cnonce, field_len) != field_len)
    return FALSE;
  if (read_until (&r, '\n', response, field_len) != field_len)
    return FALSE;
  return TRUE;
}

static void
copy_text (EspritOtaReply *reply,
           const guint8   *data,
           gsize           len)
{
  gsize n = 0;

  for (gsize i = 0; i < len && n < sizeof reply->text - 1; i++)
    {
      guint8 c = data[i];

      if (c == '\0')
        break;
      reply->text[n++] = (c >= 0x20 && c < 0x7f) ? (char) c : ' ';
    }
  reply->text[n] = '\0';
  g_strstrip (reply->text);
}

void
esprit_ota_parse_reply (const guint8   *data,
                        gsize           len,
                        EspritOtaReply *reply)
{
  reply->kind = ESPRIT_OTA_REPLY_UNKNOWN;
  reply->text[0] = '\0';

  if (len >= 2 && memcmp (data, "OK", 2) == 0)
    reply->kind = ESPRIT_OTA_REPLY_OK;
  else if (len >= 5 && memcmp (data, "AUTH ", 5) == 0)
    {
      gsize n = 0;

      /* The nonce runs to the end of the datagram (no newline, §7.1) or to whitespace. */
      for (gsize i = 5; i < len && n < sizeof reply->text - 1; i++)
        {
          if (!g_ascii_isxdigit (data[i]))
            break;
          reply->text[n++] = g_ascii_tolower (data[i]);
        }
      reply->text[n] = '\0';
      reply->kind = ESPRIT_OTA_REPLY_AUTH;
    }
  else if (len >= 21 && memcmp (data, "Authentication Failed", 21) == 0)
    reply->kind = ESPRIT_OTA_REPLY_AUTH_FAILED;
  else if (len >= 4 && memcmp (data, "ERR:", 4) == 0)
    {
      copy_text (reply, data + 4, len - 4);
      reply->kind = ESPRIT_OTA_REPLY_ERROR;
    }
  else
    copy_text (reply, data, len);
}

void
esprit_ota_acks_init (EspritOtaAcks *acks)
{
  acks->ack_bytes = 0;
  acks->in_text = FALSE;
  acks->text = g_string_new (NULL);
}

void
esprit_ota_acks_clear (EspritOtaAcks *acks)
{
  if (acks->text != NULL)
    g_string_free (acks->text, TRUE);
  acks->text = NULL;
}

EspritOtaAcksState
esprit_ota_acks_feed (EspritOtaAcks *acks,
                      const guint8  *data,
                      gsize          len,
                      gboolean       closed)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = data[i];

      if (!acks->in_text)
        {
          /* Counts run together with no delimiter (§7.3); whitespace between them is
           * tolerated. The first other byte starts the final text. */
          if (g_ascii_isdigit (c))
            {
              acks->ack_bytes++;
              continue;
            }
          if (g_ascii_isspace (c))
            continue;
          acks->in_text = TRUE;
        }
      if (acks->text->len < ACKS_TEXT_MAX)
        g_string_append_c (acks->text, (c >= 0x20 && c < 0x7f) || c == '\n' ? (char) c : ' ');
    }
  if (!acks->in_text)
    return ESPRIT_OTA_ACKS_MORE;
  if (g_str_has_prefix (acks->text->str, "OK"))
    return ESPRIT_OTA_ACKS_OK;
  /* "O" alone may still become "OK". */
  if (acks->text->len == 1 && acks->text->str[0] == 'O' && !closed)
    return ESPRIT_OTA_ACKS_MORE;
  /* An error text ends with a newline (ESP8266 "\n", ESP32 "\r\n") or with the connection. */
  if (closed || strchr (acks->text->str, '\n') != NULL || acks->text->len >= ACKS_TEXT_MAX)
    return ESPRIT_OTA_ACKS_ERROR;
  return ESPRIT_OTA_ACKS_MORE;
}

const char *
esprit_ota_acks_text (EspritOtaAcks *acks)
{
  char *nl;

  g_strstrip (acks->text->str);
  acks->text->len = strlen (acks->text->str);
  nl = strchr (acks->text->str, '\n');
  if (nl != NULL)
    g_string_truncate (acks->text, nl - acks->text->str);
  g_strchomp (acks->text->str);
  acks->text->len = strlen (acks->text->str);
  return acks->text->str;
}

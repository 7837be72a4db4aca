/* esprit-telnet.c: the telnet codec with the COM-PORT option (RFC 854, RFC 855, RFC 2217)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-transport"

#include "config.h"

#include "esprit-telnet.h"

enum { T_DATA, T_IAC, T_CMD, T_SB, T_SB_IAC };

gsize
esprit_telnet_decode (EspritTelnetDecoder *dec,
                      const guint8        *in,
                      gsize                len,
                      guint8              *out,
                      EspritTelnetSubneg   subneg,
                      EspritTelnetCommand  command,
                      gpointer             user_data)
{
  gsize n = 0;

  for (gsize i = 0; i < len; i++)
    {
      guint8 b = in[i];

      switch (dec->state)
        {
        case T_DATA:
          if (b == TELNET_IAC)
            dec->state = T_IAC;
          else
            out[n++] = b;
          break;
        case T_IAC:
          if (b == TELNET_IAC)
            {
              out[n++] = b;
              dec->state = T_DATA;
            }
          else if (b == TELNET_SB)
            {
              dec->sb_len = 0;
              dec->state = T_SB;
            }
          else if (b >= TELNET_WILL && b <= TELNET_DONT)
            {
              dec->sb[0] = b;   /* remember the verb until the option arrives */
              dec->state = T_CMD;
            }
          else
            dec->state = T_DATA;   /* NOP, GA and others carry nothing for us */
          break;
        case T_CMD:
          if (command)
            command (dec->sb[0], b, user_data);
          dec->state = T_DATA;
          break;
        case T_SB:
          if (b == TELNET_IAC)
            dec->state = T_SB_IAC;
          else if (dec->sb_len < sizeof dec->sb)
            dec->sb[dec->sb_len++] = b;
          break;
        case T_SB_IAC:
          if (b == TELNET_SE)
            {
              if (subneg)
                subneg (dec->sb, dec->sb_len, user_data);
              dec->state = T_DATA;
            }
          else
            {
              if (dec->sb_len < sizeof dec->sb)
                dec->sb[dec->sb_len++] = b;   /* IAC IAC inside SB */
              dec->state = T_SB;
            }
          break;
        default:
          dec->state = T_DATA;
        }
    }
  return n;
}

void
esprit_telnet_escape (GByteArray   *out,
                      const guint8 *data,
                      gsize         len)
{
  static const guint8 iac = TELNET_IAC;
  gsize run = 0;

  for (gsize i = 0; i < len; i++)
    if (data[i] == TELNET_IAC)
      {
        g_byte_array_append (out, data + run, i + 1 - run);
        g_byte_array_append (out, &iac, 1);
        run = i + 1;
      }
  g_byte_array_append (out, data + run, len - run);
}

void
esprit_telnet_subneg (GByteArray   *out,
                      guint8        cmd,
                      const guint8 *value,
                      gsize         len)
{
  const guint8 head[] = { TELNET_IAC, TELNET_SB, TELNET_OPT_COM_PORT, cmd };
  const guint8 tail[] = { TELNET_IAC, TELNET_SE };

  g_byte_array_append (out, head, sizeof head);
  esprit_telnet_escape (out, value, len);
  g_byte_array_append (out, tail, sizeof tail);
}

static gboolean
option_wanted (guint8 option)
{
  return option == TELNET_OPT_BINARY || option == TELNET_OPT_SGA ||
         option == TELNET_OPT_COM_PORT;
}

gboolean
esprit_telnet_negotiate (EspritTelnetRole  role,
                         guint8            verb,
                         guint8            option,
                         GByteArray       *out)
{
  guint8 answer[3] = { TELNET_IAC, 0, option };
  gboolean wanted = option_wanted (option);

  if (verb == TELNET_WILL)
    answer[1] = wanted ? TELNET_DO : TELNET_DONT;
  else if (verb == TELNET_DO)
    answer[1] = wanted ? TELNET_WILL : TELNET_WONT;
  else
    return FALSE;   /* WONT/DONT need no answer (RFC 854: never acknowledge a refusal twice) */
  /* The client opened with WILL/DO for what it wants: what comes back for those is the
   * acknowledgement, and answering it again would loop (RFC 854 "rules" 2 and 3). */
  if (role == ESPRIT_TELNET_CLIENT && wanted)
    return FALSE;
  g_byte_array_append (out, answer, 3);
  return TRUE;
}

static gboolean
carries_baud (guint8 code)
{
  return code == RFC2217_SET_BAUDRATE || code == RFC2217_SET_BAUDRATE + RFC2217_SERVER_OFFSET;
}

gboolean
esprit_telnet_comport_decode (const guint8         *sb,
                              gsize                 len,
                              EspritComPortCommand *command)
{
  if (len < 2 || sb[0] != TELNET_OPT_COM_PORT)
    return FALSE;
  command->code = sb[1];
  command->value = 0;
  if (carries_baud (sb[1]))
    {
      if (len < 6)
        return FALSE;
      command->value = ((guint32) sb[2] << 24) | ((guint32) sb[3] << 16) |
                       ((guint32) sb[4] << 8) | sb[5];
    }
  else if (len >= 3)
    command->value = sb[2];
  else if (sb[1] != 0 && sb[1] != RFC2217_SERVER_OFFSET &&
           sb[1] != RFC2217_NOTIFY_LINESTATE && sb[1] != RFC2217_NOTIFY_MODEMSTATE)
    return FALSE;   /* all but SIGNATURE and the client's state polls carry a value */
  return TRUE;
}

void
esprit_telnet_comport_encode (GByteArray *out,
                              guint8      code,
                              guint32     value)
{
  guint8 v[4] = { value >> 24, value >> 16, value >> 8, value };

  if (carries_baud (code))
    esprit_telnet_subneg (out, code, v, 4);
  else
    esprit_telnet_subneg (out, code, v + 3, 1);
}

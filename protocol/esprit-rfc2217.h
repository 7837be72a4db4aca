/* esprit-rfc2217.h: telnet and COM-PORT-OPTION constants (RFC 854, RFC 2217), shared by the
 * client transport and esprit-sim's server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#define TELNET_IAC  255
#define TELNET_DONT 254
#define TELNET_DO   253
#define TELNET_WONT 252
#define TELNET_WILL 251
#define TELNET_SB   250
#define TELNET_SE   240

#define TELNET_OPT_BINARY 0
#define TELNET_OPT_SGA    3
#define TELNET_OPT_COM_PORT 44

/* Client-to-server COM-PORT subcommands; the server answers with the code + 100. */
#define RFC2217_SET_BAUDRATE 1
#define RFC2217_SET_DATASIZE 2
#define RFC2217_SET_PARITY   3
#define RFC2217_SET_STOPSIZE 4
#define RFC2217_SET_CONTROL  5
#define RFC2217_PURGE_DATA   12
#define RFC2217_SERVER_OFFSET 100

/* SET-CONTROL values */
#define RFC2217_DTR_ON  8
#define RFC2217_DTR_OFF 9
#define RFC2217_RTS_ON  11
#define RFC2217_RTS_OFF 12

/* PURGE-DATA values */
#define RFC2217_PURGE_RECEIVE 1

/* Telnet stream decoder: separates data from commands and subnegotiations. */
typedef struct {
  int     state;
  guint8  sb[64];
  gsize   sb_len;
} EspritTelnetDecoder;

typedef void (*EspritTelnetSubneg) (const guint8 *sb,
                                    gsize         len,
                                    gpointer      user_data);
typedef void (*EspritTelnetCommand) (guint8   command,
                                     guint8   option,
                                     gpointer user_data);

/* Decodes @in into @out (data bytes only), calling @subneg for each complete SB ... SE and
 * @command for WILL/WONT/DO/DONT. Returns the number of data bytes written to @out (at most
 * @len). */
gsize esprit_telnet_decode (EspritTelnetDecoder *dec,
                            const guint8        *in,
                            gsize                len,
                            guint8              *out,
                            EspritTelnetSubneg   subneg,
                            EspritTelnetCommand  command,
                            gpointer             user_data);
/* Appends @data with 0xFF doubled. */
void  esprit_telnet_escape (GByteArray          *out,
                            const guint8        *data,
                            gsize                len);
/* Appends IAC SB COM-PORT-OPTION @cmd @value... IAC SE (value bytes IAC-escaped). */
void  esprit_telnet_subneg (GByteArray          *out,
                            guint8               cmd,
                            const guint8        *value,
                            gsize                len);

/* esprit-telnet.h: the telnet codec with the COM-PORT option (RFC 854, RFC 855, RFC 2217),
 * shared by the rfc2217:// client transport and esprit-sim's RFC 2217 server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TELNET_IAC  255
#define TELNET_DONT 254
#define TELNET_DO   253
#define TELNET_WONT 252
#define TELNET_WILL 251
#define TELNET_SB   250
#define TELNET_SE   240

#define TELNET_OPT_BINARY   0
#define TELNET_OPT_SGA      3
#define TELNET_OPT_COM_PORT 44

/* Client-to-server COM-PORT subcommands; the server answers with the code + 100. */
#define RFC2217_SET_BAUDRATE       1
#define RFC2217_SET_DATASIZE       2
#define RFC2217_SET_PARITY         3
#define RFC2217_SET_STOPSIZE       4
#define RFC2217_SET_CONTROL        5
#define RFC2217_NOTIFY_LINESTATE   6
#define RFC2217_NOTIFY_MODEMSTATE  7
#define RFC2217_SET_LINESTATE_MASK  10
#define RFC2217_SET_MODEMSTATE_MASK 11
#define RFC2217_PURGE_DATA         12
#define RFC2217_SERVER_OFFSET      100

/* SET-CONTROL values */
#define RFC2217_DTR_ON  8
#define RFC2217_DTR_OFF 9
#define RFC2217_RTS_ON  11
#define RFC2217_RTS_OFF 12

/* PURGE-DATA values */
#define RFC2217_PURGE_RECEIVE 1
#define RFC2217_PURGE_BOTH    3

/* NOTIFY-MODEMSTATE bits (RFC 2217 "Modem State") */
#define RFC2217_MODEM_CD   0x80
#define RFC2217_MODEM_RI   0x40
#define RFC2217_MODEM_DSR  0x20
#define RFC2217_MODEM_CTS  0x10

/* Telnet stream decoder: separates data from commands and subnegotiations. Zero-initialise
 * it; it keeps its state across calls, so input may arrive split anywhere. */
typedef struct {
  int     state;
  guint8  sb[64];      /* a longer subnegotiation is cut to its first 64 bytes */
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
gsize    esprit_telnet_decode    (EspritTelnetDecoder *dec,
                                  const guint8        *in,
                                  gsize                len,
                                  guint8              *out,
                                  EspritTelnetSubneg   subneg,
                                  EspritTelnetCommand  command,
                                  gpointer             user_data);
/* Appends @data with 0xFF doubled. */
void     esprit_telnet_escape    (GByteArray          *out,
                                  const guint8        *data,
                                  gsize                len);
/* Appends IAC SB COM-PORT-OPTION @cmd @value... IAC SE (value bytes IAC-escaped). */
void     esprit_telnet_subneg    (GByteArray          *out,
                                  guint8               cmd,
                                  const guint8        *value,
                                  gsize                len);

typedef enum {
  ESPRIT_TELNET_CLIENT,
  ESPRIT_TELNET_SERVER,
} EspritTelnetRole;

/* Option negotiation: the answer to @verb (WILL/WONT/DO/DONT) @option, appended to @out.
 * Both ends want BINARY, SGA and COM-PORT. A client refuses anything else and does not answer
 * the acknowledgements of what it asked for; a server agrees to those three and refuses the
 * rest. Returns FALSE when no answer is due. */
gboolean esprit_telnet_negotiate (EspritTelnetRole     role,
                                  guint8               verb,
                                  guint8               option,
                                  GByteArray          *out);

/* One COM-PORT subnegotiation, decoded. @value is the 32-bit baud rate for SET-BAUDRATE (and
 * its +100 answer), the one-byte value for the other commands, 0 when it carries none
 * (SIGNATURE, and a client's NOTIFY-LINESTATE/-MODEMSTATE poll). */
typedef struct {
  guint8  code;
  guint32 value;
} EspritComPortCommand;

/* Decodes what esprit_telnet_decode() handed to an EspritTelnetSubneg. FALSE when it is not a
 * COM-PORT subnegotiation or its value is short. */
gboolean esprit_telnet_comport_decode (const guint8         *sb,
                                       gsize                 len,
                                       EspritComPortCommand *command);
/* Appends a COM-PORT subnegotiation for @code carrying @value (4 bytes, network order, for
 * SET-BAUDRATE and its answer; 1 byte otherwise). */
void     esprit_telnet_comport_encode (GByteArray           *out,
                                       guint8                code,
                                       guint32               value);

G_END_DECLS

/* esprit-ota.h: the host side of ArduinoOTA (espota), both cores (protocol-facts §7)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-chips.h"
#include "esprit-progress.h"

G_BEGIN_DECLS

/* The invitation's command field (§7.1). */
typedef enum {
  ESPRIT_OTA_FLASH      = 0,
  ESPRIT_OTA_FILESYSTEM = 100,
  ESPRIT_OTA_AUTH       = 200,
} EspritOtaCommand;

#define ESPRIT_OTA_PORT_ESP8266 8266
#define ESPRIT_OTA_PORT_ESP32   3232

/* Asks the user for the password when the board wants one and none was given; returns a
 * newly allocated string (wiped and freed by the caller) or NULL to give up. Called from the
 * thread running the upload, with the upload's user_data. */
typedef char *(*EspritOtaPasswordFunc) (const char *host,
                                        gpointer    user_data);

typedef struct {
  const char      *host;             /* address literal (IPv4 or IPv6) or a name to resolve */
  guint16          port;             /* the board's UDP port; 0: from @chip (8266 or 3232) */
  const char      *local_address;    /* send from and listen on this address (espota -I);
                                      * NULL: the address the route to @host leaves from */
  guint16          host_port;        /* TCP port the board connects back to; 0: random
                                      * 10000–60000 as espota picks it */
  const char      *password;         /* NULL or "": the board has none */
  gboolean         md5_target;       /* espota -m: SHA-256 challenge with H = MD5(password) */
  EspritOtaCommand command;          /* FLASH or FILESYSTEM */
  EspritChip       chip;             /* what the board is, to check the image; AUTO: from
                                      * @port (8266 ESP8266, 3232 ESP32, others unchecked) */
  const char      *file_name;        /* shown and mixed into the client nonce; may be NULL */
  guint            timeout_ms;       /* each wait for the board; 0: 10 s (espota) */
  guint            invitation_tries; /* invitations before giving up; 0: 3 */
  guint            final_timeout_ms; /* wait for OK after the last byte; 0: 60 s */
  EspritOtaPasswordFunc ask_password;/* or NULL */
} EspritOtaOptions;

/* Uploads @image to the ArduinoOTA board described by @options. Blocks; @progress gets
 * CONNECTING during the invitation, WRITING with bytes sent, VERIFYING while the board
 * checks the MD5. @log gets what espota prints and, at TRACE, each datagram (the password
 * never appears, and the challenge response is shown as "(hidden)"). Errors:
 * ESPRIT_ERROR_TIMEOUT (no answer to the invitation, or the board never connected back),
 * ESPRIT_ERROR_AUTH (wrong password), ESPRIT_ERROR_DEVICE (the board's own error text),
 * ESPRIT_ERROR_DISCONNECTED, ESPRIT_ERROR_IMAGE_INVALID (image not for this board),
 * ESPRIT_ERROR_NOT_FOUND (host unknown), G_IO_ERROR_CANCELLED. */
gboolean esprit_ota_upload (const EspritOtaOptions *options,
                            GBytes                 *image,
                            EspritProgressFunc      progress,
                            EspritLogFunc           log,
                            gpointer                user_data,
                            GCancellable           *cancellable,
                            GError                **error);

/* Checks that @data can go to a board of @chip as @command: a flash upload must be an app
 * image (E9, or gzip on an ESP8266) built for the board's family. */
gboolean esprit_ota_check_image (const guint8     *data,
                                 gsize             len,
                                 EspritOtaCommand  command,
                                 EspritChip        chip,
                                 GError          **error);

/* ---- Parsers of what the board sends (outside input; fuzzed) ---- */

typedef enum {
  ESPRIT_OTA_REPLY_OK,
  ESPRIT_OTA_REPLY_AUTH,         /* nonce in the reply */
  ESPRIT_OTA_REPLY_AUTH_FAILED,  /* "Authentication Failed" */
  ESPRIT_OTA_REPLY_ERROR,        /* "ERR: ..." (ESP8266 Update.begin failed); text in the reply */
  ESPRIT_OTA_REPLY_UNKNOWN,
} EspritOtaReplyKind;

typedef struct {
  EspritOtaReplyKind kind;
  char               text[129];  /* the nonce (AUTH) or the error text, NUL-terminated */
} EspritOtaReply;

/* Parses one UDP datagram from the board. Never reads past @len. */
void esprit_ota_parse_reply (const guint8   *data,
                             gsize           len,
                             EspritOtaReply *reply);

/* The TCP stream back from the board: unframed decimal counts ("14601460"), then "OK" or
 * an error text, possibly glued to the last count (§7.3). */
typedef enum {
  ESPRIT_OTA_ACKS_MORE,     /* only counts so far */
  ESPRIT_OTA_ACKS_OK,
  ESPRIT_OTA_ACKS_ERROR,    /* a complete error text */
} EspritOtaAcksState;

typedef struct {
  guint64 ack_bytes;        /* bytes of count digits seen */
  gboolean in_text;
  GString *text;
} EspritOtaAcks;

void               esprit_ota_acks_init   (EspritOtaAcks *acks);
void               esprit_ota_acks_clear  (EspritOtaAcks *acks);
/* Feeds received bytes; @closed: the board closed the connection (ends a pending text). */
EspritOtaAcksState esprit_ota_acks_feed   (EspritOtaAcks *acks,
                                           const guint8  *data,
                                           gsize          len,
                                           gboolean       closed);
/* The board's final text, trimmed ("ERROR[7]: MD5 verification failed: ..."). */
const char        *esprit_ota_acks_text   (EspritOtaAcks *acks);

/* Parses one invitation as both cores do (§7.1: spaces skipped, up to 16 digits, one
 * separator, MD5 to '\n' or NUL, trimmed). FALSE when the core drops it silently (cmd not
 * 0/100, MD5 not 32 characters). */
gboolean esprit_ota_parse_invitation (const guint8 *data,
                                      gsize         len,
                                      int          *command,
                                      int          *host_port,
                                      int          *size,
                                      char          md5[33]);
/* Parses "200 <cnonce> <response>\n"; FALSE unless both fields have @field_len chars. */
gboolean esprit_ota_parse_auth       (const guint8 *data,
                                      gsize         len,
                                      gsize         field_len,
                                      char         *cnonce,
                                      char         *response);

/* ---- Authentication (esprit-ota-auth.c) ---- */

/* PBKDF2 (RFC 8018) with HMAC-SHA-256 (GHmac). */
void  esprit_ota_pbkdf2_sha256 (const guint8 *password,
                                gsize         password_len,
                                const guint8 *salt,
                                gsize         salt_len,
                                guint         iterations,
                                guint8       *out,
                                gsize         out_len);

/* The challenge response for @nonce (32 hex: MD5 scheme, 64 hex: PBKDF2-SHA-256 scheme) and
 * @cnonce. @password_hash is what the board stores: MD5hex(password) for the MD5 scheme,
 * SHA256hex(password) or MD5hex(password) for the SHA-256 scheme. NULL when the nonce has
 * another length. */
char *esprit_ota_auth_response (const char *nonce,
                                const char *cnonce,
                                const char *password_hash);
/* Lowercase hex of @type's digest of @text. */
char *esprit_ota_hash_hex      (GChecksumType type,
                                const char   *text);

G_END_DECLS

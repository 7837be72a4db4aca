/* esprit-ota-parse.h: ArduinoOTA's texts: what the board sends and what a device reads
 * (outside input, fuzzed: esprit-ota-parse.c), and the challenge's arithmetic
 * (esprit-ota-auth.c), protocol-facts §7
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The invitation's command field (§7.1). */
typedef enum {
  ESPRIT_OTA_FLASH      = 0,
  ESPRIT_OTA_FILESYSTEM = 100,
  ESPRIT_OTA_AUTH       = 200,
} EspritOtaCommand;

#define ESPRIT_OTA_PORT_ESP8266 8266
#define ESPRIT_OTA_PORT_ESP32   3232

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

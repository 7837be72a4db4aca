/* esprit-ota.h: the host side of ArduinoOTA (espota), both cores (protocol-facts §7)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-chips.h"
#include "esprit-ota-parse.h"
#include "esprit-progress.h"

G_BEGIN_DECLS

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

G_END_DECLS

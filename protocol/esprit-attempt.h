/* esprit-attempt.h: how one exchange with a loader ended, as a code, and the one rule for
 * trying again
 *
 * Retry loops work on these codes; a GError is made once, by the loop that gives up
 * (GLib's error-reporting guide: keep GError out of retry loops). Only a FATAL attempt
 * (cancelled, disconnected, an I/O error) carries a GError, and it ends every loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ESPRIT_ATTEMPT_OK,
  ESPRIT_ATTEMPT_TIMEOUT,      /* nothing, or half a frame, arrived in time */
  ESPRIT_ATTEMPT_SHORT_REPLY,  /* a reply too short for its payload and status */
  ESPRIT_ATTEMPT_NO_MATCH,     /* 100 frames, none the reply (§1 host rule) */
  ESPRIT_ATTEMPT_BAD_PACKET,   /* a read's data frame or record that cannot be right */
  ESPRIT_ATTEMPT_BAD_DIGEST,   /* the data read does not match the board's MD5 */
  ESPRIT_ATTEMPT_REFUSED,      /* the loader answered with a failure status */
  ESPRIT_ATTEMPT_UNSUPPORTED,  /* the §1 "unsupported" reply */
  ESPRIT_ATTEMPT_FATAL,        /* see @fatal */
} EspritAttemptResult;

typedef struct {
  EspritAttemptResult result;
  guint8              op;          /* the command, 0 for a raw frame */
  guint8              status;      /* REFUSED, UNSUPPORTED: the loader's code */
  gboolean            mid_frame;   /* TIMEOUT: part of a frame had come */
  gsize               length;      /* SHORT_REPLY, BAD_PACKET: bytes seen (0: not known) */
  guint32             at;          /* BAD_PACKET: the flash address reached */
  GError             *fatal;       /* FATAL only */
} EspritAttempt;

#define ESPRIT_ATTEMPT_INIT { ESPRIT_ATTEMPT_OK, 0, 0, FALSE, 0, 0, NULL }

void     esprit_attempt_clear      (EspritAttempt  *attempt);
/* Sets @attempt to FATAL with @error (taking it). */
void     esprit_attempt_take_fatal (EspritAttempt  *attempt,
                                    GError         *error);
/* The failure in words, for a log line ("READ_REG: Timed out waiting for a reply"). */
char    *esprit_attempt_describe   (const EspritAttempt *attempt);
/* Moves the failure into @error: FATAL's own error, otherwise one made from the code
 * (TIMEOUT, CHECKSUM, FAILED, DEVICE, UNSUPPORTED). Returns FALSE, for `return`. */
gboolean esprit_attempt_fail       (EspritAttempt  *attempt,
                                    GError        **error);

/* What a retry loop may try again. */
typedef enum {
  ESPRIT_RETRY_LOST     = 1 << 0,  /* the exchange itself failed: TIMEOUT, SHORT_REPLY,
                                    * NO_MATCH, BAD_PACKET, BAD_DIGEST */
  ESPRIT_RETRY_REFUSED  = 1 << 1,  /* any failure status but "unsupported" (commands that can
                                    * simply be sent again: READ_REG, MD5, reads) */
  ESPRIT_RETRY_REJECTED = 1 << 2,  /* failure statuses that say the data arrived damaged
                                    * (§1: ROM 0x07; stub 0xC1, 0xC0) */
} EspritRetryOn;

/* §1 host rule: frames to look through for the reply. */
#define ESPRIT_MAX_STRAY_FRAMES 100

/* §2: a failed block is retried 3 times; the same for every loop. */
#define ESPRIT_ATTEMPTS 3

/* Whether to try again after @attempts tries ended as @attempt did. @stub: the loader is a
 * stub (its length code 0xC0 means a frame cut short on the way). */
gboolean esprit_retry_again        (const EspritAttempt *attempt,
                                    EspritRetryOn        on,
                                    guint                attempts,
                                    gboolean             stub);

G_END_DECLS

/* esprit-progress.h: phases, progress and log callbacks shared by every long protocol call
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ESPRIT_PHASE_CONNECTING,
  ESPRIT_PHASE_STARTING_STUB,
  ESPRIT_PHASE_CHANGING_BAUD,
  ESPRIT_PHASE_ERASING,
  ESPRIT_PHASE_WRITING,
  ESPRIT_PHASE_VERIFYING,
  ESPRIT_PHASE_READING,
  ESPRIT_PHASE_RESETTING,
} EspritPhase;

/* Called from the thread running the protocol call. @total is 0 when unknown. */
typedef void (*EspritProgressFunc) (EspritPhase  phase,
                                    guint64      done,
                                    guint64      total,
                                    gpointer     user_data);

typedef enum {
  ESPRIT_LOG_INFO,      /* a line the CLI prints ("Detecting chip type... ESP8266") */
  ESPRIT_LOG_PROGRESS,  /* a line that replaces the previous progress line ("Writing at ...") */
  ESPRIT_LOG_WARNING,
  ESPRIT_LOG_TRACE,     /* --trace: packets in hex */
} EspritLogLevel;

/* Called from the thread running the protocol call. */
typedef void (*EspritLogFunc) (EspritLogLevel  level,
                               const char     *line,
                               gpointer        user_data);

const char *esprit_phase_name (EspritPhase phase);  /* translated: "Writing" */

G_END_DECLS

/* esprit-reset.h: DTR/RTS sequences that reset a board into its loader or its program
 * (protocol-facts §3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-transport.h"

G_BEGIN_DECLS

typedef enum {
  ESPRIT_RESET_CLASSIC,
  ESPRIT_RESET_UNIX_TIGHT,
  ESPRIT_RESET_USB_JTAG,
  ESPRIT_RESET_HARD,
} EspritResetKind;

/* Runs one sequence; @delay_ms is the <d> of §3 (50 or 550; ignored by USB-JTAG and HARD). */
gboolean    esprit_reset_run          (EspritTransport  *transport,
                                       EspritResetKind   kind,
                                       guint             delay_ms,
                                       GCancellable     *cancellable,
                                       GError          **error);
/* The sequence for connect attempt @attempt (0-based) of the default reset: unix-tight and
 * classic with 50/550 ms delays on POSIX ports, classic only without TIOCMSET (rfc2217),
 * USB-JTAG for Espressif's USB-Serial/JTAG (303A:1001). */
void        esprit_reset_for_attempt  (EspritTransport  *transport,
                                       guint             attempt,
                                       EspritResetKind  *kind,
                                       guint            *delay_ms);
const char *esprit_reset_kind_name    (EspritResetKind   kind);

/* Sleeps @ms, returning early with G_IO_ERROR_CANCELLED. */
gboolean    esprit_sleep_ms           (guint             ms,
                                       GCancellable     *cancellable,
                                       GError          **error);

G_END_DECLS

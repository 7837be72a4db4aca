/* esprit-session-private.h: the session's rules, for its tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-session.h"

G_BEGIN_DECLS

/* Whether a stub that failed to start with @error ends the connect (the board no longer
 * answers, or the user cancelled) rather than leaving the session on the ROM loader. */
gboolean _esprit_session_stub_error_is_fatal (const GError *error);

G_END_DECLS

/* esprit-advice.h: what a failure means to the person at the desk; one table for the
 * command line and the window (no GTK here)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A short title for @error ("The board does not answer"). */
const char *esprit_advice_title     (const GError  *error);
/* What to do about @error ("Put it in download mode: …"), or NULL when the library's
 * message says all there is. Does not repeat the message. */
char       *esprit_advice_hint      (const GError  *error);
/* For a dialog: the title, and the message followed by the hint. */
void        esprit_advice_for_error (const GError  *error,
                                     char         **title,
                                     char         **advice);

G_END_DECLS

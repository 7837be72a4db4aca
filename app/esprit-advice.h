/* esprit-advice.h: what a failure means to the person at the desk
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A short title and the steps that fix @error ("Add yourself to the dialout group…"). */
void esprit_advice_for_error (const GError  *error,
                              char         **title,
                              char         **advice);

G_END_DECLS

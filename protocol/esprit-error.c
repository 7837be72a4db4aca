/* esprit-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-error"

#include "config.h"

#include "esprit-error.h"

G_DEFINE_QUARK (esprit-error-quark, esprit_error)

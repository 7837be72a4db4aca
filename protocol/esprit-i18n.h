/* esprit-i18n.h: gettext for the protocol library (messages reach users through the CLI and GUI)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib/gi18n-lib.h>

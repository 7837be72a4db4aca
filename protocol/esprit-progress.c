/* esprit-progress.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-progress"

#include "config.h"

#include "esprit-i18n.h"
#include "esprit-progress.h"

const char *
esprit_phase_name (EspritPhase phase)
{
  switch (phase)
    {
    case ESPRIT_PHASE_CONNECTING: return _("Connecting");
    case ESPRIT_PHASE_STARTING_STUB: return _("Starting stub");
    case ESPRIT_PHASE_CHANGING_BAUD: return _("Changing baud rate");
    case ESPRIT_PHASE_ERASING: return _("Erasing");
    case ESPRIT_PHASE_WRITING: return _("Writing");
    case ESPRIT_PHASE_VERIFYING: return _("Verifying");
    case ESPRIT_PHASE_READING: return _("Reading");
    case ESPRIT_PHASE_RESETTING: return _("Resetting");
    default: return "";
    }
}

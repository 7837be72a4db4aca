/* esprit-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ESPRIT_TYPE_APPLICATION (esprit_application_get_type ())
G_DECLARE_FINAL_TYPE (EspritApplication, esprit_application, ESPRIT, APPLICATION, AdwApplication)

EspritApplication *esprit_application_new (void);

G_END_DECLS

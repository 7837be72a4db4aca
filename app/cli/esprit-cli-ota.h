/* esprit-cli-ota.h: the OTA commands of esprit-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

/* argv[1] is "ota" or "espota"; @espota_syntax takes espota.py's options. */
int esprit_cli_ota_main (int       argc,
                         char    **argv,
                         gboolean  espota_syntax);

/* esprit-cli-ota.h: the OTA commands of esprit-cli
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

/* argv[1] is "ota" or "espota"; @espota_syntax takes espota.py's options; @json and @trace
 * are the global --json and --trace given before the command (`esprit-cli --json ota …`);
 * --json prints JSON events for `ota`. */
int esprit_cli_ota_main (int       argc,
                         char    **argv,
                         gboolean  espota_syntax,
                         gboolean  json,
                         gboolean  trace);

/* esprit-cli-numbers.h: numbers as esptool users write them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses "0x1000", "4096", "4k", "512K", "4M", "4MB", "1KB" into a 32-bit value. Rejects
 * signs, garbage, empty strings and values above 0xFFFFFFFF, with a message naming @what. */
gboolean esprit_cli_parse_number (const char  *text,
                                  const char  *what,
                                  guint32     *value,
                                  GError     **error);

G_END_DECLS

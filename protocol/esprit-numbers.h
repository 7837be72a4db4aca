/* esprit-numbers.h: numbers, sizes and MAC addresses as users write them, and as Esprit
 * prints them; one parser for the command line, the window and the virtual board
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses "0x1000", "4096", "4k", "512K", "4M", "4MB", "1KB", "4mb" into a 32-bit value.
 * Decimal is decimal ("010" is ten); suffixes only follow decimal digits (in hex, "b" is a
 * digit). Rejects signs, spaces, garbage, empty strings and values above 0xFFFFFFFF, with
 * an ESPRIT_ERROR_INVALID_ARGUMENT message naming @what ("Address"). */
gboolean esprit_parse_number (const char  *text,
                              const char  *what,
                              guint32     *value,
                              GError     **error);
/* As esprit_parse_number(), and also refuses 0: a size of something. */
gboolean esprit_parse_size   (const char  *text,
                              const char  *what,
                              guint32     *value,
                              GError     **error);
/* A count for an option ("1000", "0x400", "4K"): esprit_parse_number() into a gint64, with
 * no message (the caller says which option was wrong). */
gboolean esprit_parse_count  (const char  *text,
                              gint64      *count);
/* "aa:bb:cc:dd:ee:ff" (also with '-'), case-insensitive. */
gboolean esprit_parse_mac    (const char  *text,
                              guint8       mac[6],
                              GError     **error);

/* A flash-like size: "4MB", "512KB", "1000 bytes" for what is no whole KB; exact (a
 * size that is not a whole MB is given in KB). */
char    *esprit_format_size  (guint64      bytes);
/* "5c:cf:7f:01:02:03", as esptool prints MACs. */
char    *esprit_format_mac   (const guint8 mac[6]);

G_END_DECLS

/* esprit-cli-json.h: a small JSON object writer for --json (one object a line)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Appends @str (@len bytes, or up to its NUL when -1) as a JSON string with its quotes:
 * quote, backslash and control characters escaped, every byte that is not part of valid
 * UTF-8 replaced by U+FFFD, so the output always parses. */
void esprit_json_append_string (GString    *out,
                                const char *str,
                                gssize      len);
/* Members of the object being written: the first one opens it ("{"), esprit_json_end()
 * closes it. A NULL @value writes null. */
void esprit_json_add_string    (GString    *out,
                                const char *key,
                                const char *value);
void esprit_json_add_int       (GString    *out,
                                const char *key,
                                gint64      value);
void esprit_json_add_double    (GString    *out,
                                const char *key,
                                double      value);
void esprit_json_add_bool      (GString    *out,
                                const char *key,
                                gboolean    value);
/* Closes the object and ends the line. */
void esprit_json_end           (GString    *out);

G_END_DECLS

/* esprit-file-template.h: file names for many boards at once ("backup-{mac}.img"): one
 * place for the command line's read_flash and the window's Back Up of a board list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether @template has a {mac}, {chip}, {port} or {date} field (*@has_fields), and one that
 * tells boards apart, {mac} or {port} (*@per_board); FALSE with an error for an unknown field
 * or an unclosed brace. */
gboolean  esprit_file_template_check     (const char  *template,
                                          gboolean    *has_fields,
                                          gboolean    *per_board,
                                          GError     **error);
/* @template with its fields filled: @mac without colons, @chip in lower case, @port with / and
 * : made -, @date as YYYY-MM-DD; a missing value (NULL) reads "unknown". */
char     *esprit_file_template_expand    (const char  *template,
                                          const char  *mac,
                                          const char  *chip,
                                          const char  *port,
                                          GDateTime   *date);
/* The refusal when two boards would get @file. */
void      esprit_file_template_collision (GError     **error,
                                          const char  *file);
/* FALSE with that refusal when two of @names (char *) are the same. */
gboolean  esprit_file_template_unique    (GPtrArray   *names,
                                          GError     **error);

G_END_DECLS

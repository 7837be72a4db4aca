/* esprit-cli-private.h: what esprit-cli.c lends the command files (esprit-cli-layout.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "esprit-loader.h"

G_BEGIN_DECLS

#define ESPRIT_CLI_EXIT_BAD_INPUT 2

/* esprit-cli.c's global options (struct defined there). */
typedef struct _EspritCliOptions EspritCliOptions;

/* ---- esprit-cli.c ------------------------------------------------------------------- */

/* connect_board() with the stub: prints the port, chip and MAC as esptool does. */
EspritLoader *_esprit_cli_connect      (EspritCliOptions  *opts,
                                        GError           **error);
/* Resets per --after and prints "Leaving..."; the command's exit status. */
int           _esprit_cli_finish       (EspritCliOptions  *opts,
                                        EspritLoader      *loader);
/* Prints "Error: …" and a hint; 2 for bad input, 1 otherwise. */
int           _esprit_cli_fail         (EspritCliOptions  *opts,
                                        GError            *error);
EspritChip    _esprit_cli_get_chip     (EspritCliOptions  *opts);
GBytes       *_esprit_cli_load_file    (const char        *path,
                                        GError           **error);
/* Whether @path can be written (not a directory, its directory writable). */
gboolean      _esprit_cli_check_output (const char        *path,
                                        GError           **error);
/* Writes through a temporary file renamed at the end. */
gboolean      _esprit_cli_save_file    (const char        *path,
                                        const guint8      *data,
                                        gsize              len,
                                        GError           **error);
/* Puts back the CLI's log function after a command silenced the loader. */
void          _esprit_cli_restore_log  (EspritCliOptions  *opts,
                                        EspritLoader      *loader);

/* ---- esprit-cli-layout.c ------------------------------------------------------------ */

int           _esprit_cli_cmd_partition_table (EspritCliOptions *opts,
                                               int               argc,
                                               char            **argv);
int           _esprit_cli_cmd_flash_map       (EspritCliOptions *opts,
                                               int               argc,
                                               char            **argv);
int           _esprit_cli_cmd_erase_settings  (EspritCliOptions *opts,
                                               int               argc,
                                               char            **argv);
/* read_flash / write_flash / erase_region with --partition NAME first. */
int           _esprit_cli_read_partition      (EspritCliOptions *opts,
                                               int               argc,
                                               char            **argv);
int           _esprit_cli_write_partition     (EspritCliOptions *opts,
                                               int               argc,
                                               char            **argv);
int           _esprit_cli_erase_partition     (EspritCliOptions *opts,
                                               int               argc,
                                               char            **argv);
/* For image_info: when @data is a partition table binary or a backup image with a known
 * layout, prints it, sets *@status and returns TRUE; otherwise prints nothing. */
gboolean      _esprit_cli_layout_image_info   (EspritCliOptions *opts,
                                               const char       *path,
                                               const guint8     *data,
                                               gsize             len,
                                               int              *status);

G_END_DECLS

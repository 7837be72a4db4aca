/* esprit-cli-private.h: what the command line's files share (argv in esprit-cli.c, output
 * in esprit-cli-output.c, the commands in esprit-cli-commands.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>

#include "esprit-session.h"

G_BEGIN_DECLS

/* Exit status for input refused before the board is touched (esptool uses 2 too). */
#define ESPRIT_CLI_EXIT_BAD_INPUT 2

typedef struct {
  char                 *port;
  EspritConnectOptions  connect;
  gboolean              tty;             /* stdout is a terminal */
  gboolean              progress_open;   /* a \r progress line is on screen */
  gboolean              quiet;           /* only warnings (a command's own reads) */
  char                 *last_progress;   /* the last progress line, not to be repeated */
} EspritCli;

void esprit_cli_clear (EspritCli *cli);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EspritCli, esprit_cli_clear)

typedef int (*EspritCliCommandFunc) (EspritCli  *cli,
                                     int         argc,
                                     char      **argv);

typedef struct {
  const char           *name;
  EspritCliCommandFunc  func;
  const char           *args;
  const char           *help;
  gboolean              uses_board;   /* prints the banner, opens a port */
} EspritCliCommand;

/* esprit-cli-commands.c */
const EspritCliCommand *esprit_cli_get_commands (guint       *n_commands);
const EspritCliCommand *esprit_cli_find_command (const char  *name);

/* esprit-cli-output.c */
void           esprit_cli_on_event     (EspritSession     *session,
                                        const EspritEvent *event,
                                        gpointer           cli);
void           esprit_cli_end_progress (EspritCli         *cli);
/* Prints "Error: message" and the advice; returns the exit status for @error. */
int            esprit_cli_fail         (EspritCli         *cli,
                                        const GError      *error);
int            esprit_cli_bad_input    (const char        *format,
                                        ...) G_GNUC_PRINTF (1, 2);
/* The port to use: --port, $ESPTOOL_PORT, or the first serial port. */
char          *esprit_cli_default_port (void);
/* Opens a session on the --port and connects (printing as esptool does). */
EspritSession *esprit_cli_connect      (EspritCli         *cli,
                                        GError           **error);
/* The --after action and "Leaving..."; the exit status. */
int            esprit_cli_finish       (EspritCli         *cli,
                                        EspritSession     *session);
/* A file's contents; ESPRIT_ERROR_INVALID_ARGUMENT naming it when it cannot be read. */
GBytes        *esprit_cli_load_file    (const char        *path,
                                        GError           **error);
/* Whether @path can be written (not a directory, its directory writable). */
gboolean       esprit_cli_check_output (const char        *path,
                                        GError           **error);
/* Writes through a temporary file renamed at the end. */
gboolean       esprit_cli_save_file    (const char        *path,
                                        const guint8      *data,
                                        gsize              len,
                                        GError           **error);

/* esprit-cli-layout.c: partitions (protocol-facts §10) */
int            esprit_cli_cmd_partition_table (EspritCli  *cli,
                                               int         argc,
                                               char      **argv);
int            esprit_cli_cmd_flash_map       (EspritCli  *cli,
                                               int         argc,
                                               char      **argv);
int            esprit_cli_cmd_erase_settings  (EspritCli  *cli,
                                               int         argc,
                                               char      **argv);
/* read_flash / write_flash / erase_region with --partition NAME first. */
int            esprit_cli_read_partition      (EspritCli  *cli,
                                               int         argc,
                                               char      **argv);
int            esprit_cli_write_partition     (EspritCli  *cli,
                                               int         argc,
                                               char      **argv);
int            esprit_cli_erase_partition     (EspritCli  *cli,
                                               int         argc,
                                               char      **argv);
/* For image_info: when @data is a partition table binary or a backup image with a known
 * layout, prints it, sets *@status and returns TRUE; otherwise prints nothing. */
gboolean       esprit_cli_layout_image_info   (EspritCli     *cli,
                                               const char    *path,
                                               const guint8  *data,
                                               gsize          len,
                                               int           *status);

G_END_DECLS

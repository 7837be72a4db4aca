/* esprit-cli-private.h: what the command line's files share (argv in esprit-cli.c, output
 * in esprit-cli-output.c, the commands in esprit-cli-commands.c, several boards at once in
 * esprit-cli-boards.c, port lists and file-name templates in esprit-cli-ports.c, JSON in
 * esprit-cli-json.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>

#include "esprit-layout.h"
#include "esprit-session.h"

G_BEGIN_DECLS

/* Exit status for input refused before the board is touched (esptool uses 2 too). */
#define ESPRIT_CLI_EXIT_BAD_INPUT 2

typedef enum {
  ESPRIT_CLI_OUTPUT_PLAIN,     /* one board, esptool's output */
  ESPRIT_CLI_OUTPUT_PREFIXED,  /* several boards into a pipe or file: "[ttyUSB3] line" */
  ESPRIT_CLI_OUTPUT_LIVE,      /* several boards on a terminal: one line each, redrawn */
  ESPRIT_CLI_OUTPUT_JSON,      /* --json: one object per event and line */
} EspritCliOutput;

typedef struct _EspritCliBoard EspritCliBoard;
typedef struct _EspritCliJob EspritCliJob;

typedef struct {
  GPtrArray            *ports;        /* --port, each time it is given */
  GPtrArray            *port_specs;   /* --ports all|GLOB|@FILE */
  EspritConnectOptions  connect;
  gboolean              tty;          /* stdout is a terminal */
  gboolean              json;
  gboolean              watch;
  gboolean              fail_fast;
  EspritCliOutput       output;
  GMutex                print_lock;   /* whole lines from every board's thread */
  GDateTime            *started;      /* {date} */
  EspritCliBoard       *plain;        /* the board of a single-board run, for its output */
  gboolean              quiet;        /* plain output: only warnings (a command's own reads) */
} EspritCli;

void esprit_cli_clear (EspritCli *cli);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EspritCli, esprit_cli_clear)

struct _EspritCliBoard {
  EspritCli      *cli;
  char           *port;
  char           *name;           /* "ttyUSB3", "sim-2": the prefix and {port} */
  guint           index;          /* in the order the boards were found */
  EspritSession  *session;
  GThread        *thread;
  /* Output state (the printing lock guards it). */
  gboolean        progress_open;  /* a \r progress line is on screen (plain output) */
  char           *last_progress;  /* the last progress line, not to be repeated */
  char           *chip;
  char           *mac;
  EspritPhase     phase;
  gboolean        phase_known;
  guint64         done;
  guint64         total;
  gint64          phase_start;    /* monotonic µs, for the speed */
  gint64          start;
  gint64          end;
  /* The result, once end != 0. */
  gboolean        finished;
  gboolean        ok;
  gboolean        skipped;        /* --watch: this MAC was done already */
  gboolean        shown;          /* its final live line is on screen for good */
  GError         *error;
  char           *file;           /* read_flash: the file name from the template */
};

typedef int (*EspritCliCommandFunc) (EspritCli  *cli,
                                     int         argc,
                                     char      **argv);
/* Judges the arguments before any board is touched; -1 to go on, else the exit status. */
typedef int (*EspritCliParseFunc)   (EspritCli    *cli,
                                     EspritCliJob *job,
                                     int           argc,
                                     char        **argv);
/* The command's work on one connected board (called in that board's thread). */
typedef gboolean (*EspritCliRunFunc) (EspritCliBoard *board,
                                      EspritCliJob   *job,
                                      GCancellable   *cancellable,
                                      GError        **error);

typedef struct {
  const char           *name;
  EspritCliCommandFunc  func;         /* commands without a board */
  EspritCliParseFunc    parse;        /* commands on boards: parse, then run on each */
  EspritCliRunFunc      run;
  const char           *args;
  const char           *help;
  gboolean              no_finish;    /* the command resets the board itself (run) */
} EspritCliCommand;

/* One command's arguments, read once and shared by every board's thread (read-only there). */
struct _EspritCliJob {
  const EspritCliCommand *cmd;
  guint32                 addr;
  guint32                 size;
  char                   *file;       /* read_flash: a name or a template */
  EspritWritePlan        *plan;
  GPtrArray              *files;      /* verify_flash: GBytes */
  GArray                 *addrs;
  char                  **names;
};

void esprit_cli_job_clear (EspritCliJob *job);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EspritCliJob, esprit_cli_job_clear)

/* esprit-cli-commands.c */
const EspritCliCommand *esprit_cli_get_commands (guint       *n_commands);
const EspritCliCommand *esprit_cli_find_command (const char  *name);

/* esprit-cli-output.c */
/* The "event", "board" and "port" members of a board's JSON object; then writes one line. */
void           _esprit_cli_json_board  (GString           *out,
                                        const char        *event,
                                        EspritCliBoard    *board);
void           _esprit_cli_json_write  (GString           *out);
void           esprit_cli_on_event     (EspritSession     *session,
                                        const EspritEvent *event,
                                        gpointer           board);
/* A line of a command's own output ("Chip ID: 0x..."), on @board's output. */
void           esprit_cli_board_print  (EspritCliBoard    *board,
                                        const char        *format,
                                        ...) G_GNUC_PRINTF (2, 3);
void           esprit_cli_end_progress (EspritCliBoard    *board);
/* Prints "Error: message" and the advice; returns the exit status for @error. */
int            esprit_cli_fail         (EspritCli         *cli,
                                        const GError      *error);
/* The exit status @error calls for (2 for input refused before the board, else 1). */
int            esprit_cli_error_status (const GError      *error);
int            esprit_cli_bad_input    (const char        *format,
                                        ...) G_GNUC_PRINTF (1, 2);
/* With --json, esprit_cli_fail() and esprit_cli_bad_input() also write an "error" event to
 * stdout: set from the command line until the boards start (their results carry errors). */
void           esprit_cli_set_json_errors (gboolean        json);
/* The JSON error_code of @error ("no-sync", "cancelled"...). */
const char    *_esprit_cli_error_code_name (const GError  *error);
/* The port to use: --port, $ESPTOOL_PORT, or the first serial port. */
char          *esprit_cli_default_port (void);
/* Opens a session on the board's port and connects (printing as esptool does). */
gboolean       esprit_cli_connect      (EspritCliBoard    *board,
                                        GCancellable      *cancellable,
                                        GError           **error);
/* The --after action and "Leaving...". */
gboolean       esprit_cli_finish       (EspritCliBoard    *board,
                                        GCancellable      *cancellable,
                                        GError           **error);
/* A board's end: JSON's result event, the prefixed result line. */
void           esprit_cli_report_result (EspritCliBoard   *board);
/* Redraws the live lines (terminal, several boards); @final leaves them for good. */
void           esprit_cli_redraw       (EspritCli         *cli,
                                        GPtrArray         *boards,
                                        gboolean           final);
/* The table at the end of a run on several boards. */
void           esprit_cli_print_summary (EspritCli        *cli,
                                         GPtrArray        *boards);
/* A file's contents; ESPRIT_ERROR_INVALID_ARGUMENT naming it when it cannot be read. */
GBytes        *esprit_cli_load_file    (const char        *path,
                                        GError           **error);

EspritCliBoard *esprit_cli_board_new   (EspritCli         *cli,
                                        const char        *port,
                                        const char        *name,
                                        guint              index);
void            esprit_cli_board_free  (EspritCliBoard    *board);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EspritCliBoard, esprit_cli_board_free)

/* For the commands that work on one board by themselves (the partition commands): the board
 * on --port (or the first serial port), connected, with esptool's output; its session is
 * board->session. */
EspritCliBoard *esprit_cli_connect_one (EspritCli         *cli,
                                        GError           **error);
/* The --after action and "Leaving..."; frees @board; the exit status. */
int             esprit_cli_finish_one  (EspritCli         *cli,
                                        EspritCliBoard    *board);
/* Whether @path can be written (not a directory, its directory writable). */
gboolean        esprit_cli_check_output (const char       *path,
                                         GError          **error);
/* Writes through a temporary file renamed at the end. */
gboolean        esprit_cli_save_file   (const char        *path,
                                        const guint8      *data,
                                        gsize              len,
                                        GError           **error);

/* esprit-cli-partitions.c: the board's layout, read as little as it takes (the command
 * line's progress lines silenced meanwhile); prints "Layout: ...". */
EspritLayout  *esprit_cli_board_layout (EspritCli          *cli,
                                        EspritSession      *session,
                                        guint32             table_offset,
                                        GError            **error);

/* esprit-cli-layout.c, esprit-cli-partitions.c: partitions (protocol-facts §10) */
int             esprit_cli_cmd_partition_table (EspritCli  *cli,
                                                int         argc,
                                                char      **argv);
int             esprit_cli_cmd_flash_map       (EspritCli  *cli,
                                                int         argc,
                                                char      **argv);
int             esprit_cli_cmd_erase_settings  (EspritCli  *cli,
                                                int         argc,
                                                char      **argv);
/* read_flash / write_flash / erase_region with --partition NAME first. */
int             esprit_cli_read_partition      (EspritCli  *cli,
                                                int         argc,
                                                char      **argv);
int             esprit_cli_write_partition     (EspritCli  *cli,
                                                int         argc,
                                                char      **argv);
int             esprit_cli_erase_partition     (EspritCli  *cli,
                                                int         argc,
                                                char      **argv);
/* For image_info: when @data is a partition table binary or a backup image with a known
 * layout, prints it, sets *@status and returns TRUE; otherwise prints nothing. */
gboolean        esprit_cli_layout_image_info   (EspritCli     *cli,
                                                const char    *path,
                                                const guint8  *data,
                                                gsize          len,
                                                int           *status);

/* esprit-cli-ports.c */
/* Adds the ports @spec names (all, a glob, @FILE) to @out (char *); FALSE with an error for
 * an unreadable file. */
gboolean       esprit_cli_expand_ports (const char        *spec,
                                        GPtrArray         *out,
                                        GError           **error);
/* Short names for the prefix: basenames ("ttyUSB3"), "sim-1"... (transfer full) */
GPtrArray     *esprit_cli_port_names   (GPtrArray         *ports);
char          *esprit_cli_port_name    (const char        *port,
                                        guint              sim_number);
/* The same port twice (after resolving symbolic links); the one named in *@dup. */
gboolean       esprit_cli_find_duplicate (GPtrArray       *ports,
                                          char           **dup);
/* esprit_file_template_expand() with @board's MAC, chip, short name and the run's date. */
char          *esprit_cli_template_expand (const char     *template,
                                           EspritCliBoard *board);

/* esprit-cli-serve.c: boards on this machine shared over RFC 2217 */
int            esprit_cli_cmd_serve    (EspritCli         *cli,
                                        int                argc,
                                        char             **argv);

/* esprit-cli-boards.c */
/* Runs the command on every board (--port several times, --ports, --watch); the exit
 * status. */
int            esprit_cli_run_boards   (EspritCli         *cli,
                                        EspritCliJob      *job);

G_END_DECLS

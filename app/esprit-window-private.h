/* esprit-window-private.h: what the window's files (esprit-window.c, -files.c, -actions.c)
 * share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-board-row.h"
#include "esprit-flash-map-view.h"
#include "esprit-layout.h"
#include "esprit-port-model.h"
#include "esprit-progress-view.h"
#include "esprit-window.h"
#include "esprit-write-plan.h"

G_BEGIN_DECLS

/* What the board list does to every checked board. */
typedef enum {
  ESPRIT_BOARD_ACTION_FLASH,
  ESPRIT_BOARD_ACTION_BACKUP,
  ESPRIT_BOARD_ACTION_ERASE,
  ESPRIT_BOARD_ACTION_IDENTIFY,
} EspritBoardAction;

/* Where the board list's boards come from. */
typedef enum {
  ESPRIT_BOARDS_NONE,        /* one board: no list */
  ESPRIT_BOARDS_REAL,        /* the USB boards plugged in */
  ESPRIT_BOARDS_CLASSROOM,   /* the virtual classroom's */
} EspritBoardsSource;

typedef struct _EspritProduction EspritProduction;

struct _EspritWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  AdwComboRow          *port_row;
  AdwComboRow          *baud_row;
  AdwActionRow         *device_row;
  GtkListBox           *file_list;
  GtkLabel             *plan_label;
  AdwComboRow          *mode_row;
  AdwComboRow          *size_row;
  GtkSwitch            *verify_switch;
  GtkSwitch            *erase_switch;
  GtkSwitch            *reset_switch;
  GtkSwitch            *backup_first_switch;
  AdwPreferencesGroup  *backups_group;
  GtkListBox           *backups_list;
  AdwActionRow         *ota_fs_row;
  GtkSwitch            *ota_fs_switch;
  EspritProgressView   *progress_view;
  GtkTextView          *log_view;
  GtkFlowBox           *actions_box;
  AdwPreferencesGroup  *map_group;
  EspritFlashMapView   *map_view;
  AdwPreferencesGroup  *boards_group;
  GtkListBox           *boards_list;
  GtkLabel             *boards_summary;
  AdwEntryRow          *template_row;
  AdwActionRow         *production_row;
  GtkSwitch            *production_switch;

  GSettings            *settings;
  /* The ports offered; owns the virtual boards, so they remember their flash. */
  EspritPortModel      *ports;
  /* The chosen port's id, kept while the model changes under the combo row. */
  char                 *port_id;
  gboolean              ports_changing;

  EspritJob            *job;
  gboolean              plan_ok;

  /* The open password prompt of an upload over the air, or NULL. */
  AdwMessageDialog     *password_dialog;

  /* The board list (esprit-window-boards.c): its boards, the jobs running on them, the
   * last action (what Retry does again), the run the summary counts. */
  EspritBoardsSource    boards_source;
  guint                 boards_running;
  EspritBoardAction     boards_action;
  guint                 boards_run;
  gboolean              boards_backup_pending;
  GFile                *boards_folder;
  /* The production line: the MACs it flashed, and how many. */
  EspritProduction     *production;
  guint                 production_count;

  /* What Identify found on the chosen port. */
  EspritChip            known_chip;
  guint32               known_flash_size;
};

/* esprit-window.c */
EspritPortItem  *_esprit_window_get_port        (EspritWindow   *self);
guint            _esprit_window_get_baud        (EspritWindow   *self);
void             _esprit_window_update_state    (EspritWindow   *self);
void             _esprit_window_show_toast      (EspritWindow   *self,
                                                 const char     *text);
/* The write the files and options describe; NULL with the reason, and in *@bad_item the
 * row to blame (or -1), when it cannot be done. */
EspritWritePlan *_esprit_window_build_plan      (EspritWindow   *self,
                                                 GError        **error,
                                                 int            *bad_item);

/* esprit-window-files.c */
void             _esprit_window_files_init      (EspritWindow   *self);
/* The file rows, in order. (transfer container) (element-type EspritFileRow) */
GPtrArray       *_esprit_window_get_file_rows   (EspritWindow   *self);
/* Adds a row for @file holding @data at @address (-1: where such a file usually goes). */
void             _esprit_window_add_loaded_file (EspritWindow   *self,
                                                 GFile          *file,
                                                 GBytes         *data,
                                                 gint64          address);
/* Puts the files of the last flash back (where they still exist). */
void             _esprit_window_restore_files   (EspritWindow   *self);
/* Remembers the files and addresses for the next start (after a successful flash). */
void             _esprit_window_remember_files  (EspritWindow   *self);
/* @name ends in .gz (any case): a compressed sketch, only an ESP8266 over the air takes it. */
gboolean         _esprit_window_is_gzip_name    (const char     *name);
/* The board chosen is an ESP8266 over the air, whose core unpacks a .bin.gz (§7.1). */
gboolean         _esprit_window_takes_gzip      (EspritWindow   *self);

/* esprit-window-actions.c */
void             _esprit_window_class_init_actions (GtkWidgetClass *widget_class);
/* Starts @func on the chosen port like every action: a job titled @title, then @done on the
 * main thread after success and the @success toast. */
typedef void   (*EspritWindowDoneFunc)          (EspritWindow   *self,
                                                 gpointer        data);
void             _esprit_window_start_job       (EspritWindow   *self,
                                                 const char     *title,
                                                 gboolean        connect,
                                                 EspritAfter     after,
                                                 EspritJobFunc   func,
                                                 gpointer        data,
                                                 GDestroyNotify  destroy,
                                                 EspritWindowDoneFunc done,
                                                 const char     *success);

/* esprit-window-backups.c */
/* What one job does about "Back up first" (where to, the size limit, whether a board that
 * has a backup already is skipped); the worker notes the board it met. */
typedef struct _EspritBackupFirst EspritBackupFirst;
void             _esprit_backup_first_unref     (gpointer        backup_first);
/* g_get_user_data_dir()/esprit/backups */
char            *_esprit_window_backups_dir     (void);
/* Sets the "Back up first" switch up (at the window's start). */
void             _esprit_window_backups_init    (EspritWindow   *self);
/* What to do about backing up before a flash or erase, NULL when "Back up first" is off. */
EspritBackupFirst *_esprit_window_backup_first_dir (EspritWindow *self);
/* In a job: unless @backup_first is NULL (or says to skip a board with a backup, and this
 * one has), saves the whole flash, verified, as <dir>/<chip>-<mac>-<date>.img, then removes
 * the oldest automatic backups while they add up to more than the limit (never that one). */
gboolean         _esprit_window_backup_first    (EspritSession  *session,
                                                 EspritBackupFirst *backup_first,
                                                 GCancellable   *cancellable,
                                                 GError        **error);
/* The board @info describes is the chosen port's: the switch shows whether it is new. */
void             _esprit_window_backups_board_seen (EspritWindow *self,
                                                 const EspritDeviceInfo *info);
/* "<chip>-<mac>", how backups of the board are named. */
char            *_esprit_backup_board_name      (const EspritDeviceInfo *info);
/* Splits "<chip>-<mac>-<date>.img" (any out may be NULL); FALSE for other names. */
gboolean         _esprit_backup_parse_name      (const char     *name,
                                                 EspritChip     *chip,
                                                 guint8          mac[6],
                                                 char          **date);
/* Whether @dir holds an automatic backup of @board. */
gboolean         _esprit_backups_has_board      (const char     *dir,
                                                 const char     *board);
/* Removes the oldest automatic backups in @dir while they add up to more than @limit bytes
 * (0: no limit), never @keep; how many went. */
guint            _esprit_backups_prune          (const char     *dir,
                                                 guint64         limit,
                                                 const char     *keep);
/* Lists the backups folder in the Backups group (and the size limit). */
void             _esprit_window_refresh_backups (EspritWindow   *self);
/* Writes the whole-flash backup @file back at 0x0, without the checks
 * esprit_window_restore_backup() makes first (esprit-window-actions.c). */
void             _esprit_window_restore_backup_now (EspritWindow *self,
                                                 GFile          *file);

/* esprit-window-layout.c */
void             _esprit_window_class_init_layout (GtkWidgetClass *widget_class);
/* In a job: the flash map of the board behind @session (its layout, then one MD5 per
 * region for what is erased). *@map stays NULL, without an error, when the flash size is
 * unknown. */
gboolean         _esprit_window_read_map        (EspritSession  *session,
                                                 GPtrArray     **map,
                                                 char          **summary,
                                                 GCancellable   *cancellable,
                                                 GError        **error);
/* In a job: the flash map of a whole-flash backup at @path. */
gboolean         _esprit_window_map_from_backup (const char     *path,
                                                 EspritChip      chip,
                                                 GPtrArray     **map,
                                                 char          **summary,
                                                 GError        **error);
/* Shows @map (NULL hides the map: a different board). */
void             _esprit_window_show_map        (EspritWindow   *self,
                                                 GPtrArray      *map,
                                                 const char     *summary);
/* Runs @job (made for the chosen port) as the window's job: progress, log, and on success
 * @done (with @data) and the @success toast; failures get the advice dialog. */
void             _esprit_window_run_job         (EspritWindow   *self,
                                                 EspritJob      *job,
                                                 EspritWindowDoneFunc done,
                                                 gpointer        data,
                                                 const char     *success);

/* esprit-window-boards.c: the board list */
void             _esprit_window_class_init_boards (GtkWidgetClass *widget_class);
void             _esprit_window_boards_init     (EspritWindow   *self);
void             _esprit_window_boards_dispose  (EspritWindow   *self);
/* Shows the list or the single board, as the port choice and the boards plugged in say. */
void             _esprit_window_boards_update   (EspritWindow   *self);
/* TRUE when the actions go to the list's checked boards. */
gboolean         _esprit_window_boards_active   (EspritWindow   *self);
gboolean         _esprit_window_boards_busy     (EspritWindow   *self);
gboolean         _esprit_window_boards_any_failed (EspritWindow *self);
/* Starts @action on every checked board, each in its own job. */
void             _esprit_window_boards_run      (EspritWindow   *self,
                                                 EspritBoardAction action);
void             _esprit_window_boards_cancel   (EspritWindow   *self);
/* The rows, in order. (transfer container) (element-type EspritBoardRow) */
GPtrArray       *_esprit_window_get_board_rows  (EspritWindow   *self);
/* The production line's count, in its row. */
void             _esprit_window_boards_update_count (EspritWindow *self);

/* The backup into self->boards_folder, once every checked board's MAC is known. */
void             _esprit_window_boards_start_backup (EspritWindow *self);

/* esprit-window-boards-run.c: the board list's runs */
/* Rows of boards pulled out go when a new run starts. */
void             _esprit_window_boards_drop_gone (EspritWindow  *self);
EspritProduction *_esprit_production_new        (void);
void             _esprit_production_unref       (EspritProduction *production);
/* Around starting rows: the run is not over while they are being started. */
void             _esprit_window_boards_begin    (EspritWindow   *self);
void             _esprit_window_boards_end      (EspritWindow   *self);
/* Starts @action on @row's board in a job of its own. */
void             _esprit_window_boards_start_row (EspritWindow  *self,
                                                 EspritBoardRow *row,
                                                 EspritBoardAction action);

/* esprit-window-ota.c: boards flashed over the air */
/* Shows what OTA can do when the chosen port is a network board, and the serial options
 * otherwise. */
void             _esprit_window_ota_update      (EspritWindow   *self);
/* Why a flash over the air cannot go as the files are, or TRUE. */
gboolean         _esprit_window_ota_check       (EspritWindow   *self,
                                                 GError        **error,
                                                 int            *bad_item);
void             _esprit_window_ota_flash       (EspritWindow   *self);
/* A response given by a program (adw_message_dialog_response) leaves the dialog open; one
 * from a button closes it after the handlers. Either way it goes once they have run. */
void             _esprit_window_close_after_response (AdwMessageDialog *dialog);

/* esprit-window-address.c */
/* "Add a board by address…": asks for it, then selects it, or goes back to @previous. */
void             _esprit_window_ota_add_board   (EspritWindow   *self,
                                                 const char     *previous);

G_END_DECLS

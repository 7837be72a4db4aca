/* esprit-window-test-util.h: driving the real window in tests: waiting, finding widgets,
 * clicking, dropping files, screenshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "esprit-window.h"

G_BEGIN_DECLS

/* Where the tests write their files (the test's main sets it). */
extern char *work_dir;

typedef struct {
  EspritWindow *window;
  guint         n;
} RowWait;

/* What every window test's main does first: its own work_dir (esprit-gui-@name-XXXXXX) with
 * the data folder (XDG_DATA_HOME, so no backups of the user's) inside it, no accessibility
 * bus, settings in memory, untranslated messages, then GTK, libadwaita and GTest. FALSE,
 * after printing TAP's skip line, when there is no display: main then returns 77. */
gboolean      esprit_window_test_init (int          *argc,
                                       char       ***argv,
                                       const char   *name);
/* Runs the main context until @done says so; fails after @timeout_ms. */
void          spin_until             (gboolean   (*done) (gpointer),
                                      gpointer      data,
                                      guint         timeout_ms);
void          spin_ms                (guint         ms);
/* The first widget under @root (itself included) that @match accepts. */
GtkWidget    *find_widget            (GtkWidget    *root,
                                      gboolean    (*match) (GtkWidget *, gconstpointer),
                                      gconstpointer data);
gboolean      is_action_button       (GtkWidget    *w,
                                      gconstpointer action);
gboolean      is_titled_combo        (GtkWidget    *w,
                                      gconstpointer title);
gboolean      is_file_row            (GtkWidget    *w,
                                      gconstpointer unused);
gboolean      is_button              (GtkWidget    *w,
                                      gconstpointer unused);
gboolean      is_entry               (GtkWidget    *w,
                                      gconstpointer unused);
gboolean      is_visible_error_label (GtkWidget    *w,
                                      gconstpointer unused);
gboolean      is_password_entry      (GtkWidget    *w,
                                      gconstpointer unused);
/* A button labelled @label (with its mnemonic underscore). */
gboolean      is_labelled_button     (GtkWidget    *w,
                                      gconstpointer label);
/* The first visible toplevel of @type (transient for @parent unless that is NULL), or NULL. */
GtkWidget    *find_toplevel          (GType         type,
                                      gpointer      parent);
/* The message dialog on screen, or NULL. */
AdwMessageDialog *find_dialog        (void);
/* The window shows its OTA password prompt. */
gboolean      prompt_shown           (gpointer      window);
/* Clicks the labelled button of @action, which must be sensitive. */
void          click                  (EspritWindow *window,
                                      const char   *action);
gboolean      button_sensitive       (EspritWindow *window,
                                      const char   *action);
/* Emits the window's drop targets' "drop" with @files as a file list. */
void          drop_files             (EspritWindow *window,
                                      GSList       *files);
guint         n_rows                 (EspritWindow *window);
gboolean      rows_arrived           (gpointer      row_wait);
GFile        *write_file             (const char   *name,
                                      GBytes       *data);
/* Drops @file and waits for its row. */
void          add_and_wait           (EspritWindow *window,
                                      GFile        *file);
void          set_row_address        (EspritWindow *window,
                                      guint         index,
                                      const char   *address);
gboolean      job_done               (gpointer      window);
gboolean      job_running            (gpointer      window);
/* Saves the window as build/screenshots/@name. */
void          screenshot             (EspritWindow *window,
                                      const char   *name);
/* A window as on a first launch, presented at 600 × 880. */
EspritWindow *new_window             (void);

G_END_DECLS

/* esprit-window-boards-run.c: the board list's runs: each checked board in its own
 * EspritJob (its own session, its own thread), each row with its own progress and result;
 * the summary when the run is over, Retry, the backups' names, the production line's memory
 * of the boards it flashed
 *
 * Nothing here blocks: the boards' work is in board_func(), in their jobs' threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-board-row.h"
#include "esprit-error.h"
#include "esprit-file-template.h"
#include "esprit-numbers.h"
#include "esprit-window-private.h"

/* The MACs the production line has flashed, shared with the boards' threads. */
struct _EspritProduction
{
  gint        ref_count;
  GMutex      lock;
  GHashTable *macs;
};

EspritProduction *
_esprit_production_new (void)
{
  EspritProduction *p = g_new0 (EspritProduction, 1);

  p->ref_count = 1;
  g_mutex_init (&p->lock);
  p->macs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return p;
}

static EspritProduction *
production_ref (EspritProduction *p)
{
  g_atomic_int_inc (&p->ref_count);
  return p;
}

void
_esprit_production_unref (EspritProduction *p)
{
  if (!g_atomic_int_dec_and_test (&p->ref_count))
    return;
  g_hash_table_unref (p->macs);
  g_mutex_clear (&p->lock);
  g_free (p);
}

/* Claims @mac for a flash; FALSE when the line did this board before. */
static gboolean
production_claim (EspritProduction *p,
                  const char       *mac)
{
  gboolean fresh;

  g_mutex_lock (&p->lock);
  fresh = g_hash_table_add (p->macs, g_strdup (mac));
  g_mutex_unlock (&p->lock);
  return fresh;
}

static void
production_release (EspritProduction *p,
                    const char       *mac)
{
  g_mutex_lock (&p->lock);
  g_hash_table_remove (p->macs, mac);
  g_mutex_unlock (&p->lock);
}

/* ---- one board's work, in its job's thread ------------------------------------------ */

typedef struct {
  EspritBoardAction  action;
  EspritWritePlan   *plan;         /* flash */
  EspritBackupFirst *backup_first; /* flash, erase: "Back up first", or NULL */
  char              *path;         /* back up: the file */
  EspritProduction  *production;   /* flash on the production line */
  /* What the connect found, read on the main context once the job is over. */
  char              *chip;
  char              *mac;
  gboolean           skipped;
} BoardWork;

static void
board_work_free (gpointer data)
{
  BoardWork *w = data;

  g_clear_pointer (&w->plan, esprit_write_plan_free);
  g_clear_pointer (&w->backup_first, _esprit_backup_first_unref);
  g_free (w->path);
  g_clear_pointer (&w->production, _esprit_production_unref);
  g_free (w->chip);
  g_free (w->mac);
  g_free (w);
}

static gboolean
board_func (EspritJob      *job,
            EspritSession  *session,
            gpointer        data,
            GCancellable   *cancellable,
            GError        **error)
{
  BoardWork *w = data;
  const EspritDeviceInfo *info = esprit_session_get_device_info (session);
  guint32 size;

  w->chip = g_strdup (esprit_chip_get_info (info->chip)->name);
  w->mac = esprit_format_mac (info->mac);
  switch (w->action)
    {
    case ESPRIT_BOARD_ACTION_IDENTIFY:
      {
        EspritDeviceInfo found = { 0 };
        gboolean ok = esprit_session_identify (session, &found, cancellable, error);

        esprit_device_info_clear (&found);
        return ok;
      }
    case ESPRIT_BOARD_ACTION_FLASH:
      /* A board that comes back (a reset that re-enumerates it, a cable plugged in again)
       * is known by its MAC and left as it is. */
      if (w->production != NULL && !production_claim (w->production, w->mac))
        {
          w->skipped = TRUE;
          return TRUE;
        }
      if (_esprit_window_backup_first (session, w->backup_first, cancellable, error) &&
          esprit_session_write (session, w->plan, cancellable, error))
        return TRUE;
      /* Failed: plugged in again, it is flashed again. */
      if (w->production != NULL)
        production_release (w->production, w->mac);
      return FALSE;
    case ESPRIT_BOARD_ACTION_BACKUP:
      if (!esprit_session_get_flash_size (session, &size, cancellable, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                                 _("The flash chip is unknown, so its size is too"));
          return FALSE;
        }
      /* Verified data only, through a temporary renamed at the end. */
      return esprit_session_read_to_file (session, 0, size, w->path, cancellable, error);
    case ESPRIT_BOARD_ACTION_ERASE:
      return _esprit_window_backup_first (session, w->backup_first, cancellable, error) &&
             esprit_session_erase (session, 0, 0, cancellable, error);
    default:
      g_return_val_if_reached (FALSE);
    }
}

static void run_done       (EspritWindow *self);

static GPtrArray *
get_rows (EspritWindow *self)
{
  return _esprit_window_get_board_rows (self);
}

static EspritBoardRow *
find_row_of_job (EspritWindow *self,
                 EspritJob    *job)
{
  g_autoptr(GPtrArray) rows = get_rows (self);

  for (guint i = 0; i < rows->len; i++)
    if (esprit_board_row_get_job (rows->pdata[i]) == job)
      return rows->pdata[i];
  return NULL;
}


/* Around starting several rows: the run is not over while they are being started, even when
 * one fails at once. */
void
_esprit_window_boards_begin (EspritWindow *self)
{
  self->boards_running++;
}

void
_esprit_window_boards_end (EspritWindow *self)
{
  if (--self->boards_running == 0)
    run_done (self);
  _esprit_window_update_state (self);
}

/* ---- runs --------------------------------------------------------------------------- */

static const char *
action_title (EspritBoardAction action)
{
  switch (action)
    {
    case ESPRIT_BOARD_ACTION_FLASH:
      return _("Flashing");
    case ESPRIT_BOARD_ACTION_BACKUP:
      return _("Backing up");
    case ESPRIT_BOARD_ACTION_ERASE:
      return _("Erasing");
    default:
      return _("Identifying");
    }
}

static const char *
action_done (EspritBoardAction action)
{
  switch (action)
    {
    case ESPRIT_BOARD_ACTION_FLASH:
      return _("flashed and verified");
    case ESPRIT_BOARD_ACTION_BACKUP:
      return _("backed up and verified");
    case ESPRIT_BOARD_ACTION_ERASE:
      return _("erased");
    default:
      return NULL;
    }
}

/* "18 flashed", "18 backed up"... */
static char *
count_done (EspritBoardAction action,
            guint             n)
{
  switch (action)
    {
    case ESPRIT_BOARD_ACTION_FLASH:
      /* Translators: boards in the summary of a run: "18 flashed, 2 failed" */
      return g_strdup_printf (ngettext ("%u flashed", "%u flashed", n), n);
    case ESPRIT_BOARD_ACTION_BACKUP:
      /* Translators: boards in the summary of a run: "18 backed up, 2 failed" */
      return g_strdup_printf (ngettext ("%u backed up", "%u backed up", n), n);
    case ESPRIT_BOARD_ACTION_ERASE:
      /* Translators: boards in the summary of a run: "18 erased, 2 failed" */
      return g_strdup_printf (ngettext ("%u erased", "%u erased", n), n);
    default:
      /* Translators: boards in the summary of a run: "18 identified, 2 failed" */
      return g_strdup_printf (ngettext ("%u identified", "%u identified", n), n);
    }
}

static void
show_summary (EspritWindow *self,
              const char   *text)
{
  gtk_label_set_text (self->boards_summary, text);
  gtk_widget_set_visible (GTK_WIDGET (self->boards_summary), TRUE);
}

static void
notify_summary (EspritWindow *self,
                const char   *text)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  g_autoptr(GNotification) notification = NULL;

  /* Someone away from the window hears of it on the desktop. */
  if (gtk_window_is_active (GTK_WINDOW (self)) || app == NULL ||
      !g_application_get_is_registered (G_APPLICATION (app)))
    return;
  notification = g_notification_new (_("The boards are done"));
  g_notification_set_body (notification, text);
  g_application_send_notification (G_APPLICATION (app), "boards-done", notification);
}

static void
run_done (EspritWindow *self)
{
  g_autoptr(GPtrArray) rows = get_rows (self);
  g_autofree char *done = NULL;
  g_autofree char *text = NULL;
  guint ok = 0, failed = 0, skipped = 0;

  /* The backup's names wait for the boards' MACs. */
  if (self->boards_backup_pending)
    {
      self->boards_backup_pending = FALSE;
      _esprit_window_boards_start_backup (self);
      return;
    }
  for (guint i = 0; i < rows->len; i++)
    if (GPOINTER_TO_UINT (g_object_get_data (rows->pdata[i], "esprit-run")) == self->boards_run)
    switch (esprit_board_row_get_result (rows->pdata[i]))
      {
      case ESPRIT_BOARD_RESULT_OK:
        ok++;
        break;
      case ESPRIT_BOARD_RESULT_FAILED:
        failed++;
        break;
      case ESPRIT_BOARD_RESULT_SKIPPED:
        skipped++;
        break;
      default:
        break;
      }
  /* The production line counts every board it flashed, also those pulled out since. */
  if (self->boards_action == ESPRIT_BOARD_ACTION_FLASH &&
      gtk_switch_get_active (self->production_switch))
    ok = self->production_count;
  done = count_done (self->boards_action, ok);
  if (failed > 0)
    {
      /* Translators: the failed boards in the summary of a run: "18 flashed, 2 failed" */
      g_autofree char *bad = g_strdup_printf (ngettext ("%u failed", "%u failed", failed), failed);

      /* Translators: the summary of a run: what was done, then what failed */
      text = g_strdup_printf (_("%s, %s"), done, bad);
    }
  else
    text = g_strdup (done);
  if (skipped > 0)
    {
      g_autofree char *before = g_steal_pointer (&text);
      /* Translators: boards the production line had flashed before and left alone */
      g_autofree char *same = g_strdup_printf (ngettext ("%u done before", "%u done before",
                                                         skipped), skipped);

      text = g_strdup_printf (_("%s, %s"), before, same);
    }
  show_summary (self, text);
  /* On the production line the count says it, board after board. */
  if (!gtk_switch_get_active (self->production_switch))
    _esprit_window_show_toast (self, text);
  notify_summary (self, text);
  if (self->boards_action == ESPRIT_BOARD_ACTION_FLASH && ok > 0)
    _esprit_window_remember_files (self);
  if (self->boards_action == ESPRIT_BOARD_ACTION_FLASH ||
      self->boards_action == ESPRIT_BOARD_ACTION_ERASE)
    _esprit_window_refresh_backups (self);
}

static void
on_row_log (EspritJob    *job,
            const char   *line,
            EspritWindow *self)
{
  g_autofree char *text = g_strdup_printf ("[%s] %s",
                                           (char *) g_object_get_data (G_OBJECT (job),
                                                                       "esprit-board"),
                                           line);

  esprit_progress_view_append_log (self->progress_view, text);
}

static void
on_row_job_finished (EspritJob    *job,
                     EspritWindow *self)
{
  EspritBoardRow *row = find_row_of_job (self, job);
  BoardWork *w = g_object_get_data (G_OBJECT (job), "esprit-board-work");
  const GError *error = esprit_job_get_error (job);

  g_assert (self->boards_running > 0);
  self->boards_running--;
  if (row != NULL)
    {
      if (w->mac != NULL)
        esprit_board_row_set_identity (row, w->chip, w->mac);
      if (error != NULL)
        {
          g_autofree char *line = g_strdup_printf ("[%s] %s", (char *) g_object_get_data (G_OBJECT (job), "esprit-board"),
                                                   error->message);

          esprit_progress_view_append_log (self->progress_view, line);
          esprit_board_row_finish (row, ESPRIT_BOARD_RESULT_FAILED, error, NULL);
        }
      else if (w->skipped)
        esprit_board_row_finish (row, ESPRIT_BOARD_RESULT_SKIPPED, NULL,
                                 _("flashed before on this line, left as it is"));
      else
        {
          esprit_board_row_finish (row, ESPRIT_BOARD_RESULT_OK, NULL, action_done (w->action));
          if (w->action == ESPRIT_BOARD_ACTION_FLASH && w->production != NULL)
            {
              self->production_count++;
              _esprit_window_boards_update_count (self);
            }
        }
    }
  if (self->boards_running == 0)
    run_done (self);
  _esprit_window_update_state (self);
}

void
_esprit_window_boards_start_row (EspritWindow      *self,
           EspritBoardRow    *row,
           EspritBoardAction  action)
{
  EspritPortItem *port = esprit_board_row_get_port (row);
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  g_autofree char *name = esprit_port_item_dup_open_name (port);
  g_autoptr(GError) error = NULL;
  BoardWork *w = g_new0 (BoardWork, 1);
  EspritJob *job;
  int bad;

  g_return_if_fail (esprit_board_row_get_result (row) != ESPRIT_BOARD_RESULT_RUNNING);

  w->action = action;
  options.after = ESPRIT_AFTER_HARD_RESET;
  if (action == ESPRIT_BOARD_ACTION_FLASH)
    {
      w->plan = _esprit_window_build_plan (self, &error, &bad);
      if (!gtk_switch_get_active (self->reset_switch))
        options.after = ESPRIT_AFTER_NO_RESET;
      if (self->production != NULL && gtk_switch_get_active (self->production_switch))
        w->production = production_ref (self->production);
    }
  if (action == ESPRIT_BOARD_ACTION_FLASH || action == ESPRIT_BOARD_ACTION_ERASE)
    w->backup_first = _esprit_window_backup_first_dir (self);
  if (action == ESPRIT_BOARD_ACTION_BACKUP)
    w->path = g_strdup (g_object_get_data (G_OBJECT (row), "esprit-backup-path"));
  options.baud = _esprit_window_get_baud (self);
  options.registry = esprit_port_model_get_registry (self->ports);
  job = esprit_job_new (action_title (action), name, &options, TRUE, board_func, w,
                        board_work_free);
  g_object_set_data (G_OBJECT (job), "esprit-board-work", w);
  g_object_set_data_full (G_OBJECT (job), "esprit-board",
                          g_strdup (esprit_port_item_get_label (port)), g_free);
  esprit_board_row_start (row, job);
  /* The summary counts the rows of this run (a retry stays in the run it retries). */
  g_object_set_data (G_OBJECT (row), "esprit-run", GUINT_TO_POINTER (self->boards_run));
  self->boards_action = action;
  self->boards_running++;
  g_signal_connect_object (job, "log", G_CALLBACK (on_row_log), self, 0);
  g_signal_connect_object (job, "finished", G_CALLBACK (on_row_job_finished), self, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->boards_summary), FALSE);
  if ((action == ESPRIT_BOARD_ACTION_FLASH && w->plan == NULL) ||
      (action == ESPRIT_BOARD_ACTION_BACKUP && w->path == NULL))
    {
      /* Nothing to do on this board: it fails as a job would, with the reason. */
      if (error == NULL)
        g_set_error_literal (&error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                             _("No file to back up to"));
      self->boards_running--;
      esprit_board_row_finish (row, ESPRIT_BOARD_RESULT_FAILED, error, NULL);
      g_object_unref (job);
      return;
    }
  esprit_job_run (job);
  g_object_unref (job);
  _esprit_window_update_state (self);
}

void
_esprit_window_boards_run (EspritWindow      *self,
                           EspritBoardAction  action)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *line = g_strdup_printf ("— %s —", action_title (action));

  g_return_if_fail (!_esprit_window_boards_busy (self));

  _esprit_window_boards_drop_gone (self);
  rows = get_rows (self);
  esprit_progress_view_append_log (self->progress_view, line);
  self->boards_action = action;
  self->boards_run++;
  _esprit_window_boards_begin (self);
  for (guint i = 0; i < rows->len; i++)
    if (esprit_board_row_get_checked (rows->pdata[i]))
      _esprit_window_boards_start_row (self, rows->pdata[i], action);
  _esprit_window_boards_end (self);
}

/* Rows of boards pulled out go when a new run starts. */
void
_esprit_window_boards_drop_gone (EspritWindow *self)
{
  g_autoptr(GPtrArray) rows = get_rows (self);

  for (guint i = 0; i < rows->len; i++)
    if (esprit_board_row_get_gone (rows->pdata[i]) &&
        esprit_board_row_get_result (rows->pdata[i]) != ESPRIT_BOARD_RESULT_RUNNING)
      gtk_list_box_remove (self->boards_list, rows->pdata[i]);
}

static gboolean
can_retry (EspritBoardRow *row)
{
  return esprit_board_row_get_result (row) == ESPRIT_BOARD_RESULT_FAILED &&
         !esprit_board_row_get_gone (row);
}

static void
retry_failed_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  g_autoptr(GPtrArray) rows = get_rows (self);

  _esprit_window_boards_begin (self);
  for (guint i = 0; i < rows->len; i++)
    if (can_retry (rows->pdata[i]))
      _esprit_window_boards_start_row (self, rows->pdata[i], self->boards_action);
  _esprit_window_boards_end (self);
}

gboolean
_esprit_window_boards_any_failed (EspritWindow *self)
{
  g_autoptr(GPtrArray) rows = get_rows (self);

  for (guint i = 0; i < rows->len; i++)
    if (can_retry (rows->pdata[i]))
      return TRUE;
  return FALSE;
}

void
_esprit_window_boards_cancel (EspritWindow *self)
{
  g_autoptr(GPtrArray) rows = get_rows (self);

  self->boards_backup_pending = FALSE;
  for (guint i = 0; i < rows->len; i++)
    if (esprit_board_row_get_result (rows->pdata[i]) == ESPRIT_BOARD_RESULT_RUNNING)
      esprit_job_cancel (esprit_board_row_get_job (rows->pdata[i]));
}

void
_esprit_window_class_init_boards (GtkWidgetClass *widget_class)
{
  g_type_ensure (ESPRIT_TYPE_BOARD_ROW);
  gtk_widget_class_install_action (widget_class, "win.retry-failed", NULL, retry_failed_action);
}

/* esprit-window-actions.c: the window's actions (Flash, Back Up, Erase, Restart, Identify,
 * Cancel, Add Files), each run as an EspritJob on the chosen port
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-advice.h"
#include "esprit-error.h"
#include "esprit-numbers.h"
#include "esprit-window-private.h"

/* What to do when a job succeeds: a follow-up on its data, and a toast. */
typedef struct {
  EspritWindowDoneFunc done;
  gpointer    data;
  const char *success;
} Finish;

static void
on_job_finished (EspritJob    *job,
                 EspritWindow *self)
{
  const GError *error = esprit_job_get_error (job);
  Finish *finish = g_object_get_data (G_OBJECT (job), "esprit-finish");

  if (error == NULL)
    {
      if (finish && finish->done)
        finish->done (self, finish->data);
      if (finish && finish->success)
        _esprit_window_show_toast (self, finish->success);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _esprit_window_show_toast (self, _("Stopped. The board can be used again."));
  else
    {
      g_autofree char *title = NULL;
      g_autofree char *advice = NULL;
      GtkWidget *dialog;

      esprit_advice_for_error (error, &title, &advice);
      esprit_progress_view_append_log (self->progress_view, error->message);
      dialog = adw_message_dialog_new (GTK_WINDOW (self), title, advice);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  _esprit_window_update_state (self);
}

void
_esprit_window_start_job (EspritWindow         *self,
                          const char           *title,
                          gboolean              connect,
                          EspritAfter           after,
                          EspritJobFunc         func,
                          gpointer              data,
                          GDestroyNotify        destroy,
                          EspritWindowDoneFunc  done,
                          const char           *success)
{
  EspritPortItem *item = _esprit_window_get_port (self);
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  g_autofree char *port = NULL;
  EspritJob *job;

  g_return_if_fail (self->job == NULL || !esprit_job_get_running (self->job));
  if (item == NULL)
    {
      if (destroy != NULL)
        destroy (data);
      return;
    }

  port = esprit_port_item_dup_open_name (item);
  options.baud = _esprit_window_get_baud (self);
  options.after = after;
  options.registry = esprit_port_model_get_registry (self->ports);
  job = esprit_job_new (title, port, &options, connect, func, data, destroy);
  _esprit_window_run_job (self, job, done, data, success);
}

void
_esprit_window_run_job (EspritWindow         *self,
                        EspritJob            *job,
                        EspritWindowDoneFunc  done,
                        gpointer              data,
                        const char           *success)
{
  EspritPortItem *item = _esprit_window_get_port (self);
  g_autofree char *line = NULL;
  Finish *finish;

  g_clear_object (&self->job);
  self->job = job;
  finish = g_new0 (Finish, 1);
  finish->done = done;
  finish->data = data;
  finish->success = success;
  g_object_set_data_full (G_OBJECT (self->job), "esprit-finish", finish, g_free);

  line = g_strdup_printf ("— %s (%s) —", esprit_job_get_title (job), esprit_port_item_get_id (item));
  esprit_progress_view_append_log (self->progress_view, line);
  esprit_job_run (self->job);
  /* The view first: it hides itself when the job finishes, before the result is shown. */
  esprit_progress_view_set_job (self->progress_view, self->job);
  g_signal_connect_object (self->job, "finished", G_CALLBACK (on_job_finished), self, 0);
  _esprit_window_update_state (self);
  g_settings_set_string (self->settings, "port", esprit_port_item_get_id (item));
}

/* ---- flash -------------------------------------------------------------------------- */

typedef struct {
  EspritWritePlan   *plan;
  EspritBackupFirst *backup_first;   /* "Back up first" on: what to do */
} Flash;

static Flash *
flash_new (EspritWindow    *self,
           EspritWritePlan *plan)
{
  Flash *f = g_new0 (Flash, 1);

  f->plan = plan;
  f->backup_first = _esprit_window_backup_first_dir (self);
  return f;
}

static void
flash_free (gpointer data)
{
  Flash *f = data;

  esprit_write_plan_free (f->plan);
  _esprit_backup_first_unref (f->backup_first);
  g_free (f);
}

static gboolean
flash_func (EspritJob      *job,
            EspritSession  *session,
            gpointer        data,
            GCancellable   *cancellable,
            GError        **error)
{
  Flash *f = data;

  return _esprit_window_backup_first (session, f->backup_first, cancellable, error) &&
         esprit_session_write (session, f->plan, cancellable, error);
}

static void
restore_done (EspritWindow *self,
              gpointer      data)
{
  /* The map showed what was there before. */
  _esprit_window_show_map (self, NULL, NULL);
  _esprit_window_refresh_backups (self);
}

static void
flash_done (EspritWindow *self,
            gpointer      data)
{
  _esprit_window_remember_files (self);
  restore_done (self, data);
}

void
_esprit_window_restore_backup_now (EspritWindow *self,
                                   GFile        *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  EspritWriteOptions opts = ESPRIT_WRITE_OPTIONS_DEFAULT;
  EspritWritePlan *plan;

  g_return_if_fail (ESPRIT_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  if (bytes == NULL)
    {
      _esprit_window_show_toast (self, error->message);
      return;
    }
  name = g_file_get_basename (file);
  plan = esprit_write_plan_new ();
  opts.verify = TRUE;
  esprit_write_plan_set_options (plan, &opts);
  /* A backup is the flash as it was: its header is written back unchanged. */
  esprit_write_plan_add (plan, 0, bytes, name);
  _esprit_window_start_job (self, _("Restoring"), TRUE, ESPRIT_AFTER_HARD_RESET, flash_func,
                            flash_new (self, plan), flash_free, restore_done,
                            _("Backup restored and verified"));
}

static void
flash_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  EspritWritePlan *plan;
  gboolean reset = gtk_switch_get_active (self->reset_switch);
  int bad;

  if (esprit_port_item_is_ota (_esprit_window_get_port (self)))
    {
      _esprit_window_ota_flash (self);
      return;
    }
  if (_esprit_window_boards_active (self))
    {
      _esprit_window_boards_run (self, ESPRIT_BOARD_ACTION_FLASH);
      return;
    }
  plan = _esprit_window_build_plan (self, &error, &bad);
  if (plan == NULL)
    return;
  _esprit_window_start_job (self, _("Flashing"), TRUE,
                            reset ? ESPRIT_AFTER_HARD_RESET : ESPRIT_AFTER_NO_RESET,
                            flash_func, flash_new (self, plan), flash_free, flash_done,
                            reset ? _("Flashed and verified: the board runs its new program")
                                  : _("Flashed and verified"));
}

/* ---- back up ------------------------------------------------------------------------ */

typedef struct {
  GFile     *file;
  GPtrArray *map;       /* what the backup holds */
  char      *summary;
} Backup;

static void
backup_free (gpointer data)
{
  Backup *b = data;

  g_object_unref (b->file);
  g_clear_pointer (&b->map, g_ptr_array_unref);
  g_free (b->summary);
  g_free (b);
}

static gboolean
backup_func (EspritJob      *job,
             EspritSession  *session,
             gpointer        data,
             GCancellable   *cancellable,
             GError        **error)
{
  Backup *b = data;
  g_autofree char *path = g_file_get_path (b->file);
  guint32 size;

  if (!esprit_session_get_flash_size (session, &size, cancellable, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                             _("The flash chip is unknown, so its size is too"));
      return FALSE;
    }
  /* Only verified data reaches the file, through a temporary renamed at the end. */
  if (!esprit_session_read_to_file (session, 0, size, path, cancellable, error))
    return FALSE;
  return _esprit_window_map_from_backup (path, esprit_session_get_chip (session), &b->map,
                                         &b->summary, error);
}

static void
backup_done (EspritWindow *self,
             gpointer      data)
{
  Backup *b = data;

  _esprit_window_show_map (self, b->map, b->summary);
}

void
esprit_window_backup_to (EspritWindow *self,
                         GFile        *file)
{
  Backup *b;

  g_return_if_fail (ESPRIT_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  b = g_new0 (Backup, 1);
  b->file = g_object_ref (file);
  _esprit_window_start_job (self, _("Backing up"), TRUE, ESPRIT_AFTER_HARD_RESET, backup_func,
                            b, backup_free, backup_done, _("Backup saved and verified"));
}

static void
on_backup_response (GtkNativeDialog *dialog,
                    int              response,
                    EspritWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      esprit_window_backup_to (self, file);
    }
  g_object_unref (dialog);
}

static void
on_boards_backup_response (GtkNativeDialog *dialog,
                           int              response,
                           EspritWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      esprit_window_backup_boards_to (self, folder);
    }
  g_object_unref (dialog);
}

static void
backup_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  GtkFileChooserNative *chooser;

  /* The board list: one file per board, named by the template, in a folder. */
  if (_esprit_window_boards_active (self))
    {
      chooser = gtk_file_chooser_native_new (_("Back Up Every Checked Board Into"),
                                             GTK_WINDOW (self),
                                             GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                             _("_Back Up"), NULL);
      g_signal_connect (chooser, "response", G_CALLBACK (on_boards_backup_response), self);
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
      return;
    }

  chooser = gtk_file_chooser_native_new (_("Back Up the Whole Flash"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Back Up"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "backup.img");
  g_signal_connect (chooser, "response", G_CALLBACK (on_backup_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- erase, restart ----------------------------------------------------------------- */

static gboolean
erase_func (EspritJob      *job,
            EspritSession  *session,
            gpointer        data,
            GCancellable   *cancellable,
            GError        **error)
{
  return _esprit_window_backup_first (session, data, cancellable, error) &&
         esprit_session_erase (session, 0, 0, cancellable, error);
}

static void
erase_done (EspritWindow *self,
            gpointer      data)
{
  _esprit_window_show_map (self, NULL, NULL);
  _esprit_window_refresh_backups (self);
}

static void
on_erase_response (AdwMessageDialog *dialog,
                   const char       *response,
                   EspritWindow     *self)
{
  if (g_str_equal (response, "erase") && _esprit_window_boards_active (self))
    _esprit_window_boards_run (self, ESPRIT_BOARD_ACTION_ERASE);
  else if (g_str_equal (response, "erase"))
    _esprit_window_start_job (self, _("Erasing"), TRUE, ESPRIT_AFTER_HARD_RESET, erase_func,
                              _esprit_window_backup_first_dir (self),
                              _esprit_backup_first_unref, erase_done,
                              _("The flash is erased"));
}

static void
erase_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  gboolean list = _esprit_window_boards_active (self);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                              list ? _("Erase Every Checked Board?")
                                                   : _("Erase the Whole Flash?"),
                                              list ? _("The programs and all their data on the "
                                                       "checked boards will be lost. Back them "
                                                       "up first if unsure.")
                                                   : _("The program and all its data on the board will "
                                                       "be lost. Back it up first if unsure."));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "erase", _("_Erase"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "erase",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_erase_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
reset_func (EspritJob      *job,
            EspritSession  *session,
            gpointer        data,
            GCancellable   *cancellable,
            GError        **error)
{
  return esprit_session_reset (session, ESPRIT_AFTER_HARD_RESET, cancellable, error);
}

static void
reset_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  _esprit_window_start_job (ESPRIT_WINDOW (widget), _("Restarting"), FALSE,
                            ESPRIT_AFTER_NO_RESET_STUB, reset_func, NULL, NULL, NULL,
                            _("The board restarted"));
}

/* ---- identify ----------------------------------------------------------------------- */

typedef struct {
  EspritDeviceInfo  info;
  GPtrArray        *map;
  char             *summary;
} Identify;

static gboolean
identify_func (EspritJob      *job,
               EspritSession  *session,
               gpointer        data,
               GCancellable   *cancellable,
               GError        **error)
{
  Identify *id = data;

  return esprit_session_identify (session, &id->info, cancellable, error) &&
         _esprit_window_read_map (session, &id->map, &id->summary, cancellable, error);
}

static void
identify_free (gpointer data)
{
  Identify *id = data;

  esprit_device_info_clear (&id->info);
  g_clear_pointer (&id->map, g_ptr_array_unref);
  g_free (id->summary);
  g_free (id);
}

static void
identify_done (EspritWindow *self,
               gpointer      data)
{
  Identify *id = data;
  EspritDeviceInfo *info = &id->info;
  g_autofree char *text = NULL;
  g_autofree char *size = info->flash_size ? esprit_format_size (info->flash_size)
                                           : g_strdup (_("unknown size"));
  g_autofree char *xtal = info->xtal_mhz ? g_strdup_printf (_("%u MHz crystal"), info->xtal_mhz)
                                         : g_strdup ("");

  self->known_chip = info->chip;
  self->known_flash_size = info->flash_size;
  _esprit_window_backups_board_seen (self, info);
  /* Translators: chip, features, MAC, crystal, flash id and size, on two lines */
  text = g_strdup_printf (_("%s (%s) · MAC %02x:%02x:%02x:%02x:%02x:%02x\n%s · flash 0x%06x, %s"),
                          info->description, info->features, info->mac[0], info->mac[1],
                          info->mac[2], info->mac[3], info->mac[4], info->mac[5], xtal,
                          info->flash_id, size);
  adw_action_row_set_subtitle (self->device_row, text);
  _esprit_window_show_map (self, id->map, id->summary);
  _esprit_window_update_state (self);
}

static void
identify_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  if (_esprit_window_boards_active (ESPRIT_WINDOW (widget)))
    {
      _esprit_window_boards_run (ESPRIT_WINDOW (widget), ESPRIT_BOARD_ACTION_IDENTIFY);
      return;
    }
  _esprit_window_start_job (ESPRIT_WINDOW (widget), _("Identifying"), TRUE,
                            ESPRIT_AFTER_HARD_RESET, identify_func, g_new0 (Identify, 1),
                            identify_free, identify_done, NULL);
}

/* ---- cancel, add files -------------------------------------------------------------- */

static void
cancel_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);

  if (self->job != NULL && esprit_job_get_running (self->job))
    esprit_job_cancel (self->job);
  _esprit_window_boards_cancel (self);
}

static void
on_open_response (GtkNativeDialog *dialog,
                  int              response,
                  EspritWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      GSList *list = NULL;

      for (guint i = g_list_model_get_n_items (files); i > 0; i--)
        list = g_slist_prepend (list, g_list_model_get_item (files, i - 1));
      esprit_window_add_files (self, list);
      g_slist_free_full (list, g_object_unref);
    }
  g_object_unref (dialog);
}

static void
open_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Add Firmware Files"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), NULL);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  /* A compressed sketch only where the board unpacks it: an ESP8266 over the air. */
  if (_esprit_window_takes_gzip (self))
    {
      gtk_file_filter_set_name (filter, _("Firmware images (.bin, .bin.gz, .img)"));
      gtk_file_filter_add_suffix (filter, "bin.gz");
    }
  else
    gtk_file_filter_set_name (filter, _("Firmware images (.bin, .img)"));
  gtk_file_filter_add_suffix (filter, "bin");
  gtk_file_filter_add_suffix (filter, "img");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
_esprit_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.flash", NULL, flash_action);
  gtk_widget_class_install_action (widget_class, "win.backup", NULL, backup_action);
  gtk_widget_class_install_action (widget_class, "win.erase", NULL, erase_action);
  gtk_widget_class_install_action (widget_class, "win.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "win.identify", NULL, identify_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.flash", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "win.flash", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}

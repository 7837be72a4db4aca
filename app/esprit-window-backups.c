/* esprit-window-backups.c: "Back up first": before a flash or an erase the whole flash is
 * saved, verified, to the user's data folder (esprit/backups/<chip>-<mac>-<date>.img), and
 * the Backups list shows what is there, each with Restore
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "esprit-device-info.h"
#include "esprit-error.h"
#include "esprit-numbers.h"
#include "esprit-window-private.h"

char *
_esprit_window_backups_dir (void)
{
  /* The XDG data folder: ~/.local/share, or the sandbox's own in Flatpak. */
  return g_build_filename (g_get_user_data_dir (), "esprit", "backups", NULL);
}

char *
_esprit_window_backup_first_dir (EspritWindow *self)
{
  return g_settings_get_boolean (self->settings, "backup-first") ? _esprit_window_backups_dir ()
                                                                  : NULL;
}

gboolean
_esprit_window_backup_first (EspritSession  *session,
                             const char     *dir,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *chip = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  EspritDeviceInfo info = { 0 };
  guint32 size;

  if (dir == NULL)
    return TRUE;
  if (!esprit_session_identify (session, &info, cancellable, error))
    return FALSE;
  if (!esprit_session_get_flash_size (session, &size, cancellable, error))
    {
      esprit_device_info_clear (&info);
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                             _("The flash chip is unknown, so nothing can be backed up first"));
      return FALSE;
    }
  chip = g_ascii_strdown (esprit_chip_get_info (info.chip)->name, -1);
  name = g_strdup_printf ("%s-%02x%02x%02x%02x%02x%02x-%s.img", chip, info.mac[0], info.mac[1],
                          info.mac[2], info.mac[3], info.mac[4], info.mac[5], date);
  esprit_device_info_clear (&info);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the backups folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  path = g_build_filename (dir, name, NULL);
  /* Read twice over MD5 by esprit_session_read_to_file: the file appears only verified. */
  return esprit_session_read_to_file (session, 0, size, path, cancellable, error);
}

/* ---- the Backups list --------------------------------------------------------------- */

static void
on_restore_response (AdwMessageDialog *dialog,
                     const char       *response,
                     EspritWindow     *self)
{
  const char *path = g_object_get_data (G_OBJECT (dialog), "esprit-backup");

  if (g_str_equal (response, "restore"))
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      esprit_window_restore_backup (self, file);
    }
}

static void
on_restore_clicked (GtkButton    *button,
                    EspritWindow *self)
{
  const char *path = g_object_get_data (G_OBJECT (button), "esprit-backup");
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  /* Translators: %s is the backup's file name */
  body = g_strdup_printf (_("The whole flash of the board is replaced by %s."), base);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Restore This Backup?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "restore", _("_Restore"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "restore",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "esprit-backup", g_strdup (path), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_restore_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
backup_row (EspritWindow *self,
            const char   *dir,
            GFileInfo    *info)
{
  g_autofree char *path = g_build_filename (dir, g_file_info_get_name (info), NULL);
  g_autofree char *size = esprit_format_size ((guint64) g_file_info_get_size (info));
  g_autoptr(GDateTime) mtime = g_file_info_get_modification_date_time (info);
  g_autofree char *when = mtime ? g_date_time_format (mtime, "%Y-%m-%d %H:%M") : g_strdup ("");
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Restore…"));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), g_file_info_get_name (info));
  /* Translators: a backup's size and date */
  subtitle = g_strdup_printf (_("%s · %s"), size, when);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "esprit-backup", g_steal_pointer (&path), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_restore_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static int
newest_first (gconstpointer a,
              gconstpointer b)
{
  /* The names end in the date, so newer sorts later within one board. */
  return -g_strcmp0 (g_file_info_get_name (*(GFileInfo **) a),
                     g_file_info_get_name (*(GFileInfo **) b));
}

void
_esprit_window_refresh_backups (EspritWindow *self)
{
  g_autofree char *dir = _esprit_window_backups_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFileEnumerator) e = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
  GtkWidget *child;
  GFileInfo *info;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->backups_list))) != NULL)
    gtk_list_box_remove (self->backups_list, child);
  e = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                 G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                 G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                 G_FILE_ATTRIBUTE_TIME_MODIFIED, G_FILE_QUERY_INFO_NONE,
                                 NULL, NULL);
  while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL)
    {
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
          g_str_has_suffix (g_file_info_get_name (info), ".img"))
        g_ptr_array_add (infos, info);
      else
        g_object_unref (info);
    }
  g_ptr_array_sort (infos, newest_first);
  for (guint i = 0; i < infos->len; i++)
    gtk_list_box_append (self->backups_list, backup_row (self, dir, infos->pdata[i]));
  gtk_widget_set_visible (GTK_WIDGET (self->backups_group), infos->len > 0);
}

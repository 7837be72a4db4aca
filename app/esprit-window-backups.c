/* esprit-window-backups.c: "Back up first": before a flash or an erase the whole flash is
 * saved, verified, to the user's data folder (esprit/backups/<chip>-<mac>-<date>.img); on by
 * default for a board that has no backup there yet; the oldest of those backups go when
 * they add up to more than the size limit; the Backups list shows what is there
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "esprit-device-info.h"
#include "esprit-error.h"
#include "esprit-numbers.h"
#include "esprit-window-private.h"

/* What one job is to do about backing up first. Made on the main thread; the worker fills
 * in @board and @made, which the window reads once the job has finished. */
struct _EspritBackupFirst
{
  char     *dir;
  guint64   limit;      /* bytes; 0 keeps every backup */
  gboolean  only_new;   /* the window did not know the board: skip one with a backup */
  char     *board;      /* "<chip>-<mac>", once connected */
  char     *made;       /* the backup saved, or NULL */
};

/* The window's state about it, kept on the window (esprit-backups-state). */
typedef struct {
  char              *board;      /* the board the switch is about, NULL when not known */
  gboolean           user_set;   /* the switch was turned by hand for that board */
  gboolean           setting;    /* the switch is being set by us, not by a person */
  EspritBackupFirst *last;       /* the last job's, to learn the board from */
} BackupState;

static void
backup_first_clear (gpointer data)
{
  EspritBackupFirst *bf = data;

  g_free (bf->dir);
  g_free (bf->board);
  g_free (bf->made);
}

void
_esprit_backup_first_unref (gpointer bf)
{
  if (bf != NULL)
    g_atomic_rc_box_release_full (bf, backup_first_clear);
}

static void
backup_state_free (gpointer data)
{
  BackupState *st = data;

  g_free (st->board);
  _esprit_backup_first_unref (st->last);
  g_free (st);
}

static BackupState *
get_state (EspritWindow *self)
{
  return g_object_get_data (G_OBJECT (self), "esprit-backups-state");
}

char *
_esprit_window_backups_dir (void)
{
  /* The XDG data folder: ~/.local/share, or the sandbox's own in Flatpak. */
  return g_build_filename (g_get_user_data_dir (), "esprit", "backups", NULL);
}

char *
_esprit_backup_board_name (const EspritDeviceInfo *info)
{
  g_autofree char *chip = g_ascii_strdown (esprit_chip_get_info (info->chip)->name, -1);

  return g_strdup_printf ("%s-%02x%02x%02x%02x%02x%02x", chip, info->mac[0], info->mac[1],
                          info->mac[2], info->mac[3], info->mac[4], info->mac[5]);
}

gboolean
_esprit_backup_parse_name (const char  *name,
                           EspritChip  *chip,
                           guint8       mac[6],
                           char       **date)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *stem = NULL;
  guint n;

  if (!g_str_has_suffix (name, ".img"))
    return FALSE;
  stem = g_strndup (name, strlen (name) - 4);
  /* <chip>-<12 hex digits>-YYYYMMDD-HHMMSS; the chip's own name may hold a dash. */
  parts = g_strsplit (stem, "-", -1);
  n = g_strv_length (parts);
  if (n < 4 || strlen (parts[n - 3]) != 12 || strlen (parts[n - 2]) != 8 ||
      strlen (parts[n - 1]) != 6)
    return FALSE;
  for (guint i = 0; i < 12; i++)
    if (!g_ascii_isxdigit (parts[n - 3][i]))
      return FALSE;
  for (guint i = 0; i < 8; i++)
    if (!g_ascii_isdigit (parts[n - 2][i]) || (i < 6 && !g_ascii_isdigit (parts[n - 1][i])))
      return FALSE;
  /* Everything before the MAC is the chip's name. */
  {
    g_autoptr(GString) chip_name = g_string_new (parts[0]);
    EspritChip c;

    for (guint i = 1; i < n - 3; i++)
      g_string_append_printf (chip_name, "-%s", parts[i]);
    if (!esprit_chip_parse (chip_name->str, &c) || c == ESPRIT_CHIP_AUTO)
      return FALSE;
    if (chip != NULL)
      *chip = c;
  }
  if (mac != NULL)
    for (guint i = 0; i < 6; i++)
      mac[i] = (guint8) (g_ascii_xdigit_value (parts[n - 3][2 * i]) << 4 |
                         g_ascii_xdigit_value (parts[n - 3][2 * i + 1]));
  if (date != NULL)
    *date = g_strdup_printf ("%s-%s", parts[n - 2], parts[n - 1]);
  return TRUE;
}

/* ---- the automatic backups on disk -------------------------------------------------- */

typedef struct {
  char    *path;
  char    *name;
  char    *date;
  guint64  size;
} BackupFile;

static void
backup_file_free (gpointer data)
{
  BackupFile *b = data;

  g_free (b->path);
  g_free (b->name);
  g_free (b->date);
  g_free (b);
}

static int
oldest_first (gconstpointer a,
              gconstpointer b)
{
  const BackupFile *x = *(BackupFile **) a, *y = *(BackupFile **) b;
  int by_date = g_strcmp0 (x->date, y->date);

  return by_date != 0 ? by_date : g_strcmp0 (x->name, y->name);
}

/* The backups Esprit made in @dir (named as it names them), oldest first. */
static GPtrArray *
list_automatic (const char *dir)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (backup_file_free);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFileEnumerator) e = NULL;
  GFileInfo *info;

  e = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                 G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                 G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                                 NULL, NULL);
  while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL)
    {
      char *date = NULL;

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_REGULAR &&
          _esprit_backup_parse_name (g_file_info_get_name (info), NULL, NULL, &date))
        {
          BackupFile *b = g_new0 (BackupFile, 1);

          b->name = g_strdup (g_file_info_get_name (info));
          b->path = g_build_filename (dir, b->name, NULL);
          b->date = date;
          b->size = (guint64) g_file_info_get_size (info);
          g_ptr_array_add (out, b);
        }
      g_object_unref (info);
    }
  g_ptr_array_sort (out, oldest_first);
  return out;
}

gboolean
_esprit_backups_has_board (const char *dir,
                           const char *board)
{
  g_autoptr(GPtrArray) all = list_automatic (dir);
  g_autofree char *prefix = g_strconcat (board, "-", NULL);

  for (guint i = 0; i < all->len; i++)
    if (g_str_has_prefix (((BackupFile *) all->pdata[i])->name, prefix))
      return TRUE;
  return FALSE;
}

guint
_esprit_backups_prune (const char *dir,
                       guint64     limit,
                       const char *keep)
{
  g_autoptr(GPtrArray) all = list_automatic (dir);
  guint64 total = 0;
  guint removed = 0;

  if (limit == 0)
    return 0;
  for (guint i = 0; i < all->len; i++)
    total += ((BackupFile *) all->pdata[i])->size;
  for (guint i = 0; i < all->len && total > limit; i++)
    {
      BackupFile *b = all->pdata[i];

      /* Never the one just made, however large. */
      if (keep != NULL && g_str_equal (b->path, keep))
        continue;
      if (g_unlink (b->path) == 0)
        {
          total -= b->size;
          removed++;
        }
      else
        g_warning ("Cannot remove the old backup %s: %s", b->path, g_strerror (errno));
    }
  return removed;
}

/* ---- backing up first (in a job) ---------------------------------------------------- */

EspritBackupFirst *
_esprit_window_backup_first_dir (EspritWindow *self)
{
  BackupState *st = get_state (self);
  EspritBackupFirst *bf;

  if (!gtk_switch_get_active (self->backup_first_switch))
    return NULL;
  bf = g_atomic_rc_box_new0 (EspritBackupFirst);
  bf->dir = _esprit_window_backups_dir ();
  bf->limit = (guint64) g_settings_get_uint (self->settings, "backup-limit") * 1024 * 1024;
  /* Shown on for a board not known yet: whether it is new is only learnt on connecting. */
  bf->only_new = st->board == NULL && !st->user_set;
  _esprit_backup_first_unref (st->last);
  st->last = g_atomic_rc_box_acquire (bf);
  return bf;
}

gboolean
_esprit_window_backup_first (EspritSession      *session,
                             EspritBackupFirst  *bf,
                             GCancellable       *cancellable,
                             GError            **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_auto(EspritDeviceInfo) info = { 0 };
  guint32 size;

  if (bf == NULL)
    return TRUE;
  if (!esprit_session_identify (session, &info, cancellable, error))
    return FALSE;
  g_free (bf->board);
  bf->board = _esprit_backup_board_name (&info);
  if (bf->only_new && _esprit_backups_has_board (bf->dir, bf->board))
    return TRUE;
  if (!esprit_session_get_flash_size (session, &size, cancellable, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                             _("The flash chip is unknown, so nothing can be backed up first"));
      return FALSE;
    }
  name = g_strdup_printf ("%s-%s.img", bf->board, date);
  if (g_mkdir_with_parents (bf->dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the backups folder %s: %s"), bf->dir, g_strerror (saved));
      return FALSE;
    }
  path = g_build_filename (bf->dir, name, NULL);
  /* Read twice over MD5 by esprit_session_read_to_file: the file appears only verified. */
  if (!esprit_session_read_to_file (session, 0, size, path, cancellable, error))
    return FALSE;
  _esprit_backups_prune (bf->dir, bf->limit, path);
  bf->made = g_steal_pointer (&path);
  return TRUE;
}

/* ---- the switch: on for a board seen for the first time ----------------------------- */

static void
set_switch (EspritWindow *self,
            gboolean      active)
{
  BackupState *st = get_state (self);

  st->setting = TRUE;
  gtk_switch_set_active (self->backup_first_switch, active);
  st->setting = FALSE;
}

static void
board_is (EspritWindow *self,
          const char   *board)
{
  BackupState *st = get_state (self);
  g_autofree char *dir = _esprit_window_backups_dir ();

  if (g_strcmp0 (board, st->board) != 0)
    {
      g_free (st->board);
      st->board = g_strdup (board);
      st->user_set = FALSE;
    }
  if (!st->user_set)
    set_switch (self, g_settings_get_boolean (self->settings, "backup-first") &&
                      (board == NULL || !_esprit_backups_has_board (dir, board)));
}

void
_esprit_window_backups_board_seen (EspritWindow           *self,
                                   const EspritDeviceInfo *info)
{
  g_autofree char *board = _esprit_backup_board_name (info);

  board_is (self, board);
}

static void
on_switch_changed (EspritWindow *self)
{
  BackupState *st = get_state (self);

  if (st->setting)
    return;
  st->user_set = TRUE;
  /* For a board that is new or not known yet the switch is the preference itself; for one
   * with a backup already, turning it on is for this board only. */
  {
    g_autofree char *dir = _esprit_window_backups_dir ();

    if (st->board == NULL || !_esprit_backups_has_board (dir, st->board))
      g_settings_set_boolean (self->settings, "backup-first",
                              gtk_switch_get_active (self->backup_first_switch));
  }
}

static void
on_port_changed (EspritWindow *self)
{
  /* Another board, not known until it is connected. */
  board_is (self, NULL);
}

void
_esprit_window_backups_init (EspritWindow *self)
{
  BackupState *st = g_new0 (BackupState, 1);

  g_object_set_data_full (G_OBJECT (self), "esprit-backups-state", st, backup_state_free);
  set_switch (self, g_settings_get_boolean (self->settings, "backup-first"));
  g_signal_connect_swapped (self->backup_first_switch, "notify::active",
                            G_CALLBACK (on_switch_changed), self);
  g_signal_connect_swapped (self->port_row, "notify::selected", G_CALLBACK (on_port_changed),
                            self);
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

/* The row that sets the size limit, and says how much of it is used. */
static GtkWidget *
limit_row (EspritWindow *self,
           guint64       total)
{
  g_autofree char *used = esprit_format_size (total);
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (0, 1024 * 1024, 256);
  guint limit = g_settings_get_uint (self->settings, "backup-limit");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Size limit in MB"));
  if (limit == 0)
    /* Translators: how much the backups take, when none is ever removed */
    subtitle = g_strdup_printf (_("%s used; 0 keeps every backup"), used);
  else
    {
      g_autofree char *max = esprit_format_size ((guint64) limit * 1024 * 1024);

      /* Translators: how much the backups take of the limit ("12MB of 1GB") */
      subtitle = g_strdup_printf (_("%s of %s used; the oldest go first"), used, max);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 0);
  g_settings_bind (self->settings, "backup-limit", spin, "value", G_SETTINGS_BIND_DEFAULT);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Size limit of the backups in MB"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  g_object_set_data (G_OBJECT (row), "esprit-backup-limit", GINT_TO_POINTER (1));
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
  BackupState *st = get_state (self);
  g_autofree char *dir = _esprit_window_backups_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFileEnumerator) e = NULL;
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);
  GtkWidget *child;
  GFileInfo *info;
  guint64 total = 0;

  /* A job that backed up first has met its board: the switch follows it. */
  if (st != NULL && st->last != NULL && st->last->board != NULL)
    board_is (self, st->last->board);

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
        {
          total += (guint64) g_file_info_get_size (info);
          g_ptr_array_add (infos, info);
        }
      else
        g_object_unref (info);
    }
  g_ptr_array_sort (infos, newest_first);
  if (infos->len > 0)
    gtk_list_box_append (self->backups_list, limit_row (self, total));
  for (guint i = 0; i < infos->len; i++)
    gtk_list_box_append (self->backups_list, backup_row (self, dir, infos->pdata[i]));
  gtk_widget_set_visible (GTK_WIDGET (self->backups_group), infos->len > 0);
}

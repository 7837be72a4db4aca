/* esprit-window-test-util.c: driving the real window in tests: waiting, finding widgets,
 * clicking, dropping files, screenshots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "esprit-file-row.h"
#include "esprit-window-test-util.h"

char *work_dir;

void
spin_until (gboolean (*done) (gpointer), gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

void
spin_ms (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

GtkWidget *
find_widget (GtkWidget *root,
             gboolean (*match) (GtkWidget *, gconstpointer),
             gconstpointer data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *w = find_widget (c, match, data);

      if (w)
        return w;
    }
  return NULL;
}

gboolean
is_action_button (GtkWidget     *w,
                  gconstpointer  action)
{
  return GTK_IS_BUTTON (w) && gtk_actionable_get_action_name (GTK_ACTIONABLE (w)) &&
         g_str_equal (gtk_actionable_get_action_name (GTK_ACTIONABLE (w)), action) &&
         gtk_button_get_label (GTK_BUTTON (w)) != NULL;
}

gboolean
is_titled_combo (GtkWidget     *w,
                 gconstpointer  title)
{
  return ADW_IS_COMBO_ROW (w) &&
         g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)), title);
}

gboolean
is_file_row (GtkWidget     *w,
             gconstpointer  unused)
{
  return ESPRIT_IS_FILE_ROW (w);
}

gboolean
is_button (GtkWidget     *w,
           gconstpointer  unused)
{
  return GTK_IS_BUTTON (w);
}

gboolean
is_entry (GtkWidget     *w,
          gconstpointer  unused)
{
  return GTK_IS_ENTRY (w);
}

gboolean
is_visible_error_label (GtkWidget     *w,
                        gconstpointer  unused)
{
  return GTK_IS_LABEL (w) && gtk_widget_has_css_class (w, "error") && gtk_widget_get_visible (w);
}

gboolean
is_password_entry (GtkWidget     *w,
                   gconstpointer  unused)
{
  return GTK_IS_PASSWORD_ENTRY (w);
}

gboolean
is_labelled_button (GtkWidget     *w,
                    gconstpointer  label)
{
  return GTK_IS_BUTTON (w) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), label) == 0;
}

GtkWidget *
find_toplevel (GType    type,
               gpointer parent)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)) &&
          (parent == NULL || gtk_window_get_transient_for (w) == parent))
        return GTK_WIDGET (w);
    }
  return NULL;
}

AdwMessageDialog *
find_dialog (void)
{
  GtkWidget *w = find_toplevel (ADW_TYPE_MESSAGE_DIALOG, NULL);

  return w != NULL ? ADW_MESSAGE_DIALOG (w) : NULL;
}

gboolean
prompt_shown (gpointer window)
{
  return esprit_window_get_password_dialog (window) != NULL;
}

void
click (EspritWindow *window,
       const char   *action)
{
  GtkWidget *button = find_widget (GTK_WIDGET (window), is_action_button, action);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  /* What a mouse click does (gtk_widget_activate would wait out a press animation). */
  g_signal_emit_by_name (button, "clicked");
}

gboolean
button_sensitive (EspritWindow *window,
                  const char   *action)
{
  GtkWidget *button = find_widget (GTK_WIDGET (window), is_action_button, action);

  return button != NULL && gtk_widget_is_sensitive (button);
}

void
drop_files (EspritWindow *window,
            GSList       *files)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, files);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (c))
        g_signal_emit_by_name (c, "drop", &value, 10.0, 10.0, &handled);
    }
  g_value_unset (&value);
  g_assert_true (handled);
}

guint
n_rows (EspritWindow *window)
{
  guint n = 0;
  GtkWidget *row = find_widget (GTK_WIDGET (window), is_file_row, NULL);

  for (; row; row = gtk_widget_get_next_sibling (row))
    if (ESPRIT_IS_FILE_ROW (row))
      n++;
  return n;
}

gboolean
rows_arrived (gpointer data)
{
  RowWait *w = data;

  return n_rows (w->window) >= w->n;
}

GFile *
write_file (const char *name,
            GBytes     *data)
{
  g_autofree char *path = g_build_filename (work_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                      NULL));
  return g_file_new_for_path (path);
}

void
add_and_wait (EspritWindow *window,
              GFile        *file)
{
  GSList one = { file, NULL };
  RowWait w = { window, n_rows (window) + 1 };

  drop_files (window, &one);
  spin_until (rows_arrived, &w, 5000);
}

void
set_row_address (EspritWindow *window,
                 guint         index,
                 const char   *address)
{
  GtkWidget *row = find_widget (GTK_WIDGET (window), is_file_row, NULL);

  for (; index > 0; row = gtk_widget_get_next_sibling (row))
    if (ESPRIT_IS_FILE_ROW (row))
      index--;
  while (!ESPRIT_IS_FILE_ROW (row))
    row = gtk_widget_get_next_sibling (row);
  gtk_editable_set_text (GTK_EDITABLE (find_widget (row, is_entry, NULL)), address);
}

gboolean
job_done (gpointer data)
{
  EspritJob *job = esprit_window_get_job (data);

  return job != NULL && !esprit_job_get_running (job);
}

gboolean
job_running (gpointer data)
{
  EspritJob *job = esprit_window_get_job (data);

  return job != NULL && esprit_job_get_running (job);
}

void
screenshot (EspritWindow *window,
            const char   *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int w = gtk_widget_get_width (GTK_WIDGET (window));
  int h = gtk_widget_get_height (GTK_WIDGET (window));
  g_autofree char *dir = g_build_filename (g_getenv ("ESPRIT_BUILD_DIR") ? g_getenv ("ESPRIT_BUILD_DIR") : ".",
                                           "screenshots", NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  spin_ms (300);
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_mkdir_with_parents (dir, 0755);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

EspritWindow *
new_window (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");
  EspritWindow *window;

  /* Each test starts as a first launch (the window restores the last flash's files). */
  g_settings_reset (settings, "recent-files");
  g_settings_reset (settings, "flash-mode");
  g_settings_reset (settings, "port");
  g_settings_reset (settings, "boards-backup-template");
  window = esprit_window_new (NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 880);
  gtk_window_present (GTK_WINDOW (window));
  spin_ms (200);
  return window;
}

gboolean
esprit_window_test_init (int         *argc,
                         char      ***argv,
                         const char  *name)
{
  g_autofree char *template = g_strdup_printf ("esprit-gui-%s-XXXXXX", name);
  g_autofree char *data_home = NULL;

  /* Before GTK: GLib keeps the data folder it first finds. */
  work_dir = g_dir_make_tmp (template, NULL);
  g_assert_nonnull (work_dir);
  data_home = g_build_filename (work_dir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return FALSE;
    }
  adw_init ();
  g_test_init (argc, argv, NULL);
  return TRUE;
}

/* test-window.c: the real window, clicked through on a (virtual) display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "esprit-enums.h"
#include "esprit-file-row.h"
#include "esprit-test-util.h"
#include "esprit-window-test-util.h"
#include "esprit-window-private.h"
#include "esprit-window.h"

/* Drop an Arduino export, address 0x0, mode qio, Flash on the virtual ESP8266: the virtual
 * flash holds the file with its header patched to qio. */
static void
test_flash (void)
{
  EspritWindow *window = new_window ();
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 60000, 3, FALSE, 5);
  g_autoptr(GFile) file = write_file ("Blink.ino.d1_mini.bin", img);
  g_autoptr(GBytes) flash = NULL;
  EspritSim *sim;
  const guint8 *f;

  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  add_and_wait (window, file);
  set_row_address (window, 0, "0x0");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_widget (GTK_WIDGET (window), is_titled_combo,
                                                          "Flash mode")), 1);   /* qio */
  screenshot (window, "idle.png");
  click (window, "win.flash");
  spin_until (job_done, window, 20000);
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));

  sim = esprit_window_get_virtual_board (window, ESPRIT_CHIP_ESP8266);
  flash = esprit_sim_dup_flash (sim);
  f = g_bytes_get_data (flash, NULL);
  g_assert_cmpuint (f[0], ==, 0xE9);
  g_assert_cmpuint (f[2], ==, 0x00);   /* qio */
  g_assert_cmpmem (f + 3, g_bytes_get_size (img) - 3, (const guint8 *) g_bytes_get_data (img, NULL) + 3,
                   g_bytes_get_size (img) - 3);
  /* Restart when done: the board runs the new program. */
  g_assert_cmpint (esprit_test_wait_mode (sim, ESPRIT_SIM_MODE_APP), ==, ESPRIT_SIM_MODE_APP);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
backup_from (EspritChip  chip,
             const char *port)
{
  EspritWindow *window = new_window ();
  EspritSim *sim = esprit_window_get_virtual_board (window, chip);
  g_autoptr(GBytes) data = esprit_test_random_bytes (0x20000, 6);
  g_autofree char *path = g_build_filename (work_dir, "backup.img", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *saved = NULL;
  gsize len;

  g_unlink (path);
  esprit_sim_load_flash (sim, 0x10000, g_bytes_get_data (data, NULL), 0x20000);
  g_assert_true (esprit_window_select_port (window, port));
  esprit_window_backup_to (window, file);
  spin_until (job_done, window, 120000);
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));
  g_assert_true (g_file_get_contents (path, &saved, &len, NULL));
  flash = esprit_sim_dup_flash (sim);
  g_assert_cmpmem (saved, len, g_bytes_get_data (flash, NULL), g_bytes_get_size (flash));
  /* The flash map of what was saved: the random data as unknown, the rest erased. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->map_group)));
  g_assert_cmpuint (esprit_flash_map_view_get_map (window->map_view)->len, >, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Back up the whole flash through the window: the saved file equals the virtual flash. On the
 * ESP32 through the ROM's READ_FLASH_SLOW, on the ESP8266 through Esprit's stub. */
static void
test_backup (void)
{
  backup_from (ESPRIT_CHIP_ESP32, "sim:esp32");
  backup_from (ESPRIT_CHIP_ESP8266, "sim:esp8266");
}

/* Cancel in the middle of a write (the board with real wire time): the window is ready again
 * and the board still answers. */
static void
test_cancel (void)
{
  EspritWindow *window;
  g_autoptr(GBytes) data = esprit_test_random_bytes (300000, 7);
  g_autoptr(GFile) file = write_file ("big.bin", data);

  g_setenv ("ESPRIT_SIM_TIMING", "1", TRUE);
  window = new_window ();
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  add_and_wait (window, file);
  click (window, "win.flash");
  spin_until (job_running, window, 2000);
  spin_ms (1500);
  screenshot (window, "progress.png");
  g_assert_true (esprit_job_get_running (esprit_window_get_job (window)));
  click (window, "win.cancel");
  spin_until (job_done, window, 5000);
  g_assert_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)), G_IO_ERROR,
                  G_IO_ERROR_CANCELLED);
  g_assert_true (button_sensitive (window, "win.flash"));
  click (window, "win.identify");
  g_assert_cmpstr (esprit_job_get_title (esprit_window_get_job (window)), ==, "Identifying");
  spin_until (job_done, window, 10000);
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));
  g_unsetenv ("ESPRIT_SIM_TIMING");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A malformed image whose header is to be patched, and two files that overlap: the reason is
 * shown, Flash is disabled, and nothing reaches the board. */
static void
test_bad_input (void)
{
  EspritWindow *window = new_window ();
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 6000, 2, FALSE, 8);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (img, 0, 3000);
  g_autoptr(GFile) bad = write_file ("broken.bin", cut);
  g_autoptr(GBytes) raw = esprit_test_random_bytes (8192, 9);
  g_autoptr(GFile) a = write_file ("a.img", raw);
  g_autoptr(GFile) b = write_file ("b.img", raw);
  EspritSim *sim;
  GtkWidget *label;
  guint64 to_board;

  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  sim = esprit_window_get_virtual_board (window, ESPRIT_CHIP_ESP8266);
  add_and_wait (window, bad);
  set_row_address (window, 0, "0x0");
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_widget (GTK_WIDGET (window), is_titled_combo,
                                                          "Flash mode")), 4);   /* dout */
  spin_ms (50);
  label = find_widget (GTK_WIDGET (window), is_visible_error_label, NULL);
  g_assert_nonnull (label);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "broken.bin"));
  g_assert_false (button_sensitive (window, "win.flash"));
  screenshot (window, "error.png");

  /* Replace it by two overlapping files. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_widget (GTK_WIDGET (window), is_titled_combo,
                                                          "Flash mode")), 0);
  g_signal_emit_by_name (find_widget (find_widget (GTK_WIDGET (window), is_file_row, NULL),
                                      is_button, NULL), "clicked");
  add_and_wait (window, a);
  add_and_wait (window, b);
  set_row_address (window, 0, "0x0");
  set_row_address (window, 1, "0x1000");
  spin_ms (50);
  label = find_widget (GTK_WIDGET (window), is_visible_error_label, NULL);
  g_assert_nonnull (label);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "overlaps"));
  g_assert_false (button_sensitive (window, "win.flash"));
  /* Moved apart, Flash comes back. */
  set_row_address (window, 1, "0x2000");
  spin_ms (50);
  g_assert_true (button_sensitive (window, "win.flash"));
  esprit_sim_get_wire_counts (sim, &to_board, NULL);
  g_assert_cmpuint (to_board, ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

static const char *
row_nick (AdwComboRow *row,
          guint        position)
{
  g_autoptr(GtkStringObject) item = g_list_model_get_item (adw_combo_row_get_model (row), position);

  g_assert_true (GTK_IS_STRING_OBJECT (item));
  return gtk_string_object_get_string (item);
}

/* The option rows are bound to the settings by name, not by position: each choice is a nick
 * of its enum key, choosing it stores that nick, a stored nick selects its row, and the
 * words are shown translated. */
static void
test_options (void)
{
  EspritWindow *window = new_window ();
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");
  g_autoptr(GEnumClass) modes = g_type_class_ref (ESPRIT_TYPE_FLASH_MODE);
  const char *keys[][2] = { { "Flash mode", "flash-mode" }, { "Flash size", "flash-size" } };
  AdwComboRow *row;

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      GListModel *model;
      guint n;

      row = ADW_COMBO_ROW (find_widget (GTK_WIDGET (window), is_titled_combo, keys[k][0]));
      model = adw_combo_row_get_model (row);
      n = g_list_model_get_n_items (model);
      g_assert_cmpuint (n, >, 2);
      for (guint i = n; i-- > 0;)
        {
          g_autofree char *stored = NULL;

          adw_combo_row_set_selected (row, i);
          spin_ms (10);
          stored = g_settings_get_string (settings, keys[k][1]);
          g_assert_cmpstr (stored, ==, row_nick (row, i));
        }
      for (guint i = 0; i < n; i++)
        {
          g_assert_true (g_settings_set_string (settings, keys[k][1], row_nick (row, i)));
          spin_ms (10);
          g_assert_cmpuint (adw_combo_row_get_selected (row), ==, i);
        }
      /* "keep" reads as a word. */
      {
        g_autoptr(GObject) item = g_list_model_get_item (model, 0);
        GValue label = G_VALUE_INIT;

        g_assert_cmpstr (row_nick (row, 0), ==, "keep");
        g_assert_true (gtk_expression_evaluate (adw_combo_row_get_expression (row), item, &label));
        g_assert_cmpstr (g_value_get_string (&label), ==, "Keep");
        g_value_unset (&label);
      }
      g_settings_reset (settings, keys[k][1]);
    }

  /* Every flash mode the library has is offered, under the library's name. */
  row = ADW_COMBO_ROW (find_widget (GTK_WIDGET (window), is_titled_combo, "Flash mode"));
  g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (row)), ==, modes->n_values);
  for (guint i = 0; i < modes->n_values; i++)
    {
      int value;

      g_assert_true (esprit_enum_parse (ESPRIT_TYPE_FLASH_MODE, row_nick (row, i), &value));
    }

  /* The speed by its number. */
  row = ADW_COMBO_ROW (find_widget (GTK_WIDGET (window), is_titled_combo, "Speed"));
  g_settings_set_uint (settings, "baud", 921600);
  spin_ms (10);
  g_assert_cmpstr (row_nick (row, adw_combo_row_get_selected (row)), ==, "921600");
  adw_combo_row_set_selected (row, 1);
  spin_ms (10);
  g_assert_cmpuint (g_settings_get_uint (settings, "baud"), ==,
                    g_ascii_strtoull (row_nick (row, 1), NULL, 10));
  g_settings_reset (settings, "baud");
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_text_view (GtkWidget     *w,
              gconstpointer  unused)
{
  return GTK_IS_TEXT_VIEW (w);
}

static gboolean
is_expander (GtkWidget     *w,
             gconstpointer  unused)
{
  return GTK_IS_EXPANDER (w);
}

/* The log follows each job: a header naming the job and the port, then the job's own lines
 * (what the command line would print), in the window's log view. */
static void
test_log (void)
{
  EspritWindow *window = new_window ();
  GtkTextView *view;
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  g_assert_true (esprit_window_select_port (window, "sim:esp32"));
  click (window, "win.identify");
  spin_until (job_done, window, 20000);
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));
  /* Opened, as a user does to read it. */
  gtk_expander_set_expanded (GTK_EXPANDER (find_widget (GTK_WIDGET (window), is_expander, NULL)),
                             TRUE);
  view = GTK_TEXT_VIEW (find_widget (GTK_WIDGET (window), is_text_view, NULL));
  g_assert_nonnull (view);
  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (view), &start, &end);
  text = gtk_text_buffer_get_text (gtk_text_view_get_buffer (view), &start, &end, FALSE);
  g_test_message ("log: %s", text);
  g_assert_true (g_str_has_prefix (text, "— Identifying (sim:esp32) —\n"));
  g_assert_nonnull (strstr (text, "\nChip is ESP32"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static const char *
selected_port_id (EspritWindow *window)
{
  EspritPortItem *item = adw_combo_row_get_selected_item (window->port_row);

  return item ? esprit_port_item_get_id (item) : NULL;
}

static EspritPortInfo *
fake_port (const char *path,
           guint16     vid)
{
  EspritPortInfo *p = g_new0 (EspritPortInfo, 1);

  p->path = g_strdup (path);
  p->label = g_strdup ("CP2102 USB to UART Bridge");
  p->vid = vid;
  return p;
}

/* Boards plugged in and out while the window is open: the chosen port stays chosen while
 * others come and go; when it goes, the window falls back to what a first start picks and
 * forgets what Identify found. (The model is fed directly; nothing here runs the main loop,
 * so its own poll cannot interfere.) */
static void
test_hotplug (void)
{
  EspritWindow *window = new_window ();
  g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);
  g_autoptr(GPtrArray) two = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  g_ptr_array_add (one, fake_port ("/dev/ttyUSB0", 0x10C4));
  g_ptr_array_add (two, fake_port ("/dev/ttyUSB0", 0x10C4));
  g_ptr_array_add (two, fake_port ("/dev/ttyUSB1", 0x10C4));

  esprit_port_model_update (window->ports, none);
  g_assert_true (esprit_window_select_port (window, "sim:esp32"));
  esprit_port_model_update (window->ports, one);
  g_assert_cmpstr (selected_port_id (window), ==, "sim:esp32");

  g_assert_true (esprit_window_select_port (window, "/dev/ttyUSB0"));
  esprit_port_model_update (window->ports, two);
  g_assert_cmpstr (selected_port_id (window), ==, "/dev/ttyUSB0");

  adw_action_row_set_subtitle (window->device_row, "ESP8266EX");
  window->known_chip = ESPRIT_CHIP_ESP8266;
  esprit_port_model_update (window->ports, none);
  g_assert_cmpstr (selected_port_id (window), ==, "sim:esp8266");
  g_assert_cmpint (window->known_chip, ==, ESPRIT_CHIP_AUTO);
  g_assert_cmpstr (adw_action_row_get_subtitle (window->device_row), ==, "Not identified yet");
  g_assert_true (button_sensitive (window, "win.identify"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static GdkContentProvider *
on_drag_prepare (GtkDragSource *source,
                 double         x,
                 double         y,
                 GFile         *file)
{
  GSList one = { file, NULL };
  GdkFileList *list = gdk_file_list_new_from_list (&one);
  GdkContentProvider *provider = gdk_content_provider_new_typed (GDK_TYPE_FILE_LIST, list);

  g_boxed_free (GDK_TYPE_FILE_LIST, list);
  return provider;
}

/* A real XDND drag on the X server: a second window offers the file as a file list, xdotool
 * presses the mouse there, moves over the main window and lets go. */
static void
test_xdnd_drag (void)
{
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 30000, 2, FALSE, 8);
  g_autoptr(GFile) file = write_file ("dragged.ino.bin", img);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "xdotool", "mousemove", "50", "50", "sleep", "0.3", "mousedown", "1",
                         "sleep", "0.3", "mousemove", "120", "300", "sleep", "0.3", "mousemove",
                         "300", "500", "sleep", "0.5", "mouseup", "1", NULL };
  EspritWindow *window;
  GtkWidget *source_window, *label;
  GtkDragSource *source;
  RowWait w;

  if (xdotool == NULL || !g_str_equal (G_OBJECT_TYPE_NAME (gdk_display_get_default ()), "GdkX11Display"))
    {
      g_test_skip ("needs xdotool and an X11 display");
      return;
    }
  window = new_window ();
  w.window = window;
  w.n = 1;
  /* Without a window manager both windows sit at (0, 0); the later one is on top. */
  source_window = gtk_window_new ();
  label = gtk_label_new ("drag me");
  gtk_window_set_default_size (GTK_WINDOW (source_window), 100, 100);
  gtk_window_set_child (GTK_WINDOW (source_window), label);
  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (on_drag_prepare), file);
  gtk_widget_add_controller (label, GTK_EVENT_CONTROLLER (source));
  gtk_window_present (GTK_WINDOW (source_window));
  spin_ms (500);

  g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  spin_until (rows_arrived, &w, 15000);
  g_assert_cmpuint (n_rows (window), ==, 1);

  gtk_window_destroy (GTK_WINDOW (source_window));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Usable on a phone-sized or half-screen window: nothing forces the window wider than 360 px,
 * and the actions stay on screen. */
static void
test_narrow (void)
{
  EspritWindow *window = new_window ();
  int min_width = 0;

  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL,
                      NULL);
  g_test_message ("minimum width: %d px", min_width);
  g_assert_cmpint (min_width, <=, 360);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  spin_ms (300);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 360);
  /* The four actions wrap into two rows instead of running off the edge. */
  for (const char **a = (const char *[]) { "win.flash", "win.backup", "win.erase", "win.reset", NULL };
       *a; a++)
    {
      GtkWidget *button = find_widget (GTK_WIDGET (window), is_action_button, *a);
      graphene_rect_t bounds;

      g_assert_nonnull (button);
      g_assert_true (gtk_widget_compute_bounds (button, GTK_WIDGET (window), &bounds));
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, 360);
    }
  /* Keyboard: Tab into the actions lands on a button, not on a layout cell. */
  {
    GtkWidget *backup = find_widget (GTK_WIDGET (window), is_action_button, "win.backup");
    GtkWidget *box = gtk_widget_get_ancestor (backup, GTK_TYPE_FLOW_BOX);
    GtkWidget *focus;

    g_assert_nonnull (box);
    g_assert_true (gtk_widget_child_focus (box, GTK_DIR_TAB_FORWARD));
    focus = gtk_root_get_focus (GTK_ROOT (window));
    g_assert_true (GTK_IS_BUTTON (focus));
  }
  screenshot (window, "narrow.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Classroom machines run it in other languages: with LANGUAGE=de and the build's catalogues
 * the window speaks German. */
static void
test_german (void)
{
  g_autofree char *po_dir = g_build_filename (g_getenv ("ESPRIT_BUILD_DIR"), "po", NULL);
  g_autofree char *mo = g_build_filename (po_dir, "de", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  EspritWindow *window;
  GtkWidget *flash;

  if (g_getenv ("ESPRIT_BUILD_DIR") == NULL || !g_file_test (mo, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("the German catalogue is not built");
      return;
    }
  bindtextdomain (GETTEXT_PACKAGE, po_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_setenv ("LANGUAGE", "de", TRUE);
  /* gettext ignores LANGUAGE in the plain C locale; C.UTF-8 is always there. */
  setlocale (LC_ALL, "C.UTF-8");
  window = new_window ();
  flash = find_widget (GTK_WIDGET (window), is_action_button, "win.flash");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (flash)), ==, "_Flashen");
  screenshot (window, "idle-de.png");
  gtk_window_destroy (GTK_WINDOW (window));
  g_setenv ("LANGUAGE", "C", TRUE);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  /* An empty data folder: no backups of the user's in the Backups list. */
  if (!esprit_window_test_init (&argc, &argv, "window"))
    return 77;
  {
    g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");

    /* These tests time and cancel the flash itself; test-window-map.c backs up first. */
    g_settings_set_boolean (settings, "backup-first", FALSE);
  }
  g_test_add_func ("/esprit/window/flash", test_flash);
  g_test_add_func ("/esprit/window/backup", test_backup);
  g_test_add_func ("/esprit/window/cancel", test_cancel);
  g_test_add_func ("/esprit/window/bad-input", test_bad_input);
  g_test_add_func ("/esprit/window/options", test_options);
  g_test_add_func ("/esprit/window/log", test_log);
  g_test_add_func ("/esprit/window/hotplug", test_hotplug);
  g_test_add_func ("/esprit/window/xdnd-drag", test_xdnd_drag);
  g_test_add_func ("/esprit/window/narrow", test_narrow);
  g_test_add_func ("/esprit/window/german", test_german);
  rc = g_test_run ();
  g_free (work_dir);
  return rc;
}

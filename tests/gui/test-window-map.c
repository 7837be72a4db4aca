/* test-window-map.c: the window's flash map on a virtual ESP32 holding a real partition
 * table: drawn after Identify, one region backed up, restored from a file, erased, and
 * files dropped on regions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "esprit-file-row.h"
#include "esprit-layout.h"
#include "esprit-test-util.h"
#include "esprit-window-private.h"
#include "esprit-window-test-util.h"
#include "esprit-window.h"

#define NVS_OFFSET 0x9000u
#define NVS_SIZE   0x5000u

/* The Arduino-ESP32 default table (protocol-facts §10.1) at 0x8000, an app in app0 and some
 * settings in the first sectors of nvs, whose entry has @nvs_flags; app1 and spiffs stay
 * erased. */
static EspritWindow *
window_with_flags (EspritSim **sim_out,
                   guint32     nvs_flags)
{
  EspritWindow *window;
  EspritSim *sim;
  EspritPartitionTable table = { .table_offset = ESPRIT_PARTITION_TABLE_OFFSET };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bin = NULL;
  g_autoptr(GBytes) app = esprit_test_make_image (ESPRIT_CHIP_ESP32, 90000, 3, TRUE, 21);
  g_autoptr(GBytes) nvs = esprit_test_random_bytes (0x2000, 22);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");

  g_settings_set_boolean (settings, "backup-first", FALSE);
  window = new_window ();
  sim = esprit_window_get_virtual_board (window, ESPRIT_CHIP_ESP32);

  g_assert_true (esprit_partition_table_add (&table, "nvs", 1, 0x02, NVS_OFFSET, NVS_SIZE,
                                             nvs_flags));
  g_assert_true (esprit_partition_table_add (&table, "otadata", 1, 0x00, 0xE000, 0x2000, 0));
  g_assert_true (esprit_partition_table_add (&table, "app0", 0, 0x10, 0x10000, 0x140000, 0));
  g_assert_true (esprit_partition_table_add (&table, "app1", 0, 0x11, 0x150000, 0x140000, 0));
  g_assert_true (esprit_partition_table_add (&table, "spiffs", 1, 0x82, 0x290000, 0x160000, 0));
  g_assert_true (esprit_partition_table_add (&table, "coredump", 1, 0x03, 0x3F0000, 0x10000,
                                             0));
  bin = esprit_partition_table_to_binary (&table, TRUE, &error);
  g_assert_no_error (error);
  esprit_sim_load_flash (sim, ESPRIT_PARTITION_TABLE_OFFSET, g_bytes_get_data (bin, NULL),
                         g_bytes_get_size (bin));
  esprit_sim_load_flash (sim, 0x10000, g_bytes_get_data (app, NULL), g_bytes_get_size (app));
  esprit_sim_load_flash (sim, NVS_OFFSET, g_bytes_get_data (nvs, NULL), g_bytes_get_size (nvs));
  g_assert_true (esprit_window_select_port (window, "sim:esp32"));
  *sim_out = sim;
  return window;
}

static EspritWindow *
window_with_table (EspritSim **sim_out)
{
  return window_with_flags (sim_out, 0);
}

static void
wait_for_job (EspritWindow *window)
{
  spin_until (job_done, window, 60000);
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));
}

/* The index of region @name in the shown map. */
static guint
region_index (EspritWindow *window,
              const char   *name)
{
  GPtrArray *map = esprit_flash_map_view_get_map (window->map_view);

  g_assert_nonnull (map);
  for (guint i = 0; i < map->len; i++)
    if (g_str_equal (((EspritRegion *) map->pdata[i])->name, name))
      return i;
  g_error ("no region %s in the map", name);
  return 0;
}

static const EspritRegion *
region (EspritWindow *window,
        const char   *name)
{
  return esprit_flash_map_view_get_map (window->map_view)->pdata[region_index (window, name)];
}

static void
identify (EspritWindow *window)
{
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->map_group)));
  click (window, "win.identify");
  wait_for_job (window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->map_group)));
}

/* Identify draws the map: the table's partitions by name and kind, what is erased light,
 * the whole 4 MB covered; the bar takes the keyboard and says where it is. */
static void
test_identify (void)
{
  EspritSim *sim;
  EspritWindow *window = window_with_table (&sim);
  GPtrArray *map;
  const EspritRegion *last;
  guint32 end = 0;
  g_autofree char *text = NULL;
  GtkWidget *bar;

  identify (window);
  map = esprit_flash_map_view_get_map (window->map_view);
  for (guint i = 0; i < map->len; i++)
    {
      const EspritRegion *r = map->pdata[i];

      g_assert_cmphex (r->offset, ==, end);
      end = r->offset + r->size;
    }
  last = map->pdata[map->len - 1];
  g_assert_cmphex (last->offset + last->size, ==, 4 * 1024 * 1024);
  g_assert_cmpuint (region (window, "nvs")->kind, ==, ESPRIT_REGION_SETTINGS);
  g_assert_cmphex (region (window, "nvs")->offset, ==, NVS_OFFSET);
  g_assert_cmpuint (region (window, "nvs")->contents, ==, ESPRIT_CHUNK_DATA);
  g_assert_cmpuint (region (window, "otadata")->contents, ==, ESPRIT_CHUNK_ERASED);
  g_assert_cmpuint (region (window, "app0")->kind, ==, ESPRIT_REGION_APP);
  g_assert_true (region (window, "app0")->has_image);
  g_assert_cmpuint (region (window, "app1")->contents, ==, ESPRIT_CHUNK_ERASED);
  g_assert_cmpuint (region (window, "spiffs")->kind, ==, ESPRIT_REGION_FILESYSTEM);
  g_assert_cmpuint (region (window, "spiffs")->contents, ==, ESPRIT_CHUNK_ERASED);
  g_assert_cmpuint (region (window, "partition_table")->kind, ==, ESPRIT_REGION_PARTITION_TABLE);
  g_assert_cmpstr (esprit_flash_map_view_get_summary (window->map_view), !=, "");

  /* One row per region, each with its menu. */
  {
    GtkWidget *list = gtk_widget_get_last_child (GTK_WIDGET (window->map_view));
    guint rows = 0;

    for (GtkWidget *c = gtk_widget_get_first_child (list); c; c = gtk_widget_get_next_sibling (c))
      rows += ADW_IS_ACTION_ROW (c);
    g_assert_cmpuint (rows, ==, map->len);
  }

  /* The keyboard: focus the bar, End and Left go to the last regions. */
  bar = gtk_widget_get_next_sibling (gtk_widget_get_first_child (GTK_WIDGET (window->map_view)));
  bar = gtk_widget_get_first_child (bar);   /* inside its frame */
  g_assert_true (GTK_IS_DRAWING_AREA (bar));
  g_assert_true (gtk_widget_get_focusable (bar));
  g_assert_true (gtk_widget_grab_focus (bar));
  esprit_flash_map_view_set_selected (window->map_view, region_index (window, "nvs"));
  text = esprit_flash_map_view_describe (window->map_view,
                                         esprit_flash_map_view_get_selected (window->map_view));
  g_assert_nonnull (strstr (text, "nvs"));
  g_assert_nonnull (strstr (text, "0x9000"));
  g_assert_nonnull (strstr (text, "20KB"));
  screenshot (window, "flash-map.png");

  /* Another board: the map is no longer its. */
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->map_group)));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* "Back Up This Region" saves exactly the region's bytes of the virtual flash. */
static void
test_backup_region (void)
{
  EspritSim *sim;
  EspritWindow *window = window_with_table (&sim);
  g_autofree char *path = g_build_filename (work_dir, "nvs.bin", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) flash = NULL;
  g_autofree char *saved = NULL;
  gsize len;

  identify (window);
  g_unlink (path);
  esprit_window_backup_region_to (window, region_index (window, "nvs"), file);
  wait_for_job (window);
  g_assert_true (g_file_get_contents (path, &saved, &len, NULL));
  flash = esprit_sim_dup_flash (sim);
  g_assert_cmpmem (saved, len, (const guint8 *) g_bytes_get_data (flash, NULL) + NVS_OFFSET,
                   NVS_SIZE);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* "Erase This Region…", confirmed: the region's sectors are all 0xFF, every other byte of
 * the flash is as it was, and the map shows the region erased. */
static void
test_erase_region (void)
{
  EspritSim *sim;
  EspritWindow *window = window_with_table (&sim);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree guint8 *want = NULL;
  AdwMessageDialog *dialog;
  gsize len;

  identify (window);
  before = esprit_sim_dup_flash (sim);
  len = g_bytes_get_size (before);
  want = g_memdup2 (g_bytes_get_data (before, NULL), len);
  memset (want + NVS_OFFSET, 0xFF, NVS_SIZE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.erase-region", "u",
                                             region_index (window, "nvs")));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "erase");
  wait_for_job (window);
  after = esprit_sim_dup_flash (sim);
  g_assert_cmpmem (g_bytes_get_data (after, NULL), g_bytes_get_size (after), want, len);
  g_assert_cmpuint (region (window, "nvs")->contents, ==, ESPRIT_CHUNK_ERASED);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The file chooser a region's "Restore From File…" opened (GtkFileChooserNative shows a
 * GtkFileChooserDialog where there is no portal). */
static GtkWidget *
find_file_chooser (void)
{
  return find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG, NULL);
}

static gboolean
chooser_has_file (gpointer chooser)
{
  g_autoptr(GFile) chosen = gtk_file_chooser_get_file (chooser);

  return chosen != NULL;
}

/* A region's menu → "Restore From File…" → the chooser → the file is written at the
 * region's offset, verified: those bytes of the flash are the file's, every other byte is
 * as it was, and the map is read again. */
static void
test_restore_region (void)
{
  EspritSim *sim;
  EspritWindow *window = window_with_table (&sim);
  g_autoptr(GBytes) data = esprit_test_random_bytes (0x3000, 24);
  g_autoptr(GFile) file = write_file ("settings.bin", data);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree guint8 *want = NULL;
  GtkWidget *chooser;
  gsize len;

  identify (window);
  before = esprit_sim_dup_flash (sim);
  len = g_bytes_get_size (before);
  want = g_memdup2 (g_bytes_get_data (before, NULL), len);
  memcpy (want + NVS_OFFSET, g_bytes_get_data (data, NULL), 0x3000);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.restore-region", "u",
                                             region_index (window, "nvs")));
  spin_until ((gboolean (*) (gpointer)) find_file_chooser, NULL, 5000);
  chooser = find_file_chooser ();
  g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL));
  /* The chooser selects the file once it has loaded its folder. */
  spin_until (chooser_has_file, chooser, 10000);
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  spin_until (job_running, window, 5000);
  wait_for_job (window);
  after = esprit_sim_dup_flash (sim);
  g_assert_cmpmem (g_bytes_get_data (after, NULL), g_bytes_get_size (after), want, len);
  g_assert_cmpuint (region (window, "nvs")->contents, ==, ESPRIT_CHUNK_DATA);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A file one byte larger than the region is refused with a message naming both sizes, before
 * anything is sent: no job runs and the flash is unchanged. One exactly as large goes. */
static void
test_restore_region_too_large (void)
{
  EspritSim *sim;
  EspritWindow *window = window_with_table (&sim);
  g_autoptr(GBytes) big = esprit_test_random_bytes (NVS_SIZE + 1, 25);
  g_autoptr(GBytes) fits = esprit_test_random_bytes (NVS_SIZE, 26);
  g_autoptr(GFile) big_file = write_file ("big.bin", big);
  g_autoptr(GFile) fits_file = write_file ("fits.bin", fits);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  EspritJob *identify_job;
  AdwMessageDialog *dialog;

  identify (window);
  identify_job = esprit_window_get_job (window);
  before = esprit_sim_dup_flash (sim);
  esprit_window_restore_region_from (window, region_index (window, "nvs"), big_file);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "big.bin"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "20481 bytes do not fit in "
                                                                  "20480"));
  g_assert_true (esprit_window_get_job (window) == identify_job);
  after = esprit_sim_dup_flash (sim);
  g_assert_true (g_bytes_equal (before, after));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_clear_pointer (&after, g_bytes_unref);

  esprit_window_restore_region_from (window, region_index (window, "nvs"), fits_file);
  g_assert_true (esprit_window_get_job (window) != identify_job);
  wait_for_job (window);
  after = esprit_sim_dup_flash (sim);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (after, NULL) + NVS_OFFSET, NVS_SIZE,
                   g_bytes_get_data (fits, NULL), NVS_SIZE);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Emits the map view's drop target's "drop" at (@x, @y) of the view with one file. */
static gboolean
drop_on_map (EspritWindow *window,
             GFile        *file,
             double        x,
             double        y)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window->map_view));
  GSList one = { file, NULL };
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;
  guint targets = 0;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, &one);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (c))
        {
          g_signal_emit_by_name (c, "drop", &value, x, y, &handled);
          targets++;
        }
    }
  g_value_unset (&value);
  g_assert_cmpuint (targets, ==, 1);
  return handled;
}

static EspritFileRow *
last_file_row (EspritWindow *window)
{
  EspritFileRow *last = NULL;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (window->file_list)); c;
       c = gtk_widget_get_next_sibling (c))
    if (ESPRIT_IS_FILE_ROW (c))
      last = ESPRIT_FILE_ROW (c);
  return last;
}

/* The point in the middle of region @name's row, in the map view's coordinates. */
static graphene_point_t
row_point (EspritWindow *window,
           const char   *name)
{
  GtkWidget *list = gtk_widget_get_last_child (GTK_WIDGET (window->map_view));
  GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list),
                                                              (int) region_index (window, name)));
  graphene_point_t in_row = GRAPHENE_POINT_INIT (gtk_widget_get_width (row) / 2.0f,
                                                 gtk_widget_get_height (row) / 2.0f), out;

  g_assert_true (gtk_widget_compute_point (row, GTK_WIDGET (window->map_view), &in_row, &out));
  return out;
}

static gboolean
nvs_row_laid_out (gpointer window)
{
  EspritWindow *w = window;
  graphene_point_t p = row_point (w, "nvs");

  return esprit_flash_map_view_region_at (w->map_view, p.x, p.y) ==
         (int) region_index (w, "nvs");
}

/* Dropping a file on a region's row or on its part of the bar puts the file in the flash
 * list at the region's offset; a file larger than the region is refused with a message and
 * not added; beside the regions a file goes where a drop anywhere puts it. */
static void
test_drop_on_region (void)
{
  EspritSim *sim;
  EspritWindow *window = window_with_table (&sim);
  g_autoptr(GBytes) small = esprit_test_random_bytes (0x2000, 27);
  g_autoptr(GBytes) big = esprit_test_random_bytes (NVS_SIZE + 0x1000, 28);
  g_autoptr(GBytes) app = esprit_test_make_image (ESPRIT_CHIP_ESP32, 50000, 2, TRUE, 29);
  g_autoptr(GFile) small_file = write_file ("nvs-new.bin", small);
  g_autoptr(GFile) big_file = write_file ("nvs-big.bin", big);
  g_autoptr(GFile) app_file = write_file ("app.bin", app);
  RowWait wait = { window, 1 };
  AdwMessageDialog *dialog;
  GtkWidget *bar;
  graphene_point_t p, in_bar;
  const EspritRegion *app0;
  guint32 addr;

  identify (window);
  spin_ms (200);   /* laid out */
  g_assert_cmpuint (n_rows (window), ==, 0);

  /* On nvs's row, once the new rows are laid out (slower under the sanitizers). */
  spin_until (nvs_row_laid_out, window, 10000);
  p = row_point (window, "nvs");
  g_assert_true (drop_on_map (window, small_file, p.x, p.y));
  spin_until (rows_arrived, &wait, 5000);
  g_assert_true (esprit_file_row_get_address (last_file_row (window), &addr));
  g_assert_cmphex (addr, ==, NVS_OFFSET);

  /* Too large for nvs: refused, no row. */
  g_assert_true (drop_on_map (window, big_file, p.x, p.y));
  spin_until ((gboolean (*) (gpointer)) find_dialog, NULL, 5000);
  dialog = find_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "nvs-big.bin"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "24576 bytes do not fit in "
                                                                  "20480"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_ms (100);
  g_assert_cmpuint (n_rows (window), ==, 1);

  /* On app0's part of the bar: the app goes to 0x10000. */
  bar = gtk_widget_get_first_child (gtk_widget_get_next_sibling (
          gtk_widget_get_first_child (GTK_WIDGET (window->map_view))));
  g_assert_true (GTK_IS_DRAWING_AREA (bar));
  app0 = region (window, "app0");
  in_bar = GRAPHENE_POINT_INIT ((float) ((app0->offset + app0->size / 2.0) *
                                         gtk_widget_get_width (bar) / (4.0 * 1024 * 1024)),
                                gtk_widget_get_height (bar) / 2.0f);
  g_assert_true (gtk_widget_compute_point (bar, GTK_WIDGET (window->map_view), &in_bar, &p));
  g_assert_true (drop_on_map (window, app_file, p.x, p.y));
  wait.n = 2;
  spin_until (rows_arrived, &wait, 5000);
  g_assert_true (esprit_file_row_get_address (last_file_row (window), &addr));
  g_assert_cmphex (addr, ==, 0x10000);
  gtk_window_destroy (GTK_WINDOW (window));
}

static guint
n_backup_rows (EspritWindow *window)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (window->backups_list)); c;
       c = gtk_widget_get_next_sibling (c))
    n += ADW_IS_ACTION_ROW (c) && !g_object_get_data (G_OBJECT (c), "esprit-backup-limit");
  return n;
}

/* "Back up first" (on by default for a board seen for the first time): Erase… saves the whole flash, verified, as
 * esp8266-<mac>-<date>.img in the data folder before erasing; it is listed under Backups,
 * and restoring it gives the board its old bytes back. */
static void
test_backup_first (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");
  g_autoptr(GBytes) data = esprit_test_random_bytes (0x30000, 23);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) restored = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "esprit", "backups", NULL);
  g_autofree char *saved = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GDir) d = NULL;
  EspritWindow *window;
  EspritSim *sim;
  AdwMessageDialog *dialog;
  const char *name;
  gsize len;

  g_assert_true (g_str_has_prefix (dir, work_dir));   /* never the user's own */
  g_settings_reset (settings, "backup-first");
  g_assert_true (g_settings_get_boolean (settings, "backup-first"));
  window = new_window ();
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->backups_group)));
  sim = esprit_window_get_virtual_board (window, ESPRIT_CHIP_ESP8266);
  esprit_sim_load_flash (sim, 0x20000, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  before = esprit_sim_dup_flash (sim);
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.erase", NULL));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "erase");
  wait_for_job (window);

  after = esprit_sim_dup_flash (sim);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (after, NULL))[0x20000], ==, 0xFF);
  d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  name = g_dir_read_name (d);
  g_assert_nonnull (name);
  g_assert_true (g_str_has_prefix (name, "esp8266-"));
  g_assert_true (g_str_has_suffix (name, ".img"));
  g_assert_cmpint (strlen (name), ==, strlen ("esp8266-") + 12 + strlen ("-20261201-112233.img"));
  g_assert_null (g_dir_read_name (d));
  path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_get_contents (path, &saved, &len, NULL));
  g_assert_cmpmem (saved, len, g_bytes_get_data (before, NULL), g_bytes_get_size (before));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->backups_group)));
  g_assert_cmpuint (n_backup_rows (window), ==, 1);

  /* Restore it: the old bytes again; the board has a backup now, so no second one. */
  file = g_file_new_for_path (path);
  spin_ms (1100);   /* a new second: a new name */
  esprit_window_restore_backup (window, file);
  wait_for_job (window);
  restored = esprit_sim_dup_flash (sim);
  g_assert_cmpmem (g_bytes_get_data (restored, NULL), g_bytes_get_size (restored),
                   g_bytes_get_data (before, NULL), g_bytes_get_size (before));
  g_assert_cmpuint (n_backup_rows (window), ==, 1);
  g_assert_false (gtk_switch_get_active (window->backup_first_switch));
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_menu_button (GtkWidget    *w,
                gconstpointer unused)
{
  return GTK_IS_MENU_BUTTON (w);
}

static const EspritRegion *
region_at (EspritWindow *window,
           guint         index)
{
  return esprit_flash_map_view_get_map (window->map_view)->pdata[index];
}

/* The action of item @i of the menu of the row of region @index. */
static char *
row_menu_action (EspritWindow *window,
                 guint         index,
                 int           i)
{
  GtkWidget *list = gtk_widget_get_last_child (GTK_WIDGET (window->map_view));
  char *action = NULL;

  for (GtkWidget *c = gtk_widget_get_first_child (list); c; c = gtk_widget_get_next_sibling (c))
    if (ADW_IS_ACTION_ROW (c) &&
        GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (c), "esprit-region-index")) == index)
      {
        GtkWidget *button = find_widget (c, is_menu_button, NULL);
        GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));

        g_assert_true (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s",
                                                        &action));
        /* The reason is on the row of a read-only partition, and only there. */
        g_assert_cmpint (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (c)),
                                 "Read-only partition") != NULL, ==,
                         (region (window, "nvs") == region_at (window, index)));
        return action;
      }
  g_error ("no row for region %u", index);
  return NULL;
}

/* The refusal dialog is up and names the partition as read-only; closes it. */
static void
assert_refused (const char *name)
{
  AdwMessageDialog *dialog = find_dialog ();

  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Read-Only Partition");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), name));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "read-only"));
  adw_message_dialog_response (dialog, "close");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_ms (50);
}

/* A partition marked read-only (ESP-IDF flags bit 1, §10.1) is refused as esprit-cli
 * refuses write_flash --partition: the map carries the flag, the row says why, its Restore
 * and Erase items point at an action that is off (Back Up stays), and restoring or erasing
 * it by any way shows the reason, runs no job and leaves every byte of the flash. */
static void
test_readonly (void)
{
  EspritSim *sim;
  EspritWindow *window = window_with_flags (&sim, ESPRIT_PARTITION_FLAG_READONLY);
  g_autoptr(GBytes) data = esprit_test_random_bytes (0x1000, 26);
  g_autoptr(GFile) file = write_file ("readonly.bin", data);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *restore = NULL;
  g_autofree char *erase = NULL;
  guint nvs;

  identify (window);
  nvs = region_index (window, "nvs");
  g_assert_cmphex (region (window, "nvs")->flags, ==, ESPRIT_PARTITION_FLAG_READONLY);
  g_assert_cmphex (region (window, "app0")->flags, ==, 0);
  backup = row_menu_action (window, nvs, 0);
  restore = row_menu_action (window, nvs, 1);
  erase = row_menu_action (window, nvs, 2);
  g_assert_cmpstr (backup, ==, "win.backup-region");
  g_assert_cmpstr (restore, ==, "win.readonly-region");
  g_assert_cmpstr (erase, ==, "win.readonly-region");
  g_clear_pointer (&restore, g_free);
  restore = row_menu_action (window, region_index (window, "app0"), 1);
  g_assert_cmpstr (restore, ==, "win.restore-region");
  /* Off: activating it does nothing (its handler would show the refusal). */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.readonly-region", "u", nvs);
  spin_ms (50);
  g_assert_null (find_dialog ());

  before = esprit_sim_dup_flash (sim);
  esprit_window_restore_region_from (window, nvs, file);
  g_assert_false (job_running (window));
  assert_refused ("nvs");
  esprit_window_erase_region (window, nvs);
  g_assert_false (job_running (window));
  assert_refused ("nvs");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.erase-region", "u", nvs));
  assert_refused ("nvs");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.restore-region", "u",
                                             nvs));
  g_assert_null (find_file_chooser ());
  assert_refused ("nvs");
  spin_ms (200);
  g_assert_false (job_running (window));
  after = esprit_sim_dup_flash (sim);
  g_assert_cmpmem (g_bytes_get_data (after, NULL), g_bytes_get_size (after),
                   g_bytes_get_data (before, NULL), g_bytes_get_size (before));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  int rc;

  /* Backups go under the data folder: this test's own (esprit_window_test_init). */
  if (!esprit_window_test_init (&argc, &argv, "map"))
    return 77;
  g_test_add_func ("/esprit/window-map/backup-first", test_backup_first);
  g_test_add_func ("/esprit/window-map/backup-region", test_backup_region);
  g_test_add_func ("/esprit/window-map/drop-on-region", test_drop_on_region);
  g_test_add_func ("/esprit/window-map/erase-region", test_erase_region);
  g_test_add_func ("/esprit/window-map/identify", test_identify);
  g_test_add_func ("/esprit/window-map/readonly", test_readonly);
  g_test_add_func ("/esprit/window-map/restore-region", test_restore_region);
  g_test_add_func ("/esprit/window-map/restore-region-too-large", test_restore_region_too_large);
  rc = g_test_run ();
  g_free (work_dir);
  return rc;
}

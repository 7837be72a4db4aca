/* test-window-map.c: the window's flash map on a virtual ESP32 holding a real partition
 * table: drawn after Identify, one region backed up, one region erased
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "esprit-layout.h"
#include "esprit-test-util.h"
#include "esprit-window-private.h"
#include "esprit-window-test-util.h"
#include "esprit-window.h"

#define NVS_OFFSET 0x9000u
#define NVS_SIZE   0x5000u

/* The Arduino-ESP32 default table (protocol-facts §10.1) at 0x8000, an app in app0 and some
 * settings in the first sectors of nvs; app1 and spiffs stay erased. */
static EspritWindow *
window_with_table (EspritSim **sim_out)
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

  g_assert_true (esprit_partition_table_add (&table, "nvs", 1, 0x02, NVS_OFFSET, NVS_SIZE, 0));
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

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
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

static guint
n_backup_rows (EspritWindow *window)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (window->backups_list)); c;
       c = gtk_widget_get_next_sibling (c))
    n += ADW_IS_ACTION_ROW (c);
  return n;
}

/* "Back up first" (on by default): Erase… saves the whole flash, verified, as
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

  /* Restore it: the old bytes again (and, backing up first, a second backup). */
  file = g_file_new_for_path (path);
  spin_ms (1100);   /* a new second: a new name */
  esprit_window_restore_backup (window, file);
  wait_for_job (window);
  restored = esprit_sim_dup_flash (sim);
  g_assert_cmpmem (g_bytes_get_data (restored, NULL), g_bytes_get_size (restored),
                   g_bytes_get_data (before, NULL), g_bytes_get_size (before));
  g_assert_cmpuint (n_backup_rows (window), ==, 2);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  int rc;

  work_dir = g_dir_make_tmp ("esprit-gui-map-XXXXXX", NULL);
  /* Backups go under the data folder: this test's own, set before anything reads it. */
  {
    g_autofree char *data_home = g_build_filename (work_dir, "data", NULL);

    g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  }
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 77;
    }
  adw_init ();
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/window-map/backup-first", test_backup_first);
  g_test_add_func ("/esprit/window-map/backup-region", test_backup_region);
  g_test_add_func ("/esprit/window-map/erase-region", test_erase_region);
  g_test_add_func ("/esprit/window-map/identify", test_identify);
  rc = g_test_run ();
  g_free (work_dir);
  return rc;
}

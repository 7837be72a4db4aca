/* test-window-backups.c: "Back up first" on virtual boards: on for a board seen for the first
 * time and off for one with a backup, old backups pruned by the size limit, and a backup
 * checked against the board before it is restored
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "esprit-test-util.h"
#include "esprit-window-private.h"
#include "esprit-window-test-util.h"
#include "esprit-window.h"

#define MB (1024u * 1024u)

static char *
backups_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "esprit", "backups", NULL);
}

/* Each test starts with an empty backups folder and the settings' defaults. */
static void
start_clean (void)
{
  g_autofree char *dir = backups_dir ();
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_true (g_str_has_prefix (dir, work_dir));   /* never the user's own */
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_unlink (path), ==, 0);
    }
  g_settings_reset (settings, "backup-first");
  g_settings_reset (settings, "backup-limit");
  g_mkdir_with_parents (dir, 0700);
}

static int
by_name (gconstpointer a,
         gconstpointer b)
{
  return g_strcmp0 (*(char **) a, *(char **) b);
}

/* The names in the backups folder, sorted. */
static GPtrArray *
backup_names (void)
{
  g_autofree char *dir = backups_dir ();
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, by_name);
  return names;
}

static guint
n_backups (void)
{
  g_autoptr(GPtrArray) names = backup_names ();

  return names->len;
}

static void
wait_for_job (EspritWindow *window)
{
  spin_until (job_done, window, 60000);
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));
}

/* Flashes 4 KB of data at 0x200000 through the window, as a person would. */
static void
flash_something (EspritWindow *window,
                 guint         seed)
{
  g_autoptr(GBytes) data = esprit_test_random_bytes (0x1000, seed);
  g_autofree char *name = g_strdup_printf ("data-%u.bin", seed);
  g_autoptr(GFile) file = write_file (name, data);
  g_autoptr(GPtrArray) rows = _esprit_window_get_file_rows (window);

  for (guint i = 0; i < rows->len; i++)
    gtk_list_box_remove (window->file_list, rows->pdata[i]);
  add_and_wait (window, file);
  set_row_address (window, 0, "0x200000");
  spin_ms (50);
  click (window, "win.flash");
  wait_for_job (window);
}

/* The board's "<chip>-<mac>", as Identify shows its MAC. */
static char *
identify (EspritWindow *window)
{
  const char *subtitle;
  const char *mac;
  GString *board = g_string_new ("esp8266-");

  click (window, "win.identify");
  wait_for_job (window);
  subtitle = adw_action_row_get_subtitle (window->device_row);
  mac = strstr (subtitle, "MAC ");
  g_assert_nonnull (mac);
  for (const char *p = mac + 4; p < mac + 4 + 17; p++)
    if (*p != ':')
      g_string_append_c (board, *p);
  return g_string_free (board, FALSE);
}

/* A board seen for the first time: the switch is on and a flash backs it up. Once it has a
 * backup: off, and flashing it again makes none, in this window and in a new one that has
 * not met it yet. Turned on by hand for that board, it backs up again; the preference for
 * new boards stays on. */
static void
test_first_seen (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");
  g_autofree char *board = NULL;
  g_autoptr(GPtrArray) names = NULL;
  EspritWindow *window;

  start_clean ();
  window = new_window ();
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  g_assert_true (gtk_switch_get_active (window->backup_first_switch));
  flash_something (window, 1);
  g_assert_cmpuint (n_backups (), ==, 1);
  /* The job met the board: it has a backup now. */
  g_assert_false (gtk_switch_get_active (window->backup_first_switch));
  flash_something (window, 2);
  g_assert_cmpuint (n_backups (), ==, 1);
  board = identify (window);
  names = backup_names ();
  g_assert_true (g_str_has_prefix (names->pdata[0], board));
  g_assert_false (gtk_switch_get_active (window->backup_first_switch));
  gtk_window_destroy (GTK_WINDOW (window));

  /* A new window does not know the board yet: the switch says "on" for new boards, and the
   * flash finds this one has a backup. Identify then shows it off. */
  window = new_window ();
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  g_assert_true (gtk_switch_get_active (window->backup_first_switch));
  flash_something (window, 3);
  g_assert_cmpuint (n_backups (), ==, 1);
  g_free (identify (window));
  g_assert_false (gtk_switch_get_active (window->backup_first_switch));

  /* On by hand, for this board: a second backup. */
  spin_ms (1100);   /* a new second: a new name */
  gtk_switch_set_active (window->backup_first_switch, TRUE);
  flash_something (window, 4);
  g_assert_cmpuint (n_backups (), ==, 2);
  g_assert_true (g_settings_get_boolean (settings, "backup-first"));

  /* Another board (the virtual ESP32) is new: on again. */
  g_assert_true (esprit_window_select_port (window, "sim:esp32"));
  g_assert_true (gtk_switch_get_active (window->backup_first_switch));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Turned off for a new board, the switch is the preference: later boards start off too. */
static void
test_first_seen_off (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");
  EspritWindow *window;

  start_clean ();
  window = new_window ();
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  gtk_switch_set_active (window->backup_first_switch, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "backup-first"));
  flash_something (window, 5);
  g_assert_cmpuint (n_backups (), ==, 0);
  g_assert_true (esprit_window_select_port (window, "sim:esp32"));
  g_assert_false (gtk_switch_get_active (window->backup_first_switch));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
write_sized (const char *name,
             gsize       size,
             guint8      fill)
{
  g_autofree char *dir = backups_dir ();
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree guint8 *data = g_malloc (size);

  memset (data, fill, size);
  g_assert_true (g_file_set_contents (path, (const char *) data, size, NULL));
}

static const char *
limit_subtitle (EspritWindow *window)
{
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (window->backups_list)); c;
       c = gtk_widget_get_next_sibling (c))
    if (g_object_get_data (G_OBJECT (c), "esprit-backup-limit"))
      return adw_action_row_get_subtitle (ADW_ACTION_ROW (c));
  return NULL;
}

/* Three older backups of 1 MB and the new one of 4 MB are 7 MB: over a 6 MB limit the
 * oldest goes, and only it. A file of the user's own in the folder is never touched. Over a
 * 1 MB limit every older one goes, but never the one just made. */
static void
test_prune (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");
  g_autoptr(GPtrArray) names = NULL;
  EspritWindow *window;

  start_clean ();
  write_sized ("esp32-aabbccddee01-20240101-000000.img", MB, 1);
  write_sized ("esp32-aabbccddee02-20240301-000000.img", MB, 2);
  write_sized ("esp8266-aabbccddee03-20240201-000000.img", MB, 3);
  write_sized ("mine.img", MB, 4);
  g_settings_set_uint (settings, "backup-limit", 6);
  window = new_window ();
  g_assert_nonnull (strstr (limit_subtitle (window), "of 6MB"));
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  flash_something (window, 6);
  names = backup_names ();
  g_assert_cmpuint (names->len, ==, 4);
  g_assert_cmpstr (names->pdata[0], ==, "esp32-aabbccddee02-20240301-000000.img");
  g_assert_true (g_str_has_prefix (names->pdata[1], "esp8266-5c"));   /* the new one */
  g_assert_cmpstr (names->pdata[2], ==, "esp8266-aabbccddee03-20240201-000000.img");
  g_assert_cmpstr (names->pdata[3], ==, "mine.img");
  g_clear_pointer (&names, g_ptr_array_unref);

  g_settings_set_uint (settings, "backup-limit", 1);
  g_assert_true (esprit_window_select_port (window, "sim:esp32"));
  flash_something (window, 7);
  names = backup_names ();
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (g_str_has_prefix (names->pdata[0], "esp32-"));
  g_assert_cmpstr (names->pdata[1], ==, "mine.img");
  g_assert_nonnull (strstr (limit_subtitle (window), "of 1MB"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Restores @name (in the backups folder) as its Restore button does once confirmed. */
static void
restore (EspritWindow *window,
         const char   *name)
{
  g_autofree char *dir = backups_dir ();
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  esprit_window_restore_backup (window, file);
  spin_until (job_done, window, 60000);
}

/* A backup whose name or whose images say it is of an ESP32, or whose size is not the
 * flash's, is refused on the virtual ESP8266 with the reason, and nothing is written. */
static void
test_restore_mismatch (void)
{
  g_autoptr(GBytes) boot = esprit_test_make_image (ESPRIT_CHIP_ESP32, 20000, 2, TRUE, 8);
  g_autofree guint8 *esp32 = g_malloc (4 * MB);
  g_autofree char *dir = backups_dir ();
  g_autofree char *path = g_build_filename (dir, "old.img", NULL);
  g_autofree char *board = NULL;
  g_autofree char *small = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  AdwMessageDialog *dialog;
  EspritWindow *window;
  EspritSim *sim;

  start_clean ();
  window = new_window ();
  sim = esprit_window_get_virtual_board (window, ESPRIT_CHIP_ESP8266);
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  board = identify (window);
  before = esprit_sim_dup_flash (sim);

  /* By its name. */
  write_sized ("esp32-aabbccddeeff-20240101-000000.img", 4 * MB, 0xFF);
  restore (window, "esp32-aabbccddeeff-20240101-000000.img");
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==,
                   "This Backup Is Not for This Board");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "made from an ESP32 (its name"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "the board is an ESP8266"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* By its contents: an ESP32 bootloader at 0x1000, under a name that says nothing. */
  memset (esp32, 0xFF, 4 * MB);
  memcpy (esp32 + 0x1000, g_bytes_get_data (boot, NULL), g_bytes_get_size (boot));
  g_assert_true (g_file_set_contents (path, (const char *) esp32, 4 * MB, NULL));
  restore (window, "old.img");
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "of an ESP32 (its images"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Its own MAC, but 2 MB of flash for a 4 MB one. */
  small = g_strdup_printf ("%s-20240101-000000.img", board);
  write_sized (small, 2 * MB, 0xFF);
  restore (window, small);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "holds 2MB of flash, but the "
                                                                  "board's flash is 4MB"));
  gtk_window_destroy (GTK_WINDOW (dialog));

  after = esprit_sim_dup_flash (sim);
  g_assert_true (g_bytes_equal (before, after));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A backup of another ESP8266 (another MAC) asks first: Cancel writes nothing; Restore Anyway
 * writes it, verified. */
static void
test_restore_other_board (void)
{
  const char *name = "esp8266-aabbccddeeff-20240101-000000.img";
  g_autoptr(GBytes) data = esprit_test_random_bytes (4 * MB, 9);
  g_autofree char *dir = backups_dir ();
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  AdwMessageDialog *dialog;
  EspritWindow *window;
  EspritSim *sim;

  start_clean ();
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (data, NULL), 4 * MB, NULL));
  window = new_window ();
  sim = esprit_window_get_virtual_board (window, ESPRIT_CHIP_ESP8266);
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  before = esprit_sim_dup_flash (sim);

  restore (window, name);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Restore Another Board's Backup?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "aa:bb:cc:dd:ee:ff"));
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_ms (100);
  g_assert_true (job_done (window));
  after = esprit_sim_dup_flash (sim);
  g_assert_true (g_bytes_equal (before, after));
  g_clear_pointer (&after, g_bytes_unref);

  restore (window, name);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "restore");
  gtk_window_destroy (GTK_WINDOW (dialog));
  spin_until (job_running, window, 5000);
  wait_for_job (window);
  after = esprit_sim_dup_flash (sim);
  g_assert_true (g_bytes_equal (data, after));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  int rc;

  /* Backups go under the data folder: this test's own (esprit_window_test_init). */
  if (!esprit_window_test_init (&argc, &argv, "backups"))
    return 77;
  g_test_add_func ("/esprit/window-backups/first-seen", test_first_seen);
  g_test_add_func ("/esprit/window-backups/first-seen-off", test_first_seen_off);
  g_test_add_func ("/esprit/window-backups/prune", test_prune);
  g_test_add_func ("/esprit/window-backups/restore-mismatch", test_restore_mismatch);
  g_test_add_func ("/esprit/window-backups/restore-other-board", test_restore_other_board);
  rc = g_test_run ();
  g_free (work_dir);
  return rc;
}

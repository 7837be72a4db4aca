/* test-window-classroom.c: the board list, clicked through on a (virtual) display: the
 * virtual classroom's 8 boards flashed at once, failures and Retry, a board pulled out,
 * Identify and Erase, backups named by the template
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "esprit-board-test-util.h"
#include "esprit-error.h"
#include "esprit-numbers.h"
#include "esprit-test-util.h"
#include "esprit-window-test-util.h"

static void
click_row_retry (EspritBoardRow *row)
{
  GtkWidget *button = NULL;

  for (GtkWidget *w = find_widget (GTK_WIDGET (row), is_button, NULL); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    if (GTK_IS_BUTTON (w) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (w)), "_Retry") == 0)
      button = w;
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Flash on the classroom: all 8 boards at once, each verified and running Blink, each row
 * with its board's own MAC; the summary counts them. */
static void
test_flash_all (void)
{
  EspritWindow *window = classroom_window ();
  g_autoptr(GHashTable) macs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  click (window, "win.flash");
  g_assert_true (_esprit_window_boards_busy (window));
  g_assert_false (button_sensitive (window, "win.flash"));
  spin_until (boards_idle, window, 60000);
  screenshot (window, "classroom.png");
  for (guint k = 1; k <= N_BOARDS; k++)
    {
      EspritBoardRow *row = row_at (window, k - 1);
      g_autofree char *mac = esprit_format_mac (esprit_sim_get_config (board (window, k))->mac);

      assert_flashed (window, k);
      g_assert_cmpstr (esprit_board_row_get_mac (row), ==, mac);
      g_assert_true (g_hash_table_add (macs, g_strdup (mac)));
      g_assert_nonnull (strstr (esprit_board_row_get_status (row), "flashed and verified"));
    }
  g_assert_cmpstr (summary (window), ==, "8 flashed");
  g_assert_false (button_sensitive (window, "win.retry-failed"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A board whose link drops in the middle fails with its reason while the 7 others complete
 * verified; Retry on its row flashes it; then two fail and "Retry failed" does both. */
static void
test_disconnect_retry (void)
{
  EspritWindow *window = classroom_window ();
  EspritSimFaults faults = ESPRIT_SIM_FAULTS_NONE;
  EspritSimFaults none = ESPRIT_SIM_FAULTS_NONE;
  EspritBoardRow *third;

  /* Past the stub upload, in the middle of the image. */
  faults.disconnect_after = 30000;
  esprit_sim_set_faults (board (window, 3), &faults);
  click (window, "win.flash");
  spin_until (boards_idle, window, 60000);
  third = row_at (window, 2);
  g_assert_cmpint (esprit_board_row_get_result (third), ==, ESPRIT_BOARD_RESULT_FAILED);
  g_assert_error ((GError *) esprit_job_get_error (esprit_board_row_get_job (third)),
                  ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED);
  /* The advice's title and the library's reason. */
  g_assert_true (g_str_has_prefix (esprit_board_row_get_status (third), "The connection dropped: "));
  g_assert_false (board_has_blink (window, 3));
  for (guint k = 1; k <= N_BOARDS; k++)
    if (k != 3)
      assert_flashed (window, k);
  g_assert_cmpstr (summary (window), ==, "7 flashed, 1 failed");
  screenshot (window, "classroom-failed.png");

  /* The cable seated again: Retry on that row alone. */
  esprit_sim_set_faults (board (window, 3), &none);
  g_assert_true (button_sensitive (window, "win.retry-failed"));
  click_row_retry (third);
  g_assert_cmpint (esprit_board_row_get_result (third), ==, ESPRIT_BOARD_RESULT_RUNNING);
  g_assert_cmpint (esprit_board_row_get_result (row_at (window, 0)), ==, ESPRIT_BOARD_RESULT_OK);
  spin_until (boards_idle, window, 60000);
  assert_flashed (window, 3);
  g_assert_cmpstr (summary (window), ==, "8 flashed");

  /* Two fail; "Retry failed" takes both and only them. */
  for (guint k = 1; k <= N_BOARDS; k++)
    esprit_sim_load_flash (board (window, k), 0, (const guint8 *) "\xff\xff\xff\xff", 4);
  esprit_sim_set_faults (board (window, 2), &faults);
  esprit_sim_set_faults (board (window, 6), &faults);
  click (window, "win.flash");
  spin_until (boards_idle, window, 60000);
  g_assert_cmpstr (summary (window), ==, "6 flashed, 2 failed");
  esprit_sim_set_faults (board (window, 2), &none);
  esprit_sim_set_faults (board (window, 6), &none);
  /* A board flashed already is not touched again by the retry. */
  esprit_sim_load_flash (board (window, 1), 0, (const guint8 *) "\xff\xff\xff\xff", 4);
  click (window, "win.retry-failed");
  g_assert_cmpint (esprit_board_row_get_result (row_at (window, 1)), ==, ESPRIT_BOARD_RESULT_RUNNING);
  g_assert_cmpint (esprit_board_row_get_result (row_at (window, 5)), ==, ESPRIT_BOARD_RESULT_RUNNING);
  g_assert_cmpint (esprit_board_row_get_result (row_at (window, 0)), ==, ESPRIT_BOARD_RESULT_OK);
  spin_until (boards_idle, window, 60000);
  assert_flashed (window, 2);
  assert_flashed (window, 6);
  g_assert_false (board_has_blink (window, 1));
  g_assert_cmpstr (summary (window), ==, "8 flashed");
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A board pulled out during its job: its row fails with the job's error, the others go on. */
static void
test_unplug (void)
{
  EspritWindow *window;
  EspritBoardRow *fourth;

  /* Real wire time, so the jobs are still running when the board goes. */
  g_setenv ("ESPRIT_SIM_TIMING", "1", TRUE);
  window = classroom_window ();
  click (window, "win.flash");
  fourth = row_at (window, 3);
  spin_ms (400);
  g_assert_cmpint (esprit_board_row_get_result (fourth), ==, ESPRIT_BOARD_RESULT_RUNNING);
  esprit_port_model_classroom_plug (window->ports, 4, FALSE);
  g_assert_true (row_at (window, 3) == fourth);
  spin_until (boards_idle, window, 120000);
  g_assert_cmpint (esprit_board_row_get_result (fourth), ==, ESPRIT_BOARD_RESULT_FAILED);
  g_assert_true (g_str_has_prefix (esprit_board_row_get_status (fourth), "The connection dropped: "));
  for (guint k = 1; k <= N_BOARDS; k++)
    if (k != 4)
      assert_flashed (window, k);
  g_assert_cmpstr (summary (window), ==, "7 flashed, 1 failed");
  /* Its row shows the failure until the next run; Retry is not offered for a board that is
   * not there. */
  g_assert_cmpuint (n_board_rows (window), ==, N_BOARDS);
  g_assert_false (button_sensitive (window, "win.retry-failed"));
  gtk_window_destroy (GTK_WINDOW (window));
  /* Last: the boards' names carry it. */
  g_unsetenv ("ESPRIT_SIM_TIMING");
}

static gboolean
board_erased (EspritWindow *window,
              guint         k)
{
  g_autoptr(GBytes) flash = esprit_sim_dup_flash (board (window, k));
  const guint8 *f = g_bytes_get_data (flash, NULL);

  for (gsize i = 0; i < g_bytes_get_size (flash); i++)
    if (f[i] != 0xFF)
      return FALSE;
  return TRUE;
}

/* Identify and Erase… act on the checked boards only: Identify fills in each row's chip and
 * MAC; Erase, once confirmed for all, leaves the checked boards' flash erased and the others
 * as they were. */
static void
test_identify_erase (void)
{
  EspritWindow *window = classroom_window ();
  AdwMessageDialog *dialog;

  for (guint k = 1; k <= N_BOARDS; k++)
    esprit_sim_load_flash (board (window, k), 0, g_bytes_get_data (blink, NULL),
                           g_bytes_get_size (blink));
  esprit_board_row_set_checked (row_at (window, 0), FALSE);
  g_assert_cmpstr (esprit_board_row_get_status (row_at (window, 1)), ==, "Not identified yet");
  click (window, "win.identify");
  spin_until (boards_idle, window, 60000);
  g_assert_cmpstr (summary (window), ==, "7 identified");
  g_assert_null (esprit_board_row_get_mac (row_at (window, 0)));
  g_assert_cmpstr (esprit_board_row_get_status (row_at (window, 1)), ==,
                   "ESP8266 · MAC 18:fe:34:c1:a5:02");

  esprit_board_row_set_checked (row_at (window, 0), TRUE);
  esprit_board_row_set_checked (row_at (window, 6), FALSE);
  click (window, "win.erase");
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Erase Every Checked Board?");
  adw_message_dialog_response (dialog, "erase");
  spin_until (boards_idle, window, 120000);
  g_assert_cmpstr (summary (window), ==, "7 erased");
  for (guint k = 1; k <= N_BOARDS; k++)
    g_assert_true (board_erased (window, k) == (k != 7));
  gtk_window_destroy (GTK_WINDOW (window));
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* Back Up with 4 boards checked: 4 files named by the default template, each equal to its
 * board's flash. A template that gives two boards one name is refused before anything is
 * read; so is an unknown field. */
static void
test_backup (void)
{
  EspritWindow *window = classroom_window ();
  g_autofree char *dir = g_build_filename (work_dir, "backups-4", NULL);
  g_autofree char *other = g_build_filename (work_dir, "backups-bad", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFile) bad_folder = g_file_new_for_path (other);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  guint64 before[N_BOARDS + 1], after, dummy;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (other, 0755), ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (window->template_row)), ==,
                   "{chip}-{mac}-{date}.img");
  for (guint k = 1; k <= N_BOARDS; k++)
    {
      g_autoptr(GBytes) data = esprit_test_random_bytes (0x8000, 40 + k);

      esprit_sim_load_flash (board (window, k), 0x20000, g_bytes_get_data (data, NULL), 0x8000);
      if (k > 4)
        esprit_board_row_set_checked (row_at (window, k - 1), FALSE);
    }
  esprit_window_backup_boards_to (window, folder);
  spin_until (boards_idle, window, 240000);
  g_assert_cmpstr (summary (window), ==, "4 backed up");
  g_assert_cmpuint (count_files (dir), ==, 4);
  for (guint k = 1; k <= 4; k++)
    {
      const guint8 *mac = esprit_sim_get_config (board (window, k))->mac;
      g_autofree char *name = g_strdup_printf ("esp8266-%02x%02x%02x%02x%02x%02x-%s.img", mac[0],
                                               mac[1], mac[2], mac[3], mac[4], mac[5], date);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GBytes) flash = esprit_sim_dup_flash (board (window, k));
      g_autofree char *saved = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &saved, &len, NULL));
      g_assert_cmpmem (saved, len, g_bytes_get_data (flash, NULL), g_bytes_get_size (flash));
      g_assert_cmpint (esprit_board_row_get_result (row_at (window, k - 1)), ==,
                       ESPRIT_BOARD_RESULT_OK);
    }
  for (guint k = 5; k <= N_BOARDS; k++)
    g_assert_cmpint (esprit_board_row_get_result (row_at (window, k - 1)), ==,
                     ESPRIT_BOARD_RESULT_NONE);

  /* No {mac} or {port}: every board would go to one file. Nothing is read. */
  for (guint k = 1; k <= 4; k++)
    esprit_sim_get_wire_counts (board (window, k), &before[k], &dummy);
  gtk_editable_set_text (GTK_EDITABLE (window->template_row), "{chip}-{date}.img");
  esprit_window_backup_boards_to (window, bad_folder);
  g_assert_false (_esprit_window_boards_busy (window));
  spin_ms (200);
  g_assert_true (g_str_has_prefix (summary (window), "Another board would also be backed up to"));
  g_assert_cmpuint (count_files (other), ==, 0);
  for (guint k = 1; k <= 4; k++)
    {
      esprit_sim_get_wire_counts (board (window, k), &after, &dummy);
      g_assert_cmpuint (after, ==, before[k]);
    }
  gtk_editable_set_text (GTK_EDITABLE (window->template_row), "{serial}.img");
  esprit_window_backup_boards_to (window, bad_folder);
  g_assert_nonnull (strstr (summary (window), "unknown field {serial}"));
  g_assert_cmpuint (count_files (other), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  int rc;

  if (!esprit_window_test_init (&argc, &argv, "classroom"))
    return 77;
  board_tests_init ();
  g_test_add_func ("/esprit/window-classroom/flash-all", test_flash_all);
  g_test_add_func ("/esprit/window-classroom/disconnect-retry", test_disconnect_retry);
  g_test_add_func ("/esprit/window-classroom/unplug", test_unplug);
  g_test_add_func ("/esprit/window-classroom/identify-erase", test_identify_erase);
  g_test_add_func ("/esprit/window-classroom/backup", test_backup);
  rc = g_test_run ();
  g_bytes_unref (blink);
  g_free (work_dir);
  return rc;
}

/* test-window-ota.c: the real window with network boards: the virtual ArduinoOTA board
 * picked from the port list, flashed over the air, the password prompt, adding by address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <locale.h>
#include <string.h>

#include "esprit-file-row.h"
#include "esprit-test-ota.h"
#include "esprit-test-util.h"
#include "esprit-window-private.h"
#include "esprit-window-test-util.h"

#define PASSWORD "kitchen-secret"

/* Picks the port labelled @label as a user does: by its place in the row's list. */
static void
pick_port (EspritWindow *window,
           const char   *label)
{
  GListModel *model = adw_combo_row_get_model (window->port_row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(EspritPortItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (esprit_port_item_get_label (item), label))
        {
          adw_combo_row_set_selected (window->port_row, i);
          return;
        }
    }
  g_error ("No port labelled %s", label);
}

typedef struct {
  guint   seen;
  guint64 written;
  guint64 total;
} Progress;

static void
on_progress (EspritJob *job,
             int        phase,
             guint64    done,
             guint64    total,
             Progress  *p)
{
  p->seen++;
  /* Coalesced per main-loop turn: over loopback the writing may pass between two turns. */
  if (phase == ESPRIT_PHASE_WRITING)
    {
      p->written = MAX (p->written, done);
      p->total = total;
    }
}

/* Types @password and clicks Upload as a user does: Adwaita answers and then closes the
 * dialog itself, with the entry still focused. */
static void
answer_prompt (EspritWindow *window,
               const char   *password)
{
  AdwMessageDialog *dialog = esprit_window_get_password_dialog (window);
  GtkWidget *entry = find_widget (GTK_WIDGET (dialog), is_password_entry, NULL);
  GtkWidget *upload = find_widget (GTK_WIDGET (dialog), is_labelled_button, "_Upload");

  g_assert_nonnull (entry);
  g_assert_nonnull (upload);
  gtk_widget_grab_focus (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), password);
  g_signal_emit_by_name (upload, "clicked");
  spin_ms (50);
}

static void
assert_flashed (EspritWindow *window,
                GBytes       *img)
{
  EspritSimOta *sim = esprit_port_model_get_virtual_ota (window->ports, NULL);
  g_autoptr(GBytes) flash = esprit_sim_ota_dup_flash (sim);

  /* The ESP8266 core stages the update and copies it to the start at the reboot (§7). */
  g_assert_cmpuint (g_bytes_get_size (flash), >=, g_bytes_get_size (img));
  g_assert_cmpmem (g_bytes_get_data (flash, NULL), g_bytes_get_size (img),
                   g_bytes_get_data (img, NULL), g_bytes_get_size (img));
}

/* Pick "Virtual ESP8266 (OTA)": the window offers only what OTA does (no address, no flash
 * mode; Back Up, Erase, Identify off, with the reason); Flash uploads the image with
 * progress and success, and the board's flash holds it. */
static void
test_flash (void)
{
  /* What the Arduino IDE exports: eboot padded to 4 KB, then the sketch. */
  g_autoptr(GBytes) sketch = NULL;
  g_autoptr(GBytes) img = esprit_test_ota_arduino_bin (60000, 11, &sketch);
  g_autoptr(GFile) file = write_file ("Blink.ino.bin", img);
  g_autoptr(GBytes) before = NULL;
  EspritWindow *window;
  EspritSimOta *sim;
  Progress p = { 0 };

  g_unsetenv ("ESPRIT_SIM_OTA_PASSWORD");
  window = new_window ();
  pick_port (window, "Virtual ESP8266 (OTA)");
  add_and_wait (window, file);
  spin_ms (50);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->mode_row)));
  g_assert_false (gtk_widget_get_visible (find_widget (find_widget (GTK_WIDGET (window),
                                                                    is_file_row, NULL),
                                                       is_entry, NULL)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->ota_fs_row)));
  g_assert_false (button_sensitive (window, "win.backup"));
  g_assert_false (button_sensitive (window, "win.erase"));
  g_assert_false (button_sensitive (window, "win.identify"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (window->device_row), "USB"));
  g_assert_true (button_sensitive (window, "win.flash"));

  sim = esprit_port_model_get_virtual_ota (window->ports, NULL);
  g_assert_nonnull (sim);
  before = esprit_sim_ota_dup_flash (sim);
  g_assert_false (memcmp (g_bytes_get_data (before, NULL), g_bytes_get_data (img, NULL), 64) == 0);
  screenshot (window, "ota-idle.png");
  click (window, "win.flash");
  g_assert_true (job_running (window));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->progress_view)));
  g_signal_connect (esprit_window_get_job (window), "progress", G_CALLBACK (on_progress), &p);
  spin_until (job_done, window, 30000);
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));
  g_assert_cmpuint (p.seen, >=, 1);
  g_assert_cmpuint (p.written, <=, p.total);
  assert_flashed (window, img);
  gtk_window_destroy (GTK_WINDOW (window));

  /* Back on a serial board, the options are back. */
  window = new_window ();
  pick_port (window, "Virtual ESP8266 (OTA)");
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  spin_ms (50);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->mode_row)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->ota_fs_row)));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A board with a password: the prompt comes; a wrong password brings it again, saying so;
 * the right one uploads. */
static void
test_password (void)
{
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 40000, 2, FALSE, 12);
  g_autoptr(GFile) file = write_file ("Sensor.ino.bin", img);
  EspritWindow *window;
  AdwMessageDialog *first;

  g_setenv ("ESPRIT_SIM_OTA_PASSWORD", PASSWORD, TRUE);
  window = new_window ();
  pick_port (window, "Virtual ESP8266 (OTA)");
  add_and_wait (window, file);
  click (window, "win.flash");
  spin_until (prompt_shown, window, 10000);
  first = esprit_window_get_password_dialog (window);
  g_assert_null (strstr (adw_message_dialog_get_body (first), "refused"));
  answer_prompt (window, "not-the-password");
  spin_until (prompt_shown, window, 15000);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (esprit_window_get_password_dialog (window)),
                            "refused"));
  g_assert_true (job_running (window));
  answer_prompt (window, PASSWORD);
  spin_until (job_done, window, 30000);
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));
  g_assert_null (esprit_window_get_password_dialog (window));
  assert_flashed (window, img);
  gtk_window_destroy (GTK_WINDOW (window));
  g_unsetenv ("ESPRIT_SIM_OTA_PASSWORD");
}

/* Declining the prompt stops the upload without an error dialog. */
static void
test_decline (void)
{
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 20000, 2, FALSE, 13);
  g_autoptr(GFile) file = write_file ("Decline.ino.bin", img);
  EspritWindow *window;
  const GError *error;

  g_setenv ("ESPRIT_SIM_OTA_PASSWORD", PASSWORD, TRUE);
  window = new_window ();
  pick_port (window, "Virtual ESP8266 (OTA)");
  add_and_wait (window, file);
  click (window, "win.flash");
  spin_until (prompt_shown, window, 10000);
  adw_message_dialog_response (esprit_window_get_password_dialog (window), "cancel");
  spin_until (job_done, window, 10000);
  error = esprit_job_get_error (esprit_window_get_job (window));
  g_assert_error ((GError *) error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gtk_window_destroy (GTK_WINDOW (window));
  g_unsetenv ("ESPRIT_SIM_OTA_PASSWORD");
}

/* A filesystem image is no app image: Flash stays off, saying why, until "Filesystem
 * image" is on; then it lands at the 4 MB board's filesystem start (4M2M: 0x200000,
 * protocol-facts §10.2) and the program stays. */
static void
test_filesystem (void)
{
  g_autoptr(GBytes) fs = esprit_test_random_bytes (0x6000, 14);
  g_autoptr(GFile) file = write_file ("littlefs.bin", fs);
  g_autoptr(GBytes) flash = NULL;
  EspritWindow *window;
  EspritSimOta *sim;

  g_unsetenv ("ESPRIT_SIM_OTA_PASSWORD");
  window = new_window ();
  pick_port (window, "Virtual ESP8266 (OTA)");
  add_and_wait (window, file);
  spin_ms (50);
  g_assert_false (button_sensitive (window, "win.flash"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_visible_error_label, NULL));
  gtk_switch_set_active (window->ota_fs_switch, TRUE);
  spin_ms (50);
  g_assert_true (button_sensitive (window, "win.flash"));
  click (window, "win.flash");
  spin_until (job_done, window, 30000);
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));
  sim = esprit_port_model_get_virtual_ota (window->ports, NULL);
  flash = esprit_sim_ota_dup_flash (sim);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (flash, NULL) + 0x200000, g_bytes_get_size (fs),
                   g_bytes_get_data (fs, NULL), g_bytes_get_size (fs));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A label of a toast (or anything) showing a text with @part in it. */
static gboolean
is_label_with (GtkWidget    *w,
               gconstpointer part)
{
  return GTK_IS_LABEL (w) && strstr (gtk_label_get_text (GTK_LABEL (w)), part) != NULL;
}

/* A .bin.gz, as the Arduino IDE's "Export compiled binary" plus gzip gives it: the
 * ESP8266 OTA board takes it and its eboot unpacks it to 0x0 (§7.1); a board on a cable is
 * refused with what to do, and so is one already in the list when a cable board is picked. */
static void
test_gzip (void)
{
  g_autoptr(GBytes) img = esprit_test_ota_arduino_bin (60000, 16, NULL);
  g_autoptr(GBytes) gz = esprit_test_gzip (img);
  g_autoptr(GFile) file = write_file ("Blink.ino.bin.gz", gz);
  GSList one = { file, NULL };
  EspritWindow *window;

  g_unsetenv ("ESPRIT_SIM_OTA_PASSWORD");
  window = new_window ();
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  spin_ms (50);
  drop_files (window, &one);
  spin_ms (200);
  g_assert_cmpuint (n_rows (window), ==, 0);
  g_assert_nonnull (find_widget (GTK_WIDGET (window), is_label_with, "gunzip"));

  pick_port (window, "Virtual ESP8266 (OTA)");
  add_and_wait (window, file);
  spin_ms (50);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (find_widget (
                              GTK_WIDGET (window), is_file_row, NULL))), "gzip-compressed"));
  g_assert_true (button_sensitive (window, "win.flash"));
  g_assert_true (esprit_window_select_port (window, "sim:esp8266"));
  spin_ms (50);
  g_assert_false (button_sensitive (window, "win.flash"));
  g_assert_nonnull (find_widget (GTK_WIDGET (window->plan_label), is_label_with, "compressed"));
  pick_port (window, "Virtual ESP8266 (OTA)");
  spin_ms (50);
  click (window, "win.flash");
  spin_until (job_done, window, 30000);
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));
  /* Staged as sent, inflated by eboot at the reboot: 0x0 holds the .bin itself. */
  assert_flashed (window, img);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A message dialog of @window is up (kept as "test-dialog"). */
static gboolean
dialog_open (gpointer window)
{
  GtkWidget *w = find_toplevel (ADW_TYPE_MESSAGE_DIALOG, window);

  if (w != NULL)
    g_object_set_data (window, "test-dialog", w);
  return w != NULL;
}

/* Cancel while the prompt waits: the upload stops and the prompt goes with it. */
static void
test_cancel_prompt (void)
{
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 20000, 2, FALSE, 15);
  g_autoptr(GFile) file = write_file ("Cancel.ino.bin", img);
  EspritWindow *window;

  g_setenv ("ESPRIT_SIM_OTA_PASSWORD", PASSWORD, TRUE);
  window = new_window ();
  pick_port (window, "Virtual ESP8266 (OTA)");
  add_and_wait (window, file);
  click (window, "win.flash");
  spin_until (prompt_shown, window, 10000);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  spin_until (job_done, window, 10000);
  g_assert_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)), G_IO_ERROR,
                  G_IO_ERROR_CANCELLED);
  g_assert_null (esprit_window_get_password_dialog (window));
  g_assert_false (dialog_open (window));
  gtk_window_destroy (GTK_WINDOW (window));
  g_unsetenv ("ESPRIT_SIM_OTA_PASSWORD");
}

/* "Add a board by address…" asks; an address with a port adds that board and selects it;
 * cancelling goes back to the board chosen before. */
static void
test_add_address (void)
{
  EspritWindow *window = new_window ();
  AdwMessageDialog *dialog;
  EspritPortItem *item;

  g_assert_true (esprit_window_select_port (window, "sim:esp32"));
  pick_port (window, "Add a board by address…");
  spin_until (dialog_open, window, 5000);
  dialog = g_object_get_data (G_OBJECT (window), "test-dialog");
  adw_message_dialog_response (dialog, "cancel");
  spin_ms (50);
  g_assert_cmpstr (esprit_port_item_get_id (_esprit_window_get_port (window)), ==, "sim:esp32");

  pick_port (window, "Add a board by address…");
  spin_until (dialog_open, window, 5000);
  dialog = g_object_get_data (G_OBJECT (window), "test-dialog");
  gtk_editable_set_text (GTK_EDITABLE (find_widget (GTK_WIDGET (dialog), is_entry, NULL)),
                         "192.168.1.40:3232");
  adw_message_dialog_response (dialog, "add");
  spin_ms (50);
  item = _esprit_window_get_port (window);
  g_assert_cmpstr (esprit_port_item_get_id (item), ==, "ota:192.168.1.40:3232");
  g_assert_cmpstr (esprit_port_item_get_label (item), ==, "192.168.1.40 — 192.168.1.40 · ESP32 · OTA");
  g_assert_cmpint (esprit_port_item_get_chip (item), ==, ESPRIT_CHIP_ESP32);
  g_assert_false (button_sensitive (window, "win.backup"));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  int rc;

  if (!esprit_window_test_init (&argc, &argv, "ota"))
    return 77;
  g_test_add_func ("/esprit/window-ota/flash", test_flash);
  g_test_add_func ("/esprit/window-ota/password", test_password);
  g_test_add_func ("/esprit/window-ota/decline", test_decline);
  g_test_add_func ("/esprit/window-ota/cancel-prompt", test_cancel_prompt);
  g_test_add_func ("/esprit/window-ota/filesystem", test_filesystem);
  g_test_add_func ("/esprit/window-ota/gzip", test_gzip);
  g_test_add_func ("/esprit/window-ota/add-address", test_add_address);
  rc = g_test_run ();
  g_free (work_dir);
  return rc;
}

/* test-window-keyring.c: the OTA password prompt's "Remember in the keyring" against a real
 * gnome-keyring-daemon on a private session bus (test-window-keyring.sh starts both): what is
 * stored, under which attributes, that the next upload uses it without asking, and that a
 * remembered password the board refuses is forgotten and asked for again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <libsecret/secret.h>
#include <string.h>

#include "esprit-file-row.h"
#include "esprit-test-util.h"
#include "esprit-window-private.h"
#include "esprit-window-test-util.h"

#define PASSWORD "kitchen-secret"

/* Written out here rather than shared with the window: the test pins the schema name and
 * the attributes other tools (seahorse, secret-tool) see. */
static const SecretSchema ota_schema = {
  "io.github.esprit.Esprit.OtaPassword", SECRET_SCHEMA_NONE,
  {
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "port", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
    { NULL, 0 },
  }
};

static guint16
board_port (EspritWindow *window)
{
  EspritSimOta *sim = esprit_port_model_get_virtual_ota (window->ports, NULL);

  g_assert_nonnull (sim);
  return esprit_sim_ota_get_port (sim);
}

/* What the keyring holds for the virtual board, or NULL. */
static char *
remembered (EspritWindow *window)
{
  g_autoptr(GError) error = NULL;
  char *secret = secret_password_lookup_sync (&ota_schema, NULL, &error, "host", "127.0.0.1",
                                              "port", (int) board_port (window), NULL);
  char *copy = g_strdup (secret);

  g_assert_no_error (error);
  secret_password_free (secret);
  return copy;
}

static void
pick_virtual_board (EspritWindow *window)
{
  GListModel *model = adw_combo_row_get_model (window->port_row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(EspritPortItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (esprit_port_item_get_label (item), "Virtual ESP8266 (OTA)"))
        {
          adw_combo_row_set_selected (window->port_row, i);
          return;
        }
    }
  g_error ("No virtual OTA board in the port list");
}

static gboolean
is_check_button (GtkWidget    *w,
                 gconstpointer unused)
{
  return GTK_IS_CHECK_BUTTON (w);
}

/* Types @password, ticks "Remember" when asked to, clicks Upload. */
static void
answer_prompt (EspritWindow *window,
               const char   *password,
               gboolean      remember)
{
  AdwMessageDialog *dialog = esprit_window_get_password_dialog (window);
  GtkWidget *entry = find_widget (GTK_WIDGET (dialog), is_password_entry, NULL);
  GtkWidget *check = find_widget (GTK_WIDGET (dialog), is_check_button, NULL);
  GtkWidget *upload = find_widget (GTK_WIDGET (dialog), is_labelled_button, "_Upload");

  g_assert_nonnull (entry);
  g_assert_nonnull (check);
  g_assert_nonnull (upload);
  gtk_editable_set_text (GTK_EDITABLE (entry), password);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), remember);
  g_signal_emit_by_name (upload, "clicked");
  spin_ms (50);
}

typedef struct {
  EspritWindow *window;
  gboolean      prompted;
} Watch;

/* Done when the job ends; notes whether a prompt came up meanwhile. */
static gboolean
done_watching (gpointer data)
{
  Watch *w = data;

  if (prompt_shown (w->window))
    w->prompted = TRUE;
  return job_done (w->window) || w->prompted;
}

static void
assert_flash_ok (EspritWindow *window)
{
  g_assert_no_error ((GError *) esprit_job_get_error (esprit_window_get_job (window)));
}

/* Ticking Remember stores the typed password under the board's host and port once the
 * board took it; the next upload to that board asks nothing. */
static void
test_remember (void)
{
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 30000, 2, FALSE, 21);
  g_autoptr(GFile) file = write_file ("Remember.ino.bin", img);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  EspritWindow *window;
  Watch watch = { 0 };

  window = new_window ();
  pick_virtual_board (window);
  add_and_wait (window, file);
  before = remembered (window);
  g_assert_null (before);
  click (window, "win.flash");
  spin_until (prompt_shown, window, 10000);
  answer_prompt (window, PASSWORD, TRUE);
  spin_until (job_done, window, 30000);
  assert_flash_ok (window);
  after = remembered (window);
  g_assert_cmpstr (after, ==, PASSWORD);

  click (window, "win.flash");
  watch.window = window;
  spin_until (done_watching, &watch, 30000);
  g_assert_false (watch.prompted);
  assert_flash_ok (window);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Without Remember nothing is stored. */
static void
test_no_remember (void)
{
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 20000, 2, FALSE, 22);
  g_autoptr(GFile) file = write_file ("Forget.ino.bin", img);
  g_autofree char *after = NULL;
  EspritWindow *window;

  window = new_window ();
  pick_virtual_board (window);
  add_and_wait (window, file);
  click (window, "win.flash");
  spin_until (prompt_shown, window, 10000);
  answer_prompt (window, PASSWORD, FALSE);
  spin_until (job_done, window, 30000);
  assert_flash_ok (window);
  after = remembered (window);
  g_assert_null (after);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The sketch's password changed: the remembered one is refused, so it is forgotten and the
 * prompt comes, saying so; the new one, remembered, replaces it. */
static void
test_refused (void)
{
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 20000, 2, FALSE, 23);
  g_autoptr(GFile) file = write_file ("Changed.ino.bin", img);
  g_autoptr(GError) error = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *now = NULL;
  EspritWindow *window;

  window = new_window ();
  pick_virtual_board (window);
  add_and_wait (window, file);
  g_assert_true (secret_password_store_sync (&ota_schema, SECRET_COLLECTION_DEFAULT,
                                             "old OTA password", "the-old-password", NULL,
                                             &error, "host", "127.0.0.1",
                                             "port", (int) board_port (window), NULL));
  g_assert_no_error (error);
  click (window, "win.flash");
  spin_until (prompt_shown, window, 15000);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (esprit_window_get_password_dialog (window)),
                            "refused"));
  gone = remembered (window);
  g_assert_null (gone);
  answer_prompt (window, PASSWORD, TRUE);
  spin_until (job_done, window, 30000);
  assert_flash_ok (window);
  now = remembered (window);
  g_assert_cmpstr (now, ==, PASSWORD);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = NULL;
  int rc;

  g_setenv ("ESPRIT_SIM_OTA_PASSWORD", PASSWORD, TRUE);
  if (!esprit_window_test_init (&argc, &argv, "keyring"))
    return 77;
  /* The wrapper gave a keyring; without one this test has nothing to test. */
  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  if (service == NULL)
    {
      g_print ("1..0 # SKIP no secret service on the session bus: %s\n", error->message);
      return 77;
    }
  g_test_add_func ("/esprit/window-keyring/remember", test_remember);
  g_test_add_func ("/esprit/window-keyring/no-remember", test_no_remember);
  g_test_add_func ("/esprit/window-keyring/refused", test_refused);
  rc = g_test_run ();
  g_free (work_dir);
  return rc;
}

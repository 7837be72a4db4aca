/* test-window-production.c: the board list's production line ("Flash each board when it is
 * plugged in") on the virtual classroom and on USB boards, and the desktop notification at
 * the end of a run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "esprit-board-test-util.h"
#include "esprit-numbers.h"
#include "esprit-port-model-private.h"
#include "esprit-test-util.h"
#include "esprit-window-test-util.h"

static gboolean
row_settled (gpointer row)
{
  EspritBoardResult r = esprit_board_row_get_result (row);

  return r != ESPRIT_BOARD_RESULT_NONE && r != ESPRIT_BOARD_RESULT_RUNNING;
}

/* Plugs board @k in and waits for its row's job. */
static EspritBoardRow *
plug_and_wait (EspritWindow *window,
               guint         k)
{
  g_autofree char *mac = esprit_format_mac (esprit_sim_get_config (board (window, k))->mac);
  EspritBoardRow *row = NULL;
  g_autoptr(GPtrArray) rows = NULL;

  esprit_port_model_classroom_plug (window->ports, k, TRUE);
  rows = _esprit_window_get_board_rows (window);
  for (guint i = 0; i < rows->len; i++)
    if (strstr (esprit_port_item_get_id (esprit_board_row_get_port (rows->pdata[i])), mac) != NULL)
      row = rows->pdata[i];
  g_assert_nonnull (row);
  /* The production line starts on it at once. */
  g_assert_cmpint (esprit_board_row_get_result (row), ==, ESPRIT_BOARD_RESULT_RUNNING);
  spin_until (row_settled, row, 60000);
  spin_until (boards_idle, window, 60000);
  return row;
}

/* "Flash each board when it is plugged in": boards plugged in one after another are each
 * flashed once, the count follows; a board that comes back is known by its MAC and left as
 * it is. */
static void
test_production (void)
{
  EspritWindow *window = classroom_window ();
  EspritBoardRow *row;

  for (guint k = 1; k <= N_BOARDS; k++)
    esprit_port_model_classroom_plug (window->ports, k, FALSE);
  g_assert_cmpuint (n_board_rows (window), ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->production_row)));
  gtk_switch_set_active (window->production_switch, TRUE);
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (window->port_row)));

  row = plug_and_wait (window, 1);
  g_assert_cmpint (esprit_board_row_get_result (row), ==, ESPRIT_BOARD_RESULT_OK);
  assert_flashed (window, 1);
  g_assert_cmpstr (adw_action_row_get_subtitle (window->production_row), ==,
                   "1 board flashed; plug in the next one");
  row = plug_and_wait (window, 2);
  g_assert_cmpint (esprit_board_row_get_result (row), ==, ESPRIT_BOARD_RESULT_OK);
  g_assert_true (board_has_blink (window, 2));
  g_assert_cmpstr (adw_action_row_get_subtitle (window->production_row), ==,
                   "2 boards flashed; plug in the next one");

  /* Board 1 out and in again: recognised, not flashed a second time. */
  esprit_sim_load_flash (board (window, 1), 0, (const guint8 *) "\xff\xff\xff\xff", 4);
  esprit_port_model_classroom_plug (window->ports, 1, FALSE);
  row = plug_and_wait (window, 1);
  g_assert_cmpint (esprit_board_row_get_result (row), ==, ESPRIT_BOARD_RESULT_SKIPPED);
  g_assert_false (board_has_blink (window, 1));
  g_assert_cmpstr (adw_action_row_get_subtitle (window->production_row), ==,
                   "2 boards flashed; plug in the next one");

  row = plug_and_wait (window, 3);
  g_assert_true (board_has_blink (window, 3));
  g_assert_cmpstr (adw_action_row_get_subtitle (window->production_row), ==,
                   "3 boards flashed; plug in the next one");
  g_assert_false (board_has_blink (window, 4));
  g_assert_cmpstr (summary (window), ==, "3 flashed, 1 done before");
  screenshot (window, "production-line.png");

  gtk_switch_set_active (window->production_switch, FALSE);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (window->port_row)));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* @n USB boards as the system would list them (CP2102 bridges); behind them virtual boards,
 * each its own. (element-type EspritPortInfo) */
static GPtrArray *
usb_ports (guint first,
           guint last)
{
  GPtrArray *ports = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);

  for (guint k = first; k <= last; k++)
    {
      EspritPortInfo *p = g_new0 (EspritPortInfo, 1);

      p->path = g_strdup_printf ("sim:esp8266?mac=24:0a:c4:00:00:%02x", k);
      p->label = g_strdup ("CP2102 USB to UART Bridge");
      p->vid = 0x10C4;
      p->pid = 0xEA60;
      g_ptr_array_add (ports, p);
    }
  return ports;
}

static gboolean
usb_has_blink (EspritWindow *window,
               guint         k)
{
  g_autofree char *path = g_strdup_printf ("sim:esp8266?mac=24:0a:c4:00:00:%02x", k);
  g_autoptr(EspritSim) sim = esprit_sim_lookup_board (esprit_port_model_get_registry (window->ports),
                                                      path, TRUE);
  g_autoptr(GBytes) flash = esprit_sim_dup_flash (sim);

  return memcmp (g_bytes_get_data (flash, NULL), g_bytes_get_data (blink, NULL),
                 g_bytes_get_size (blink)) == 0;
}

/* Real ports: one USB board is the one-board window; a second one plugged in makes the list,
 * and Flash does both. The production line on them keeps its boards while they are all
 * pulled out (the port row goes to a virtual board), and knows them when they come back. */
static void
test_usb_boards (void)
{
  EspritWindow *window = new_window ();
  g_autoptr(GFile) file = write_file ("Blink.ino.d1_mini.bin", blink);
  g_autoptr(GPtrArray) one = usb_ports (1, 1);
  g_autoptr(GPtrArray) two = usb_ports (1, 2);
  g_autoptr(GPtrArray) three = usb_ports (1, 3);
  g_autoptr(GPtrArray) none = usb_ports (1, 0);

  /* Only these boards, not the machine's own ports. */
  g_signal_handlers_disconnect_by_data (window->ports->monitor, window->ports);
  esprit_port_model_update (window->ports, one);
  g_assert_true (esprit_window_select_port (window, "sim:esp8266?mac=24:0a:c4:00:00:01"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->boards_group)));
  add_and_wait (window, file);
  set_row_address (window, 0, "0x0");

  esprit_port_model_update (window->ports, two);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->boards_group)));
  g_assert_cmpuint (n_board_rows (window), ==, 2);
  click (window, "win.flash");
  spin_until (boards_idle, window, 60000);
  g_assert_cmpstr (summary (window), ==, "2 flashed");
  g_assert_true (usb_has_blink (window, 1) && usb_has_blink (window, 2));

  gtk_switch_set_active (window->production_switch, TRUE);
  esprit_port_model_update (window->ports, three);
  g_assert_cmpuint (n_board_rows (window), ==, 3);
  g_assert_cmpint (esprit_board_row_get_result (row_at (window, 2)), ==, ESPRIT_BOARD_RESULT_RUNNING);
  g_assert_cmpint (esprit_board_row_get_result (row_at (window, 0)), ==, ESPRIT_BOARD_RESULT_OK);
  spin_until (boards_idle, window, 60000);
  g_assert_true (usb_has_blink (window, 3));
  g_assert_cmpstr (adw_action_row_get_subtitle (window->production_row), ==,
                   "1 board flashed; plug in the next one");

  /* All out: the list stays the line's. All in again: 1 and 2 were flashed before the line
   * started, so they get the files; 3 is known. */
  esprit_port_model_update (window->ports, none);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->boards_group)));
  g_assert_cmpuint (n_board_rows (window), ==, 0);
  esprit_port_model_update (window->ports, three);
  spin_until (boards_idle, window, 60000);
  g_assert_cmpint (esprit_board_row_get_result (row_at (window, 0)), ==, ESPRIT_BOARD_RESULT_OK);
  g_assert_cmpint (esprit_board_row_get_result (row_at (window, 2)), ==, ESPRIT_BOARD_RESULT_SKIPPED);
  g_assert_cmpstr (summary (window), ==, "3 flashed, 1 done before");
  gtk_switch_set_active (window->production_switch, FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A stand-in for the desktop's notification server (org.freedesktop.Notifications, what
 * GLib's GNotification speaks outside a sandbox): it counts what it is asked to show. */
static const char notifications_xml[] =
  "<node><interface name='org.freedesktop.Notifications'>"
  "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
  "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
  "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "<method name='GetServerInformation'><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "<arg type='s' direction='out'/></method>"
  "</interface></node>";

static guint n_notified;
static char *notified_body;

static void
on_notifications_call (GDBusConnection       *connection,
                       const char            *sender,
                       const char            *path,
                       const char            *interface,
                       const char            *method,
                       GVariant              *params,
                       GDBusMethodInvocation *invocation,
                       gpointer               data)
{
  if (g_str_equal (method, "Notify"))
    {
      const char *summary_text, *body;

      g_variant_get_child (params, 3, "&s", &summary_text);
      g_variant_get_child (params, 4, "&s", &body);
      g_test_message ("notified: %s — %s", summary_text, body);
      n_notified++;
      g_free (notified_body);
      notified_body = g_strdup (body);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", n_notified));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(@as [],)"));
  else if (g_str_equal (method, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "test", "esprit", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
name_owned (gpointer data)
{
  return *(gboolean *) data;
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         data)
{
  *(gboolean *) data = TRUE;
}

static gboolean
notified (gpointer data)
{
  return n_notified > 0;
}

/* The summary goes to the desktop when the window is in the background, not when it is in
 * front. (Run inside dbus-run-session; skipped without a session bus.) */
static void
test_notify (void)
{
  static const GDBusInterfaceVTable vtable = { on_notifications_call, NULL, NULL, { 0 } };
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(AdwApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  EspritWindow *window;
  GtkWidget *other;
  gboolean owned = FALSE;
  guint registration, owner;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs a session bus (dbus-run-session)");
      return;
    }
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  registration = g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                    info->interfaces[0], &vtable, NULL, NULL,
                                                    &error);
  g_assert_no_error (error);
  owner = g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                        G_BUS_NAME_OWNER_FLAGS_NONE, on_name_acquired, NULL,
                                        &owned, NULL);
  spin_until (name_owned, &owned, 5000);
  app = adw_application_new ("io.github.esprit.Esprit.TestNotify", G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  window = classroom_window ();
  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (app));
  g_assert_true (gtk_window_is_active (GTK_WINDOW (window)));
  click (window, "win.flash");
  spin_until (boards_idle, window, 60000);
  spin_ms (300);
  g_assert_cmpuint (n_notified, ==, 0);

  /* Another window in front: this one is in the background. */
  other = gtk_window_new ();
  gtk_window_present (GTK_WINDOW (other));
  spin_ms (300);
  g_assert_false (gtk_window_is_active (GTK_WINDOW (window)));
  click (window, "win.flash");
  spin_until (boards_idle, window, 60000);
  spin_until (notified, NULL, 5000);
  g_assert_cmpuint (n_notified, ==, 1);
  g_assert_cmpstr (notified_body, ==, "8 flashed");

  gtk_window_destroy (GTK_WINDOW (other));
  gtk_window_destroy (GTK_WINDOW (window));
  g_bus_unown_name (owner);
  g_dbus_connection_unregister_object (bus, registration);
  g_clear_pointer (&notified_body, g_free);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  if (!esprit_window_test_init (&argc, &argv, "production"))
    return 77;
  board_tests_init ();
  g_test_add_func ("/esprit/window-production/production", test_production);
  g_test_add_func ("/esprit/window-production/usb-boards", test_usb_boards);
  g_test_add_func ("/esprit/window-production/notify", test_notify);
  rc = g_test_run ();
  g_bytes_unref (blink);
  g_free (work_dir);
  return rc;
}

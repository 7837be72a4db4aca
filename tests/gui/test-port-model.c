/* test-port-model.c: the window's ports: hot-plugging, the virtual boards it always offers
 * and owns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "esprit-error.h"
#include "esprit-port-model.h"

typedef struct {
  guint calls;
  guint position, removed, added;
} Changes;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *c)
{
  c->calls++;
  c->position = position;
  c->removed = removed;
  c->added = added;
}

static EspritPortInfo *
port_info (const char *path,
           const char *label,
           guint16     vid)
{
  EspritPortInfo *p = g_new0 (EspritPortInfo, 1);

  p->path = g_strdup (path);
  p->label = g_strdup (label);
  p->vid = vid;
  p->pid = vid ? 0xEA60 : 0;
  return p;
}

static EspritPortItem *
item_at (EspritPortModel *model,
         guint            i)
{
  EspritPortItem *item = g_list_model_get_item (G_LIST_MODEL (model), i);

  /* The model keeps its own reference while the item is in it. */
  g_object_unref (item);
  return item;
}

static GPtrArray *
ports (EspritPortInfo *first, ...)
{
  GPtrArray *a = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);
  va_list ap;

  va_start (ap, first);
  for (EspritPortInfo *p = first; p != NULL; p = va_arg (ap, EspritPortInfo *))
    g_ptr_array_add (a, p);
  va_end (ap);
  return a;
}

/* Without any device the two virtual boards are offered, the ESP8266 first and chosen, then
 * the virtual OTA board and "Add a board by address…". */
static void
test_virtual (void)
{
  g_autoptr(EspritPortModel) model = esprit_port_model_new ();
  g_autoptr(GPtrArray) none = ports (NULL);
  EspritPortItem *item;
  guint position;

  esprit_port_model_update (model, none);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == ESPRIT_TYPE_PORT_ITEM);
  item = item_at (model, 0);
  g_assert_cmpstr (esprit_port_item_get_id (item), ==, "sim:esp8266");
  g_assert_cmpint (esprit_port_item_get_kind (item), ==, ESPRIT_PORT_KIND_VIRTUAL);
  g_assert_cmpint (esprit_port_item_get_chip (item), ==, ESPRIT_CHIP_ESP8266);
  g_assert_cmpstr (esprit_port_item_get_label (item), ==, "Virtual ESP8266");
  item = item_at (model, 1);
  g_assert_cmpstr (esprit_port_item_get_id (item), ==, "sim:esp32");
  g_assert_cmpint (esprit_port_item_get_chip (item), ==, ESPRIT_CHIP_ESP32);
  item = item_at (model, 2);
  g_assert_cmpstr (esprit_port_item_get_id (item), ==, "classroom:esp8266");
  g_assert_cmpint (esprit_port_item_get_kind (item), ==, ESPRIT_PORT_KIND_CLASSROOM);
  g_assert_cmpstr (esprit_port_item_get_label (item), ==, "Virtual classroom (8 boards)");
  g_assert_cmpuint (esprit_port_model_get_preferred (model), ==, 0);
  g_assert_true (esprit_port_model_find (model, "sim:esp32", &position));
  g_assert_cmpuint (position, ==, 1);
  g_assert_false (esprit_port_model_find (model, "/dev/ttyUSB0", &position));
  g_assert_false (esprit_port_model_find (model, NULL, &position));
}

/* Devices come and go: real ports come first, the virtual ones stay; a port that stays keeps
 * its item; an unchanged list changes nothing; a USB bridge is preferred to a built-in
 * UART. */
static void
test_hotplug (void)
{
  g_autoptr(EspritPortModel) model = esprit_port_model_new ();
  g_autoptr(GPtrArray) none = ports (NULL);
  g_autoptr(GPtrArray) two = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) other = NULL;
  Changes c = { 0 };
  EspritPortItem *usb0, *item;

  esprit_port_model_update (model, none);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &c);

  two = ports (port_info ("/dev/ttyS0", "ttyS0", 0),
               port_info ("/dev/ttyUSB0", "CP2102 USB to UART Bridge", 0x10C4), NULL);
  esprit_port_model_update (model, two);
  g_assert_cmpuint (c.calls, ==, 1);
  g_assert_cmpuint (c.position, ==, 0);
  g_assert_cmpuint (c.removed, ==, 0);
  g_assert_cmpuint (c.added, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 7);
  usb0 = item_at (model, 1);
  g_assert_cmpstr (esprit_port_item_get_id (usb0), ==, "/dev/ttyUSB0");
  g_assert_cmpstr (esprit_port_item_get_label (usb0), ==, "CP2102 USB to UART Bridge (/dev/ttyUSB0)");
  g_assert_cmpint (esprit_port_item_get_kind (usb0), ==, ESPRIT_PORT_KIND_REAL);
  g_assert_cmpint (esprit_port_item_get_chip (usb0), ==, ESPRIT_CHIP_AUTO);
  g_assert_cmpuint (esprit_port_item_get_vid (usb0), ==, 0x10C4);
  g_assert_cmpuint (esprit_port_model_get_preferred (model), ==, 1);
  g_assert_cmpstr (esprit_port_item_get_id (item_at (model, 2)), ==, "sim:esp8266");

  again = ports (port_info ("/dev/ttyS0", "ttyS0", 0),
                 port_info ("/dev/ttyUSB0", "CP2102 USB to UART Bridge", 0x10C4), NULL);
  esprit_port_model_update (model, again);
  g_assert_cmpuint (c.calls, ==, 1);

  /* ttyS0 gone, a second bridge plugged in: ttyUSB0 is the same item at a new place. */
  other = ports (port_info ("/dev/ttyUSB0", "CP2102 USB to UART Bridge", 0x10C4),
                 port_info ("/dev/ttyUSB1", "CH340 serial converter", 0x1A86), NULL);
  esprit_port_model_update (model, other);
  g_assert_cmpuint (c.calls, ==, 2);
  g_assert_cmpuint (c.removed, ==, 2);
  g_assert_cmpuint (c.added, ==, 2);
  g_assert_true (item_at (model, 0) == usb0);
  item = item_at (model, 1);
  g_assert_cmpstr (esprit_port_item_get_id (item), ==, "/dev/ttyUSB1");
  g_assert_cmpuint (esprit_port_model_get_preferred (model), ==, 0);

  esprit_port_model_update (model, none);
  g_assert_cmpuint (c.calls, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);
  g_assert_cmpuint (esprit_port_model_get_preferred (model), ==, 0);
}

/* The network part: the virtual OTA board and "Add…" last; a board typed by address comes
 * before them, labelled like a discovered one, with the core's default port; typing it again
 * keeps the one item; real ports coming leave the network items as they are. */
static void
test_ota (void)
{
  g_autoptr(EspritPortModel) model = esprit_port_model_new ();
  g_autoptr(GPtrArray) none = ports (NULL);
  g_autoptr(GPtrArray) one = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;
  EspritPortItem *item;
  guint position;

  esprit_port_model_update (model, none);
  item = item_at (model, 3);
  g_assert_cmpint (esprit_port_item_get_kind (item), ==, ESPRIT_PORT_KIND_OTA_VIRTUAL);
  g_assert_cmpstr (esprit_port_item_get_label (item), ==, "Virtual ESP8266 (OTA)");
  g_assert_true (esprit_port_item_is_ota (item));
  item = item_at (model, 4);
  g_assert_cmpint (esprit_port_item_get_kind (item), ==, ESPRIT_PORT_KIND_ADD);
  g_assert_false (esprit_port_item_is_ota (item));

  id = esprit_port_model_add_address (model, "192.168.1.40", 0, ESPRIT_CHIP_ESP8266);
  g_assert_cmpstr (id, ==, "ota:192.168.1.40:8266");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 6);
  g_assert_true (esprit_port_model_find (model, id, &position));
  g_assert_cmpuint (position, ==, 3);
  item = item_at (model, 3);
  g_assert_cmpint (esprit_port_item_get_kind (item), ==, ESPRIT_PORT_KIND_OTA);
  g_assert_cmpstr (esprit_port_item_get_label (item), ==, "192.168.1.40 — 192.168.1.40 · ESP8266 · OTA");
  g_assert_cmpstr (esprit_port_item_get_host (item), ==, "192.168.1.40");
  g_assert_cmpuint (esprit_port_item_get_ota_port (item), ==, 8266);
  again = esprit_port_model_add_address (model, "192.168.1.40", 8266, ESPRIT_CHIP_ESP8266);
  g_assert_cmpstr (again, ==, id);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 6);

  one = ports (port_info ("/dev/ttyUSB0", "CP2102 USB to UART Bridge", 0x10C4), NULL);
  esprit_port_model_update (model, one);
  g_assert_true (esprit_port_model_find (model, id, &position));
  g_assert_cmpuint (position, ==, 4);
  g_assert_true (item_at (model, 4) == item);
  g_assert_cmpint (esprit_port_item_get_kind (item_at (model, 6)), ==, ESPRIT_PORT_KIND_ADD);
}

/* An item with @label, or (@label NULL) one from the network at all. */
static gboolean
has_label (EspritPortModel *model,
           const char      *label)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    {
      EspritPortItem *item = item_at (model, i);

      if (label != NULL ? g_str_equal (esprit_port_item_get_label (item), label)
                        : esprit_port_item_get_kind (item) == ESPRIT_PORT_KIND_OTA)
        return TRUE;
    }
  return FALSE;
}

static gboolean
wait_label (EspritPortModel *model,
            const char      *label,
            gboolean         present)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (has_label (model, label) != present && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
  return has_label (model, label) == present;
}

/* Run by test-port-model-mdns.sh with a board published through a private avahi-daemon:
 * it appears between the virtual boards and the virtual OTA board, labelled with its name,
 * address, chip and password, and goes when it stops announcing itself. */
static void
test_mdns (void)
{
  const char *publisher = g_getenv ("ESPRIT_TEST_MDNS_PUBLISHER");
  const char *label = "kitchen-sensor — 127.0.0.1 · ESP8266 · OTA, password";
  g_autoptr(EspritPortModel) model = NULL;
  g_autoptr(GPtrArray) none = ports (NULL);
  EspritPortItem *item;
  guint position;

  if (publisher == NULL)
    {
      g_test_skip ("needs the board test-port-model-mdns.sh publishes");
      return;
    }
  model = esprit_port_model_new ();
  esprit_port_model_update (model, none);
  g_assert_true (wait_label (model, label, TRUE));
  g_assert_true (esprit_port_model_find (model, "ota:kitchen-sensor", &position));
  g_assert_cmpuint (position, ==, 3);
  item = item_at (model, 3);
  g_assert_cmpint (esprit_port_item_get_kind (item), ==, ESPRIT_PORT_KIND_OTA);
  g_assert_cmpstr (esprit_port_item_get_host (item), ==, "127.0.0.1");
  g_assert_cmpuint (esprit_port_item_get_ota_port (item), ==, 8266);
  g_assert_true (esprit_port_item_get_auth (item));
  g_assert_cmpint (esprit_port_item_get_chip (item), ==, ESPRIT_CHIP_ESP8266);

  g_assert_cmpint (kill ((pid_t) atoi (publisher), SIGTERM), ==, 0);
  g_assert_true (wait_label (model, NULL, FALSE));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);
}

/* The model owns the virtual boards: its registry opens the same board each time, which is
 * the one the model hands out, and another model has boards of its own. */
static void
test_boards (void)
{
  g_autoptr(EspritPortModel) model = esprit_port_model_new ();
  g_autoptr(EspritPortModel) other = esprit_port_model_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritTransport) transport = NULL;
  EspritSim *sim = esprit_port_model_get_virtual_board (model, ESPRIT_CHIP_ESP8266);
  EspritSim *sim32 = esprit_port_model_get_virtual_board (model, ESPRIT_CHIP_ESP32);

  g_assert_nonnull (sim);
  g_assert_nonnull (sim32);
  g_assert_true (sim != sim32);
  g_assert_true (esprit_port_model_get_virtual_board (model, ESPRIT_CHIP_ESP8266) == sim);
  g_assert_true (esprit_port_model_get_virtual_board (other, ESPRIT_CHIP_ESP8266) != sim);

  transport = esprit_port_registry_open (esprit_port_model_get_registry (model), "sim:esp8266",
                                         115200, &error);
  g_assert_no_error (error);
  g_assert_true (esprit_sim_transport_get_sim (transport) == sim);
}

/* The virtual classroom: 8 boards, each a board of its own with its own MAC; one pulled out
 * leaves the list and loses its link, plugged in again it is back in its place. */
static void
test_classroom (void)
{
  g_autoptr(EspritPortModel) model = esprit_port_model_new ();
  GListModel *boards = esprit_port_model_get_classroom (model);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(EspritPortItem) fourth = NULL;
  g_autoptr(EspritPortItem) back = NULL;
  g_autoptr(EspritTransport) transport = NULL;
  g_autoptr(GError) error = NULL;
  guint8 byte = 0xC0;
  EspritSim *sim;

  g_assert_cmpuint (g_list_model_get_n_items (boards), ==, 8);
  for (guint k = 1; k <= 8; k++)
    {
      g_autoptr(EspritPortItem) item = g_list_model_get_item (boards, k - 1);

      g_assert_cmpint (esprit_port_item_get_kind (item), ==, ESPRIT_PORT_KIND_VIRTUAL);
      g_assert_true (g_hash_table_add (ids, (gpointer) esprit_port_item_get_id (item)));
      sim = esprit_port_model_get_classroom_board (model, k);
      g_assert_true (esprit_port_model_get_classroom_board (model, k) == sim);
      for (guint j = 1; j < k; j++)
        g_assert_true (esprit_port_model_get_classroom_board (model, j) != sim);
      g_assert_cmpuint (esprit_sim_get_config (sim)->mac[5], ==, k);
    }

  fourth = g_list_model_get_item (boards, 3);
  sim = esprit_port_model_get_classroom_board (model, 4);
  transport = esprit_port_registry_open (esprit_port_model_get_registry (model),
                                         esprit_port_item_get_id (fourth), 115200, &error);
  g_assert_no_error (error);
  g_assert_true (esprit_sim_transport_get_sim (transport) == sim);
  esprit_port_model_classroom_plug (model, 4, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (boards), ==, 7);
  esprit_sim_host_write (sim, &byte, 1, 115200);
  g_assert_cmpint (esprit_sim_host_read (sim, &byte, 1, 115200, 10, NULL, &error), ==, -1);
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED);
  g_clear_error (&error);

  esprit_port_model_classroom_plug (model, 4, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (boards), ==, 8);
  back = g_list_model_get_item (boards, 3);
  g_assert_cmpstr (esprit_port_item_get_id (back), ==, esprit_port_item_get_id (fourth));
  g_assert_cmpint (esprit_sim_host_read (sim, &byte, 1, 115200, 10, NULL, &error), >=, 0);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/port-model/virtual", test_virtual);
  g_test_add_func ("/esprit/port-model/hotplug", test_hotplug);
  g_test_add_func ("/esprit/port-model/ota", test_ota);
  g_test_add_func ("/esprit/port-model/mdns", test_mdns);
  g_test_add_func ("/esprit/port-model/boards", test_boards);
  g_test_add_func ("/esprit/port-model/classroom", test_classroom);
  return g_test_run ();
}

/* test-port-model-udev.c: the window's port list follows udev: a board plugged into an
 * umockdev test bed gains its row, unplugged it loses it
 *
 * Run by umockdev-run (tests/gui/meson.build), which preloads libumockdev.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#ifdef HAVE_UMOCKDEV
#include <umockdev.h>
#endif

#include "esprit-port-model.h"

#ifdef HAVE_UMOCKDEV
static void
wait_for_items (EspritPortModel *model,
                guint            n)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (g_list_model_get_n_items (G_LIST_MODEL (model)) != n &&
         g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static void
test_udev_rows (void)
{
  g_autoptr(UMockdevTestbed) bed = NULL;
  g_autoptr(EspritPortModel) model = NULL;
  g_autoptr(EspritPortItem) item = NULL;
  g_autofree char *board = NULL;
  guint before, position;

  if (!umockdev_in_mock_environment ())
    {
      g_test_skip ("not run by umockdev-run (libumockdev-preload is not loaded): the test bed "
                   "cannot stand in for udev");
      return;
    }
  bed = umockdev_testbed_new ();
  model = esprit_port_model_new ();
  before = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_false (esprit_port_model_find (model, "/dev/ttyUSB0", NULL));

  /* A D1 mini (CH340) is plugged in: its row comes first, named by the bridge. */
  board = umockdev_testbed_add_device (bed, "tty", "ttyUSB0", NULL, "dev", "188:0", NULL,
                                       "DEVNAME", "/dev/ttyUSB0", "ID_BUS", "usb",
                                       "ID_VENDOR_ID", "1a86", "ID_MODEL_ID", "7523",
                                       "ID_MODEL", "USB2.0-Serial", NULL);
  umockdev_testbed_uevent (bed, board, "add");
  wait_for_items (model, before + 1);
  g_assert_true (esprit_port_model_find (model, "/dev/ttyUSB0", &position));
  g_assert_cmpuint (position, ==, 0);
  item = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpuint (esprit_port_item_get_vid (item), ==, 0x1A86);
  g_assert_cmpuint (esprit_port_item_get_pid (item), ==, 0x7523);
  g_assert_cmpstr (esprit_port_item_get_label (item), ==, "USB2.0-Serial (/dev/ttyUSB0)");
  /* A board is preferred to the virtual ones. */
  g_assert_cmpuint (esprit_port_model_get_preferred (model), ==, 0);

  /* Unplugged: the row goes. */
  umockdev_testbed_uevent (bed, board, "remove");
  umockdev_testbed_remove_device (bed, board);
  wait_for_items (model, before);
  g_assert_false (esprit_port_model_find (model, "/dev/ttyUSB0", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, before);
}
#else
static void
test_udev_rows (void)
{
  g_test_skip ("built without libgudev-1.0-dev, libumockdev-dev or umockdev-run: no udev "
               "test bed to plug boards into");
}
#endif

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/port-model-udev/rows", test_udev_rows);
  return g_test_run ();
}

/* test-port-monitor.c: boards plugged in and out, seen through udev (an umockdev test bed)
 * and by polling (virtual boards on ptys that the sim unplugs)
 *
 * Run by umockdev-run (tests/meson.build), which preloads libumockdev so that the test bed
 * stands in for /sys, /dev and udev's events.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#ifdef HAVE_UMOCKDEV
#include <umockdev.h>
#endif
#include <unistd.h>

#include "esprit-port-monitor.h"
#include "esprit-sim-server.h"
#include "esprit-sim.h"

typedef struct {
  GPtrArray *added;     /* EspritPortInfo */
  GPtrArray *removed;
} Events;

static void
on_added (EspritPortMonitor *monitor,
          EspritPortInfo    *info,
          Events            *ev)
{
  g_ptr_array_add (ev->added, esprit_port_info_copy (info));
}

static void
on_removed (EspritPortMonitor *monitor,
            EspritPortInfo    *info,
            Events            *ev)
{
  g_ptr_array_add (ev->removed, esprit_port_info_copy (info));
}

static void
events_init (Events            *ev,
             EspritPortMonitor *monitor)
{
  ev->added = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);
  ev->removed = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);
  g_signal_connect (monitor, "port-added", G_CALLBACK (on_added), ev);
  g_signal_connect (monitor, "port-removed", G_CALLBACK (on_removed), ev);
}

static void
events_clear (Events *ev)
{
  g_clear_pointer (&ev->added, g_ptr_array_unref);
  g_clear_pointer (&ev->removed, g_ptr_array_unref);
}

/* Runs the main context until *@array holds @n entries or 5 s pass. */
static void
wait_for (GPtrArray **array,
          guint       n)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while ((*array)->len < n && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static gboolean
listed (EspritPortMonitor *monitor,
        const char        *path)
{
  g_autoptr(GPtrArray) ports = esprit_port_monitor_dup_ports (monitor);

  for (guint i = 0; i < ports->len; i++)
    if (g_str_equal (((EspritPortInfo *) ports->pdata[i])->path, path))
      return TRUE;
  return FALSE;
}

#ifdef HAVE_UMOCKDEV
/* A USB serial port as udev describes it (the properties of its usb_id builtin). */
static char *
add_usb_tty (UMockdevTestbed *bed,
             const char      *name,
             const char      *vid,
             const char      *pid,
             const char      *serial,
             const char      *product_enc)
{
  g_autofree char *devname = g_strconcat ("/dev/", name, NULL);

  return umockdev_testbed_add_device (bed, "tty", name, NULL,
                                      /* attributes */
                                      "dev", "188:0", NULL,
                                      /* properties */
                                      "DEVNAME", devname, "ID_BUS", "usb",
                                      "ID_VENDOR_ID", vid, "ID_MODEL_ID", pid,
                                      "ID_SERIAL_SHORT", serial, "ID_MODEL_ENC", product_enc,
                                      "ID_VENDOR_ENC", "Silicon\\x20Labs", NULL);
}

static gboolean
need_umockdev (void)
{
  if (umockdev_in_mock_environment ())
    return TRUE;
  g_test_skip ("not run by umockdev-run (libumockdev-preload is not loaded): the test bed "
               "cannot stand in for udev");
  return FALSE;
}

static void
test_udev_hotplug (void)
{
  g_autoptr(UMockdevTestbed) bed = NULL;
  g_autoptr(EspritPortMonitor) monitor = NULL;
  g_autofree char *cp2102 = NULL, *gps = NULL, *console = NULL, *ch340 = NULL;
  EspritPortInfo *info;
  Events ev;

  if (!need_umockdev ())
    return;
  bed = umockdev_testbed_new ();
  cp2102 = add_usb_tty (bed, "ttyUSB0", "10c4", "ea60", "0001",
                        "CP2102\\x20USB\\x20to\\x20UART\\x20Bridge\\x20Controller");
  /* A u-blox GPS receiver: a USB serial port, but no ESP bridge. */
  gps = add_usb_tty (bed, "ttyACM0", "1546", "01a7", "GPS1", "u-blox\\x207");
  /* A virtual console: a tty without a device behind it, never a port. */
  console = umockdev_testbed_add_device (bed, "tty", "tty0", NULL, "dev", "4:0", NULL,
                                         "DEVNAME", "/dev/tty0", NULL);

  monitor = esprit_port_monitor_new (ESPRIT_PORT_MONITOR_AUTO);
  g_assert_cmpint (esprit_port_monitor_get_backend (monitor), ==, ESPRIT_PORT_MONITOR_UDEV);
  events_init (&ev, monitor);
  g_assert_true (listed (monitor, "/dev/ttyUSB0"));
  g_assert_true (listed (monitor, "/dev/ttyACM0"));
  g_assert_false (listed (monitor, "/dev/tty0"));
  {
    g_autoptr(GPtrArray) ports = esprit_port_monitor_dup_ports (monitor);

    info = ports->pdata[1];
    g_assert_cmpstr (info->path, ==, "/dev/ttyUSB0");
    g_assert_cmpuint (info->vid, ==, 0x10C4);
    g_assert_cmpuint (info->pid, ==, 0xEA60);
    g_assert_cmpstr (info->serial, ==, "0001");
    g_assert_cmpstr (info->label, ==, "CP2102 USB to UART Bridge Controller — Silicon Labs");
  }

  /* Only ESP bridges: the GPS goes. */
  esprit_port_monitor_set_esp_only (monitor, TRUE);
  g_assert_cmpuint (ev.removed->len, ==, 1);
  g_assert_cmpstr (((EspritPortInfo *) ev.removed->pdata[0])->path, ==, "/dev/ttyACM0");
  g_assert_false (listed (monitor, "/dev/ttyACM0"));

  /* A CH340 board is plugged in. */
  ch340 = add_usb_tty (bed, "ttyUSB1", "1a86", "7523", "5A7B", "USB\\x20Serial");
  umockdev_testbed_uevent (bed, ch340, "add");
  wait_for (&ev.added, 1);
  g_assert_cmpuint (ev.added->len, ==, 1);
  info = ev.added->pdata[0];
  g_assert_cmpstr (info->path, ==, "/dev/ttyUSB1");
  g_assert_cmpuint (info->vid, ==, 0x1A86);
  g_assert_cmpuint (info->pid, ==, 0x7523);
  g_assert_cmpstr (info->serial, ==, "5A7B");
  g_assert_true (listed (monitor, "/dev/ttyUSB1"));

  /* Another GPS: filtered out, no signal. */
  umockdev_testbed_uevent (bed, gps, "add");
  /* The CP2102 board is unplugged: removed with the ids it had. */
  umockdev_testbed_uevent (bed, cp2102, "remove");
  umockdev_testbed_remove_device (bed, cp2102);
  wait_for (&ev.removed, 2);
  g_assert_cmpuint (ev.removed->len, ==, 2);
  info = ev.removed->pdata[1];
  g_assert_cmpstr (info->path, ==, "/dev/ttyUSB0");
  g_assert_cmpuint (info->vid, ==, 0x10C4);
  g_assert_cmpstr (info->serial, ==, "0001");
  g_assert_false (listed (monitor, "/dev/ttyUSB0"));
  g_assert_cmpuint (ev.added->len, ==, 1);
  g_assert_false (listed (monitor, "/dev/ttyACM0"));
  events_clear (&ev);
}
#else
static void
test_udev_hotplug (void)
{
  g_test_skip ("built without libgudev-1.0-dev, libumockdev-dev or umockdev-run: "
               "no udev test bed to plug boards into");
}
#endif

typedef struct {
  EspritSim     *sim;
  int            master;
  volatile gint  stop;
  GThread       *thread;
  char          *slave;
} PtyBoard;

static gpointer
serve (gpointer data)
{
  PtyBoard *b = data;

  esprit_sim_serve_pty (b->sim, b->master, &b->stop);
  return NULL;
}

static void
pty_board_start (PtyBoard *b)
{
  EspritSimConfig config = { ESPRIT_CHIP_ESP8266, 0, { 0 }, FALSE, NULL, TRUE };
  g_autoptr(GError) error = NULL;

  b->sim = esprit_sim_new (&config, &error);
  g_assert_no_error (error);
  b->master = esprit_sim_pty_open (&b->slave, &error);
  g_assert_no_error (error);
  b->thread = g_thread_new ("serve", serve, b);
}

/* The board is unplugged: the sim stops serving and closes its side of the pty. */
static void
pty_board_unplug (PtyBoard *b)
{
  g_atomic_int_set (&b->stop, 1);
  g_thread_join (b->thread);
  esprit_sim_pty_unplug (b->master);
  g_clear_object (&b->sim);
  g_clear_pointer (&b->slave, g_free);
}

static void
test_poll_hotplug (void)
{
  g_autofree char *dir = g_dir_make_tmp ("esprit-monitor-XXXXXX", NULL);
  g_autofree char *pattern = g_build_filename (dir, "board*", NULL);
  g_autofree char *link1 = g_build_filename (dir, "board1", NULL);
  g_autofree char *link2 = g_build_filename (dir, "board2", NULL);
  g_autoptr(EspritPortMonitor) monitor = NULL;
  PtyBoard b1 = { 0 }, b2 = { 0 };
  Events ev;

  g_assert_nonnull (dir);
  monitor = esprit_port_monitor_new (ESPRIT_PORT_MONITOR_POLL);
  g_assert_cmpint (esprit_port_monitor_get_backend (monitor), ==, ESPRIT_PORT_MONITOR_POLL);
  esprit_port_monitor_set_interval (monitor, 50);
  esprit_port_monitor_add_pattern (monitor, pattern);
  events_init (&ev, monitor);

  /* Two boards are plugged in, one after the other. */
  pty_board_start (&b1);
  g_assert_cmpint (symlink (b1.slave, link1), ==, 0);
  wait_for (&ev.added, 1);
  pty_board_start (&b2);
  g_assert_cmpint (symlink (b2.slave, link2), ==, 0);
  wait_for (&ev.added, 2);
  g_assert_cmpuint (ev.added->len, ==, 2);
  g_assert_cmpstr (((EspritPortInfo *) ev.added->pdata[0])->path, ==, link1);
  g_assert_cmpstr (((EspritPortInfo *) ev.added->pdata[1])->path, ==, link2);
  g_assert_cmpuint (ev.removed->len, ==, 0);

  /* The first is unplugged: its pty goes away, the link dangles, the monitor says so. */
  pty_board_unplug (&b1);
  wait_for (&ev.removed, 1);
  g_assert_cmpuint (ev.removed->len, ==, 1);
  g_assert_cmpstr (((EspritPortInfo *) ev.removed->pdata[0])->path, ==, link1);
  g_assert_false (esprit_port_monitor_has_port (monitor, link1));
  g_assert_true (esprit_port_monitor_has_port (monitor, link2));

  pty_board_unplug (&b2);
  wait_for (&ev.removed, 2);
  g_assert_cmpuint (ev.removed->len, ==, 2);
  g_assert_cmpuint (ev.added->len, ==, 2);
  events_clear (&ev);
  g_unlink (link1);
  g_unlink (link2);
  g_rmdir (dir);
}

/* ESPRIT_PORT_MONITOR=poll wins over udev (what a Flatpak-like sandbox needs). */
static void
test_env_forces_polling (void)
{
  g_autoptr(EspritPortMonitor) monitor = NULL;

  g_setenv ("ESPRIT_PORT_MONITOR", "poll", TRUE);
  monitor = esprit_port_monitor_new (ESPRIT_PORT_MONITOR_AUTO);
  g_unsetenv ("ESPRIT_PORT_MONITOR");
  g_assert_cmpint (esprit_port_monitor_get_backend (monitor), ==, ESPRIT_PORT_MONITOR_POLL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/port-monitor/udev-hotplug", test_udev_hotplug);
  g_test_add_func ("/esprit/port-monitor/poll-hotplug", test_poll_hotplug);
  g_test_add_func ("/esprit/port-monitor/env-forces-polling", test_env_forces_polling);
  return g_test_run ();
}

/* test-serial.c: the libserialport transport on a pty, through a test-only interposer
 *
 * libserialport 0.1.1 refuses ptys: it looks the port up under /sys/class/tty/pts/N (absent)
 * and pty masters answer TIOCMGET/TIOCMSET with ENOTTY (TESTING.md). Symbols defined in this
 * executable win over libc's, so the wrappers below redirect the sysfs look-up to a real
 * tty's entry and emulate the modem bits, recording every change with a timestamp.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <asm/termbits.h>

#include "esprit-device-info.h"
#include "esprit-error.h"
#include "esprit-loader.h"
#include "esprit-port-list.h"
#include "esprit-reset.h"
#include "esprit-sim-server.h"
#include "esprit-test-util.h"
#include "esprit-transport-fd.h"

/* ---- interposer (test only) ----------------------------------------------------------- */

typedef struct {
  gint64 t;
  int    bits;
} LineChange;

static const char *sysfs_stand_in;
/* A board whose DTR/RTS pins follow the emulated modem lines. */
static EspritSim *line_sink;
static GArray *changes;
static GMutex changes_lock;

static const char *
redirect (const char *path,
          char       *buf,
          gsize       size)
{
  if (sysfs_stand_in != NULL && path != NULL && g_str_has_prefix (path, "/sys/class/tty/pts/"))
    {
      const char *rest = strchr (path + strlen ("/sys/class/tty/pts/"), '/');

      g_snprintf (buf, size, "%s%s", sysfs_stand_in, rest ? rest : "");
      return buf;
    }
  return path;
}

int __lxstat (int ver, const char *path, struct stat *st);
int
__lxstat (int          ver,
          const char  *path,
          struct stat *st)
{
  static int (*real) (int, const char *, struct stat *);
  char buf[512];

  if (real == NULL)
    real = dlsym (RTLD_NEXT, "__lxstat");
  return real (ver, redirect (path, buf, sizeof buf), st);
}

ssize_t
readlink (const char *path,
          char       *out,
          size_t      size)
{
  static ssize_t (*real) (const char *, char *, size_t);
  char buf[512];

  if (real == NULL)
    real = dlsym (RTLD_NEXT, "readlink");
  return real (redirect (path, buf, sizeof buf), out, size);
}

/* Called by the ioctl() of modem-emulation.h with each new DTR/RTS state. */
static void
modem_lines_changed (int bits)
{
  LineChange c = { g_get_monotonic_time (), bits & (TIOCM_DTR | TIOCM_RTS) };

  g_mutex_lock (&changes_lock);
  if (changes != NULL)
    g_array_append_val (changes, c);
  g_mutex_unlock (&changes_lock);
  if (line_sink != NULL)
    esprit_sim_set_lines (line_sink, !!(bits & TIOCM_DTR), !!(bits & TIOCM_RTS));
}

#include "modem-emulation.h"

/* ---- tests -------------------------------------------------------------------------- */

static EspritTransport *
open_serial (const char *path)
{
  g_autoptr(GError) error = NULL;
  EspritTransport *t;

  t = esprit_transport_serial_open (path, 115200, &error);
  if (t == NULL)
    g_test_message ("libserialport refused %s: %s", path, error->message);
  return t;
}

static gboolean
line (const LineChange *c,
      gboolean          dtr,
      gboolean          rts)
{
  return !!(c->bits & TIOCM_DTR) == dtr && !!(c->bits & TIOCM_RTS) == rts;
}

static void
test_serial_reset_sequences (void)
{
  g_autofree char *slave = NULL;
  int master = posix_openpt (O_RDWR | O_NOCTTY);
  g_autoptr(EspritTransport) t = NULL;
  struct termios2 tio;
  LineChange *c;
  guint n;

  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = g_strdup (ptsname (master));
  t = open_serial (slave);
  if (t == NULL)
    {
      g_test_skip ("no tty entry in sysfs to stand in for the pty");
      close (master);
      return;
    }
  g_assert_true (esprit_transport_has_lines (t));
  g_assert_true (esprit_transport_set_baud (t, 74880, NULL));
  g_assert_cmpint (ioctl (master, TCGETS2, &tio), ==, 0);
  g_assert_cmpuint (tio.c_ospeed, ==, 74880);

  /* Data both ways. */
  g_assert_true (esprit_transport_write (t, (const guint8 *) "ping", 4, NULL, NULL));
  {
    char buf[8];
    guint8 in[8];

    g_usleep (20000);
    g_assert_cmpint (read (master, buf, sizeof buf), ==, 4);
    g_assert_cmpint (write (master, "pong", 4), ==, 4);
    g_assert_cmpint (esprit_transport_read (t, in, sizeof in, 500, NULL, NULL), ==, 4);
    g_assert_cmpmem (in, 4, "pong", 4);
  }

  /* Unix-tight (§3): U0,0 U1,1 U0,1 W0.1 U1,0 W0.05 U0,0 D0, each step one TIOCMSET. */
  changes = g_array_new (FALSE, FALSE, sizeof (LineChange));
  esprit_transport_set_lines (t, FALSE, FALSE, NULL);
  g_array_set_size (changes, 0);
  g_assert_true (esprit_reset_run (t, ESPRIT_RESET_UNIX_TIGHT, 50, NULL, NULL));
  c = (LineChange *) changes->data;
  n = changes->len;
  g_assert_cmpuint (n, ==, 4);
  g_assert_true (line (&c[0], TRUE, TRUE));
  g_assert_true (line (&c[1], FALSE, TRUE));
  g_assert_true (line (&c[2], TRUE, FALSE));
  g_assert_true (line (&c[3], FALSE, FALSE));
  g_assert_cmpint (c[2].t - c[1].t, >=, 100000);
  g_assert_cmpint (c[3].t - c[2].t, >=, 50000);
  g_assert_cmpint (c[3].t - c[2].t, <, 400000);

  /* Classic with the long delay: D0 R1 W0.1 D1 R0 W0.55 D0. */
  g_array_set_size (changes, 0);
  g_assert_true (esprit_reset_run (t, ESPRIT_RESET_CLASSIC, 550, NULL, NULL));
  c = (LineChange *) changes->data;
  g_assert_cmpuint (changes->len, ==, 4);
  g_assert_true (line (&c[0], FALSE, TRUE));
  g_assert_true (line (&c[1], TRUE, TRUE));
  g_assert_true (line (&c[2], TRUE, FALSE));
  g_assert_true (line (&c[3], FALSE, FALSE));
  g_assert_cmpint (c[1].t - c[0].t, >=, 100000);
  g_assert_cmpint (c[3].t - c[2].t, >=, 550000);

  /* USB-Serial/JTAG: passes through (1,1), never (0,0) in the middle. */
  g_array_set_size (changes, 0);
  g_assert_true (esprit_reset_run (t, ESPRIT_RESET_USB_JTAG, 0, NULL, NULL));
  c = (LineChange *) changes->data;
  for (guint i = 0; i + 1 < changes->len; i++)
    g_assert_false (line (&c[i], FALSE, FALSE));

  /* Hard reset: R1 W0.1 R0 with DTR off. */
  g_array_set_size (changes, 0);
  g_assert_true (esprit_reset_run (t, ESPRIT_RESET_HARD, 0, NULL, NULL));
  c = (LineChange *) changes->data;
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_true (line (&c[0], FALSE, TRUE));
  g_assert_true (line (&c[1], FALSE, FALSE));
  g_assert_cmpint (c[1].t - c[0].t, >=, 100000);

  g_clear_pointer (&changes, g_array_unref);
  esprit_transport_close (t);
  close (master);
}

typedef struct {
  EspritSim     *sim;
  int            master;
  volatile gint *stop;
} Serve;

static gpointer
serve_pty (gpointer data)
{
  Serve *s = data;

  esprit_sim_serve_pty (s->sim, s->master, s->stop);
  return NULL;
}

/* The whole library over libserialport, to a virtual board served on a pty. */
static void
test_serial_to_board (void)
{
  /* Lines wired: the interposer's modem bits drive the board's EN and GPIO0. */
  EspritSimConfig config = { ESPRIT_CHIP_ESP8266, 0, { 0 }, FALSE, NULL, TRUE };
  g_autoptr(EspritSim) sim = esprit_sim_new (&config, NULL);
  g_autofree char *slave = NULL;
  volatile gint stop = 0;
  Serve serve = { sim, esprit_sim_pty_open (&slave, NULL), &stop };
  g_autoptr(EspritTransport) t = NULL;
  g_autoptr(EspritLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  guint8 mac[6];
  GThread *server;

  t = open_serial (slave);
  if (t == NULL)
    {
      g_test_skip ("no tty entry in sysfs to stand in for the pty");
      close (serve.master);
      return;
    }
  line_sink = sim;
  server = g_thread_new ("serve", serve_pty, &serve);

  /* The board runs its program: without a reset nothing answers. */
  loader = esprit_loader_new (t);
  g_assert_false (esprit_loader_connect (loader, ESPRIT_BEFORE_NO_RESET, 1, ESPRIT_CHIP_AUTO,
                                         NULL, NULL, NULL, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NO_SYNC);
  g_clear_error (&error);
  g_clear_object (&loader);

  /* The reset sequence through libserialport's lines enters the loader. */
  loader = esprit_loader_new (t);
  g_assert_true (esprit_loader_connect (loader, ESPRIT_BEFORE_DEFAULT_RESET, 3, ESPRIT_CHIP_AUTO,
                                        NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (esprit_sim_get_boot_mode (sim), ==, 1);
  g_assert_true (esprit_device_info_read_mac (loader, mac, NULL, &error));
  g_assert_cmpmem (mac, 6, esprit_sim_get_config (sim)->mac, 6);
  /* And the hard reset after it starts the program. */
  {
    guint resets = esprit_sim_get_reset_count (sim);

    g_assert_true (esprit_loader_hard_reset (loader, &error));
    g_assert_cmpuint (esprit_test_wait_boot (sim, resets), ==, 3);
  }
  line_sink = NULL;
  g_clear_object (&loader);
  esprit_transport_close (t);
  g_atomic_int_set (&stop, 1);
  g_thread_join (server);
  close (serve.master);
}

/* --ports all: the bridges of protocol-facts §11 and every Espressif id, nothing else. */
static void
test_esp_bridges (void)
{
  static const guint16 esp[][2] = {
    { 0x10C4, 0xEA60 }, { 0x10C4, 0xEA70 }, { 0x1A86, 0x7523 }, { 0x1A86, 0x5523 },
    { 0x1A86, 0x55D4 }, { 0x1A86, 0x55D3 }, { 0x0403, 0x6001 }, { 0x0403, 0x6010 },
    { 0x0403, 0x6014 }, { 0x0403, 0x6015 }, { 0x067B, 0x2303 }, { 0x303A, 0x1001 },
    { 0x303A, 0x0002 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (esp); i++)
    g_assert_true (esprit_port_is_esp_bridge (esp[i][0], esp[i][1]));
  /* Not a port of a board: no USB, a USB modem, another FTDI product, a CH341 in I2C mode. */
  g_assert_false (esprit_port_is_esp_bridge (0, 0));
  g_assert_false (esprit_port_is_esp_bridge (0x12D1, 0x1506));
  g_assert_false (esprit_port_is_esp_bridge (0x0403, 0x6011));
  g_assert_false (esprit_port_is_esp_bridge (0x1A86, 0x5512));
  g_assert_cmpstr (esprit_port_bridge_name (0x1A86, 0x55D3), ==, "CH343 USB-Serial");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sysfs_stand_in = g_file_test ("/sys/class/tty/ttyS0", G_FILE_TEST_EXISTS)
                   ? "/sys/class/tty/ttyS0" : "/sys/class/tty/tty0";
  g_test_add_func ("/esprit/serial/reset-sequences", test_serial_reset_sequences);
  g_test_add_func ("/esprit/serial/to-board", test_serial_to_board);
  g_test_add_func ("/esprit/serial/esp-bridges", test_esp_bridges);
  return g_test_run ();
}

/* test-stub-rom.c: Esprit's ESP32, ESP32-S3 and ESP32-C3 stubs on the genuine ROM loaders, in
 * Espressif's QEMU fork (../shared/TESTING.md), driven by the host library over socket://
 *
 * The emulator is not part of the project: each case runs only when an environment variable
 * names the fork's binary, ESPRIT_QEMU_ESP32 or ESPRIT_QEMU_ESP32S3 (its qemu-system-xtensa)
 * or ESPRIT_QEMU_ESP32C3 (its qemu-system-riscv32); without any the program skips. The ROM's own loader
 * takes the stub upload (after SPI_ATTACH), then the stub's register-driven HAL serves a baud
 * change to 921600, a compressed verified write, packed and plain reads, an erased region and
 * an erased chip.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esprit-command.h"
#include "esprit-flash.h"
#include "esprit-test-util.h"
#include "esprit-transport.h"

typedef struct {
  EspritChip       chip;
  const char      *env;
  const char      *machine;
  const char      *strap;      /* -global that selects UART download mode */
  guint32          flash_size;
  /* Boots to try until the ROM answers SYNC, and the SYNC attempts on each: the fork's S3
   * ROM serves UART0 on some boots and never on the others (measured: about one boot in
   * five, at random), so it is booted again until it does. */
  guint            boots;
  guint            attempts;
} Emulated;

static const Emulated esp32 = {
  ESPRIT_CHIP_ESP32, "ESPRIT_QEMU_ESP32", "esp32", "driver=esp32.gpio,property=strap_mode,value=0x0f",
  4u << 20, 1, 10,
};
/* The fork's S3 hangs at boot with a 4 MB flash image; 8 MB boots. */
static const Emulated esp32s3 = {
  ESPRIT_CHIP_ESP32S3, "ESPRIT_QEMU_ESP32S3", "esp32s3",
  "driver=esp32s3.gpio,property=strap_mode,value=0x0", 8u << 20, 40, 2,
};
static const Emulated esp32c3 = {
  ESPRIT_CHIP_ESP32C3, "ESPRIT_QEMU_ESP32C3", "esp32c3",
  "driver=esp32c3.gpio,property=strap_mode,value=0x02", 4u << 20, 1, 10,
};

typedef struct {
  GPid             qemu;
  char            *dir;
  EspritTransport *transport;
  EspritLoader    *loader;
} Board;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static guint16
free_port (void)
{
  struct sockaddr_in sa = { .sin_family = AF_INET };
  socklen_t sl = sizeof sa;
  int s = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (s, (struct sockaddr *) &sa, sizeof sa), ==, 0);
  g_assert_cmpint (getsockname (s, (struct sockaddr *) &sa, &sl), ==, 0);
  close (s);
  return ntohs (sa.sin_port);
}

static void
qemu_stop (Board *b)
{
  int status;

  g_clear_object (&b->loader);
  g_clear_object (&b->transport);
  kill (b->qemu, SIGTERM);
  waitpid (b->qemu, &status, 0);
  g_spawn_close_pid (b->qemu);
}

/* Boots the emulator on the flash image in b->dir and syncs with its ROM loader. */
static gboolean
qemu_boot (Board *b, const Emulated *e, GError **error)
{
  g_autofree char *flash = g_build_filename (b->dir, "flash.bin", NULL);
  g_autofree char *drive = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *port = NULL;
  guint16 tcp = free_port ();
  const char *argv[] = { g_getenv (e->env), "-machine", e->machine, "-display", "none",
                         "-monitor", "none", "-drive", NULL, "-global", e->strap, "-serial", NULL,
                         NULL };

  drive = g_strdup_printf ("file=%s,if=mtd,format=raw", flash);
  serial = g_strdup_printf ("tcp:127.0.0.1:%u,server,nowait", tcp);
  argv[8] = drive;
  argv[12] = serial;
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                      G_SPAWN_STDERR_TO_DEV_NULL, die_with_parent, NULL, &b->qemu, error))
    g_error ("%s", (*error)->message);

  port = g_strdup_printf ("socket://127.0.0.1:%u", tcp);
  for (int i = 0; i < 100 && b->transport == NULL; i++)
    {
      g_clear_error (error);
      b->transport = esprit_transport_open (port, 115200, error);
      if (b->transport == NULL)
        g_usleep (100000);
    }
  if (b->transport == NULL)
    g_error ("%s", (*error)->message);
  b->loader = esprit_loader_new (b->transport);
  return esprit_loader_connect (b->loader, ESPRIT_BEFORE_NO_RESET, e->attempts, e->chip, NULL,
                                NULL, NULL, error);
}

static void
board_start (Board *b, const Emulated *e)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *flash = NULL;
  g_autofree guint8 *erased = g_malloc (e->flash_size);
  guint boot;

  b->dir = g_dir_make_tmp ("esprit-rom-XXXXXX", &error);
  g_assert_no_error (error);
  flash = g_build_filename (b->dir, "flash.bin", NULL);
  memset (erased, 0xFF, e->flash_size);
  g_assert_true (g_file_set_contents (flash, (const char *) erased, e->flash_size, &error));
  for (boot = 1; !qemu_boot (b, e, &error) && boot < e->boots; boot++)
    {
      g_clear_error (&error);
      qemu_stop (b);
    }
  g_assert_no_error (error);
  g_test_message ("the ROM answered on boot %u", boot);
  g_assert_cmpint (esprit_loader_get_kind (b->loader), ==, ESPRIT_LOADER_ROM);

  /* The host attaches the flash through the ROM, uploads the stub, and the stub says OHAI
   * and answers ESPRIT_VERSION. */
  if (!esprit_loader_run_stub (b->loader, NULL, NULL, NULL, &error))
    g_error ("the stub did not start: %s", error->message);
  g_assert_no_error (error);
  g_assert_cmpint (esprit_loader_get_kind (b->loader), ==, ESPRIT_LOADER_ESPRIT_STUB);
  g_assert_true (esprit_loader_change_baud (b->loader, 921600, NULL, &error));
  g_assert_no_error (error);
}

static void
board_stop (Board *b)
{
  g_autofree char *flash = g_build_filename (b->dir, "flash.bin", NULL);

  qemu_stop (b);
  g_unlink (flash);
  g_rmdir (b->dir);
  g_free (b->dir);
}

/* A plain READ_FLASH (§2 "Stub READ_FLASH") by hand, apart from the library's packed read. */
static GBytes *
read_flash_plain (Board *b, guint32 addr, guint32 size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) digest = NULL;
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 req[16], local[16];
  gsize local_len = 16;
  GByteArray *data = g_byte_array_new ();

  esprit_write_le32 (req, addr);
  esprit_write_le32 (req + 4, size);
  esprit_write_le32 (req + 8, 0x1000);
  esprit_write_le32 (req + 12, 4);
  g_assert_true (esprit_loader_command (b->loader, ESPRIT_OP_READ_FLASH, req, 16, 0, 0, 3000,
                                        NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  while (data->len < size)
    {
      g_autoptr(GBytes) frame = esprit_loader_read_frame (b->loader, 5000, NULL, &error);
      guint8 ack[4];

      g_assert_no_error (error);
      g_byte_array_append (data, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
      esprit_write_le32 (ack, data->len);
      g_assert_true (esprit_loader_write_frame (b->loader, ack, 4, NULL, &error));
    }
  digest = esprit_loader_read_frame (b->loader, 5000, NULL, &error);
  g_assert_no_error (error);
  g_checksum_update (md5, data->data, data->len);
  g_checksum_get_digest (md5, local, &local_len);
  g_assert_cmpmem (g_bytes_get_data (digest, NULL), g_bytes_get_size (digest), local, 16);
  return g_byte_array_free_to_bytes (data);
}

static void
assert_erased (Board *b, guint32 addr, guint32 size)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (size);

  g_assert_true (esprit_flash_read (b->loader, addr, size, buf, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint32 i = 0; i < size; i++)
    g_assert_cmpuint (buf[i], ==, 0xFF);
}

static void
test_rom (gconstpointer data)
{
  const Emulated *e = data;
  Board b = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) image = esprit_test_random_bytes (0x30000, 91);
  g_autoptr(GBytes) plain = NULL;
  g_autofree guint8 *packed = g_malloc (0x30000);
  EspritWriteOptions options = ESPRIT_WRITE_OPTIONS_DEFAULT;
  guint8 digest[16];
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, image);
  gboolean ok;

  if (g_getenv (e->env) == NULL)
    {
      g_test_skip ("the emulator is not named");
      return;
    }
  board_start (&b, e);

  /* Compressed write (the stub's inflate and page program), verified by the stub's MD5. */
  options.compress = ESPRIT_COMPRESS_ON;
  options.skip_unchanged = FALSE;
  ok = esprit_flash_write (b.loader, 0x10000, image, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (esprit_flash_md5 (b.loader, 0x10000, 0x30000, digest, NULL, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 16; i++)
    {
      char two[3];

      g_snprintf (two, sizeof two, "%02x", digest[i]);
      g_assert_cmpmem (two, 2, hex + 2 * i, 2);
    }

  /* Reads: Esprit's packed read (the library's choice) and a plain READ_FLASH. */
  g_assert_true (esprit_flash_read (b.loader, 0x10000, 0x30000, packed, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (packed, 0x30000, g_bytes_get_data (image, NULL), 0x30000);
  plain = read_flash_plain (&b, 0x20000, 0x10000);
  g_assert_cmpmem (g_bytes_get_data (plain, NULL), 0x10000,
                   (const guint8 *) g_bytes_get_data (image, NULL) + 0x10000, 0x10000);

  /* A sector and a block erased, then the whole chip. */
  g_assert_true (esprit_flash_erase_region (b.loader, 0x11000, 0x1F000, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_erased (&b, 0x11000, 0x1F000);
  g_assert_true (esprit_flash_read (b.loader, 0x10000, 0x1000, packed, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (packed, 0x1000, g_bytes_get_data (image, NULL), 0x1000);
  g_assert_true (esprit_flash_erase_all (b.loader, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_erased (&b, 0x10000, 0x30000);

  board_stop (&b);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv (esp32.env) == NULL && g_getenv (esp32s3.env) == NULL &&
      g_getenv (esp32c3.env) == NULL)
    {
      /* TAP's way of skipping everything (meson takes exit status 77 for a skip only from
       * plain tests). */
      g_print ("1..0 # SKIP none of %s, %s, %s names Espressif's QEMU\n", esp32.env,
               esp32s3.env, esp32c3.env);
      return 0;
    }
  g_test_add_data_func ("/esprit/stub-rom/esp32", &esp32, test_rom);
  g_test_add_data_func ("/esprit/stub-rom/esp32s3", &esp32s3, test_rom);
  g_test_add_data_func ("/esprit/stub-rom/esp32c3", &esp32c3, test_rom);
  return g_test_run ();
}

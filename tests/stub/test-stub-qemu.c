/* test-stub-qemu.c: the stub core cross-compiled for the lx106 or for 32-bit RISC-V (the
 * ESP32-C3/-C6 flags), run in QEMU, driven by the host library: so the machine code is
 * proven, not only its host twin.
 *
 * QEMU's stdin and stdout (the stub's serial line: semihosting on the lx106, the virt
 * machine's UART on RISC-V) are one end of a TCP connection; the library talks to the other
 * end through its socket:// transport.
 *   test-stub-qemu STUB-QEMU.ELF
 * The ELF's machine picks the emulator. Skips (77) when that QEMU or the ELF is missing.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "esprit-command.h"
#include "esprit-flash.h"
#include "esprit-test-util.h"
#include "esprit-transport.h"

#define QEMU_FLASH (512u * 1024)   /* stub-qemu.c */

#define EM_XTENSA 94
#define EM_RISCV  243

static const char *elf_path;
static guint16 elf_machine;

static void
die_with_parent (gpointer data)
{
  /* The RISC-V machine cannot see the line close: do not outlive a failed test. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

typedef struct {
  GPid             qemu;
  EspritTransport *transport;
  EspritLoader    *loader;
} Board;

static void
board_start (Board *b)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  struct sockaddr_in sa = { .sin_family = AF_INET };
  socklen_t sl = sizeof sa;
  int listener, fd;
  guint8 hello[6];
  const char *xtensa[] = { "qemu-system-xtensa", "-M", "sim", "-cpu", "lx106", "-semihosting",
                           "-nographic", "-monitor", "none", "-kernel", elf_path, NULL };
  const char *riscv[] = { "qemu-system-riscv32", "-M", "virt", "-bios", "none", "-semihosting",
                          "-display", "none", "-monitor", "none", "-serial", "stdio",
                          "-kernel", elf_path, NULL };
  const char **argv = elf_machine == EM_RISCV ? riscv : xtensa;
  int devnull = open ("/dev/null", O_WRONLY);

  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (bind (listener, (struct sockaddr *) &sa, sizeof sa), ==, 0);
  g_assert_cmpint (listen (listener, 1), ==, 0);
  g_assert_cmpint (getsockname (listener, (struct sockaddr *) &sa, &sl), ==, 0);
  port = g_strdup_printf ("socket://127.0.0.1:%u", ntohs (sa.sin_port));
  b->transport = esprit_transport_open (port, 115200, &error);
  g_assert_no_error (error);
  fd = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  close (listener);

  g_spawn_async_with_fds (NULL, (char **) argv, NULL,
                          G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL,
                          &b->qemu, fd, fd, devnull, &error);
  g_assert_no_error (error);
  close (fd);
  close (devnull);

  /* §6: the stub says OHAI first. */
  g_assert_true (esprit_transport_read_exact (b->transport, hello, 6, 20000, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (hello, 6, "\xc0OHAI\xc0", 6);

  b->loader = esprit_loader_new (b->transport);
  g_assert_true (esprit_loader_connect (b->loader, ESPRIT_BEFORE_NO_RESET, 3, ESPRIT_CHIP_ESP8266,
                                        NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* The compiled stub identifies itself as Esprit's. */
  g_assert_cmpint (esprit_loader_get_kind (b->loader), ==, ESPRIT_LOADER_ESPRIT_STUB);
  g_assert_cmpuint (esprit_loader_get_stub_version (b->loader), >=, 1);
}

/* RUN_USER_CODE: the QEMU machine then exits with 0. */
static void
board_stop (Board *b)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_true (esprit_loader_send (b->loader, ESPRIT_OP_RUN_USER_CODE, NULL, 0, 0, NULL, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 2000 && waitpid (b->qemu, &status, WNOHANG) == 0; i++)
    g_usleep (5000);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_spawn_close_pid (b->qemu);
  g_clear_object (&b->loader);
  g_clear_object (&b->transport);
}

/* A plain READ_FLASH (§2 "Stub READ_FLASH") by hand, so that the stub's own streaming and
 * digest are checked apart from the library's choice of the packed read. */
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

static GBytes *
read_flash (Board *b, guint32 addr, guint32 size)
{
  g_autoptr(GError) error = NULL;
  guint8 *buf = g_malloc (size);

  g_assert_true (esprit_flash_read (b->loader, addr, size, buf, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (buf, size);
}

static void
test_write_read_erase (void)
{
  Board b = { 0 };
  g_autoptr(GError) error = NULL;
  /* The virt machine's UART brings the host's bytes in at about 40 us each: less there. */
  gsize image_len = elf_machine == EM_RISCV ? 80000 : 200000;
  guint32 span = elf_machine == EM_RISCV ? 0x20000 : 0x40000;
  g_autoptr(GBytes) image = esprit_test_random_bytes (image_len, 77);
  g_autoptr(GBytes) packed = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(GBytes) erased = NULL;
  g_autofree char *hex = g_compute_checksum_for_bytes (G_CHECKSUM_MD5, image);
  EspritWriteOptions options = ESPRIT_WRITE_OPTIONS_DEFAULT;
  guint8 digest[16];
  gboolean written;

  board_start (&b);

  /* Compressed write (FLASH_DEFL_*: the stub's own inflate), verified by the stub's MD5. */
  options.compress = ESPRIT_COMPRESS_ON;
  options.skip_unchanged = FALSE;
  written = esprit_flash_write (b.loader, 0x10000, image, &options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (written);
  g_assert_true (esprit_flash_md5 (b.loader, 0x10000, image_len, digest, NULL, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 16; i++)
    {
      char two[3];

      g_snprintf (two, sizeof two, "%02x", digest[i]);
      g_assert_cmpmem (two, 2, hex + 2 * i, 2);
    }

  /* Read back: Esprit's packed read (the library's choice) and a plain READ_FLASH. The
   * range includes erased flash on both sides. */
  packed = read_flash (&b, 0x8000, span);
  plain = read_flash_plain (&b, 0x8000, span);
  g_assert_true (g_bytes_equal (packed, plain));
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (packed, NULL) + 0x8000, image_len,
                   g_bytes_get_data (image, NULL), image_len);
  for (gsize i = 0; i < 0x8000; i++)
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (packed, NULL))[i], ==, 0xFF);

  /* Erase a region, then the whole chip. */
  g_assert_true (esprit_flash_erase_region (b.loader, 0x10000, 0x10000, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  erased = read_flash (&b, 0x10000, 0x11000);
  for (gsize i = 0; i < 0x10000; i++)
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (erased, NULL))[i], ==, 0xFF);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (erased, NULL) + 0x10000, 0x1000,
                   (const guint8 *) g_bytes_get_data (image, NULL) + 0x10000, 0x1000);
  g_assert_true (esprit_flash_erase_all (b.loader, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&erased, g_bytes_unref);
  erased = read_flash (&b, 0, QEMU_FLASH);
  for (gsize i = 0; i < QEMU_FLASH; i++)
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (erased, NULL))[i], ==, 0xFF);

  board_stop (&b);
}

/* Uncompressed 16 KiB blocks made only of 0xC0 and 0xDB (twice their size on the wire)
 * pass through the lx106 build of the receive ring (stub-rx.c) whole. */
static void
test_escaped_blocks (void)
{
  Board b = { 0 };
  g_autoptr(GError) error = NULL;
  guint8 *raw = g_malloc (0x10000);
  g_autoptr(GBytes) image = NULL;
  g_autoptr(GBytes) back = NULL;
  EspritWriteOptions options = ESPRIT_WRITE_OPTIONS_DEFAULT;

  for (gsize i = 0; i < 0x10000; i++)
    raw[i] = (i / 0x4000) % 2 ? 0xDB : 0xC0;
  image = g_bytes_new_take (raw, 0x10000);
  board_start (&b);
  options.compress = ESPRIT_COMPRESS_OFF;
  options.skip_unchanged = FALSE;
  g_assert_true (esprit_flash_write (b.loader, 0x20000, image, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  back = read_flash (&b, 0x20000, 0x10000);
  g_assert_true (g_bytes_equal (back, image));
  board_stop (&b);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *qemu = NULL;
  g_autofree char *elf = NULL;
  gsize elf_len = 0;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2 || !g_file_get_contents (argv[1], &elf, &elf_len, NULL) || elf_len < 20)
    {
      g_print ("# no stub ELF for QEMU: skipping\n");
      return 77;
    }
  elf_machine = (guint16) ((guint8) elf[18] | (guint8) elf[19] << 8);
  qemu = g_find_program_in_path (elf_machine == EM_RISCV ? "qemu-system-riscv32"
                                                         : "qemu-system-xtensa");
  if (qemu == NULL)
    {
      g_print ("# no QEMU for this ELF's machine: skipping\n");
      return 77;
    }
  elf_path = argv[1];
  g_test_add_func ("/esprit/stub-qemu/write-read-erase", test_write_read_erase);
  /* The receive ring is the lx106 build's (the RISC-V build reads the virt UART directly). */
  if (elf_machine != EM_RISCV)
    g_test_add_func ("/esprit/stub-qemu/escaped-blocks", test_escaped_blocks);
  return g_test_run ();
}

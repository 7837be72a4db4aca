/* bench-stub.c: the ESP8266 through Esprit's stub, with the virtual board's timing model on:
 * a 4 MB backup holding 1 MB of program (plain READ_FLASH and Esprit's packed read, at 115200
 * and switched to 921600), restores of a changed and of an unchanged backup, and the
 * 226,272-byte write against the wire+flash limit. Prints numbers; never passes or fails.
 *
 *   bench-stub [--quick|--fast]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "esprit-flash.h"
#include "esprit-sim-private.h"
#include "esprit-test-util.h"

#define FLASH_4MB (4u * 1024 * 1024)

typedef struct {
  EspritSim       *sim;
  EspritTransport *transport;
  EspritLoader    *loader;
  double           connect_s;   /* reset, sync, stub upload, baud switch */
} Session;

/* Connects at 115200 as the seed does, starts the stub, switches to @baud. */
static void
session_open (Session *s, EspritSim *sim, guint baud)
{
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  s->sim = sim;
  s->transport = esprit_sim_transport_new (sim, 115200);
  s->loader = esprit_loader_new (s->transport);
  if (!esprit_loader_connect (s->loader, ESPRIT_BEFORE_DEFAULT_RESET, 0, ESPRIT_CHIP_ESP8266, NULL,
                              NULL, NULL, &error) ||
      !esprit_loader_run_stub (s->loader, NULL, NULL, NULL, &error) ||
      (baud != 115200 && !esprit_loader_change_baud (s->loader, baud, NULL, &error)))
    g_error ("connect: %s", error->message);
  g_assert_cmpint (esprit_loader_get_kind (s->loader), ==, ESPRIT_LOADER_ESPRIT_STUB);
  s->connect_s = (g_get_monotonic_time () - t0) / 1e6;
}

static void
session_close (Session *s)
{
  g_clear_object (&s->loader);
  g_clear_object (&s->transport);
}

static EspritSim *
board_with (GBytes *content)
{
  EspritSimConfig config = { ESPRIT_CHIP_ESP8266, FLASH_4MB, { 0 }, TRUE, NULL, TRUE };
  EspritSim *sim = esprit_sim_new (&config, NULL);
  gsize size;
  guint8 *flash = _esprit_sim_flash (sim, &size);

  memset (flash, 0xFF, size);
  if (content)
    memcpy (flash, g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  return sim;
}

static const guint8 *
flash_of (EspritSim *sim)
{
  gsize size;

  return _esprit_sim_flash (sim, &size);
}

static void
wire_since (EspritSim *sim, guint64 *b0, guint64 *h0, guint64 *out, guint64 *in)
{
  guint64 b1, h1;

  esprit_sim_get_wire_counts (sim, &b1, &h1);
  *out = b1 - *b0;
  *in = h1 - *h0;
}

static void
bench_backup (GBytes *program, guint baud, gboolean packed, guint32 size)
{
  g_autoptr(EspritSim) sim = board_with (program);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (size);
  Session s = { 0 };
  guint64 b0, h0, out, in;
  gint64 t0;
  double secs;

  session_open (&s, sim, baud);
  if (!packed)
    esprit_loader_disable_extensions (s.loader);
  esprit_sim_get_wire_counts (sim, &b0, &h0);
  t0 = g_get_monotonic_time ();
  if (!esprit_flash_read (s.loader, 0, size, buf, NULL, NULL, NULL, &error))
    g_error ("read: %s", error->message);
  secs = (g_get_monotonic_time () - t0) / 1e6;
  wire_since (sim, &b0, &h0, &out, &in);
  g_assert_cmpmem (buf, size, flash_of (sim), size);
  printf ("backup  %4u KB %-6s %6u baud  read %7.2f s (+%.2f s connect, stub, baud) = %7.2f s"
          "  wire in %8" G_GUINT64_FORMAT " B  raw limit %7.2f s\n",
          size / 1024, packed ? "packed" : "plain", baud, secs, s.connect_s, secs + s.connect_s,
          in, size * 10.0 / baud);
  fflush (stdout);
  session_close (&s);
}

static void
bench_restore (GBytes *backup, GBytes *on_board, const char *what, guint baud)
{
  g_autoptr(EspritSim) sim = board_with (on_board);
  g_autoptr(GError) error = NULL;
  EspritWriteOptions opts = { ESPRIT_COMPRESS_AUTO, TRUE, TRUE, NULL };
  Session s = { 0 };
  guint64 b0, h0, out, in;
  gint64 t0;
  double secs;

  session_open (&s, sim, baud);
  esprit_sim_get_wire_counts (sim, &b0, &h0);
  t0 = g_get_monotonic_time ();
  if (!esprit_flash_write (s.loader, 0, backup, &opts, NULL, NULL, NULL, &error))
    g_error ("restore: %s", error->message);
  secs = (g_get_monotonic_time () - t0) / 1e6;
  wire_since (sim, &b0, &h0, &out, &in);
  g_assert_cmpmem (flash_of (sim), g_bytes_get_size (backup),
                   g_bytes_get_data (backup, NULL), g_bytes_get_size (backup));
  printf ("restore 4 MB backup, %-22s %6u baud  write %6.2f s (+%.2f s connect) = %6.2f s"
          "  wire out %8" G_GUINT64_FORMAT " B\n",
          what, baud, secs, s.connect_s, secs + s.connect_s, out);
  fflush (stdout);
  session_close (&s);
}

/* The wire+flash limit of bench-write: the compressed payload's wire time plus the flash's
 * erase and program time. The stub writes while the next block arrives, so it can beat this;
 * *@overlap is the bound with full overlap (the slower of the two). */
static double
limit_seconds (gsize data_len, gsize payload_len, guint baud, double *overlap)
{
  gsize sectors = (data_len + 4095) / 4096;
  gsize blocks = sectors / 16, rest = sectors % 16;
  double erase = (blocks * SIM_BLOCK_ERASE_US + rest * SIM_SECTOR_ERASE_US) / 1e6;
  double program = ((data_len + 255) / 256) * SIM_PAGE_PROGRAM_US / 1e6;
  double wire = payload_len * 10.0 / baud;

  *overlap = MAX (wire, erase + program);
  return wire + erase + program;
}

static void
bench_write (GBytes *img, guint baud)
{
  g_autoptr(EspritSim) sim = board_with (NULL);
  g_autoptr(GError) error = NULL;
  EspritWriteOptions opts = { ESPRIT_COMPRESS_AUTO, TRUE, FALSE, NULL };
  gsize len = g_bytes_get_size (img);
  uLongf clen = compressBound (len);
  g_autofree guint8 *tmp = g_malloc (clen);
  Session s = { 0 };
  guint64 b0, h0, out, in;
  gint64 t0;
  double secs, limit, overlap;

  compress2 (tmp, &clen, g_bytes_get_data (img, NULL), len, 9);
  session_open (&s, sim, baud);
  esprit_sim_get_wire_counts (sim, &b0, &h0);
  t0 = g_get_monotonic_time ();
  if (!esprit_flash_write (s.loader, 0, img, &opts, NULL, NULL, NULL, &error))
    g_error ("write: %s", error->message);
  secs = (g_get_monotonic_time () - t0) / 1e6;
  wire_since (sim, &b0, &h0, &out, &in);
  limit = limit_seconds (len, clen, baud, &overlap);
  printf ("write   %8zu B compressed  %6u baud  %6.2f s  wire out %7" G_GUINT64_FORMAT
          " B  limit %6.2f s  ratio %.3f  (overlapped bound %.2f s, ratio %.3f)\n", len, baud,
          secs, out, limit, secs / limit, overlap, secs / overlap);
  fflush (stdout);
  session_close (&s);
}

/* An image of @size bytes whose content compresses like firmware: real lx106 code from
 * make-code-corpus.sh behind an ESP8266 image header; the test images (random-ish, barely
 * compressible) where that cannot run. */
static GBytes *
firmware_like (gsize size, guint32 seed, const char **what)
{
  g_autofree char *script = g_build_filename (g_getenv ("ESPRIT_SOURCE_DIR") ? g_getenv ("ESPRIT_SOURCE_DIR") : ".",
                                              "tests", "bench", "make-code-corpus.sh", NULL);
  g_autofree char *out = g_build_filename (g_get_tmp_dir (), "esprit-bench-corpus.bin", NULL);
  g_autofree char *size_s = g_strdup_printf ("%zu", size);
  g_autofree char *data = NULL;
  GBytes *img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, size, 4, FALSE, seed);
  const char *argv[] = { "sh", script, out, size_s, NULL };
  gsize len = 0;
  int status = -1;

  if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                    &status, NULL) && status == 0 &&
      g_file_get_contents (out, &data, &len, NULL) && len == size)
    {
      guint8 *d = g_memdup2 (g_bytes_get_data (img, NULL), size);

      /* Keep the image header (and its first segment header) so it is still an image. */
      memcpy (d + 64, data + 64, size - 64);
      g_bytes_unref (img);
      img = g_bytes_new_take (d, size);
      *what = "lx106 machine code (picolibc)";
    }
  else
    *what = "synthetic test image (barely compressible)";
  g_unlink (out);
  return img;
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = argc > 1 && g_str_equal (argv[1], "--quick");
  const char *what = NULL, *what_blink = NULL;
  g_autoptr(GBytes) program = firmware_like (quick ? 65536 : 1024 * 1024, 11, &what);
  g_autoptr(GBytes) blink = firmware_like (226272, 12, &what_blink);
  g_autofree guint8 *backup_data = g_malloc (FLASH_4MB);
  g_autofree guint8 *changed_data = NULL;
  g_autoptr(GBytes) backup = NULL;
  g_autoptr(GBytes) changed = NULL;

  memset (backup_data, 0xFF, FLASH_4MB);
  memcpy (backup_data, g_bytes_get_data (program, NULL), g_bytes_get_size (program));
  backup = g_bytes_new (backup_data, FLASH_4MB);
  /* Since the backup, another program was flashed over the start of it. */
  changed_data = g_memdup2 (backup_data, FLASH_4MB);
  memset (changed_data, 0xFF, 256 * 1024);
  memcpy (changed_data, g_bytes_get_data (blink, NULL), g_bytes_get_size (blink));
  changed = g_bytes_new (changed_data, FLASH_4MB);

  printf ("# ESP8266 through Esprit's stub (timing model on); program %zu B in a 4 MB flash\n"
          "# program content: %s\n", g_bytes_get_size (program), what);
  if (quick)
    {
      bench_backup (program, 921600, TRUE, 256 * 1024);
      bench_write (blink, 921600);
      return 0;
    }
  bench_backup (program, 921600, TRUE, FLASH_4MB);
  bench_backup (program, 921600, FALSE, FLASH_4MB);
  bench_backup (program, 115200, TRUE, FLASH_4MB);
  /* Six minutes of plain reading at 115200; --fast leaves it out. */
  if (!(argc > 1 && g_str_equal (argv[1], "--fast")))
    bench_backup (program, 115200, FALSE, FLASH_4MB);
  bench_restore (backup, backup, "unchanged", 921600);
  bench_restore (backup, changed, "changed (Blink over it)", 921600);
  bench_restore (backup, NULL, "onto an erased flash", 921600);
  bench_write (blink, 115200);
  bench_write (blink, 921600);
  return 0;
}

/* bench-stub.c: every chip through Esprit's stub, with the virtual board's timing model on
 * (each chip's CPU clock and flash read costs: protocol/sim/esprit-sim-stub.c): a 4 MB backup
 * holding 1 MB of program at 921600 (Esprit's packed read), the 226,272-byte and 1 MB writes
 * against the serial wire+flash limit, and the restore of an unchanged backup; each against
 * the same operation through the chip's ROM loader (the ratio the stub wins). On the ESP8266
 * also the plain READ_FLASH, 115200 and a restore over a changed board. Prints numbers; never
 * passes or fails.
 *
 *   bench-stub [--quick|--fast] [CHIP...]
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
#define FAST_BAUD 921600
/* The ROM's READ_FLASH_SLOW moves 64 bytes a command: its 4 MB backup is timed over this much
 * and scaled (the rate is the same all the way: every command is alike). */
#define ROM_READ_SAMPLE (256u * 1024)

typedef struct {
  EspritSim       *sim;
  EspritTransport *transport;
  EspritLoader    *loader;
  double           connect_s;   /* reset, sync, (stub upload), baud switch */
} Session;

/* Connects at 115200 as the seed does, starts the stub (unless @rom), switches to @baud; the
 * ESP8266's ROM cannot switch, so it is reached at @baud directly (it detects the rate from
 * SYNC). */
static void
session_open (Session *s, EspritSim *sim, guint baud, gboolean rom)
{
  g_autoptr(GError) error = NULL;
  EspritChip chip = esprit_sim_get_config (sim)->chip;
  gboolean direct = rom && chip == ESPRIT_CHIP_ESP8266;
  gint64 t0 = g_get_monotonic_time ();

  s->sim = sim;
  s->transport = esprit_sim_transport_new (sim, direct ? baud : 115200);
  s->loader = esprit_loader_new (s->transport);
  if (!esprit_loader_connect (s->loader, ESPRIT_BEFORE_DEFAULT_RESET, 0, chip, NULL,
                              NULL, NULL, &error) ||
      (!rom && !esprit_loader_run_stub (s->loader, NULL, NULL, NULL, &error)) ||
      (baud != 115200 && !direct && !esprit_loader_change_baud (s->loader, baud, NULL, &error)))
    g_error ("connect: %s", error->message);
  g_assert_cmpint (esprit_loader_get_kind (s->loader), ==,
                   rom ? ESPRIT_LOADER_ROM : ESPRIT_LOADER_ESPRIT_STUB);
  s->connect_s = (g_get_monotonic_time () - t0) / 1e6;
}

static void
session_close (Session *s)
{
  g_clear_object (&s->loader);
  g_clear_object (&s->transport);
}

static EspritSim *
board_with (EspritChip chip, GBytes *content)
{
  EspritSimConfig config = { chip, FLASH_4MB, { 0 }, TRUE, NULL, TRUE };
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

static const char *
chip_name (EspritChip chip)
{
  return esprit_chip_get_info (chip)->name;
}

/* Reads @size bytes (timing @sample of them and scaling when @sample < @size); returns the
 * seconds of the read alone. */
static double
bench_backup (EspritChip chip, GBytes *program, guint baud, gboolean packed, gboolean rom,
              guint32 size, guint32 sample)
{
  g_autoptr(EspritSim) sim = board_with (chip, program);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (sample);
  Session s = { 0 };
  guint64 b0, h0, out, in;
  gint64 t0;
  double secs;

  session_open (&s, sim, baud, rom);
  if (!packed)
    esprit_loader_disable_extensions (s.loader);
  esprit_sim_get_wire_counts (sim, &b0, &h0);
  t0 = g_get_monotonic_time ();
  if (!esprit_flash_read (s.loader, 0, sample, buf, NULL, NULL, NULL, &error))
    g_error ("read: %s", error->message);
  secs = (g_get_monotonic_time () - t0) / 1e6 * size / sample;
  wire_since (sim, &b0, &h0, &out, &in);
  g_assert_cmpmem (buf, sample, flash_of (sim), sample);
  printf ("%-9s backup  %4u KB %-6s %-4s %6u baud  read %7.2f s%s (+%.2f s connect) = %7.2f s"
          "  wire in %8" G_GUINT64_FORMAT " B  raw limit %7.2f s\n",
          chip_name (chip), size / 1024, packed ? "packed" : "plain", rom ? "ROM" : "stub", baud,
          secs, sample < size ? " (scaled)" : "", s.connect_s, secs + s.connect_s,
          in * (size / sample), size * 10.0 / baud);
  fflush (stdout);
  session_close (&s);
  return secs + s.connect_s;
}

static double
bench_restore (EspritChip chip, GBytes *backup, GBytes *on_board, const char *what, guint baud,
               gboolean rom)
{
  g_autoptr(EspritSim) sim = board_with (chip, on_board);
  g_autoptr(GError) error = NULL;
  EspritWriteOptions opts = { ESPRIT_COMPRESS_AUTO, TRUE, TRUE, NULL };
  Session s = { 0 };
  guint64 b0, h0, out, in;
  gint64 t0;
  double secs;

  session_open (&s, sim, baud, rom);
  esprit_sim_get_wire_counts (sim, &b0, &h0);
  t0 = g_get_monotonic_time ();
  if (!esprit_flash_write (s.loader, 0, backup, &opts, NULL, NULL, NULL, &error))
    g_error ("restore: %s", error->message);
  secs = (g_get_monotonic_time () - t0) / 1e6;
  wire_since (sim, &b0, &h0, &out, &in);
  g_assert_cmpmem (flash_of (sim), g_bytes_get_size (backup),
                   g_bytes_get_data (backup, NULL), g_bytes_get_size (backup));
  printf ("%-9s restore 4 MB backup, %-22s %-4s %6u baud  write %6.2f s (+%.2f s connect) = "
          "%6.2f s  wire out %8" G_GUINT64_FORMAT " B\n",
          chip_name (chip), what, rom ? "ROM" : "stub", baud, secs, s.connect_s,
          secs + s.connect_s, out);
  fflush (stdout);
  session_close (&s);
  return secs + s.connect_s;
}

/* The wire+flash limit of bench-write: the payload's wire time plus the flash's erase and
 * program time. The stub writes while the next block arrives, so it can beat this;
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

/* Returns the write's seconds over the wire+flash limit (*@secs: the write alone). */
static double
bench_write (EspritChip chip, GBytes *img, guint baud, gboolean rom, double *secs)
{
  g_autoptr(EspritSim) sim = board_with (chip, NULL);
  g_autoptr(GError) error = NULL;
  EspritWriteOptions opts = { ESPRIT_COMPRESS_AUTO, TRUE, FALSE, NULL };
  gsize len = g_bytes_get_size (img);
  uLongf clen = compressBound (len);
  g_autofree guint8 *tmp = g_malloc (clen);
  Session s = { 0 };
  guint64 b0, h0, out, in;
  gint64 t0;
  double limit, overlap;

  /* §8: the ESP8266's ROM has no compressed write; its limit is the plain payload's. */
  if (rom && chip == ESPRIT_CHIP_ESP8266)
    clen = len;
  else
    compress2 (tmp, &clen, g_bytes_get_data (img, NULL), len, 9);
  session_open (&s, sim, baud, rom);
  esprit_sim_get_wire_counts (sim, &b0, &h0);
  t0 = g_get_monotonic_time ();
  if (!esprit_flash_write (s.loader, 0, img, &opts, NULL, NULL, NULL, &error))
    g_error ("write: %s", error->message);
  *secs = (g_get_monotonic_time () - t0) / 1e6;
  wire_since (sim, &b0, &h0, &out, &in);
  g_assert_cmpmem (flash_of (sim), len, g_bytes_get_data (img, NULL), len);
  limit = limit_seconds (len, clen, baud, &overlap);
  printf ("%-9s write   %8zu B %-4s %6u baud  %6.2f s  wire out %7" G_GUINT64_FORMAT
          " B  limit %6.2f s  ratio %.3f  (overlapped bound %.2f s, ratio %.3f)\n",
          chip_name (chip), len, rom ? "ROM" : "stub", baud, *secs, out, limit, *secs / limit,
          overlap, *secs / overlap);
  fflush (stdout);
  session_close (&s);
  return *secs / limit;
}

/* An image of @size bytes whose content compresses like firmware: real lx106 code from
 * make-code-corpus.sh behind the chip's image header (the same Xtensa code for the RISC-V
 * chips: it stands for the compressibility, not the instruction set); the test images
 * (random-ish, barely compressible) where that cannot run. */
static GBytes *
firmware_like (EspritChip chip, gsize size, guint32 seed, const char **what)
{
  /* The corpus is made once (it unpacks a whole libc) and sliced for every image. */
  static GBytes *corpus;
  static gboolean tried;
  GBytes *img = esprit_test_make_image (chip, size, 4, FALSE, seed);

  if (!tried)
    {
      g_autofree char *script = g_build_filename (g_getenv ("ESPRIT_SOURCE_DIR") ? g_getenv ("ESPRIT_SOURCE_DIR") : ".",
                                                  "tests", "bench", "make-code-corpus.sh", NULL);
      g_autofree char *out = g_build_filename (g_get_tmp_dir (), "esprit-bench-corpus.bin", NULL);
      g_autofree char *size_s = g_strdup_printf ("%u", 1024 * 1024);
      const char *argv[] = { "sh", script, out, size_s, NULL };
      char *data = NULL;
      gsize len = 0;
      int status = -1;

      tried = TRUE;
      if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                        &status, NULL) && status == 0 &&
          g_file_get_contents (out, &data, &len, NULL) && len == 1024 * 1024)
        corpus = g_bytes_new_take (data, len);
      else
        g_free (data);
      g_unlink (out);
    }
  if (corpus && size <= g_bytes_get_size (corpus))
    {
      guint8 *d = g_memdup2 (g_bytes_get_data (img, NULL), size);

      /* Keep the image header (and its first segment header) so it is still an image; a
       * different slice for each seed. */
      memcpy (d + 64, (const guint8 *) g_bytes_get_data (corpus, NULL) + 64 +
                      (seed * 4096u) % (g_bytes_get_size (corpus) - size + 1), size - 64);
      g_bytes_unref (img);
      img = g_bytes_new_take (d, size);
      *what = "lx106 machine code (picolibc)";
    }
  else
    *what = "synthetic test image (barely compressible)";
  return img;
}

/* "3.2 ×", or "–" when there is nothing to compare with. */
static const char *
ratio (char *buf, gsize size, double rom, double stub)
{
  if (rom <= 0)
    return "–";
  g_snprintf (buf, size, "%.1f ×", rom / stub);
  return buf;
}

/* "8.85 s", or @none when the ROM cannot do it. */
static const char *
seconds (char *buf, gsize size, double secs, const char *none)
{
  if (secs <= 0)
    return none;
  g_snprintf (buf, size, "%.2f s", secs);
  return buf;
}

/* The table of one chip: stub and ROM, and the ratio the stub wins. */
static void
bench_chip (EspritChip chip, gboolean quick, gboolean fast, GString *table)
{
  const char *what = NULL, *what_blink = NULL;
  g_autoptr(GBytes) program = firmware_like (chip, quick ? 65536 : 1024 * 1024, 11, &what);
  g_autoptr(GBytes) blink = firmware_like (chip, 226272, 12, &what_blink);
  g_autoptr(GBytes) big = NULL;
  g_autofree guint8 *backup_data = g_malloc (FLASH_4MB);
  g_autoptr(GBytes) backup = NULL;
  gboolean rom_reads = esprit_chip_get_info (chip)->rom_caps & ESPRIT_ROM_CAN_READ_SLOW;
  guint32 size = quick ? 256 * 1024 : FLASH_4MB;
  double stub_s, rom_s, w1, w2, r1, r2, secs, rom_secs;
  char buf[32], rom_buf[32];

  printf ("# %s (timing model on); program %zu B in a 4 MB flash; program content: %s\n",
          chip_name (chip), g_bytes_get_size (program), what);
  stub_s = bench_backup (chip, program, FAST_BAUD, TRUE, FALSE, size, size);
  rom_s = rom_reads ? bench_backup (chip, program, FAST_BAUD, FALSE, TRUE, size,
                                    quick ? 8192 : ROM_READ_SAMPLE) : 0;
  g_string_append_printf (table, "| %s | %u KB backup at %u | %.2f s | %s | %s |\n",
                          chip_name (chip), size / 1024, FAST_BAUD, stub_s,
                          seconds (rom_buf, sizeof rom_buf, rom_s, "no ROM read"),
                          ratio (buf, sizeof buf, rom_s, stub_s));
  w1 = bench_write (chip, blink, FAST_BAUD, FALSE, &secs);
  w2 = bench_write (chip, blink, FAST_BAUD, TRUE, &rom_secs);
  g_string_append_printf (table, "| %s | 226,272 B write | %.2f s (%.2f × limit) | %.2f s "
                          "(%.2f × limit) | %.1f × |\n", chip_name (chip), secs, w1, rom_secs,
                          w2, rom_secs / secs);
  if (quick)
    return;
  big = firmware_like (chip, 1024 * 1024, 13, &what);
  w1 = bench_write (chip, big, FAST_BAUD, FALSE, &secs);
  w2 = bench_write (chip, big, FAST_BAUD, TRUE, &rom_secs);
  g_string_append_printf (table, "| %s | 1 MB write | %.2f s (%.2f × limit) | %.2f s "
                          "(%.2f × limit) | %.1f × |\n", chip_name (chip), secs, w1, rom_secs,
                          w2, rom_secs / secs);

  memset (backup_data, 0xFF, FLASH_4MB);
  memcpy (backup_data, g_bytes_get_data (program, NULL), g_bytes_get_size (program));
  backup = g_bytes_new (backup_data, FLASH_4MB);
  r1 = bench_restore (chip, backup, backup, "unchanged", FAST_BAUD, FALSE);
  /* §8: the ESP8266's ROM has no MD5, so it would rewrite all 4 MB: not run. */
  r2 = chip == ESPRIT_CHIP_ESP8266 ? 0
       : bench_restore (chip, backup, backup, "unchanged", FAST_BAUD, TRUE);
  g_string_append_printf (table, "| %s | unchanged 4 MB restore | %.2f s | %s | %s |\n",
                          chip_name (chip), r1, seconds (rom_buf, sizeof rom_buf, r2, "no ROM MD5"),
                          ratio (buf, sizeof buf, r2, r1));

  if (chip != ESPRIT_CHIP_ESP8266)
    return;
  {
    g_autofree guint8 *changed_data = g_memdup2 (backup_data, FLASH_4MB);
    g_autoptr(GBytes) changed = NULL;

    /* Since the backup, another program was flashed over the start of it. */
    memset (changed_data, 0xFF, 256 * 1024);
    memcpy (changed_data, g_bytes_get_data (blink, NULL), g_bytes_get_size (blink));
    changed = g_bytes_new (changed_data, FLASH_4MB);
    bench_backup (chip, program, FAST_BAUD, FALSE, FALSE, FLASH_4MB, FLASH_4MB);
    bench_backup (chip, program, 115200, TRUE, FALSE, FLASH_4MB, FLASH_4MB);
    /* Six minutes of plain reading at 115200; --fast leaves it out. */
    if (!fast)
      bench_backup (chip, program, 115200, FALSE, FALSE, FLASH_4MB, FLASH_4MB);
    bench_restore (chip, backup, changed, "changed (Blink over it)", FAST_BAUD, FALSE);
    bench_restore (chip, backup, NULL, "onto an erased flash", FAST_BAUD, FALSE);
    bench_write (chip, blink, 115200, FALSE, &secs);
  }
}

int
main (int    argc,
      char **argv)
{
  gboolean quick = FALSE, fast = FALSE;
  g_autoptr(GArray) chips = g_array_new (FALSE, FALSE, sizeof (EspritChip));
  g_autoptr(GString) table = g_string_new ("| chip | operation | stub | ROM | stub wins |\n"
                                           "| --- | --- | --- | --- | --- |\n");

  for (int i = 1; i < argc; i++)
    {
      EspritChip chip;

      if (g_str_equal (argv[i], "--quick"))
        quick = TRUE;
      else if (g_str_equal (argv[i], "--fast"))
        fast = TRUE;
      else if (esprit_chip_parse (argv[i], &chip) && chip != ESPRIT_CHIP_AUTO)
        g_array_append_val (chips, chip);
      else
        {
          fprintf (stderr, "usage: bench-stub [--quick|--fast] [CHIP...]\n");
          return 2;
        }
    }
  if (chips->len == 0)
    {
      /* The quick run (in the ordinary suite) keeps one chip of each kind working. */
      static const EspritChip all[] = { ESPRIT_CHIP_ESP8266, ESPRIT_CHIP_ESP32, ESPRIT_CHIP_ESP32S2,
                                        ESPRIT_CHIP_ESP32S3, ESPRIT_CHIP_ESP32C3,
                                        ESPRIT_CHIP_ESP32C6 };
      static const EspritChip some[] = { ESPRIT_CHIP_ESP8266, ESPRIT_CHIP_ESP32 };

      if (quick)
        g_array_append_vals (chips, some, G_N_ELEMENTS (some));
      else
        g_array_append_vals (chips, all, G_N_ELEMENTS (all));
    }
  for (guint i = 0; i < chips->len; i++)
    bench_chip (g_array_index (chips, EspritChip, i), quick, fast, table);
  printf ("\n%s", table->str);
  return 0;
}

/* bench-write.c: write speed against the wire+flash limit, with the virtual board's timing
 * model on (10 bits a byte at the baud rate, loader latency, W25Q32JV erase/program times).
 * Prints ratios; never passes or fails on time.
 *
 *   bench-write [--quick]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "esprit-flash.h"
#include "esprit-sim-private.h"
#include "esprit-test-util.h"

typedef struct {
  EspritChip chip;
  gsize      size;
  guint      baud;
} Case;

/* The least time the write can take: the payload's wire time plus the flash's erase and
 * program time for the data (the loaders cannot overlap them with the wire on a ROM). */
static double
limit_seconds (gsize data_len,
               gsize payload_len,
               guint baud)
{
  gsize sectors = (data_len + 4095) / 4096;
  gsize blocks = sectors / 16, rest = sectors % 16;
  double erase = (blocks * SIM_BLOCK_ERASE_US + rest * SIM_SECTOR_ERASE_US) / 1e6;
  double program = ((data_len + 255) / 256) * SIM_PAGE_PROGRAM_US / 1e6;

  return payload_len * 10.0 / baud + erase + program;
}

static void
run (const Case *c)
{
  EspritSimConfig config = { c->chip, 0, { 0 }, TRUE, NULL, TRUE };
  g_autoptr(EspritSim) sim = esprit_sim_new (&config, NULL);
  g_autoptr(EspritTransport) t = NULL;
  g_autoptr(EspritLoader) loader = NULL;
  g_autoptr(GBytes) img = esprit_test_make_image (c->chip, c->size, 4, c->chip != ESPRIT_CHIP_ESP8266, 9);
  g_autoptr(GError) error = NULL;
  EspritWriteOptions opts = { ESPRIT_COMPRESS_AUTO, TRUE, FALSE, NULL };
  guint64 b0, h0, b1, h1;
  gsize len = g_bytes_get_size (img), payload = len;
  gint64 t0;
  double secs, limit;

  /* Connect at the rate itself: the ROMs detect it from SYNC. */
  t = esprit_sim_transport_new (sim, c->baud);
  loader = esprit_loader_new (t);
  if (!esprit_loader_connect (loader, ESPRIT_BEFORE_DEFAULT_RESET, 0, ESPRIT_CHIP_AUTO, NULL, NULL,
                              NULL, &error))
    g_error ("connect: %s", error->message);
  if (c->chip != ESPRIT_CHIP_ESP8266)
    {
      uLongf clen = compressBound (len);
      g_autofree guint8 *tmp = g_malloc (clen);

      compress2 (tmp, &clen, g_bytes_get_data (img, NULL), len, 9);
      payload = clen;
    }
  esprit_sim_get_wire_counts (sim, &b0, &h0);
  t0 = g_get_monotonic_time ();
  if (!esprit_flash_write (loader, 0, img, &opts, NULL, NULL, NULL, &error))
    g_error ("write: %s", error->message);
  secs = (g_get_monotonic_time () - t0) / 1e6;
  esprit_sim_get_wire_counts (sim, &b1, &h1);
  limit = limit_seconds (len, payload, c->baud);
  printf ("%-8s %8zu B %7u baud  %7.2f s  wire %8" G_GUINT64_FORMAT " B out %6" G_GUINT64_FORMAT
          " B in  limit %7.2f s  ratio %.3f\n",
          esprit_chip_get_info (c->chip)->name, len, c->baud, secs, b1 - b0, h1 - h0, limit,
          secs / limit);
  fflush (stdout);
}

int
main (int    argc,
      char **argv)
{
  static const Case full[] = {
    { ESPRIT_CHIP_ESP8266, 226272, 115200 }, { ESPRIT_CHIP_ESP8266, 226272, 921600 },
    { ESPRIT_CHIP_ESP8266, 1048576, 115200 }, { ESPRIT_CHIP_ESP8266, 1048576, 921600 },
    { ESPRIT_CHIP_ESP32, 226272, 115200 }, { ESPRIT_CHIP_ESP32, 226272, 921600 },
    { ESPRIT_CHIP_ESP32, 1048576, 115200 }, { ESPRIT_CHIP_ESP32, 1048576, 921600 },
  };
  static const Case quick[] = {
    { ESPRIT_CHIP_ESP8266, 16384, 921600 }, { ESPRIT_CHIP_ESP32, 16384, 921600 },
  };
  gboolean is_quick = argc > 1 && g_str_equal (argv[1], "--quick");
  const Case *cases = is_quick ? quick : full;
  guint n = is_quick ? G_N_ELEMENTS (quick) : G_N_ELEMENTS (full);

  printf ("# write: time against the wire+flash limit (timing model on)\n");
  for (guint i = 0; i < n; i++)
    run (&cases[i]);
  return 0;
}

/* test-sim-ram.c: what the virtual board runs from RAM: the stubs it knows (Esprit's,
 * the public esptool stubs by digest) wherever their entry is, and any other program (issue 10
 * items 1, 2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "esprit-command.h"
#include "esprit-sim-private.h"
#include "esprit-test-util.h"
/* A board with an events file (removed with the board by the caller). */
static EspritSim *
new_board_with_events (EspritChip   chip,
                       char       **events_path)
{
  EspritSimConfig config = { 0 };
  EspritSim *sim;
  int fd = g_file_open_tmp ("esprit-sim-events-XXXXXX", events_path, NULL);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  config.chip = chip;
  config.lines_wired = TRUE;
  config.events_path = *events_path;
  sim = esprit_sim_new (&config, NULL);
  g_assert_nonnull (sim);
  while (esprit_sim_get_reset_count (sim) == 0 ||
         esprit_sim_get_mode (sim) == ESPRIT_SIM_MODE_BOOTING)
    g_usleep (1000);
  return sim;
}

/* Uploads @len bytes at @addr with MEM_BEGIN/MEM_DATA in 0x1800 blocks (§12.0), then sends
 * MEM_END(@entry == 0, @entry) as esptool does (§2); returns the frames that came back. */
static GPtrArray *
run_from_ram (EspritSim    *sim,
              guint32       addr,
              const guint8 *text,
              gsize         len,
              guint32       entry)
{
  guint8 begin[16], end[8];
  guint32 blocks = (guint32) ((len + 0x17FF) / 0x1800);

  esprit_write_le32 (begin, (guint32) len);
  esprit_write_le32 (begin + 4, blocks);
  esprit_write_le32 (begin + 8, 0x1800);
  esprit_write_le32 (begin + 12, addr);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x05, begin, 16, 0, 30));
  for (guint32 seq = 0; seq < blocks; seq++)
    {
      gsize n = MIN (0x1800, len - seq * 0x1800);
      guint32 checksum;
      g_autoptr(GBytes) pkt = esprit_test_data_packet (seq, text + seq * 0x1800, n, &checksum);
      g_autoptr(GPtrArray) r = esprit_test_exchange (sim, 0x07, g_bytes_get_data (pkt, NULL),
                                                     g_bytes_get_size (pkt), checksum, 30);

      g_assert_cmpuint (r->len, ==, 1);
      g_assert_cmpuint (((const guint8 *) g_bytes_get_data (r->pdata[0], NULL))[8], ==, 0);
    }
  esprit_write_le32 (end, entry == 0);
  esprit_write_le32 (end + 4, entry);
  return esprit_test_exchange (sim, 0x06, end, 8, 0, 100);
}

/* Issue 10 item 2: a hello-world loaded into RAM (entry 0x40108008 on the ESP8266, 0x4008C008
 * on the ESP32) is not a stub: it "runs", the loader stops answering, the events file says
 * what started, and a reset brings the ROM back. */
static void
test_ram_program (gconstpointer data)
{
  EspritChip chip = GPOINTER_TO_INT (data);
  guint32 entry = chip == ESPRIT_CHIP_ESP8266 ? 0x40108008 : 0x4008C008;
  g_autofree char *events_path = NULL;
  g_autoptr(EspritSim) sim = new_board_with_events (chip, &events_path);
  g_autoptr(GBytes) program = esprit_test_random_bytes (0x2100, 7);
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GPtrArray) r2 = NULL;
  g_autofree char *events = NULL;
  g_autofree char *expect = NULL;
  guint8 body[36] = { 0x07, 0x07, 0x12, 0x20 };

  esprit_test_enter_loader (sim);
  r = run_from_ram (sim, entry - 8, g_bytes_get_data (program, NULL), 0x2100, entry);
  g_assert_cmpuint (r->len, ==, 1);   /* MEM_END's reply, no OHAI */
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_RAM_PROGRAM);
  memset (body + 4, 0x55, 32);
  r2 = esprit_test_exchange (sim, 0x08, body, 36, 0, 100);
  g_assert_cmpuint (r2->len, ==, 0);
  g_assert_true (g_file_get_contents (events_path, &events, NULL, NULL));
  expect = g_strdup_printf ("ram: program started at entry 0x%08x (1 segments: 0x%08x+8448)",
                            entry, entry - 8);
  g_assert_nonnull (strstr (events, expect));
  esprit_test_enter_loader (sim);
  g_unlink (events_path);
}

/* Issue 10 item 1: a stub the board knows runs wherever its entry is; the widely used ESP32
 * stub lives at 0x400A8000 with entry 0x400A902C (§12.1), outside 0x40080000-0x400A0000. */
static void
test_known_stub_anywhere (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP32, NULL);
  g_autoptr(GBytes) text = esprit_test_random_bytes (0x1938, 9);
  g_autoptr(GPtrArray) r = NULL;

  esprit_sim_trust_stub (sim, 0x400A8000, g_bytes_get_data (text, NULL), 0x1938);
  esprit_test_enter_loader (sim);
  r = run_from_ram (sim, 0x400A8000, g_bytes_get_data (text, NULL), 0x1938, 0x400A902C);
  g_assert_cmpuint (r->len, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (r->pdata[1], NULL), g_bytes_get_size (r->pdata[1]), "OHAI", 4);
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_STUB);
}

/* The public stubs' table agrees with protocol-facts §12.1: the entry lies inside the text,
 * the text inside the stub's linker region for the chip; two per chip (v1, v2). */
static void
test_known_stub_table (void)
{
  static const struct { EspritChip chip; guint32 start, end; } iram[] = {
    { ESPRIT_CHIP_ESP8266, 0x40100000, 0x40110000 },   /* §6: IRAM with the upper 32 KB */
    /* EFS 0x400A8000+0x2100, LEG 0x400BE000+0x1000 */
    { ESPRIT_CHIP_ESP32, 0x400A8000, 0x400BF000 },
    { ESPRIT_CHIP_ESP32S2, 0x40028000, 0x40040000 },
    { ESPRIT_CHIP_ESP32S3, 0x40378000, 0x40390000 },
    { ESPRIT_CHIP_ESP32C3, 0x40380000, 0x40384500 },
    { ESPRIT_CHIP_ESP32C6, 0x40800000, 0x40804500 },
  };
  guint n, per_chip[ESPRIT_N_CHIPS] = { 0 };
  const SimKnownStub *k = _esprit_sim_known_stubs (&n);

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (k[i].entry, >=, k[i].text_start);
      g_assert_cmpuint (k[i].entry, <, k[i].text_start + k[i].text_len);
      g_assert_cmpuint (strlen (k[i].text_sha256), ==, 64);
      for (guint j = 0; j < G_N_ELEMENTS (iram); j++)
        if (iram[j].chip == k[i].chip)
          {
            g_assert_cmpuint (k[i].text_start, >=, iram[j].start);
            g_assert_cmpuint (k[i].text_start + k[i].text_len, <=, iram[j].end);
          }
      per_chip[k[i].chip]++;
    }
  for (guint j = 0; j < G_N_ELEMENTS (iram); j++)
    g_assert_cmpuint (per_chip[iram[j].chip], ==, 2);
}

static gboolean
json_number (const char *json,
             const char *key,
             guint32    *value)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\"\\s*:\\s*([0-9]+)", key);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autofree char *digits = NULL;

  if (!g_regex_match (re, json, 0, &match))
    return FALSE;
  digits = g_match_info_fetch (match, 1);
  *value = (guint32) g_ascii_strtoull (digits, NULL, 10);
  return TRUE;
}

static guint8 *
json_base64 (const char *json,
             const char *key,
             gsize      *len)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\"\\s*:\\s*\"([A-Za-z0-9+/=]*)\"", key);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autofree char *b64 = NULL;

  if (!g_regex_match (re, json, 0, &match))
    return NULL;
  b64 = g_match_info_fetch (match, 1);
  return g_base64_decode (b64, len);
}

/* With ESPRIT_ESPTOOL_STUBS set to esptool's targets/stub_flasher directory, every public
 * stub for every chip, uploaded as esptool does (text, then data), says OHAI. The stubs are
 * not part of Esprit, so without the directory this test is skipped. */
static void
test_esptool_stubs (void)
{
  const char *dir = g_getenv ("ESPRIT_ESPTOOL_STUBS");
  guint ran = 0;

  if (dir == NULL)
    {
      g_test_skip ("ESPRIT_ESPTOOL_STUBS is not set");
      return;
    }
  for (int chip = 0; chip < ESPRIT_N_CHIPS; chip++)
    for (int v = 1; v <= 2; v++)
      {
        g_autofree char *path = g_strdup_printf ("%s/%d/%s.json", dir, v,
                                                 esprit_chip_get_info (chip)->id);
        g_autofree char *json = NULL;
        g_autofree guint8 *text = NULL, *data = NULL;
        gsize text_len, data_len;
        guint32 entry, text_start, data_start;
        g_autofree char *events_path = NULL;
        g_autoptr(EspritSim) sim = NULL;
        g_autoptr(GPtrArray) r = NULL;
        g_autoptr(GPtrArray) d = NULL;

        if (!g_file_get_contents (path, &json, NULL, NULL))
          continue;
        g_assert_true (json_number (json, "entry", &entry));
        g_assert_true (json_number (json, "text_start", &text_start));
        g_assert_true (json_number (json, "data_start", &data_start));
        text = json_base64 (json, "text", &text_len);
        data = json_base64 (json, "data", &data_len);
        g_assert_nonnull (text);
        sim = new_board_with_events (chip, &events_path);
        esprit_test_enter_loader (sim);
        /* The data segment first, ended with MEM_END flag 1 (stay). */
        if (data != NULL && data_len > 0)
          d = run_from_ram (sim, data_start, data, data_len, 0);
        r = run_from_ram (sim, text_start, text, text_len, entry);
        g_test_message ("%s", path);
        g_assert_cmpuint (r->len, ==, 2);
        g_assert_cmpmem (g_bytes_get_data (r->pdata[1], NULL), 4, "OHAI", 4);
        g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_STUB);
        g_unlink (events_path);
        ran++;
      }
  g_assert_cmpuint (ran, ==, 12);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/esprit/sim-ram/ram-program/esp8266",
                        GINT_TO_POINTER (ESPRIT_CHIP_ESP8266), test_ram_program);
  g_test_add_data_func ("/esprit/sim-ram/ram-program/esp32", GINT_TO_POINTER (ESPRIT_CHIP_ESP32),
                        test_ram_program);
  g_test_add_func ("/esprit/sim-ram/known-stub-anywhere", test_known_stub_anywhere);
  g_test_add_func ("/esprit/sim-ram/known-stub-table", test_known_stub_table);
  g_test_add_func ("/esprit/sim-ram/esptool-stubs", test_esptool_stubs);
  return g_test_run ();
}

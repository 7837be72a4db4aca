/* test-session.c: one connected board: the connect sequence and its one policy, the
 * operations' checks, and the port registry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-session-private.h"
#include "esprit-sim.h"
#include "esprit-test-util.h"

typedef struct {
  GPtrArray *lines;      /* "LEVEL line" */
  guint      connected;
  guint8     mac[6];
  guint      progress;
  EspritPhase last_phase;
} Events;

static void
on_event (EspritSession     *session,
          const EspritEvent *event,
          gpointer           user_data)
{
  Events *ev = user_data;

  switch (event->kind)
    {
    case ESPRIT_EVENT_LOG:
      g_ptr_array_add (ev->lines, g_strdup_printf ("%d %s", event->level, event->line));
      break;
    case ESPRIT_EVENT_PROGRESS:
      ev->progress++;
      ev->last_phase = event->phase;
      break;
    case ESPRIT_EVENT_CONNECTED:
      ev->connected++;
      memcpy (ev->mac, event->info->mac, 6);
      break;
    }
}

static gboolean
has_line (Events         *ev,
          EspritLogLevel  level,
          const char     *line)
{
  g_autofree char *want = g_strdup_printf ("%d %s", level, line);

  for (guint i = 0; i < ev->lines->len; i++)
    if (g_str_equal (ev->lines->pdata[i], want))
      return TRUE;
  return FALSE;
}

/* A registry of the test's own that keeps boards, so the test can look at them. */
static EspritPortRegistry *
keeping_registry (void)
{
  EspritPortRegistry *registry = esprit_port_registry_new ();

  esprit_sim_register_scheme (registry, TRUE);
  return registry;
}

static void
test_connect (void)
{
  g_autoptr(EspritPortRegistry) registry = keeping_registry ();
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  g_autoptr(EspritSession) session = NULL;
  g_autoptr(EspritSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(EspritDeviceInfo) info = { 0 };
  Events ev = { g_ptr_array_new_with_free_func (g_free) };
  const char *port = "sim:esp8266?mac=5c:cf:7f:01:02:03";

  options.registry = registry;
  options.baud = 460800;
  session = esprit_session_new (port, &options);
  esprit_session_set_event_func (session, on_event, &ev, NULL);
  g_assert_true (esprit_session_connect (session, NULL, &error));
  g_assert_no_error (error);

  /* What a connect says, once, in the command line's words. */
  g_assert_cmpuint (ev.connected, ==, 1);
  g_assert_cmpmem (ev.mac, 6, ((guint8[]) { 0x5c, 0xcf, 0x7f, 0x01, 0x02, 0x03 }), 6);
  g_assert_true (has_line (&ev, ESPRIT_LOG_INFO, "Detecting chip type... ESP8266"));
  g_assert_true (has_line (&ev, ESPRIT_LOG_INFO, "Chip is ESP8266EX"));
  g_assert_true (has_line (&ev, ESPRIT_LOG_INFO, "Crystal is 26MHz"));
  g_assert_true (has_line (&ev, ESPRIT_LOG_INFO, "MAC: 5c:cf:7f:01:02:03"));
  g_assert_true (has_line (&ev, ESPRIT_LOG_INFO, "Stub running..."));
  g_assert_cmpuint (ev.progress, >, 0);
  /* The ESP8266 ROM cannot change baud: the stub did. */
  g_assert_cmpint (esprit_session_get_loader_kind (session), ==, ESPRIT_LOADER_ESPRIT_STUB);
  g_assert_cmpuint (esprit_session_get_baud (session), ==, 460800);
  sim = esprit_sim_lookup_board (registry, port, FALSE);
  g_assert_nonnull (sim);
  g_assert_cmpuint (esprit_sim_get_uart_baud (sim), ==, 460800);

  g_assert_true (esprit_session_identify (session, &info, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.description, ==, "ESP8266EX");
  g_assert_cmpuint (info.flash_id, ==, 0x1640EF);
  g_assert_cmpuint (info.flash_size, ==, 4 * 1024 * 1024);
  g_assert_true (esprit_session_finish (session, NULL, &error));
  g_assert_no_error (error);
  g_ptr_array_unref (ev.lines);
}

static void
test_no_stub_keeps_rom_baud (void)
{
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  g_autoptr(EspritSession) session = NULL;
  g_autoptr(GError) error = NULL;
  Events ev = { g_ptr_array_new_with_free_func (g_free) };

  options.stub = ESPRIT_STUB_NEVER;
  options.baud = 921600;
  session = esprit_session_new ("sim:esp8266", &options);
  esprit_session_set_event_func (session, on_event, &ev, NULL);
  esprit_test_register_sim ();
  g_assert_true (esprit_session_connect (session, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (esprit_session_get_loader_kind (session), ==, ESPRIT_LOADER_ROM);
  /* A ROM that cannot change baud is a warning, and the session stays at the connect rate. */
  g_assert_true (has_line (&ev, ESPRIT_LOG_WARNING,
                           "The ESP8266 ROM loader cannot change the baud rate. Keeping 115200 baud."));
  g_assert_cmpuint (esprit_session_get_baud (session), ==, 115200);
  g_ptr_array_unref (ev.lines);
}

static void
test_stub_failure_rule (void)
{
  g_autoptr(GError) rom_answers = g_error_new_literal (ESPRIT_ERROR, ESPRIT_ERROR_FAILED, "x");
  g_autoptr(GError) upload = g_error_new_literal (ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT, "x");
  g_autoptr(GError) gone = g_error_new_literal (ESPRIT_ERROR, ESPRIT_ERROR_NO_SYNC, "x");
  g_autoptr(GError) unplugged = g_error_new_literal (ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED, "x");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");

  /* The ROM still answers: the session goes on with it (a warning). */
  g_assert_false (_esprit_session_stub_error_is_fatal (rom_answers));
  g_assert_false (_esprit_session_stub_error_is_fatal (upload));
  /* The board stopped answering, went away, or the user stopped: the connect fails. */
  g_assert_true (_esprit_session_stub_error_is_fatal (gone));
  g_assert_true (_esprit_session_stub_error_is_fatal (unplugged));
  g_assert_true (_esprit_session_stub_error_is_fatal (cancelled));
}

static void
test_disconnect_during_stub_fails (void)
{
  g_autoptr(EspritPortRegistry) registry = keeping_registry ();
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  EspritSimFaults faults = ESPRIT_SIM_FAULTS_NONE;
  g_autoptr(EspritSession) session = NULL;
  g_autoptr(EspritSim) sim = NULL;
  g_autoptr(GError) error = NULL;

  options.registry = registry;
  sim = esprit_sim_lookup_board (registry, "sim:esp8266", TRUE);
  /* Past the sync and the detection, inside the stub's upload. */
  faults.disconnect_after = 3000;
  esprit_sim_set_faults (sim, &faults);
  session = esprit_session_new ("sim:esp8266", &options);
  g_assert_false (esprit_session_connect (session, NULL, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED);
  g_assert_false (esprit_session_is_connected (session));
}

static void
test_wrong_chip (void)
{
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  g_autoptr(EspritSession) session = NULL;
  g_autoptr(GError) error = NULL;

  options.expected = ESPRIT_CHIP_ESP32;
  session = esprit_session_new ("sim:esp8266", &options);
  esprit_test_register_sim ();
  g_assert_false (esprit_session_connect (session, NULL, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "ESP8266"));
}

static void
test_range_checked_before_reading (void)
{
  g_autoptr(EspritPortRegistry) registry = keeping_registry ();
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  g_autoptr(EspritSession) session = NULL;
  g_autoptr(EspritSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  guint64 before, after;
  guint8 buffer[16];

  options.registry = registry;
  session = esprit_session_new ("sim:esp32?size=2MB", &options);
  g_assert_true (esprit_session_connect (session, NULL, &error));
  g_assert_no_error (error);
  /* The first question about the size reads the flash id; after that, nothing is sent. */
  g_assert_false (esprit_session_read (session, 0x1FFFF8, 16, buffer, NULL, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "2MB"));
  g_clear_error (&error);
  sim = esprit_sim_lookup_board (registry, "sim:esp32?size=2MB", FALSE);
  esprit_sim_get_wire_counts (sim, &before, NULL);
  g_assert_false (esprit_session_erase (session, 0x1F0000, 0x20000, NULL, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (esprit_session_erase (session, 0x1000, 0x800, NULL, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT);
  esprit_sim_get_wire_counts (sim, &after, NULL);
  g_assert_cmpuint (before, ==, after);
}

static void
test_not_connected (void)
{
  g_autoptr(EspritSession) session = esprit_session_new ("sim:esp8266", NULL);
  g_autoptr(GError) error = NULL;
  guint8 b[4];

  g_assert_false (esprit_session_read (session, 0, 4, b, NULL, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED);
}

/* ---- the flash map ------------------------------------------------------------------ */

/* Requests by opcode ("> 00 OP ..." trace lines). */
static guint
count_requests (Events     *ev,
                const char *op)
{
  g_autofree char *want = g_strdup_printf ("%d > 00 %s ", ESPRIT_LOG_TRACE, op);
  guint n = 0;

  for (guint i = 0; i < ev->lines->len; i++)
    n += g_str_has_prefix (ev->lines->pdata[i], want);
  return n;
}

/* An ESP32 with the Arduino table (protocol-facts §10.1), an app in app0 and data in nvs. */
static EspritSession *
session_with_table (EspritPortRegistry *registry,
                    Events             *ev,
                    GBytes            **flash)
{
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  EspritPartitionTable table = { .table_offset = ESPRIT_PARTITION_TABLE_OFFSET };
  g_autoptr(GBytes) app = esprit_test_make_image (ESPRIT_CHIP_ESP32, 90000, 3, TRUE, 31);
  g_autoptr(GBytes) nvs = esprit_test_random_bytes (0x2000, 32);
  g_autoptr(GBytes) bin = NULL;
  g_autoptr(EspritSim) sim = NULL;
  g_autoptr(GError) error = NULL;
  EspritSession *session;

  options.registry = registry;
  options.trace = TRUE;
  session = esprit_session_new ("sim:esp32", &options);
  esprit_session_set_event_func (session, on_event, ev, NULL);
  g_assert_true (esprit_session_open (session, NULL, &error));
  g_assert_no_error (error);
  sim = esprit_sim_lookup_board (registry, "sim:esp32", FALSE);
  g_assert_true (esprit_partition_table_add (&table, "nvs", 1, 0x02, 0x9000, 0x5000, 0));
  g_assert_true (esprit_partition_table_add (&table, "otadata", 1, 0x00, 0xE000, 0x2000, 0));
  g_assert_true (esprit_partition_table_add (&table, "app0", 0, 0x10, 0x10000, 0x140000, 0));
  g_assert_true (esprit_partition_table_add (&table, "app1", 0, 0x11, 0x150000, 0x140000, 0));
  g_assert_true (esprit_partition_table_add (&table, "spiffs", 1, 0x82, 0x290000, 0x170000, 0));
  bin = esprit_partition_table_to_binary (&table, TRUE, &error);
  g_assert_no_error (error);
  esprit_sim_load_flash (sim, 0x8000, g_bytes_get_data (bin, NULL), g_bytes_get_size (bin));
  esprit_sim_load_flash (sim, 0x10000, g_bytes_get_data (app, NULL), g_bytes_get_size (app));
  esprit_sim_load_flash (sim, 0x9000, g_bytes_get_data (nvs, NULL), g_bytes_get_size (nvs));
  g_assert_true (esprit_session_connect (session, NULL, &error));
  g_assert_no_error (error);
  *flash = esprit_sim_dup_flash (sim);
  return session;
}

/* A whole-flash read through Esprit's packed read learns every chunk, erased or not, so the
 * flash map after it asks for no MD5 and reads only the chunks holding data that the layout
 * looks at; without it, each region costs an MD5. Both maps agree. */
static void
test_map_after_read (void)
{
  g_autoptr(EspritPortRegistry) registry = keeping_registry ();
  Events ev = { g_ptr_array_new_with_free_func (g_free) };
  g_autoptr(EspritSession) session = NULL;
  g_autoptr(EspritSession) fresh = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autoptr(GPtrArray) map = NULL;
  g_autoptr(GPtrArray) cold = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buffer = g_malloc (4 * 1024 * 1024);
  const EspritChunkMap *known;
  const guint8 *want;
  guint md5s, reads;

  session = session_with_table (registry, &ev, &flash);
  want = g_bytes_get_data (flash, NULL);
  g_assert_true (esprit_session_read (session, 0, 4 * 1024 * 1024, buffer, NULL, &error));
  g_assert_no_error (error);
  known = esprit_flash_get_chunk_map (esprit_session_get_loader (session));
  g_assert_nonnull (known);
  for (guint32 at = 0; at < 4 * 1024 * 1024; at += ESPRIT_CHUNK_SIZE)
    {
      gboolean erased = TRUE;

      for (guint32 i = 0; i < ESPRIT_CHUNK_SIZE && erased; i++)
        erased = want[at + i] == 0xFF;
      g_assert_cmpint (esprit_chunk_map_get (known, at), ==,
                       erased ? ESPRIT_CHUNK_ERASED : ESPRIT_CHUNK_DATA);
    }

  g_ptr_array_set_size (ev.lines, 0);
  g_assert_true (esprit_session_read_flash_map (session, ESPRIT_PARTITION_TABLE_OFFSET, NULL, &map, NULL, &error));
  g_assert_no_error (error);
  md5s = count_requests (&ev, "13");
  reads = count_requests (&ev, "e1") + count_requests (&ev, "d2");
  g_test_message ("after a whole read: %u MD5s, %u reads", md5s, reads);
  g_assert_cmpuint (md5s, ==, 0);
  /* The partition table's chunk and the app's first chunks; erased chunks are not read. */
  g_assert_cmpuint (reads, <=, 4);

  /* A write makes what it touched unknown again. */
  {
    g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
    g_autoptr(GBytes) data = esprit_test_random_bytes (0x1000, 33);

    esprit_write_plan_add (plan, 0x300000, data, "x.bin");
    g_assert_true (esprit_session_write (session, plan, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (esprit_chunk_map_get (known, 0x300000), ==, ESPRIT_CHUNK_UNKNOWN);
    g_assert_cmpint (esprit_chunk_map_get (known, 0x2FF000), ==, ESPRIT_CHUNK_ERASED);
  }

  /* The same board read cold: one MD5 per region whose contents are not told by its image. */
  g_ptr_array_set_size (ev.lines, 0);
  fresh = esprit_session_new ("sim:esp32", esprit_session_get_options (session));
  esprit_session_close (session);
  esprit_session_set_event_func (fresh, on_event, &ev, NULL);
  g_assert_true (esprit_session_connect (fresh, NULL, &error));
  g_assert_no_error (error);
  g_ptr_array_set_size (ev.lines, 0);
  g_assert_true (esprit_session_read_flash_map (fresh, ESPRIT_PARTITION_TABLE_OFFSET, NULL, &cold, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("cold: %u MD5s", count_requests (&ev, "13"));
  g_assert_cmpuint (count_requests (&ev, "13"), >, 3);
  g_assert_cmpuint (cold->len, ==, map->len);
  for (guint i = 0; i < map->len; i++)
    {
      const EspritRegion *a = map->pdata[i];

      if (a->offset >= 0x290000)   /* spiffs, written to since */
        break;
      g_assert_cmpstr (a->name, ==, ((EspritRegion *) cold->pdata[i])->name);
      /* Knowing every chunk, a region part erased and part not (nvs) is "unknown" as a
       * whole, where its one MD5 only says "data". */
      if (a->contents != ESPRIT_CHUNK_UNKNOWN)
        g_assert_cmpint (a->contents, ==, ((EspritRegion *) cold->pdata[i])->contents);
    }
  g_ptr_array_unref (ev.lines);
}

/* ---- the registry ------------------------------------------------------------------- */

static EspritTransport *
open_fake (const char  *port,
           guint        baud,
           gpointer     user_data,
           GError     **error)
{
  (*(guint *) user_data)++;
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND, "fake %s %u", port, baud);
  return NULL;
}

static void
test_registry (void)
{
  g_autoptr(EspritPortRegistry) registry = esprit_port_registry_new ();
  g_autoptr(EspritTransport) t = NULL;
  g_autoptr(GError) error = NULL;
  guint calls = 0;

  /* Unknown schemes say which are known; plain paths are device paths. */
  t = esprit_port_registry_open (registry, "xyz:board", 115200, &error);
  g_assert_null (t);
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "rfc2217://"));
  g_assert_null (strstr (error->message, "sim:"));
  g_clear_error (&error);
  t = esprit_port_registry_open (registry, "sim:esp8266", 115200, &error);
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  t = esprit_port_registry_open (registry, "/dev/ttyNOPE7", 115200, &error);
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/dev/ttyNOPE7"));
  g_clear_error (&error);

  esprit_port_registry_add_scheme (registry, "fake:", open_fake, &calls, NULL);
  g_assert_true (esprit_port_registry_has_scheme (registry, "fake:"));
  t = esprit_port_registry_open (registry, "fake:one", 9600, &error);
  g_assert_cmpuint (calls, ==, 1);
  g_assert_cmpstr (error->message, ==, "fake fake:one 9600");
  g_clear_error (&error);

  /* The virtual board's scheme: a board per open, or kept by name. */
  esprit_sim_register_scheme (registry, FALSE);
  t = esprit_port_registry_open (registry, "sim:esp32c3", 115200, &error);
  g_assert_no_error (error);
  g_assert_cmpint (esprit_sim_get_config (esprit_sim_transport_get_sim (t))->chip, ==,
                   ESPRIT_CHIP_ESP32C3);
  g_assert_null (esprit_sim_lookup_board (registry, "sim:esp32c3", TRUE));
}

static void
test_registry_keeps_boards (void)
{
  g_autoptr(EspritPortRegistry) registry = keeping_registry ();
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritTransport) a = esprit_port_registry_open (registry, "sim:esp8266", 115200, &error);
  g_autoptr(EspritTransport) b = esprit_port_registry_open (registry, "sim:esp8266", 115200, &error);
  g_autoptr(EspritTransport) c = esprit_port_registry_open (registry, "sim:esp32", 115200, &error);
  g_autoptr(EspritSim) kept = esprit_sim_lookup_board (registry, "sim:esp8266", FALSE);

  g_assert_no_error (error);
  g_assert_true (esprit_sim_transport_get_sim (a) == esprit_sim_transport_get_sim (b));
  g_assert_true (esprit_sim_transport_get_sim (a) != esprit_sim_transport_get_sim (c));
  g_assert_true (kept == esprit_sim_transport_get_sim (a));
}

static void
test_sim_port_parse (void)
{
  g_auto(EspritSimPort) p = { { 0 } };
  g_autoptr(GError) error = NULL;
  static const char *bad[] = {
    "sim:esp9000", "sim:auto", "sim:esp32?size=0", "sim:esp32?size=4q", "sim:esp32?mac=1:2:3",
    "sim:esp32?colour=red", "/dev/ttyUSB0",
  };

  g_assert_true (esprit_sim_port_parse ("sim:ESP32-S3?flash=/tmp/f.bin&size=8MB&"
                                        "mac=aa:bb:cc:dd:ee:0F&timing=1&lines=0&events=/tmp/e",
                                        &p, &error));
  g_assert_no_error (error);
  g_assert_cmpint (p.config.chip, ==, ESPRIT_CHIP_ESP32S3);
  g_assert_cmpstr (p.config.flash_path, ==, "/tmp/f.bin");
  g_assert_cmpstr (p.config.events_path, ==, "/tmp/e");
  g_assert_cmpuint (p.config.flash_size, ==, 8 * 1024 * 1024);
  g_assert_cmpmem (p.config.mac, 6, ((guint8[]) { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0f }), 6);
  g_assert_true (p.config.timing);
  g_assert_false (p.config.lines_wired);
  /* Both spellings the two old parsers took. */
  esprit_sim_port_clear (&p);
  g_assert_true (esprit_sim_port_parse ("sim:esp8266?size=0x100000", &p, &error));
  g_assert_cmpuint (p.config.flash_size, ==, 0x100000);
  g_assert_true (p.config.lines_wired);
  esprit_sim_port_clear (&p);
  g_assert_true (esprit_sim_port_parse ("sim:esp8266?size=512kb", &p, &error));
  g_assert_cmpuint (p.config.flash_size, ==, 512 * 1024);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(EspritSimPort) q = { { 0 } };
      g_autoptr(GError) e = NULL;

      g_assert_false (esprit_sim_port_parse (bad[i], &q, &e));
      g_assert_nonnull (e);
      g_assert_true (e->domain == ESPRIT_ERROR);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/session/connect", test_connect);
  g_test_add_func ("/esprit/session/map-after-read", test_map_after_read);
  g_test_add_func ("/esprit/session/no-stub-keeps-rom-baud", test_no_stub_keeps_rom_baud);
  g_test_add_func ("/esprit/session/stub-failure-rule", test_stub_failure_rule);
  g_test_add_func ("/esprit/session/disconnect-during-stub", test_disconnect_during_stub_fails);
  g_test_add_func ("/esprit/session/wrong-chip", test_wrong_chip);
  g_test_add_func ("/esprit/session/range-checked", test_range_checked_before_reading);
  g_test_add_func ("/esprit/session/not-connected", test_not_connected);
  g_test_add_func ("/esprit/session/registry", test_registry);
  g_test_add_func ("/esprit/session/registry-keeps-boards", test_registry_keeps_boards);
  g_test_add_func ("/esprit/session/sim-port-parse", test_sim_port_parse);
  return g_test_run ();
}

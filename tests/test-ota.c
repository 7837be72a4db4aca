/* test-ota.c: the ArduinoOTA client against the virtual OTA board, both cores (§7)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "esprit-error.h"
#include "esprit-image.h"
#include "esprit-ota.h"
#include "esprit-sim-ota.h"
#include "esprit-test-util.h"

#define PASSWORD "kitchen-secret"

/* ---- Authentication and parsers ---- */

static void
check_pbkdf2 (const char *password,
              const char *salt,
              guint       iterations,
              const char *expected_hex)
{
  guint8 out[64];
  char hex[129];

  esprit_ota_pbkdf2_sha256 ((const guint8 *) password, strlen (password), (const guint8 *) salt,
                            strlen (salt), iterations, out, sizeof out);
  for (guint i = 0; i < 64; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", out[i]);
  g_assert_cmpstr (hex, ==, expected_hex);
}

static void
test_pbkdf2 (void)
{
  /* RFC 7914 §11, PBKDF2-HMAC-SHA256 */
  check_pbkdf2 ("passwd", "salt", 1,
                "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
  check_pbkdf2 ("Password", "NaCl", 80000,
                "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
}

static void
test_nonce_length (void)
{
  const char *md5_nonce = "0123456789abcdef0123456789abcdef";
  const char *sha_nonce = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  g_autofree char *h = esprit_ota_hash_hex (G_CHECKSUM_MD5, PASSWORD);
  g_autofree char *r32 = esprit_ota_auth_response (md5_nonce, "c", h);
  g_autofree char *r64 = esprit_ota_auth_response (sha_nonce, "c", h);
  g_autofree char *challenge = g_strdup_printf ("%s:%s:c", h, md5_nonce);
  g_autofree char *expected = g_compute_checksum_for_string (G_CHECKSUM_MD5, challenge, -1);

  /* 32 characters: MD5hex(P:nonce:cnonce); 64: a SHA-256 hex; anything else: none. */
  g_assert_cmpstr (r32, ==, expected);
  g_assert_cmpuint (strlen (r64), ==, 64);
  g_assert_null (esprit_ota_auth_response ("0123456789abcdef0123456789abcdef0123", "c", h));
  g_assert_null (esprit_ota_auth_response ("", "c", h));
  g_assert_null (esprit_ota_auth_response ("zz23456789abcdef0123456789abcdef", "c", h));
}

static void
test_parse_invitation (void)
{
  const char *md5 = "d41d8cd98f00b204e9800998ecf8427e";
  g_autofree char *good = g_strdup_printf ("0 12345 300000 %s\n", md5);
  g_autofree char *spaced = g_strdup_printf ("  100   4242   7 %s  \n", md5);
  g_autofree char *auth = g_strdup_printf ("200 1 2 %s\n", md5);
  int c, p, s;
  char m[33];

  g_assert_true (esprit_ota_parse_invitation ((guint8 *) good, strlen (good), &c, &p, &s, m));
  g_assert_cmpint (c, ==, 0);
  g_assert_cmpint (p, ==, 12345);
  g_assert_cmpint (s, ==, 300000);
  g_assert_cmpstr (m, ==, md5);
  g_assert_true (esprit_ota_parse_invitation ((guint8 *) spaced, strlen (spaced), &c, &p, &s, m));
  g_assert_cmpint (c, ==, 100);
  g_assert_cmpint (p, ==, 4242);
  g_assert_cmpstr (m, ==, md5);
  g_assert_false (esprit_ota_parse_invitation ((guint8 *) auth, strlen (auth), &c, &p, &s, m));
  g_assert_false (esprit_ota_parse_invitation ((guint8 *) "0 1 2 abc\n", 10, &c, &p, &s, m));
  g_assert_false (esprit_ota_parse_invitation ((guint8 *) "", 0, &c, &p, &s, m));
}

static void
test_parse_reply (void)
{
  EspritOtaReply r;

  esprit_ota_parse_reply ((guint8 *) "OK", 2, &r);
  g_assert_cmpint (r.kind, ==, ESPRIT_OTA_REPLY_OK);
  esprit_ota_parse_reply ((guint8 *) "AUTH 0123456789ABCDEF0123456789abcdef", 37, &r);
  g_assert_cmpint (r.kind, ==, ESPRIT_OTA_REPLY_AUTH);
  g_assert_cmpstr (r.text, ==, "0123456789abcdef0123456789abcdef");
  esprit_ota_parse_reply ((guint8 *) "Authentication Failed", 21, &r);
  g_assert_cmpint (r.kind, ==, ESPRIT_OTA_REPLY_AUTH_FAILED);
  esprit_ota_parse_reply ((guint8 *) "ERR: ERROR[4]: Not Enough Space\n", 32, &r);
  g_assert_cmpint (r.kind, ==, ESPRIT_OTA_REPLY_ERROR);
  g_assert_cmpstr (r.text, ==, "ERROR[4]: Not Enough Space");
  esprit_ota_parse_reply ((guint8 *) "\x01garbage", 8, &r);
  g_assert_cmpint (r.kind, ==, ESPRIT_OTA_REPLY_UNKNOWN);
}

static void
test_acks (void)
{
  EspritOtaAcks a;

  /* Counts glued together and to the OK, split anywhere (§7.3). */
  esprit_ota_acks_init (&a);
  g_assert_cmpint (esprit_ota_acks_feed (&a, (guint8 *) "14601460", 8, FALSE), ==,
                   ESPRIT_OTA_ACKS_MORE);
  g_assert_cmpint (esprit_ota_acks_feed (&a, (guint8 *) "146O", 4, FALSE), ==,
                   ESPRIT_OTA_ACKS_MORE);
  g_assert_cmpint (esprit_ota_acks_feed (&a, (guint8 *) "K", 1, FALSE), ==, ESPRIT_OTA_ACKS_OK);
  esprit_ota_acks_clear (&a);

  esprit_ota_acks_init (&a);
  g_assert_cmpint (esprit_ota_acks_feed (&a, (guint8 *) "1460ERROR[7]: MD5 verif", 23, FALSE), ==,
                   ESPRIT_OTA_ACKS_MORE);
  g_assert_cmpint (esprit_ota_acks_feed (&a, (guint8 *) "ication failed\n", 15, FALSE), ==,
                   ESPRIT_OTA_ACKS_ERROR);
  g_assert_cmpstr (esprit_ota_acks_text (&a), ==, "ERROR[7]: MD5 verification failed");
  esprit_ota_acks_clear (&a);

  /* The ESP32's text ends with CRLF, or only with the connection. */
  esprit_ota_acks_init (&a);
  g_assert_cmpint (esprit_ota_acks_feed (&a, (guint8 *) "1024MD5 Check Failed", 20, FALSE), ==,
                   ESPRIT_OTA_ACKS_MORE);
  g_assert_cmpint (esprit_ota_acks_feed (&a, NULL, 0, TRUE), ==, ESPRIT_OTA_ACKS_ERROR);
  g_assert_cmpstr (esprit_ota_acks_text (&a), ==, "MD5 Check Failed");
  esprit_ota_acks_clear (&a);
}

/* ---- Against the virtual board ---- */

typedef struct {
  EspritSimOta *ota;
  GThread      *thread;
  gint          stop;
  char         *dir;
  char         *events;
  GString      *log;
  EspritChip    chip;
} Board;

static gpointer
serve (gpointer data)
{
  Board *b = data;

  esprit_sim_ota_run (b->ota, &b->stop);
  return NULL;
}

static Board *
board_start (EspritSimOtaConfig *config,
             GBytes             *old_program,
             guint32             old_addr)
{
  Board *b = g_new0 (Board, 1);
  g_autoptr(GError) error = NULL;

  b->dir = g_dir_make_tmp ("esprit-ota-XXXXXX", &error);
  g_assert_no_error (error);
  b->events = g_build_filename (b->dir, "events", NULL);
  config->events_path = b->events;
  if (config->chip == 0 && config->core != ESPRIT_SIM_OTA_ESP8266)
    config->chip = ESPRIT_CHIP_ESP32;
  b->ota = esprit_sim_ota_new (config, &error);
  g_assert_no_error (error);
  if (old_program != NULL)
    esprit_sim_ota_load_flash (b->ota, old_addr, g_bytes_get_data (old_program, NULL),
                               g_bytes_get_size (old_program));
  b->log = g_string_new (NULL);
  b->chip = config->chip;
  b->thread = g_thread_new ("board", serve, b);
  return b;
}

static char *
board_events (Board *b)
{
  char *text = NULL;

  g_file_get_contents (b->events, &text, NULL, NULL);
  return text ? text : g_strdup ("");
}

static void
board_stop (Board *b)
{
  g_atomic_int_set (&b->stop, 1);
  g_thread_join (b->thread);
  esprit_sim_ota_free (b->ota);
  g_unlink (b->events);
  g_rmdir (b->dir);
  g_free (b->events);
  g_free (b->dir);
  g_string_free (b->log, TRUE);
  g_free (b);
}

static void
collect_log (EspritLogLevel  level,
             const char     *line,
             gpointer        user_data)
{
  Board *b = user_data;

  g_string_append_printf (b->log, "%d %s\n", level, line);
}

static gboolean
upload (Board            *b,
        EspritOtaCommand  command,
        const char       *password,
        GBytes           *image,
        GError          **error)
{
  EspritOtaOptions o = { 0 };

  o.host = "127.0.0.1";
  o.port = esprit_sim_ota_get_port (b->ota);
  o.password = password;
  o.command = command;
  o.chip = b->chip;   /* the port is not 8266/3232 here, so it cannot tell */
  o.file_name = "sketch.bin";
  o.timeout_ms = 3000;
  o.invitation_tries = 1;
  o.final_timeout_ms = 5000;
  return esprit_ota_upload (&o, image, NULL, collect_log, b, NULL, error);
}

/* An Arduino ESP8266 .bin: eboot at 0x0 padded with 0xAA to 4 KB, the sketch at 0x1000
 * (§10.2). */
static GBytes *
arduino_bin (gsize    sketch_size,
             guint32  seed,
             GBytes **sketch_out)
{
  g_autoptr(GBytes) eboot = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 1500, 1, FALSE, 7);
  g_autoptr(GBytes) sketch = esprit_test_make_image (ESPRIT_CHIP_ESP8266, sketch_size, 3, FALSE,
                                                     seed);
  GByteArray *bin = g_byte_array_new ();
  guint8 pad = 0xAA;

  g_byte_array_append (bin, g_bytes_get_data (eboot, NULL), g_bytes_get_size (eboot));
  while (bin->len < 0x1000)
    g_byte_array_append (bin, &pad, 1);
  g_byte_array_append (bin, g_bytes_get_data (sketch, NULL), g_bytes_get_size (sketch));
  if (sketch_out != NULL)
    *sketch_out = g_bytes_ref (sketch);
  return g_byte_array_free_to_bytes (bin);
}

static void
assert_flash (Board   *b,
              guint32  addr,
              GBytes  *expected)
{
  g_autoptr(GBytes) flash = esprit_sim_ota_dup_flash (b->ota);
  gsize n;
  const guint8 *want = g_bytes_get_data (expected, &n);

  g_assert_cmpuint (g_bytes_get_size (flash), >=, addr + n);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (flash, NULL) + addr, n, want, n);
}

/* The last "app:" line says the board runs @image (md5 of its bytes) at @where. */
static void
assert_running (Board      *b,
                const char *where,
                GBytes     *image)
{
  g_autofree char *events = NULL;
  g_autofree char *md5 = image ? g_compute_checksum_for_bytes (G_CHECKSUM_MD5, image) : NULL;
  /* NULL @image: only that the board rebooted after an update and runs something there */
  g_autofree char *want = image ? g_strdup_printf ("app: running %s (%" G_GSIZE_FORMAT
                                                   " bytes, md5 %s)", where,
                                                   g_bytes_get_size (image), md5)
                                : g_strdup_printf ("app: running %s", where);
  const char *last = NULL;

  /* The board reboots after it sent OK: give it a moment. */
  for (guint i = 0; i < 100; i++)
    {
      g_free (events);
      events = board_events (b);
      last = g_strrstr (events, "app: ");
      if (last != NULL && g_str_has_prefix (last, want) &&
          (image != NULL || strstr (events, "ESP.restart()") != NULL))
        break;
      g_usleep (20000);
    }

  if (last == NULL || !g_str_has_prefix (last, want))
    g_test_message ("events:\n%s\nwanted: %s", events, want);
  g_assert_nonnull (last);
  g_assert_true (g_str_has_prefix (last, want));
}

static void
test_esp8266_flash (gconstpointer data)
{
  const char *password = data;
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .port = 0, .password = password, .drop_after = -1,
                           .corrupt_byte = -1 };
  g_autoptr(GBytes) old_sketch = NULL, new_sketch = NULL;
  g_autoptr(GBytes) old = arduino_bin (200000, 1, &old_sketch);
  g_autoptr(GBytes) bin = arduino_bin (300 * 1024 - 4096, 2, &new_sketch);
  g_autoptr(GError) error = NULL;
  Board *b;
  gint64 t0;
  guint32 staged;

  c.port = 0;
  b = board_start (&c, old, 0);
  assert_running (b, "the sketch at 0x001000", old_sketch);
  t0 = g_get_monotonic_time ();
  {
    gboolean done = upload (b, ESPRIT_OTA_FLASH, password, bin, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  g_test_message ("ESP8266 OTA upload of %" G_GSIZE_FORMAT " bytes took %.2f s",
                  g_bytes_get_size (bin), (g_get_monotonic_time () - t0) / 1e6);
  /* Staged below FS_start (4M2M: 0x200000), then copied to 0x0 by eboot (§7.1). */
  staged = 0x200000 - ((g_bytes_get_size (bin) + 0xFFF) & ~0xFFFu);
  assert_running (b, "the sketch at 0x001000", new_sketch);
  assert_flash (b, staged, bin);
  assert_flash (b, 0, bin);
  {
    g_autofree char *events = board_events (b);
    g_autofree char *copy = g_strdup_printf ("boot: eboot copied 0x%06x to 0x000000, %"
                                             G_GSIZE_FORMAT " bytes", staged,
                                             g_bytes_get_size (bin));

    g_assert_nonnull (strstr (events, copy));
  }
  /* Nothing the client logged, at any level, holds the password. */
  if (password != NULL)
    g_assert_null (strstr (b->log->str, password));
  if (password != NULL)
    g_assert_nonnull (strstr (b->log->str, "(hidden)"));
  board_stop (b);
}

static void
test_esp8266_filesystem (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) old_sketch = NULL;
  g_autoptr(GBytes) old = arduino_bin (100000, 1, &old_sketch);
  g_autoptr(GBytes) fs = esprit_test_random_bytes (64 * 1024, 9);
  g_autoptr(GError) error = NULL;
  Board *b = board_start (&c, old, 0);

  {
    gboolean done = upload (b, ESPRIT_OTA_FILESYSTEM, NULL, fs, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  assert_flash (b, 0x200000, fs);   /* straight to FS_start */
  assert_flash (b, 0, old);
  assert_running (b, "the sketch at 0x001000", old_sketch);
  board_stop (b);
}

static void
test_esp8266_flash_mode (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) old = arduino_bin (100000, 1, NULL);   /* DIO */
  g_autoptr(GBytes) dio = arduino_bin (50000, 2, NULL);
  g_autoptr(GBytes) qio = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *copy = g_memdup2 (g_bytes_get_data (dio, NULL), g_bytes_get_size (dio));
  gsize n = g_bytes_get_size (dio);
  Board *b = board_start (&c, old, 0);
  gboolean done;

  /* Updater::_writeBuffer() gives the first page the running flash mode (header byte 2) and
   * hashes the original: a QIO image lands as DIO on a DIO board, and the MD5 still holds. */
  copy[2] = ESPRIT_FLASH_MODE_QIO;
  qio = g_bytes_new_take (copy, n);
  done = upload (b, ESPRIT_OTA_FLASH, NULL, qio, &error);
  g_assert_no_error (error);
  g_assert_true (done);
  assert_running (b, "the sketch at 0x001000", NULL);
  assert_flash (b, 0, dio);
  board_stop (b);
}

static void
run_esp32 (EspritSimOtaCore  core,
           const char       *password,
           const char       *password_hash)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP32, .core = core, .password = password,
                           .password_hash = password_hash, .drop_after = -1,
                           .corrupt_byte = -1 };
  g_autoptr(GBytes) old = esprit_test_make_image (ESPRIT_CHIP_ESP32, 150000, 3, TRUE, 3);
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP32, 300000, 4, TRUE, 4);
  g_autoptr(GBytes) img2 = esprit_test_make_image (ESPRIT_CHIP_ESP32, 120000, 2, TRUE, 5);
  g_autoptr(GBytes) fs = esprit_test_random_bytes (100000, 6);
  g_autoptr(GError) error = NULL;
  Board *b = board_start (&c, old, 0x10000);

  assert_running (b, "app0 at 0x010000", old);
  /* The next OTA slot, app1, then otadata points there (§7.2, §10.1). */
  {
    gboolean done = upload (b, ESPRIT_OTA_FLASH, password, img, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  assert_running (b, "app1 at 0x150000", img);
  assert_flash (b, 0x150000, img);
  /* And back to app0. */
  {
    gboolean done = upload (b, ESPRIT_OTA_FLASH, password, img2, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  assert_running (b, "app0 at 0x010000", img2);
  assert_flash (b, 0x10000, img2);
  {
    gboolean done = upload (b, ESPRIT_OTA_FILESYSTEM, password, fs, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  assert_flash (b, 0x290000, fs);
  if (password != NULL)
    g_assert_null (strstr (b->log->str, password));
  board_stop (b);
}

static void
test_esp32_md5 (void)
{
  run_esp32 (ESPRIT_SIM_OTA_ESP32_MD5, PASSWORD, NULL);
}

static void
test_esp32_sha256 (void)
{
  run_esp32 (ESPRIT_SIM_OTA_ESP32_SHA256, PASSWORD, NULL);
}

static void
test_esp32_sha256_md5_hash (void)
{
  /* A 3.3.1+ sketch that keeps an MD5 via setPasswordHash(): the SHA-256 round fails, a new
   * invitation with H = MD5 succeeds (§7.2). */
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, PASSWORD, -1);

  run_esp32 (ESPRIT_SIM_OTA_ESP32_SHA256, PASSWORD, md5);
}

static void
test_esp32_no_password (void)
{
  run_esp32 (ESPRIT_SIM_OTA_ESP32_SHA256, NULL, NULL);
}

/* ---- Faults: each ends with its error, and the board keeps its old program ---- */

typedef struct {
  EspritSimOtaCore core;
  const char      *fault;
} FaultCase;

static void
test_fault (gconstpointer data)
{
  const FaultCase *fc = data;
  gboolean e8 = fc->core == ESPRIT_SIM_OTA_ESP8266;
  EspritSimOtaConfig c = { .chip = e8 ? ESPRIT_CHIP_ESP8266 : ESPRIT_CHIP_ESP32,
                           .core = fc->core, .password = PASSWORD, .drop_after = -1,
                           .corrupt_byte = -1 };
  g_autoptr(GBytes) old_sketch = NULL;
  g_autoptr(GBytes) old = e8 ? arduino_bin (150000, 1, &old_sketch)
                             : esprit_test_make_image (ESPRIT_CHIP_ESP32, 150000, 3, TRUE, 3);
  g_autoptr(GBytes) img = e8 ? arduino_bin (200000, 2, NULL)
                             : esprit_test_make_image (ESPRIT_CHIP_ESP32, 200000, 3, TRUE, 4);
  g_autoptr(GBytes) before = NULL, after = NULL;
  g_autoptr(GError) error = NULL;
  const char *password = PASSWORD;
  int domain_code = -1;
  const char *needle = NULL;
  Board *b;

  if (g_str_equal (fc->fault, "password"))
    {
      password = "not-the-password";
      domain_code = ESPRIT_ERROR_AUTH;
      needle = "Wrong password";
    }
  else if (g_str_equal (fc->fault, "no-connect-back"))
    {
      c.no_connect_back = TRUE;
      domain_code = ESPRIT_ERROR_TIMEOUT;
      needle = "never connected back to TCP port";
    }
  else if (g_str_equal (fc->fault, "drop"))
    {
      c.drop_after = 50000;
      domain_code = ESPRIT_ERROR_DISCONNECTED;
      needle = "dropped the connection";
    }
  else if (g_str_equal (fc->fault, "md5"))
    {
      c.corrupt_byte = 30000;
      domain_code = ESPRIT_ERROR_DEVICE;
      needle = e8 ? "ERROR[7]: MD5 verification failed: expected: " : "MD5 Check Failed";
    }
  else if (g_str_equal (fc->fault, "oversize"))
    {
      g_clear_pointer (&img, g_bytes_unref);
      img = e8 ? arduino_bin (0x200000, 2, NULL)
               : esprit_test_make_image (ESPRIT_CHIP_ESP32, 0x150000, 3, TRUE, 4);
      /* ESP8266: "ERR: ..." to the invitation; ESP32: silence, no connect-back (§7.2). */
      domain_code = e8 ? ESPRIT_ERROR_DEVICE : ESPRIT_ERROR_TIMEOUT;
      needle = e8 ? "ERROR[4]: Not Enough Space" : "larger than its OTA partition";
    }
  else if (g_str_equal (fc->fault, "full"))
    {
      c.full = TRUE;
      domain_code = e8 ? ESPRIT_ERROR_DEVICE : ESPRIT_ERROR_TIMEOUT;
      needle = e8 ? "Not Enough Space" : "never connected back";
    }
  else
    g_assert_not_reached ();

  b = board_start (&c, old, e8 ? 0 : 0x10000);
  before = esprit_sim_ota_dup_flash (b->ota);
  g_assert_false (upload (b, ESPRIT_OTA_FLASH, password, img, &error));
  g_assert_error (error, ESPRIT_ERROR, domain_code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  /* Still the old program: the boot region and otadata untouched, no reboot. */
  after = esprit_sim_ota_dup_flash (b->ota);
  if (e8)
    g_assert_cmpmem (g_bytes_get_data (after, NULL), 0x100000, g_bytes_get_data (before, NULL),
                     0x100000);
  else
    g_assert_cmpmem ((const guint8 *) g_bytes_get_data (after, NULL) + 0xE000, 0x12000,
                     (const guint8 *) g_bytes_get_data (before, NULL) + 0xE000, 0x12000);
  {
    g_autofree char *events = board_events (b);

    g_assert_null (strstr (events, "ESP.restart()"));
  }
  /* And the board takes a good upload afterwards. */
  if (!g_str_equal (fc->fault, "full") && c.drop_after < 0 && c.corrupt_byte < 0 &&
      !c.no_connect_back)
    {
      g_autoptr(GBytes) good = e8 ? arduino_bin (100000, 5, NULL)
                                  : esprit_test_make_image (ESPRIT_CHIP_ESP32, 100000, 2, TRUE, 5);

      g_clear_error (&error);
      {
        gboolean done = upload (b, ESPRIT_OTA_FLASH, PASSWORD, good, &error);

        g_assert_no_error (error);
        g_assert_true (done);
      }
    }
  board_stop (b);
}

static char *
give_password (const char *host,
               gpointer    user_data)
{
  Board *b = user_data;

  g_string_append (b->log, "asked for the password\n");
  return g_strdup (PASSWORD);
}

static void
test_password_prompt (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .password = PASSWORD, .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) bin = arduino_bin (20000, 2, NULL);
  g_autoptr(GError) error = NULL;
  EspritOtaOptions o = { 0 };
  Board *b = board_start (&c, NULL, 0);
  gboolean done;

  /* No password: the board's challenge is released, so the very next invitation (one try)
   * is answered instead of swallowed (§7.3). */
  g_assert_false (upload (b, ESPRIT_OTA_FLASH, NULL, bin, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_AUTH);
  g_clear_error (&error);
  done = upload (b, ESPRIT_OTA_FLASH, PASSWORD, bin, &error);
  g_assert_no_error (error);
  g_assert_true (done);

  board_stop (b);

  /* Asked for while the board holds its challenge: one invitation, one answer. (A new
   * board: the first one is rebooting after its update, as a real one would be.) */
  b = board_start (&c, NULL, 0);
  o.host = "127.0.0.1";
  o.port = esprit_sim_ota_get_port (b->ota);
  o.chip = ESPRIT_CHIP_ESP8266;
  o.timeout_ms = 3000;
  o.invitation_tries = 1;
  o.ask_password = give_password;
  done = esprit_ota_upload (&o, bin, NULL, collect_log, b, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (done);
  g_assert_nonnull (strstr (b->log->str, "asked for the password"));
  board_stop (b);
}

static void
test_wrong_chip (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) esp32 = esprit_test_make_image (ESPRIT_CHIP_ESP32, 50000, 2, TRUE, 1);
  g_autoptr(GError) error = NULL;
  Board *b = board_start (&c, NULL, 0);

  g_assert_false (upload (b, ESPRIT_OTA_FLASH, NULL, esp32, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
  g_assert_nonnull (strstr (error->message, "built for the ESP32"));
  {
    g_autofree char *events = board_events (b);

    g_assert_null (strstr (events, "invitation"));   /* checked before anything is sent */
  }
  board_stop (b);
}

static void
test_no_board (void)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                       G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 5000, 1, FALSE, 1);
  g_autoptr(GError) error = NULL;
  EspritOtaOptions o = { 0 };

  /* A socket that never answers: the invitation times out. */
  g_assert_true (g_socket_bind (s, sa, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  o.host = "127.0.0.1";
  o.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  o.chip = ESPRIT_CHIP_ESP8266;
  o.timeout_ms = 200;
  o.invitation_tries = 2;
  g_assert_false (esprit_ota_upload (&o, img, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "after 2 invitations"));
}

static void
test_ipv6 (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP32, .core = ESPRIT_SIM_OTA_ESP32_MD5,
                           .address = "::1", .password = PASSWORD, .drop_after = -1,
                           .corrupt_byte = -1 };
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP32, 40000, 2, TRUE, 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
                                           G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (lo, 0);
  EspritOtaOptions o = { 0 };
  Board *b;

  if (probe == NULL || !g_socket_bind (probe, sa, FALSE, NULL))
    {
      g_test_skip ("no IPv6 loopback here");
      return;
    }
  b = board_start (&c, NULL, 0);
  o.host = "::1";
  o.port = esprit_sim_ota_get_port (b->ota);
  o.password = PASSWORD;
  o.command = ESPRIT_OTA_FLASH;
  o.chip = ESPRIT_CHIP_ESP32;
  o.timeout_ms = 2000;
  {
    gboolean done = esprit_ota_upload (&o, img, NULL, NULL, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  assert_flash (b, 0x150000, img);
  board_stop (b);
}

static void
test_local_address (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) bin = arduino_bin (20000, 2, NULL);
  g_autoptr(GError) error = NULL;
  EspritOtaOptions o = { 0 };
  Board *b = board_start (&c, NULL, 0);
  g_autofree char *events = NULL;
  gboolean done;

  /* A host with several addresses (127.0.0.2 is another loopback address on Linux): the
   * board dials the invitation's source, and the listener is there (§7.3). */
  o.host = "127.0.0.1";
  o.port = esprit_sim_ota_get_port (b->ota);
  o.chip = ESPRIT_CHIP_ESP8266;
  o.local_address = "127.0.0.2";
  o.timeout_ms = 2000;
  done = esprit_ota_upload (&o, bin, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (done);
  events = board_events (b);
  g_assert_nonnull (strstr (events, "ota: connected to 127.0.0.2:"));
  board_stop (b);
}

static void
cancel_soon (EspritPhase phase,
             guint64     done,
             guint64     total,
             gpointer    user_data)
{
  if (phase == ESPRIT_PHASE_WRITING && done > 20000)
    g_cancellable_cancel (user_data);
}

static void
test_cancel (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) old = arduino_bin (100000, 1, NULL);
  g_autoptr(GBytes) bin = arduino_bin (200000, 2, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  EspritOtaOptions o = { 0 };
  Board *b = board_start (&c, old, 0);

  o.host = "127.0.0.1";
  o.port = esprit_sim_ota_get_port (b->ota);
  o.chip = ESPRIT_CHIP_ESP8266;
  o.timeout_ms = 2000;
  g_assert_false (esprit_ota_upload (&o, bin, cancel_soon, NULL, cancellable, cancellable,
                                     &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  board_stop (b);
  /* The board's own view: the link went away, no reboot; covered by the fault tests. */
  (void) old;
}

int
main (int    argc,
      char **argv)
{
  static const FaultCase faults[] = {
    { ESPRIT_SIM_OTA_ESP8266, "password" }, { ESPRIT_SIM_OTA_ESP32_MD5, "password" },
    { ESPRIT_SIM_OTA_ESP32_SHA256, "password" },
    { ESPRIT_SIM_OTA_ESP8266, "no-connect-back" },
    { ESPRIT_SIM_OTA_ESP32_SHA256, "no-connect-back" },
    { ESPRIT_SIM_OTA_ESP8266, "drop" }, { ESPRIT_SIM_OTA_ESP32_MD5, "drop" },
    { ESPRIT_SIM_OTA_ESP8266, "md5" }, { ESPRIT_SIM_OTA_ESP32_SHA256, "md5" },
    { ESPRIT_SIM_OTA_ESP8266, "oversize" }, { ESPRIT_SIM_OTA_ESP32_MD5, "oversize" },
    { ESPRIT_SIM_OTA_ESP8266, "full" }, { ESPRIT_SIM_OTA_ESP32_SHA256, "full" },
  };
  static const char *const core_names[] = { "esp8266", "esp32-md5", "esp32-sha256" };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/ota/pbkdf2-rfc7914", test_pbkdf2);
  g_test_add_func ("/esprit/ota/nonce-length", test_nonce_length);
  g_test_add_func ("/esprit/ota/parse-invitation", test_parse_invitation);
  g_test_add_func ("/esprit/ota/parse-reply", test_parse_reply);
  g_test_add_func ("/esprit/ota/acks", test_acks);
  g_test_add_data_func ("/esprit/ota/esp8266/flash", NULL, test_esp8266_flash);
  g_test_add_data_func ("/esprit/ota/esp8266/flash-password", PASSWORD, test_esp8266_flash);
  g_test_add_func ("/esprit/ota/esp8266/filesystem", test_esp8266_filesystem);
  g_test_add_func ("/esprit/ota/esp8266/flash-mode-kept", test_esp8266_flash_mode);
  g_test_add_func ("/esprit/ota/esp32-md5/flash-fs", test_esp32_md5);
  g_test_add_func ("/esprit/ota/esp32-sha256/flash-fs", test_esp32_sha256);
  g_test_add_func ("/esprit/ota/esp32-sha256/md5-hash-fallback", test_esp32_sha256_md5_hash);
  g_test_add_func ("/esprit/ota/esp32-sha256/no-password", test_esp32_no_password);
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *path = g_strdup_printf ("/esprit/ota/%s/fault-%s",
                                               core_names[faults[i].core], faults[i].fault);

      g_test_add_data_func (path, &faults[i], test_fault);
    }
  g_test_add_func ("/esprit/ota/wrong-chip", test_wrong_chip);
  g_test_add_func ("/esprit/ota/password-prompt", test_password_prompt);
  g_test_add_func ("/esprit/ota/no-board", test_no_board);
  g_test_add_func ("/esprit/ota/ipv6", test_ipv6);
  g_test_add_func ("/esprit/ota/local-address", test_local_address);
  g_test_add_func ("/esprit/ota/cancel", test_cancel);
  return g_test_run ();
}

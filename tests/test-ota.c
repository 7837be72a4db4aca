/* test-ota.c: the ArduinoOTA client's parsers and crypto, and uploads to the virtual OTA
 * board for both cores landing where the cores put them (§7); the faults are in
 * test-ota-faults.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-image.h"
#include "esprit-test-ota.h"
#include "esprit-test-util.h"

#define PASSWORD ESPRIT_TEST_OTA_PASSWORD

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

static void
test_esp8266_flash (gconstpointer data)
{
  const char *password = data;
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .port = 0, .password = password, .drop_after = -1,
                           .corrupt_byte = -1 };
  g_autoptr(GBytes) old_sketch = NULL, new_sketch = NULL;
  g_autoptr(GBytes) old = esprit_test_ota_arduino_bin (200000, 1, &old_sketch);
  g_autoptr(GBytes) bin = esprit_test_ota_arduino_bin (300 * 1024 - 4096, 2, &new_sketch);
  g_autoptr(GError) error = NULL;
  EspritTestOtaBoard *b;
  gint64 t0;
  guint32 staged;

  c.port = 0;
  b = esprit_test_ota_start (&c, old, 0);
  esprit_test_ota_assert_running (b, "the sketch at 0x001000", old_sketch);
  t0 = g_get_monotonic_time ();
  {
    gboolean done = esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, password, bin, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  g_test_message ("ESP8266 OTA upload of %" G_GSIZE_FORMAT " bytes took %.2f s",
                  g_bytes_get_size (bin), (g_get_monotonic_time () - t0) / 1e6);
  /* Staged below FS_start (4M2M: 0x200000), then copied to 0x0 by eboot (§7.1). */
  staged = 0x200000 - ((g_bytes_get_size (bin) + 0xFFF) & ~0xFFFu);
  esprit_test_ota_assert_running (b, "the sketch at 0x001000", new_sketch);
  esprit_test_ota_assert_flash (b, staged, bin);
  esprit_test_ota_assert_flash (b, 0, bin);
  {
    g_autofree char *events = esprit_test_ota_events (b);
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
  esprit_test_ota_stop (b);
}

static void
test_esp8266_filesystem (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) old_sketch = NULL;
  g_autoptr(GBytes) old = esprit_test_ota_arduino_bin (100000, 1, &old_sketch);
  g_autoptr(GBytes) fs = esprit_test_random_bytes (64 * 1024, 9);
  g_autoptr(GError) error = NULL;
  EspritTestOtaBoard *b = esprit_test_ota_start (&c, old, 0);

  {
    gboolean done = esprit_test_ota_upload (b, ESPRIT_OTA_FILESYSTEM, NULL, fs, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  esprit_test_ota_assert_flash (b, 0x200000, fs);   /* straight to FS_start */
  esprit_test_ota_assert_flash (b, 0, old);
  esprit_test_ota_assert_running (b, "the sketch at 0x001000", old_sketch);
  esprit_test_ota_stop (b);
}

static void
test_esp8266_flash_mode (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) old = esprit_test_ota_arduino_bin (100000, 1, NULL);   /* DIO */
  g_autoptr(GBytes) dio = esprit_test_ota_arduino_bin (50000, 2, NULL);
  g_autoptr(GBytes) qio = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *copy = g_memdup2 (g_bytes_get_data (dio, NULL), g_bytes_get_size (dio));
  gsize n = g_bytes_get_size (dio);
  EspritTestOtaBoard *b = esprit_test_ota_start (&c, old, 0);
  gboolean done;

  /* Updater::_writeBuffer() gives the first page the running flash mode (header byte 2) and
   * hashes the original: a QIO image lands as DIO on a DIO board, and the MD5 still holds. */
  copy[2] = ESPRIT_FLASH_MODE_QIO;
  qio = g_bytes_new_take (copy, n);
  done = esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, NULL, qio, &error);
  g_assert_no_error (error);
  g_assert_true (done);
  esprit_test_ota_assert_running (b, "the sketch at 0x001000", NULL);
  esprit_test_ota_assert_flash (b, 0, dio);
  esprit_test_ota_stop (b);
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
  EspritTestOtaBoard *b = esprit_test_ota_start (&c, old, 0x10000);

  esprit_test_ota_assert_running (b, "app0 at 0x010000", old);
  /* The next OTA slot, app1, then otadata points there (§7.2, §10.1). */
  {
    gboolean done = esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, password, img, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  esprit_test_ota_assert_running (b, "app1 at 0x150000", img);
  esprit_test_ota_assert_flash (b, 0x150000, img);
  /* And back to app0. */
  {
    gboolean done = esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, password, img2, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  esprit_test_ota_assert_running (b, "app0 at 0x010000", img2);
  esprit_test_ota_assert_flash (b, 0x10000, img2);
  {
    gboolean done = esprit_test_ota_upload (b, ESPRIT_OTA_FILESYSTEM, password, fs, &error);

    g_assert_no_error (error);
    g_assert_true (done);
  }
  esprit_test_ota_assert_flash (b, 0x290000, fs);
  if (password != NULL)
    g_assert_null (strstr (b->log->str, password));
  esprit_test_ota_stop (b);
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
  EspritTestOtaBoard *b;

  if (probe == NULL || !g_socket_bind (probe, sa, FALSE, NULL))
    {
      g_test_skip ("no IPv6 loopback here");
      return;
    }
  b = esprit_test_ota_start (&c, NULL, 0);
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
  esprit_test_ota_assert_flash (b, 0x150000, img);
  esprit_test_ota_stop (b);
}

static void
test_local_address (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) bin = esprit_test_ota_arduino_bin (20000, 2, NULL);
  g_autoptr(GError) error = NULL;
  EspritOtaOptions o = { 0 };
  EspritTestOtaBoard *b = esprit_test_ota_start (&c, NULL, 0);
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
  events = esprit_test_ota_events (b);
  g_assert_nonnull (strstr (events, "ota: connected to 127.0.0.2:"));
  esprit_test_ota_stop (b);
}

int
main (int    argc,
      char **argv)
{
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
  g_test_add_func ("/esprit/ota/ipv6", test_ipv6);
  g_test_add_func ("/esprit/ota/local-address", test_local_address);
  return g_test_run ();
}

/* test-ota-faults.c: OTA uploads that go wrong, each with its own clear error, the board
 * still on its old program afterwards (§7); also the password prompt and cancelling
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
  g_autoptr(GBytes) old = e8 ? esprit_test_ota_arduino_bin (150000, 1, &old_sketch)
                             : esprit_test_make_image (ESPRIT_CHIP_ESP32, 150000, 3, TRUE, 3);
  g_autoptr(GBytes) img = e8 ? esprit_test_ota_arduino_bin (200000, 2, NULL)
                             : esprit_test_make_image (ESPRIT_CHIP_ESP32, 200000, 3, TRUE, 4);
  g_autoptr(GBytes) before = NULL, after = NULL;
  g_autoptr(GError) error = NULL;
  const char *password = PASSWORD;
  int domain_code = -1;
  const char *needle = NULL;
  EspritTestOtaBoard *b;

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
      img = e8 ? esprit_test_ota_arduino_bin (0x200000, 2, NULL)
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

  b = esprit_test_ota_start (&c, old, e8 ? 0 : 0x10000);
  before = esprit_sim_ota_dup_flash (b->ota);
  g_assert_false (esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, password, img, &error));
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
    g_autofree char *events = esprit_test_ota_events (b);

    g_assert_null (strstr (events, "ESP.restart()"));
  }
  /* And the board takes a good upload afterwards. */
  if (!g_str_equal (fc->fault, "full") && c.drop_after < 0 && c.corrupt_byte < 0 &&
      !c.no_connect_back)
    {
      g_autoptr(GBytes) good = e8 ? esprit_test_ota_arduino_bin (100000, 5, NULL)
                                  : esprit_test_make_image (ESPRIT_CHIP_ESP32, 100000, 2, TRUE, 5);

      g_clear_error (&error);
      {
        gboolean done = esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, PASSWORD, good, &error);

        g_assert_no_error (error);
        g_assert_true (done);
      }
    }
  esprit_test_ota_stop (b);
}

static char *
give_password (const char *host,
               gpointer    user_data)
{
  EspritTestOtaBoard *b = user_data;

  g_string_append (b->log, "asked for the password\n");
  return g_strdup (PASSWORD);
}

static void
test_password_prompt (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .password = PASSWORD, .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) bin = esprit_test_ota_arduino_bin (20000, 2, NULL);
  g_autoptr(GError) error = NULL;
  EspritOtaOptions o = { 0 };
  EspritTestOtaBoard *b = esprit_test_ota_start (&c, NULL, 0);
  gboolean done;

  /* No password: the board's challenge is released, so the very next invitation (one try)
   * is answered instead of swallowed (§7.3). */
  g_assert_false (esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, NULL, bin, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_AUTH);
  g_clear_error (&error);
  done = esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, PASSWORD, bin, &error);
  g_assert_no_error (error);
  g_assert_true (done);

  esprit_test_ota_stop (b);

  /* Asked for while the board holds its challenge: one invitation, one answer. (A new
   * board: the first one is rebooting after its update, as a real one would be.) */
  b = esprit_test_ota_start (&c, NULL, 0);
  o.host = "127.0.0.1";
  o.port = esprit_sim_ota_get_port (b->ota);
  o.chip = ESPRIT_CHIP_ESP8266;
  o.timeout_ms = 3000;
  o.invitation_tries = 1;
  o.ask_password = give_password;
  done = esprit_ota_upload (&o, bin, NULL, esprit_test_ota_collect_log, b, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (done);
  g_assert_nonnull (strstr (b->log->str, "asked for the password"));
  esprit_test_ota_stop (b);
}

static void
test_wrong_chip (void)
{
  EspritSimOtaConfig c = { .chip = ESPRIT_CHIP_ESP8266, .core = ESPRIT_SIM_OTA_ESP8266,
                           .drop_after = -1, .corrupt_byte = -1 };
  g_autoptr(GBytes) esp32 = esprit_test_make_image (ESPRIT_CHIP_ESP32, 50000, 2, TRUE, 1);
  g_autoptr(GError) error = NULL;
  EspritTestOtaBoard *b = esprit_test_ota_start (&c, NULL, 0);

  g_assert_false (esprit_test_ota_upload (b, ESPRIT_OTA_FLASH, NULL, esp32, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
  g_assert_nonnull (strstr (error->message, "built for the ESP32"));
  {
    g_autofree char *events = esprit_test_ota_events (b);

    g_assert_null (strstr (events, "invitation"));   /* checked before anything is sent */
  }
  esprit_test_ota_stop (b);
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
  g_autoptr(GBytes) old = esprit_test_ota_arduino_bin (100000, 1, NULL);
  g_autoptr(GBytes) bin = esprit_test_ota_arduino_bin (200000, 2, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  EspritOtaOptions o = { 0 };
  EspritTestOtaBoard *b = esprit_test_ota_start (&c, old, 0);

  o.host = "127.0.0.1";
  o.port = esprit_sim_ota_get_port (b->ota);
  o.chip = ESPRIT_CHIP_ESP8266;
  o.timeout_ms = 2000;
  g_assert_false (esprit_ota_upload (&o, bin, cancel_soon, NULL, cancellable, cancellable,
                                     &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  esprit_test_ota_stop (b);
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
  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *path = g_strdup_printf ("/esprit/ota-faults/%s/%s",
                                               core_names[faults[i].core], faults[i].fault);

      g_test_add_data_func (path, &faults[i], test_fault);
    }
  g_test_add_func ("/esprit/ota-faults/wrong-chip", test_wrong_chip);
  g_test_add_func ("/esprit/ota-faults/password-prompt", test_password_prompt);
  g_test_add_func ("/esprit/ota-faults/no-board", test_no_board);
  g_test_add_func ("/esprit/ota-faults/cancel", test_cancel);
  return g_test_run ();
}

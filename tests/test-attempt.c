/* test-attempt.c: the one retry rule and the errors made when a loop gives up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "esprit-attempt.h"
#include "esprit-command.h"
#include "esprit-error.h"

static EspritAttempt
make (EspritAttemptResult result,
      guint8              status)
{
  EspritAttempt a = ESPRIT_ATTEMPT_INIT;

  a.result = result;
  a.status = status;
  a.op = ESPRIT_OP_READ_REG;
  return a;
}

static void
test_rule (void)
{
  static const EspritAttemptResult lost[] = {
    ESPRIT_ATTEMPT_TIMEOUT, ESPRIT_ATTEMPT_SHORT_REPLY, ESPRIT_ATTEMPT_NO_MATCH,
    ESPRIT_ATTEMPT_BAD_PACKET, ESPRIT_ATTEMPT_BAD_DIGEST,
  };
  EspritAttempt a;

  for (guint i = 0; i < G_N_ELEMENTS (lost); i++)
    {
      a = make (lost[i], 0);
      g_assert_true (esprit_retry_again (&a, ESPRIT_RETRY_LOST, 1, FALSE));
      g_assert_true (esprit_retry_again (&a, ESPRIT_RETRY_LOST, 2, FALSE));
      /* Three attempts in all (§2), whatever the loop. */
      g_assert_false (esprit_retry_again (&a, ESPRIT_RETRY_LOST, 3, FALSE));
      g_assert_false (esprit_retry_again (&a, ESPRIT_RETRY_REJECTED, 1, FALSE));
    }
  /* A refusal is retried only where the command may simply be sent again... */
  a = make (ESPRIT_ATTEMPT_REFUSED, ESPRIT_ROM_ERR_FAILED);
  g_assert_true (esprit_retry_again (&a, ESPRIT_RETRY_REFUSED, 1, FALSE));
  g_assert_false (esprit_retry_again (&a, ESPRIT_RETRY_LOST | ESPRIT_RETRY_REJECTED, 1, FALSE));
  /* ...never when the loader lacks the command... */
  a = make (ESPRIT_ATTEMPT_REFUSED, ESPRIT_ROM_ERR_INVALID_MESSAGE);
  g_assert_false (esprit_retry_again (&a, ESPRIT_RETRY_REFUSED, 1, FALSE));
  a = make (ESPRIT_ATTEMPT_UNSUPPORTED, 0x05);
  g_assert_false (esprit_retry_again (&a, ~0, 1, TRUE));
  /* ...and a data block when it arrived damaged: checksum, or a stub's length code. */
  a = make (ESPRIT_ATTEMPT_REFUSED, ESPRIT_ROM_ERR_CHECKSUM);
  g_assert_true (esprit_retry_again (&a, ESPRIT_RETRY_REJECTED, 1, FALSE));
  a = make (ESPRIT_ATTEMPT_REFUSED, ESPRIT_STUB_ERR_BAD_DATA_CHECKSUM);
  g_assert_true (esprit_retry_again (&a, ESPRIT_RETRY_REJECTED, 1, TRUE));
  a = make (ESPRIT_ATTEMPT_REFUSED, ESPRIT_STUB_ERR_BAD_DATA_LEN);
  g_assert_true (esprit_retry_again (&a, ESPRIT_RETRY_REJECTED, 1, TRUE));
  g_assert_false (esprit_retry_again (&a, ESPRIT_RETRY_REJECTED, 1, FALSE));
  a = make (ESPRIT_ATTEMPT_REFUSED, ESPRIT_ROM_ERR_FLASH_WRITE);
  g_assert_false (esprit_retry_again (&a, ESPRIT_RETRY_REJECTED | ESPRIT_RETRY_LOST, 1, FALSE));
  a = make (ESPRIT_ATTEMPT_FATAL, 0);
  g_assert_false (esprit_retry_again (&a, ~0, 1, TRUE));
}

static void
test_errors (void)
{
  static const struct {
    EspritAttemptResult result;
    guint8 status;
    int code;
    const char *text;
  } cases[] = {
    { ESPRIT_ATTEMPT_TIMEOUT, 0, ESPRIT_ERROR_TIMEOUT, "READ_REG: Timed out waiting" },
    { ESPRIT_ATTEMPT_SHORT_REPLY, 0, ESPRIT_ERROR_CHECKSUM, "reply too short" },
    { ESPRIT_ATTEMPT_NO_MATCH, 0, ESPRIT_ERROR_FAILED, "among 100 frames" },
    { ESPRIT_ATTEMPT_BAD_DIGEST, 0, ESPRIT_ERROR_CHECKSUM, "MD5" },
    { ESPRIT_ATTEMPT_REFUSED, 0x08, ESPRIT_ERROR_DEVICE, "(0x08)" },
    { ESPRIT_ATTEMPT_REFUSED, 0xC3, ESPRIT_ERROR_UNSUPPORTED, "(0xc3)" },
    { ESPRIT_ATTEMPT_UNSUPPORTED, 0x05, ESPRIT_ERROR_UNSUPPORTED, "does not support READ_REG" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      EspritAttempt a = make (cases[i].result, cases[i].status);
      g_autoptr(GError) error = NULL;

      g_assert_false (esprit_attempt_fail (&a, &error));
      g_assert_error (error, ESPRIT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].text));
    }
  {
    EspritAttempt a = ESPRIT_ATTEMPT_INIT;
    g_autoptr(GError) error = NULL;

    esprit_attempt_take_fatal (&a, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "stop"));
    g_assert_false (esprit_attempt_fail (&a, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_null (a.fatal);
  }
  {
    EspritAttempt a = make (ESPRIT_ATTEMPT_BAD_PACKET, 0);
    g_autofree char *text = NULL;

    a.at = 0x12000;
    a.length = 17;
    text = esprit_attempt_describe (&a);
    g_assert_cmpstr (text, ==, "Corrupt data from the board at 0x00012000 (a 17-byte packet)");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/attempt/rule", test_rule);
  g_test_add_func ("/esprit/attempt/errors", test_errors);
  return g_test_run ();
}

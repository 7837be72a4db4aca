/* esprit-attempt.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-loader"

#include "config.h"

#include "esprit-attempt.h"
#include "esprit-command.h"
#include "esprit-error.h"
#include "esprit-i18n.h"

void
esprit_attempt_clear (EspritAttempt *attempt)
{
  g_clear_error (&attempt->fatal);
  attempt->result = ESPRIT_ATTEMPT_OK;
}

void
esprit_attempt_take_fatal (EspritAttempt *attempt,
                           GError        *error)
{
  g_clear_error (&attempt->fatal);
  attempt->result = ESPRIT_ATTEMPT_FATAL;
  attempt->fatal = error;
}

static gboolean
unsupported_code (guint8 status)
{
  return status == ESPRIT_ROM_ERR_INVALID_MESSAGE || status == ESPRIT_STUB_ERR_INVALID_COMMAND ||
         status == ESPRIT_STUB_ERR_CMD_NOT_IMPLEMENTED;
}

static int
error_code (const EspritAttempt *a)
{
  switch (a->result)
    {
    case ESPRIT_ATTEMPT_TIMEOUT:
      return ESPRIT_ERROR_TIMEOUT;
    case ESPRIT_ATTEMPT_SHORT_REPLY:
    case ESPRIT_ATTEMPT_BAD_PACKET:
    case ESPRIT_ATTEMPT_BAD_DIGEST:
      return ESPRIT_ERROR_CHECKSUM;
    case ESPRIT_ATTEMPT_REFUSED:
      return unsupported_code (a->status) ? ESPRIT_ERROR_UNSUPPORTED : ESPRIT_ERROR_DEVICE;
    case ESPRIT_ATTEMPT_UNSUPPORTED:
      return ESPRIT_ERROR_UNSUPPORTED;
    default:
      return ESPRIT_ERROR_FAILED;
    }
}

char *
esprit_attempt_describe (const EspritAttempt *a)
{
  const char *name = a->op ? esprit_op_name (a->op) : NULL;
  const char *what;

  switch (a->result)
    {
    case ESPRIT_ATTEMPT_OK:
      return g_strdup ("OK");
    case ESPRIT_ATTEMPT_FATAL:
      return g_strdup (a->fatal ? a->fatal->message : "?");
    case ESPRIT_ATTEMPT_TIMEOUT:
      what = a->mid_frame ? _("Timed out in the middle of a reply")
                          : _("Timed out waiting for a reply (no serial data received)");
      return name ? g_strdup_printf (_("%s: %s"), name, what) : g_strdup (what);
    case ESPRIT_ATTEMPT_SHORT_REPLY:
      return g_strdup_printf (_("%s: reply too short (%zu bytes)"), name ? name : "command",
                              a->length);
    case ESPRIT_ATTEMPT_NO_MATCH:
      return g_strdup_printf (_("%s: no matching reply among %d frames"),
                              name ? name : "command", ESPRIT_MAX_STRAY_FRAMES);
    case ESPRIT_ATTEMPT_BAD_PACKET:
      if (a->length != 0)
        return g_strdup_printf (_("Corrupt data from the board at 0x%08x (a %zu-byte packet)"),
                                a->at, a->length);
      return g_strdup_printf (_("Corrupt data from the board at 0x%08x"), a->at);
    case ESPRIT_ATTEMPT_BAD_DIGEST:
      return g_strdup (_("The data read does not match the board's MD5: the transfer was "
                         "corrupted"));
    case ESPRIT_ATTEMPT_REFUSED:
      return g_strdup_printf (_("%s failed: %s (0x%02x)"), name ? name : "Command",
                              esprit_status_describe (a->status), a->status);
    case ESPRIT_ATTEMPT_UNSUPPORTED:
      return g_strdup_printf (_("The loader does not support %s"), name ? name : "this command");
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
esprit_attempt_fail (EspritAttempt  *a,
                     GError        **error)
{
  g_return_val_if_fail (a->result != ESPRIT_ATTEMPT_OK, FALSE);

  if (a->result == ESPRIT_ATTEMPT_FATAL)
    {
      g_propagate_error (error, g_steal_pointer (&a->fatal));
      return FALSE;
    }
  if (error != NULL)
    {
      g_autofree char *msg = esprit_attempt_describe (a);

      g_set_error_literal (error, ESPRIT_ERROR, error_code (a), msg);
    }
  return FALSE;
}

gboolean
esprit_retry_again (const EspritAttempt *a,
                    EspritRetryOn        on,
                    guint                attempts,
                    gboolean             stub)
{
  if (attempts >= ESPRIT_ATTEMPTS)
    return FALSE;
  switch (a->result)
    {
    case ESPRIT_ATTEMPT_TIMEOUT:
    case ESPRIT_ATTEMPT_SHORT_REPLY:
    case ESPRIT_ATTEMPT_NO_MATCH:
    case ESPRIT_ATTEMPT_BAD_PACKET:
    case ESPRIT_ATTEMPT_BAD_DIGEST:
      return (on & ESPRIT_RETRY_LOST) != 0;
    case ESPRIT_ATTEMPT_REFUSED:
      if ((on & ESPRIT_RETRY_REFUSED) && !unsupported_code (a->status))
        return TRUE;
      /* Rejected blocks were not used: a checksum error, or on a stub a frame cut short on
       * the way (its length no longer matches, §1 stub codes). */
      return (on & ESPRIT_RETRY_REJECTED) &&
             (a->status == ESPRIT_ROM_ERR_CHECKSUM ||
              a->status == ESPRIT_STUB_ERR_BAD_DATA_CHECKSUM ||
              (stub && a->status == ESPRIT_STUB_ERR_BAD_DATA_LEN));
    default:
      return FALSE;
    }
}

/* esprit-flash-stream.c: what both stub reads share: the closing digest, and breaking off a
 * read to start again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-flash"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-flash-private.h"
#include "esprit-i18n.h"

gboolean
_esprit_flash_check_read_digest (EspritLoader   *self,
                                 const guint8   *buffer,
                                 guint32         size,
                                 EspritAttempt  *attempt,
                                 GCancellable   *cancellable)
{
  g_autoptr(GBytes) digest = NULL;
  guint8 local[16];

  if (!_esprit_loader_next_frame (self, ESPRIT_TIMEOUT_DEFAULT, &digest, attempt, cancellable))
    return FALSE;
  _esprit_flash_local_md5 (buffer, size, local);
  if (g_bytes_get_size (digest) != 16 || memcmp (g_bytes_get_data (digest, NULL), local, 16) != 0)
    {
      attempt->result = ESPRIT_ATTEMPT_BAD_DIGEST;
      return FALSE;
    }
  return TRUE;
}

/* After a broken read the stub still streams or waits for acknowledgements: send @ack (the
 * whole size lets a stub finish with its digest; Esprit's stub stops at 0xFFFFFFFF), then drop
 * what it sends. */
void
_esprit_flash_release_read (EspritLoader        *self,
                            const EspritAttempt *attempt,
                            guint32              ack_value)
{
  g_autofree char *why = esprit_attempt_describe (attempt);
  guint8 ack[4];

  esprit_loader_log (self, ESPRIT_LOG_WARNING, _("%s; reading again"), why);
  esprit_write_le32 (ack, ack_value);
  esprit_loader_write_frame (self, ack, 4, NULL, NULL);
  g_usleep (200000);
  esprit_transport_flush_input (esprit_loader_get_transport (self), NULL);
}


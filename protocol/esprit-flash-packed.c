/* esprit-flash-packed.c: host side of Esprit's packed read (written with the stub) */
#include "config.h"

#include "esprit-error.h"
#include "esprit-flash-private.h"

gboolean
_esprit_flash_read_packed (EspritLoader       *self,
                           guint32             addr,
                           guint32             size,
                           guint8             *buffer,
                           EspritProgressFunc  progress,
                           gpointer            user_data,
                           GCancellable       *cancellable,
                           GError            **error)
{
  g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED, "Packed read not available");
  return FALSE;
}

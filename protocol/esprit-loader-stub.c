/* esprit-loader-stub.c: uploading and starting the flasher stub, and telling whose it is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-loader"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-loader-private.h"
#include "esprit-stub-image.h"

/* Asks the running stub whether it is Esprit's (ESPRIT_VERSION); another stub refuses the
 * unknown command, which is harmless. Only cancellation is an error. */
gboolean
_esprit_loader_identify_stub (EspritLoader  *self,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(GBytes) version = NULL;
  g_autoptr(GError) local_error = NULL;

  if (esprit_loader_command (self, ESPRIT_OP_ESPRIT_VERSION, NULL, 0, 0, 8,
                             ESPRIT_TIMEOUT_DEFAULT, &version, NULL, NULL, cancellable,
                             &local_error) &&
      memcmp (g_bytes_get_data (version, NULL), ESPRIT_STUB_MAGIC, 4) == 0)
    {
      self->kind = ESPRIT_LOADER_ESPRIT_STUB;
      self->stub_version = esprit_read_le32 ((const guint8 *) g_bytes_get_data (version, NULL) + 4);
    }
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* The jump to the stub happened but it did not say OHAI: whether the board can still be used
 * depends on whether the ROM loader still answers. */
static gboolean
stub_start_failed (EspritLoader  *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gboolean stub = FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  esprit_transport_flush_input (self->transport, NULL);
  if (_esprit_loader_sync_once (self, &stub, cancellable, NULL) && !stub)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                           _("The stub did not start (no OHAI); the ROM loader still answers"));
      return FALSE;
    }
  g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_NO_SYNC,
                       _("The stub did not start and the board no longer answers. Nothing was "
                         "written; reset the board (press RESET or reconnect it) and try "
                         "again, or use --no-stub"));
  return FALSE;
}

gboolean
esprit_loader_run_stub (EspritLoader       *self,
                        EspritProgressFunc  progress,
                        gpointer            user_data,
                        GCancellable       *cancellable,
                        GError            **error)
{
  const EspritStubImage *image;
  g_autoptr(GBytes) ohai = NULL;
  guint8 end[8];

  g_return_val_if_fail (self->chip != ESPRIT_CHIP_AUTO, FALSE);

  if (self->kind != ESPRIT_LOADER_ROM)
    return TRUE;
  image = esprit_stub_image_for_chip (self->chip);
  if (image == NULL)
    return TRUE;

  /* §12.0, §12.4: the ESP32-family stubs drive SPI1 through its registers and cannot attach
   * the flash themselves (a windowed ROM call): the ROM attaches it first. */
  if (self->chip != ESPRIT_CHIP_ESP8266 && !_esprit_loader_ensure_attached (self, cancellable, error))
    return FALSE;

  if (progress)
    progress (ESPRIT_PHASE_STARTING_STUB, 0, 0, user_data);
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Uploading stub..."));
  for (guint i = 0; i < image->n_segments; i++)
    if (!esprit_loader_mem_upload (self, image->segments[i].load_addr, image->segments[i].data,
                                   image->segments[i].length, cancellable, error))
      {
        g_prefix_error (error, _("Uploading the stub failed: "));
        return FALSE;
      }
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Running stub..."));
  esprit_write_le32 (end, 0);   /* flag 0: jump to the entry (§2) */
  esprit_write_le32 (end + 4, image->entry);
  /* §2: the ROM's reply to MEM_END may never come (esptool waits 0.2 s and ignores errors);
   * OHAI decides. */
  self->saw_ohai = FALSE;
  esprit_loader_command (self, ESPRIT_OP_MEM_END, end, 8, 0, 0, ESPRIT_TIMEOUT_MEM_END_ROM,
                         NULL, NULL, NULL, cancellable, NULL);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  /* §6: OHAI is the only unsolicited frame. */
  if (!self->saw_ohai)
    {
      ohai = esprit_loader_read_frame (self, 1000, cancellable, NULL);
      if (ohai == NULL || g_bytes_get_size (ohai) != 4 ||
          memcmp (g_bytes_get_data (ohai, NULL), "OHAI", 4) != 0)
        return stub_start_failed (self, cancellable, error);
    }
  self->kind = ESPRIT_LOADER_STUB;
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Stub running..."));

  if (!_esprit_loader_identify_stub (self, cancellable, error))
    return FALSE;
  self->attached = FALSE;
  return TRUE;
}


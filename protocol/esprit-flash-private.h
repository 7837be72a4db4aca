/* esprit-flash-private.h: pieces of the flash operations that live in their own files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-flash.h"
#include "esprit-loader-private.h"

G_BEGIN_DECLS

/* Esprit's packed read (ESPRIT_OP_ESPRIT_READ_PACKED): erased spans as short tokens, the rest
 * compressed, the final MD5 over every byte. Only called when the loader kind is
 * ESPRIT_LOADER_ESPRIT_STUB. Lives in esprit-flash-packed.c. */
gboolean _esprit_flash_read_packed (EspritLoader       *self,
                                    guint32             addr,
                                    guint32             size,
                                    guint8             *buffer,
                                    EspritProgressFunc  progress,
                                    gpointer            user_data,
                                    GCancellable       *cancellable,
                                    GError            **error);

/* Reads the 16-byte MD5 frame that ends a stub read and compares it with @buffer;
 * BAD_DIGEST when they differ. */
gboolean _esprit_flash_check_read_digest (EspritLoader   *self,
                                          const guint8   *buffer,
                                          guint32         size,
                                          EspritAttempt  *attempt,
                                          GCancellable   *cancellable);

/* Before reading again after @attempt: says why, and ends the broken stub read (see
 * esprit-flash.c). */
void     _esprit_flash_release_read      (EspritLoader        *self,
                                          const EspritAttempt *attempt,
                                          guint32              ack_value);

G_END_DECLS

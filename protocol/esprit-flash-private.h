/* esprit-flash-private.h: what the flash files share (esprit-flash.c: id, MD5, erase;
 * -write.c; -read.c; -packed.c: Esprit's packed read; -stream.c: the stub reads' ending)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-flash.h"
#include "esprit-loader-private.h"

G_BEGIN_DECLS

#define ESPRIT_FLASH_SECTOR     0x1000u    /* §2: a sector */
#define ESPRIT_FLASH_ROM_BLOCK  0x400u     /* FLASH_WRITE_SIZE for ROMs (§2) */
#define ESPRIT_FLASH_REGION     0x10000u   /* skip-unchanged and read-check granularity */

static inline const EspritChipInfo *
_esprit_flash_chip (EspritLoader *self)
{
  return esprit_chip_get_info (esprit_loader_get_chip (self));
}

static inline gboolean
_esprit_flash_is_rom (EspritLoader *self)
{
  return esprit_loader_get_kind (self) == ESPRIT_LOADER_ROM;
}

static inline gboolean
_esprit_flash_can_md5 (EspritLoader *self)
{
  return !_esprit_flash_is_rom (self) ||
         (_esprit_flash_chip (self)->rom_caps & ESPRIT_ROM_CAN_MD5);
}

static inline gboolean
_esprit_flash_can_inflate (EspritLoader *self)
{
  return !_esprit_flash_is_rom (self) ||
         (_esprit_flash_chip (self)->rom_caps & ESPRIT_ROM_CAN_COMPRESS);
}


void     _esprit_flash_local_md5          (const guint8 *data,
                                           gsize         len,
                                           guint8        digest[16]);
/* With the erase-size workaround the ESP8266 ROM still erases one sector too many when an odd
 * number of sectors ends before the first 64 KB boundary: say so (esprit-flash.c). */
void     _esprit_flash_warn_rom_over_erase (EspritLoader *self,
                                            guint32       addr,
                                            guint32       size,
                                            guint32       erase_size);

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

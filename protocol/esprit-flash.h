/* esprit-flash.h: flash operations over a connected loader: id, write, read, erase, MD5
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-deflate-cache.h"
#include "esprit-layout.h"
#include "esprit-loader.h"

G_BEGIN_DECLS

typedef enum {
  ESPRIT_COMPRESS_AUTO,   /* compressed wherever the loader can inflate */
  ESPRIT_COMPRESS_ON,     /* -z: an error where the loader cannot */
  ESPRIT_COMPRESS_OFF,    /* -u */
} EspritCompress;

typedef struct {
  EspritCompress compress;
  gboolean       verify;          /* MD5 after writing where the loader has MD5 (default on) */
  gboolean       skip_unchanged;  /* compare 64 KB regions by MD5 first and skip equal ones */
  EspritDeflateCache *deflate_cache; /* (nullable): share compressed data between boards */
} EspritWriteOptions;

#define ESPRIT_WRITE_OPTIONS_DEFAULT { ESPRIT_COMPRESS_AUTO, TRUE, TRUE, NULL }

/* JEDEC id via the SPI registers (works under ROM and stub; attaches first where needed). */
gboolean esprit_flash_read_id       (EspritLoader             *self,
                                     guint32                  *jedec_id,
                                     GCancellable             *cancellable,
                                     GError                  **error);
/* Flash size from the id, cached on the loader; ESPRIT_ERROR_UNSUPPORTED if unknown. */
gboolean esprit_flash_detect_size   (EspritLoader             *self,
                                     guint32                  *size,
                                     GCancellable             *cancellable,
                                     GError                  **error);
/* Writes @data at @addr (erase handled by the loader), 3 retries per block, timeouts per MB,
 * then verifies the MD5 where possible. Logs "Writing at 0x...(N %)", "Wrote ...",
 * "Hash of data verified.". */
gboolean esprit_flash_write         (EspritLoader             *self,
                                     guint32                   addr,
                                     GBytes                   *data,
                                     const EspritWriteOptions *options,
                                     EspritProgressFunc        progress,
                                     gpointer                  user_data,
                                     GCancellable             *cancellable,
                                     GError                  **error);
/* Reads @size bytes at @addr into @buffer: stub READ_FLASH (with flow control and the final
 * MD5 checked) or ROM READ_FLASH_SLOW (then SPI_FLASH_MD5 where available). Uses Esprit's
 * packed read when the stub is Esprit's. */
gboolean esprit_flash_read          (EspritLoader             *self,
                                     guint32                   addr,
                                     guint32                   size,
                                     guint8                   *buffer,
                                     EspritProgressFunc        progress,
                                     gpointer                  user_data,
                                     GCancellable             *cancellable,
                                     GError                  **error);
/* What this loader's reads and writes have learnt of the flash's 4 KB chunks: Esprit's
 * packed read tells erased chunks from the rest as it goes; writes and erases make the chunks
 * they touch unknown again. NULL until a read after the flash size was detected.
 * (transfer none) (nullable) */
const EspritChunkMap *esprit_flash_get_chunk_map (EspritLoader      *self);
gboolean esprit_flash_md5           (EspritLoader             *self,
                                     guint32                   addr,
                                     guint32                   size,
                                     guint8                    digest[16],
                                     GCancellable             *cancellable,
                                     GError                  **error);
gboolean esprit_flash_erase_all     (EspritLoader             *self,
                                     EspritProgressFunc        progress,
                                     gpointer                  user_data,
                                     GCancellable             *cancellable,
                                     GError                  **error);
/* ERASE_REGION on a stub; FLASH_BEGIN's erase on a ROM. @addr and @size multiples of 4096. */
gboolean esprit_flash_erase_region  (EspritLoader             *self,
                                     guint32                   addr,
                                     guint32                   size,
                                     EspritProgressFunc        progress,
                                     gpointer                  user_data,
                                     GCancellable             *cancellable,
                                     GError                  **error);

/* What the ESP8266 ROM really erases for FLASH_BEGIN(@erase_size) at @offset, in bytes from
 * the sector holding @offset: it erases the sectors up to the next 64 KB boundary and then
 * the requested count again (protocol-facts §2; reverse-engineered ROM SPIEraseArea). */
guint32  esprit_flash_esp8266_rom_erase_len (guint32 offset,
                                             guint32 erase_size);
/* The ESP8266 ROM's FLASH_BEGIN erase-size workaround (protocol-facts §2). */
guint32  esprit_flash_esp8266_erase_size (guint32 offset,
                                          guint32 size);

G_END_DECLS

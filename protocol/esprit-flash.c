/* esprit-flash.c: flash id and size, MD5, erase, and the ESP8266 ROM's erase-size rule
 * (writing is in esprit-flash-write.c, reading in esprit-flash-read.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-flash"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-flash-private.h"
#include "esprit-i18n.h"

guint32
esprit_flash_esp8266_erase_size (guint32 offset,
                                 guint32 size)
{
  /* §2 "R8266 erase-size bug" workaround. */
  guint32 n = (size + ESPRIT_FLASH_SECTOR - 1) / ESPRIT_FLASH_SECTOR;
  guint32 start = offset / ESPRIT_FLASH_SECTOR;
  guint32 head = 16 - start % 16;

  if (n < head)
    head = n;
  if (n < 2 * head)
    return (n + 1) / 2 * ESPRIT_FLASH_SECTOR;
  return (n - head) * ESPRIT_FLASH_SECTOR;
}

guint32
esprit_flash_esp8266_rom_erase_len (guint32 offset,
                                    guint32 erase_size)
{
  guint32 n = (erase_size + ESPRIT_FLASH_SECTOR - 1) / ESPRIT_FLASH_SECTOR;
  guint32 head = 16 - (offset / ESPRIT_FLASH_SECTOR) % 16;

  return (MIN (head, n) + n) * ESPRIT_FLASH_SECTOR;
}

/* With the workaround the ESP8266 ROM still erases one sector too many when an odd number of
 * sectors ends before the first 64 KB boundary: say so, since that sector's data is lost. */
void
_esprit_flash_warn_rom_over_erase (EspritLoader *self,
                                   guint32       addr,
                                   guint32       size,
                                   guint32       erase_size)
{
  guint32 start = addr - addr % ESPRIT_FLASH_SECTOR;
  guint32 wanted = (addr + size - start + ESPRIT_FLASH_SECTOR - 1) / ESPRIT_FLASH_SECTOR * ESPRIT_FLASH_SECTOR;
  guint32 erased = esprit_flash_esp8266_rom_erase_len (addr, erase_size);

  if (erased > wanted)
    esprit_loader_log (self, ESPRIT_LOG_WARNING,
                       _("The ESP8266 ROM also erases 0x%08x..0x%08x, after the data (a ROM "
                         "bug); Esprit's stub erases exactly"),
                       start + wanted, start + erased - 1);
}

gboolean
esprit_flash_read_id (EspritLoader  *self,
                      guint32       *jedec_id,
                      GCancellable  *cancellable,
                      GError       **error)
{
  const EspritSpiRegs *spi = &_esprit_flash_chip (self)->spi;
  guint32 old_usr, old_usr2, cmd = 0, w0;
  const guint miso_bits = 24;

  if (!_esprit_loader_ensure_attached (self, cancellable, error))
    return FALSE;
  /* §5 steps 1-7: a user command 0x9F with a 24-bit read phase. */
  if (!esprit_loader_read_reg (self, spi->usr, &old_usr, cancellable, error) ||
      !esprit_loader_read_reg (self, spi->usr2, &old_usr2, cancellable, error))
    return FALSE;
  if (spi->miso_dlen == 0)
    {
      /* ESP8266: no DLEN registers; the lengths live in USR1. */
      if (!esprit_loader_write_reg (self, spi->usr1, (miso_bits - 1) << 8, 0xFFFFFFFF, 0,
                                    cancellable, error))
        return FALSE;
    }
  else if (!esprit_loader_write_reg (self, spi->miso_dlen, miso_bits - 1, 0xFFFFFFFF, 0,
                                     cancellable, error) ||
           !esprit_loader_write_reg (self, spi->mosi_dlen, 0, 0xFFFFFFFF, 0, cancellable, error))
    return FALSE;
  if (!esprit_loader_write_reg (self, spi->usr, (1u << 31) | (1u << 28), 0xFFFFFFFF, 0,
                                cancellable, error) ||
      !esprit_loader_write_reg (self, spi->usr2, (7u << 28) | 0x9F, 0xFFFFFFFF, 0, cancellable,
                                error) ||
      !esprit_loader_write_reg (self, spi->w0, 0, 0xFFFFFFFF, 0, cancellable, error) ||
      !esprit_loader_write_reg (self, spi->base, 1u << 18, 0xFFFFFFFF, 0, cancellable, error))
    return FALSE;
  for (int i = 0; i < 10; i++)
    {
      if (!esprit_loader_read_reg (self, spi->base, &cmd, cancellable, error))
        return FALSE;
      if ((cmd & (1u << 18)) == 0)
        break;
    }
  if (cmd & (1u << 18))
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT,
                           _("The SPI flash did not answer the id command"));
      return FALSE;
    }
  if (!esprit_loader_read_reg (self, spi->w0, &w0, cancellable, error) ||
      !esprit_loader_write_reg (self, spi->usr, old_usr, 0xFFFFFFFF, 0, cancellable, error) ||
      !esprit_loader_write_reg (self, spi->usr2, old_usr2, 0xFFFFFFFF, 0, cancellable, error))
    return FALSE;
  *jedec_id = w0 & 0xFFFFFF;
  return TRUE;
}

gboolean
esprit_flash_detect_size (EspritLoader  *self,
                          guint32       *size,
                          GCancellable  *cancellable,
                          GError       **error)
{
  guint32 id;

  if (_esprit_loader_get_flash_size (self) != 0)
    {
      *size = _esprit_loader_get_flash_size (self);
      return TRUE;
    }
  if (!esprit_flash_read_id (self, &id, cancellable, error))
    return FALSE;
  *size = esprit_flash_size_from_jedec (id);
  if (*size == 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("Unknown flash (JEDEC id 0x%06x): give its size explicitly"), id);
      return FALSE;
    }
  _esprit_loader_set_flash_size (self, *size);
  return TRUE;
}

/* ---- MD5 ---------------------------------------------------------------------------- */

gboolean
esprit_flash_md5 (EspritLoader  *self,
                  guint32        addr,
                  guint32        size,
                  guint8         digest[16],
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GBytes) reply = NULL;
  guint8 data[16] = { 0 };
  gboolean rom = _esprit_flash_is_rom (self);

  if (!_esprit_flash_can_md5 (self))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("The %s ROM loader cannot compute an MD5"), _esprit_flash_chip (self)->name);
      return FALSE;
    }
  if (!_esprit_loader_ensure_attached (self, cancellable, error))
    return FALSE;
  esprit_write_le32 (data, addr);
  esprit_write_le32 (data + 4, size);
  /* §2: the ROM answers with 32 hex characters, a stub with 16 raw bytes. */
  if (!_esprit_loader_command_retry (self, ESPRIT_OP_SPI_FLASH_MD5, data, 16, rom ? 32 : 16,
                                     esprit_timeout_per_mb (ESPRIT_TIMEOUT_MD5_PER_MB, size),
                                     &reply, NULL, cancellable, error))
    return FALSE;
  if (rom)
    {
      const char *hex = g_bytes_get_data (reply, NULL);

      for (int i = 0; i < 16; i++)
        {
          int hi = g_ascii_xdigit_value (hex[2 * i]), lo = g_ascii_xdigit_value (hex[2 * i + 1]);

          if (hi < 0 || lo < 0)
            {
              g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM,
                                   _("The board's MD5 reply is garbled"));
              return FALSE;
            }
          digest[i] = (guint8) (hi << 4 | lo);
        }
    }
  else
    memcpy (digest, g_bytes_get_data (reply, NULL), 16);
  return TRUE;
}

void
_esprit_flash_local_md5 (const guint8 *data,
                         gsize         len,
                         guint8        digest[16])
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize n = 16;

  g_checksum_update (md5, data, len);
  g_checksum_get_digest (md5, digest, &n);
}

/* ---- erase -------------------------------------------------------------------------- */

static gboolean
rom_erase (EspritLoader  *self,
           guint32        addr,
           guint32        size,
           GCancellable  *cancellable,
           GError       **error)
{
  guint8 begin[20] = { 0 };
  gsize begin_len = (_esprit_flash_chip (self)->rom_caps & ESPRIT_ROM_BEGIN_5_WORDS) ? 20 : 16;
  guint32 erase = size;

  /* A ROM erases inside FLASH_BEGIN; without data and END that is an erase (§2). */
  if (_esprit_flash_chip (self)->rom_caps & ESPRIT_ROM_ERASE_SIZE_BUG)
    {
      erase = esprit_flash_esp8266_erase_size (addr, size);
      _esprit_flash_warn_rom_over_erase (self, addr, size, erase);
    }
  esprit_write_le32 (begin, erase);
  esprit_write_le32 (begin + 4, (size + ESPRIT_FLASH_ROM_BLOCK - 1) / ESPRIT_FLASH_ROM_BLOCK);
  esprit_write_le32 (begin + 8, ESPRIT_FLASH_ROM_BLOCK);
  esprit_write_le32 (begin + 12, addr);
  return esprit_loader_command (self, ESPRIT_OP_FLASH_BEGIN, begin, begin_len, 0, 0,
                                esprit_timeout_per_mb (ESPRIT_TIMEOUT_ERASE_PER_MB, size), NULL,
                                NULL, NULL, cancellable, error);
}

gboolean
esprit_flash_erase_region (EspritLoader       *self,
                           guint32             addr,
                           guint32             size,
                           EspritProgressFunc  progress,
                           gpointer            user_data,
                           GCancellable       *cancellable,
                           GError            **error)
{
  guint8 req[8];

  if (addr % ESPRIT_FLASH_SECTOR != 0 || size % ESPRIT_FLASH_SECTOR != 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("Erase address and size must be multiples of 4096 (0x1000)"));
      return FALSE;
    }
  if (!_esprit_loader_ensure_attached (self, cancellable, error))
    return FALSE;
  if (progress)
    progress (ESPRIT_PHASE_ERASING, 0, size, user_data);
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Erasing region (may be slow depending on size)..."));
  /* A ROM's erase may reach past the range (§2 FLASH_BEGIN): forget everything then. */
  if (_esprit_flash_is_rom (self))
    _esprit_loader_note_chunks (self, 0, _esprit_loader_get_flash_size (self),
                                ESPRIT_CHUNK_UNKNOWN);
  else
    _esprit_loader_note_chunks (self, addr, size, ESPRIT_CHUNK_UNKNOWN);
  if (_esprit_flash_is_rom (self))
    {
      if (!rom_erase (self, addr, size, cancellable, error))
        return FALSE;
    }
  else
    {
      esprit_write_le32 (req, addr);
      esprit_write_le32 (req + 4, size);
      if (!esprit_loader_command (self, ESPRIT_OP_ERASE_REGION, req, 8, 0, 0,
                                  esprit_timeout_per_mb (ESPRIT_TIMEOUT_ERASE_PER_MB, size), NULL,
                                  NULL, NULL, cancellable, error))
        return FALSE;
    }
  if (progress)
    progress (ESPRIT_PHASE_ERASING, size, size, user_data);
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Erase completed successfully."));
  return TRUE;
}

gboolean
esprit_flash_erase_all (EspritLoader       *self,
                        EspritProgressFunc  progress,
                        gpointer            user_data,
                        GCancellable       *cancellable,
                        GError            **error)
{
  guint32 size;

  if (!_esprit_loader_ensure_attached (self, cancellable, error))
    return FALSE;
  if (progress)
    progress (ESPRIT_PHASE_ERASING, 0, 0, user_data);
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Erasing flash (this may take a while)..."));
  _esprit_loader_note_chunks (self, 0, _esprit_loader_get_flash_size (self),
                              ESPRIT_CHUNK_UNKNOWN);
  if (!_esprit_flash_is_rom (self))
    {
      if (!esprit_loader_command (self, ESPRIT_OP_ERASE_FLASH, NULL, 0, 0, 0,
                                  ESPRIT_TIMEOUT_CHIP_ERASE, NULL, NULL, NULL, cancellable, error))
        return FALSE;
    }
  else if (!esprit_flash_detect_size (self, &size, cancellable, error) ||
           !rom_erase (self, 0, size, cancellable, error))
    return FALSE;
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Chip erase completed successfully."));
  return TRUE;
}

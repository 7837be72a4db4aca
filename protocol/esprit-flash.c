/* esprit-flash.c: flash id, write, read, erase and MD5 over a connected loader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-flash"

#include "config.h"

#include <string.h>
#include <zlib.h>

#include "esprit-error.h"
#include "esprit-flash-private.h"
#include "esprit-i18n.h"
#include "esprit-loader-private.h"
#include "esprit-stub-image.h"

#define SECTOR          0x1000u
#define ROM_BLOCK       0x400u     /* FLASH_WRITE_SIZE for ROMs (§2) */
#define STUB_BLOCK      0x4000u    /* and for stubs */
#define SKIP_REGION     0x10000u   /* skip-unchanged granularity */
#define READ_PACKET     0x1000u    /* §2 stub READ_FLASH: esptool's packet size */
#define READ_UNACKED    64
#define BLOCK_RETRIES   3

static const EspritChipInfo *
chip_info (EspritLoader *self)
{
  return esprit_chip_get_info (esprit_loader_get_chip (self));
}

static gboolean
is_rom (EspritLoader *self)
{
  return esprit_loader_get_kind (self) == ESPRIT_LOADER_ROM;
}

static gboolean
can_md5 (EspritLoader *self)
{
  return !is_rom (self) || (chip_info (self)->rom_caps & ESPRIT_ROM_CAN_MD5);
}

static gboolean
can_inflate (EspritLoader *self)
{
  return !is_rom (self) || (chip_info (self)->rom_caps & ESPRIT_ROM_CAN_COMPRESS);
}

guint32
esprit_flash_esp8266_erase_size (guint32 offset,
                                 guint32 size)
{
  /* §2 "R8266 erase-size bug" workaround. */
  guint32 n = (size + SECTOR - 1) / SECTOR;
  guint32 start = offset / SECTOR;
  guint32 head = 16 - start % 16;

  if (n < head)
    head = n;
  if (n < 2 * head)
    return (n + 1) / 2 * SECTOR;
  return (n - head) * SECTOR;
}

guint32
esprit_flash_esp8266_rom_erase_len (guint32 offset,
                                    guint32 erase_size)
{
  guint32 n = (erase_size + SECTOR - 1) / SECTOR;
  guint32 head = 16 - (offset / SECTOR) % 16;

  return (MIN (head, n) + n) * SECTOR;
}

/* With the workaround the ESP8266 ROM still erases one sector too many when an odd number of
 * sectors ends before the first 64 KB boundary: say so, since that sector's data is lost. */
static void
warn_rom_over_erase (EspritLoader *self,
                     guint32       addr,
                     guint32       size,
                     guint32       erase_size)
{
  guint32 start = addr - addr % SECTOR;
  guint32 wanted = (addr + size - start + SECTOR - 1) / SECTOR * SECTOR;
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
  const EspritSpiRegs *spi = &chip_info (self)->spi;
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
  gboolean rom = is_rom (self);

  if (!can_md5 (self))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("The %s ROM loader cannot compute an MD5"), chip_info (self)->name);
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

static void
local_md5 (const guint8 *data,
           gsize         len,
           guint8        digest[16])
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize n = 16;

  g_checksum_update (md5, data, len);
  g_checksum_get_digest (md5, digest, &n);
}

static char *
hex16 (const guint8 d[16])
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < 16; i++)
    g_string_append_printf (s, "%02x", d[i]);
  return g_string_free (s, FALSE);
}

/* ---- write -------------------------------------------------------------------------- */

typedef struct {
  EspritLoader       *loader;
  EspritProgressFunc  progress;
  gpointer            user_data;
  guint64             done;
  guint64             total;
  guint32             log_addr;
  EspritDeflateCache *deflate_cache;
} WriteCtx;

static gboolean
write_range (WriteCtx       *ctx,
             guint32         addr,
             const guint8   *data,
             gsize           len,
             gboolean        deflate,
             GCancellable   *cancellable,
             GError        **error)
{
  EspritLoader *self = ctx->loader;
  const EspritChipInfo *info = chip_info (self);
  gboolean rom = is_rom (self);
  guint32 block = rom ? ROM_BLOCK : STUB_BLOCK;
  g_autoptr(GBytes) packed = NULL;
  g_autofree guint8 *padded = NULL;
  const guint8 *payload = data;
  gsize payload_len = len;
  guint32 blocks, erase_size, write_size;
  guint8 begin[20] = { 0 };
  gsize begin_len = 16;
  guint begin_timeout;
  gint64 t0 = g_get_monotonic_time ();
  double secs;
  int last_pct = -1;

  if (deflate)
    {
      g_autoptr(EspritDeflateCache) own = NULL;
      EspritDeflateCache *cache = ctx->deflate_cache;

      /* Boards sharing a cache get the bytes compressed once; alone, a cache of one. */
      if (cache == NULL)
        cache = own = esprit_deflate_cache_new ();
      packed = esprit_deflate_cache_compress (cache, data, len, 9, error);
      if (packed == NULL)
        return FALSE;
      payload = g_bytes_get_data (packed, &payload_len);
      esprit_loader_log (self, ESPRIT_LOG_INFO, _("Compressed %zu bytes to %zu"
                                                  "..."), len, payload_len);
    }
  else if (len % block != 0)
    {
      /* §2: uncompressed writes pad the last block with 0xFF. */
      gsize n = (len + block - 1) / block * block;

      padded = g_malloc (n);
      memcpy (padded, data, len);
      memset (padded + len, 0xFF, n - len);
      payload = padded;
      payload_len = n;
    }

  blocks = (guint32) ((payload_len + block - 1) / block);
  /* §2 FLASH_DEFL_BEGIN word 0: the stub wants the exact size, a ROM a block multiple. */
  write_size = deflate && rom ? (guint32) ((len + block - 1) / block * block) : (guint32) len;
  if (!deflate)
    write_size = (guint32) payload_len;
  erase_size = write_size;
  if (rom && (info->rom_caps & ESPRIT_ROM_ERASE_SIZE_BUG))
    {
      erase_size = esprit_flash_esp8266_erase_size (addr, write_size);
      warn_rom_over_erase (self, addr, write_size, erase_size);
    }
  esprit_write_le32 (begin, deflate ? write_size : erase_size);
  esprit_write_le32 (begin + 4, blocks);
  esprit_write_le32 (begin + 8, block);
  esprit_write_le32 (begin + 12, addr);
  if (rom && (info->rom_caps & ESPRIT_ROM_BEGIN_5_WORDS))
    begin_len = 20;   /* 5th word: not encrypted */
  /* A ROM erases inside BEGIN (40 s/MB); a stub erases lazily (3 s). */
  begin_timeout = rom ? esprit_timeout_per_mb (ESPRIT_TIMEOUT_ERASE_PER_MB, write_size)
                      : ESPRIT_TIMEOUT_DEFAULT;
  if (ctx->progress)
    ctx->progress (ESPRIT_PHASE_ERASING, ctx->done, ctx->total, ctx->user_data);
  if (!esprit_loader_command (self, deflate ? ESPRIT_OP_FLASH_DEFL_BEGIN : ESPRIT_OP_FLASH_BEGIN,
                              begin, begin_len, 0, 0, begin_timeout, NULL, NULL, NULL,
                              cancellable, error))
    return FALSE;

  for (guint32 seq = 0; seq < blocks; seq++)
    {
      gsize off = (gsize) seq * block;
      gsize n = MIN (block, payload_len - off);
      guint64 raw_done = deflate ? (guint64) len * (off + n) / payload_len : MIN (off + n, len);
      guint timeout = ESPRIT_TIMEOUT_DEFAULT;

      if (!rom)
        {
          /* A stub block may wait for erases: 40 s/MB of the data it expands to, plus one
           * 64 KB erase per 32 KB inflate buffer (§2). */
          guint64 expands = deflate ? (guint64) n * len / MAX (payload_len, 1) : n;

          timeout = esprit_timeout_per_mb (ESPRIT_TIMEOUT_WRITE_PER_MB,
                                           expands + (expands / 32768 + 1) * 65536);
        }
      if ((int) (100 * (off + n) / payload_len) != last_pct)
        {
          /* One line per whole percent; the address is where this block's data lands. */
          last_pct = (int) (100 * (off + n) / payload_len);
          esprit_loader_log (self, ESPRIT_LOG_PROGRESS, _("Writing at 0x%08x... (%d %%)"),
                             (guint32) (addr + (deflate ? (guint64) len * off / payload_len : off)),
                             last_pct);
        }
      /* A block whose reply was lost is covered by the final MD5 where there is one. */
      if (!_esprit_loader_send_data (self, deflate ? ESPRIT_OP_FLASH_DEFL_DATA : ESPRIT_OP_FLASH_DATA,
                                     seq, payload + off, n, timeout, can_md5 (self), cancellable,
                                     error))
        return FALSE;
      if (ctx->progress)
        ctx->progress (ESPRIT_PHASE_WRITING, ctx->done + raw_done, ctx->total, ctx->user_data);
    }

  if (!rom)
    {
      /* The stub acknowledges DATA before writing; its END reply is the barrier (§3). Flag 1:
       * stay in the stub. A ROM never gets END: it would leave the loader (§3). */
      guint8 end[4];

      esprit_write_le32 (end, 1);
      if (!esprit_loader_command (self, deflate ? ESPRIT_OP_FLASH_DEFL_END : ESPRIT_OP_FLASH_END,
                                  end, 4, 0, 0,
                                  esprit_timeout_per_mb (ESPRIT_TIMEOUT_WRITE_PER_MB, len),
                                  NULL, NULL, NULL, cancellable, error))
        return FALSE;
    }

  ctx->done += len;
  secs = MAX ((g_get_monotonic_time () - t0) / 1e6, 0.001);
  if (deflate)
    esprit_loader_log (self, ESPRIT_LOG_INFO,
                       _("Wrote %zu bytes (%zu compressed) at "
                         "0x%08x in %.1f seconds (effective %.1f kbit/s)..."),
                       len, payload_len, addr, secs, len * 8 / secs / 1000);
  else
    esprit_loader_log (self, ESPRIT_LOG_INFO,
                       _("Wrote %zu bytes at 0x%08x in %.1f seconds (%.1f "
                         "kbit/s)..."), len, addr, secs, len * 8 / secs / 1000);
  return TRUE;
}

gboolean
esprit_flash_write (EspritLoader             *self,
                    guint32                   addr,
                    GBytes                   *bytes,
                    const EspritWriteOptions *options,
                    EspritProgressFunc        progress,
                    gpointer                  user_data,
                    GCancellable             *cancellable,
                    GError                  **error)
{
  static const EspritWriteOptions defaults = ESPRIT_WRITE_OPTIONS_DEFAULT;
  g_autofree guint8 *aligned = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gboolean deflate;
  WriteCtx ctx = { self, progress, user_data, 0, len, addr, NULL };
  guint32 flash_size = _esprit_loader_get_flash_size (self);
  gboolean unchanged = FALSE;

  if (options == NULL)
    options = &defaults;
  ctx.deflate_cache = options->deflate_cache;
  if (options->compress == ESPRIT_COMPRESS_ON && !can_inflate (self))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("The %s ROM loader cannot take compressed data"), chip_info (self)->name);
      return FALSE;
    }
  deflate = options->compress != ESPRIT_COMPRESS_OFF && can_inflate (self);
  if (len == 0)
    return TRUE;
  if (flash_size != 0 && (guint64) addr + len > flash_size)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_TOO_LARGE,
                   _("%zu bytes at 0x%08x do not fit a %u KB flash"),
                   len, addr, flash_size / 1024);
      return FALSE;
    }
  if (!_esprit_loader_ensure_attached (self, cancellable, error))
    return FALSE;

  if (is_rom (self) && addr % SECTOR != 0)
    {
      /* §2: ROM writes start on a 4 KiB boundary: round down and prepend 0xFF (the ROM
       * erases from the sector start anyway). */
      guint32 pad = addr % SECTOR;

      aligned = g_malloc (len + pad);
      memset (aligned, 0xFF, pad);
      memcpy (aligned + pad, data, len);
      addr -= pad;
      len += pad;
      data = aligned;
      ctx.total = len;
    }

  if (options->skip_unchanged && can_md5 (self) && len > SKIP_REGION)
    {
      /* One MD5 over everything first: restoring an unchanged backup ends here. */
      guint8 remote[16], local[16];

      if (!esprit_flash_md5 (self, addr, (guint32) len, remote, cancellable, error))
        return FALSE;
      local_md5 (data, len, local);
      unchanged = memcmp (remote, local, 16) == 0;
    }
  if (unchanged)
    {
      esprit_loader_log (self, ESPRIT_LOG_INFO,
                         _("Flash at 0x%08x already holds these %zu"
                           " bytes: nothing to write"), addr, len);
      if (progress)
        progress (ESPRIT_PHASE_VERIFYING, len, len, user_data);
    }
  else if (options->skip_unchanged && can_md5 (self))
    {
      /* Compare 64 KB regions by MD5 and write only the runs that differ. */
      gsize pos = 0;
      gboolean wrote = FALSE;

      while (pos < len)
        {
          gsize start, end;
          guint8 remote[16], local[16];

          for (start = pos; start < len; start += SKIP_REGION)
            {
              gsize n = MIN (SKIP_REGION, len - start);

              if (!esprit_flash_md5 (self, addr + (guint32) start, (guint32) n, remote,
                                     cancellable, error))
                return FALSE;
              local_md5 (data + start, n, local);
              if (memcmp (remote, local, 16) != 0)
                break;
              ctx.done += n;
              if (progress)
                progress (ESPRIT_PHASE_VERIFYING, ctx.done, ctx.total, user_data);
            }
          if (start >= len)
            break;
          for (end = start + SKIP_REGION; end < len; end += SKIP_REGION)
            {
              gsize n = MIN (SKIP_REGION, len - end);

              if (!esprit_flash_md5 (self, addr + (guint32) end, (guint32) n, remote,
                                     cancellable, error))
                return FALSE;
              local_md5 (data + end, n, local);
              if (memcmp (remote, local, 16) == 0)
                break;
            }
          end = MIN (end, len);
          if (!write_range (&ctx, addr + (guint32) start, data + start, end - start, deflate,
                            cancellable, error))
            return FALSE;
          wrote = TRUE;
          pos = end;
        }
      if (!wrote)
        {
          esprit_loader_log (self, ESPRIT_LOG_INFO,
                             _("Flash at 0x%08x already holds these %zu"
                               " bytes: nothing to write"), addr, len);
          unchanged = TRUE;
        }
    }
  else if (!write_range (&ctx, addr, data, len, deflate, cancellable, error))
    return FALSE;

  /* What was found unchanged was compared by MD5 already. */
  if (options->verify && can_md5 (self) && unchanged)
    esprit_loader_log (self, ESPRIT_LOG_INFO, _("Hash of data verified."));
  else if (options->verify && can_md5 (self))
    {
      guint8 remote[16], local[16];

      if (progress)
        progress (ESPRIT_PHASE_VERIFYING, 0, len, user_data);
      if (!esprit_flash_md5 (self, addr, (guint32) len, remote, cancellable, error))
        return FALSE;
      local_md5 (data, len, local);
      if (memcmp (remote, local, 16) != 0)
        {
          g_autofree char *r = hex16 (remote);
          g_autofree char *l = hex16 (local);

          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM,
                       _("Verification failed: the flash at 0x%08x holds other data than was "
                         "sent (MD5 %s, expected %s). Writing again is safe."), addr, r, l);
          return FALSE;
        }
      esprit_loader_log (self, ESPRIT_LOG_INFO, _("Hash of data verified."));
    }
  return TRUE;
}

/* ---- read --------------------------------------------------------------------------- */

/* ROM READ_FLASH_SLOW (§2: at most 64 bytes a command, the reply always carries 64). The ROM
 * gives no checksum, so each 64 KB region is checked against the ROM's MD5 where it has one and
 * read again when they differ. */
static gboolean
read_slow (EspritLoader       *self,
           guint32             addr,
           guint32             size,
           guint8             *buffer,
           EspritProgressFunc  progress,
           gpointer            user_data,
           GCancellable       *cancellable,
           GError            **error)
{
  gboolean md5 = can_md5 (self);

  for (guint32 region = 0; region < size; region += SKIP_REGION)
    {
      guint32 rlen = MIN (SKIP_REGION, size - region);
      int attempt;

      for (attempt = 0; attempt < BLOCK_RETRIES; attempt++)
        {
          guint8 remote[16], local[16];

          for (guint32 done = region; done < region + rlen;)
            {
              g_autoptr(GBytes) reply = NULL;
              guint8 req[8];
              guint32 n = MIN (64, region + rlen - done);

              esprit_write_le32 (req, addr + done);
              esprit_write_le32 (req + 4, n);
              if (!_esprit_loader_command_retry (self, ESPRIT_OP_READ_FLASH_SLOW, req, 8, 64,
                                                 ESPRIT_TIMEOUT_DEFAULT, &reply, NULL,
                                                 cancellable, error))
                return FALSE;
              memcpy (buffer + done, g_bytes_get_data (reply, NULL), n);
              done += n;
              if (progress && (done % 4096 == 0 || done == size))
                progress (ESPRIT_PHASE_READING, done, size, user_data);
            }
          if (!md5)
            break;
          if (!esprit_flash_md5 (self, addr + region, rlen, remote, cancellable, error))
            return FALSE;
          local_md5 (buffer + region, rlen, local);
          if (memcmp (remote, local, 16) == 0)
            break;
          esprit_loader_log (self, ESPRIT_LOG_WARNING,
                             _("Data at 0x%08x arrived corrupted; reading it again"),
                             addr + region);
        }
      if (attempt == BLOCK_RETRIES)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM,
                       _("The data at 0x%08x kept arriving corrupted (%d attempts)"),
                       addr + region, BLOCK_RETRIES);
          return FALSE;
        }
      esprit_loader_log (self, ESPRIT_LOG_PROGRESS, _("Reading at 0x%08x... (%u %%)"),
                         addr + region + rlen, (guint) ((guint64) (region + rlen) * 100 / size));
    }
  return TRUE;
}

/* After a broken read the stub still streams or waits for acknowledgements: send @ack (the
 * whole size lets a stub finish with its digest; Esprit's stub stops at 0xFFFFFFFF), then drop
 * what it sends. */
void
_esprit_flash_release_read (EspritLoader *self,
                            guint32       ack_value)
{
  guint8 ack[4];

  esprit_write_le32 (ack, ack_value);
  esprit_loader_write_frame (self, ack, 4, NULL, NULL);
  g_usleep (200000);
  esprit_transport_flush_input (esprit_loader_get_transport (self), NULL);
}

static gboolean
read_stub_once (EspritLoader       *self,
           guint32             addr,
           guint32             size,
           guint8             *buffer,
           EspritProgressFunc  progress,
           gpointer            user_data,
           GCancellable       *cancellable,
           GError            **error)
{
  guint8 req[16];
  guint32 got = 0;

  esprit_write_le32 (req, addr);
  esprit_write_le32 (req + 4, size);
  esprit_write_le32 (req + 8, READ_PACKET);
  esprit_write_le32 (req + 12, READ_UNACKED);
  if (!esprit_loader_command (self, ESPRIT_OP_READ_FLASH, req, 16, 0, 0, ESPRIT_TIMEOUT_DEFAULT,
                              NULL, NULL, NULL, cancellable, error))
    return FALSE;
  /* §2 stub READ_FLASH: raw frames, each acknowledged with the running total. */
  while (got < size)
    {
      g_autoptr(GBytes) frame = esprit_loader_read_frame (self, ESPRIT_TIMEOUT_DEFAULT, cancellable,
                                                          error);
      gsize n;
      const guint8 *p;
      guint8 ack[4];

      if (frame == NULL)
        return FALSE;
      p = g_bytes_get_data (frame, &n);
      if (n > size - got || (n < READ_PACKET && got + n < size))
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM,
                       _("Corrupt data from the board at 0x%08x (a %zu"
                         "-byte packet)"), addr + got, n);
          return FALSE;
        }
      memcpy (buffer + got, p, n);
      got += (guint32) n;
      esprit_write_le32 (ack, got);
      if (!esprit_loader_write_frame (self, ack, 4, cancellable, error))
        return FALSE;
      if (progress)
        progress (ESPRIT_PHASE_READING, got, size, user_data);
      if (got % 0x10000 == 0 || got == size)
        esprit_loader_log (self, ESPRIT_LOG_PROGRESS, _("Reading at 0x%08x... (%u %%)"),
                           addr + got, (guint) ((guint64) got * 100 / size));
    }
  return _esprit_flash_check_read_digest (self, buffer, size, cancellable, error);
}

gboolean
_esprit_flash_check_read_digest (EspritLoader  *self,
                                 const guint8  *buffer,
                                 guint32        size,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autoptr(GBytes) digest = esprit_loader_read_frame (self, ESPRIT_TIMEOUT_DEFAULT, cancellable,
                                                       error);
  guint8 local[16];

  if (digest == NULL)
    return FALSE;
  local_md5 (buffer, size, local);
  if (g_bytes_get_size (digest) != 16 || memcmp (g_bytes_get_data (digest, NULL), local, 16) != 0)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM,
                           _("The data read does not match the board's MD5: the transfer was "
                             "corrupted"));
      return FALSE;
    }
  return TRUE;
}

gboolean
esprit_flash_read (EspritLoader       *self,
                   guint32             addr,
                   guint32             size,
                   guint8             *buffer,
                   EspritProgressFunc  progress,
                   gpointer            user_data,
                   GCancellable       *cancellable,
                   GError            **error)
{
  gint64 t0 = g_get_monotonic_time ();
  double secs;

  if (size == 0)
    return TRUE;
  if (!_esprit_loader_ensure_attached (self, cancellable, error))
    return FALSE;
  if (progress)
    progress (ESPRIT_PHASE_READING, 0, size, user_data);

  if (esprit_loader_get_kind (self) == ESPRIT_LOADER_ESPRIT_STUB)
    {
      g_autoptr(GError) local_error = NULL;

      if (_esprit_flash_read_packed (self, addr, size, buffer, progress, user_data, cancellable,
                                     &local_error))
        goto done;
      if (!g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  if (!is_rom (self))
    {
      /* A corrupted transfer is read again (up to 3 times, §2 retry count). */
      for (int attempt = 1; ; attempt++)
        {
          g_autoptr(GError) local_error = NULL;

          if (read_stub_once (self, addr, size, buffer, progress, user_data, cancellable,
                              &local_error))
            break;
          if (attempt >= BLOCK_RETRIES ||
              !(g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM) ||
                g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT)))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          esprit_loader_log (self, ESPRIT_LOG_WARNING, _("%s; reading again"),
                             local_error->message);
          _esprit_flash_release_read (self, size);
        }
    }
  else if (chip_info (self)->rom_caps & ESPRIT_ROM_CAN_READ_SLOW)
    {
      if (!read_slow (self, addr, size, buffer, progress, user_data, cancellable, error))
        return FALSE;
    }
  else
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   esprit_stub_image_for_chip (esprit_loader_get_chip (self)) != NULL
                     ? _("The %s ROM loader cannot read flash: Esprit's flasher stub is needed "
                         "(leave out --no-stub)")
                     : _("The %s ROM loader cannot read flash, and this build of Esprit has no "
                         "flasher stub for it"), chip_info (self)->name);
      return FALSE;
    }

done:
  secs = MAX ((g_get_monotonic_time () - t0) / 1e6, 0.001);
  esprit_loader_log (self, ESPRIT_LOG_INFO,
                     _("Read %u bytes at 0x%08x in %.1f seconds (%.1f kbit/s)..."),
                     size, addr, secs, size * 8 / secs / 1000);
  return TRUE;
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
  gsize begin_len = (chip_info (self)->rom_caps & ESPRIT_ROM_BEGIN_5_WORDS) ? 20 : 16;
  guint32 erase = size;

  /* A ROM erases inside FLASH_BEGIN; without data and END that is an erase (§2). */
  if (chip_info (self)->rom_caps & ESPRIT_ROM_ERASE_SIZE_BUG)
    {
      erase = esprit_flash_esp8266_erase_size (addr, size);
      warn_rom_over_erase (self, addr, size, erase);
    }
  esprit_write_le32 (begin, erase);
  esprit_write_le32 (begin + 4, (size + ROM_BLOCK - 1) / ROM_BLOCK);
  esprit_write_le32 (begin + 8, ROM_BLOCK);
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

  if (addr % SECTOR != 0 || size % SECTOR != 0)
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
  if (is_rom (self))
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
  if (!is_rom (self))
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

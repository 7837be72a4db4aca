/* esprit-flash-write.c: writing flash: plain or compressed blocks, skipping what is
 * unchanged, the ROM's alignment, and verifying by MD5
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-flash"

#include "config.h"

#include <string.h>

#include "esprit-deflate-cache.h"
#include "esprit-error.h"
#include "esprit-flash-private.h"
#include "esprit-i18n.h"

#define STUB_BLOCK      0x4000u    /* FLASH_WRITE_SIZE for stubs (§2) */

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
  const EspritChipInfo *info = _esprit_flash_chip (self);
  gboolean rom = _esprit_flash_is_rom (self);
  guint32 block = rom ? ESPRIT_FLASH_ROM_BLOCK : STUB_BLOCK;
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
  gboolean restarted = FALSE;

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
      _esprit_flash_warn_rom_over_erase (self, addr, write_size, erase_size);
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
restart:
  if (ctx->progress)
    ctx->progress (ESPRIT_PHASE_ERASING, ctx->done, ctx->total, ctx->user_data);
  if (!esprit_loader_command (self, deflate ? ESPRIT_OP_FLASH_DEFL_BEGIN : ESPRIT_OP_FLASH_BEGIN,
                              begin, begin_len, 0, 0, begin_timeout, NULL, NULL, NULL,
                              cancellable, error))
    return FALSE;

  for (guint32 i = 0, seq = 0; i < blocks; i++, seq++)
    {
      gsize off = (gsize) i * block;
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
                                     &seq, payload + off, n, timeout, _esprit_flash_can_md5 (self), cancellable,
                                     error))
        {
          /* A damaged block breaks an ESP32-family ROM's inflater (_esprit_loader_send_data):
           * the region is written again from BEGIN, once. */
          if (rom && deflate && !restarted && esprit_loader_get_chip (self) != ESPRIT_CHIP_ESP8266 &&
              g_error_matches (*error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM))
            {
              esprit_loader_log (self, ESPRIT_LOG_WARNING, _("%s; writing this region again"),
                                 (*error)->message);
              g_clear_error (error);
              restarted = TRUE;
              last_pct = -1;
              goto restart;
            }
          return FALSE;
        }
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

  /* What was known of these chunks no longer holds; a ROM's FLASH_BEGIN may erase more than
   * it is asked to (§2), so after a ROM write nothing is known. */
  if (_esprit_flash_is_rom (self))
    _esprit_loader_note_chunks (self, 0, flash_size, ESPRIT_CHUNK_UNKNOWN);
  else
    _esprit_loader_note_chunks (self, addr, (guint32) MIN (len, G_MAXUINT32 - addr),
                                ESPRIT_CHUNK_UNKNOWN);

  if (options == NULL)
    options = &defaults;
  ctx.deflate_cache = options->deflate_cache;
  if (options->compress == ESPRIT_COMPRESS_ON && !_esprit_flash_can_inflate (self))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("The %s ROM loader cannot take compressed data"), _esprit_flash_chip (self)->name);
      return FALSE;
    }
  deflate = options->compress != ESPRIT_COMPRESS_OFF && _esprit_flash_can_inflate (self);
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

  if (_esprit_flash_is_rom (self) && addr % ESPRIT_FLASH_SECTOR != 0)
    {
      /* §2: ROM writes start on a 4 KiB boundary: round down and prepend 0xFF (the ROM
       * erases from the sector start anyway). */
      guint32 pad = addr % ESPRIT_FLASH_SECTOR;

      aligned = g_malloc (len + pad);
      memset (aligned, 0xFF, pad);
      memcpy (aligned + pad, data, len);
      addr -= pad;
      len += pad;
      data = aligned;
      ctx.total = len;
    }

  if (options->skip_unchanged && _esprit_flash_can_md5 (self) && len > ESPRIT_FLASH_REGION)
    {
      /* One MD5 over everything first: restoring an unchanged backup ends here. */
      guint8 remote[16], local[16];

      if (!esprit_flash_md5 (self, addr, (guint32) len, remote, cancellable, error))
        return FALSE;
      _esprit_flash_local_md5 (data, len, local);
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
  else if (options->skip_unchanged && _esprit_flash_can_md5 (self))
    {
      /* Compare 64 KB regions by MD5 and write only the runs that differ. */
      gsize pos = 0;
      gboolean wrote = FALSE;

      while (pos < len)
        {
          gsize start, end;
          guint8 remote[16], local[16];

          for (start = pos; start < len; start += ESPRIT_FLASH_REGION)
            {
              gsize n = MIN (ESPRIT_FLASH_REGION, len - start);

              if (!esprit_flash_md5 (self, addr + (guint32) start, (guint32) n, remote,
                                     cancellable, error))
                return FALSE;
              _esprit_flash_local_md5 (data + start, n, local);
              if (memcmp (remote, local, 16) != 0)
                break;
              ctx.done += n;
              if (progress)
                progress (ESPRIT_PHASE_VERIFYING, ctx.done, ctx.total, user_data);
            }
          if (start >= len)
            break;
          for (end = start + ESPRIT_FLASH_REGION; end < len; end += ESPRIT_FLASH_REGION)
            {
              gsize n = MIN (ESPRIT_FLASH_REGION, len - end);

              if (!esprit_flash_md5 (self, addr + (guint32) end, (guint32) n, remote,
                                     cancellable, error))
                return FALSE;
              _esprit_flash_local_md5 (data + end, n, local);
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
  if (options->verify && _esprit_flash_can_md5 (self) && unchanged)
    esprit_loader_log (self, ESPRIT_LOG_INFO, _("Hash of data verified."));
  else if (options->verify && _esprit_flash_can_md5 (self))
    {
      guint8 remote[16], local[16];

      if (progress)
        progress (ESPRIT_PHASE_VERIFYING, 0, len, user_data);
      if (!esprit_flash_md5 (self, addr, (guint32) len, remote, cancellable, error))
        return FALSE;
      _esprit_flash_local_md5 (data, len, local);
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


/* esprit-session-map.c: the flash map of a connected board: its layout, then what is known
 * of each region's contents, from what the session's reads already learnt and else from
 * one MD5 per region (protocol-facts §10)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-session"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-session.h"

typedef struct {
  EspritSession *session;
  GCancellable  *cancellable;
} Reader;

static const EspritChunkMap *
known_chunks (EspritSession *session)
{
  return esprit_flash_get_chunk_map (esprit_session_get_loader (session));
}

static gboolean
board_read (guint32   addr,
            guint32   len,
            guint8   *buffer,
            gpointer  user_data,
            GError  **error)
{
  Reader *reader = user_data;
  const EspritChunkMap *known = known_chunks (reader->session);

  /* A chunk a packed read found erased needs no second look. */
  if (known != NULL && esprit_chunk_map_range (known, addr, len) == ESPRIT_CHUNK_ERASED &&
      len == ESPRIT_CHUNK_SIZE && addr % ESPRIT_CHUNK_SIZE == 0)
    {
      memset (buffer, 0xFF, len);
      return TRUE;
    }
  return esprit_session_read (reader->session, addr, len, buffer, reader->cancellable, error);
}

/* Whether [@from, @from + @len) is all 0xFF, told by the board's MD5 of it. */
static gboolean
learn_range (EspritSession   *session,
             EspritChunkMap  *chunks,
             guint32          from,
             guint32          len,
             GCancellable    *cancellable,
             GError         **error)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  g_autofree guint8 *ff = g_malloc (0x10000);
  guint8 want[16], got[16];
  gsize dlen = sizeof want;

  memset (ff, 0xFF, 0x10000);
  for (guint32 done = 0; done < len; done += 0x10000)
    g_checksum_update (md5, ff, MIN (0x10000u, len - done));
  g_checksum_get_digest (md5, want, &dlen);
  if (!esprit_session_md5 (session, from, len, got, cancellable, error))
    return FALSE;
  esprit_chunk_map_set (chunks, from, len, memcmp (want, got, 16) == 0 ? ESPRIT_CHUNK_ERASED
                                                                       : ESPRIT_CHUNK_DATA);
  return TRUE;
}

/* Takes over what the session's reads learnt of [@from, @from + @len); TRUE when that was
 * every chunk of it. */
static gboolean
take_known (const EspritChunkMap *known,
            EspritChunkMap       *chunks,
            guint32               from,
            guint32               len)
{
  guint n_unknown = 0;

  if (known == NULL || esprit_chunk_map_get_flash_size (known) !=
                       esprit_chunk_map_get_flash_size (chunks))
    return FALSE;
  esprit_chunk_map_count (known, from, len, &n_unknown, NULL, NULL);
  if (n_unknown > 0)
    return FALSE;
  for (guint64 at = from; at < (guint64) from + len; at += ESPRIT_CHUNK_SIZE)
    esprit_chunk_map_set (chunks, (guint32) at, ESPRIT_CHUNK_SIZE,
                          esprit_chunk_map_get (known, (guint32) at));
  return TRUE;
}

EspritLayout *
esprit_session_read_layout (EspritSession  *self,
                            guint32         flash_size,
                            guint32         table_offset,
                            GCancellable   *cancellable,
                            GError        **error)
{
  Reader reader = { self, cancellable };

  g_return_val_if_fail (ESPRIT_IS_SESSION (self), NULL);
  return esprit_layout_detect (esprit_session_get_chip (self), flash_size, table_offset,
                               board_read, &reader, error);
}

gboolean
esprit_session_read_flash_map (EspritSession  *self,
                               guint32         table_offset,
                               EspritLayout  **layout_out,
                               GPtrArray     **map,
                               GCancellable   *cancellable,
                               GError        **error)
{
  g_autoptr(EspritLayout) layout = NULL;
  g_autoptr(EspritChunkMap) chunks = NULL;
  g_autoptr(GPtrArray) rough = NULL;
  guint32 flash_size;

  g_return_val_if_fail (ESPRIT_IS_SESSION (self), FALSE);
  if (layout_out != NULL)
    *layout_out = NULL;
  *map = NULL;
  /* An unknown flash chip: no size, so nothing to draw. */
  if (!esprit_session_get_flash_size (self, &flash_size, cancellable, error))
    return error == NULL || *error == NULL;
  layout = esprit_session_read_layout (self, flash_size, table_offset, cancellable, error);
  if (layout == NULL)
    return FALSE;

  rough = esprit_flash_map_build (layout, NULL);
  chunks = esprit_chunk_map_new (layout->flash_size);
  for (guint i = 0; i < rough->len; i++)
    {
      const EspritRegion *r = rough->pdata[i];
      guint32 from = r->offset, len = r->size;
      g_autoptr(GError) local_error = NULL;

      if (take_known (known_chunks (self), chunks, from, len))
        continue;
      /* An app's image is data; only the space after it can be erased. */
      if (r->kind == ESPRIT_REGION_APP && r->used > 0)
        {
          guint32 image_end = (r->used + ESPRIT_CHUNK_SIZE - 1) / ESPRIT_CHUNK_SIZE *
                              ESPRIT_CHUNK_SIZE;

          esprit_chunk_map_set (chunks, r->offset, MIN (image_end, r->size), ESPRIT_CHUNK_DATA);
          if (image_end >= r->size)
            continue;
          from += image_end;
          len -= image_end;
          if (take_known (known_chunks (self), chunks, from, len))
            continue;
        }
      if (!learn_range (self, chunks, from, len, cancellable, &local_error))
        {
          /* A loader without MD5 (the ESP8266 ROM) leaves the contents unknown. */
          if (g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED))
            break;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  *map = esprit_flash_map_build (layout, chunks);
  if (layout_out != NULL)
    *layout_out = g_steal_pointer (&layout);
  return TRUE;
}

/* esprit-layout-reader.c: a few chunks of flash read through a cache, and the image headers
 * walked through it (what recognising a layout reads)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-layout"

#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-layout-private.h"

/* ---- the reader --------------------------------------------------------------------- */

static const guint8 *
reader_chunk (EspritLayoutReader  *reader,
              guint32              index,
              GError             **error)
{
  guint8 *chunk = g_hash_table_lookup (reader->chunks, GUINT_TO_POINTER (index));
  guint32 addr = index * ESPRIT_CHUNK_SIZE;
  guint32 len = MIN (ESPRIT_CHUNK_SIZE, reader->flash_size - addr);

  if (chunk != NULL)
    return chunk;
  chunk = g_malloc0 (ESPRIT_CHUNK_SIZE);
  if (!reader->read (addr, len, chunk, reader->user_data, error))
    {
      g_free (chunk);
      return NULL;
    }
  g_hash_table_insert (reader->chunks, GUINT_TO_POINTER (index), chunk);
  return chunk;
}

const guint8 *
_esprit_layout_read (EspritLayoutReader  *reader,
                     guint32              addr,
                     guint32              len,
                     GError             **error)
{
  guint32 first, last;

  if (len == 0 || (guint64) addr + len > reader->flash_size)
    return NULL;
  if (reader->whole != NULL)
    return reader->whole + addr;
  first = addr / ESPRIT_CHUNK_SIZE;
  last = (addr + len - 1) / ESPRIT_CHUNK_SIZE;
  if (first == last)
    {
      const guint8 *chunk = reader_chunk (reader, first, error);

      return chunk ? chunk + addr % ESPRIT_CHUNK_SIZE : NULL;
    }
  g_byte_array_set_size (reader->span, 0);
  for (guint32 i = first; i <= last; i++)
    {
      const guint8 *chunk = reader_chunk (reader, i, error);
      guint32 from = i == first ? addr % ESPRIT_CHUNK_SIZE : 0;
      guint32 to = i == last ? (addr + len - 1) % ESPRIT_CHUNK_SIZE + 1 : ESPRIT_CHUNK_SIZE;

      if (chunk == NULL)
        return NULL;
      g_byte_array_append (reader->span, chunk + from, to - from);
    }
  return reader->span->data;
}

gboolean
_esprit_layout_walk_image (EspritLayoutReader  *reader,
                           guint32              addr,
                           gboolean             extended,
                           EspritImageInfo     *info,
                           gboolean            *verified,
                           GError             **error)
{
  guint header_len = 8 + (extended ? 16 : 0);
  const guint8 *h = _esprit_layout_read (reader, addr, header_len, error);
  guint64 pos;
  guint n;

  memset (info, 0, sizeof *info);
  info->chip = ESPRIT_CHIP_AUTO;
  if (verified != NULL)
    *verified = FALSE;
  if (h == NULL || h[0] != ESPRIT_IMAGE_MAGIC || h[1] == 0 || h[1] > 16)
    return FALSE;
  info->kind = ESPRIT_IMAGE_ESP;
  n = info->n_segments = h[1];
  info->flash_mode = h[2];
  info->size_freq = h[3];
  info->entry = esprit_read_le32 (h + 4);
  if (extended)
    {
      EspritChip chip;

      info->has_extended_header = TRUE;
      info->ext_chip_id = esprit_read_le16 (h + 12);
      info->min_rev = esprit_read_le16 (h + 15);
      info->max_rev = esprit_read_le16 (h + 17);
      info->hash_appended = h[23] == 1;
      if (h[23] > 1 || !esprit_chip_from_security_id (info->ext_chip_id, &chip))
        return FALSE;
      info->chip = chip;
    }
  else
    info->chip = ESPRIT_CHIP_ESP8266;
  pos = addr + header_len;
  for (guint i = 0; i < n; i++)
    {
      const guint8 *s = _esprit_layout_read (reader, (guint32) pos, 8, error);

      if (s == NULL)
        return FALSE;
      info->segments[i].load_addr = esprit_read_le32 (s);
      info->segments[i].length = esprit_read_le32 (s + 4);
      info->segments[i].file_offset = (gsize) (pos + 8 - addr);
      pos += 8 + (guint64) info->segments[i].length;
      if (pos > reader->flash_size)
        return FALSE;
    }
  /* §5 footer: padding to 15 mod 16, the checksum byte, then the SHA-256 if appended. */
  pos += 15 - (pos - addr) % 16 + 1 + (info->hash_appended ? 32 : 0);
  if (pos > reader->flash_size)
    return FALSE;
  info->image_len = (gsize) (pos - addr);
  if (reader->whole != NULL)
    {
      EspritImageInfo full;

      /* With the data at hand, the image parser checks the checksum and the hash too. */
      if (esprit_image_parse (reader->whole + addr, reader->flash_size - addr,
                              extended ? info->chip : ESPRIT_CHIP_ESP8266, &full, NULL) &&
          full.kind == ESPRIT_IMAGE_ESP)
        {
          *info = full;
          if (verified != NULL)
            *verified = TRUE;
        }
    }
  return TRUE;
}

EspritLayoutReader *
_esprit_layout_reader_new (guint32 flash_size)
{
  EspritLayoutReader *reader = g_new0 (EspritLayoutReader, 1);

  reader->flash_size = flash_size;
  reader->chunks = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  reader->span = g_byte_array_new ();
  return reader;
}

void
_esprit_layout_reader_free (EspritLayoutReader *reader)
{
  g_hash_table_unref (reader->chunks);
  g_byte_array_unref (reader->span);
  g_free (reader);
}

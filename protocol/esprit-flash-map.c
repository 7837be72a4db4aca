/* esprit-flash-map.c: the chunk knowledge a front end feeds (erased chunks, MD5s) and the
 * flash map built from it and a layout (protocol-facts §10)
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

/* ---- chunk knowledge ---------------------------------------------------------------- */

struct _EspritChunkMap {
  guint32  flash_size;
  guint    n_chunks;
  guint8  *state;     /* EspritChunkState per chunk */
};

EspritChunkMap *
esprit_chunk_map_new (guint32 flash_size)
{
  EspritChunkMap *map = g_new0 (EspritChunkMap, 1);

  map->flash_size = flash_size;
  map->n_chunks = (guint) (((guint64) flash_size + ESPRIT_CHUNK_SIZE - 1) / ESPRIT_CHUNK_SIZE);
  map->state = g_malloc0 (MAX (map->n_chunks, 1));
  return map;
}

void
esprit_chunk_map_free (EspritChunkMap *map)
{
  if (map == NULL)
    return;
  g_free (map->state);
  g_free (map);
}

guint32
esprit_chunk_map_get_flash_size (const EspritChunkMap *map)
{
  return map->flash_size;
}

void
esprit_chunk_map_set (EspritChunkMap   *map,
                      guint32           addr,
                      guint32           len,
                      EspritChunkState  state)
{
  guint64 first = ((guint64) addr + ESPRIT_CHUNK_SIZE - 1) / ESPRIT_CHUNK_SIZE;
  guint64 end = ((guint64) addr + len) / ESPRIT_CHUNK_SIZE;

  for (guint64 i = first; i < end && i < map->n_chunks; i++)
    map->state[i] = state;
}

static gboolean
all_ff (const guint8 *p,
        gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] != 0xFF)
      return FALSE;
  return TRUE;
}

void
esprit_chunk_map_learn (EspritChunkMap *map,
                        guint32         addr,
                        const guint8   *data,
                        gsize           len)
{
  guint64 first = ((guint64) addr + ESPRIT_CHUNK_SIZE - 1) / ESPRIT_CHUNK_SIZE;
  guint64 end = ((guint64) addr + len) / ESPRIT_CHUNK_SIZE;

  for (guint64 i = first; i < end && i < map->n_chunks; i++)
    map->state[i] = all_ff (data + (i * ESPRIT_CHUNK_SIZE - addr), ESPRIT_CHUNK_SIZE)
                    ? ESPRIT_CHUNK_ERASED : ESPRIT_CHUNK_DATA;
}

void
esprit_chunk_map_learn_md5 (EspritChunkMap *map,
                            guint32         addr,
                            const guint8    digest[16])
{
  static guint8 erased_md5[16];
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_autofree guint8 *ff = g_malloc (ESPRIT_CHUNK_SIZE);
      g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
      gsize dlen = 16;

      memset (ff, 0xFF, ESPRIT_CHUNK_SIZE);
      g_checksum_update (md5, ff, ESPRIT_CHUNK_SIZE);
      g_checksum_get_digest (md5, erased_md5, &dlen);
      g_once_init_leave (&once, 1);
    }
  g_return_if_fail (addr % ESPRIT_CHUNK_SIZE == 0);
  if (addr / ESPRIT_CHUNK_SIZE < map->n_chunks)
    map->state[addr / ESPRIT_CHUNK_SIZE] = memcmp (digest, erased_md5, 16) == 0
                                           ? ESPRIT_CHUNK_ERASED : ESPRIT_CHUNK_DATA;
}

void
esprit_chunk_map_set_erased_bitmap (EspritChunkMap *map,
                                    const guint8   *bitmap,
                                    guint           n_chunks)
{
  for (guint i = 0; i < n_chunks && i < map->n_chunks; i++)
    map->state[i] = bitmap[i / 8] & (1u << (i % 8)) ? ESPRIT_CHUNK_ERASED : ESPRIT_CHUNK_DATA;
}

EspritChunkState
esprit_chunk_map_get (const EspritChunkMap *map,
                      guint32               addr)
{
  guint i = addr / ESPRIT_CHUNK_SIZE;

  return i < map->n_chunks ? map->state[i] : ESPRIT_CHUNK_UNKNOWN;
}

void
esprit_chunk_map_count (const EspritChunkMap *map,
                        guint32               addr,
                        guint32               len,
                        guint                *n_unknown,
                        guint                *n_erased,
                        guint                *n_data)
{
  guint counts[3] = { 0, 0, 0 };

  if (len > 0)
    {
      guint64 first = addr / ESPRIT_CHUNK_SIZE;
      guint64 last = ((guint64) addr + len - 1) / ESPRIT_CHUNK_SIZE;

      for (guint64 i = first; i <= last; i++)
        counts[i < map->n_chunks ? map->state[i] : ESPRIT_CHUNK_UNKNOWN]++;
    }
  if (n_unknown)
    *n_unknown = counts[ESPRIT_CHUNK_UNKNOWN];
  if (n_erased)
    *n_erased = counts[ESPRIT_CHUNK_ERASED];
  if (n_data)
    *n_data = counts[ESPRIT_CHUNK_DATA];
}

EspritChunkState
esprit_chunk_map_range (const EspritChunkMap *map,
                        guint32               addr,
                        guint32               len)
{
  guint u, e, d;

  esprit_chunk_map_count (map, addr, len, &u, &e, &d);
  if (len == 0 || u > 0)
    return ESPRIT_CHUNK_UNKNOWN;
  if (d == 0)
    return ESPRIT_CHUNK_ERASED;
  return e == 0 ? ESPRIT_CHUNK_DATA : ESPRIT_CHUNK_UNKNOWN;
}

/* ---- regions ------------------------------------------------------------------------ */

EspritRegion *
_esprit_region_new (const char       *name,
                    guint32           offset,
                    guint32           size,
                    EspritRegionKind  kind,
                    const char       *detail)
{
  EspritRegion *r = g_new0 (EspritRegion, 1);

  r->name = g_strdup (name);
  r->offset = offset;
  r->size = size;
  r->kind = kind;
  r->detail = g_strdup (detail);
  r->partition = -1;
  return r;
}

void
esprit_region_free (EspritRegion *region)
{
  if (region == NULL)
    return;
  g_free (region->name);
  g_free (region->detail);
  g_free (region);
}

static EspritRegion *
region_copy (const EspritRegion *r)
{
  EspritRegion *c = g_memdup2 (r, sizeof *r);

  c->name = g_strdup (r->name);
  c->detail = g_strdup (r->detail);
  return c;
}

char *
esprit_region_describe_image (const EspritRegion *region)
{
  EspritImageInfo info;
  g_autofree char *desc = NULL;

  if (!region->has_image)
    return NULL;
  if (region->image_verified)
    return esprit_image_describe (&region->image);
  info = region->image;
  info.checksum_ok = info.hash_ok = TRUE;
  desc = esprit_image_describe (&info);
  return g_strdup_printf (_("%s, checksum not read"), desc);
}

const char *
esprit_region_kind_name (EspritRegionKind kind)
{
  static const char *const names[] = {
    [ESPRIT_REGION_BOOTLOADER] = "bootloader",
    [ESPRIT_REGION_PARTITION_TABLE] = "partition-table",
    [ESPRIT_REGION_APP] = "app",
    [ESPRIT_REGION_FILESYSTEM] = "filesystem",
    [ESPRIT_REGION_SETTINGS] = "settings",
    [ESPRIT_REGION_DATA] = "data",
    [ESPRIT_REGION_UNKNOWN] = "unknown",
    [ESPRIT_REGION_ERASED] = "erased",
  };

  return (guint) kind < G_N_ELEMENTS (names) ? names[kind] : "unknown";
}

/* ---- the map ------------------------------------------------------------------------ */

static void
add_gap (GPtrArray            *map,
         const EspritChunkMap *chunks,
         guint32               from,
         guint32               to)
{
  while (from < to)
    {
      EspritChunkState state = chunks ? esprit_chunk_map_get (chunks, from) : ESPRIT_CHUNK_UNKNOWN;
      guint32 end = from;
      EspritRegion *r;

      /* Extend over the following chunks in the same state; one gap when nothing is known. */
      if (chunks == NULL)
        end = to;
      else
        do
          end = MIN ((guint64) to, ((guint64) end / ESPRIT_CHUNK_SIZE + 1) * ESPRIT_CHUNK_SIZE);
        while (end < to && esprit_chunk_map_get (chunks, end) == state);
      if (state == ESPRIT_CHUNK_ERASED)
        r = _esprit_region_new ("erased", from, end - from, ESPRIT_REGION_ERASED, NULL);
      else
        r = _esprit_region_new (state == ESPRIT_CHUNK_DATA ? "data" : "unknown", from,
                                end - from, ESPRIT_REGION_UNKNOWN, NULL);
      r->contents = state;
      g_ptr_array_add (map, r);
      from = end;
    }
}

GPtrArray *
esprit_flash_map_build (const EspritLayout   *layout,
                        const EspritChunkMap *chunks)
{
  GPtrArray *map = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_region_free);
  guint32 cursor = 0, end = layout->flash_size;

  for (guint i = 0; i < layout->regions->len; i++)
    {
      const EspritRegion *r = layout->regions->pdata[i];
      guint64 r_end = MIN ((guint64) r->offset + r->size, end);
      EspritRegion *c;

      if (r->offset >= end || r_end <= cursor)
        continue;
      if (r->offset > cursor)
        add_gap (map, chunks, cursor, r->offset);
      c = region_copy (r);
      c->offset = MAX (r->offset, cursor);
      c->size = (guint32) (r_end - c->offset);
      c->used = MIN (c->used, c->size);
      c->contents = chunks ? esprit_chunk_map_range (chunks, c->offset, c->size)
                           : ESPRIT_CHUNK_UNKNOWN;
      g_ptr_array_add (map, c);
      cursor = (guint32) r_end;
    }
  if (cursor < end)
    add_gap (map, chunks, cursor, end);
  return map;
}

static void
json_string (GString    *out,
             const char *s)
{
  if (s == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '"');
  for (; *s; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_printf (out, "\\%c", *s);
      else if ((guchar) *s < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *s);
      else
        g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

char *
esprit_flash_map_to_json (const EspritLayout *layout,
                          GPtrArray          *map)
{
  static const char *const contents[] = { "unknown", "erased", "data" };
  g_autofree char *desc = esprit_layout_describe (layout);
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "{\n  \"flash_size\": %u,\n  \"chip\": ", layout->flash_size);
  json_string (out, layout->chip >= 0 ? esprit_chip_get_info (layout->chip)->id : NULL);
  g_string_append (out, ",\n  \"layout\": ");
  json_string (out, desc);
  g_string_append (out, ",\n  \"regions\": [");
  for (guint i = 0; i < map->len; i++)
    {
      const EspritRegion *r = map->pdata[i];

      g_string_append (out, i ? ",\n    {" : "\n    {");
      g_string_append (out, "\"name\": ");
      json_string (out, r->name);
      g_string_append_printf (out, ", \"offset\": %u, \"size\": %u, \"kind\": \"%s\", "
                              "\"contents\": \"%s\", \"used\": %u, \"boots\": %s, \"detail\": ",
                              r->offset, r->size, esprit_region_kind_name (r->kind),
                              contents[r->contents], r->used, r->boots ? "true" : "false");
      json_string (out, r->detail);
      if (r->has_image)
        {
          g_autofree char *img = esprit_region_describe_image (r);

          g_string_append (out, ", \"image\": ");
          json_string (out, img);
        }
      g_string_append_c (out, '}');
    }
  g_string_append (out, "\n  ]\n}\n");
  return g_string_free (out, FALSE);
}

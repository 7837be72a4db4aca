/* esprit-flash-map.c: the flash map built from a layout and the chunk knowledge (erased
 * chunks, MD5s) a front end feeds (protocol-facts §10)
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
      c = _esprit_region_copy (r);
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

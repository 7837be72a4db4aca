/* esprit-layout.c: the layout types' own functions: layouts (describe, find a region by name,
 * the settings regions), regions, and the chunk knowledge a front end feeds (§10)
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

gboolean
_esprit_layout_all_ff (const guint8 *p,
                       gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] != 0xFF)
      return FALSE;
  return TRUE;
}

/* ---- layouts ------------------------------------------------------------------------ */

void
esprit_layout_free (EspritLayout *layout)
{
  if (layout == NULL)
    return;
  g_free (layout->table);
  g_free (layout->variant);
  g_free (layout->fs_type);
  g_free (layout->table_error);
  g_clear_pointer (&layout->regions, g_ptr_array_unref);
  g_free (layout);
}

char *
esprit_layout_describe (const EspritLayout *layout)
{
  switch (layout->kind)
    {
    case ESPRIT_LAYOUT_PARTITION_TABLE:
      {
        int boots = esprit_partition_table_boot_index (layout->table, layout->has_otadata
                                                                      ? &layout->otadata : NULL);

        if (boots < 0)
          return g_strdup_printf (_("ESP-IDF partition table at 0x%x: %u partitions"),
                                  layout->table->table_offset, layout->table->n_entries);
        return g_strdup_printf (_("ESP-IDF partition table at 0x%x: %u partitions, boots “%s”"),
                                layout->table->table_offset, layout->table->n_entries,
                                layout->table->entries[boots].label);
      }
    case ESPRIT_LAYOUT_ESP8266_ARDUINO:
      if (layout->variant == NULL || layout->fs_type == NULL)
        return g_strdup (_("ESP8266 Arduino layout (filesystem not found)"));
      return g_strdup_printf (_("ESP8266 Arduino layout %s, %s"), layout->variant,
                              layout->fs_type);
    case ESPRIT_LAYOUT_ESP8266_SDK:
      return g_strdup (_("ESP8266 SDK firmware"));
    case ESPRIT_LAYOUT_ERASED:
      return g_strdup (_("Erased flash"));
    case ESPRIT_LAYOUT_UNKNOWN:
    default:
      if (layout->table_error != NULL)
        return g_strdup_printf (_("No known layout (%s)"), layout->table_error);
      return g_strdup (_("No known layout"));
    }
}

/* ---- names and settings ------------------------------------------------------------- */

const EspritRegion *
esprit_layout_find (const EspritLayout  *layout,
                    const char          *name,
                    GError             **error)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < layout->regions->len; i++)
    {
      const EspritRegion *r = layout->regions->pdata[i];

      if (g_str_equal (r->name, name))
        return r;
      g_string_append_printf (names, "%s%s", names->len ? ", " : "", r->name);
    }
  if (names->len == 0)
    g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                 _("No partition “%s”: no layout was recognised on this flash"), name);
  else
    g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                 _("No partition “%s” (there are: %s)"), name, names->str);
  return NULL;
}

GPtrArray *
esprit_layout_settings_regions (const EspritLayout *layout)
{
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < layout->regions->len; i++)
    {
      EspritRegion *r = layout->regions->pdata[i];
      const EspritPartition *p = r->partition >= 0 && layout->table
                                 ? &layout->table->entries[r->partition] : NULL;

      /* §10.2: "erase WiFi settings" is RF calibration + the SDK's Wi-Fi sectors. */
      if (layout->chip == ESPRIT_CHIP_ESP8266 && layout->table == NULL &&
          (g_str_equal (r->name, "rfcal") || g_str_equal (r->name, "wifi")))
        g_ptr_array_add (out, r);
      else if (p != NULL && p->type == ESPRIT_PARTITION_TYPE_DATA &&
               p->subtype == ESPRIT_PARTITION_SUBTYPE_NVS)
        g_ptr_array_add (out, r);
    }
  return out;
}

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

void
esprit_chunk_map_learn (EspritChunkMap *map,
                        guint32         addr,
                        const guint8   *data,
                        gsize           len)
{
  guint64 first = ((guint64) addr + ESPRIT_CHUNK_SIZE - 1) / ESPRIT_CHUNK_SIZE;
  guint64 end = ((guint64) addr + len) / ESPRIT_CHUNK_SIZE;

  for (guint64 i = first; i < end && i < map->n_chunks; i++)
    map->state[i] = _esprit_layout_all_ff (data + (i * ESPRIT_CHUNK_SIZE - addr), ESPRIT_CHUNK_SIZE)
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

EspritRegion *
_esprit_region_copy (const EspritRegion *r)
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

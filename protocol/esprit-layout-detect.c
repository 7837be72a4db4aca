/* esprit-layout-detect.c: recognising a layout: an ESP-IDF table with its bootloader, apps
 * and otadata, or an ESP8266 layout (esprit-layout-esp8266.c), protocol-facts §10
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

static int
compare_regions (gconstpointer a,
                 gconstpointer b)
{
  const EspritRegion *ra = *(EspritRegion * const *) a;
  const EspritRegion *rb = *(EspritRegion * const *) b;

  return ra->offset < rb->offset ? -1 : ra->offset > rb->offset;
}

/* ---- ESP32 family: the partition table ---------------------------------------------- */

static EspritRegionKind
partition_kind (const EspritPartition *p)
{
  switch (p->type)
    {
    case ESPRIT_PARTITION_TYPE_APP:
      return ESPRIT_REGION_APP;
    case ESPRIT_PARTITION_TYPE_BOOTLOADER:
      return ESPRIT_REGION_BOOTLOADER;
    case ESPRIT_PARTITION_TYPE_PARTITION_TABLE:
      return ESPRIT_REGION_PARTITION_TABLE;
    case ESPRIT_PARTITION_TYPE_DATA:
      switch (p->subtype)
        {
        case ESPRIT_PARTITION_SUBTYPE_OTADATA:
        case ESPRIT_PARTITION_SUBTYPE_PHY:
        case ESPRIT_PARTITION_SUBTYPE_NVS:
        case 0x04:   /* nvs_keys */
          return ESPRIT_REGION_SETTINGS;
        case ESPRIT_PARTITION_SUBTYPE_FAT:
        case ESPRIT_PARTITION_SUBTYPE_SPIFFS:
        case ESPRIT_PARTITION_SUBTYPE_LITTLEFS:
          return ESPRIT_REGION_FILESYSTEM;
        default:
          return ESPRIT_REGION_DATA;
        }
    default:
      return ESPRIT_REGION_DATA;
    }
}

/* Where the second-stage bootloader is: the chip's offset (§10.1), or for an unknown chip
 * the first of 0x1000, 0x0, 0x2000 holding an image whose extended header names a chip. */
static gboolean
find_bootloader (EspritLayout        *layout,
                 EspritLayoutReader  *reader,
                 guint32             *offset,
                 EspritImageInfo     *info,
                 gboolean            *verified,
                 GError             **error)
{
  static const guint32 candidates[] = { 0x1000, 0x0, 0x2000 };

  if (layout->chip != ESPRIT_CHIP_AUTO)
    {
      *offset = esprit_chip_get_info (layout->chip)->bootloader_offset;
      return _esprit_layout_walk_image (reader, *offset,
                                        layout->chip != ESPRIT_CHIP_ESP8266, info, verified,
                                        error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      *offset = candidates[i];
      if (_esprit_layout_walk_image (reader, *offset, TRUE, info, verified, error))
        return TRUE;
      if (error != NULL && *error != NULL)
        return FALSE;
    }
  return FALSE;
}

static gboolean
add_table_regions (EspritLayout        *layout,
                   EspritLayoutReader  *reader,
                   GError             **error)
{
  const EspritPartitionTable *table = layout->table;
  gboolean have_boot = FALSE, have_table = FALSE;
  EspritImageInfo info;
  gboolean verified = FALSE;
  guint32 boot_off;
  int boots;

  for (guint i = 0; i < table->n_entries; i++)
    {
      const EspritPartition *p = &table->entries[i];
      g_autofree char *type = esprit_partition_describe_type (p);
      EspritRegion *r = _esprit_region_new (p->label, p->offset, p->size, partition_kind (p),
                                            type);

      r->partition = (int) i;
      r->flags = p->flags;
      have_boot |= p->type == ESPRIT_PARTITION_TYPE_BOOTLOADER;
      have_table |= p->type == ESPRIT_PARTITION_TYPE_PARTITION_TABLE;
      g_ptr_array_add (layout->regions, r);
      if (p->type == ESPRIT_PARTITION_TYPE_APP)
        {
          if (_esprit_layout_walk_image (reader, p->offset,
                                         layout->chip != ESPRIT_CHIP_ESP8266, &r->image,
                                         &r->image_verified, error))
            {
              r->has_image = TRUE;
              r->used = (guint32) MIN (r->image.image_len, p->size);
            }
          else if (error != NULL && *error != NULL)
            return FALSE;
        }
      else if (p->type == ESPRIT_PARTITION_TYPE_DATA &&
               p->subtype == ESPRIT_PARTITION_SUBTYPE_OTADATA && !layout->has_otadata)
        {
          const guint8 *ota = _esprit_layout_read (reader, p->offset,
                                                   MIN (p->size, ESPRIT_OTADATA_SIZE), error);

          if (ota == NULL && error != NULL && *error != NULL)
            return FALSE;
          if (ota != NULL)
            {
              esprit_otadata_parse (ota, MIN (p->size, ESPRIT_OTADATA_SIZE), &layout->otadata);
              layout->has_otadata = TRUE;
            }
        }
    }
  boots = esprit_partition_table_boot_index (table, layout->has_otadata ? &layout->otadata
                                                                        : NULL);
  for (guint i = 0; i < layout->regions->len; i++)
    {
      EspritRegion *r = layout->regions->pdata[i];

      if (r->partition >= 0 && r->partition == boots)
        r->boots = TRUE;
    }

  if (!have_table)
    g_ptr_array_add (layout->regions,
                     _esprit_region_new ("partition_table", table->table_offset, 0x1000,
                                         ESPRIT_REGION_PARTITION_TABLE,
                                         _("ESP-IDF partition table")));
  if (!find_bootloader (layout, reader, &boot_off, &info, &verified, error) && error != NULL &&
      *error)
    return FALSE;
  if (layout->chip == ESPRIT_CHIP_AUTO && info.kind == ESPRIT_IMAGE_ESP)
    layout->chip = info.chip;
  if (!have_boot && layout->chip != ESPRIT_CHIP_AUTO &&
      (boot_off = esprit_chip_get_info (layout->chip)->bootloader_offset) < table->table_offset)
    {
      EspritRegion *r = _esprit_region_new ("bootloader", boot_off,
                                            table->table_offset - boot_off,
                                            ESPRIT_REGION_BOOTLOADER,
                                            _("second-stage bootloader"));

      if (info.kind == ESPRIT_IMAGE_ESP)
        {
          r->has_image = TRUE;
          r->image = info;
          r->image_verified = verified;
          r->used = (guint32) MIN (info.image_len, r->size);
        }
      g_ptr_array_add (layout->regions, r);
    }
  return TRUE;
}

/* ---- detection ---------------------------------------------------------------------- */

static gboolean
try_table (EspritLayout        *layout,
           EspritLayoutReader  *reader,
           guint32              table_offset,
           GError             **error)
{
  g_autoptr(GError) parse_error = NULL;
  const guint8 *data = _esprit_layout_read (reader, table_offset, ESPRIT_PARTITION_TABLE_LEN,
                                            error);

  if (data == NULL)
    return error == NULL || *error == NULL;
  layout->table = g_new0 (EspritPartitionTable, 1);
  if (!esprit_partition_table_parse (data, ESPRIT_PARTITION_TABLE_LEN, table_offset,
                                     layout->table, &parse_error))
    {
      g_clear_pointer (&layout->table, g_free);
      if (!g_error_matches (parse_error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND))
        layout->table_error = g_strdup (parse_error->message);
      return TRUE;
    }
  layout->kind = ESPRIT_LAYOUT_PARTITION_TABLE;
  /* An ESP8266 RTOS SDK table replaces the sectors guessed at the top. */
  g_ptr_array_set_size (layout->regions, 0);
  return add_table_regions (layout, reader, error);
}

static EspritLayout *
detect (EspritLayoutReader  *reader,
        EspritChip           chip,
        guint32              table_offset,
        GError             **error)
{
  g_autoptr(EspritLayout) layout = g_new0 (EspritLayout, 1);
  const guint8 *first;

  layout->chip = chip;
  layout->flash_size = reader->flash_size;
  layout->regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_region_free);

  if (chip == ESPRIT_CHIP_ESP8266 || chip == ESPRIT_CHIP_AUTO)
    {
      /* A table first only where the chip is unknown: an ESP8266 sketch may hold anything
       * at 0x8000. ESP8266 RTOS SDK builds do use a table, so it is tried after. */
      if (chip == ESPRIT_CHIP_AUTO && !try_table (layout, reader, table_offset, error))
        return NULL;
      if (layout->kind == ESPRIT_LAYOUT_UNKNOWN && chip == ESPRIT_CHIP_AUTO)
        {
          EspritImageInfo at0;

          /* An image at 0x0 whose extended header names an ESP32-family chip (an S3 or C3
           * bootloader, an app .bin) is no ESP8266 firmware. */
          if (_esprit_layout_walk_image (reader, 0, TRUE, &at0, NULL, error))
            layout->chip = at0.chip;
          else if (error != NULL && *error != NULL)
            return NULL;
        }
      if (layout->kind == ESPRIT_LAYOUT_UNKNOWN && layout->chip == chip)
        {
          g_autoptr(EspritLayout) e8 = g_new0 (EspritLayout, 1);

          e8->chip = ESPRIT_CHIP_ESP8266;
          e8->flash_size = reader->flash_size;
          e8->regions = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_region_free);
          if (!_esprit_layout_detect_esp8266 (e8, reader, error))
            return NULL;
          if (e8->kind != ESPRIT_LAYOUT_UNKNOWN || chip == ESPRIT_CHIP_ESP8266)
            {
              e8->table_error = g_steal_pointer (&layout->table_error);
              g_clear_pointer (&layout, esprit_layout_free);
              layout = g_steal_pointer (&e8);
            }
        }
      if (layout->kind == ESPRIT_LAYOUT_UNKNOWN && chip == ESPRIT_CHIP_ESP8266 &&
          !try_table (layout, reader, table_offset, error))
        return NULL;
    }
  else if (!try_table (layout, reader, table_offset, error))
    return NULL;

  if (layout->kind == ESPRIT_LAYOUT_UNKNOWN)
    {
      const guint8 *table = _esprit_layout_read (reader, table_offset, 32, error);

      if (error != NULL && *error != NULL)
        return NULL;
      first = _esprit_layout_read (reader, 0, ESPRIT_CHUNK_SIZE, error);
      if (error != NULL && *error != NULL)
        return NULL;
      if (first != NULL && _esprit_layout_all_ff (first, ESPRIT_CHUNK_SIZE) &&
          (table == NULL || _esprit_layout_all_ff (table, 32)))
        layout->kind = ESPRIT_LAYOUT_ERASED;
    }
  g_ptr_array_sort (layout->regions, compare_regions);
  return g_steal_pointer (&layout);
}

EspritLayout *
esprit_layout_detect (EspritChip            chip,
                      guint32               flash_size,
                      guint32               table_offset,
                      EspritFlashReadFunc   read,
                      gpointer              user_data,
                      GError              **error)
{
  EspritLayoutReader *reader = _esprit_layout_reader_new (flash_size);
  GError *local_error = NULL;
  EspritLayout *layout;

  reader->read = read;
  reader->user_data = user_data;
  layout = detect (reader, chip, table_offset, &local_error);
  _esprit_layout_reader_free (reader);
  if (local_error != NULL)
    {
      g_clear_pointer (&layout, esprit_layout_free);
      g_propagate_error (error, local_error);
    }
  return layout;
}

EspritLayout *
esprit_layout_detect_image (const guint8 *data,
                            gsize         len,
                            EspritChip    chip,
                            guint32       table_offset)
{
  EspritLayoutReader *reader = _esprit_layout_reader_new ((guint32) MIN (len, G_MAXUINT32));
  EspritLayout *layout;

  reader->whole = data;
  /* Nothing can fail reading memory, so no error is asked for. */
  layout = detect (reader, chip, table_offset, NULL);
  _esprit_layout_reader_free (reader);
  return layout;
}

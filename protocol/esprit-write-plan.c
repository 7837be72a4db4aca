/* esprit-write-plan.c: a write_flash request, checked before anything is sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-write-plan"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-loader-private.h"
#include "esprit-write-plan.h"

typedef struct {
  guint32  addr;
  GBytes  *data;
  char    *name;
} Item;

struct _EspritWritePlan
{
  GArray            *items;
  EspritFlashMode    mode;
  guint32            size;
  EspritFlashFreq    freq;
  EspritWriteOptions options;
  gboolean           erase_all;
  EspritDeflateCache *deflate_cache;   /* one plan run on many boards compresses once */
};

static void
item_clear (Item *item)
{
  g_bytes_unref (item->data);
  g_free (item->name);
}

EspritWritePlan *
esprit_write_plan_new (void)
{
  static const EspritWriteOptions defaults = ESPRIT_WRITE_OPTIONS_DEFAULT;
  EspritWritePlan *self = g_new0 (EspritWritePlan, 1);

  self->items = g_array_new (FALSE, FALSE, sizeof (Item));
  g_array_set_clear_func (self->items, (GDestroyNotify) item_clear);
  self->mode = ESPRIT_FLASH_MODE_KEEP;
  self->size = ESPRIT_FLASH_SIZE_KEEP;
  self->freq = ESPRIT_FLASH_FREQ_KEEP;
  self->options = defaults;
  self->deflate_cache = esprit_deflate_cache_new ();
  return self;
}

void
esprit_write_plan_free (EspritWritePlan *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->items);
  esprit_deflate_cache_unref (self->deflate_cache);
  g_free (self);
}

void
esprit_write_plan_add (EspritWritePlan *self,
                       guint32          addr,
                       GBytes          *data,
                       const char      *name)
{
  Item item = { addr, g_bytes_ref (data), g_strdup (name) };

  g_array_append_val (self->items, item);
}

guint
esprit_write_plan_get_n_items (EspritWritePlan *self)
{
  return self->items->len;
}

void
esprit_write_plan_set_header (EspritWritePlan *self,
                              EspritFlashMode  mode,
                              guint32          size,
                              EspritFlashFreq  freq)
{
  self->mode = mode;
  self->size = size;
  self->freq = freq;
}

void
esprit_write_plan_set_options (EspritWritePlan          *self,
                               const EspritWriteOptions *options)
{
  self->options = *options;
}

void
esprit_write_plan_set_erase_all (EspritWritePlan *self,
                                 gboolean         erase_all)
{
  self->erase_all = erase_all;
}

static gboolean
patching (EspritWritePlan *self)
{
  return self->mode != ESPRIT_FLASH_MODE_KEEP || self->size != ESPRIT_FLASH_SIZE_KEEP ||
         self->freq != ESPRIT_FLASH_FREQ_KEEP;
}

gboolean
esprit_write_plan_check (EspritWritePlan  *self,
                         EspritChip        chip,
                         guint32           flash_size,
                         GError          **error)
{
  int bad;

  return esprit_write_plan_check_item (self, chip, flash_size, &bad, error);
}

gboolean
esprit_write_plan_check_item (EspritWritePlan  *self,
                              EspritChip        chip,
                              guint32           flash_size,
                              int              *bad_item,
                              GError          **error)
{
  *bad_item = -1;
  if (self->items->len == 0)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                           _("Nothing to write"));
      return FALSE;
    }
  for (guint i = 0; i < self->items->len; i++)
    {
      Item *a = &g_array_index (self->items, Item, i);
      gsize len = g_bytes_get_size (a->data);
      const guint8 *data = g_bytes_get_data (a->data, NULL);
      guint64 end = (guint64) a->addr + len;

      *bad_item = (int) i;
      if (len == 0)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("%s is empty"), a->name);
          return FALSE;
        }
      if (end > G_MAXUINT32 || (flash_size != 0 && end > flash_size))
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_TOO_LARGE,
                       _("%s (%zu bytes at 0x%08x) does not fit the %u KB "
                         "flash: it would end at 0x%08llx"),
                       a->name, len, a->addr, flash_size / 1024, (unsigned long long) end);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        {
          Item *b = &g_array_index (self->items, Item, j);
          guint64 b_end = (guint64) b->addr + g_bytes_get_size (b->data);

          if (a->addr < b_end && b->addr < end)
            {
              g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                           _("%s at 0x%08x overlaps %s at 0x%08x..0x%08llx"),
                           a->name, a->addr, b->name, b->addr, (unsigned long long) b_end);
              return FALSE;
            }
        }

      /* An image made for another chip, where the header tells. */
      if (chip != ESPRIT_CHIP_AUTO && len >= 8 && data[0] == ESPRIT_IMAGE_MAGIC &&
          a->addr == esprit_chip_get_info (chip)->bootloader_offset)
        {
          EspritImageInfo info;
          g_autoptr(GError) local_error = NULL;

          /* Without a recognisable extended header an E9 image is an ESP8266 one. */
          if (esprit_image_parse (data, len, ESPRIT_CHIP_AUTO, &info, &local_error) &&
              info.chip != ESPRIT_CHIP_AUTO && info.chip != chip)
            {
              g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID,
                           _("%s is an image for the %s, not for the %s"), a->name,
                           esprit_chip_get_info (info.chip)->name,
                           esprit_chip_get_info (chip)->name);
              return FALSE;
            }
          g_clear_error (&local_error);
          if (patching (self) && !esprit_image_parse (data, len, chip, &info, &local_error))
            {
              g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID,
                           _("%s: %s (flash mode/size options need a valid image)"), a->name,
                           local_error->message);
              return FALSE;
            }
        }
    }
  *bad_item = -1;
  return TRUE;
}

gboolean
esprit_write_plan_run (EspritWritePlan     *self,
                       EspritLoader        *loader,
                       EspritProgressFunc   progress,
                       gpointer             user_data,
                       GCancellable        *cancellable,
                       GError             **error)
{
  EspritChip chip = esprit_loader_get_chip (loader);
  guint32 flash_size = 0;
  guint32 header_size = self->size;
  g_autoptr(GError) size_error = NULL;
  EspritWriteOptions options = self->options;

  /* The flash's size bounds every item; detect it where the chip lets us. */
  if (!esprit_flash_detect_size (loader, &flash_size, cancellable, &size_error))
    {
      if (g_error_matches (size_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&size_error));
          return FALSE;
        }
      flash_size = 0;
      if (self->size == ESPRIT_FLASH_SIZE_DETECT)
        {
          g_propagate_error (error, g_steal_pointer (&size_error));
          return FALSE;
        }
    }
  if (self->size == ESPRIT_FLASH_SIZE_DETECT)
    {
      header_size = flash_size;
      esprit_loader_log (loader, ESPRIT_LOG_INFO, _("Auto-detected flash size: %uMB"),
                         flash_size / (1024 * 1024));
    }
  if (!esprit_write_plan_check (self, chip, flash_size, error))
    return FALSE;

  if (self->erase_all && !esprit_flash_erase_all (loader, progress, user_data, cancellable, error))
    return FALSE;

  for (guint i = 0; i < self->items->len; i++)
    {
      Item *item = &g_array_index (self->items, Item, i);
      g_autoptr(GBytes) data = g_bytes_ref (item->data);
      const guint8 *raw = g_bytes_get_data (data, NULL);

      /* §5 "When esptool patches": at the bootloader offset, an E9 image that validates, and
       * some header option other than keep. */
      if (patching (self) && item->addr == esprit_chip_get_info (chip)->bootloader_offset &&
          raw[0] == ESPRIT_IMAGE_MAGIC)
        {
          gsize len;
          g_autofree guint8 *copy = g_bytes_unref_to_data (g_steal_pointer (&data), &len);
          gboolean changed;

          if (!esprit_image_patch_header (copy, len, chip, self->mode, header_size, self->freq,
                                          &changed, error))
            {
              g_prefix_error (error, "%s: ", item->name);
              return FALSE;
            }
          if (changed)
            esprit_loader_log (loader, ESPRIT_LOG_INFO, _("Flash params set to 0x%02x%02x"),
                               copy[2], copy[3]);
          data = g_bytes_new_take (g_steal_pointer (&copy), len);
        }
      if (options.deflate_cache == NULL)
        options.deflate_cache = self->deflate_cache;
      if (!esprit_flash_write (loader, item->addr, data, &options, progress, user_data,
                               cancellable, error))
        return FALSE;
    }
  return TRUE;
}

EspritDeflateCache *
esprit_write_plan_get_deflate_cache (EspritWritePlan *self)
{
  return self->deflate_cache;
}

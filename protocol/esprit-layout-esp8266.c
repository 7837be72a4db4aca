/* esprit-layout-esp8266.c: ESP8266 flash layouts without a partition table
 * (protocol-facts §10.2): Arduino builds (eboot + sketch), the filesystem of the 4 MB
 * layouts, the settings sectors at the top, and SDK/NodeMCU firmware.
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

#define SKETCH_OFFSET   0x1000u
/* irom0 ends at 0x402FEFF0 in every eagle.flash.4m*.ld: the sketch region is 0x0–0xFEFF0,
 * so the sketch's sectors end at 0xFF000 (§10.2). */
#define SKETCH_END      0xFF000u
#define FS_END_4M       0x3FA000u
#define SIZE_4M         0x400000u
#define SPIFFS_MAGIC_AT 0xFC
/* (0x20140529 ^ page size 256) & 0xFFFF (§10.2). */
#define SPIFFS_MAGIC    0x0429u
#define SDK_IROM_OFFSET 0x10000u

typedef struct {
  const char *variant;
  guint32     start;
} FsLayout;

/* The 4 MB layouts with a filesystem, lowest start first: SPIFFS puts its magic in every
 * block, so the lowest block carrying one is the region's start (§10.2 heuristic). */
static const FsLayout fs_layouts_4m[] = {
  { "4M3M", 0x100000 },
  { "4M2M", 0x200000 },
  { "4M1M", 0x300000 },
};

/* LittleFS: "littlefs" at offset 8 of block 0 or 1 (the metadata pair), then after a tag
 * the superblock: version, block_size, block_count… (littlefs SPEC.md). The region matches
 * when block_size × block_count is its length. */
static gboolean
probe_littlefs (EspritLayoutReader  *reader,
                guint32              start,
                guint32              len,
                guint32             *block_count,
                GError             **error)
{
  for (guint b = 0; b < 2; b++)
    {
      const guint8 *p = _esprit_layout_read (reader, start + b * ESPRIT_ESP8266_FS_BLOCK, 44,
                                             error);
      guint32 bs, bc;

      if (p == NULL)
        return FALSE;
      if (memcmp (p + 8, "littlefs", 8) != 0)
        continue;
      bs = esprit_read_le32 (p + 24);
      bc = esprit_read_le32 (p + 28);
      if (bs != 0 && (guint64) bs * bc == len)
        {
          *block_count = bc;
          return TRUE;
        }
    }
  return FALSE;
}

/* SPIFFS: the u16 magic at 0xFC of a block, plain or (SPIFFS_USE_MAGIC_LENGTH) XORed with
 * block_count − block index; checked in the first two blocks. */
static gboolean
probe_spiffs (EspritLayoutReader  *reader,
              guint32              start,
              guint32              len,
              GError             **error)
{
  guint32 blocks = len / ESPRIT_ESP8266_FS_BLOCK;

  for (guint b = 0; b < 2; b++)
    {
      const guint8 *p = _esprit_layout_read (reader, start + b * ESPRIT_ESP8266_FS_BLOCK +
                                             SPIFFS_MAGIC_AT, 2, error);
      guint magic;

      if (p == NULL)
        return FALSE;
      magic = esprit_read_le16 (p);
      if (magic != SPIFFS_MAGIC && magic != ((SPIFFS_MAGIC ^ (blocks - b)) & 0xFFFF))
        return FALSE;
    }
  return TRUE;
}

static gboolean
detect_fs (EspritLayout        *layout,
           EspritLayoutReader  *reader,
           GError             **error)
{
  if (layout->flash_size != SIZE_4M)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (fs_layouts_4m); i++)
    {
      const FsLayout *l = &fs_layouts_4m[i];
      guint32 len = FS_END_4M - l->start, count = 0;
      g_autofree char *detail = NULL;
      EspritRegion *r;

      if (probe_littlefs (reader, l->start, len, &count, error))
        {
          layout->fs_type = g_strdup ("LittleFS");
          detail = g_strdup_printf (_("LittleFS, %u blocks of 8 KB"), count);
        }
      else if (error != NULL && *error != NULL)
        return FALSE;
      else if (probe_spiffs (reader, l->start, len, error))
        {
          layout->fs_type = g_strdup ("SPIFFS");
          detail = g_strdup_printf (_("SPIFFS, %u blocks of 8 KB"),
                                    len / ESPRIT_ESP8266_FS_BLOCK);
        }
      else if (error != NULL && *error != NULL)
        return FALSE;
      else
        continue;
      layout->variant = g_strdup (l->variant);
      r = _esprit_region_new ("fs", l->start, len, ESPRIT_REGION_FILESYSTEM, detail);
      g_ptr_array_add (layout->regions, r);
      return TRUE;
    }
  return TRUE;
}

/* The sectors the SDK and the Arduino core keep at the end of the flash (§10.2): from the
 * end, Wi-Fi settings (12 KB), RF calibration (4 KB), EEPROM (4 KB). */
static void
add_top_regions (EspritLayout *layout)
{
  guint32 end = layout->flash_size;

  if (end < 0x10000)
    return;
  g_ptr_array_add (layout->regions,
                   _esprit_region_new ("eeprom", end - 0x5000, 0x1000, ESPRIT_REGION_SETTINGS,
                                       _("EEPROM emulation")));
  g_ptr_array_add (layout->regions,
                   _esprit_region_new ("rfcal", end - 0x4000, 0x1000, ESPRIT_REGION_SETTINGS,
                                       _("RF calibration")));
  g_ptr_array_add (layout->regions,
                   _esprit_region_new ("wifi", end - 0x3000, 0x3000, ESPRIT_REGION_SETTINGS,
                                       _("SDK Wi-Fi settings")));
}

static EspritRegion *
image_region (EspritLayoutReader *reader,
              const char         *name,
              guint32             offset,
              guint32             size,
              EspritRegionKind    kind,
              const char         *detail,
              GError            **error)
{
  EspritRegion *r = _esprit_region_new (name, offset, size, kind, detail);

  if (_esprit_layout_walk_image (reader, offset, FALSE, &r->image, &r->image_verified, error))
    {
      r->has_image = TRUE;
      r->used = (guint32) MIN (r->image.image_len, size);
    }
  return r;
}

/* A §5 "v2" image at @offset: EA header, the irom0 segment, then an E9 image and a CRC32. */
static EspritRegion *
v2_region (EspritLayoutReader *reader,
           const char         *name,
           guint32             offset,
           guint32             size,
           GError            **error)
{
  EspritRegion *r = _esprit_region_new (name, offset, size, ESPRIT_REGION_APP,
                                        _("SDK v2 image"));
  const guint8 *h = _esprit_layout_read (reader, offset, 16, error);
  EspritImageInfo inner;
  guint64 next;

  if (h == NULL)
    return r;
  next = (guint64) offset + 16 + esprit_read_le32 (h + 12);
  if (next < G_MAXUINT32 &&
      _esprit_layout_walk_image (reader, (guint32) next, FALSE, &inner, &r->image_verified,
                                 error))
    {
      r->has_image = TRUE;
      r->image = inner;
      r->image.kind = ESPRIT_IMAGE_ESP8266_V2;
      r->image.flash_mode = h[2];
      r->image.size_freq = h[3];
      r->image.entry = esprit_read_le32 (h + 4);
      r->image.image_len = (gsize) (next - offset) + inner.image_len + 4;
      r->used = (guint32) MIN (r->image.image_len, size);
    }
  return r;
}

gboolean
_esprit_layout_detect_esp8266 (EspritLayout        *layout,
                               EspritLayoutReader  *reader,
                               GError             **error)
{
  const guint8 *h0, *h1;
  guint8 m0, m1;
  guint32 top = layout->flash_size >= 0x10000 ? layout->flash_size - 0x5000 : layout->flash_size;

  h0 = _esprit_layout_read (reader, 0, 8, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  m0 = h0 ? h0[0] : 0xFF;
  h1 = _esprit_layout_read (reader, SKETCH_OFFSET, 8, error);
  if (error != NULL && *error != NULL)
    return FALSE;
  m1 = h1 ? h1[0] : 0xFF;

  if (m0 == ESPRIT_IMAGE_MAGIC && m1 == ESPRIT_IMAGE_MAGIC)
    {
      /* Arduino: eboot padded to 4 KB at 0x0, the sketch at 0x1000 (§10.2). */
      layout->kind = ESPRIT_LAYOUT_ESP8266_ARDUINO;
      g_ptr_array_add (layout->regions,
                       image_region (reader, "eboot", 0, SKETCH_OFFSET,
                                     ESPRIT_REGION_BOOTLOADER, _("Arduino eboot"), error));
      g_ptr_array_add (layout->regions,
                       image_region (reader, "sketch", SKETCH_OFFSET,
                                     MIN (SKETCH_END, top) - SKETCH_OFFSET, ESPRIT_REGION_APP,
                                     _("Arduino sketch"), error));
      if (error != NULL && *error != NULL)
        return FALSE;
      if (!detect_fs (layout, reader, error))
        return FALSE;
    }
  else if (m0 == ESPRIT_IMAGE_MAGIC && m1 == ESPRIT_IMAGE_V2_MAGIC)
    {
      /* The SDK's OTA layout: boot.bin at 0x0, user1.bin (a v2 image) at 0x1000. */
      layout->kind = ESPRIT_LAYOUT_ESP8266_SDK;
      g_ptr_array_add (layout->regions,
                       image_region (reader, "boot", 0, SKETCH_OFFSET, ESPRIT_REGION_BOOTLOADER,
                                     _("SDK boot loader"), error));
      g_ptr_array_add (layout->regions,
                       v2_region (reader, "user1", SKETCH_OFFSET,
                                  (top / 2 - SKETCH_OFFSET) & ~0xFFFu, error));
    }
  else if (m0 == ESPRIT_IMAGE_V2_MAGIC)
    {
      layout->kind = ESPRIT_LAYOUT_ESP8266_SDK;
      g_ptr_array_add (layout->regions, v2_region (reader, "firmware", 0, top, error));
    }
  else if (m0 == ESPRIT_IMAGE_MAGIC)
    {
      /* Non-OTA SDK / NodeMCU: the E9 image at 0x0, its irom0 code from 0x10000. */
      const guint8 *irom;
      EspritRegion *fw = image_region (reader, "firmware", 0, MIN (SDK_IROM_OFFSET, top),
                                       ESPRIT_REGION_APP, _("SDK firmware"), error);

      layout->kind = ESPRIT_LAYOUT_ESP8266_SDK;
      g_ptr_array_add (layout->regions, fw);
      irom = _esprit_layout_read (reader, SDK_IROM_OFFSET, 16, error);
      if (irom != NULL && top > SDK_IROM_OFFSET)
        {
          gboolean erased = TRUE;

          for (int i = 0; i < 16; i++)
            erased &= irom[i] == 0xFF;
          if (!erased)
            g_ptr_array_add (layout->regions,
                             _esprit_region_new ("irom0", SDK_IROM_OFFSET,
                                                 top - SDK_IROM_OFFSET, ESPRIT_REGION_APP,
                                                 _("SDK irom0 code")));
        }
    }
  if (error != NULL && *error != NULL)
    return FALSE;
  add_top_regions (layout);
  return TRUE;
}

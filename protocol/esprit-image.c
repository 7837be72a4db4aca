/* esprit-image.c: ESP image headers (protocol-facts §5): parse, validate, patch
 *
 * This parses files users hand us: every read is bounds-checked (it is fuzzed).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-image"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "esprit-command.h"
#include "esprit-enums.h"
#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-image.h"

#define HEADER_LEN     8
#define EXT_HEADER_LEN 16
#define MAX_SEGMENTS   16
#define SHA256_LEN     32

static gboolean G_GNUC_PRINTF (2, 3)
invalid (GError    **error,
         const char *format,
         ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID, _("Invalid image: %s"), msg);
  return FALSE;
}

/* Walks the segments of an E9 image starting at @start; fills @info. */
static gboolean
parse_e9 (const guint8     *data,
          gsize             len,
          gsize             start,
          gboolean          extended,
          EspritImageInfo  *info,
          GError          **error)
{
  gsize pos;
  guint8 checksum = ESPRIT_CHECKSUM_SEED;
  guint n;

  if (len - start < HEADER_LEN + (extended ? EXT_HEADER_LEN : 0))
    return invalid (error, _("the file ends inside the header"));
  if (data[start] != ESPRIT_IMAGE_MAGIC)
    return invalid (error, _("no 0xE9 header at offset %zu"), start);
  n = data[start + 1];
  if (n == 0 || n > MAX_SEGMENTS)
    return invalid (error, _("%u segments (1 to %d are possible)"), n, MAX_SEGMENTS);
  info->n_segments = n;
  info->entry = esprit_read_le32 (data + start + 4);
  pos = start + HEADER_LEN;
  if (extended)
    {
      const guint8 *ext = data + start + HEADER_LEN;

      info->has_extended_header = TRUE;
      info->ext_chip_id = esprit_read_le16 (ext + 4);
      info->min_rev = esprit_read_le16 (ext + 7);
      info->max_rev = esprit_read_le16 (ext + 9);
      info->hash_appended = ext[15] == 1;
      if (ext[15] > 1)
        return invalid (error, _("the hash flag is %u (0 or 1 expected)"), ext[15]);
      pos += EXT_HEADER_LEN;
    }
  for (guint i = 0; i < n; i++)
    {
      guint32 seg_len;

      if (len - pos < 8)
        return invalid (error, _("the file ends in the header of segment %u"), i + 1);
      info->segments[i].load_addr = esprit_read_le32 (data + pos);
      seg_len = esprit_read_le32 (data + pos + 4);
      info->segments[i].length = seg_len;
      info->segments[i].file_offset = pos + 8;
      if (seg_len > len - pos - 8)
        return invalid (error, _("segment %u (%u bytes) runs past the end of the file"), i + 1,
                        seg_len);
      for (gsize j = 0; j < seg_len; j++)
        checksum ^= data[pos + 8 + j];
      pos += 8 + (gsize) seg_len;
    }
  /* Footer (§5): zero padding until length ≡ 15 (mod 16), then the checksum byte. */
  pos += 15 - (pos - start) % 16;
  if (pos >= len)
    return invalid (error, _("the file ends before the checksum byte"));
  info->checksum_ok = data[pos] == checksum;
  pos++;
  info->hash_ok = TRUE;
  if (info->hash_appended)
    {
      g_autoptr(GChecksum) sha = NULL;
      guint8 digest[SHA256_LEN];
      gsize dlen = SHA256_LEN;

      if (len - pos < SHA256_LEN)
        return invalid (error, _("the file ends inside the appended SHA-256"));
      sha = g_checksum_new (G_CHECKSUM_SHA256);
      g_checksum_update (sha, data + start, pos - start);
      g_checksum_get_digest (sha, digest, &dlen);
      info->hash_ok = memcmp (digest, data + pos, SHA256_LEN) == 0;
      pos += SHA256_LEN;
    }
  info->image_len = pos;
  return TRUE;
}

/* Whether an E9 image at @data carries the ESP32-family extended header: its WP-pin byte
 * and reserved bytes have known values and the chip id is one we know (including the chips
 * Esprit does not flash yet, so that their images are not misread as 8-byte headers). */
static gboolean
looks_extended (const guint8 *data,
                gsize         len)
{
  const guint8 *ext = data + HEADER_LEN;

  if (len < HEADER_LEN + EXT_HEADER_LEN + 8)
    return FALSE;
  for (int i = 11; i < 15; i++)
    if (ext[i] != 0)
      return FALSE;
  return ext[15] <= 1 && esprit_chip_name_from_image_id (esprit_read_le16 (ext + 4), NULL);
}

gboolean
esprit_image_parse (const guint8     *data,
                    gsize             len,
                    EspritChip        chip,
                    EspritImageInfo  *info,
                    GError          **error)
{
  gboolean extended;

  memset (info, 0, sizeof *info);
  info->chip = ESPRIT_CHIP_AUTO;
  if (len == 0 || (data[0] != ESPRIT_IMAGE_MAGIC && data[0] != ESPRIT_IMAGE_V2_MAGIC))
    {
      info->kind = ESPRIT_IMAGE_RAW;
      return TRUE;
    }
  if (len < HEADER_LEN)
    return invalid (error, _("the file ends inside the header"));
  info->flash_mode = data[2];
  info->size_freq = data[3];

  if (data[0] == ESPRIT_IMAGE_V2_MAGIC)
    {
      /* §5 ESP8266 "v2": EA header, irom0 segment at load address 0, then an E9 image. */
      guint32 irom_len;
      gsize next;

      info->kind = ESPRIT_IMAGE_ESP8266_V2;
      info->chip = ESPRIT_CHIP_ESP8266;
      info->entry = esprit_read_le32 (data + 4);
      if (len < HEADER_LEN + 8)
        return invalid (error, _("the file ends inside the irom0 segment header"));
      irom_len = esprit_read_le32 (data + HEADER_LEN + 4);
      if (irom_len > len - HEADER_LEN - 8)
        return invalid (error, _("the irom0 segment runs past the end of the file"));
      next = HEADER_LEN + 8 + irom_len;
      if (!parse_e9 (data, len, next, FALSE, info, error))
        return FALSE;
      info->flash_mode = data[2];
      info->size_freq = data[3];
      /* A CRC32 follows the image proper. */
      if (info->image_len + 4 <= len)
        info->image_len += 4;
      return TRUE;
    }

  info->kind = ESPRIT_IMAGE_ESP;
  if (chip == ESPRIT_CHIP_AUTO)
    extended = looks_extended (data, len);
  else
    extended = esprit_chip_get_info (chip)->has_extended_header;
  if (!parse_e9 (data, len, 0, extended, info, error))
    return FALSE;
  if (extended)
    {
      EspritChip img_chip;

      if (esprit_chip_from_security_id (info->ext_chip_id, &img_chip))
        info->chip = img_chip;
    }
  else
    info->chip = ESPRIT_CHIP_ESP8266;
  return TRUE;
}

guint32
esprit_image_flash_size (EspritChip chip,
                         guint8     size_freq)
{
  return esprit_chip_get_info (chip)->flash_sizes[size_freq >> 4];
}

gboolean
esprit_image_patch_header (guint8           *data,
                           gsize             len,
                           EspritChip        chip,
                           EspritFlashMode   mode,
                           guint32           size_bytes,
                           EspritFlashFreq   freq,
                           gboolean         *changed,
                           GError          **error)
{
  EspritImageInfo info;
  guint8 b2, b3;

  *changed = FALSE;
  if (!esprit_image_parse (data, len, chip, &info, error))
    return FALSE;
  if (info.kind == ESPRIT_IMAGE_RAW)
    return invalid (error, _("no ESP image header to patch"));
  b2 = data[2];
  b3 = data[3];
  if (mode != ESPRIT_FLASH_MODE_KEEP)
    b2 = (guint8) mode;
  if (size_bytes != ESPRIT_FLASH_SIZE_KEEP)
    {
      int nibble = esprit_chip_size_nibble (chip, size_bytes);

      if (nibble < 0)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("The %s has no header code for a %u KB flash"),
                       esprit_chip_get_info (chip)->name, size_bytes / 1024);
          return FALSE;
        }
      b3 = (guint8) ((nibble << 4) | (b3 & 0x0F));
    }
  if (freq != ESPRIT_FLASH_FREQ_KEEP)
    {
      int code = freq;

      /* §5: the ESP32-C6 ROM divides differently: 80m and 40m are both written as 0, and
       * there is no 26m. */
      if (chip == ESPRIT_CHIP_ESP32C6 && freq == ESPRIT_FLASH_FREQ_80M)
        code = 0;
      else if (chip == ESPRIT_CHIP_ESP32C6 && freq == ESPRIT_FLASH_FREQ_26M)
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("The %s has no header code for a %s flash clock"),
                       esprit_chip_get_info (chip)->name, esprit_flash_freq_name (freq));
          return FALSE;
        }
      b3 = (guint8) ((b3 & 0xF0) | (code & 0x0F));
    }
  if (b2 == data[2] && b3 == data[3])
    return TRUE;
  data[2] = b2;
  data[3] = b3;
  *changed = TRUE;
  /* §5: bytes 2-3 are covered by the appended SHA-256: recompute it. */
  if (info.kind == ESPRIT_IMAGE_ESP && info.hash_appended)
    {
      g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
      gsize dlen = SHA256_LEN;

      g_checksum_update (sha, data, info.image_len - SHA256_LEN);
      g_checksum_get_digest (sha, data + info.image_len - SHA256_LEN, &dlen);
    }
  return TRUE;
}

const char *
esprit_flash_mode_name (int mode)
{
  const char *nick = esprit_enum_to_nick (ESPRIT_TYPE_FLASH_MODE, mode);

  return nick ? nick : "unknown";
}

gboolean
esprit_flash_mode_parse (const char      *name,
                         EspritFlashMode *mode)
{
  int v;

  if (!esprit_enum_parse (ESPRIT_TYPE_FLASH_MODE, name, &v))
    return FALSE;
  *mode = v;
  return TRUE;
}

const char *
esprit_flash_freq_name (int freq)
{
  const char *nick = esprit_enum_to_nick (ESPRIT_TYPE_FLASH_FREQ, freq);

  return nick ? nick : "unknown";
}

gboolean
esprit_flash_freq_parse (const char      *name,
                         EspritFlashFreq *freq)
{
  int v;

  if (!esprit_enum_parse (ESPRIT_TYPE_FLASH_FREQ, name, &v))
    return FALSE;
  *freq = v;
  return TRUE;
}

static char *
size_text (guint32 bytes)
{
  if (bytes == 0)
    return g_strdup ("?");
  if (bytes >= 1024 * 1024)
    return g_strdup_printf ("%uMB", bytes / (1024 * 1024));
  return g_strdup_printf ("%uKB", bytes / 1024);
}

char *
esprit_image_describe (const EspritImageInfo *info)
{
  g_autofree char *size = NULL;
  g_autofree char *chip_text = NULL;
  g_autofree char *freq_text = NULL;
  EspritChip chip = info->chip == ESPRIT_CHIP_AUTO ? ESPRIT_CHIP_ESP32 : info->chip;
  guint freq = info->size_freq & 0x0F;

  if (info->kind == ESPRIT_IMAGE_RAW)
    return g_strdup (_("raw data"));
  /* every chip with an extended header shares the ESP32's size codes (§5) */
  size = size_text (esprit_image_flash_size (chip, info->size_freq));
  if (info->chip != ESPRIT_CHIP_AUTO)
    {
      chip_text = g_strdup (esprit_chip_get_info (info->chip)->name);
      /* §5: the C6's code 0 is 80 MHz */
      freq_text = g_strdup (info->chip == ESPRIT_CHIP_ESP32C6 && freq == 0
                            ? "80m" : esprit_flash_freq_name (freq));
    }
  else
    {
      const char *name = info->has_extended_header
                         ? esprit_chip_name_from_image_id (info->ext_chip_id, NULL) : NULL;

      /* Chips Esprit does not flash yet have frequency codes of their own: shown as codes. */
      chip_text = name ? g_strdup_printf (_("%s (not supported for flashing)"), name)
                       : g_strdup (_("an unknown chip"));
      freq_text = g_strdup_printf (_("frequency code 0x%x"), freq);
    }
  return g_strdup_printf (_("ESP image for %s: %u segments, entry 0x%08x, %s, %s, %s%s%s"),
                          chip_text, info->n_segments, info->entry,
                          esprit_flash_mode_name (info->flash_mode <= 3 ? info->flash_mode : 99),
                          size, freq_text,
                          info->checksum_ok ? "" : _(", bad checksum"),
                          info->hash_ok ? "" : _(", bad SHA-256"));
}

/* esprit-chips.c: one row per chip (protocol-facts §2-§6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-chips"

#include "config.h"

#include <string.h>

#include "esprit-chips.h"
#include "esprit-enums.h"
#include "esprit-error.h"
#include "esprit-i18n.h"

#define KB 1024u
#define MB (1024u * 1024u)

static const guint xtal_8266[] = { 26, 40, 0 };
static const guint xtal_esp32[] = { 40, 26, 0 };
static const guint xtal_40[] = { 40, 0 };

/* Capabilities every ESP32-family ROM has (protocol-facts §2 table, column R32). */
#define R32_CAPS (ESPRIT_ROM_CAN_COMPRESS | ESPRIT_ROM_CAN_MD5 | ESPRIT_ROM_CAN_READ_SLOW | \
                  ESPRIT_ROM_CAN_CHANGE_BAUD | ESPRIT_ROM_NEEDS_ATTACH | ESPRIT_ROM_CAN_SPI_PARAMS)

/* Header size nibble tables (protocol-facts §5). */
#define SIZES_8266 { 512 * KB, 256 * KB, 1 * MB, 2 * MB, 4 * MB, 2 * MB, 4 * MB, 0, 8 * MB, 16 * MB }
#define SIZES_ESP32 { 1 * MB, 2 * MB, 4 * MB, 8 * MB, 16 * MB, 32 * MB, 64 * MB, 128 * MB }

/* SPI controller register offsets for the S2/S3/C3/C6 layout (protocol-facts §5). */
#define SPI_NEW(b) { (b), (b) + 0x18, (b) + 0x1C, (b) + 0x20, (b) + 0x24, (b) + 0x28, (b) + 0x58 }

static const EspritChipInfo chips[ESPRIT_N_CHIPS] = {
  [ESPRIT_CHIP_ESP8266] = {
    .name = "ESP8266",
    .id = "esp8266",
    .magic = { 0xFFF0C101 },              /* §4 magic table */
    .security_chip_id = -1,               /* no GET_SECURITY_INFO, no extended header */
    .rom_status_len = 2,                  /* §1: R8266 sends 2 status bytes */
    .rom_caps = ESPRIT_ROM_ERASE_SIZE_BUG,/* §8.1: only 0x02-0x0A; §2 erase-size bug */
    .bootloader_offset = 0x0,
    .has_extended_header = FALSE,
    .mac_layout = ESPRIT_MAC_ESP8266,
    .mac_base = 0x3FF00050,               /* §4: OTP words 0x3FF00050..5C */
    .uart_clkdiv_reg = 0x60000014,        /* §6 memory map */
    .xtal_clkdiv_divisor = 2,             /* §4 crystal formula */
    .xtal_choices = xtal_8266,
    .spi = { 0x60000200, 0x60000200 + 0x1C, 0x60000200 + 0x20, 0x60000200 + 0x24, 0, 0,
             0x60000200 + 0x40 },
    .flash_sizes = SIZES_8266,
    .stub_ram_start = 0x40100000,         /* §6: IRAM incl. the upper 32 KB the stubs use */
    .stub_ram_end = 0x40110000,
  },
  [ESPRIT_CHIP_ESP32] = {
    .name = "ESP32",
    .id = "esp32",
    .magic = { 0x00F01D83 },
    .security_chip_id = 0,                /* image chip id; the ROM lacks GET_SECURITY_INFO */
    .rom_status_len = 4,
    .rom_caps = R32_CAPS,
    .bootloader_offset = 0x1000,
    .has_extended_header = TRUE,
    .mac_layout = ESPRIT_MAC_ESP32,
    .mac_base = 0x3FF5A004,               /* §4: w1=[0x3FF5A004], w2=[0x3FF5A008] */
    .uart_clkdiv_reg = 0x3FF40014,
    .xtal_clkdiv_divisor = 1,
    .xtal_choices = xtal_esp32,
    .spi = { 0x3FF42000, 0x3FF42000 + 0x1C, 0x3FF42000 + 0x20, 0x3FF42000 + 0x24,
             0x3FF42000 + 0x28, 0x3FF42000 + 0x2C, 0x3FF42000 + 0x80 },
    .flash_sizes = SIZES_ESP32,
    .stub_ram_start = 0x40080000,
    .stub_ram_end = 0x400A0000,
  },
  [ESPRIT_CHIP_ESP32S2] = {
    .name = "ESP32-S2",
    .id = "esp32s2",
    .magic = { 0x000007C6 },
    .security_chip_id = 2,
    .rom_status_len = 4,
    .rom_caps = R32_CAPS | ESPRIT_ROM_HAS_SECURITY_INFO | ESPRIT_ROM_BEGIN_5_WORDS,
    .bootloader_offset = 0x1000,
    .has_extended_header = TRUE,
    .mac_layout = ESPRIT_MAC_ESP32_NEW,
    .mac_base = 0x3F41A044,
    .uart_clkdiv_reg = 0x3F400014,
    .xtal_clkdiv_divisor = 1,
    .xtal_choices = xtal_40,
    .spi = SPI_NEW (0x3F402000),
    .flash_sizes = SIZES_ESP32,
    .stub_ram_start = 0x40020000,
    .stub_ram_end = 0x40070000,
  },
  [ESPRIT_CHIP_ESP32S3] = {
    .name = "ESP32-S3",
    .id = "esp32s3",
    .magic = { 0x00000009 },
    .security_chip_id = 9,
    .rom_status_len = 4,
    .rom_caps = R32_CAPS | ESPRIT_ROM_HAS_SECURITY_INFO | ESPRIT_ROM_BEGIN_5_WORDS,
    .bootloader_offset = 0x0,
    .has_extended_header = TRUE,
    .mac_layout = ESPRIT_MAC_ESP32_NEW,
    .mac_base = 0x60007044,
    .uart_clkdiv_reg = 0x60000014,
    .xtal_clkdiv_divisor = 1,
    .xtal_choices = xtal_40,
    .spi = SPI_NEW (0x60002000),
    .flash_sizes = SIZES_ESP32,
    .stub_ram_start = 0x40370000,
    .stub_ram_end = 0x403E0000,
  },
  [ESPRIT_CHIP_ESP32C3] = {
    .name = "ESP32-C3",
    .id = "esp32c3",
    .magic = { 0x6921506F, 0x1B31506F, 0x4881606F, 0x4361606F },
    .security_chip_id = 5,
    .rom_status_len = 4,
    .rom_caps = R32_CAPS | ESPRIT_ROM_HAS_SECURITY_INFO | ESPRIT_ROM_BEGIN_5_WORDS,
    .bootloader_offset = 0x0,
    .has_extended_header = TRUE,
    .mac_layout = ESPRIT_MAC_ESP32_NEW,
    .mac_base = 0x60008844,
    .uart_clkdiv_reg = 0x60000014,
    .xtal_clkdiv_divisor = 1,
    .xtal_choices = xtal_40,
    .spi = SPI_NEW (0x60002000),
    .flash_sizes = SIZES_ESP32,
    .stub_ram_start = 0x40380000,
    .stub_ram_end = 0x403E0000,
  },
  [ESPRIT_CHIP_ESP32C6] = {
    .name = "ESP32-C6",
    .id = "esp32c6",
    .magic = { 0x2CE0806F },
    .security_chip_id = 13,
    .rom_status_len = 4,
    .rom_caps = R32_CAPS | ESPRIT_ROM_HAS_SECURITY_INFO | ESPRIT_ROM_BEGIN_5_WORDS,
    .bootloader_offset = 0x0,
    .has_extended_header = TRUE,
    .mac_layout = ESPRIT_MAC_ESP32_NEW,
    .mac_base = 0x600B0844,
    .uart_clkdiv_reg = 0x60000014,
    .xtal_clkdiv_divisor = 1,
    .xtal_choices = xtal_40,
    .spi = SPI_NEW (0x60003000),
    .flash_sizes = SIZES_ESP32,
    .stub_ram_start = 0x40800000,
    .stub_ram_end = 0x40880000,
  },
};

const EspritChipInfo *
esprit_chip_get_info (EspritChip chip)
{
  g_return_val_if_fail (chip >= 0 && chip < ESPRIT_N_CHIPS, NULL);
  return &chips[chip];
}

gboolean
esprit_chip_parse (const char *name,
                   EspritChip *chip)
{
  g_autoptr(GString) plain = g_string_new (NULL);
  int v;

  /* "ESP32-S3", "esp32s3", "esp32_s3": the nick without separators. */
  for (const char *p = name; p != NULL && *p; p++)
    if (*p != '-' && *p != '_')
      g_string_append_c (plain, *p);
  if (!esprit_enum_parse (ESPRIT_TYPE_CHIP, plain->str, &v))
    return FALSE;
  *chip = v;
  return TRUE;
}

gboolean
esprit_chip_from_magic (guint32     magic,
                        EspritChip *chip)
{
  for (int i = 0; i < ESPRIT_N_CHIPS; i++)
    for (guint j = 0; j < G_N_ELEMENTS (chips[i].magic) && chips[i].magic[j] != 0; j++)
      if (chips[i].magic[j] == magic)
        {
          *chip = i;
          return TRUE;
        }
  return FALSE;
}

gboolean
esprit_chip_from_security_id (guint32     chip_id,
                              EspritChip *chip)
{
  for (int i = 0; i < ESPRIT_N_CHIPS; i++)
    if (chips[i].security_chip_id >= 0 && (guint32) chips[i].security_chip_id == chip_id)
      {
        *chip = i;
        return TRUE;
      }
  return FALSE;
}

/* Chips whose images are recognised but which Esprit does not flash yet: image chip_id from
 * esptool's targets (IMAGE_CHIP_ID in esptool/targets/esp32*.py). */
static const struct {
  guint16     image_chip_id;
  const char *name;
} known_unsupported[] = {
  { 12, "ESP32-C2" },
  { 16, "ESP32-H2" },
  { 18, "ESP32-P4" },
  { 20, "ESP32-C61" },
  { 23, "ESP32-C5" },
  { 28, "ESP32-H4" },
};

const char *
esprit_chip_name_from_image_id (guint32   chip_id,
                                gboolean *supported)
{
  EspritChip chip;

  if (esprit_chip_from_security_id (chip_id, &chip))
    {
      if (supported)
        *supported = TRUE;
      return chips[chip].name;
    }
  for (guint i = 0; i < G_N_ELEMENTS (known_unsupported); i++)
    if (known_unsupported[i].image_chip_id == chip_id)
      {
        if (supported)
          *supported = FALSE;
        return known_unsupported[i].name;
      }
  return NULL;
}

gboolean
esprit_chip_decode_mac (EspritChip     chip,
                        const guint32 *w,
                        guint8         mac[6],
                        GError       **error)
{
  switch (esprit_chip_get_info (chip)->mac_layout)
    {
    case ESPRIT_MAC_ESP8266:
      /* §4: OUI from m3 if set, else by m1[23:16]; low bytes m1[15:8] m1[7:0] m0[31:24]. */
      if (w[3] != 0)
        {
          mac[0] = (w[3] >> 16) & 0xFF;
          mac[1] = (w[3] >> 8) & 0xFF;
          mac[2] = w[3] & 0xFF;
        }
      else if (((w[1] >> 16) & 0xFF) == 0)
        {
          mac[0] = 0x18; mac[1] = 0xFE; mac[2] = 0x34;
        }
      else if (((w[1] >> 16) & 0xFF) == 1)
        {
          mac[0] = 0xAC; mac[1] = 0xD0; mac[2] = 0x74;
        }
      else
        {
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_DEVICE,
                       _("Unknown MAC vendor code %u in the ESP8266 eFuse"),
                       (w[1] >> 16) & 0xFF);
          return FALSE;
        }
      mac[3] = (w[1] >> 8) & 0xFF;
      mac[4] = w[1] & 0xFF;
      mac[5] = (w[0] >> 24) & 0xFF;
      return TRUE;

    case ESPRIT_MAC_ESP32:
      /* §4: w2[15:8] w2[7:0] w1[31:0]; w2[23:16] is a CRC. */
      mac[0] = (w[1] >> 8) & 0xFF;
      mac[1] = w[1] & 0xFF;
      mac[2] = (w[0] >> 24) & 0xFF;
      mac[3] = (w[0] >> 16) & 0xFF;
      mac[4] = (w[0] >> 8) & 0xFF;
      mac[5] = w[0] & 0xFF;
      return TRUE;

    case ESPRIT_MAC_ESP32_NEW:
      /* §4: b[15:8] b[7:0] then a big-endian. */
      mac[0] = (w[1] >> 8) & 0xFF;
      mac[1] = w[1] & 0xFF;
      mac[2] = (w[0] >> 24) & 0xFF;
      mac[3] = (w[0] >> 16) & 0xFF;
      mac[4] = (w[0] >> 8) & 0xFF;
      mac[5] = w[0] & 0xFF;
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

void
esprit_chip_encode_mac (EspritChip    chip,
                        const guint8  mac[6],
                        guint32      *w)
{
  switch (esprit_chip_get_info (chip)->mac_layout)
    {
    case ESPRIT_MAC_ESP8266:
      {
        guint32 sel;

        w[2] = 0;
        if (mac[0] == 0x18 && mac[1] == 0xFE && mac[2] == 0x34)
          sel = 0, w[3] = 0;
        else if (mac[0] == 0xAC && mac[1] == 0xD0 && mac[2] == 0x74)
          sel = 1, w[3] = 0;
        else
          sel = 2, w[3] = ((guint32) mac[0] << 16) | ((guint32) mac[1] << 8) | mac[2];
        w[1] = (sel << 16) | ((guint32) mac[3] << 8) | mac[4];
        /* The low 24 bits of m0 hold other eFuse data; a fixed pattern stands in for it. */
        w[0] = ((guint32) mac[5] << 24) | 0x00A0A0;   /* bits 4 and 80 clear: not an ESP8285 */
      }
      break;

    case ESPRIT_MAC_ESP32:
    case ESPRIT_MAC_ESP32_NEW:
      w[0] = ((guint32) mac[2] << 24) | ((guint32) mac[3] << 16) | ((guint32) mac[4] << 8) | mac[5];
      w[1] = ((guint32) mac[0] << 8) | mac[1];
      if (esprit_chip_get_info (chip)->mac_layout == ESPRIT_MAC_ESP32)
        w[1] |= 0x5Au << 16;  /* the CRC byte the decoder drops */
      break;

    default:
      g_assert_not_reached ();
    }
}

guint32
esprit_chip_esp8266_chip_id (const guint32 *w)
{
  return (w[0] >> 24) | ((w[1] & 0xFFFFFF) << 8);
}

guint
esprit_chip_estimate_xtal (EspritChip chip,
                           guint32    clkdiv_reg,
                           guint      baud)
{
  const EspritChipInfo *info = esprit_chip_get_info (chip);
  double est = (double) baud * (clkdiv_reg & 0xFFFFF) / 1e6 / info->xtal_clkdiv_divisor;
  guint best = info->xtal_choices[0];

  for (const guint *c = info->xtal_choices; *c; c++)
    if (ABS (est - *c) < ABS (est - best))
      best = *c;
  return best;
}

int
esprit_chip_size_nibble (EspritChip chip,
                         guint32    bytes)
{
  const EspritChipInfo *info = esprit_chip_get_info (chip);

  /* The first match wins, so ESP8266's "2MB-c1"/"4MB-c1" aliases are never chosen. */
  for (int i = 0; i < 16; i++)
    if (info->flash_sizes[i] == bytes && bytes != 0)
      return i;
  return -1;
}

guint32
esprit_flash_size_from_jedec (guint32 id)
{
  guint8 manufacturer = id & 0xFF;
  guint8 capacity = (id >> 16) & 0xFF;

  /* §5: Adesto encodes the size in the type byte. */
  if (manufacturer == 0x1F)
    {
      guint code = (id >> 8) & 0x1F;

      if (code >= 4 && code <= 9)
        return (512 * KB) << (code - 4);
      return 0;
    }

  switch (capacity)
    {
    case 0x12: case 0x32: return 256 * KB;
    case 0x13: case 0x33: return 512 * KB;
    case 0x14: case 0x34: return 1 * MB;
    case 0x15: case 0x35: return 2 * MB;
    case 0x16: case 0x36: return 4 * MB;
    case 0x17: case 0x37: return 8 * MB;
    case 0x18: case 0x38: return 16 * MB;
    case 0x19: case 0x39: return 32 * MB;
    case 0x1A: case 0x3A: case 0x20: return 64 * MB;
    case 0x1B: case 0x21: return 128 * MB;
    case 0x1C: case 0x22: return 256 * MB;
    default: return 0;
    }
}

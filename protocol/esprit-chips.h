/* esprit-chips.h: one table row per supported chip (protocol-facts §2–§5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  ESPRIT_CHIP_ESP8266,
  ESPRIT_CHIP_ESP32,
  ESPRIT_CHIP_ESP32S2,
  ESPRIT_CHIP_ESP32S3,
  ESPRIT_CHIP_ESP32C3,
  ESPRIT_CHIP_ESP32C6,
  ESPRIT_N_CHIPS,           /*< skip >*/
  ESPRIT_CHIP_AUTO = -1,   /* detect */
} EspritChip;

/* What a chip's ROM loader can do by itself (protocol-facts §2). */
typedef enum {
  ESPRIT_ROM_CAN_COMPRESS     = 1 << 0,  /* FLASH_DEFL_* */
  ESPRIT_ROM_CAN_MD5          = 1 << 1,  /* SPI_FLASH_MD5, answered as 32 hex chars */
  ESPRIT_ROM_CAN_READ_SLOW    = 1 << 2,  /* READ_FLASH_SLOW (0x0E) */
  ESPRIT_ROM_CAN_CHANGE_BAUD  = 1 << 3,  /* CHANGE_BAUDRATE */
  ESPRIT_ROM_NEEDS_ATTACH     = 1 << 4,  /* SPI_ATTACH before flash commands */
  ESPRIT_ROM_CAN_SPI_PARAMS   = 1 << 5,  /* SPI_SET_PARAMS */
  ESPRIT_ROM_HAS_SECURITY_INFO = 1 << 6, /* GET_SECURITY_INFO (S2 and later) */
  ESPRIT_ROM_ERASE_SIZE_BUG   = 1 << 7,  /* ESP8266: FLASH_BEGIN erase-size formula */
  ESPRIT_ROM_BEGIN_5_WORDS    = 1 << 8,  /* FLASH_BEGIN takes the 5th (encrypted) word */
} EspritRomCaps;

typedef enum {
  ESPRIT_MAC_ESP8266,  /* OTP words at 0x3FF00050..5C, OUI rules of §4 */
  ESPRIT_MAC_ESP32,    /* w1=[base+4] w2=[base+8], CRC byte dropped */
  ESPRIT_MAC_ESP32_NEW,/* a=[base], b=[base+4]: b[15:8] b[7:0] a (big-endian) */
} EspritMacLayout;

/* SPI controller registers used for the JEDEC id read (protocol-facts §5); 0 = absent. */
typedef struct {
  guint32 base;
  guint32 usr;
  guint32 usr1;
  guint32 usr2;
  guint32 mosi_dlen;
  guint32 miso_dlen;
  guint32 w0;
} EspritSpiRegs;

typedef struct {
  const char     *name;              /* "ESP8266", "ESP32-S3" */
  const char     *id;                /* "esp8266", "esp32s3": --chip, sim:<id> */
  guint32         magic[4];          /* READ_REG 0x40001000 values, 0-terminated */
  int             security_chip_id;  /* GET_SECURITY_INFO / image chip_id, -1 if none */
  guint           rom_status_len;    /* 2 (ESP8266 ROM) or 4 (ESP32-family ROM) */
  EspritRomCaps   rom_caps;
  guint32         bootloader_offset; /* where image headers get patched */
  gboolean        has_extended_header; /* 16-byte extended header after the 8-byte one */
  EspritMacLayout mac_layout;
  guint32         mac_base;          /* first efuse word address of the layout */
  guint32         uart_clkdiv_reg;
  guint           xtal_clkdiv_divisor; /* 2 on ESP8266, 1 elsewhere (§4 crystal formula) */
  const guint    *xtal_choices;      /* MHz values the estimate rounds to, 0-terminated */
  EspritSpiRegs   spi;
  guint32         flash_sizes[16];   /* header size nibble -> bytes, 0 = invalid */
  guint32         stub_ram_start;    /* lowest RAM address a stub may use (sim: stub mode) */
  guint32         stub_ram_end;
} EspritChipInfo;

const EspritChipInfo *esprit_chip_get_info         (EspritChip     chip);
/* Accepts "esp8266", "ESP32-S3", "esp32s3"; ESPRIT_CHIP_AUTO for "auto"; FALSE if unknown. */
gboolean              esprit_chip_parse            (const char    *name,
                                                    EspritChip    *chip);
/* From the value at 0x40001000; FALSE if no chip matches. */
gboolean              esprit_chip_from_magic       (guint32        magic,
                                                    EspritChip    *chip);
/* From GET_SECURITY_INFO chip_id / image extended header chip_id. */
gboolean              esprit_chip_from_security_id (guint32        chip_id,
                                                    EspritChip    *chip);

/* The name of the chip an image's extended header names (image chip_id, esptool's
 * IMAGE_CHIP_ID), the chips of this table and the ones Esprit knows but does not flash yet
 * (ESP32-C2, -C5, -C61, -H2, -H4, -P4); *@supported (may be NULL) tells which. NULL for an
 * id no chip has. */
const char           *esprit_chip_name_from_image_id (guint32       chip_id,
                                                      gboolean     *supported);

/* Decodes the MAC from the efuse words read at mac_base, mac_base+4, ... (4 words for
 * ESP8266, 2 otherwise), protocol-facts §4. FALSE with an error for an unknown OUI. */
gboolean              esprit_chip_decode_mac       (EspritChip     chip,
                                                    const guint32 *words,
                                                    guint8         mac[6],
                                                    GError       **error);
/* The inverse, for the virtual board: efuse words that decode to @mac (4 words for
 * ESP8266, 2 otherwise; unused words are 0). */
void                  esprit_chip_encode_mac       (EspritChip     chip,
                                                    const guint8   mac[6],
                                                    guint32       *words);
/* ESP8266 SDK chip id: (m0>>24) | ((m1&0xFFFFFF)<<8). */
guint32               esprit_chip_esp8266_chip_id  (const guint32 *words);
/* Crystal in MHz estimated from the UART clock divider read at @baud. */
guint                 esprit_chip_estimate_xtal    (EspritChip     chip,
                                                    guint32        clkdiv_reg,
                                                    guint          baud);
/* Header byte 3 size nibble for @bytes, -1 if the chip has no encoding for that size. */
int                   esprit_chip_size_nibble      (EspritChip     chip,
                                                    guint32        bytes);

/* Flash size from a JEDEC id (manufacturer, type, capacity; Adesto special case), 0 if
 * unknown. protocol-facts §5. */
guint32               esprit_flash_size_from_jedec (guint32        jedec_id);

G_END_DECLS

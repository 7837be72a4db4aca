/* esprit-image.h: ESP firmware image header: parse, validate, patch (protocol-facts §5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "esprit-chips.h"

G_BEGIN_DECLS

#define ESPRIT_IMAGE_MAGIC    0xE9
#define ESPRIT_IMAGE_V2_MAGIC 0xEA  /* ESP8266 SDK/rboot "v2" image */

/* Header byte 2 (protocol-facts §5). KEEP means "do not patch". */
typedef enum {
  ESPRIT_FLASH_MODE_KEEP = -1,
  ESPRIT_FLASH_MODE_QIO  = 0,
  ESPRIT_FLASH_MODE_QOUT = 1,
  ESPRIT_FLASH_MODE_DIO  = 2,
  ESPRIT_FLASH_MODE_DOUT = 3,
} EspritFlashMode;

/* Frequency nibble values (ESP8266, ESP32, S2, S3, C3). KEEP = do not patch. */
typedef enum {
  ESPRIT_FLASH_FREQ_KEEP = -1,
  ESPRIT_FLASH_FREQ_40M  = 0x0,
  ESPRIT_FLASH_FREQ_26M  = 0x1,
  ESPRIT_FLASH_FREQ_20M  = 0x2,
  ESPRIT_FLASH_FREQ_80M  = 0xF,
} EspritFlashFreq;

/* -fs: keep, detect (from the JEDEC id), or a size in bytes. */
#define ESPRIT_FLASH_SIZE_KEEP   0u
#define ESPRIT_FLASH_SIZE_DETECT 1u

typedef enum {
  ESPRIT_IMAGE_RAW,          /* not an ESP image: raw data (a backup, a filesystem) */
  ESPRIT_IMAGE_ESP,          /* E9 image */
  ESPRIT_IMAGE_ESP8266_V2,   /* EA image: irom0 first, then an E9 image, then a CRC32 */
} EspritImageKind;

typedef struct {
  guint32 load_addr;
  guint32 length;
  gsize   file_offset;   /* where the segment's data starts in the file */
} EspritImageSegment;

typedef struct {
  EspritImageKind kind;
  EspritChip      chip;          /* from the extended header, ESP8266 for 8-byte headers,
                                  * ESPRIT_CHIP_AUTO when it cannot be told */
  guint8          flash_mode;    /* header byte 2 */
  guint8          size_freq;     /* header byte 3 */
  guint32         entry;
  guint           n_segments;
  EspritImageSegment segments[16];
  gboolean        has_extended_header;
  guint16         ext_chip_id;
  guint16         min_rev;       /* major*100+minor */
  guint16         max_rev;
  gboolean        hash_appended;
  gsize           image_len;     /* bytes of the image proper, incl. checksum and hash */
  gboolean        checksum_ok;
  gboolean        hash_ok;       /* TRUE also when no hash is appended */
} EspritImageInfo;

/* Parses @data as an ESP image for @chip (ESPRIT_CHIP_AUTO: decide from the header).
 * Returns FALSE with ESPRIT_ERROR_IMAGE_INVALID and a message that names the problem
 * ("segment 2 runs past the end of the file") for anything that starts with E9/EA but is
 * malformed. Data that does not start with E9/EA parses as ESPRIT_IMAGE_RAW. Never reads
 * outside @data. */
gboolean    esprit_image_parse        (const guint8     *data,
                                       gsize             len,
                                       EspritChip        chip,
                                       EspritImageInfo  *info,
                                       GError          **error);
/* Patches bytes 2-3 of the image in @data (which must be the start of a valid image for
 * @chip), recomputing the appended SHA-256 when present. @size_bytes is
 * ESPRIT_FLASH_SIZE_KEEP or a size in bytes (DETECT must be resolved by the caller).
 * Returns TRUE and sets *@changed when bytes were modified. */
gboolean    esprit_image_patch_header (guint8           *data,
                                       gsize             len,
                                       EspritChip        chip,
                                       EspritFlashMode   mode,
                                       guint32           size_bytes,
                                       EspritFlashFreq   freq,
                                       gboolean         *changed,
                                       GError          **error);
/* "ESP image for ESP8266: 3 segments, entry 0x40100000, DIO, 4MB, 40m" or "raw data". */
char       *esprit_image_describe     (const EspritImageInfo *info);

/* "qio", ... "keep"; "unknown" for a header byte that is none of them. */
const char *esprit_flash_mode_name    (int               mode);
gboolean    esprit_flash_mode_parse   (const char      *name,
                                       EspritFlashMode *mode);
/* "40m", ... "keep"; "unknown" for other nibbles. */
const char *esprit_flash_freq_name    (int               freq);
gboolean    esprit_flash_freq_parse   (const char      *name,
                                       EspritFlashFreq *freq);
/* Bytes of the size nibble in @size_freq for @chip, 0 if invalid. */
guint32     esprit_image_flash_size   (EspritChip        chip,
                                       guint8            size_freq);

G_END_DECLS

/* esprit-layout.h: what is on a flash: ESP-IDF partition tables, otadata, the ESP8266
 * layouts without a table, and the flash map drawn from them (protocol-facts §10)
 *
 * Implemented by esprit-partition-table.c (binary tables, otadata), esprit-partition-csv.c
 * (CSV text), esprit-layout.c (detection through a reader), esprit-layout-esp8266.c (Arduino
 * and SDK layouts) and esprit-flash-map.c (chunk knowledge, the map).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "esprit-chips.h"
#include "esprit-image.h"

G_BEGIN_DECLS

/* ---- ESP-IDF partition table (§10.1) ------------------------------------------------ */

#define ESPRIT_PARTITION_TABLE_OFFSET  0x8000u  /* default; a multiple of 0x1000 */
#define ESPRIT_PARTITION_TABLE_LEN     0xC00u   /* the data area; the rest is a signature */
#define ESPRIT_PARTITION_ENTRY_LEN     32u
#define ESPRIT_PARTITION_MAX_ENTRIES   95u
#define ESPRIT_PARTITION_LABEL_LEN     16u

typedef enum {
  ESPRIT_PARTITION_TYPE_APP             = 0x00,
  ESPRIT_PARTITION_TYPE_DATA            = 0x01,
  ESPRIT_PARTITION_TYPE_BOOTLOADER      = 0x02,
  ESPRIT_PARTITION_TYPE_PARTITION_TABLE = 0x03,
} EspritPartitionType;

/* The subtypes Esprit acts on; the rest are named by esprit_partition_subtype_name(). */
#define ESPRIT_PARTITION_SUBTYPE_FACTORY  0x00   /* app */
#define ESPRIT_PARTITION_SUBTYPE_OTA_0    0x10   /* app ota_0..ota_15 = 0x10..0x1F */
#define ESPRIT_PARTITION_SUBTYPE_OTA_15   0x1F
#define ESPRIT_PARTITION_SUBTYPE_TEST     0x20
#define ESPRIT_PARTITION_SUBTYPE_OTADATA  0x00   /* data "ota" */
#define ESPRIT_PARTITION_SUBTYPE_PHY      0x01
#define ESPRIT_PARTITION_SUBTYPE_NVS      0x02
#define ESPRIT_PARTITION_SUBTYPE_FAT      0x81
#define ESPRIT_PARTITION_SUBTYPE_SPIFFS   0x82
#define ESPRIT_PARTITION_SUBTYPE_LITTLEFS 0x83

#define ESPRIT_PARTITION_FLAG_ENCRYPTED (1u << 0)
#define ESPRIT_PARTITION_FLAG_READONLY  (1u << 1)

typedef struct {
  char    label[ESPRIT_PARTITION_LABEL_LEN + 1];   /* NUL-terminated */
  guint8  type;
  guint8  subtype;
  guint32 offset;
  guint32 size;
  guint32 flags;
} EspritPartition;

typedef struct {
  guint32         table_offset;   /* where the table is (or will be) in flash */
  gboolean        has_md5;        /* the table carried an MD5 entry (it matched) */
  guint           n_entries;
  EspritPartition entries[ESPRIT_PARTITION_MAX_ENTRIES];
} EspritPartitionTable;

/* Parses the table data area at @data (normally 0xC00 bytes read at @table_offset).
 * Refuses, with ESPRIT_ERROR_IMAGE_INVALID and the reason, a bad entry magic, an MD5 entry
 * that does not match, a missing end marker, more than 95 entries, and what
 * esprit_partition_table_check() refuses. An erased first entry gives ESPRIT_ERROR_NOT_FOUND
 * ("no partition table"). Never reads outside @data (fuzzed). */
gboolean    esprit_partition_table_parse   (const guint8          *data,
                                            gsize                  len,
                                            guint32                table_offset,
                                            EspritPartitionTable  *table,
                                            GError               **error);
/* The layout rules: sizes nonzero, no entry past 4 GB, offsets aligned (apps 0x10000,
 * others 0x1000), app sizes multiples of 0x1000, nothing inside the table's sector or below
 * it (except bootloader/partition_table entries), no overlaps, unique labels. @strict adds the
 * rules gen_esp32part.py enforces when building: one otadata of exactly 0x2000, writable NVS
 * at least 0x3000. */
gboolean    esprit_partition_table_check   (const EspritPartitionTable *table,
                                            gboolean               strict,
                                            GError               **error);
/* The 0xC00-byte data area for @table (entries, MD5 entry when @with_md5, end marker, 0xFF
 * padding), after a strict check. */
GBytes     *esprit_partition_table_to_binary (const EspritPartitionTable *table,
                                            gboolean               with_md5,
                                            GError               **error);
/* Parses esp-idf CSV text ("# Name, Type, SubType, Offset, Size, Flags"): names or numbers
 * for type and subtype, empty offsets placed after the previous entry (aligned), sizes such
 * as 0x5000, 20K or 1M, flags "encrypted"/"readonly" joined by ':'. Errors name the line. */
gboolean    esprit_partition_table_from_csv (const char           *text,
                                            guint32                table_offset,
                                            EspritPartitionTable  *table,
                                            GError               **error);
char       *esprit_partition_table_to_csv  (const EspritPartitionTable *table);
/* The entry labelled @label, or NULL. */
const EspritPartition *esprit_partition_table_find (const EspritPartitionTable *table,
                                                    const char                 *label);
/* Appends an entry (no check; for building tables). FALSE when the table is full. */
gboolean    esprit_partition_table_add     (EspritPartitionTable  *table,
                                            const char            *label,
                                            guint8                 type,
                                            guint8                 subtype,
                                            guint32                offset,
                                            guint32                size,
                                            guint32                flags);

/* "app", "data", "bootloader", "partition_table", or NULL for custom types. */
const char *esprit_partition_type_name     (guint8                 type);
/* "factory", "ota_3", "nvs", "spiffs"…, or NULL when the subtype has no name. */
const char *esprit_partition_subtype_name  (guint8                 type,
                                            guint8                 subtype);
/* "data/nvs", "app/ota_0", "0x40/0x01" for what has no name. */
char       *esprit_partition_describe_type (const EspritPartition *part);

/* ---- otadata (§10.1) ----------------------------------------------------------------- */

#define ESPRIT_OTADATA_SIZE       0x2000u
#define ESPRIT_OTADATA_ENTRY_LEN  32u

typedef enum {
  ESPRIT_OTA_STATE_NEW            = 0,
  ESPRIT_OTA_STATE_PENDING_VERIFY = 1,
  ESPRIT_OTA_STATE_VALID          = 2,
  ESPRIT_OTA_STATE_INVALID        = 3,
  ESPRIT_OTA_STATE_ABORTED        = 4,
  ESPRIT_OTA_STATE_UNDEFINED      = 0xFFFFFFFF,
} EspritOtaState;

typedef struct {
  guint32  seq;
  guint32  state;
  guint32  crc;
  gboolean crc_ok;
  gboolean valid;      /* seq set, crc right, state neither INVALID nor ABORTED */
} EspritOtaEntry;

typedef struct {
  EspritOtaEntry entries[2];   /* at partition offsets 0x0 and 0x1000 */
  int            active;       /* index of the valid entry with the higher seq, -1 if none */
} EspritOtaData;

/* Reads the two entries of an otadata partition; what @len does not cover is invalid. */
void        esprit_otadata_parse           (const guint8          *data,
                                            gsize                  len,
                                            EspritOtaData         *ota);
/* A 32-byte otadata entry for @seq in @state with the right CRC (for tests and tools). */
void        esprit_otadata_make_entry      (guint32                seq,
                                            guint32                state,
                                            guint8                 entry[ESPRIT_OTADATA_ENTRY_LEN]);
/* Index into @table->entries of the app that boots: (seq-1) mod the number of OTA apps
 * when @ota (nullable) has an active entry, else factory, else ota_0; -1 if no app. */
int         esprit_partition_table_boot_index (const EspritPartitionTable *table,
                                            const EspritOtaData   *ota);

/* ---- reading what is on the flash --------------------------------------------------- */

/* Reads @len bytes at @addr of the flash (a board, a backup file). Called with 4 KB-aligned
 * chunks; a FALSE return stops the detection with that error. */
typedef gboolean (*EspritFlashReadFunc) (guint32   addr,
                                         guint32   len,
                                         guint8   *buffer,
                                         gpointer  user_data,
                                         GError  **error);

#define ESPRIT_CHUNK_SIZE 0x1000u

typedef enum {
  ESPRIT_CHUNK_UNKNOWN = 0,
  ESPRIT_CHUNK_ERASED  = 1,   /* all 0xFF */
  ESPRIT_CHUNK_DATA    = 2,   /* holds something else */
} EspritChunkState;

/* What is known of each 4 KB chunk of a flash: the packed read learns which are erased, a
 * backup tells everything, per-chunk MD5s tell erased from not without reading the data. */
typedef struct _EspritChunkMap EspritChunkMap;

EspritChunkMap  *esprit_chunk_map_new       (guint32          flash_size);
void             esprit_chunk_map_free      (EspritChunkMap  *map);
guint32          esprit_chunk_map_get_flash_size (const EspritChunkMap *map);
/* Sets the state of every chunk wholly inside [@addr, @addr + @len). */
void             esprit_chunk_map_set       (EspritChunkMap  *map,
                                             guint32          addr,
                                             guint32          len,
                                             EspritChunkState state);
/* Learns the chunks wholly covered by @data, read at @addr. */
void             esprit_chunk_map_learn     (EspritChunkMap  *map,
                                             guint32          addr,
                                             const guint8    *data,
                                             gsize            len);
/* Learns one chunk from the MD5 of its 4096 bytes (erased when it is the MD5 of 0xFF×4096). */
void             esprit_chunk_map_learn_md5 (EspritChunkMap  *map,
                                             guint32          addr,
                                             const guint8     digest[16]);
/* Sets a chunk from a bitmap of erased chunks (bit i of byte i/8 = chunk i erased), for
 * @n_chunks chunks from chunk 0; chunks whose bit is clear become DATA. */
void             esprit_chunk_map_set_erased_bitmap (EspritChunkMap *map,
                                             const guint8    *bitmap,
                                             guint            n_chunks);
EspritChunkState esprit_chunk_map_get       (const EspritChunkMap *map,
                                             guint32          addr);
/* ESPRIT_CHUNK_ERASED or _DATA when every chunk in the range agrees, else _UNKNOWN (also
 * for mixed ranges; see esprit_chunk_map_count). */
EspritChunkState esprit_chunk_map_range     (const EspritChunkMap *map,
                                             guint32          addr,
                                             guint32          len);
/* Counts the chunks of each state in a range (any out pointer may be NULL). */
void             esprit_chunk_map_count     (const EspritChunkMap *map,
                                             guint32          addr,
                                             guint32          len,
                                             guint           *n_unknown,
                                             guint           *n_erased,
                                             guint           *n_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EspritChunkMap, esprit_chunk_map_free)

/* ---- layouts and the flash map ------------------------------------------------------ */

typedef enum {
  ESPRIT_LAYOUT_UNKNOWN,           /* nothing recognised */
  ESPRIT_LAYOUT_ERASED,            /* the probed places are all 0xFF */
  ESPRIT_LAYOUT_PARTITION_TABLE,   /* ESP32 family: an ESP-IDF table */
  ESPRIT_LAYOUT_ESP8266_ARDUINO,   /* eboot at 0x0, sketch at 0x1000 */
  ESPRIT_LAYOUT_ESP8266_SDK,       /* NodeMCU/SDK firmware at 0x0 (v2 EA or plain E9) */
} EspritLayoutKind;

typedef enum {
  ESPRIT_REGION_BOOTLOADER,
  ESPRIT_REGION_PARTITION_TABLE,
  ESPRIT_REGION_APP,
  ESPRIT_REGION_FILESYSTEM,
  ESPRIT_REGION_SETTINGS,          /* NVS, otadata, EEPROM, RF calibration, Wi-Fi settings */
  ESPRIT_REGION_DATA,              /* a data region of another kind (coredump, phy, custom) */
  ESPRIT_REGION_UNKNOWN,           /* outside any region: holds data, or nothing is known */
  ESPRIT_REGION_ERASED,            /* outside any region and known to be all 0xFF */
} EspritRegionKind;

typedef struct {
  char             *name;            /* "nvs", "sketch", "wifi"; "erased"/"unknown" for gaps */
  guint32           offset;
  guint32           size;
  EspritRegionKind  kind;
  char             *detail;          /* "data/nvs", "LittleFS, 125 blocks of 8 KB", … */
  int               partition;       /* index into the table's entries, -1 */
  guint32           flags;           /* that entry's ESPRIT_PARTITION_FLAG_*, 0 without one */
  gboolean          has_image;       /* an ESP image starts here: @image is filled */
  EspritImageInfo   image;
  gboolean          image_verified;  /* checksum and hash checked: the whole image was there */
  guint32           used;            /* bytes known to hold data from @offset (image length) */
  EspritChunkState  contents;        /* what the chunk map says of the whole region */
  gboolean          boots;           /* the app the bootloader starts */
} EspritRegion;

void        esprit_region_free             (EspritRegion          *region);
/* The region's image as esprit_image_describe() says it; an image read only as far as its
 * headers is "checksum not read" rather than "bad checksum". NULL without an image. */
char       *esprit_region_describe_image   (const EspritRegion    *region);
const char *esprit_region_kind_name        (EspritRegionKind       kind);  /* "app", … */

typedef struct {
  EspritLayoutKind      kind;
  EspritChip            chip;          /* as given, or told by the images; AUTO if unknown */
  guint32               flash_size;
  EspritPartitionTable *table;         /* PARTITION_TABLE layouts */
  gboolean              has_otadata;
  EspritOtaData         otadata;
  char                 *variant;       /* ESP8266: "4M2M"…, NULL if not told */
  char                 *fs_type;       /* "LittleFS", "SPIFFS", NULL */
  GPtrArray            *regions;       /* EspritRegion, by offset, no gaps */
  char                 *table_error;   /* why a table present at the offset was refused */
} EspritLayout;

void        esprit_layout_free             (EspritLayout          *layout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EspritLayout, esprit_layout_free)

/* Recognises the layout of a @flash_size flash read through @read (only a few chunks are
 * read, each once). @chip may be ESPRIT_CHIP_AUTO (a backup file): it is then told by the
 * images found. A table that is present but malformed is not an error: the layout is
 * UNKNOWN and @table_error says why. Errors only come from @read. */
EspritLayout *esprit_layout_detect         (EspritChip             chip,
                                            guint32                flash_size,
                                            guint32                table_offset,
                                            EspritFlashReadFunc    read,
                                            gpointer               user_data,
                                            GError               **error);
/* The same on a whole image in memory (a backup); image checksums are checked too. */
EspritLayout *esprit_layout_detect_image   (const guint8          *data,
                                            gsize                  len,
                                            EspritChip             chip,
                                            guint32                table_offset);
/* "ESP-IDF partition table at 0x8000, 6 partitions", "ESP8266 Arduino 4M2M, LittleFS"… */
char       *esprit_layout_describe         (const EspritLayout    *layout);

/* The region called @name ("nvs", "app0", "sketch", "fs", "eeprom", "rfcal", "wifi",
 * "bootloader", "partition_table"), or NULL with ESPRIT_ERROR_INVALID_ARGUMENT listing the
 * names. */
const EspritRegion *esprit_layout_find     (const EspritLayout    *layout,
                                            const char            *name,
                                            GError               **error);
/* The regions erase_settings erases: ESP8266 RF calibration and Wi-Fi settings (§10.2),
 * ESP32 family every data/nvs partition. Borrowed pointers into @layout; an empty array
 * (never NULL) when there are none. */
GPtrArray  *esprit_layout_settings_regions (const EspritLayout    *layout);

/* The flash map: @layout's regions with the gaps between them filled by "erased" and
 * "unknown" regions as @chunks (nullable) tells, each region's contents set from @chunks.
 * Covers 0..flash_size exactly. A new array of new regions. */
GPtrArray  *esprit_flash_map_build         (const EspritLayout    *layout,
                                            const EspritChunkMap  *chunks);
/* The map as JSON for scripts: {"flash_size":…, "layout":…, "regions":[{…}]}. */
char       *esprit_flash_map_to_json       (const EspritLayout    *layout,
                                            GPtrArray             *map);

G_END_DECLS

/* esprit-layout-private.h: what the layout files share (protocol-facts §10)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-layout.h"

G_BEGIN_DECLS

#define ESPRIT_ESP8266_FS_BLOCK 0x2000u

/* A chunk cache over an EspritFlashReadFunc (esprit-layout-reader.c); the detection sets
 * its source. */
typedef struct _EspritLayoutReader EspritLayoutReader;

struct _EspritLayoutReader {
  EspritFlashReadFunc  read;
  gpointer             user_data;
  guint32              flash_size;
  const guint8        *whole;      /* the image in memory, or NULL */
  GHashTable          *chunks;     /* chunk index -> 4 KB copy */
  GByteArray          *span;       /* reads across chunks are assembled here */
};

/* Reads through the cache; NULL (and @error set) on a reader failure, or when @addr + @len
 * is past the flash (then without @error: the caller treats it as absent). The pointer is
 * valid until the next call. */
const guint8 *_esprit_layout_read          (EspritLayoutReader    *reader,
                                            guint32                addr,
                                            guint32                len,
                                            GError               **error);
/* Walks an E9 image's headers at @addr through the reader (only the chunks holding segment
 * headers are read); FALSE without @error when it is not a sound image. With the whole
 * flash in memory the image parser checks it too and *@verified (nullable) is set. */
gboolean    _esprit_layout_walk_image      (EspritLayoutReader    *reader,
                                            guint32                addr,
                                            gboolean               extended,
                                            EspritImageInfo       *info,
                                            gboolean              *verified,
                                            GError               **error);
EspritRegion *_esprit_region_new           (const char            *name,
                                            guint32                offset,
                                            guint32                size,
                                            EspritRegionKind       kind,
                                            const char            *detail);
/* Fills @layout (chip ESP8266, flash_size set) from the flash: Arduino or SDK firmware,
 * the filesystem of the 4 MB layouts, EEPROM, RF calibration and Wi-Fi settings. */
gboolean    _esprit_layout_detect_esp8266  (EspritLayout          *layout,
                                            EspritLayoutReader    *reader,
                                            GError               **error);

/* Sets an ESPRIT_ERROR @code with a formatted message; returns FALSE (the table and CSV
 * parsers' refusals). */
gboolean _esprit_layout_fail (GError    **error,
                              int         code,
                              const char *format,
                              ...) G_GNUC_PRINTF (3, 4);

/* Whether @len bytes at @p are all 0xFF (erased). */
gboolean    _esprit_layout_all_ff          (const guint8          *p,
                                            gsize                  len);
EspritLayoutReader *_esprit_layout_reader_new (guint32             flash_size);
void        _esprit_layout_reader_free     (EspritLayoutReader    *reader);
EspritRegion *_esprit_region_copy          (const EspritRegion    *region);

G_END_DECLS

/* esprit-deflate-cache.h: deflate output shared between boards
 *
 * When one image goes to many boards, each session would compress the same bytes again
 * (level 9 on 226 KB is about 40 ms of a core). A cache computes each distinct input once
 * and hands the same compressed bytes to every session; it is thread-safe, and a session
 * asking for an input another one is compressing waits for that result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _EspritDeflateCache EspritDeflateCache;

EspritDeflateCache *esprit_deflate_cache_new          (void);
EspritDeflateCache *esprit_deflate_cache_ref          (EspritDeflateCache *self);
void                esprit_deflate_cache_unref        (EspritDeflateCache *self);
/* The zlib stream of @data at @level (compress2), computed at most once for equal input
 * (keyed by its MD5, length and level). (transfer full); NULL with an error if zlib fails. */
GBytes             *esprit_deflate_cache_compress     (EspritDeflateCache *self,
                                                       const guint8       *data,
                                                       gsize               len,
                                                       int                 level,
                                                       GError            **error);
/* How many times compress2 ran (tests count it). */
guint               esprit_deflate_cache_get_n_computed (EspritDeflateCache *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EspritDeflateCache, esprit_deflate_cache_unref)

G_END_DECLS

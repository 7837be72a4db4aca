/* esprit-deflate-cache.c: deflate output computed once, shared between sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-deflate-cache"

#include "config.h"

#include <zlib.h>

#include "esprit-deflate-cache.h"
#include "esprit-error.h"
#include "esprit-i18n.h"

typedef struct {
  GBytes   *out;    /* NULL while being computed, or after a failure */
  gboolean  busy;
} Entry;

struct _EspritDeflateCache
{
  gatomicrefcount  ref;
  GMutex           lock;
  GCond            done;
  GHashTable      *entries;   /* key string → Entry */
  guint            n_computed;
};

static void
entry_free (Entry *entry)
{
  g_clear_pointer (&entry->out, g_bytes_unref);
  g_free (entry);
}

EspritDeflateCache *
esprit_deflate_cache_new (void)
{
  EspritDeflateCache *self = g_new0 (EspritDeflateCache, 1);

  g_atomic_ref_count_init (&self->ref);
  g_mutex_init (&self->lock);
  g_cond_init (&self->done);
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) entry_free);
  return self;
}

EspritDeflateCache *
esprit_deflate_cache_ref (EspritDeflateCache *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
esprit_deflate_cache_unref (EspritDeflateCache *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref))
    return;
  g_hash_table_unref (self->entries);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->done);
  g_free (self);
}

static GBytes *
deflate_now (const guint8  *data,
             gsize          len,
             int            level,
             GError       **error)
{
  uLongf clen = compressBound (len);
  guint8 *packed = g_malloc (clen);

  if (compress2 (packed, &clen, data, len, level) != Z_OK)
    {
      g_free (packed);
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, _("Compression failed"));
      return NULL;
    }
  return g_bytes_new_take (g_realloc (packed, MAX (clen, 1)), clen);
}

GBytes *
esprit_deflate_cache_compress (EspritDeflateCache  *self,
                               const guint8        *data,
                               gsize                len,
                               int                  level,
                               GError             **error)
{
  g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_MD5, data, len);
  g_autofree char *key = g_strdup_printf ("%s:%" G_GSIZE_FORMAT ":%d", digest, len, level);
  g_autoptr(GBytes) out = NULL;
  Entry *entry;

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->entries, key);
  while (entry != NULL && entry->busy)
    {
      g_cond_wait (&self->done, &self->lock);
      entry = g_hash_table_lookup (self->entries, key);
    }
  if (entry != NULL && entry->out != NULL)
    {
      out = g_bytes_ref (entry->out);
      g_mutex_unlock (&self->lock);
      return g_steal_pointer (&out);
    }
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      g_hash_table_insert (self->entries, g_strdup (key), entry);
    }
  /* Compress outside the lock: other inputs need not wait for this one. */
  entry->busy = TRUE;
  self->n_computed++;
  g_mutex_unlock (&self->lock);

  out = deflate_now (data, len, level, error);

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->entries, key);
  entry->busy = FALSE;
  entry->out = out != NULL ? g_bytes_ref (out) : NULL;
  g_cond_broadcast (&self->done);
  g_mutex_unlock (&self->lock);
  return g_steal_pointer (&out);
}

guint
esprit_deflate_cache_get_n_computed (EspritDeflateCache *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_computed;
  g_mutex_unlock (&self->lock);
  return n;
}

/* esprit-partition-table.c: ESP-IDF partition tables and otadata (protocol-facts §10.1)
 *
 * Binary tables come from boards and backup files, CSV from users: every read is
 * bounds-checked (fuzzed) and every refusal says which entry and why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-layout"

#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "esprit-command.h"
#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-layout-private.h"

#define ENTRY_MAGIC  0x50AA   /* bytes AA 50 */
#define MD5_MAGIC    0xEBEB
#define APP_ALIGN    0x10000u
#define DATA_ALIGN   0x1000u
#define NVS_MIN_SIZE 0x3000u
#define N_SLOTS      (ESPRIT_PARTITION_TABLE_LEN / ESPRIT_PARTITION_ENTRY_LEN)   /* 96 */

gboolean
_esprit_layout_fail (GError    **error,
                     int         code,
                     const char *format,
                     ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, ESPRIT_ERROR, code, msg);
  return FALSE;
}

/* ---- names -------------------------------------------------------------------------- */

static const char *const ota_names[16] = {
  "ota_0", "ota_1", "ota_2", "ota_3", "ota_4", "ota_5", "ota_6", "ota_7",
  "ota_8", "ota_9", "ota_10", "ota_11", "ota_12", "ota_13", "ota_14", "ota_15",
};

typedef struct {
  guint8      type;
  guint8      subtype;
  const char *name;
} SubtypeName;

static const SubtypeName subtype_names[] = {
  { ESPRIT_PARTITION_TYPE_APP, 0x00, "factory" },
  { ESPRIT_PARTITION_TYPE_APP, 0x20, "test" },
  { ESPRIT_PARTITION_TYPE_APP, 0x30, "tee_0" },
  { ESPRIT_PARTITION_TYPE_APP, 0x31, "tee_1" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x00, "ota" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x01, "phy" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x02, "nvs" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x03, "coredump" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x04, "nvs_keys" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x05, "efuse" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x06, "undefined" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x80, "esphttpd" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x81, "fat" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x82, "spiffs" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x83, "littlefs" },
  { ESPRIT_PARTITION_TYPE_DATA, 0x90, "tee_ota" },
  { ESPRIT_PARTITION_TYPE_BOOTLOADER, 0x00, "primary" },
  { ESPRIT_PARTITION_TYPE_BOOTLOADER, 0x01, "ota" },
  { ESPRIT_PARTITION_TYPE_BOOTLOADER, 0x02, "recovery" },
  { ESPRIT_PARTITION_TYPE_PARTITION_TABLE, 0x00, "primary" },
  { ESPRIT_PARTITION_TYPE_PARTITION_TABLE, 0x01, "ota" },
};

static const char *const type_names[] = { "app", "data", "bootloader", "partition_table" };

const char *
esprit_partition_type_name (guint8 type)
{
  return type < G_N_ELEMENTS (type_names) ? type_names[type] : NULL;
}

const char *
esprit_partition_subtype_name (guint8 type,
                               guint8 subtype)
{
  if (type == ESPRIT_PARTITION_TYPE_APP && subtype >= ESPRIT_PARTITION_SUBTYPE_OTA_0 &&
      subtype <= ESPRIT_PARTITION_SUBTYPE_OTA_15)
    return ota_names[subtype - ESPRIT_PARTITION_SUBTYPE_OTA_0];
  for (guint i = 0; i < G_N_ELEMENTS (subtype_names); i++)
    if (subtype_names[i].type == type && subtype_names[i].subtype == subtype)
      return subtype_names[i].name;
  return NULL;
}

char *
esprit_partition_describe_type (const EspritPartition *part)
{
  const char *t = esprit_partition_type_name (part->type);
  const char *s = esprit_partition_subtype_name (part->type, part->subtype);
  g_autofree char *tn = t ? g_strdup (t) : g_strdup_printf ("0x%02x", part->type);
  g_autofree char *sn = s ? g_strdup (s) : g_strdup_printf ("0x%02x", part->subtype);

  return g_strdup_printf ("%s/%s", tn, sn);
}

/* ---- checks ------------------------------------------------------------------------- */

static gboolean
is_table_or_bootloader (const EspritPartition *p)
{
  return p->type == ESPRIT_PARTITION_TYPE_BOOTLOADER ||
         p->type == ESPRIT_PARTITION_TYPE_PARTITION_TABLE;
}

static int
compare_by_offset (gconstpointer a,
                   gconstpointer b)
{
  const EspritPartition *pa = *(EspritPartition * const *) a;
  const EspritPartition *pb = *(EspritPartition * const *) b;

  return pa->offset < pb->offset ? -1 : pa->offset > pb->offset;
}

gboolean
esprit_partition_table_check (const EspritPartitionTable *table,
                              gboolean                    strict,
                              GError                    **error)
{
  const EspritPartition *sorted[ESPRIT_PARTITION_MAX_ENTRIES];
  guint n_otadata = 0;

  g_return_val_if_fail (table->n_entries <= ESPRIT_PARTITION_MAX_ENTRIES, FALSE);

  for (guint i = 0; i < table->n_entries; i++)
    {
      const EspritPartition *p = &table->entries[i];
      guint32 align = p->type == ESPRIT_PARTITION_TYPE_APP ? APP_ALIGN : DATA_ALIGN;

      sorted[i] = p;
      if (p->size == 0)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Partition “%s” has size 0"), p->label);
      if ((guint64) p->offset + p->size > G_MAXUINT32 + (guint64) 1)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Partition “%s” (0x%x + 0x%x) ends past 4 GB"), p->label,
                        p->offset, p->size);
      if (p->offset % align != 0)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Partition “%s” at 0x%x is not aligned to 0x%x"), p->label,
                        p->offset, align);
      if (p->type == ESPRIT_PARTITION_TYPE_APP && p->size % DATA_ALIGN != 0)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("App partition “%s” size 0x%x is not a multiple of 0x1000"),
                        p->label, p->size);
      /* §10.1: the first partition is at or after the table's own sector. */
      if (!is_table_or_bootloader (p) && p->offset < table->table_offset + DATA_ALIGN)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Partition “%s” at 0x%x overlaps the partition table or what "
                                 "precedes it (partitions start at 0x%x or later)"),
                        p->label, p->offset, table->table_offset + DATA_ALIGN);
      for (guint j = 0; j < i; j++)
        if (strcmp (table->entries[j].label, p->label) == 0)
          return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Two partitions are named “%s”"), p->label);
      if (p->type == ESPRIT_PARTITION_TYPE_DATA && p->subtype == ESPRIT_PARTITION_SUBTYPE_OTADATA)
        {
          n_otadata++;
          if (strict && p->size != ESPRIT_OTADATA_SIZE)
            return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("The otadata partition “%s” is 0x%x bytes (exactly 0x2000 "
                                     "expected)"), p->label, p->size);
        }
      if (strict && p->type == ESPRIT_PARTITION_TYPE_DATA &&
          p->subtype == ESPRIT_PARTITION_SUBTYPE_NVS && p->size < NVS_MIN_SIZE &&
          !(p->flags & ESPRIT_PARTITION_FLAG_READONLY))
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("NVS partition “%s” is 0x%x bytes (writable NVS needs at "
                                 "least 0x3000)"), p->label, p->size);
    }
  if (strict && n_otadata > 1)
    return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("%u otadata partitions (at most one is allowed)"), n_otadata);

  qsort (sorted, table->n_entries, sizeof sorted[0], compare_by_offset);
  for (guint i = 1; i < table->n_entries; i++)
    {
      const EspritPartition *a = sorted[i - 1], *b = sorted[i];

      if ((guint64) a->offset + a->size > b->offset)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Partitions “%s” (0x%x–0x%llx) and “%s” (0x%x–0x%llx) "
                                 "overlap"), a->label, a->offset,
                        (unsigned long long) a->offset + a->size - 1, b->label, b->offset,
                        (unsigned long long) b->offset + b->size - 1);
    }
  return TRUE;
}

/* ---- binary ------------------------------------------------------------------------- */

static gboolean
all_ff (const guint8 *p,
        gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (p[i] != 0xFF)
      return FALSE;
  return TRUE;
}

static void
md5_of (const guint8 *data,
        gsize         len,
        guint8        digest[16])
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize dlen = 16;

  g_checksum_update (md5, data, len);
  g_checksum_get_digest (md5, digest, &dlen);
}

static char *
hex16 (const guint8 *d)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < 16; i++)
    g_string_append_printf (s, "%02x", d[i]);
  return g_string_free (s, FALSE);
}

gboolean
esprit_partition_table_parse (const guint8          *data,
                              gsize                  len,
                              guint32                table_offset,
                              EspritPartitionTable  *table,
                              GError               **error)
{
  gsize pos;

  memset (table, 0, sizeof *table);
  table->table_offset = table_offset;
  len = MIN (len, ESPRIT_PARTITION_TABLE_LEN);
  if (len < ESPRIT_PARTITION_ENTRY_LEN)
    return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("A partition table needs at least 32 bytes, this is %zu"), len);

  for (pos = 0;; pos += ESPRIT_PARTITION_ENTRY_LEN)
    {
      const guint8 *e = data + pos;
      guint magic;
      EspritPartition *p;

      if (len - pos < ESPRIT_PARTITION_ENTRY_LEN)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("The partition table has no end marker in its first %zu bytes "
                                 "(%u entries; at most 95 fit)"), len, table->n_entries);
      if (all_ff (e, ESPRIT_PARTITION_ENTRY_LEN))
        {
          if (pos == 0)
            return _esprit_layout_fail (error, ESPRIT_ERROR_NOT_FOUND,
                         _("No partition table at 0x%x: it is erased"), table_offset);
          break;
        }
      magic = esprit_read_le16 (e);
      if (magic == MD5_MAGIC)
        {
          guint8 digest[16];

          md5_of (data, pos, digest);
          if (memcmp (digest, e + 16, 16) != 0)
            {
              g_autofree char *want = hex16 (e + 16);
              g_autofree char *got = hex16 (digest);

              return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("The partition table's MD5 does not match: the table "
                                       "says %s, its entries give %s"), want, got);
            }
          table->has_md5 = TRUE;
          continue;
        }
      if (magic != ENTRY_MAGIC)
        {
          if (pos == 0)
            return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("No partition table at 0x%x: bad magic 0x%04x (0x50aa "
                                     "expected)"), table_offset, magic);
          return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Partition table entry %zu has a bad magic 0x%04x (0x50aa "
                                   "expected)"), pos / ESPRIT_PARTITION_ENTRY_LEN + 1, magic);
        }
      if (table->n_entries == ESPRIT_PARTITION_MAX_ENTRIES)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("The partition table has more than 95 entries"));
      p = &table->entries[table->n_entries++];
      p->type = e[2];
      p->subtype = e[3];
      p->offset = esprit_read_le32 (e + 4);
      p->size = esprit_read_le32 (e + 8);
      memcpy (p->label, e + 12, ESPRIT_PARTITION_LABEL_LEN);
      p->label[ESPRIT_PARTITION_LABEL_LEN] = '\0';
      p->flags = esprit_read_le32 (e + 28);
      for (const char *c = p->label; *c; c++)
        if ((guchar) *c < 0x20 || (guchar) *c >= 0x7F)
          return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Partition table entry %u has a label with unprintable "
                                   "bytes"), table->n_entries);
    }
  return esprit_partition_table_check (table, FALSE, error);
}

gboolean
esprit_partition_table_add (EspritPartitionTable *table,
                            const char           *label,
                            guint8                type,
                            guint8                subtype,
                            guint32               offset,
                            guint32               size,
                            guint32               flags)
{
  EspritPartition *p;

  if (table->n_entries >= ESPRIT_PARTITION_MAX_ENTRIES)
    return FALSE;
  p = &table->entries[table->n_entries++];
  memset (p, 0, sizeof *p);
  g_strlcpy (p->label, label, sizeof p->label);
  p->type = type;
  p->subtype = subtype;
  p->offset = offset;
  p->size = size;
  p->flags = flags;
  return TRUE;
}

GBytes *
esprit_partition_table_to_binary (const EspritPartitionTable *table,
                                  gboolean                    with_md5,
                                  GError                    **error)
{
  guint8 *out;
  gsize pos = 0;
  guint slots = table->n_entries + (with_md5 ? 1 : 0) + 1;

  /* The entries, the MD5 entry and the end marker share the 0xC00 data area: 95 entries
   * fit without the MD5 entry, 94 with it (gen_esp32part.py refuses a longer table). */
  if (slots > N_SLOTS)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID,
                   _("%u partitions do not fit in a table (at most %u with the MD5 entry, %u "
                     "without)"), table->n_entries, N_SLOTS - 2, N_SLOTS - 1);
      return NULL;
    }
  if (!esprit_partition_table_check (table, TRUE, error))
    return NULL;
  out = g_malloc (ESPRIT_PARTITION_TABLE_LEN);
  memset (out, 0xFF, ESPRIT_PARTITION_TABLE_LEN);
  for (guint i = 0; i < table->n_entries; i++, pos += ESPRIT_PARTITION_ENTRY_LEN)
    {
      const EspritPartition *p = &table->entries[i];
      guint8 *e = out + pos;

      esprit_write_le16 (e, ENTRY_MAGIC);
      e[2] = p->type;
      e[3] = p->subtype;
      esprit_write_le32 (e + 4, p->offset);
      esprit_write_le32 (e + 8, p->size);
      memset (e + 12, 0, ESPRIT_PARTITION_LABEL_LEN);
      memcpy (e + 12, p->label, strnlen (p->label, ESPRIT_PARTITION_LABEL_LEN));
      esprit_write_le32 (e + 28, p->flags);
    }
  if (with_md5)
    {
      /* EB EB, 14 × FF, then the MD5 of the entries before it (§10.1). */
      esprit_write_le16 (out + pos, MD5_MAGIC);
      md5_of (out, pos, out + pos + 16);
    }
  return g_bytes_new_take (out, ESPRIT_PARTITION_TABLE_LEN);
}

const EspritPartition *
esprit_partition_table_find (const EspritPartitionTable *table,
                             const char                 *label)
{
  for (guint i = 0; i < table->n_entries; i++)
    if (g_str_equal (table->entries[i].label, label))
      return &table->entries[i];
  return NULL;
}

/* ---- otadata ------------------------------------------------------------------------ */

/* binascii.crc32(le32(seq), 0xFFFFFFFF) (§10.1), which is zlib's crc32 seeded likewise. */
static guint32
ota_crc (guint32 seq)
{
  guint8 b[4];

  esprit_write_le32 (b, seq);
  return (guint32) crc32 (0xFFFFFFFFul, b, 4);
}

void
esprit_otadata_make_entry (guint32 seq,
                           guint32 state,
                           guint8  entry[ESPRIT_OTADATA_ENTRY_LEN])
{
  memset (entry, 0xFF, ESPRIT_OTADATA_ENTRY_LEN);
  esprit_write_le32 (entry, seq);
  esprit_write_le32 (entry + 24, state);
  esprit_write_le32 (entry + 28, ota_crc (seq));
}

void
esprit_otadata_parse (const guint8  *data,
                      gsize          len,
                      EspritOtaData *ota)
{
  memset (ota, 0, sizeof *ota);
  ota->active = -1;
  for (int i = 0; i < 2; i++)
    {
      EspritOtaEntry *e = &ota->entries[i];
      gsize at = (gsize) i * 0x1000;

      if (len < at + ESPRIT_OTADATA_ENTRY_LEN)
        {
          e->seq = e->state = e->crc = 0xFFFFFFFF;
          continue;
        }
      e->seq = esprit_read_le32 (data + at);
      e->state = esprit_read_le32 (data + at + 24);
      e->crc = esprit_read_le32 (data + at + 28);
      e->crc_ok = e->crc == ota_crc (e->seq);
      e->valid = e->seq != 0xFFFFFFFF && e->crc_ok && e->state != ESPRIT_OTA_STATE_INVALID &&
                 e->state != ESPRIT_OTA_STATE_ABORTED;
    }
  if (ota->entries[0].valid && ota->entries[1].valid)
    ota->active = ota->entries[0].seq >= ota->entries[1].seq ? 0 : 1;
  else if (ota->entries[0].valid)
    ota->active = 0;
  else if (ota->entries[1].valid)
    ota->active = 1;
}

static int
find_app (const EspritPartitionTable *table,
          guint8                      subtype)
{
  for (guint i = 0; i < table->n_entries; i++)
    if (table->entries[i].type == ESPRIT_PARTITION_TYPE_APP &&
        table->entries[i].subtype == subtype)
      return (int) i;
  return -1;
}

int
esprit_partition_table_boot_index (const EspritPartitionTable *table,
                                   const EspritOtaData        *ota)
{
  guint n_ota = 0;
  int i;

  for (guint k = 0; k < table->n_entries; k++)
    if (table->entries[k].type == ESPRIT_PARTITION_TYPE_APP &&
        table->entries[k].subtype >= ESPRIT_PARTITION_SUBTYPE_OTA_0 &&
        table->entries[k].subtype <= ESPRIT_PARTITION_SUBTYPE_OTA_15)
      n_ota++;
  /* §10.1: boot slot = (seq − 1) mod the number of OTA apps. */
  if (ota != NULL && ota->active >= 0 && n_ota > 0)
    {
      guint32 slot = (ota->entries[ota->active].seq - 1) % n_ota;

      i = find_app (table, ESPRIT_PARTITION_SUBTYPE_OTA_0 + slot);
      if (i >= 0)
        return i;
    }
  /* No valid entry: factory, else ota_0 (§10.1); a test app, else the first app, last. */
  if ((i = find_app (table, ESPRIT_PARTITION_SUBTYPE_FACTORY)) >= 0 ||
      (i = find_app (table, ESPRIT_PARTITION_SUBTYPE_OTA_0)) >= 0 ||
      (i = find_app (table, ESPRIT_PARTITION_SUBTYPE_TEST)) >= 0)
    return i;
  for (guint k = 0; k < table->n_entries; k++)
    if (table->entries[k].type == ESPRIT_PARTITION_TYPE_APP)
      return (int) k;
  return -1;
}

/* esprit-partition-csv.c: ESP-IDF partition tables as CSV text (protocol-facts §10.1), the
 * form gen_esp32part.py and espflash read and write
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-layout"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-layout-private.h"
#include "esprit-numbers.h"

#define APP_ALIGN  0x10000u
#define DATA_ALIGN 0x1000u


/* esp-idf's CSV numbers: 0x9000, 36864, 20K, 1M (the shared parser's forms). */
static gboolean
parse_csv_number (const char *text,
                  guint32    *value)
{
  return esprit_parse_number (text, "number", value, NULL);
}

static gboolean
parse_csv_type (const char *text,
                guint8     *type)
{
  guint32 v;

  for (guint i = 0; esprit_partition_type_name (i) != NULL; i++)
    if (g_ascii_strcasecmp (text, esprit_partition_type_name (i)) == 0)
      {
        *type = i;
        return TRUE;
      }
  if (!parse_csv_number (text, &v) || v > 0xFE)
    return FALSE;
  *type = v;
  return TRUE;
}

static gboolean
parse_csv_subtype (const char *text,
                   guint8      type,
                   guint8     *subtype)
{
  guint32 v;

  if (*text == '\0')
    {
      *subtype = 0;
      return TRUE;
    }
  for (guint s = 0; s < 256; s++)
    {
      const char *name = esprit_partition_subtype_name (type, s);

      if (name != NULL && g_ascii_strcasecmp (text, name) == 0)
        {
          *subtype = s;
          return TRUE;
        }
    }
  if (!parse_csv_number (text, &v) || v > 0xFF)
    return FALSE;
  *subtype = v;
  return TRUE;
}

gboolean
esprit_partition_table_from_csv (const char            *text,
                                 guint32                table_offset,
                                 EspritPartitionTable  *table,
                                 GError               **error)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint64 next = (guint64) table_offset + DATA_ALIGN;

  memset (table, 0, sizeof *table);
  table->table_offset = table_offset;
  for (guint ln = 0; lines[ln] != NULL; ln++)
    {
      g_auto(GStrv) f = NULL;
      g_autofree char *line = g_strstrip (g_strdup (lines[ln]));
      guint n;
      guint8 type, subtype;
      guint32 offset, size, flags = 0;
      guint32 align;

      if (*line == '\0' || *line == '#')
        continue;
      f = g_strsplit (line, ",", -1);
      n = g_strv_length (f);
      for (guint i = 0; i < n; i++)
        g_strstrip (f[i]);
      if (n < 5 || n > 6)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Line %u: %u fields (name, type, subtype, offset, size and "
                                 "flags expected)"), ln + 1, n);
      if (*f[0] == '\0' || strlen (f[0]) > ESPRIT_PARTITION_LABEL_LEN)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Line %u: the name must be 1 to 16 characters"), ln + 1);
      for (const char *c = f[0]; *c; c++)
        if ((guchar) *c < 0x20 || (guchar) *c >= 0x7F)
          return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Line %u: the name must be printable ASCII"), ln + 1);
      if (!parse_csv_type (f[1], &type))
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Line %u: unknown type “%s”"), ln + 1, f[1]);
      if (!parse_csv_subtype (f[2], type, &subtype))
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Line %u: unknown subtype “%s” for type %s"), ln + 1, f[2],
                        f[1]);
      align = type == ESPRIT_PARTITION_TYPE_APP ? APP_ALIGN : DATA_ALIGN;
      if (*f[3] == '\0')
        {
          /* An empty offset follows the previous partition, aligned as its type needs. */
          next = (next + align - 1) / align * align;
          if (next > G_MAXUINT32)
            return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Line %u: the partition would start past 4 GB"), ln + 1);
          offset = (guint32) next;
        }
      else if (!parse_csv_number (f[3], &offset))
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Line %u: bad offset “%s”"), ln + 1, f[3]);
      if (!parse_csv_number (f[4], &size) || size == 0)
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Line %u: bad size “%s”"), ln + 1, f[4]);
      if (n == 6 && *f[5] != '\0')
        {
          g_auto(GStrv) names = g_strsplit (f[5], ":", -1);

          for (guint i = 0; names[i] != NULL; i++)
            {
              g_strstrip (names[i]);
              if (g_ascii_strcasecmp (names[i], "encrypted") == 0)
                flags |= ESPRIT_PARTITION_FLAG_ENCRYPTED;
              else if (g_ascii_strcasecmp (names[i], "readonly") == 0)
                flags |= ESPRIT_PARTITION_FLAG_READONLY;
              else if (*names[i] != '\0')
                return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Line %u: unknown flag “%s”"), ln + 1, names[i]);
            }
        }
      if (!esprit_partition_table_add (table, f[0], type, subtype, offset, size, flags))
        return _esprit_layout_fail (error, ESPRIT_ERROR_IMAGE_INVALID, _("Line %u: more than 95 partitions"), ln + 1);
      next = (guint64) offset + size;
    }
  if (table->n_entries == 0)
    return _esprit_layout_fail (error, ESPRIT_ERROR_NOT_FOUND, _("The CSV text has no partitions"));
  return esprit_partition_table_check (table, TRUE, error);
}

static char *
csv_size (guint32 size)
{
  if (size % (1024 * 1024) == 0)
    return g_strdup_printf ("%uM", size / (1024 * 1024));
  if (size % 1024 == 0)
    return g_strdup_printf ("%uK", size / 1024);
  return g_strdup_printf ("0x%x", size);
}

char *
esprit_partition_table_to_csv (const EspritPartitionTable *table)
{
  GString *out = g_string_new ("# ESP-IDF Partition Table\n"
                               "# Name, Type, SubType, Offset, Size, Flags\n");

  for (guint i = 0; i < table->n_entries; i++)
    {
      const EspritPartition *p = &table->entries[i];
      const char *t = esprit_partition_type_name (p->type);
      const char *s = esprit_partition_subtype_name (p->type, p->subtype);
      g_autofree char *size = csv_size (p->size);
      g_autofree char *tn = t ? g_strdup (t) : g_strdup_printf ("0x%02x", p->type);
      g_autofree char *sn = s ? g_strdup (s) : g_strdup_printf ("0x%02x", p->subtype);
      const char *flags = (p->flags & 3) == 3 ? "encrypted:readonly"
                          : p->flags & ESPRIT_PARTITION_FLAG_ENCRYPTED ? "encrypted"
                          : p->flags & ESPRIT_PARTITION_FLAG_READONLY ? "readonly" : "";

      g_string_append_printf (out, "%s,%s,%s,0x%x,%s,%s\n", p->label, tn, sn, p->offset, size,
                              flags);
    }
  return g_string_free (out, FALSE);
}


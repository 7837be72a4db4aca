/* esprit-cli-layout.c: what is on the flash: partition_table, flash_map, and image_info's
 * description of tables and backups (protocol-facts §10); the commands that act on a
 * partition are in esprit-cli-partitions.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "esprit-cli-private.h"
#include "esprit-error.h"
#include "esprit-layout.h"
#include "esprit-numbers.h"

#define BAR_WIDTH 32

/* Machine-readable output (--csv, --json) goes alone to stdout: the connection's chatter is
 * sent to stderr meanwhile. */
static int
chatter_to_stderr (void)
{
  int saved;

  fflush (stdout);
  saved = dup (STDOUT_FILENO);
  if (saved >= 0)
    dup2 (STDERR_FILENO, STDOUT_FILENO);
  return saved;
}

static void
chatter_restore (int saved)
{
  if (saved < 0)
    return;
  fflush (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
}

/* ---- partition_table ---------------------------------------------------------------- */

static void
print_otadata (const EspritOtaData *ota)
{
  static const char *const states[] = { "new", "pending_verify", "valid", "invalid",
                                        "aborted" };

  for (int i = 0; i < 2; i++)
    {
      const EspritOtaEntry *e = &ota->entries[i];

      if (e->seq == 0xFFFFFFFF)
        printf (_("otadata[%d]: empty\n"), i);
      else
        {
          const char *state = e->state < G_N_ELEMENTS (states) ? states[e->state]
                              : e->state == ESPRIT_OTA_STATE_UNDEFINED ? "undefined" : "?";

          if (e->valid)
            printf (_("otadata[%d]: seq %u, state %s, CRC right\n"), i, e->seq, state);
          else if (e->crc_ok)
            printf (_("otadata[%d]: seq %u, state %s, CRC right (not used)\n"), i, e->seq,
                    state);
          else
            printf (_("otadata[%d]: seq %u, state %s, CRC wrong (not used)\n"), i, e->seq,
                    state);
        }
    }
}

static void
print_table (const EspritPartitionTable *t,
             const EspritOtaData        *ota)
{
  int boots = esprit_partition_table_boot_index (t, ota);

  printf (_("Partition table at 0x%x: %u entries, %s\n"), t->table_offset, t->n_entries,
          t->has_md5 ? _("MD5 checked") : _("no MD5 entry"));
  printf ("%-16s %-22s %-10s %-18s %s\n", _("Name"), _("Type/subtype"), _("Offset"),
          _("Size"), _("Flags"));
  for (guint i = 0; i < t->n_entries; i++)
    {
      const EspritPartition *p = &t->entries[i];
      g_autofree char *type = esprit_partition_describe_type (p);
      g_autofree char *size = esprit_format_size (p->size);
      g_autofree char *typenum = g_strdup_printf ("%s (%u/0x%02x)", type, p->type, p->subtype);
      g_autofree char *sizes = g_strdup_printf ("0x%08x (%s)", p->size, size);
      g_autofree char *line = g_strdup_printf ("%-16s %-22s 0x%08x %-18s %s%s%s", p->label,
                                               typenum, p->offset, sizes,
                                               p->flags & ESPRIT_PARTITION_FLAG_ENCRYPTED
                                               ? "encrypted " : "",
                                               p->flags & ESPRIT_PARTITION_FLAG_READONLY
                                               ? "readonly" : "",
                                               (int) i == boots ? _("  <- boots") : "");

      printf ("%s\n", g_strchomp (line));
    }
  if (ota != NULL)
    print_otadata (ota);
  if (boots >= 0)
    printf (_("Boots: %s\n"), t->entries[boots].label);
}

static gboolean
looks_like_text (const guint8 *data,
                 gsize         len)
{
  if (len == 0 || memchr (data, '\0', len) != NULL || !g_utf8_validate ((const char *) data,
                                                                         len, NULL))
    return FALSE;
  return TRUE;
}

/* Finds the table in a file: CSV text, a table binary (up to one sector), or a flash
 * backup holding the table at @offset. Fills @ota from a backup's otadata. */
static gboolean
table_from_file (const char            *path,
                 const guint8          *data,
                 gsize                  len,
                 guint32                offset,
                 EspritChip             chip,
                 EspritPartitionTable  *table,
                 EspritOtaData         *ota,
                 gboolean              *has_ota,
                 GError               **error)
{
  g_autoptr(EspritLayout) layout = NULL;

  *has_ota = FALSE;
  if (looks_like_text (data, len))
    {
      g_autofree char *text = g_strndup ((const char *) data, len);

      if (!esprit_partition_table_from_csv (text, offset, table, error))
        {
          g_prefix_error (error, "%s: ", path);
          return FALSE;
        }
      return TRUE;
    }
  if (len <= 0x1000)
    {
      if (!esprit_partition_table_parse (data, len, offset, table, error))
        {
          g_prefix_error (error, "%s: ", path);
          return FALSE;
        }
      return TRUE;
    }
  if ((guint64) offset + ESPRIT_PARTITION_TABLE_LEN > len)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("%s is %zu bytes: it cannot hold a table at 0x%x"), path, len, offset);
      return FALSE;
    }
  if (!esprit_partition_table_parse (data + offset, len - offset, offset, table, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  layout = esprit_layout_detect_image (data, len, chip, offset);
  if (layout->has_otadata)
    {
      *ota = layout->otadata;
      *has_ota = TRUE;
    }
  return TRUE;
}

int
esprit_cli_cmd_partition_table (EspritCli  *opts,
                                 int                argc,
                                 char             **argv)
{
  g_autoptr(GError) error = NULL;
  EspritPartitionTable table;
  EspritOtaData ota;
  gboolean has_ota = FALSE, csv = FALSE;
  guint32 offset = ESPRIT_PARTITION_TABLE_OFFSET;
  const char *to_bin = NULL, *file = NULL;
  int i, saved = -1;

  for (i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--csv"))
        csv = TRUE;
      else if (g_str_equal (argv[i], "--offset") && i + 1 < argc)
        {
          if (!esprit_parse_number (argv[++i], _("Offset"), &offset, &error))
            return esprit_cli_fail (opts, error);
          if (offset % 0x1000 != 0)
            return esprit_cli_bad_input (_("The table offset must be a multiple of 0x1000"));
        }
      else if (g_str_equal (argv[i], "--to-bin") && i + 1 < argc)
        to_bin = argv[++i];
      else if (argv[i][0] == '-' || file != NULL)
        return esprit_cli_bad_input (_("usage: partition_table [--offset ADDRESS] [--csv] [--to-bin OUT] "
                            "[FILE]"));
      else
        file = argv[i];
    }
  if (to_bin != NULL && !esprit_cli_check_output (to_bin, &error))
    return esprit_cli_fail (opts, error);

  if (file != NULL)
    {
      g_autoptr(GBytes) bytes = esprit_cli_load_file (file, &error);
      const guint8 *data;
      gsize len;

      if (bytes == NULL)
        return esprit_cli_fail (opts, error);
      data = g_bytes_get_data (bytes, &len);
      if (!table_from_file (file, data, len, offset, opts->connect.expected, &table, &ota,
                            &has_ota, &error))
        return esprit_cli_fail (opts, error);
    }
  else
    {
      g_autoptr(EspritCliBoard) board = NULL;
      guint8 raw[ESPRIT_PARTITION_TABLE_LEN];

      if (csv)
        saved = chatter_to_stderr ();
      board = esprit_cli_connect_one (opts, &error);
      if (board == NULL ||
          !esprit_session_read (board->session, offset, sizeof raw, raw, NULL, &error) ||
          !esprit_partition_table_parse (raw, sizeof raw, offset, &table, &error))
        {
          chatter_restore (saved);
          return esprit_cli_fail (opts, error);
        }
      for (guint k = 0; k < table.n_entries; k++)
        {
          const EspritPartition *p = &table.entries[k];
          g_autofree guint8 *od = NULL;

          if (p->type != ESPRIT_PARTITION_TYPE_DATA ||
              p->subtype != ESPRIT_PARTITION_SUBTYPE_OTADATA || p->size < ESPRIT_OTADATA_SIZE)
            continue;
          od = g_malloc (ESPRIT_OTADATA_SIZE);
          if (!esprit_session_read (board->session, p->offset, ESPRIT_OTADATA_SIZE, od, NULL,
                                  &error))
            {
              chatter_restore (saved);
              return esprit_cli_fail (opts, error);
            }
          esprit_otadata_parse (od, ESPRIT_OTADATA_SIZE, &ota);
          has_ota = TRUE;
          break;
        }
      if (esprit_cli_finish_one (opts, g_steal_pointer (&board)) != 0)
        {
          chatter_restore (saved);
          return 1;
        }
      chatter_restore (saved);
    }

  if (to_bin != NULL)
    {
      g_autoptr(GBytes) bin = esprit_partition_table_to_binary (&table, table.n_entries < 95,
                                                                &error);

      if (bin == NULL ||
          !esprit_cli_save_file (to_bin, g_bytes_get_data (bin, NULL), g_bytes_get_size (bin),
                                  &error))
        return esprit_cli_fail (opts, error);
      if (!csv)
        printf (_("Wrote the %u-entry table to %s\n"), table.n_entries, to_bin);
    }
  if (csv)
    {
      g_autofree char *text = esprit_partition_table_to_csv (&table);

      fputs (text, stdout);
    }
  else if (to_bin == NULL)
    print_table (&table, has_ota ? &ota : NULL);
  return 0;
}

/* ---- flash_map ---------------------------------------------------------------------- */

static char
bar_glyph (EspritRegionKind kind)
{
  static const char glyphs[] = {
    [ESPRIT_REGION_BOOTLOADER] = 'B', [ESPRIT_REGION_PARTITION_TABLE] = 'T',
    [ESPRIT_REGION_APP] = 'A', [ESPRIT_REGION_FILESYSTEM] = 'F',
    [ESPRIT_REGION_SETTINGS] = 'S', [ESPRIT_REGION_DATA] = 'D',
    [ESPRIT_REGION_UNKNOWN] = '?', [ESPRIT_REGION_ERASED] = '_',
  };

  return (guint) kind < sizeof glyphs ? glyphs[kind] : '?';
}

static void
print_map (const EspritLayout *layout,
           GPtrArray          *map)
{
  g_autofree char *desc = esprit_layout_describe (layout);
  g_autofree char *fs = esprit_format_size (layout->flash_size);

  printf (_("Flash map of %s: %s\n"), fs, desc);
  for (guint i = 0; i < map->len; i++)
    {
      const EspritRegion *r = map->pdata[i];
      g_autofree char *size = esprit_format_size (r->size);
      char bar[BAR_WIDTH + 1];
      guint64 from = (guint64) r->offset * BAR_WIDTH / MAX (layout->flash_size, 1);
      guint64 to = ((guint64) r->offset + r->size) * BAR_WIDTH / MAX (layout->flash_size, 1);
      g_autofree char *image = esprit_region_describe_image (r);
      g_autofree char *used = NULL;

      memset (bar, '.', BAR_WIDTH);
      bar[BAR_WIDTH] = '\0';
      /* Every region gets at least one mark where it starts. */
      for (guint64 k = from; k < MAX (to, from + 1) && k < BAR_WIDTH; k++)
        bar[k] = bar_glyph (r->kind);
      if (r->used > 0 && r->kind == ESPRIT_REGION_APP)
        used = g_strdup_printf (_(", %u bytes used"), r->used);
      printf ("0x%08x %-6s %-15s %-16s |%s| %s%s%s%s%s%s\n", r->offset, size,
              esprit_region_kind_name (r->kind), r->name, bar,
              r->contents == ESPRIT_CHUNK_ERASED ? _("erased") : "",
              r->contents == ESPRIT_CHUNK_ERASED && (r->detail || image) ? ", " : "",
              r->detail ? r->detail : "", image && r->detail ? ", " : "", image ? image : "",
              used ? used : "");
    }
}

int
esprit_cli_cmd_flash_map (EspritCli  *opts,
                           int                argc,
                           char             **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritLayout) layout = NULL;
  g_autoptr(EspritChunkMap) chunks = NULL;
  g_autoptr(GPtrArray) map = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gboolean json = FALSE;
  guint32 offset = ESPRIT_PARTITION_TABLE_OFFSET;
  const char *file = NULL;
  int saved = -1;

  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (g_str_equal (argv[i], "--offset") && i + 1 < argc)
        {
          if (!esprit_parse_number (argv[++i], _("Offset"), &offset, &error))
            return esprit_cli_fail (opts, error);
        }
      else if (argv[i][0] == '-' || file != NULL)
        return esprit_cli_bad_input (_("usage: flash_map [--json] [--offset ADDRESS] [BACKUP]"));
      else
        file = argv[i];
    }

  if (file != NULL)
    {
      const guint8 *data;
      gsize len;

      bytes = esprit_cli_load_file (file, &error);
      if (bytes == NULL)
        return esprit_cli_fail (opts, error);
      data = g_bytes_get_data (bytes, &len);
      if (len == 0 || len > G_MAXUINT32)
        return esprit_cli_bad_input (_("%s is not a flash backup (%zu bytes)"), file, len);
      layout = esprit_layout_detect_image (data, len, opts->connect.expected, offset);
      chunks = esprit_chunk_map_new ((guint32) len);
      esprit_chunk_map_learn (chunks, 0, data, len);
      map = esprit_flash_map_build (layout, chunks);
    }
  else
    {
      g_autoptr(EspritCliBoard) board = NULL;
      gboolean ok = FALSE;

      if (json)
        saved = chatter_to_stderr ();
      board = esprit_cli_connect_one (opts, &error);
      if (board != NULL)
        {
          /* Without the per-read progress lines. */
          opts->quiet = TRUE;
          ok = esprit_session_read_flash_map (board->session, offset, &layout, &map, NULL,
                                              &error);
          opts->quiet = FALSE;
          if (ok && map == NULL)
            {
              ok = FALSE;
              g_set_error_literal (&error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                                   _("The flash chip is unknown, so its size is too"));
            }
        }
      if (!ok)
        {
          chatter_restore (saved);
          return esprit_cli_fail (opts, error);
        }
      {
        g_autofree char *desc = esprit_layout_describe (layout);

        printf (_("Layout: %s\n"), desc);
      }
      if (esprit_cli_finish_one (opts, g_steal_pointer (&board)) != 0)
        {
          chatter_restore (saved);
          return 1;
        }
      chatter_restore (saved);
    }
  if (json)
    {
      g_autofree char *text = esprit_flash_map_to_json (layout, map);

      fputs (text, stdout);
    }
  else
    print_map (layout, map);
  return 0;
}

/* ---- image_info --------------------------------------------------------------------- */

gboolean
esprit_cli_layout_image_info (EspritCli *opts,
                               const char       *path,
                               const guint8     *data,
                               gsize             len,
                               int              *status)
{
  EspritPartitionTable table;
  g_autoptr(EspritLayout) layout = NULL;
  g_autoptr(EspritChunkMap) chunks = NULL;
  g_autoptr(GPtrArray) map = NULL;

  /* A table binary: one sector or its 0xC00 data area, starting with an entry. */
  if (len >= 32 && len <= 0x1000 && data[0] == 0xAA && data[1] == 0x50)
    {
      g_autoptr(GError) error = NULL;

      printf (_("%s is an ESP-IDF partition table binary\n"), path);
      if (!esprit_partition_table_parse (data, len, ESPRIT_PARTITION_TABLE_OFFSET, &table,
                                         &error))
        {
          *status = esprit_cli_fail (opts, error);
          return TRUE;
        }
      print_table (&table, NULL);
      *status = 0;
      return TRUE;
    }
  /* A backup: a whole flash, a power of two from 256 KB, with a layout we know. */
  if (len < 0x40000 || len > G_MAXUINT32 || (len & (len - 1)) != 0)
    return FALSE;
  layout = esprit_layout_detect_image (data, len, opts->connect.expected,
                                       ESPRIT_PARTITION_TABLE_OFFSET);
  if (layout->kind == ESPRIT_LAYOUT_UNKNOWN)
    return FALSE;
  printf (_("%s is a flash backup (%zu bytes)\n"), path, len);
  if (layout->table != NULL)
    print_table (layout->table, layout->has_otadata ? &layout->otadata : NULL);
  chunks = esprit_chunk_map_new ((guint32) len);
  esprit_chunk_map_learn (chunks, 0, data, len);
  map = esprit_flash_map_build (layout, chunks);
  print_map (layout, map);
  *status = 0;
  return TRUE;
}

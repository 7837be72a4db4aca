/* esprit-cli-partitions.c: commands on a partition by name: read_flash, write_flash and
 * erase_region with --partition, and erase_settings (protocol-facts §10)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "esprit-cli-private.h"
#include "esprit-error.h"
#include "esprit-layout.h"
#include "esprit-numbers.h"

/* ---- the board ---------------------------------------------------------------------- */

/* Reads what the layout needs from the board, without the per-read progress lines. */
EspritLayout *
esprit_cli_board_layout (EspritCli      *opts,
                         EspritSession  *session,
                         guint32         table_offset,
                         GError        **error)
{
  g_autofree char *desc = NULL;
  EspritLayout *layout;
  guint32 flash_size;

  if (!esprit_session_get_flash_size (session, &flash_size, NULL, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                             _("The flash chip is unknown, so its size is too"));
      return NULL;
    }
  opts->quiet = TRUE;
  layout = esprit_session_read_layout (session, flash_size, table_offset, NULL, error);
  opts->quiet = FALSE;
  if (layout == NULL)
    return NULL;
  desc = esprit_layout_describe (layout);
  printf (_("Layout: %s\n"), desc);
  return layout;
}

/* Connects and finds the region --partition names; prints it. */
static EspritCliBoard *
connect_to_region (EspritCli  *opts,
                   const char        *name,
                   EspritLayout     **layout,
                   EspritRegion     **region,
                   GError           **error)
{
  g_autoptr(EspritCliBoard) board = esprit_cli_connect_one (opts, error);
  const EspritRegion *r;
  g_autofree char *size = NULL;

  if (board == NULL)
    return NULL;
  /* A board freed on the way out is forgotten by the output (esprit_cli_board_free). */
  *layout = esprit_cli_board_layout (opts, board->session, ESPRIT_PARTITION_TABLE_OFFSET, error);
  if (*layout == NULL)
    return NULL;
  r = esprit_layout_find (*layout, name, error);
  if (r == NULL)
    return NULL;
  size = esprit_format_size (r->size);
  printf (_("Partition %s: 0x%08x, 0x%x bytes (%s)\n"), r->name, r->offset, r->size, size);
  *region = (EspritRegion *) r;
  return g_steal_pointer (&board);
}

int
esprit_cli_read_partition (EspritCli  *opts,
                            int                argc,
                            char             **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritCliBoard) board = NULL;
  g_autoptr(EspritLayout) layout = NULL;
  g_autofree guint8 *buffer = NULL;
  EspritRegion *r;

  if (argc != 3)
    return esprit_cli_bad_input (_("usage: read_flash --partition NAME FILE"));
  if (!esprit_cli_check_output (argv[2], &error))
    return esprit_cli_fail (opts, error);
  board = connect_to_region (opts, argv[1], &layout, &r, &error);
  if (board == NULL)
    return esprit_cli_fail (opts, error);
  buffer = g_try_malloc (r->size);
  if (buffer == NULL)
    return esprit_cli_bad_input (_("Not enough memory for %u bytes"), r->size);
  if (!esprit_session_read (board->session, r->offset, r->size, buffer, NULL, &error) ||
      !esprit_cli_save_file (argv[2], buffer, r->size, &error))
    return esprit_cli_fail (opts, error);
  return esprit_cli_finish_one (opts, g_steal_pointer (&board));
}

int
esprit_cli_write_partition (EspritCli  *opts,
                             int                argc,
                             char             **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritCliBoard) board = NULL;
  g_autoptr(EspritLayout) layout = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
  g_autofree char *base = g_path_get_basename (argv[2]);
  EspritRegion *r;
  gsize len;

  if (argc != 3)
    return esprit_cli_bad_input (_("usage: write_flash --partition NAME FILE"));
  data = esprit_cli_load_file (argv[2], &error);
  if (data == NULL)
    return esprit_cli_fail (opts, error);
  len = g_bytes_get_size (data);
  if (len == 0)
    return esprit_cli_bad_input (_("%s is empty"), argv[2]);
  board = connect_to_region (opts, argv[1], &layout, &r, &error);
  if (board == NULL)
    return esprit_cli_fail (opts, error);
  /* Judged before anything is sent: nothing spills into the next partition. */
  if (len > r->size)
    {
      g_set_error (&error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_TOO_LARGE,
                   _("%s is %zu bytes, partition %s holds %u: nothing was written"), argv[2],
                   len, r->name, r->size);
      return esprit_cli_fail (opts, error);
    }
  if (r->flags & ESPRIT_PARTITION_FLAG_READONLY)
    {
      g_set_error (&error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("Partition %s is marked read-only: nothing was written"), r->name);
      return esprit_cli_fail (opts, error);
    }
  esprit_write_plan_add (plan, r->offset, data, base);
  if (!esprit_session_write (board->session, plan, NULL, &error))
    return esprit_cli_fail (opts, error);
  return esprit_cli_finish_one (opts, g_steal_pointer (&board));
}

int
esprit_cli_erase_partition (EspritCli  *opts,
                             int                argc,
                             char             **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritCliBoard) board = NULL;
  g_autoptr(EspritLayout) layout = NULL;
  EspritRegion *r;

  if (argc != 2)
    return esprit_cli_bad_input (_("usage: erase_region --partition NAME"));
  board = connect_to_region (opts, argv[1], &layout, &r, &error);
  if (board == NULL)
    return esprit_cli_fail (opts, error);
  if (r->flags & ESPRIT_PARTITION_FLAG_READONLY)
    {
      g_set_error (&error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("Partition %s is marked read-only: nothing was erased"), r->name);
      return esprit_cli_fail (opts, error);
    }
  if (r->offset % ESPRIT_CHUNK_SIZE != 0 || r->size % ESPRIT_CHUNK_SIZE != 0)
    {
      g_set_error (&error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("Partition %s is not made of whole 4 KB sectors: nothing was erased"),
                   r->name);
      return esprit_cli_fail (opts, error);
    }
  if (!esprit_session_erase (board->session, r->offset, r->size, NULL, &error))
    return esprit_cli_fail (opts, error);
  return esprit_cli_finish_one (opts, g_steal_pointer (&board));
}

static gboolean
confirm (const char *question)
{
  char answer[16] = "";

  printf ("%s [y/N] ", question);
  fflush (stdout);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    {
      printf ("\n");
      return FALSE;
    }
  return answer[0] == 'y' || answer[0] == 'Y';
}

int
esprit_cli_cmd_erase_settings (EspritCli  *opts,
                                int                argc,
                                char             **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritCliBoard) board = NULL;
  g_autoptr(EspritLayout) layout = NULL;
  g_autoptr(GPtrArray) regions = NULL;
  gboolean yes = FALSE;

  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--yes") || g_str_equal (argv[i], "-y"))
        yes = TRUE;
      else
        return esprit_cli_bad_input (_("usage: erase_settings [--yes]"));
    }
  board = esprit_cli_connect_one (opts, &error);
  if (board == NULL)
    return esprit_cli_fail (opts, error);
  layout = esprit_cli_board_layout (opts, board->session, ESPRIT_PARTITION_TABLE_OFFSET, &error);
  if (layout == NULL)
    return esprit_cli_fail (opts, error);
  regions = esprit_layout_settings_regions (layout);
  if (regions->len == 0)
    {
      g_set_error_literal (&error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                           _("This flash has no settings regions (no nvs partition)"));
      return esprit_cli_fail (opts, error);
    }
  for (guint i = 0; i < regions->len; i++)
    {
      const EspritRegion *r = regions->pdata[i];

      printf (_("Settings: %s at 0x%08x, 0x%x bytes (%s)\n"), r->name, r->offset, r->size,
              r->detail ? r->detail : "");
    }
  if (!yes && !confirm (_("Erase these settings?")))
    {
      fprintf (stderr, _("Error: Not confirmed: nothing was erased (--yes skips the "
                         "question)\n"));
      return 1;
    }
  for (guint i = 0; i < regions->len; i++)
    {
      const EspritRegion *r = regions->pdata[i];

      if (!esprit_session_erase (board->session, r->offset, r->size, NULL, &error))
        return esprit_cli_fail (opts, error);
    }
  return esprit_cli_finish_one (opts, g_steal_pointer (&board));
}

/* esprit-cli-commands.c: esptool's commands on a session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "esprit-cli-private.h"
#include "esprit-error.h"
#include "esprit-file-template.h"
#include "esprit-image.h"
#include "esprit-numbers.h"
#include "esprit-port-list.h"

void
esprit_cli_job_clear (EspritCliJob *job)
{
  g_clear_pointer (&job->file, g_free);
  g_clear_pointer (&job->plan, esprit_write_plan_free);
  g_clear_pointer (&job->files, g_ptr_array_unref);
  g_clear_pointer (&job->addrs, g_array_unref);
  g_clear_pointer (&job->names, g_strfreev);
}

static int
parse_none (EspritCli    *cli,
            EspritCliJob *job,
            int           argc,
            char        **argv)
{
  if (argc != 0)
    return esprit_cli_bad_input (_("%s takes no arguments"), job->cmd->name);
  return -1;
}

static gboolean
run_chip_id (EspritCliBoard *board,
             EspritCliJob   *job,
             GCancellable   *cancellable,
             GError        **error)
{
  const EspritDeviceInfo *info = esprit_session_get_device_info (board->session);

  if (info->chip == ESPRIT_CHIP_ESP8266)
    esprit_cli_board_print (board, _("Chip ID: 0x%08x"), info->chip_id);
  else
    {
      g_autofree char *mac = esprit_format_mac (info->mac);

      esprit_cli_board_print (board, _("Warning: %s has no chip ID. Reading MAC instead."),
                              esprit_chip_get_info (info->chip)->name);
      esprit_cli_board_print (board, _("MAC: %s"), mac);
    }
  return TRUE;
}

static gboolean
run_read_mac (EspritCliBoard *board,
              EspritCliJob   *job,
              GCancellable   *cancellable,
              GError        **error)
{
  /* Connecting prints the MAC like esptool's read_mac does. */
  return TRUE;
}

static gboolean
run_flash_id (EspritCliBoard *board,
              EspritCliJob   *job,
              GCancellable   *cancellable,
              GError        **error)
{
  g_auto(EspritDeviceInfo) info = { 0 };
  g_autofree char *name = NULL;

  if (!esprit_session_identify (board->session, &info, cancellable, error))
    return FALSE;
  esprit_cli_board_print (board, _("Manufacturer: %02x"), info.flash_id & 0xFF);
  esprit_cli_board_print (board, _("Device: %02x%02x"), (info.flash_id >> 8) & 0xFF,
                          (info.flash_id >> 16) & 0xFF);
  name = info.flash_size ? esprit_format_size (info.flash_size) : g_strdup (_("unknown"));
  esprit_cli_board_print (board, _("Detected flash size: %s"), name);
  return TRUE;
}

static int
parse_read_flash (EspritCli    *cli,
                  EspritCliJob *job,
                  int           argc,
                  char        **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean fields, per_board;

  if (argc > 0 && g_str_equal (argv[0], "--partition"))
    return esprit_cli_read_partition (cli, argc, argv);
  if (argc != 3)
    return esprit_cli_bad_input (_("usage: read_flash ADDRESS SIZE FILE"));
  if (!esprit_parse_number (argv[0], _("Address"), &job->addr, &error) ||
      !esprit_parse_size (argv[1], _("Size"), &job->size, &error) ||
      !esprit_file_template_check (argv[2], &fields, &per_board, &error) ||
      !esprit_cli_check_output (argv[2], &error))
    return esprit_cli_fail (cli, error);
  if ((guint64) job->addr + job->size > G_MAXUINT32)
    return esprit_cli_bad_input (_("0x%08x + 0x%08x is past the end of any flash"), job->addr,
                                 job->size);
  job->file = g_strdup (argv[2]);
  return -1;
}

static gboolean
run_read_flash (EspritCliBoard *board,
                EspritCliJob   *job,
                GCancellable   *cancellable,
                GError        **error)
{
  return esprit_session_read_to_file (board->session, job->addr, job->size,
                                      board->file ? board->file : job->file, cancellable, error);
}

static gboolean
is_option (const char *arg,
           const char *shorthand,
           const char *name)
{
  g_autofree char *dashed = g_strdelimit (g_strdup (name), "_", '-');

  return g_str_equal (arg, shorthand) || g_str_equal (arg, name) || g_str_equal (arg, dashed);
}

static int
parse_write_flash (EspritCli    *cli,
                   EspritCliJob *job,
                   int           argc,
                   char        **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
  EspritWriteOptions wopts = ESPRIT_WRITE_OPTIONS_DEFAULT;
  EspritFlashMode mode = ESPRIT_FLASH_MODE_KEEP;
  EspritFlashFreq freq = ESPRIT_FLASH_FREQ_KEEP;
  guint32 size = ESPRIT_FLASH_SIZE_KEEP;
  gboolean erase_all = FALSE;
  int i;

  if (argc > 0 && g_str_equal (argv[0], "--partition"))
    return esprit_cli_write_partition (cli, argc, argv);
  for (i = 0; i < argc && argv[i][0] == '-'; i++)
    {
      const char *a = argv[i];
      const char *v = i + 1 < argc ? argv[i + 1] : NULL;

      if (is_option (a, "-fm", "--flash_mode"))
        {
          if (v == NULL || !esprit_flash_mode_parse (v, &mode))
            return esprit_cli_bad_input (_("--flash-mode must be keep, qio, qout, dio or dout"));
          i++;
        }
      else if (is_option (a, "-ff", "--flash_freq"))
        {
          if (v == NULL || !esprit_flash_freq_parse (v, &freq))
            return esprit_cli_bad_input (_("--flash-freq must be keep, 80m, 40m, 26m or 20m"));
          i++;
        }
      else if (is_option (a, "-fs", "--flash_size"))
        {
          if (v == NULL)
            return esprit_cli_bad_input (_("--flash-size needs a value: keep, detect or a size "
                                           "like 4MB"));
          if (g_str_equal (v, "keep"))
            size = ESPRIT_FLASH_SIZE_KEEP;
          else if (g_str_equal (v, "detect"))
            size = ESPRIT_FLASH_SIZE_DETECT;
          else if (!esprit_parse_number (v, _("Flash size"), &size, &error))
            return esprit_cli_fail (cli, error);
          else if (size < 4096)
            return esprit_cli_bad_input (_("Flash size too small"));
          i++;
        }
      else if (is_option (a, "-z", "--compress"))
        wopts.compress = ESPRIT_COMPRESS_ON;
      else if (is_option (a, "-u", "--no_compress"))
        wopts.compress = ESPRIT_COMPRESS_OFF;
      else if (g_str_equal (a, "--verify"))
        wopts.verify = TRUE;
      else if (g_str_equal (a, "--no-verify"))
        wopts.verify = FALSE;
      else if (g_str_equal (a, "--no-skip"))
        wopts.skip_unchanged = FALSE;
      else if (is_option (a, "-e", "--erase_all"))
        erase_all = TRUE;
      else if (is_option (a, "--encrypt", "--encrypt") ||
               is_option (a, "--encrypt_files", "--encrypt_files") ||
               is_option (a, "--ignore_flash_enc_efuse", "--ignore_flash_enc_efuse"))
        /* esptool's encrypted writes go through its ESP32 stub's FLASH_BEGIN encrypt word
         * (or FLASH_ENCRYPT_DATA, 0xD4); Esprit's stubs refuse that word (0xFF). */
        return esprit_cli_bad_input (_("%s: encrypted writes are not supported by Esprit's stub "
                                       "yet; use esptool with its own stub, or flash the "
                                       "plaintext image"), a);
      else
        return esprit_cli_bad_input (_("Unknown write_flash option %s"), a);
    }
  if (i == argc || (argc - i) % 2 != 0)
    return esprit_cli_bad_input (_("usage: write_flash [options] ADDRESS FILE [ADDRESS FILE...]"));
  for (; i < argc; i += 2)
    {
      guint32 addr;
      g_autoptr(GBytes) data = NULL;
      g_autofree char *base = g_path_get_basename (argv[i + 1]);

      if (!esprit_parse_number (argv[i], _("Address"), &addr, &error))
        return esprit_cli_fail (cli, error);
      /* Read once for every board; the plan compresses each item once, too. */
      data = esprit_cli_load_file (argv[i + 1], &error);
      if (data == NULL)
        return esprit_cli_fail (cli, error);
      esprit_write_plan_add (plan, addr, data, base);
    }
  esprit_write_plan_set_header (plan, mode, size, freq);
  esprit_write_plan_set_options (plan, &wopts);
  esprit_write_plan_set_erase_all (plan, erase_all);
  /* Everything that can be judged without the board is judged before it is touched. */
  if (!esprit_write_plan_check (plan, cli->connect.expected,
                                size > ESPRIT_FLASH_SIZE_DETECT ? size : 0, &error))
    return esprit_cli_fail (cli, error);
  job->plan = g_steal_pointer (&plan);
  return -1;
}

static gboolean
run_write_flash (EspritCliBoard *board,
                 EspritCliJob   *job,
                 GCancellable   *cancellable,
                 GError        **error)
{
  return esprit_session_write (board->session, job->plan, cancellable, error);
}

static int
parse_verify_flash (EspritCli    *cli,
                    EspritCliJob *job,
                    int           argc,
                    char        **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  if (argc == 0 || argc % 2 != 0)
    return esprit_cli_bad_input (_("usage: verify_flash ADDRESS FILE [ADDRESS FILE...]"));
  job->files = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  job->addrs = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (int i = 0; i < argc; i += 2)
    {
      guint32 addr;
      GBytes *data;

      if (!esprit_parse_number (argv[i], _("Address"), &addr, &error))
        return esprit_cli_fail (cli, error);
      data = esprit_cli_load_file (argv[i + 1], &error);
      if (data == NULL)
        return esprit_cli_fail (cli, error);
      g_ptr_array_add (job->files, data);
      g_array_append_val (job->addrs, addr);
      g_strv_builder_add (names, argv[i + 1]);
    }
  job->names = g_strv_builder_end (names);
  return -1;
}

static gboolean
run_verify_flash (EspritCliBoard *board,
                  EspritCliJob   *job,
                  GCancellable   *cancellable,
                  GError        **error)
{
  int failures = 0;

  for (guint i = 0; i < job->files->len; i++)
    {
      GBytes *data = job->files->pdata[i];
      guint32 addr = g_array_index (job->addrs, guint32, i);
      gsize len = g_bytes_get_size (data);
      gboolean same;

      esprit_cli_board_print (board, _("Verifying 0x%zx (%zu) bytes @ 0x%08x in flash against "
                                       "%s..."), len, len, addr, job->names[i]);
      if (!esprit_session_verify (board->session, addr, data, &same, cancellable, error))
        return FALSE;
      if (same)
        esprit_cli_board_print (board, _("-- verify OK (digest matched)"));
      else
        {
          esprit_cli_board_print (board, _("-- verify FAILED (digest mismatch)"));
          failures++;
        }
    }
  if (failures > 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                   _("%d region(s) differ from the files"), failures);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_erase_flash (EspritCliBoard *board,
                 EspritCliJob   *job,
                 GCancellable   *cancellable,
                 GError        **error)
{
  return esprit_session_erase (board->session, 0, 0, cancellable, error);
}

static int
parse_erase_region (EspritCli    *cli,
                    EspritCliJob *job,
                    int           argc,
                    char        **argv)
{
  g_autoptr(GError) error = NULL;

  if (argc > 0 && g_str_equal (argv[0], "--partition"))
    return esprit_cli_erase_partition (cli, argc, argv);
  if (argc != 2)
    return esprit_cli_bad_input (_("usage: erase_region ADDRESS SIZE"));
  if (!esprit_parse_number (argv[0], _("Address"), &job->addr, &error) ||
      !esprit_parse_number (argv[1], _("Size"), &job->size, &error))
    return esprit_cli_fail (cli, error);
  if (job->addr % 4096 != 0 || job->size % 4096 != 0 || job->size == 0)
    return esprit_cli_bad_input (_("Address and size must be nonzero multiples of 4096 (0x1000): "
                                   "flash is erased in 4 KB sectors"));
  return -1;
}

static gboolean
run_erase_region (EspritCliBoard *board,
                  EspritCliJob   *job,
                  GCancellable   *cancellable,
                  GError        **error)
{
  return esprit_session_erase (board->session, job->addr, job->size, cancellable, error);
}

static int
parse_run (EspritCli    *cli,
           EspritCliJob *job,
           int           argc,
           char        **argv)
{
  if (argc != 0)
    return esprit_cli_bad_input (_("%s takes no arguments"), job->cmd->name);
  /* Esprit's ESP32-family stubs cannot return to the ROM, whose soft reset runs the program:
   * only the ESP8266's stub has RUN_USER_CODE. */
  if (cli->connect.stub == ESPRIT_STUB_AUTO)
    cli->connect.stub = ESPRIT_STUB_IF_IT_RETURNS;
  return -1;
}

static gboolean
run_run (EspritCliBoard *board,
         EspritCliJob   *job,
         GCancellable   *cancellable,
         GError        **error)
{
  /* On an ESP8266 through the stub's RUN_USER_CODE, as esptool does (§2); esptool's run:
   * leave the loader for the program in flash (§3 soft_reset). */
  return esprit_session_reset (board->session, ESPRIT_AFTER_SOFT_RESET, cancellable, error);
}

static int
cmd_image_info (EspritCli  *cli,
                int         argc,
                char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autofree char *desc = NULL;
  EspritImageInfo info;
  gsize len;
  const guint8 *p;
  int rc;

  if (argc != 1)
    return esprit_cli_bad_input (_("usage: image_info FILE"));
  data = esprit_cli_load_file (argv[0], &error);
  if (data == NULL)
    return esprit_cli_fail (cli, error);
  p = g_bytes_get_data (data, &len);
  if (esprit_cli_layout_image_info (cli, argv[0], p, len, &rc))
    return rc;
  if (!esprit_image_parse (p, len, cli->connect.expected, &info, &error))
    return esprit_cli_fail (cli, error);
  if (info.kind == ESPRIT_IMAGE_RAW)
    {
      printf (_("%s is not an ESP image (raw data, %zu bytes)\n"), argv[0], len);
      return 0;
    }
  desc = esprit_image_describe (&info);
  printf ("%s\n", desc);
  printf (_("Entry point: 0x%08x\n"), info.entry);
  printf (_("%u segments\n"), info.n_segments);
  for (guint i = 0; i < info.n_segments; i++)
    printf (_("Segment %u: len 0x%05x load 0x%08x file_offs 0x%08zx\n"), i + 1,
            info.segments[i].length, info.segments[i].load_addr, info.segments[i].file_offset - 8);
  printf (_("Checksum: %s\n"), info.checksum_ok ? _("valid") : _("invalid"));
  if (info.hash_appended)
    printf (_("Validation hash: %s\n"), info.hash_ok ? _("valid") : _("invalid"));
  return info.checksum_ok && info.hash_ok ? 0 : 1;
}

static int
cmd_list (EspritCli  *cli,
          int         argc,
          char      **argv)
{
  g_autoptr(GPtrArray) ports = esprit_port_list ();

  for (guint i = 0; i < ports->len; i++)
    {
      EspritPortInfo *p = ports->pdata[i];

      if (p->vid != 0)
        printf ("%s\t%s (%04x:%04x)\n", p->path, p->label, p->vid, p->pid);
      else
        printf ("%s\t%s\n", p->path, p->label);
    }
  printf ("sim:esp8266\t%s\n", _("Virtual ESP8266"));
  printf ("sim:esp32\t%s\n", _("Virtual ESP32"));
  return 0;
}

static int
cmd_version (EspritCli  *cli,
             int         argc,
             char      **argv)
{
  printf ("%s\n", PACKAGE_VERSION);
  return 0;
}

static const EspritCliCommand commands[] = {
  { "chip_id", NULL, parse_none, run_chip_id, "", N_("Print the chip's ID (ESP8266) or MAC"),
    FALSE },
  { "read_mac", NULL, parse_none, run_read_mac, "", N_("Print the MAC address"), FALSE },
  { "flash_id", NULL, parse_none, run_flash_id, "", N_("Print the SPI flash's JEDEC id and size"),
    FALSE },
  { "read_flash", NULL, parse_read_flash, run_read_flash, N_("ADDRESS SIZE FILE"),
    N_("Back up flash to a file (verified)"), FALSE },
  { "write_flash", NULL, parse_write_flash, run_write_flash,
    N_("[-fm keep|qio|qout|dio|dout] [-ff keep|80m|40m|26m|20m] [-fs keep|detect|SIZE] "
       "[-z|-u] [--verify|--no-verify] [--no-skip] [-e] ADDRESS FILE [ADDRESS FILE...]"),
    N_("Write files to flash, verify them, and restart the board"), FALSE },
  { "verify_flash", NULL, parse_verify_flash, run_verify_flash, N_("ADDRESS FILE [ADDRESS FILE...]"),
    N_("Compare flash with files by MD5"), FALSE },
  { "erase_flash", NULL, parse_none, run_erase_flash, "", N_("Erase the whole flash"), FALSE },
  { "erase_region", NULL, parse_erase_region, run_erase_region, N_("ADDRESS SIZE"),
    N_("Erase a region (4 KB multiples)"), FALSE },
  { "run", NULL, parse_run, run_run, "", N_("Leave the loader and run the program in flash"),
    TRUE },
  { "erase_settings", esprit_cli_cmd_erase_settings, NULL, NULL, N_("[--yes]"),
    N_("Erase the Wi-Fi settings and RF calibration (ESP8266) or nvs (ESP32)"), FALSE },
  { "partition_table", esprit_cli_cmd_partition_table, NULL, NULL,
    N_("[--offset ADDRESS] [--csv] [--to-bin OUT] [FILE]"),
    N_("Show the partition table of the board, a backup, a binary or a CSV file"), FALSE },
  { "flash_map", esprit_cli_cmd_flash_map, NULL, NULL, N_("[--json] [--offset ADDRESS] [BACKUP]"),
    N_("Show what is where on the flash"), FALSE },
  { "image_info", cmd_image_info, NULL, NULL, N_("FILE"), N_("Describe a firmware image"), FALSE },
  { "serve", esprit_cli_cmd_serve, NULL, NULL, N_("[PORT...] [--ports all|GLOB|@FILE] [--listen rfc2217://ADDRESS:PORT]"),
    N_("Share boards plugged into this machine over the network (RFC 2217), one TCP port each"),
    FALSE },
  { "list", cmd_list, NULL, NULL, "", N_("List serial ports and virtual boards"), FALSE },
  { "version", cmd_version, NULL, NULL, "", N_("Print the version"), FALSE },
};

const EspritCliCommand *
esprit_cli_get_commands (guint *n_commands)
{
  *n_commands = G_N_ELEMENTS (commands);
  return commands;
}

const EspritCliCommand *
esprit_cli_find_command (const char *name)
{
  g_autofree char *norm = g_strdelimit (g_strdup (name), "-", '_');

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (norm, commands[i].name))
      return &commands[i];
  return NULL;
}

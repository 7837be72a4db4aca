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
#include "esprit-image.h"
#include "esprit-numbers.h"
#include "esprit-port-list.h"

/* Connects, runs @body's work on the session, then the --after action. */
#define CONNECT_OR_FAIL(cli, session, error)                     \
  G_STMT_START {                                                 \
    session = esprit_cli_connect (cli, &error);                  \
    if (session == NULL)                                         \
      return esprit_cli_fail (cli, error);                       \
  } G_STMT_END

static int
cmd_chip_id (EspritCli  *cli,
             int         argc,
             char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritSession) session = NULL;
  const EspritDeviceInfo *info;

  if (argc != 0)
    return esprit_cli_bad_input (_("chip_id takes no arguments"));
  CONNECT_OR_FAIL (cli, session, error);
  info = esprit_session_get_device_info (session);
  if (info->chip == ESPRIT_CHIP_ESP8266)
    printf (_("Chip ID: 0x%08x\n"), info->chip_id);
  else
    {
      g_autofree char *mac = esprit_format_mac (info->mac);

      printf (_("Warning: %s has no chip ID. Reading MAC instead.\n"),
              esprit_chip_get_info (info->chip)->name);
      printf (_("MAC: %s\n"), mac);
    }
  return esprit_cli_finish (cli, session);
}

static int
cmd_read_mac (EspritCli  *cli,
              int         argc,
              char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritSession) session = NULL;

  if (argc != 0)
    return esprit_cli_bad_input (_("read_mac takes no arguments"));
  /* Connecting prints the MAC like esptool's read_mac does. */
  CONNECT_OR_FAIL (cli, session, error);
  return esprit_cli_finish (cli, session);
}

static int
cmd_flash_id (EspritCli  *cli,
              int         argc,
              char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritSession) session = NULL;
  g_auto(EspritDeviceInfo) info = { 0 };
  g_autofree char *name = NULL;

  if (argc != 0)
    return esprit_cli_bad_input (_("flash_id takes no arguments"));
  CONNECT_OR_FAIL (cli, session, error);
  if (!esprit_session_identify (session, &info, NULL, &error))
    return esprit_cli_fail (cli, error);
  printf (_("Manufacturer: %02x\n"), info.flash_id & 0xFF);
  printf (_("Device: %02x%02x\n"), (info.flash_id >> 8) & 0xFF, (info.flash_id >> 16) & 0xFF);
  name = info.flash_size ? esprit_format_size (info.flash_size) : g_strdup (_("unknown"));
  printf (_("Detected flash size: %s\n"), name);
  return esprit_cli_finish (cli, session);
}

static int
cmd_read_flash (EspritCli  *cli,
                int         argc,
                char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritSession) session = NULL;
  guint32 addr, size;

  if (argc > 0 && g_str_equal (argv[0], "--partition"))
    return esprit_cli_read_partition (cli, argc, argv);
  if (argc != 3)
    return esprit_cli_bad_input (_("usage: read_flash ADDRESS SIZE FILE"));
  if (!esprit_parse_number (argv[0], _("Address"), &addr, &error) ||
      !esprit_parse_size (argv[1], _("Size"), &size, &error) ||
      !esprit_cli_check_output (argv[2], &error))
    return esprit_cli_fail (cli, error);
  if ((guint64) addr + size > G_MAXUINT32)
    return esprit_cli_bad_input (_("0x%08x + 0x%08x is past the end of any flash"), addr, size);

  CONNECT_OR_FAIL (cli, session, error);
  if (!esprit_session_read_to_file (session, addr, size, argv[2], NULL, &error))
    return esprit_cli_fail (cli, error);
  return esprit_cli_finish (cli, session);
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
cmd_write_flash (EspritCli  *cli,
                 int         argc,
                 char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritSession) session = NULL;
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

  CONNECT_OR_FAIL (cli, session, error);
  if (!esprit_session_write (session, plan, NULL, &error))
    return esprit_cli_fail (cli, error);
  return esprit_cli_finish (cli, session);
}

static int
cmd_verify_flash (EspritCli  *cli,
                  int         argc,
                  char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritSession) session = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GArray) addrs = g_array_new (FALSE, FALSE, sizeof (guint32));
  int failures = 0;

  if (argc == 0 || argc % 2 != 0)
    return esprit_cli_bad_input (_("usage: verify_flash ADDRESS FILE [ADDRESS FILE...]"));
  for (int i = 0; i < argc; i += 2)
    {
      guint32 addr;
      GBytes *data;

      if (!esprit_parse_number (argv[i], _("Address"), &addr, &error))
        return esprit_cli_fail (cli, error);
      data = esprit_cli_load_file (argv[i + 1], &error);
      if (data == NULL)
        return esprit_cli_fail (cli, error);
      g_ptr_array_add (files, data);
      g_array_append_val (addrs, addr);
    }
  CONNECT_OR_FAIL (cli, session, error);
  for (guint i = 0; i < files->len; i++)
    {
      GBytes *data = files->pdata[i];
      guint32 addr = g_array_index (addrs, guint32, i);
      gsize len = g_bytes_get_size (data);
      gboolean same;

      printf (_("Verifying 0x%zx (%zu) bytes @ 0x%08x in flash against %s...\n"), len, len,
              addr, argv[2 * i + 1]);
      if (!esprit_session_verify (session, addr, data, &same, NULL, &error))
        return esprit_cli_fail (cli, error);
      if (same)
        printf (_("-- verify OK (digest matched)\n"));
      else
        {
          printf (_("-- verify FAILED (digest mismatch)\n"));
          failures++;
        }
    }
  if (failures > 0)
    {
      fprintf (stderr, _("Error: %d region(s) differ from the files\n"), failures);
      return 1;
    }
  return esprit_cli_finish (cli, session);
}

static int
cmd_erase_flash (EspritCli  *cli,
                 int         argc,
                 char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritSession) session = NULL;

  if (argc != 0)
    return esprit_cli_bad_input (_("erase_flash takes no arguments"));
  CONNECT_OR_FAIL (cli, session, error);
  if (!esprit_session_erase (session, 0, 0, NULL, &error))
    return esprit_cli_fail (cli, error);
  return esprit_cli_finish (cli, session);
}

static int
cmd_erase_region (EspritCli  *cli,
                  int         argc,
                  char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritSession) session = NULL;
  guint32 addr, size;

  if (argc > 0 && g_str_equal (argv[0], "--partition"))
    return esprit_cli_erase_partition (cli, argc, argv);
  if (argc != 2)
    return esprit_cli_bad_input (_("usage: erase_region ADDRESS SIZE"));
  if (!esprit_parse_number (argv[0], _("Address"), &addr, &error) ||
      !esprit_parse_number (argv[1], _("Size"), &size, &error))
    return esprit_cli_fail (cli, error);
  if (addr % 4096 != 0 || size % 4096 != 0 || size == 0)
    return esprit_cli_bad_input (_("Address and size must be nonzero multiples of 4096 (0x1000): "
                                   "flash is erased in 4 KB sectors"));
  CONNECT_OR_FAIL (cli, session, error);
  if (!esprit_session_erase (session, addr, size, NULL, &error))
    return esprit_cli_fail (cli, error);
  return esprit_cli_finish (cli, session);
}

static int
cmd_run (EspritCli  *cli,
         int         argc,
         char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritSession) session = NULL;

  if (argc != 0)
    return esprit_cli_bad_input (_("run takes no arguments"));
  /* On an ESP8266 through the stub's RUN_USER_CODE, as esptool does (§2). */
  CONNECT_OR_FAIL (cli, session, error);
  /* esptool's run: leave the loader for the program in flash (§3 soft_reset). */
  if (!esprit_session_reset (session, ESPRIT_AFTER_SOFT_RESET, NULL, &error))
    return esprit_cli_fail (cli, error);
  return 0;
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
  { "chip_id", cmd_chip_id, "", N_("Print the chip's ID (ESP8266) or MAC"), TRUE },
  { "read_mac", cmd_read_mac, "", N_("Print the MAC address"), TRUE },
  { "flash_id", cmd_flash_id, "", N_("Print the SPI flash's JEDEC id and size"), TRUE },
  { "read_flash", cmd_read_flash, N_("ADDRESS SIZE FILE"), N_("Back up flash to a file (verified)"),
    TRUE },
  { "write_flash", cmd_write_flash,
    N_("[-fm keep|qio|qout|dio|dout] [-ff keep|80m|40m|26m|20m] [-fs keep|detect|SIZE] "
       "[-z|-u] [--verify|--no-verify] [--no-skip] [-e] ADDRESS FILE [ADDRESS FILE...]"),
    N_("Write files to flash, verify them, and restart the board"), TRUE },
  { "verify_flash", cmd_verify_flash, N_("ADDRESS FILE [ADDRESS FILE...]"),
    N_("Compare flash with files by MD5"), TRUE },
  { "erase_flash", cmd_erase_flash, "", N_("Erase the whole flash"), TRUE },
  { "erase_region", cmd_erase_region, N_("ADDRESS SIZE"), N_("Erase a region (4 KB multiples)"),
    TRUE },
  { "run", cmd_run, "", N_("Leave the loader and run the program in flash"), TRUE },
  { "erase_settings", esprit_cli_cmd_erase_settings, N_("[--yes]"),
    N_("Erase the Wi-Fi settings and RF calibration (ESP8266) or nvs (ESP32)"), TRUE },
  { "partition_table", esprit_cli_cmd_partition_table,
    N_("[--offset ADDRESS] [--csv] [--to-bin OUT] [FILE]"),
    N_("Show the partition table of the board, a backup, a binary or a CSV file"), FALSE },
  { "flash_map", esprit_cli_cmd_flash_map, N_("[--json] [--offset ADDRESS] [BACKUP]"),
    N_("Show what is where on the flash"), FALSE },
  { "image_info", cmd_image_info, N_("FILE"), N_("Describe a firmware image"), FALSE },
  { "list", cmd_list, "", N_("List serial ports and virtual boards"), FALSE },
  { "version", cmd_version, "", N_("Print the version"), FALSE },
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

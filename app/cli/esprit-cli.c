/* esprit-cli.c: esptool-compatible command line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "esprit-cli-numbers.h"
#include "esprit-error.h"
#include "esprit-flash.h"
#include "esprit-image.h"
#include "esprit-loader.h"
#include "esprit-port-list.h"
#include "esprit-sim.h"
#include "esprit-write-plan.h"

#define EXIT_BAD_INPUT 2
#define ROM_BAUD 115200

typedef struct {
  char         *port;
  guint         baud;
  EspritChip    chip;
  EspritBefore  before;
  EspritAfter   after;
  gboolean      no_stub;
  guint         attempts;
  gboolean      trace;
  gboolean      tty;
  gboolean      progress_open;   /* a \r progress line is on screen */
  char         *last_progress;   /* the last progress line, not to be repeated */
} Options;

static void
options_clear (Options *opts)
{
  g_clear_pointer (&opts->port, g_free);
  g_clear_pointer (&opts->last_progress, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

typedef struct _Command Command;
typedef int (*CommandFunc) (Options *opts, int argc, char **argv);

struct _Command {
  const char  *name;
  CommandFunc  func;
  const char  *args;
  const char  *help;
};

/* ---- output ------------------------------------------------------------------------- */

static void
end_progress (Options *opts)
{
  if (opts->progress_open)
    fputc ('\n', stdout);
  opts->progress_open = FALSE;
}

static void
on_log (EspritLogLevel  level,
        const char     *line,
        gpointer        user_data)
{
  Options *opts = user_data;

  switch (level)
    {
    case ESPRIT_LOG_PROGRESS:
      /* On a terminal the progress line rewrites itself; in a log each step stays. */
      if (opts->tty)
        {
          printf ("\r%s", line);
          opts->progress_open = TRUE;
        }
      else
        printf ("%s\n", line);
      g_free (opts->last_progress);
      opts->last_progress = g_strdup (line);
      break;
    case ESPRIT_LOG_WARNING:
      end_progress (opts);
      printf (_("Warning: %s\n"), line);
      break;
    case ESPRIT_LOG_TRACE:
      end_progress (opts);
      fprintf (stderr, "TRACE %s\n", line);
      break;
    case ESPRIT_LOG_INFO:
    default:
      /* A final line equal to the last progress line is already on screen. */
      if (g_strcmp0 (line, opts->last_progress) == 0)
        {
          end_progress (opts);
          break;
        }
      end_progress (opts);
      printf ("%s\n", line);
      break;
    }
  fflush (stdout);
}

static const char *
hint_for (const GError *error)
{
  if (error->domain != ESPRIT_ERROR)
    return NULL;
  switch (error->code)
    {
    case ESPRIT_ERROR_NO_SYNC:
      return _("Put the board in download mode: hold BOOT (or FLASH), tap RESET, release BOOT. "
               "Check that the port is the board's and the cable carries data.");
    case ESPRIT_ERROR_PORT_BUSY:
      return _("Close the serial monitor or other program using the port, then try again.");
    case ESPRIT_ERROR_DISCONNECTED:
      return _("The connection dropped. The board kept what was written so far; running the "
               "same command again is safe.");
    case ESPRIT_ERROR_TIMEOUT:
      return _("The board stopped answering. Try a lower --baud, a shorter cable, or reset it.");
    case ESPRIT_ERROR_CHECKSUM:
      return _("Data was corrupted on the way. Running the command again is safe.");
    default:
      return NULL;
    }
}

static int
fail_with (Options *opts,
           GError  *error)
{
  const char *hint = hint_for (error);

  end_progress (opts);
  fprintf (stderr, _("Error: %s\n"), error->message);
  if (hint != NULL)
    fprintf (stderr, "%s\n", hint);
  return error->domain == ESPRIT_ERROR &&
         (error->code == ESPRIT_ERROR_INVALID_ARGUMENT || error->code == ESPRIT_ERROR_IMAGE_INVALID ||
          error->code == ESPRIT_ERROR_IMAGE_TOO_LARGE)
         ? EXIT_BAD_INPUT : 1;
}

static int
bad_input (const char *format,
           ...) G_GNUC_PRINTF (1, 2);

static int
bad_input (const char *format,
           ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, _("Error: %s\n"), msg);
  return EXIT_BAD_INPUT;
}

static char *
format_mac (const guint8 mac[6])
{
  return g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                          mac[4], mac[5]);
}

static char *
size_name (guint32 bytes)
{
  if (bytes >= 1024 * 1024)
    return g_strdup_printf ("%uMB", bytes / (1024 * 1024));
  return g_strdup_printf ("%uKB", bytes / 1024);
}

/* ---- connection --------------------------------------------------------------------- */

static char *
default_port (void)
{
  g_autoptr(GPtrArray) ports = NULL;

  if (g_getenv ("ESPTOOL_PORT") != NULL)
    return g_strdup (g_getenv ("ESPTOOL_PORT"));
  ports = esprit_port_list ();
  if (ports->len == 0)
    return NULL;
  return g_strdup (((EspritPortInfo *) ports->pdata[0])->path);
}

/* Opens the port, connects, prints the chip, starts the stub and changes the baud rate as
 * esptool does. */
static EspritLoader *
connect_board (Options  *opts,
               gboolean  want_stub,
               GError  **error)
{
  g_autoptr(EspritTransport) transport = NULL;
  g_autoptr(EspritLoader) loader = NULL;
  g_autoptr(GError) stub_error = NULL;
  EspritDeviceInfo info = { 0 };
  guint initial = MIN (opts->baud, ROM_BAUD);
  g_autofree char *mac = NULL;
  const EspritChipInfo *chip;
  guint32 words[4];

  if (opts->port == NULL)
    opts->port = default_port ();
  if (opts->port == NULL)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                           _("No serial port found: plug the board in, or give --port "
                             "(sim:esp8266 is a virtual board)"));
      return NULL;
    }
  printf (_("Serial port %s\n"), opts->port);
  transport = esprit_sim_open_port (opts->port, initial, error);
  if (transport == NULL)
    return NULL;
  loader = esprit_loader_new (transport);
  esprit_loader_set_log_func (loader, on_log, opts, NULL);
  esprit_loader_set_trace (loader, opts->trace);
  if (!esprit_loader_connect (loader, opts->before, opts->attempts, opts->chip, NULL, NULL, NULL,
                              error))
    return NULL;

  chip = esprit_chip_get_info (esprit_loader_get_chip (loader));
  if (esprit_loader_get_chip (loader) == ESPRIT_CHIP_ESP8266)
    {
      for (guint i = 0; i < 4; i++)
        if (!esprit_loader_read_reg (loader, chip->mac_base + 4 * i, &words[i], NULL, error))
          return NULL;
      info.description = g_strdup ((words[0] & (1u << 4)) || (words[2] & (1u << 16))
                                   ? "ESP8285" : "ESP8266EX");
      info.features = g_strdup (_("WiFi"));
    }
  else
    {
      info.description = g_strdup (chip->name);
      info.features = NULL;
    }
  printf (_("Chip is %s\n"), info.description);
  if (info.features)
    printf (_("Features: %s\n"), info.features);
  if (esprit_loader_get_kind (loader) == ESPRIT_LOADER_ROM)
    {
      guint32 clkdiv;

      if (!esprit_loader_read_reg (loader, chip->uart_clkdiv_reg, &clkdiv, NULL, error))
        {
          esprit_device_info_clear (&info);
          return NULL;
        }
      printf (_("Crystal is %uMHz\n"),
              esprit_chip_estimate_xtal (esprit_loader_get_chip (loader), clkdiv, initial));
    }
  esprit_device_info_clear (&info);
  if (!esprit_loader_read_mac (loader, info.mac, NULL, error))
    return NULL;
  mac = format_mac (info.mac);
  printf (_("MAC: %s\n"), mac);

  if (want_stub && !opts->no_stub &&
      !esprit_loader_run_stub (loader, NULL, NULL, NULL, &stub_error))
    {
      /* The ROM still answers unless the jump left the board without a loader. */
      if (g_error_matches (stub_error, ESPRIT_ERROR, ESPRIT_ERROR_NO_SYNC))
        {
          g_propagate_error (error, g_steal_pointer (&stub_error));
          return NULL;
        }
      printf (_("Warning: %s; going on with the ROM loader\n"), stub_error->message);
    }

  if (opts->baud != esprit_transport_get_baud (transport))
    {
      g_autoptr(GError) baud_error = NULL;

      if (!esprit_loader_change_baud (loader, opts->baud, NULL, &baud_error))
        {
          if (!g_error_matches (baud_error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED))
            {
              g_propagate_error (error, g_steal_pointer (&baud_error));
              return NULL;
            }
          printf (_("Warning: %s. Keeping %u baud.\n"), baud_error->message,
                  esprit_transport_get_baud (transport));
        }
    }
  return g_steal_pointer (&loader);
}

static int
finish (Options      *opts,
        EspritLoader *loader,
        GError       *error)
{
  g_autoptr(GError) after_error = NULL;

  if (error != NULL)
    return fail_with (opts, error);
  end_progress (opts);
  printf (_("\nLeaving...\n"));
  if (!esprit_loader_finish (loader, opts->after, NULL, &after_error))
    return fail_with (opts, after_error);
  return 0;
}

/* ---- commands ----------------------------------------------------------------------- */

static int
cmd_chip_id (Options  *opts,
             int       argc,
             char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritLoader) loader = NULL;

  if (argc != 0)
    return bad_input (_("chip_id takes no arguments"));
  loader = connect_board (opts, TRUE, &error);
  if (loader == NULL)
    return fail_with (opts, error);
  if (esprit_loader_get_chip (loader) == ESPRIT_CHIP_ESP8266)
    {
      const EspritChipInfo *chip = esprit_chip_get_info (ESPRIT_CHIP_ESP8266);
      guint32 w[4];

      for (guint i = 0; i < 4; i++)
        if (!esprit_loader_read_reg (loader, chip->mac_base + 4 * i, &w[i], NULL, &error))
          return fail_with (opts, error);
      printf (_("Chip ID: 0x%08x\n"), esprit_chip_esp8266_chip_id (w));
    }
  else
    {
      guint8 mac[6];
      g_autofree char *text = NULL;

      printf (_("Warning: %s has no chip ID. Reading MAC instead.\n"),
              esprit_chip_get_info (esprit_loader_get_chip (loader))->name);
      if (!esprit_loader_read_mac (loader, mac, NULL, &error))
        return fail_with (opts, error);
      text = format_mac (mac);
      printf (_("MAC: %s\n"), text);
    }
  return finish (opts, loader, NULL);
}

static int
cmd_read_mac (Options  *opts,
              int       argc,
              char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritLoader) loader = NULL;

  if (argc != 0)
    return bad_input (_("read_mac takes no arguments"));
  /* connect_board prints the MAC like esptool's read_mac does. */
  loader = connect_board (opts, TRUE, &error);
  if (loader == NULL)
    return fail_with (opts, error);
  return finish (opts, loader, NULL);
}

static int
cmd_flash_id (Options  *opts,
              int       argc,
              char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritLoader) loader = NULL;
  guint32 id, size;
  g_autofree char *name = NULL;

  if (argc != 0)
    return bad_input (_("flash_id takes no arguments"));
  loader = connect_board (opts, TRUE, &error);
  if (loader == NULL)
    return fail_with (opts, error);
  if (!esprit_flash_read_id (loader, &id, NULL, &error))
    return fail_with (opts, error);
  printf (_("Manufacturer: %02x\n"), id & 0xFF);
  printf (_("Device: %02x%02x\n"), (id >> 8) & 0xFF, (id >> 16) & 0xFF);
  size = esprit_flash_size_from_jedec (id);
  name = size ? size_name (size) : g_strdup (_("unknown"));
  printf (_("Detected flash size: %s\n"), name);
  return finish (opts, loader, NULL);
}

/* Writes @data to @path through a temporary file in the same directory, renamed at the end:
 * the user's file is either the old one or the complete new one. */
static gboolean
save_atomically (const char    *path,
                 const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  /* GFile's replace writes a temporary and renames it on close. */
  return g_file_replace_contents (file, (const char *) data, len, NULL, FALSE,
                                  G_FILE_CREATE_NONE, NULL, NULL, error);
}

static gboolean
check_writable_dir (const char  *path,
                    GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT, _("%s is a directory"),
                   path);
      return FALSE;
    }
  if (access (dir, W_OK) != 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("Cannot write to %s: %s"), dir, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static int
cmd_read_flash (Options  *opts,
                int       argc,
                char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritLoader) loader = NULL;
  g_autofree guint8 *buffer = NULL;
  guint32 addr, size, flash_size;

  if (argc != 3)
    return bad_input (_("usage: read_flash ADDRESS SIZE FILE"));
  if (!esprit_cli_parse_number (argv[0], _("Address"), &addr, &error) ||
      !esprit_cli_parse_number (argv[1], _("Size"), &size, &error) ||
      !check_writable_dir (argv[2], &error))
    return fail_with (opts, error);
  if (size == 0)
    return bad_input (_("Size must not be 0"));
  if ((guint64) addr + size > G_MAXUINT32)
    return bad_input (_("0x%08x + 0x%08x is past the end of any flash"), addr, size);

  loader = connect_board (opts, TRUE, &error);
  if (loader == NULL)
    return fail_with (opts, error);
  if (esprit_flash_detect_size (loader, &flash_size, NULL, NULL) &&
      (guint64) addr + size > flash_size)
    {
      g_autofree char *fs = size_name (flash_size);

      g_set_error (&error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("0x%08x + 0x%x bytes is past the end of the %s flash"), addr, size, fs);
      return fail_with (opts, error);
    }
  buffer = g_try_malloc (size);
  if (buffer == NULL)
    return bad_input (_("Not enough memory for %u bytes"), size);
  if (!esprit_flash_read (loader, addr, size, buffer, NULL, NULL, NULL, &error) ||
      !save_atomically (argv[2], buffer, size, &error))
    return fail_with (opts, error);
  return finish (opts, loader, NULL);
}

static GBytes *
load_file (const char  *path,
           GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT, _("Cannot read %s: %s"),
                   path, local_error->message);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static int
cmd_write_flash (Options  *opts,
                 int       argc,
                 char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritLoader) loader = NULL;
  g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
  EspritWriteOptions wopts = ESPRIT_WRITE_OPTIONS_DEFAULT;
  int mode = ESPRIT_FLASH_MODE_KEEP, freq = ESPRIT_FLASH_FREQ_KEEP;
  guint32 size = ESPRIT_FLASH_SIZE_KEEP;
  gboolean erase_all = FALSE;
  int i;

  for (i = 0; i < argc && argv[i][0] == '-'; i++)
    {
      const char *a = argv[i];
      const char *v = i + 1 < argc ? argv[i + 1] : NULL;

      if (g_str_equal (a, "-fm") || g_str_equal (a, "--flash_mode") || g_str_equal (a, "--flash-mode"))
        {
          if (v == NULL || (mode = esprit_flash_mode_parse (v)) == -2)
            return bad_input (_("--flash-mode must be keep, qio, qout, dio or dout"));
          i++;
        }
      else if (g_str_equal (a, "-ff") || g_str_equal (a, "--flash_freq") || g_str_equal (a, "--flash-freq"))
        {
          if (v == NULL || (freq = esprit_flash_freq_parse (v)) == -2)
            return bad_input (_("--flash-freq must be keep, 80m, 40m, 26m or 20m"));
          i++;
        }
      else if (g_str_equal (a, "-fs") || g_str_equal (a, "--flash_size") || g_str_equal (a, "--flash-size"))
        {
          if (v == NULL)
            return bad_input (_("--flash-size needs a value: keep, detect or a size like 4MB"));
          if (g_str_equal (v, "keep"))
            size = ESPRIT_FLASH_SIZE_KEEP;
          else if (g_str_equal (v, "detect"))
            size = ESPRIT_FLASH_SIZE_DETECT;
          else if (!esprit_cli_parse_number (v, _("Flash size"), &size, &error) || size < 4096)
            return error ? fail_with (opts, error) : bad_input (_("Flash size too small"));
          i++;
        }
      else if (g_str_equal (a, "-z") || g_str_equal (a, "--compress"))
        wopts.compress = ESPRIT_COMPRESS_ON;
      else if (g_str_equal (a, "-u") || g_str_equal (a, "--no-compress"))
        wopts.compress = ESPRIT_COMPRESS_OFF;
      else if (g_str_equal (a, "--verify"))
        wopts.verify = TRUE;
      else if (g_str_equal (a, "--no-verify"))
        wopts.verify = FALSE;
      else if (g_str_equal (a, "--no-skip"))
        wopts.skip_unchanged = FALSE;
      else if (g_str_equal (a, "-e") || g_str_equal (a, "--erase-all"))
        erase_all = TRUE;
      else
        return bad_input (_("Unknown write_flash option %s"), a);
    }
  if (i == argc || (argc - i) % 2 != 0)
    return bad_input (_("usage: write_flash [options] ADDRESS FILE [ADDRESS FILE...]"));
  for (; i < argc; i += 2)
    {
      guint32 addr;
      g_autoptr(GBytes) data = NULL;
      g_autofree char *base = g_path_get_basename (argv[i + 1]);

      if (!esprit_cli_parse_number (argv[i], _("Address"), &addr, &error))
        return fail_with (opts, error);
      data = load_file (argv[i + 1], &error);
      if (data == NULL)
        return fail_with (opts, error);
      esprit_write_plan_add (plan, addr, data, base);
    }
  esprit_write_plan_set_header (plan, mode, size, freq);
  esprit_write_plan_set_options (plan, &wopts);
  esprit_write_plan_set_erase_all (plan, erase_all);
  /* Everything that can be judged without the board is judged before it is touched. */
  if (!esprit_write_plan_check (plan, opts->chip,
                                size > ESPRIT_FLASH_SIZE_DETECT ? size : 0, &error))
    return fail_with (opts, error);

  loader = connect_board (opts, TRUE, &error);
  if (loader == NULL)
    return fail_with (opts, error);
  if (!esprit_write_plan_run (plan, loader, NULL, NULL, NULL, &error))
    return fail_with (opts, error);
  return finish (opts, loader, NULL);
}

static int
cmd_verify_flash (Options  *opts,
                  int       argc,
                  char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritLoader) loader = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GArray) addrs = g_array_new (FALSE, FALSE, sizeof (guint32));
  int failures = 0;

  if (argc == 0 || argc % 2 != 0)
    return bad_input (_("usage: verify_flash ADDRESS FILE [ADDRESS FILE...]"));
  for (int i = 0; i < argc; i += 2)
    {
      guint32 addr;
      GBytes *data;

      if (!esprit_cli_parse_number (argv[i], _("Address"), &addr, &error))
        return fail_with (opts, error);
      data = load_file (argv[i + 1], &error);
      if (data == NULL)
        return fail_with (opts, error);
      g_ptr_array_add (files, data);
      g_array_append_val (addrs, addr);
    }
  loader = connect_board (opts, TRUE, &error);
  if (loader == NULL)
    return fail_with (opts, error);
  for (guint i = 0; i < files->len; i++)
    {
      GBytes *data = files->pdata[i];
      guint32 addr = g_array_index (addrs, guint32, i);
      gsize len = g_bytes_get_size (data);
      guint8 remote[16], local[16];
      gsize dlen = 16;
      g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);

      printf (_("Verifying 0x%zx (%zu) bytes @ 0x%08x in flash "
                "against %s...\n"), len, len, addr, argv[2 * i + 1]);
      if (!esprit_flash_md5 (loader, addr, (guint32) len, remote, NULL, &error))
        return fail_with (opts, error);
      g_checksum_update (md5, g_bytes_get_data (data, NULL), len);
      g_checksum_get_digest (md5, local, &dlen);
      if (memcmp (remote, local, 16) == 0)
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
  return finish (opts, loader, NULL);
}

static int
cmd_erase_flash (Options  *opts,
                 int       argc,
                 char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritLoader) loader = NULL;

  if (argc != 0)
    return bad_input (_("erase_flash takes no arguments"));
  loader = connect_board (opts, TRUE, &error);
  if (loader == NULL)
    return fail_with (opts, error);
  if (!esprit_flash_erase_all (loader, NULL, NULL, NULL, &error))
    return fail_with (opts, error);
  return finish (opts, loader, NULL);
}

static int
cmd_erase_region (Options  *opts,
                  int       argc,
                  char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritLoader) loader = NULL;
  guint32 addr, size, flash_size;

  if (argc != 2)
    return bad_input (_("usage: erase_region ADDRESS SIZE"));
  if (!esprit_cli_parse_number (argv[0], _("Address"), &addr, &error) ||
      !esprit_cli_parse_number (argv[1], _("Size"), &size, &error))
    return fail_with (opts, error);
  if (addr % 4096 != 0 || size % 4096 != 0 || size == 0)
    return bad_input (_("Address and size must be nonzero multiples of 4096 (0x1000): "
                        "flash is erased in 4 KB sectors"));
  loader = connect_board (opts, TRUE, &error);
  if (loader == NULL)
    return fail_with (opts, error);
  if (esprit_flash_detect_size (loader, &flash_size, NULL, NULL) &&
      (guint64) addr + size > flash_size)
    {
      g_set_error (&error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("0x%08x + 0x%x bytes is past the end of the flash (%u KB)"), addr, size,
                   flash_size / 1024);
      return fail_with (opts, error);
    }
  if (!esprit_flash_erase_region (loader, addr, size, NULL, NULL, NULL, &error))
    return fail_with (opts, error);
  return finish (opts, loader, NULL);
}

static int
cmd_run (Options  *opts,
         int       argc,
         char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritLoader) loader = NULL;

  if (argc != 0)
    return bad_input (_("run takes no arguments"));
  /* On an ESP8266 through the stub's RUN_USER_CODE, as esptool does (§2); the ESP32-family
   * ROMs leave for the flash themselves (Esprit's stubs there never return to the ROM). */
  loader = connect_board (opts, FALSE, &error);
  if (loader == NULL)
    return fail_with (opts, error);
  if (esprit_loader_get_chip (loader) == ESPRIT_CHIP_ESP8266 && !opts->no_stub &&
      !esprit_loader_run_stub (loader, NULL, NULL, NULL, &error))
    {
      /* As connect_board: the ROM's own soft reset still works when it answers. */
      if (g_error_matches (error, ESPRIT_ERROR, ESPRIT_ERROR_NO_SYNC))
        return fail_with (opts, error);
      printf (_("Warning: %s; going on with the ROM loader\n"), error->message);
      g_clear_error (&error);
    }
  /* esptool's run: leave the loader for the program in flash (§3 soft_reset). */
  if (!esprit_loader_finish (loader, ESPRIT_AFTER_SOFT_RESET, NULL, &error))
    return fail_with (opts, error);
  return 0;
}

static int
cmd_image_info (Options  *opts,
                int       argc,
                char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autofree char *desc = NULL;
  EspritImageInfo info;
  gsize len;
  const guint8 *p;

  if (argc != 1)
    return bad_input (_("usage: image_info FILE"));
  data = load_file (argv[0], &error);
  if (data == NULL)
    return fail_with (opts, error);
  p = g_bytes_get_data (data, &len);
  if (!esprit_image_parse (p, len, opts->chip, &info, &error))
    return fail_with (opts, error);
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
cmd_list (Options  *opts,
          int       argc,
          char    **argv)
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
cmd_version (Options  *opts,
             int       argc,
             char    **argv)
{
  printf ("%s\n", PACKAGE_VERSION);
  return 0;
}

static const Command commands[] = {
  { "chip_id", cmd_chip_id, "", N_("Print the chip's ID (ESP8266) or MAC") },
  { "read_mac", cmd_read_mac, "", N_("Print the MAC address") },
  { "flash_id", cmd_flash_id, "", N_("Print the SPI flash's JEDEC id and size") },
  { "read_flash", cmd_read_flash, N_("ADDRESS SIZE FILE"), N_("Back up flash to a file (verified)") },
  { "write_flash", cmd_write_flash,
    N_("[-fm keep|qio|qout|dio|dout] [-ff keep|80m|40m|26m|20m] [-fs keep|detect|SIZE] "
       "[-z|-u] [--verify|--no-verify] [--no-skip] [-e] ADDRESS FILE [ADDRESS FILE...]"),
    N_("Write files to flash, verify them, and restart the board") },
  { "verify_flash", cmd_verify_flash, N_("ADDRESS FILE [ADDRESS FILE...]"),
    N_("Compare flash with files by MD5") },
  { "erase_flash", cmd_erase_flash, "", N_("Erase the whole flash") },
  { "erase_region", cmd_erase_region, N_("ADDRESS SIZE"), N_("Erase a region (4 KB multiples)") },
  { "run", cmd_run, "", N_("Leave the loader and run the program in flash") },
  { "image_info", cmd_image_info, N_("FILE"), N_("Describe a firmware image") },
  { "list", cmd_list, "", N_("List serial ports and virtual boards") },
  { "version", cmd_version, "", N_("Print the version") },
};

static void
usage (FILE *out)
{
  fprintf (out, _("usage: esprit-cli [--port PORT] [--baud BAUD] [--chip CHIP] [--before MODE] "
                  "[--after MODE]\n                  [--no-stub] [--connect-attempts N] "
                  "[--trace] COMMAND [ARGS]\n\n"));
  fprintf (out, _("Ports: /dev/ttyUSB0, socket://HOST:PORT, rfc2217://HOST:PORT, sim:esp8266, "
                  "sim:esp32 (virtual boards)\n"));
  fprintf (out, _("--before: default_reset, usb_reset, no_reset, no_reset_no_sync\n"));
  fprintf (out, _("--after: hard_reset (default), soft_reset, no_reset, no_reset_stub\n\n"));
  fprintf (out, _("Commands (also spelled with -, e.g. read-flash):\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-13s %s\n                %s\n", commands[i].name, _(commands[i].help),
             _(commands[i].args));
}

static const Command *
find_command (const char *name)
{
  g_autofree char *norm = g_strdelimit (g_strdup (name), "-", '_');

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (norm, commands[i].name))
      return &commands[i];
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  g_auto(Options) opts = { NULL, ROM_BAUD, ESPRIT_CHIP_AUTO, ESPRIT_BEFORE_DEFAULT_RESET,
                   ESPRIT_AFTER_HARD_RESET, FALSE, 7, FALSE, FALSE, FALSE, NULL };
  const Command *cmd;
  int i, rc;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  opts.tty = isatty (STDOUT_FILENO);

  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      const char *a = argv[i];
      const char *v = i + 1 < argc ? argv[i + 1] : NULL;
      g_autoptr(GError) error = NULL;

      if (g_str_equal (a, "-h") || g_str_equal (a, "--help"))
        {
          usage (stdout);
          return 0;
        }
      if (g_str_equal (a, "--no-stub"))
        {
          opts.no_stub = TRUE;
          continue;
        }
      if (g_str_equal (a, "--trace") || g_str_equal (a, "-t"))
        {
          opts.trace = TRUE;
          continue;
        }
      if (v == NULL)
        return bad_input (_("%s needs a value"), a);
      i++;
      if (g_str_equal (a, "--port") || g_str_equal (a, "-p"))
        {
          g_free (opts.port);
          opts.port = g_strdup (v);
        }
      else if (g_str_equal (a, "--baud") || g_str_equal (a, "-b"))
        {
          if (!esprit_cli_parse_number (v, _("Baud rate"), &opts.baud, &error) ||
              opts.baud < 300 || opts.baud > 5000000)
            return error ? (fprintf (stderr, _("Error: %s\n"), error->message), EXIT_BAD_INPUT)
                         : bad_input (_("Baud rate %s is out of range (300 to 5000000)"), v);
        }
      else if (g_str_equal (a, "--chip") || g_str_equal (a, "-c"))
        {
          opts.chip = esprit_chip_from_name (v);
          if ((int) opts.chip == -2)
            return bad_input (_("Unknown chip %s (auto, esp8266, esp32, esp32s2, esp32s3, "
                                "esp32c3, esp32c6)"), v);
        }
      else if (g_str_equal (a, "--before"))
        {
          g_autofree char *m = g_strdelimit (g_strdup (v), "-", '_');

          if (g_str_equal (m, "default_reset"))
            opts.before = ESPRIT_BEFORE_DEFAULT_RESET;
          else if (g_str_equal (m, "usb_reset"))
            opts.before = ESPRIT_BEFORE_USB_RESET;
          else if (g_str_equal (m, "classic_reset"))
            opts.before = ESPRIT_BEFORE_CLASSIC_RESET;
          else if (g_str_equal (m, "unix_tight_reset"))
            opts.before = ESPRIT_BEFORE_UNIX_TIGHT_RESET;
          else if (g_str_equal (m, "no_reset"))
            opts.before = ESPRIT_BEFORE_NO_RESET;
          else if (g_str_equal (m, "no_reset_no_sync"))
            opts.before = ESPRIT_BEFORE_NO_RESET_NO_SYNC;
          else
            return bad_input (_("Unknown --before mode %s"), v);
        }
      else if (g_str_equal (a, "--after") || g_str_equal (a, "-a"))
        {
          g_autofree char *m = g_strdelimit (g_strdup (v), "-", '_');

          if (g_str_equal (m, "hard_reset"))
            opts.after = ESPRIT_AFTER_HARD_RESET;
          else if (g_str_equal (m, "soft_reset"))
            opts.after = ESPRIT_AFTER_SOFT_RESET;
          else if (g_str_equal (m, "no_reset"))
            opts.after = ESPRIT_AFTER_NO_RESET;
          else if (g_str_equal (m, "no_reset_stub"))
            opts.after = ESPRIT_AFTER_NO_RESET_STUB;
          else
            return bad_input (_("Unknown --after mode %s"), v);
        }
      else if (g_str_equal (a, "--connect-attempts"))
        {
          if (!esprit_cli_parse_number (v, _("Connect attempts"), &opts.attempts, &error))
            return (fprintf (stderr, _("Error: %s\n"), error->message), EXIT_BAD_INPUT);
        }
      else
        return bad_input (_("Unknown option %s (see --help)"), a);
    }
  if (i >= argc)
    {
      usage (stderr);
      return EXIT_BAD_INPUT;
    }
  cmd = find_command (argv[i]);
  if (cmd == NULL)
    return bad_input (_("Unknown command %s (see --help)"), argv[i]);
  if (cmd->func != cmd_version && cmd->func != cmd_list && cmd->func != cmd_image_info)
    printf ("esprit-cli v%s\n", PACKAGE_VERSION);
  rc = cmd->func (&opts, argc - i - 1, argv + i + 1);
  return rc;
}

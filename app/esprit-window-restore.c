/* esprit-window-restore.c: restoring a whole-flash backup, after checking it belongs on the
 * connected board: the chip (from the backup's contents where its images tell it, else from
 * its name <chip>-<mac>-<date>.img) and the flash size must match, and a backup made from
 * another board of the same chip (another MAC) is written only once confirmed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esprit-image.h"
#include "esprit-numbers.h"
#include "esprit-window-private.h"

typedef struct {
  GFile            *file;
  EspritChip        chip;        /* what the backup is of; AUTO when nothing tells */
  gboolean          chip_from_contents;
  gboolean          has_mac;
  guint8            mac[6];
  guint64           size;
  EspritDeviceInfo  board;       /* what the check job found */
} Check;

static void
check_free (gpointer data)
{
  Check *c = data;

  g_object_unref (c->file);
  esprit_device_info_clear (&c->board);
  g_free (c);
}

static gboolean
check_func (EspritJob      *job,
            EspritSession  *session,
            gpointer        data,
            GCancellable   *cancellable,
            GError        **error)
{
  Check *c = data;

  return esprit_session_identify (session, &c->board, cancellable, error);
}

static void
refuse (EspritWindow *self,
        const char   *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                              _("This Backup Is Not for This Board"), body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_other_board_response (AdwMessageDialog *dialog,
                         const char       *response,
                         EspritWindow     *self)
{
  GFile *file = g_object_get_data (G_OBJECT (dialog), "esprit-backup");

  if (g_str_equal (response, "restore"))
    _esprit_window_restore_backup_now (self, file);
}

static void
check_done (EspritWindow *self,
            gpointer      data)
{
  Check *c = data;
  const EspritDeviceInfo *b = &c->board;
  g_autofree char *name = g_file_get_basename (c->file);
  g_autofree char *body = NULL;

  _esprit_window_backups_board_seen (self, b);
  if (c->chip != ESPRIT_CHIP_AUTO && c->chip != b->chip)
    {
      const char *want = esprit_chip_get_info (c->chip)->name;
      const char *have = esprit_chip_get_info (b->chip)->name;

      body = c->chip_from_contents
             /* Translators: the backup's file name, its chip, the board's chip */
             ? g_strdup_printf (_("%s holds the flash of an %s (its images say so), but the "
                                  "board is an %s. Nothing was written."), name, want, have)
             /* Translators: the backup's file name, its chip, the board's chip */
             : g_strdup_printf (_("%s was made from an %s (its name says so), but the board "
                                  "is an %s. Nothing was written."), name, want, have);
      refuse (self, body);
      return;
    }
  if (b->flash_size != 0 && c->size != b->flash_size)
    {
      g_autofree char *want = esprit_format_size (c->size);
      g_autofree char *have = esprit_format_size (b->flash_size);

      /* Translators: the backup's file name and size, the size of the board's flash */
      body = g_strdup_printf (_("%s holds %s of flash, but the board's flash is %s: it is a "
                                "backup of another board. Nothing was written."), name, want,
                              have);
      refuse (self, body);
      return;
    }
  if (c->has_mac && memcmp (c->mac, b->mac, 6) != 0)
    {
      GtkWidget *dialog;

      /* Translators: the backup's file name, the MAC it was made from, the board's MAC */
      body = g_strdup_printf (_("%s was made from the board %02x:%02x:%02x:%02x:%02x:%02x; "
                                "this one is %02x:%02x:%02x:%02x:%02x:%02x. Its settings and "
                                "calibration would be the other board's."), name,
                              c->mac[0], c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5],
                              b->mac[0], b->mac[1], b->mac[2], b->mac[3], b->mac[4], b->mac[5]);
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Restore Another Board's Backup?"),
                                       body);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                        "restore", _("_Restore Anyway"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "restore",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      g_object_set_data_full (G_OBJECT (dialog), "esprit-backup", g_object_ref (c->file),
                              g_object_unref);
      g_signal_connect (dialog, "response", G_CALLBACK (on_other_board_response), self);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  _esprit_window_restore_backup_now (self, c->file);
}

/* The chip a whole-flash image is of, told by its contents: the layout's images, else an
 * ESP32-family bootloader where the chips keep it (0x1000 on the ESP32 and S2, 0x0 on the
 * S3, C3 and C6, esprit-chips.c) or at 0x2000, where layout detection looks too; its
 * extended header names the chip. An ESP8266 image has no such header: it tells nothing. */
static EspritChip
chip_of_contents (const guint8 *data,
                  gsize         len)
{
  static const guint32 offsets[] = { 0x0, 0x1000, 0x2000 };
  g_autoptr(EspritLayout) layout = NULL;

  if (len == 0 || len > G_MAXUINT32)
    return ESPRIT_CHIP_AUTO;
  layout = esprit_layout_detect_image (data, len, ESPRIT_CHIP_AUTO,
                                       ESPRIT_PARTITION_TABLE_OFFSET);
  if (layout->chip != ESPRIT_CHIP_AUTO)
    return layout->chip;
  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      EspritImageInfo info;

      if (offsets[i] < len &&
          esprit_image_parse (data + offsets[i], len - offsets[i], ESPRIT_CHIP_AUTO, &info,
                              NULL) &&
          info.kind == ESPRIT_IMAGE_ESP && info.has_extended_header &&
          info.chip != ESPRIT_CHIP_AUTO)
        return info.chip;
    }
  return ESPRIT_CHIP_AUTO;
}

void
esprit_window_restore_backup (EspritWindow *self,
                              GFile        *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  EspritChip named = ESPRIT_CHIP_AUTO;
  Check *c;

  g_return_if_fail (ESPRIT_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  mapped = path ? g_mapped_file_new (path, FALSE, &error) : NULL;
  if (mapped == NULL)
    {
      _esprit_window_show_toast (self, error ? error->message : _("That file cannot be read"));
      return;
    }
  c = g_new0 (Check, 1);
  c->file = g_object_ref (file);
  c->size = g_mapped_file_get_length (mapped);
  name = g_file_get_basename (file);
  c->has_mac = _esprit_backup_parse_name (name, &named, c->mac, NULL);
  /* The images in it say which chip the flash was of; the name is the fallback, for a
   * flash without them. */
  c->chip = chip_of_contents ((const guint8 *) g_mapped_file_get_contents (mapped), c->size);
  c->chip_from_contents = c->chip != ESPRIT_CHIP_AUTO;
  if (!c->chip_from_contents)
    c->chip = named;
  _esprit_window_start_job (self, _("Checking the board"), TRUE, ESPRIT_AFTER_HARD_RESET,
                            check_func, c, check_free, check_done, NULL);
}

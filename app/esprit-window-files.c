/* esprit-window-files.c: the window's file list: the drop target, where each file goes by
 * default, and the files of the last flash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esprit-file-row.h"
#include "esprit-image.h"
#include "esprit-window-private.h"

/* Larger than any flash chip the supported boards carry (16 MB), with room to spare. */
#define MAX_FILE_SIZE (64u * 1024 * 1024)

GPtrArray *
_esprit_window_get_file_rows (EspritWindow *self)
{
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->file_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (ESPRIT_IS_FILE_ROW (child))
      g_ptr_array_add (rows, child);
  return rows;
}

/* Where a file usually goes: the first at 0x0, an ESP32-family bootloader at the chip's
 * bootloader offset, a partition table (magic AA 50) at 0x8000, other ESP32 images at
 * 0x10000, anything else after the last file. */
static guint32
default_address (EspritWindow *self,
                 GFile        *file,
                 GBytes       *data)
{
  g_autoptr(GPtrArray) rows = _esprit_window_get_file_rows (self);
  g_autofree char *name = g_file_get_basename (file);
  gsize len;
  const guint8 *p = g_bytes_get_data (data, &len);
  EspritImageInfo info;
  guint32 end = 0;

  if (len >= 2 && p[0] == 0xAA && p[1] == 0x50)
    return 0x8000;
  if (esprit_image_parse (p, len, ESPRIT_CHIP_AUTO, &info, NULL) &&
      info.kind == ESPRIT_IMAGE_ESP && info.has_extended_header && info.chip != ESPRIT_CHIP_AUTO)
    {
      if (strstr (name, "bootloader") != NULL || len <= 48 * 1024)
        return esprit_chip_get_info (info.chip)->bootloader_offset;
      return rows->len == 0 ? 0x0 : 0x10000;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      guint32 a;

      if (esprit_file_row_get_address (rows->pdata[i], &a))
        end = MAX (end, a + (guint32) g_bytes_get_size (esprit_file_row_get_data (rows->pdata[i])));
    }
  return (end + 0xFFF) & ~0xFFFu;
}

static void
on_row_remove (EspritFileRow *row,
               EspritWindow  *self)
{
  gtk_list_box_remove (self->file_list, GTK_WIDGET (row));
  _esprit_window_update_state (self);
}

void
_esprit_window_add_loaded_file (EspritWindow *self,
                                GFile        *file,
                                GBytes       *data,
                                gint64        address)
{
  EspritFileRow *row;

  row = esprit_file_row_new (file, data,
                             address >= 0 ? (guint32) address : default_address (self, file, data));
  g_signal_connect_object (row, "changed", G_CALLBACK (_esprit_window_update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "remove", G_CALLBACK (on_row_remove), self, 0);
  gtk_list_box_append (self->file_list, GTK_WIDGET (row));
  _esprit_window_update_state (self);
}

typedef struct {
  EspritWindow *self;
  gint64        address;   /* -1: the default for the file */
} LoadData;

static void
on_file_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LoadData *ld = user_data;
  g_autoptr(EspritWindow) self = ld->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &len, NULL, &error))
    {
      g_autofree char *name = g_file_get_basename (G_FILE (source));
      g_autofree char *msg = g_strdup_printf (_("Cannot read %s: %s"), name, error->message);

      _esprit_window_show_toast (self, msg);
    }
  else if (len == 0 || len > MAX_FILE_SIZE)
    _esprit_window_show_toast (self, len == 0 ? _("That file is empty")
                                              : _("That file is too large for any flash"));
  else
    {
      g_autoptr(GBytes) data = g_bytes_new_take (g_steal_pointer (&contents), len);

      _esprit_window_add_loaded_file (self, G_FILE (source), data, ld->address);
    }
  g_free (ld);
}

static void
load_file (EspritWindow *self,
           GFile        *file,
           gint64        address)
{
  LoadData *ld = g_new0 (LoadData, 1);

  ld->self = g_object_ref (self);
  ld->address = address;
  g_file_load_contents_async (file, NULL, on_file_loaded, ld);
}

static gboolean
has_suffix_nocase (const char *name,
                   const char *suffix)
{
  gsize n = strlen (name), m = strlen (suffix);

  return n > m && g_ascii_strcasecmp (name + n - m, suffix) == 0;
}

gboolean
_esprit_window_is_gzip_name (const char *name)
{
  return name != NULL && has_suffix_nocase (name, ".gz");
}

gboolean
_esprit_window_takes_gzip (EspritWindow *self)
{
  EspritPortItem *item = _esprit_window_get_port (self);

  return item != NULL && esprit_port_item_is_ota (item) &&
         esprit_port_item_get_chip (item) == ESPRIT_CHIP_ESP8266;
}

/* Why a .bin.gz cannot go to the board chosen, saying what to do instead. */
static char *
gzip_refusal (EspritWindow *self,
              const char   *name)
{
  EspritPortItem *item = _esprit_window_get_port (self);

  if (item != NULL && esprit_port_item_is_ota (item))
    return g_strdup_printf (_("%s is compressed: only the ESP8266 core unpacks a .bin.gz over "
                              "the air. Add the sketch's .bin instead."), name);
  /* The ROM loader writes the bytes as they come (its own compressed writes are deflate
   * streams made by the host, not a file's gzip): the file must be unpacked first. */
  return g_strdup_printf (_("%s is compressed, and a board on a cable takes the image itself. "
                            "Unpack it first (gunzip) and add the .bin, or choose the board "
                            "over the air."), name);
}

void
esprit_window_add_files (EspritWindow *self,
                         GSList       *files)
{
  guint refused = 0;
  g_autofree char *gzip_msg = NULL;

  g_return_if_fail (ESPRIT_IS_WINDOW (self));

  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *name = g_file_get_basename (l->data);

      if (name != NULL && has_suffix_nocase (name, ".bin.gz"))
        {
          if (_esprit_window_takes_gzip (self))
            load_file (self, l->data, -1);
          else if (gzip_msg == NULL)
            gzip_msg = gzip_refusal (self, name);
          continue;
        }
      if (name == NULL || !(has_suffix_nocase (name, ".bin") || has_suffix_nocase (name, ".img")))
        {
          refused++;
          continue;
        }
      load_file (self, l->data, -1);
    }
  if (gzip_msg != NULL)
    _esprit_window_show_toast (self, gzip_msg);
  else if (refused > 0)
    _esprit_window_show_toast (self, _("Only .bin and .img firmware files can be flashed"));
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         EspritWindow  *self)
{
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    esprit_window_add_files (self, g_value_get_boxed (value));
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      GSList one = { g_value_get_object (value), NULL };

      esprit_window_add_files (self, &one);
    }
  else
    return FALSE;
  return TRUE;
}

void
_esprit_window_files_init (EspritWindow *self)
{
  GtkDropTarget *drop;
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  /* The whole window takes drops: the list itself is small and easy to miss. */
  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

void
_esprit_window_restore_files (EspritWindow *self)
{
  g_autoptr(GVariant) recent = g_settings_get_value (self->settings, "recent-files");
  GVariantIter iter;
  const char *path;
  guint32 addr;

  g_variant_iter_init (&iter, recent);
  while (g_variant_iter_next (&iter, "(&su)", &path, &addr))
    if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
      {
        g_autoptr(GFile) file = g_file_new_for_path (path);

        load_file (self, file, addr);
      }
}

void
_esprit_window_remember_files (EspritWindow *self)
{
  g_autoptr(GPtrArray) rows = _esprit_window_get_file_rows (self);
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a(su)"));
  for (guint i = 0; i < rows->len; i++)
    {
      g_autofree char *path = g_file_get_path (esprit_file_row_get_file (rows->pdata[i]));
      guint32 addr;

      if (path != NULL && esprit_file_row_get_address (rows->pdata[i], &addr))
        g_variant_builder_add (&b, "(su)", path, addr);
    }
  g_settings_set_value (self->settings, "recent-files", g_variant_builder_end (&b));
}

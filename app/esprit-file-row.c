/* esprit-file-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-file-row"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-numbers.h"
#include "esprit-file-row.h"
#include "esprit-image.h"

struct _EspritFileRow
{
  AdwActionRow  parent_instance;

  GtkEntry     *address_entry;
  GtkButton    *remove_button;

  GFile        *file;
  GBytes       *data;
  char         *kind;
};

enum {
  SIGNAL_CHANGED,
  SIGNAL_REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EspritFileRow, esprit_file_row, ADW_TYPE_ACTION_ROW)

static void
esprit_file_row_dispose (GObject *object)
{
  EspritFileRow *self = ESPRIT_FILE_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), ESPRIT_TYPE_FILE_ROW);
  g_clear_object (&self->file);
  g_clear_pointer (&self->data, g_bytes_unref);
  g_clear_pointer (&self->kind, g_free);
  G_OBJECT_CLASS (esprit_file_row_parent_class)->dispose (object);
}

static void
on_address_changed (EspritFileRow *self)
{
  guint32 address;

  /* Validated as typed: a field that is not a number is marked at once. */
  if (esprit_file_row_get_address (self, &address))
    gtk_widget_remove_css_class (GTK_WIDGET (self->address_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->address_entry), "error");
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
on_remove_clicked (EspritFileRow *self)
{
  g_signal_emit (self, signals[SIGNAL_REMOVE], 0);
}

static void
esprit_file_row_class_init (EspritFileRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esprit_file_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esprit/Esprit/ui/esprit-file-row.ui");
  gtk_widget_class_bind_template_child (widget_class, EspritFileRow, address_entry);
  gtk_widget_class_bind_template_child (widget_class, EspritFileRow, remove_button);

  /**
   * EspritFileRow::changed:
   *
   * The address was edited.
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
  /**
   * EspritFileRow::remove:
   *
   * The user asked to take the file off the list.
   */
  signals[SIGNAL_REMOVE] =
    g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
esprit_file_row_init (EspritFileRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->address_entry, "changed", G_CALLBACK (on_address_changed), self);
  g_signal_connect_swapped (self->remove_button, "clicked", G_CALLBACK (on_remove_clicked), self);
}

EspritFileRow *
esprit_file_row_new (GFile   *file,
                     GBytes  *data,
                     guint32  address)
{
  EspritFileRow *self = g_object_new (ESPRIT_TYPE_FILE_ROW, NULL);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *size = g_format_size_full (g_bytes_get_size (data), G_FORMAT_SIZE_IEC_UNITS);
  g_autofree char *addr = g_strdup_printf ("0x%x", address);
  g_autofree char *subtitle = NULL;
  g_autofree char *entry_label = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *head = g_bytes_get_data (data, NULL);
  EspritImageInfo info;

  self->file = g_object_ref (file);
  self->data = g_bytes_ref (data);
  /* A .bin.gz: the window takes one only for an ESP8266 over the air, whose core unpacks
   * it (protocol-facts §7.1). */
  if (g_bytes_get_size (data) >= 2 && head[0] == 0x1f && head[1] == 0x8b)
    self->kind = g_strdup (_("gzip-compressed sketch, unpacked by the board"));
  else if (esprit_image_parse (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                               ESPRIT_CHIP_AUTO, &info, &error))
    self->kind = info.kind == ESPRIT_IMAGE_RAW
                 ? g_strdup (_("raw data, such as a backup"))
                 : esprit_image_describe (&info);
  else
    self->kind = g_strdup (error->message);
  subtitle = g_strdup_printf ("%s · %s", size, self->kind);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
  gtk_editable_set_text (GTK_EDITABLE (self->address_entry), addr);
  /* Screen readers: the field is the file's address. */
  entry_label = g_strdup_printf (_("Flash address of %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->address_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, entry_label, -1);
  {
    g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), name);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  }
  return self;
}

GFile *
esprit_file_row_get_file (EspritFileRow *self)
{
  return self->file;
}

GBytes *
esprit_file_row_get_data (EspritFileRow *self)
{
  return self->data;
}

gboolean
esprit_file_row_get_address (EspritFileRow *self,
                             guint32       *address)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_entry));

  return esprit_parse_number (text, _("Address"), address, NULL);
}

void
esprit_file_row_set_problem (EspritFileRow *self,
                             const char    *problem)
{
  g_autofree char *subtitle = NULL;
  g_autofree char *size = g_format_size_full (g_bytes_get_size (self->data),
                                              G_FORMAT_SIZE_IEC_UNITS);

  if (problem != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "error");
      subtitle = g_strdup_printf ("%s · %s", size, problem);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "error");
      subtitle = g_strdup_printf ("%s · %s", size, self->kind);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);
}

void
esprit_file_row_set_address_visible (EspritFileRow *self,
                                     gboolean       visible)
{
  g_return_if_fail (ESPRIT_IS_FILE_ROW (self));
  gtk_widget_set_visible (GTK_WIDGET (self->address_entry), visible);
}

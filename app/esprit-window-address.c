/* esprit-window-address.c: "Add a board by address…": a network board the discovery does
 * not show (no Avahi, another subnet), typed as host[:port]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esprit-window-private.h"

/* ---- "Add a board by address…" ------------------------------------------------------ */

/* "192.168.1.40", "esp.local:3232", "[fe80::1]:8266", "fe80::1" */
static gboolean
parse_address (const char  *text,
               char       **host,
               guint16     *port)
{
  g_autofree char *t = g_strstrip (g_strdup (text));
  const char *colon;
  guint64 p = 0;

  *port = 0;
  if (*t == '[')
    {
      char *end = strchr (t, ']');

      if (end == NULL || end == t + 1)
        return FALSE;
      *end = '\0';
      *host = g_strdup (t + 1);
      colon = end[1] == ':' ? end + 1 : NULL;
      if (end[1] != '\0' && colon == NULL)
        goto bad;
    }
  else
    {
      colon = strchr (t, ':');
      /* More than one colon: an IPv6 address without a port. */
      if (colon != NULL && strchr (colon + 1, ':') != NULL)
        colon = NULL;
      *host = colon ? g_strndup (t, colon - t) : g_strdup (t);
    }
  if (**host == '\0' || strpbrk (*host, " \t/") != NULL)
    goto bad;
  if (colon != NULL && !g_ascii_string_to_unsigned (colon + 1, 10, 1, G_MAXUINT16, &p, NULL))
    goto bad;
  *port = (guint16) p;
  return TRUE;

bad:
  g_clear_pointer (host, g_free);
  return FALSE;
}

static void
on_add_response (AdwMessageDialog *dialog,
                 const char       *response,
                 EspritWindow     *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "esprit-entry");
  const char *previous = g_object_get_data (G_OBJECT (dialog), "esprit-previous");
  g_autofree char *host = NULL;
  g_autofree char *id = NULL;
  guint16 port;

  _esprit_window_close_after_response (dialog);
  if (g_str_equal (response, "add") && parse_address (gtk_editable_get_text (entry), &host, &port))
    {
      /* The cores' default ports tell the family (protocol-facts §7.1). */
      id = esprit_port_model_add_address (self->ports, host, port,
                                          port == 3232 ? ESPRIT_CHIP_ESP32 : ESPRIT_CHIP_ESP8266);
      esprit_window_select_port (self, id);
      return;
    }
  if (g_str_equal (response, "add"))
    _esprit_window_show_toast (self, _("That is not an address: type 192.168.1.40 or "
                                       "name.local, with :port if needed"));
  if (previous == NULL || !esprit_window_select_port (self, previous))
    adw_combo_row_set_selected (self->port_row, esprit_port_model_get_preferred (self->ports));
}

void
_esprit_window_ota_add_board (EspritWindow *self,
                              const char   *previous)
{
  GtkWidget *dialog, *entry;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Add a Board by Address"),
                                   _("A board running ArduinoOTA: its address (192.168.1.40 "
                                     "or esp8266-1a2b3c.local), with :3232 for an ESP32 or "
                                     ":port if its sketch changed it."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "add", _("_Add"), NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "add");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), "192.168.1.40");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  g_object_set_data (G_OBJECT (dialog), "esprit-entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "esprit-previous", g_strdup (previous), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_add_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* esprit-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-application"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-application.h"
#include "esprit-window.h"

struct _EspritApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (EspritApplication, esprit_application, ADW_TYPE_APPLICATION)

static void
esprit_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (esprit_window_new (ADW_APPLICATION (app)));
  gtk_window_present (window);
}

static void
esprit_application_open (GApplication  *app,
                         GFile        **files,
                         int            n_files,
                         const char    *hint)
{
  GSList *list = NULL;
  EspritWindow *window;

  esprit_application_activate (app);
  window = ESPRIT_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  for (int i = n_files; i > 0; i--)
    list = g_slist_prepend (list, files[i - 1]);
  esprit_window_add_files (window, list);
  g_slist_free (list);
}

static void
about_action (GSimpleAction *action,
              GVariant      *param,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "Esprit developers", NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", _("Esprit"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Back up, restore and flash ESP8266 and ESP32 boards"),
                         NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *param,
             gpointer       user_data)
{
  g_application_quit (user_data);
}

static void
esprit_application_startup (GApplication *app)
{
  static const GActionEntry entries[] = {
    { "about", about_action },
    { "quit", quit_action },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (esprit_application_parent_class)->startup (app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
esprit_application_class_init (EspritApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = esprit_application_activate;
  app_class->open = esprit_application_open;
  app_class->startup = esprit_application_startup;
}

static void
esprit_application_init (EspritApplication *self)
{
}

EspritApplication *
esprit_application_new (void)
{
  return g_object_new (ESPRIT_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/esprit/Esprit",
                       NULL);
}

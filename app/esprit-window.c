/* esprit-window.c: the one window: the board and options, and the pieces it is made of
 *
 * The window is split by concern, sharing its struct through esprit-window-private.h:
 * this file has the object, the port choice, the options and the state of the actions;
 * esprit-window-files.c the file list; esprit-window-actions.c the actions. The ports
 * are an EspritPortModel, the progress an EspritProgressView.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-error.h"
#include "esprit-file-row.h"
#include "esprit-window-private.h"

G_DEFINE_FINAL_TYPE (EspritWindow, esprit_window, ADW_TYPE_APPLICATION_WINDOW)

void
_esprit_window_show_toast (EspritWindow *self,
                           const char   *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* ---- ports -------------------------------------------------------------------------- */

EspritPortItem *
_esprit_window_get_port (EspritWindow *self)
{
  return adw_combo_row_get_selected_item (self->port_row);
}

static void
on_port_selected (EspritWindow *self)
{
  EspritPortItem *item = _esprit_window_get_port (self);
  const char *id = item ? esprit_port_item_get_id (item) : NULL;

  /* The model is changing: the row's selection passes through neighbours on the way. */
  if (self->ports_changing || g_strcmp0 (id, self->port_id) == 0)
    return;
  /* Not a port: the dialog adds one and selects it, or goes back to the last one. */
  if (esprit_port_item_get_kind (item) == ESPRIT_PORT_KIND_ADD)
    {
      _esprit_window_ota_add_board (self, self->port_id);
      return;
    }
  g_free (self->port_id);
  self->port_id = g_strdup (id);
  /* A different board: what Identify found no longer holds. */
  self->known_chip = ESPRIT_CHIP_AUTO;
  self->known_flash_size = 0;
  adw_action_row_set_subtitle (self->device_row, _("Not identified yet"));
  _esprit_window_show_map (self, NULL, NULL);
  _esprit_window_boards_update (self);
  _esprit_window_update_state (self);
}

static void
on_ports_changing (EspritWindow *self)
{
  self->ports_changing = TRUE;
}

/* After the row has seen the change: the same port again, or, when it is gone, the one a
 * first start would choose. */
static void
on_ports_changed (EspritWindow *self)
{
  guint position;

  self->ports_changing = FALSE;
  if (!esprit_port_model_find (self->ports, self->port_id, &position))
    position = esprit_port_model_get_preferred (self->ports);
  adw_combo_row_set_selected (self->port_row, position);
  on_port_selected (self);
}

static void
ports_init (EspritWindow *self)
{
  g_autofree char *saved = g_settings_get_string (self->settings, "port");
  EspritPortItem *item;
  guint position;

  self->ports = esprit_port_model_new ();
  /* Around the row's own handler: one before it, one after. */
  g_signal_connect_swapped (self->ports, "items-changed", G_CALLBACK (on_ports_changing), self);
  adw_combo_row_set_model (self->port_row, G_LIST_MODEL (self->ports));
  g_signal_connect_data (self->ports, "items-changed", G_CALLBACK (on_ports_changed), self,
                         NULL, G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  if (!esprit_port_model_find (self->ports, saved, &position))
    position = esprit_port_model_get_preferred (self->ports);
  adw_combo_row_set_selected (self->port_row, position);
  item = _esprit_window_get_port (self);
  self->port_id = item ? g_strdup (esprit_port_item_get_id (item)) : NULL;
}

gboolean
esprit_window_select_port (EspritWindow *self,
                           const char   *id)
{
  guint position;

  g_return_val_if_fail (ESPRIT_IS_WINDOW (self), FALSE);

  if (!esprit_port_model_find (self->ports, id, &position))
    return FALSE;
  adw_combo_row_set_selected (self->port_row, position);
  return TRUE;
}

EspritSim *
esprit_window_get_virtual_board (EspritWindow *self,
                                 EspritChip    chip)
{
  g_return_val_if_fail (ESPRIT_IS_WINDOW (self), NULL);
  return esprit_port_model_get_virtual_board (self->ports, chip);
}

/* ---- options ------------------------------------------------------------------------ */

/* The option rows hold the settings' own words (the nicks of the flash-mode and flash-size
 * enums, the baud rates as numbers) and are bound to the keys by them, never by position:
 * the .ui may list them in any order. */

static const char *
row_string (AdwComboRow *row,
            guint        position)
{
  g_autoptr(GtkStringObject) item = g_list_model_get_item (adw_combo_row_get_model (row), position);

  /* The model keeps the item, so its string outlives this reference. */
  return item ? gtk_string_object_get_string (item) : NULL;
}

static gboolean
row_find (AdwComboRow *row,
          const char  *text,
          guint       *position)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (row_string (row, i), text) == 0)
      {
        *position = i;
        return TRUE;
      }
  return FALSE;
}

static gboolean
nick_to_row (GValue   *value,
             GVariant *variant,
             gpointer  row)
{
  guint position;

  if (!row_find (row, g_variant_get_string (variant, NULL), &position))
    return FALSE;
  g_value_set_uint (value, position);
  return TRUE;
}

static GVariant *
row_to_nick (const GValue       *value,
             const GVariantType *type,
             gpointer            row)
{
  const char *nick = row_string (row, g_value_get_uint (value));

  return nick ? g_variant_new_string (nick) : NULL;
}

static gboolean
baud_to_row (GValue   *value,
             GVariant *variant,
             gpointer  row)
{
  g_autofree char *text = g_strdup_printf ("%u", g_variant_get_uint32 (variant));
  guint position;

  if (!row_find (row, text, &position))
    return FALSE;
  g_value_set_uint (value, position);
  return TRUE;
}

static GVariant *
row_to_baud (const GValue       *value,
             const GVariantType *type,
             gpointer            row)
{
  const char *text = row_string (row, g_value_get_uint (value));
  guint64 baud;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &baud, NULL))
    return NULL;
  return g_variant_new_uint32 ((guint32) baud);
}

guint
_esprit_window_get_baud (EspritWindow *self)
{
  const char *text = row_string (self->baud_row, adw_combo_row_get_selected (self->baud_row));
  guint64 baud = 115200;

  /* What the row shows, even when the stored rate is one it does not offer. */
  if (text != NULL)
    g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &baud, NULL);
  return (guint) baud;
}

/* What a choice is called (the rows' expression, in the template): the nicks are the header's
 * own names (qio, 4MB) but for the two words. */
static char *
choice_label (GtkStringObject *item,
              const char      *nick,
              gpointer         window)
{
  if (g_strcmp0 (nick, "keep") == 0)
    return g_strdup (_("Keep"));
  if (g_strcmp0 (nick, "detect") == 0)
    return g_strdup (_("Detect"));
  return g_strdup (nick);
}

static void
options_init (EspritWindow *self)
{
  g_settings_bind_with_mapping (self->settings, "flash-mode", self->mode_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_row, row_to_nick,
                                self->mode_row, NULL);
  g_settings_bind_with_mapping (self->settings, "flash-size", self->size_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_row, row_to_nick,
                                self->size_row, NULL);
  g_settings_bind_with_mapping (self->settings, "baud", self->baud_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, baud_to_row, row_to_baud,
                                self->baud_row, NULL);
  g_settings_bind (self->settings, "verify", self->verify_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "erase-all", self->erase_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "reset-after", self->reset_switch, "active", G_SETTINGS_BIND_DEFAULT);
  _esprit_window_backups_init (self);
  /* The plan reads the header options from the settings, so it follows them. */
  g_signal_connect_swapped (self->settings, "changed::flash-mode",
                            G_CALLBACK (_esprit_window_update_state), self);
  g_signal_connect_swapped (self->settings, "changed::flash-size",
                            G_CALLBACK (_esprit_window_update_state), self);
}

/* ---- plan and state ----------------------------------------------------------------- */

EspritWritePlan *
_esprit_window_build_plan (EspritWindow  *self,
                           GError       **error,
                           int           *bad_item)
{
  g_autoptr(GPtrArray) rows = _esprit_window_get_file_rows (self);
  g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
  EspritWriteOptions opts = ESPRIT_WRITE_OPTIONS_DEFAULT;
  EspritPortItem *port = _esprit_window_get_port (self);
  /* The enum keys' values are the library's: EspritFlashMode, and KEEP, DETECT or bytes. */
  EspritFlashMode mode = g_settings_get_enum (self->settings, "flash-mode");
  guint32 size = (guint32) g_settings_get_enum (self->settings, "flash-size");
  EspritChip chip = self->known_chip;
  guint32 flash_size = self->known_flash_size;

  /* A virtual board is known without asking it: its chip, and the 4 MB it is made with. */
  if (port != NULL && (esprit_port_item_get_kind (port) == ESPRIT_PORT_KIND_VIRTUAL ||
                       esprit_port_item_get_kind (port) == ESPRIT_PORT_KIND_CLASSROOM))
    {
      chip = esprit_port_item_get_chip (port);
      flash_size = 4 * 1024 * 1024;
    }
  *bad_item = -1;
  for (guint i = 0; i < rows->len; i++)
    {
      guint32 addr;
      g_autofree char *name = g_file_get_basename (esprit_file_row_get_file (rows->pdata[i]));

      if (!esprit_file_row_get_address (rows->pdata[i], &addr))
        {
          *bad_item = (int) i;
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("The address of %s is not a number (0x10000 or 65536)"), name);
          return NULL;
        }
      /* Added for an ESP8266 over the air, then another board chosen. */
      if (_esprit_window_is_gzip_name (name))
        {
          *bad_item = (int) i;
          g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                       _("%s is compressed, and a board on a cable takes the image itself: "
                         "unpack it first (gunzip) and add the .bin."), name);
          return NULL;
        }
      esprit_write_plan_add (plan, addr, esprit_file_row_get_data (rows->pdata[i]), name);
    }
  opts.verify = gtk_switch_get_active (self->verify_switch);
  esprit_write_plan_set_options (plan, &opts);
  esprit_write_plan_set_erase_all (plan, gtk_switch_get_active (self->erase_switch));
  esprit_write_plan_set_header (plan, mode, size, ESPRIT_FLASH_FREQ_KEEP);
  if (!esprit_write_plan_check_item (plan, chip, flash_size, bad_item, error))
    return NULL;
  return g_steal_pointer (&plan);
}

static void
set_action_enabled (EspritWindow *self,
                    const char   *name,
                    gboolean      enabled)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), name, enabled);
}

void
_esprit_window_update_state (EspritWindow *self)
{
  g_autoptr(GPtrArray) rows = _esprit_window_get_file_rows (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritWritePlan) plan = NULL;
  gboolean busy = (self->job != NULL && esprit_job_get_running (self->job)) ||
                  _esprit_window_boards_busy (self);
  /* The board list: the actions go to its checked boards; the one-board ones are off. */
  gboolean list = _esprit_window_boards_active (self);
  gboolean production = gtk_switch_get_active (self->production_switch);
  EspritPortItem *item = _esprit_window_get_port (self);
  gboolean port = item != NULL && esprit_port_item_get_kind (item) != ESPRIT_PORT_KIND_ADD;
  gboolean ota = item != NULL && esprit_port_item_is_ota (item);
  int bad = -1;

  _esprit_window_ota_update (self);
  for (guint i = 0; i < rows->len; i++)
    esprit_file_row_set_problem (rows->pdata[i], NULL);
  if (ota)
    self->plan_ok = rows->len > 0 && _esprit_window_ota_check (self, &error, &bad);
  else if (rows->len > 0)
    {
      plan = _esprit_window_build_plan (self, &error, &bad);
      self->plan_ok = plan != NULL;
    }
  else
    self->plan_ok = FALSE;
  if (!self->plan_ok && bad >= 0 && (guint) bad < rows->len)
    esprit_file_row_set_problem (rows->pdata[bad], _("cannot be flashed as it is"));
  gtk_widget_set_visible (GTK_WIDGET (self->plan_label), error != NULL);
  gtk_label_set_text (self->plan_label, error ? error->message : "");

  set_action_enabled (self, "win.flash", self->plan_ok && port && !busy);
  /* Over the air a board takes an upload and nothing else (protocol-facts §7). */
  set_action_enabled (self, "win.backup", port && !ota && !busy);
  set_action_enabled (self, "win.erase", port && !ota && !busy);
  set_action_enabled (self, "win.reset", port && !ota && !busy && !list);
  set_action_enabled (self, "win.identify", port && !ota && !busy);
  set_action_enabled (self, "win.backup-region", port && !ota && !busy && !list);
  set_action_enabled (self, "win.restore-region", port && !ota && !busy && !list);
  set_action_enabled (self, "win.erase-region", port && !ota && !busy && !list);
  set_action_enabled (self, "win.readonly-region", FALSE);
  set_action_enabled (self, "win.retry-failed", list && !busy &&
                      _esprit_window_boards_any_failed (self));
  set_action_enabled (self, "win.open", TRUE);
  set_action_enabled (self, "win.cancel", busy);
  /* The production line keeps to its boards while it runs. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->port_row), !busy && !production);
  gtk_widget_set_sensitive (GTK_WIDGET (self->baud_row), !busy);
}

/* ---- title -------------------------------------------------------------------------- */

static void
update_title (EspritWindow *self)
{
  int percent = esprit_progress_view_get_percent (self->progress_view);
  g_autofree char *title = NULL;

  /* Unfocused, the title carries the progress (what the task switcher shows). */
  if (percent >= 0 && !gtk_window_is_active (GTK_WINDOW (self)))
    title = g_strdup_printf (_("Esprit — %d %%"), percent);
  gtk_window_set_title (GTK_WINDOW (self), title ? title : _("Esprit"));
}

static void
on_active_changed (EspritWindow *self)
{
  if (gtk_window_is_active (GTK_WINDOW (self)))
    gtk_window_set_title (GTK_WINDOW (self), _("Esprit"));
}

/* ---- object ------------------------------------------------------------------------- */

static gboolean
esprit_window_close_request (GtkWindow *window)
{
  EspritWindow *self = ESPRIT_WINDOW (window);
  int w, h;

  gtk_window_get_default_size (window, &w, &h);
  g_settings_set_int (self->settings, "window-width", w);
  g_settings_set_int (self->settings, "window-height", h);
  if (self->job != NULL && esprit_job_get_running (self->job))
    esprit_job_cancel (self->job);
  _esprit_window_boards_cancel (self);
  return GTK_WINDOW_CLASS (esprit_window_parent_class)->close_request (window);
}

static void
esprit_window_dispose (GObject *object)
{
  EspritWindow *self = ESPRIT_WINDOW (object);

  if (self->password_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->password_dialog));
  if (self->job != NULL)
    {
      esprit_job_cancel (self->job);
      g_signal_handlers_disconnect_by_data (self->job, self);
      g_clear_object (&self->job);
    }
  if (self->ports != NULL)
    g_signal_handlers_disconnect_by_data (self->ports, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  _esprit_window_boards_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPRIT_TYPE_WINDOW);
  g_clear_object (&self->ports);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->port_id, g_free);
  G_OBJECT_CLASS (esprit_window_parent_class)->dispose (object);
}

static void
esprit_window_class_init (EspritWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = esprit_window_dispose;
  window_class->close_request = esprit_window_close_request;

  /* Named in the template. */
  g_type_ensure (ESPRIT_TYPE_PORT_ITEM);
  g_type_ensure (ESPRIT_TYPE_PROGRESS_VIEW);
  g_type_ensure (ESPRIT_TYPE_FLASH_MAP_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esprit/Esprit/ui/esprit-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, actions_box);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, port_row);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, baud_row);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, device_row);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, file_list);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, plan_label);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, mode_row);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, size_row);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, verify_switch);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, erase_switch);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, reset_switch);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, backup_first_switch);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, backups_group);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, backups_list);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, ota_fs_row);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, ota_fs_switch);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, progress_view);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, log_view);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, map_group);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, map_view);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, boards_group);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, boards_list);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, boards_summary);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, template_row);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, production_row);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, production_switch);

  gtk_widget_class_bind_template_callback (widget_class, choice_label);

  _esprit_window_class_init_actions (widget_class);
  _esprit_window_class_init_layout (widget_class);
  _esprit_window_class_init_boards (widget_class);
}

static void
esprit_window_init (EspritWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  if (g_str_has_suffix (APP_ID, ".Devel"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->settings = g_settings_new ("io.github.esprit.Esprit");
  self->known_chip = ESPRIT_CHIP_AUTO;
  ports_init (self);

  /* The flow box only lays the action buttons out: Tab goes to the buttons themselves. */
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->actions_box)); c;
       c = gtk_widget_get_next_sibling (c))
    gtk_widget_set_focusable (c, FALSE);

  _esprit_window_files_init (self);
  options_init (self);
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  _esprit_window_restore_files (self);
  _esprit_window_refresh_backups (self);
  _esprit_window_boards_init (self);

  g_signal_connect_swapped (self->port_row, "notify::selected", G_CALLBACK (on_port_selected), self);
  g_signal_connect_swapped (self->verify_switch, "notify::active",
                            G_CALLBACK (_esprit_window_update_state), self);
  g_signal_connect_swapped (self->erase_switch, "notify::active",
                            G_CALLBACK (_esprit_window_update_state), self);
  g_signal_connect_swapped (self->ota_fs_switch, "notify::active",
                            G_CALLBACK (_esprit_window_update_state), self);
  g_signal_connect_swapped (self->progress_view, "notify::percent", G_CALLBACK (update_title), self);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (on_active_changed), NULL);
  _esprit_window_update_state (self);
}

EspritWindow *
esprit_window_new (AdwApplication *application)
{
  return g_object_new (ESPRIT_TYPE_WINDOW, "application", application, NULL);
}

EspritJob *
esprit_window_get_job (EspritWindow *self)
{
  g_return_val_if_fail (ESPRIT_IS_WINDOW (self), NULL);
  return self->job;
}

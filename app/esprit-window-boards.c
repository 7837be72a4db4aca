/* esprit-window-boards.c: the board list: when several boards are plugged in, the virtual
 * classroom is chosen or the production line is on, the board area is one row per board,
 * and Flash, Back Up, Erase and Identify act on every checked board at once (the runs are
 * in esprit-window-boards-run.c)
 *
 * The rows follow the ports: the real USB boards of the port model, or the classroom's
 * boards. A row whose port goes while its job runs stays to show how the job ended: with
 * the job's own error (the link dropped); it goes when the next run starts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-board-row.h"
#include "esprit-error.h"
#include "esprit-file-template.h"
#include "esprit-numbers.h"
#include "esprit-window-private.h"

/* The MACs the production line has flashed, shared with the boards' threads. */
/* ---- rows --------------------------------------------------------------------------- */

static GPtrArray *
get_rows (EspritWindow *self)
{
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->boards_list)); c;
       c = gtk_widget_get_next_sibling (c))
    if (ESPRIT_IS_BOARD_ROW (c))
      g_ptr_array_add (rows, c);
  return rows;
}

GPtrArray *
_esprit_window_get_board_rows (EspritWindow *self)
{
  return get_rows (self);
}

static EspritBoardRow *
find_row (EspritWindow *self,
          const char   *id)
{
  g_autoptr(GPtrArray) rows = get_rows (self);

  for (guint i = 0; i < rows->len; i++)
    if (g_str_equal (esprit_port_item_get_id (esprit_board_row_get_port (rows->pdata[i])), id))
      return rows->pdata[i];
  return NULL;
}

gboolean
_esprit_window_boards_active (EspritWindow *self)
{
  return self->boards_source != ESPRIT_BOARDS_NONE;
}

gboolean
_esprit_window_boards_busy (EspritWindow *self)
{
  return self->boards_running > 0;
}

/* The ports the list shows. (element-type EspritPortItem) */
static GPtrArray *
wanted_ports (EspritWindow *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model = self->boards_source == ESPRIT_BOARDS_CLASSROOM
                        ? esprit_port_model_get_classroom (self->ports)
                        : G_LIST_MODEL (self->ports);

  if (self->boards_source == ESPRIT_BOARDS_NONE)
    return out;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(EspritPortItem) item = g_list_model_get_item (model, i);

      /* Real ports: those with a USB bridge, which are boards; not a built-in UART. */
      if (self->boards_source == ESPRIT_BOARDS_CLASSROOM ||
          (esprit_port_item_get_kind (item) == ESPRIT_PORT_KIND_REAL &&
           esprit_port_item_get_vid (item) != 0))
        g_ptr_array_add (out, g_steal_pointer (&item));
    }
  return out;
}

static guint
count_real_boards (EspritWindow *self)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->ports)); i++)
    {
      g_autoptr(EspritPortItem) item = g_list_model_get_item (G_LIST_MODEL (self->ports), i);

      if (esprit_port_item_get_kind (item) == ESPRIT_PORT_KIND_REAL &&
          esprit_port_item_get_vid (item) != 0)
        n++;
    }
  return n;
}

static void
on_row_retry (EspritBoardRow *row,
              EspritWindow   *self)
{
  _esprit_window_boards_begin (self);
  _esprit_window_boards_start_row (self, row, self->boards_action);
  _esprit_window_boards_end (self);
}

/* Makes the rows match the ports; with @plugged (ports came and went), a new board on the
 * production line gets the flash. */
static void
sync_rows (EspritWindow *self,
           gboolean      plugged)
{
  g_autoptr(GPtrArray) ports = wanted_ports (self);
  g_autoptr(GPtrArray) rows = get_rows (self);
  gboolean production = gtk_switch_get_active (self->production_switch);

  for (guint i = 0; i < rows->len; i++)
    {
      EspritBoardRow *row = rows->pdata[i];
      gboolean keep = FALSE;

      for (guint j = 0; j < ports->len && !keep; j++)
        keep = g_str_equal (esprit_port_item_get_id (ports->pdata[j]),
                            esprit_port_item_get_id (esprit_board_row_get_port (row)));
      if (keep)
        continue;
      /* Pulled out during its job: the row stays to show how the job ended. */
      if (esprit_board_row_get_result (row) == ESPRIT_BOARD_RESULT_RUNNING)
        esprit_board_row_set_gone (row);
      else if (!esprit_board_row_get_gone (row))
        gtk_list_box_remove (self->boards_list, GTK_WIDGET (row));
    }
  for (guint j = 0; j < ports->len; j++)
    {
      EspritBoardRow *row = find_row (self, esprit_port_item_get_id (ports->pdata[j]));

      if (row != NULL && !esprit_board_row_get_gone (row))
        continue;
      /* A board back: a new row; the old one's job may still be ending. */
      if (row != NULL && esprit_board_row_get_result (row) != ESPRIT_BOARD_RESULT_RUNNING)
        gtk_list_box_remove (self->boards_list, GTK_WIDGET (row));
      row = esprit_board_row_new (ports->pdata[j]);
      g_signal_connect_object (row, "retry", G_CALLBACK (on_row_retry), self, 0);
      gtk_list_box_insert (self->boards_list, GTK_WIDGET (row), (int) j);
      if (plugged && production)
        {
          _esprit_window_boards_begin (self);
          _esprit_window_boards_start_row (self, row, ESPRIT_BOARD_ACTION_FLASH);
          _esprit_window_boards_end (self);
        }
    }
}

void
_esprit_window_boards_update_count (EspritWindow *self)
{
  g_autofree char *text = NULL;

  if (!gtk_switch_get_active (self->production_switch))
    text = g_strdup (_("Boards plugged in while this is on get the files"));
  else
    /* Translators: the production line's running count */
    text = g_strdup_printf (ngettext ("%u board flashed; plug in the next one",
                                      "%u boards flashed; plug in the next one",
                                      self->production_count), self->production_count);
  adw_action_row_set_subtitle (self->production_row, text);
}

void
_esprit_window_boards_update (EspritWindow *self)
{
  EspritPortItem *item = _esprit_window_get_port (self);
  EspritPortKind kind = item ? esprit_port_item_get_kind (item) : ESPRIT_PORT_KIND_ADD;
  gboolean production = gtk_switch_get_active (self->production_switch);
  EspritBoardsSource source = ESPRIT_BOARDS_NONE;

  /* The production line keeps its boards while they come and go (the port row would jump
   * to a virtual board when the last real one is pulled out). */
  if (production && self->boards_source != ESPRIT_BOARDS_NONE)
    source = self->boards_source;
  else if (kind == ESPRIT_PORT_KIND_CLASSROOM)
    source = ESPRIT_BOARDS_CLASSROOM;
  else if (kind == ESPRIT_PORT_KIND_REAL && (production || count_real_boards (self) >= 2))
    source = ESPRIT_BOARDS_REAL;
  if (source != self->boards_source && !_esprit_window_boards_busy (self))
    {
      g_autoptr(GPtrArray) rows = get_rows (self);

      /* Other boards: the old rows and their results go. */
      for (guint i = 0; i < rows->len; i++)
        gtk_list_box_remove (self->boards_list, rows->pdata[i]);
      gtk_widget_set_visible (GTK_WIDGET (self->boards_summary), FALSE);
      self->boards_source = source;
    }
  sync_rows (self, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->boards_group), _esprit_window_boards_active (self));
  gtk_widget_set_visible (GTK_WIDGET (self->template_row), _esprit_window_boards_active (self));
  gtk_widget_set_visible (GTK_WIDGET (self->device_row), !_esprit_window_boards_active (self));
  /* A network board takes uploads one at a time. */
  gtk_widget_set_visible (GTK_WIDGET (self->production_row),
                          kind == ESPRIT_PORT_KIND_REAL || kind == ESPRIT_PORT_KIND_CLASSROOM ||
                          production);
}

static void
on_ports_changed (EspritWindow *self)
{
  if (_esprit_window_boards_active (self))
    sync_rows (self, TRUE);
  _esprit_window_boards_update (self);
  _esprit_window_update_state (self);
}

static void
on_production_toggled (EspritWindow *self)
{
  gboolean on = gtk_switch_get_active (self->production_switch);

  if (on)
    {
      /* A new line: every board counts from here. */
      g_clear_pointer (&self->production, _esprit_production_unref);
      self->production = _esprit_production_new ();
      self->production_count = 0;
      self->boards_run++;
    }
  _esprit_window_boards_update (self);
  _esprit_window_boards_update_count (self);
  _esprit_window_update_state (self);
}

/* ---- back up ------------------------------------------------------------------------ */

/* What {port} stands for: the device's name ("ttyUSB3"), or the board's ("virtual-board-3"). */
static char *
short_name (EspritPortItem *port)
{
  const char *id = esprit_port_item_get_id (port);

  if (g_str_has_prefix (id, "/"))
    return g_path_get_basename (id);
  return g_strdelimit (g_ascii_strdown (esprit_port_item_get_label (port), -1), " ", '-');
}

/* The checked boards' names from the template, refused as a whole when two are the same or
 * the template is wrong, before anything is read. */
void
_esprit_window_boards_start_backup (EspritWindow *self)
{
  g_autoptr(GPtrArray) rows = get_rows (self);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *folder = g_file_get_path (self->boards_folder);
  const char *template = gtk_editable_get_text (GTK_EDITABLE (self->template_row));
  g_autoptr(GError) error = NULL;
  gboolean fields, per_board;

  if (esprit_file_template_check (template, &fields, &per_board, &error))
    for (guint i = 0; i < rows->len; i++)
      {
        EspritBoardRow *row = rows->pdata[i];
        g_autofree char *port = short_name (esprit_board_row_get_port (row));

        /* A board whose Identify failed shows why, and is left out. */
        if (!esprit_board_row_get_checked (row) || esprit_board_row_get_mac (row) == NULL)
          continue;
        g_ptr_array_add (chosen, row);
        g_ptr_array_add (names, esprit_file_template_expand (template,
                                                             esprit_board_row_get_mac (row),
                                                             esprit_board_row_get_chip (row),
                                                             port, now));
      }
  if (error == NULL)
    esprit_file_template_unique (names, &error);
  if (error != NULL)
    {
      gtk_label_set_text (self->boards_summary, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->boards_summary), TRUE);
      _esprit_window_show_toast (self, error->message);
      esprit_progress_view_append_log (self->progress_view, error->message);
      _esprit_window_update_state (self);
      return;
    }
  self->boards_action = ESPRIT_BOARD_ACTION_BACKUP;
  _esprit_window_boards_begin (self);
  for (guint i = 0; i < chosen->len; i++)
    {
      g_object_set_data_full (chosen->pdata[i], "esprit-backup-path",
                              g_build_filename (folder, names->pdata[i], NULL), g_free);
      _esprit_window_boards_start_row (self, chosen->pdata[i], ESPRIT_BOARD_ACTION_BACKUP);
    }
  _esprit_window_boards_end (self);
}

void
esprit_window_backup_boards_to (EspritWindow *self,
                                GFile        *folder)
{
  g_autoptr(GPtrArray) rows = NULL;
  gboolean unknown = FALSE;

  g_return_if_fail (ESPRIT_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (folder));
  g_return_if_fail (_esprit_window_boards_active (self) && !_esprit_window_boards_busy (self));

  g_set_object (&self->boards_folder, folder);
  self->boards_run++;
  _esprit_window_boards_drop_gone (self);
  rows = get_rows (self);
  for (guint i = 0; i < rows->len; i++)
    if (esprit_board_row_get_checked (rows->pdata[i]) && esprit_board_row_get_mac (rows->pdata[i]) == NULL)
      unknown = TRUE;
  /* The names take the MACs: an Identify of the boards not known yet comes first. */
  if (unknown)
    {
      self->boards_backup_pending = TRUE;
      _esprit_window_boards_begin (self);
      for (guint i = 0; i < rows->len; i++)
        if (esprit_board_row_get_checked (rows->pdata[i]) &&
            esprit_board_row_get_mac (rows->pdata[i]) == NULL)
          _esprit_window_boards_start_row (self, rows->pdata[i], ESPRIT_BOARD_ACTION_IDENTIFY);
      _esprit_window_boards_end (self);
      return;
    }
  _esprit_window_boards_start_backup (self);
}

/* ---- object ------------------------------------------------------------------------- */

void
_esprit_window_boards_init (EspritWindow *self)
{
  g_settings_bind (self->settings, "boards-backup-template", self->template_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_data (self->ports, "items-changed", G_CALLBACK (on_ports_changed), self, NULL,
                         G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_swapped (esprit_port_model_get_classroom (self->ports), "items-changed",
                            G_CALLBACK (on_ports_changed), self);
  g_signal_connect_swapped (self->production_switch, "notify::active",
                            G_CALLBACK (on_production_toggled), self);
  _esprit_window_boards_update_count (self);
  _esprit_window_boards_update (self);
}

void
_esprit_window_boards_dispose (EspritWindow *self)
{
  if (self->ports != NULL)
    g_signal_handlers_disconnect_by_data (esprit_port_model_get_classroom (self->ports), self);
  if (self->boards_list != NULL)
    {
      g_autoptr(GPtrArray) rows = get_rows (self);

      for (guint i = 0; i < rows->len; i++)
        {
          EspritJob *job = esprit_board_row_get_job (rows->pdata[i]);

          if (job != NULL)
            {
              esprit_job_cancel (job);
              g_signal_handlers_disconnect_by_data (job, self);
            }
        }
    }
  g_clear_object (&self->boards_folder);
  g_clear_pointer (&self->production, _esprit_production_unref);
}

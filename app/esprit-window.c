/* esprit-window.c: the one window: board, files, options, actions, progress, log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esprit-advice.h"
#include "esprit-error.h"
#include "esprit-file-row.h"
#include "esprit-numbers.h"
#include "esprit-port-list.h"
#include "esprit-window.h"
#include "esprit-write-plan.h"

#define PORT_POLL_SECONDS 2
#define MAX_FILE_SIZE (64u * 1024 * 1024)

static const guint bauds[] = { 115200, 230400, 460800, 921600 };
static const guint32 sizes[] = { ESPRIT_FLASH_SIZE_KEEP, ESPRIT_FLASH_SIZE_DETECT, 512 * 1024,
                                 1024 * 1024, 2 * 1024 * 1024, 4 * 1024 * 1024,
                                 8 * 1024 * 1024, 16 * 1024 * 1024 };
static const char *size_names[] = { "keep", "detect", "512KB", "1MB", "2MB", "4MB", "8MB", "16MB" };

struct _EspritWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  AdwComboRow          *port_row;
  AdwComboRow          *baud_row;
  AdwActionRow         *device_row;
  GtkListBox           *file_list;
  GtkLabel             *plan_label;
  AdwComboRow          *mode_row;
  AdwComboRow          *size_row;
  GtkSwitch            *verify_switch;
  GtkSwitch            *erase_switch;
  GtkSwitch            *reset_switch;
  GtkRevealer          *progress_revealer;
  GtkLabel             *phase_label;
  GtkProgressBar       *progress_bar;
  GtkLabel             *detail_label;
  GtkTextView          *log_view;

  GSettings            *settings;
  GtkStringList        *port_labels;
  GPtrArray            *port_ids;
  guint                 port_timer;
  /* Opens the ports; keeps the virtual boards, so they remember their flash. */
  EspritPortRegistry   *registry;

  EspritJob            *job;
  int                   phase;
  gint64                phase_start;
  guint64               phase_done0;
  gboolean              plan_ok;

  EspritChip            known_chip;
  guint32               known_flash_size;
  GtkFlowBox           *actions_box;
};

G_DEFINE_FINAL_TYPE (EspritWindow, esprit_window, ADW_TYPE_APPLICATION_WINDOW)

/* ---- ports -------------------------------------------------------------------------- */

static const struct {
  const char *id;
  const char *label;
  EspritChip  chip;
} virtual_ports[] = {
  { "sim:esp8266", N_("Virtual ESP8266"), ESPRIT_CHIP_ESP8266 },
  { "sim:esp32", N_("Virtual ESP32"), ESPRIT_CHIP_ESP32 },
};

static const char *
selected_port (EspritWindow *self)
{
  guint i = adw_combo_row_get_selected (self->port_row);

  return i < self->port_ids->len ? self->port_ids->pdata[i] : NULL;
}

static EspritChip
virtual_chip (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (virtual_ports); i++)
    if (g_strcmp0 (id, virtual_ports[i].id) == 0)
      return virtual_ports[i].chip;
  return ESPRIT_CHIP_AUTO;
}

static void update_state (EspritWindow *self);

static void
refresh_ports (EspritWindow *self)
{
  g_autoptr(GPtrArray) ports = esprit_port_list ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *current = g_strdup (selected_port (self));
  gboolean same = TRUE;
  guint select;

  for (guint i = 0; i < ports->len; i++)
    {
      EspritPortInfo *p = ports->pdata[i];

      g_ptr_array_add (ids, g_strdup (p->path));
      g_ptr_array_add (labels, g_strdup_printf ("%s (%s)", p->label, p->path));
    }
  /* The virtual boards are always there, so the window is useful without hardware. */
  for (guint i = 0; i < G_N_ELEMENTS (virtual_ports); i++)
    {
      g_ptr_array_add (ids, g_strdup (virtual_ports[i].id));
      g_ptr_array_add (labels, g_strdup (_(virtual_ports[i].label)));
    }
  if (ids->len != self->port_ids->len)
    same = FALSE;
  for (guint i = 0; same && i < ids->len; i++)
    same = g_str_equal (ids->pdata[i], self->port_ids->pdata[i]);
  if (same)
    return;

  if (current == NULL)
    current = g_settings_get_string (self->settings, "port");
  /* Without a choice: the first USB bridge (a board), else the virtual ESP8266, never a
   * built-in UART. */
  select = ports->len;
  for (guint i = 0; i < ports->len; i++)
    if (((EspritPortInfo *) ports->pdata[i])->vid != 0)
      {
        select = i;
        break;
      }
  for (guint i = 0; i < ids->len; i++)
    if (g_strcmp0 (ids->pdata[i], current) == 0)
      select = i;
  g_ptr_array_set_size (self->port_ids, 0);
  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_add (self->port_ids, g_strdup (ids->pdata[i]));
  g_ptr_array_add (labels, NULL);
  gtk_string_list_splice (self->port_labels, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->port_labels)),
                          (const char * const *) labels->pdata);
  adw_combo_row_set_selected (self->port_row, select);
}

static gboolean
poll_ports (gpointer data)
{
  refresh_ports (data);
  return G_SOURCE_CONTINUE;
}

gboolean
esprit_window_select_port (EspritWindow *self,
                           const char   *id)
{
  for (guint i = 0; i < self->port_ids->len; i++)
    if (g_str_equal (self->port_ids->pdata[i], id))
      {
        adw_combo_row_set_selected (self->port_row, i);
        return TRUE;
      }
  return FALSE;
}

/* The name a port is opened by: ESPRIT_SIM_TIMING=1 gives the virtual boards real wire and
 * flash time (demos, tests of cancelling). */
static char *
board_port (const char *id)
{
  if (virtual_chip (id) != ESPRIT_CHIP_AUTO &&
      g_strcmp0 (g_getenv ("ESPRIT_SIM_TIMING"), "1") == 0)
    return g_strconcat (id, "?timing=1", NULL);
  return g_strdup (id);
}

EspritSim *
esprit_window_get_virtual_board (EspritWindow *self,
                                 EspritChip    chip)
{
  g_autofree char *port = NULL;
  EspritSim *sim;

  g_return_val_if_fail (chip >= 0 && chip < ESPRIT_N_CHIPS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (virtual_ports); i++)
    if (virtual_ports[i].chip == chip)
      port = board_port (virtual_ports[i].id);
  g_return_val_if_fail (port != NULL, NULL);
  sim = esprit_sim_lookup_board (self->registry, port, TRUE);
  /* Borrowed: the registry keeps the board as long as the window lives. */
  g_object_unref (sim);
  return sim;
}

/* ---- files -------------------------------------------------------------------------- */

static GPtrArray *
file_rows (EspritWindow *self)
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
  g_autoptr(GPtrArray) rows = file_rows (self);
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
  update_state (self);
}

static void
show_toast (EspritWindow *self,
            const char   *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

static void
add_loaded_file (EspritWindow *self,
                 GFile        *file,
                 GBytes       *data,
                 gint64        address)
{
  EspritFileRow *row;

  row = esprit_file_row_new (file, data,
                             address >= 0 ? (guint32) address : default_address (self, file, data));
  g_signal_connect_object (row, "changed", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "remove", G_CALLBACK (on_row_remove), self, 0);
  gtk_list_box_append (self->file_list, GTK_WIDGET (row));
  update_state (self);
}

typedef struct {
  EspritWindow *self;
  gint64        address;
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

      show_toast (self, msg);
    }
  else if (len == 0 || len > MAX_FILE_SIZE)
    show_toast (self, len == 0 ? _("That file is empty") : _("That file is too large for any flash"));
  else
    {
      g_autoptr(GBytes) data = g_bytes_new_take (g_steal_pointer (&contents), len);

      add_loaded_file (self, G_FILE (source), data, ld->address);
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

void
esprit_window_add_files (EspritWindow *self,
                         GSList       *files)
{
  guint refused = 0;

  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *name = g_file_get_basename (l->data);

      if (name == NULL || !(g_str_has_suffix (name, ".bin") || g_str_has_suffix (name, ".img") ||
                            g_str_has_suffix (name, ".BIN") || g_str_has_suffix (name, ".IMG")))
        {
          refused++;
          continue;
        }
      load_file (self, l->data, -1);
    }
  if (refused > 0)
    show_toast (self, _("Only .bin and .img firmware files can be flashed"));
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

/* ---- plan and state ----------------------------------------------------------------- */

static EspritWritePlan *
build_plan (EspritWindow  *self,
            GError       **error,
            int           *bad_item)
{
  g_autoptr(GPtrArray) rows = file_rows (self);
  g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
  EspritWriteOptions opts = ESPRIT_WRITE_OPTIONS_DEFAULT;
  guint mode = adw_combo_row_get_selected (self->mode_row);
  guint size = adw_combo_row_get_selected (self->size_row);
  EspritChip chip = virtual_chip (selected_port (self));
  guint32 flash_size = chip != ESPRIT_CHIP_AUTO ? 4 * 1024 * 1024 : self->known_flash_size;

  if (chip == ESPRIT_CHIP_AUTO)
    chip = self->known_chip;
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
      esprit_write_plan_add (plan, addr, esprit_file_row_get_data (rows->pdata[i]), name);
    }
  opts.verify = gtk_switch_get_active (self->verify_switch);
  esprit_write_plan_set_options (plan, &opts);
  esprit_write_plan_set_erase_all (plan, gtk_switch_get_active (self->erase_switch));
  esprit_write_plan_set_header (plan, mode == 0 ? ESPRIT_FLASH_MODE_KEEP : (EspritFlashMode) (mode - 1),
                                sizes[MIN (size, G_N_ELEMENTS (sizes) - 1)], ESPRIT_FLASH_FREQ_KEEP);
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

static void
update_state (EspritWindow *self)
{
  g_autoptr(GPtrArray) rows = file_rows (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(EspritWritePlan) plan = NULL;
  gboolean busy = self->job != NULL && esprit_job_get_running (self->job);
  int bad = -1;

  for (guint i = 0; i < rows->len; i++)
    esprit_file_row_set_problem (rows->pdata[i], NULL);
  if (rows->len > 0)
    {
      plan = build_plan (self, &error, &bad);
      if (plan == NULL && bad >= 0 && (guint) bad < rows->len)
        esprit_file_row_set_problem (rows->pdata[bad], _("cannot be flashed as it is"));
    }
  self->plan_ok = plan != NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->plan_label), error != NULL);
  gtk_label_set_text (self->plan_label, error ? error->message : "");

  set_action_enabled (self, "win.flash", self->plan_ok && !busy);
  set_action_enabled (self, "win.backup", !busy);
  set_action_enabled (self, "win.erase", !busy);
  set_action_enabled (self, "win.reset", !busy);
  set_action_enabled (self, "win.identify", !busy);
  set_action_enabled (self, "win.open", TRUE);
  set_action_enabled (self, "win.cancel", busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->port_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->baud_row), !busy);
}

/* ---- progress ----------------------------------------------------------------------- */

static void
append_log (EspritWindow *self,
            const char   *line)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->log_view);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, line, -1);
  gtk_text_buffer_insert (buffer, &end, "\n", 1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (self->log_view, &end, 0, FALSE, 0, 0);
}

static void
on_job_log (EspritJob    *job,
            const char   *line,
            EspritWindow *self)
{
  append_log (self, line);
}

static void
set_title_progress (EspritWindow *self,
                    int           percent)
{
  g_autofree char *title = NULL;

  /* Unfocused, the title carries the progress (what the task switcher shows). */
  if (percent >= 0 && !gtk_window_is_active (GTK_WINDOW (self)))
    title = g_strdup_printf (_("Esprit — %d %%"), percent);
  gtk_window_set_title (GTK_WINDOW (self), title ? title : _("Esprit"));
}

static void
on_job_progress (EspritJob    *job,
                 int           phase,
                 guint64       done,
                 guint64       total,
                 EspritWindow *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *detail = NULL;

  if (phase != self->phase)
    {
      self->phase = phase;
      self->phase_start = now;
      self->phase_done0 = done;
    }
  gtk_label_set_text (self->phase_label, esprit_phase_name (phase));
  if (total == 0)
    {
      gtk_progress_bar_pulse (self->progress_bar);
      gtk_label_set_text (self->detail_label, "");
      set_title_progress (self, -1);
      return;
    }
  gtk_progress_bar_set_fraction (self->progress_bar, (double) done / total);
  set_title_progress (self, (int) (100 * done / total));
  {
    g_autofree char *d = g_format_size (done);
    g_autofree char *t = g_format_size (total);
    double secs = (now - self->phase_start) / 1e6;
    double rate = secs > 0.2 ? (done - self->phase_done0) / secs : 0;

    if (rate > 0)
      {
        g_autofree char *r = g_format_size ((guint64) rate);
        guint left = (guint) ((total - done) / rate + 0.5);

        /* Translators: "120 kB of 226 kB · 45 kB/s · 3 s left" */
        detail = g_strdup_printf (_("%s of %s · %s/s · %u s left"), d, t, r, left);
      }
    else
      detail = g_strdup_printf (_("%s of %s"), d, t);
  }
  gtk_label_set_text (self->detail_label, detail);
}

typedef void (*DoneFunc) (EspritWindow *self, gpointer data);

typedef struct {
  DoneFunc    done;
  gpointer    data;
  const char *success;
} Finish;

static void
on_job_finished (EspritJob    *job,
                 EspritWindow *self)
{
  const GError *error = esprit_job_get_error (job);
  Finish *finish = g_object_get_data (G_OBJECT (job), "esprit-finish");

  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  set_title_progress (self, -1);
  if (error == NULL)
    {
      if (finish && finish->done)
        finish->done (self, finish->data);
      if (finish && finish->success)
        show_toast (self, finish->success);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_toast (self, _("Stopped. The board can be used again."));
  else
    {
      g_autofree char *title = NULL;
      g_autofree char *advice = NULL;
      GtkWidget *dialog;

      esprit_advice_for_error (error, &title, &advice);
      append_log (self, error->message);
      dialog = adw_message_dialog_new (GTK_WINDOW (self), title, advice);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  update_state (self);
}

static void
start_job (EspritWindow  *self,
           const char    *title,
           gboolean       connect,
           EspritAfter    after,
           EspritJobFunc  func,
           gpointer       data,
           GDestroyNotify destroy,
           DoneFunc       done,
           const char    *success)
{
  Finish *finish = g_new0 (Finish, 1);
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  g_autofree char *port = board_port (selected_port (self));

  g_return_if_fail (self->job == NULL || !esprit_job_get_running (self->job));

  g_clear_object (&self->job);
  options.baud = bauds[MIN (adw_combo_row_get_selected (self->baud_row), G_N_ELEMENTS (bauds) - 1)];
  options.after = after;
  options.registry = self->registry;
  self->job = esprit_job_new (title, port, &options, connect, func, data, destroy);
  finish->done = done;
  finish->data = data;
  finish->success = success;
  g_object_set_data_full (G_OBJECT (self->job), "esprit-finish", finish, g_free);
  g_signal_connect_object (self->job, "log", G_CALLBACK (on_job_log), self, 0);
  g_signal_connect_object (self->job, "progress", G_CALLBACK (on_job_progress), self, 0);
  g_signal_connect_object (self->job, "finished", G_CALLBACK (on_job_finished), self, 0);

  self->phase = -1;
  gtk_label_set_text (self->phase_label, title);
  gtk_label_set_text (self->detail_label, "");
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  {
    g_autofree char *line = g_strdup_printf ("— %s (%s) —", title, selected_port (self));

    append_log (self, line);
  }
  esprit_job_run (self->job);
  update_state (self);
  g_settings_set_string (self->settings, "port", selected_port (self));
}

/* ---- actions ------------------------------------------------------------------------ */

static gboolean
flash_func (EspritJob      *job,
            EspritSession  *session,
            gpointer        data,
            GCancellable   *cancellable,
            GError        **error)
{
  return esprit_session_write (session, data, cancellable, error);
}

static void
remember_files (EspritWindow *self,
                gpointer      data)
{
  g_autoptr(GPtrArray) rows = file_rows (self);
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

static void
flash_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  EspritWritePlan *plan;
  int bad;

  plan = build_plan (self, &error, &bad);
  if (plan == NULL)
    return;
  start_job (self, _("Flashing"), TRUE,
             gtk_switch_get_active (self->reset_switch) ? ESPRIT_AFTER_HARD_RESET
                                                        : ESPRIT_AFTER_NO_RESET,
             flash_func, plan, (GDestroyNotify) esprit_write_plan_free, remember_files,
             gtk_switch_get_active (self->reset_switch)
               ? _("Flashed and verified: the board runs its new program")
               : _("Flashed and verified"));
}

typedef struct {
  GFile *file;
} Backup;

static void
backup_free (gpointer data)
{
  Backup *b = data;

  g_object_unref (b->file);
  g_free (b);
}

static gboolean
backup_func (EspritJob      *job,
             EspritSession  *session,
             gpointer        data,
             GCancellable   *cancellable,
             GError        **error)
{
  Backup *b = data;
  g_autofree char *path = g_file_get_path (b->file);
  guint32 size;

  if (!esprit_session_get_flash_size (session, &size, cancellable, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                             _("The flash chip is unknown, so its size is too"));
      return FALSE;
    }
  /* Only verified data reaches the file, through a temporary renamed at the end. */
  return esprit_session_read_to_file (session, 0, size, path, cancellable, error);
}

void
esprit_window_backup_to (EspritWindow *self,
                         GFile        *file)
{
  Backup *b = g_new0 (Backup, 1);

  b->file = g_object_ref (file);
  start_job (self, _("Backing up"), TRUE, ESPRIT_AFTER_HARD_RESET, backup_func, b, backup_free,
             NULL, _("Backup saved and verified"));
}

static void
on_backup_response (GtkNativeDialog *dialog,
                    int              response,
                    EspritWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      esprit_window_backup_to (self, file);
    }
  g_object_unref (dialog);
}

static void
backup_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Back Up the Whole Flash"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Back Up"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "backup.img");
  g_signal_connect (chooser, "response", G_CALLBACK (on_backup_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
erase_func (EspritJob      *job,
            EspritSession  *session,
            gpointer        data,
            GCancellable   *cancellable,
            GError        **error)
{
  return esprit_session_erase (session, 0, 0, cancellable, error);
}

static void
on_erase_response (AdwMessageDialog *dialog,
                   const char       *response,
                   EspritWindow     *self)
{
  if (g_str_equal (response, "erase"))
    start_job (self, _("Erasing"), TRUE, ESPRIT_AFTER_HARD_RESET, erase_func, NULL, NULL, NULL,
               _("The flash is erased"));
}

static void
erase_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Erase the Whole Flash?"),
                                              _("The program and all its data on the board will "
                                                "be lost. Back it up first if unsure."));

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "erase", _("_Erase"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "erase",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_erase_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
reset_func (EspritJob      *job,
            EspritSession  *session,
            gpointer        data,
            GCancellable   *cancellable,
            GError        **error)
{
  return esprit_session_reset (session, ESPRIT_AFTER_HARD_RESET, cancellable, error);
}

static void
reset_action (GtkWidget  *widget,
              const char *name,
              GVariant   *param)
{
  start_job (ESPRIT_WINDOW (widget), _("Restarting"), FALSE, ESPRIT_AFTER_NO_RESET_STUB,
             reset_func, NULL, NULL, NULL, _("The board restarted"));
}

static gboolean
identify_func (EspritJob      *job,
               EspritSession  *session,
               gpointer        data,
               GCancellable   *cancellable,
               GError        **error)
{
  return esprit_session_identify (session, data, cancellable, error);
}

static void
device_info_free (gpointer data)
{
  esprit_device_info_clear (data);
  g_free (data);
}

static void
identify_done (EspritWindow *self,
               gpointer      data)
{
  EspritDeviceInfo *info = data;
  g_autofree char *text = NULL;
  g_autofree char *size = info->flash_size ? esprit_format_size (info->flash_size)
                                           : g_strdup (_("unknown size"));
  g_autofree char *xtal = info->xtal_mhz ? g_strdup_printf (_("%u MHz crystal"), info->xtal_mhz)
                                         : g_strdup ("");

  self->known_chip = info->chip;
  self->known_flash_size = info->flash_size;
  /* Translators: chip, features, MAC, crystal, flash id and size, on two lines */
  text = g_strdup_printf (_("%s (%s) · MAC %02x:%02x:%02x:%02x:%02x:%02x\n%s · flash 0x%06x, %s"),
                          info->description, info->features, info->mac[0], info->mac[1],
                          info->mac[2], info->mac[3], info->mac[4], info->mac[5], xtal,
                          info->flash_id, size);
  adw_action_row_set_subtitle (self->device_row, text);
  update_state (self);
}

static void
identify_action (GtkWidget  *widget,
                 const char *name,
                 GVariant   *param)
{
  start_job (ESPRIT_WINDOW (widget), _("Identifying"), TRUE, ESPRIT_AFTER_HARD_RESET,
             identify_func, g_new0 (EspritDeviceInfo, 1), device_info_free, identify_done,
             NULL);
}

static void
cancel_action (GtkWidget  *widget,
               const char *name,
               GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);

  if (self->job != NULL && esprit_job_get_running (self->job))
    esprit_job_cancel (self->job);
}

static void
on_open_response (GtkNativeDialog *dialog,
                  int              response,
                  EspritWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      GSList *list = NULL;

      for (guint i = g_list_model_get_n_items (files); i > 0; i--)
        list = g_slist_prepend (list, g_list_model_get_item (files, i - 1));
      esprit_window_add_files (self, list);
      g_slist_free_full (list, g_object_unref);
    }
  g_object_unref (dialog);
}

static void
open_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Add Firmware Files"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Add"), NULL);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Firmware images (.bin, .img)"));
  gtk_file_filter_add_suffix (filter, "bin");
  gtk_file_filter_add_suffix (filter, "img");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- settings ----------------------------------------------------------------------- */

static void
restore_settings (EspritWindow *self)
{
  g_autofree char *mode = g_settings_get_string (self->settings, "flash-mode");
  g_autofree char *size = g_settings_get_string (self->settings, "flash-size");
  guint baud = g_settings_get_uint (self->settings, "baud");
  g_autoptr(GVariant) recent = g_settings_get_value (self->settings, "recent-files");
  GVariantIter iter;
  const char *path;
  guint32 addr;
  EspritFlashMode m = ESPRIT_FLASH_MODE_KEEP;

  for (guint i = 0; i < G_N_ELEMENTS (bauds); i++)
    if (bauds[i] == baud)
      adw_combo_row_set_selected (self->baud_row, i);
  esprit_flash_mode_parse (mode, &m);
  adw_combo_row_set_selected (self->mode_row, m >= ESPRIT_FLASH_MODE_QIO ? (guint) m + 1 : 0);
  for (guint i = 0; i < G_N_ELEMENTS (size_names); i++)
    if (g_str_equal (size, size_names[i]))
      adw_combo_row_set_selected (self->size_row, i);
  g_settings_bind (self->settings, "verify", self->verify_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "erase-all", self->erase_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "reset-after", self->reset_switch, "active", G_SETTINGS_BIND_DEFAULT);
  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));

  /* The files of the last successful flash, where they still exist. */
  g_variant_iter_init (&iter, recent);
  while (g_variant_iter_next (&iter, "(&su)", &path, &addr))
    if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
      {
        g_autoptr(GFile) file = g_file_new_for_path (path);

        load_file (self, file, addr);
      }
}

static void
on_option_changed (EspritWindow *self)
{
  guint mode = adw_combo_row_get_selected (self->mode_row);
  guint size = adw_combo_row_get_selected (self->size_row);
  guint baud = adw_combo_row_get_selected (self->baud_row);

  g_settings_set_string (self->settings, "flash-mode",
                         mode == 0 ? "keep" : esprit_flash_mode_name ((int) mode - 1));
  g_settings_set_string (self->settings, "flash-size", size_names[MIN (size, G_N_ELEMENTS (size_names) - 1)]);
  g_settings_set_uint (self->settings, "baud", bauds[MIN (baud, G_N_ELEMENTS (bauds) - 1)]);
  update_state (self);
}

static void
on_port_changed (EspritWindow *self)
{
  /* A different board: what Identify found no longer holds. */
  self->known_chip = ESPRIT_CHIP_AUTO;
  self->known_flash_size = 0;
  adw_action_row_set_subtitle (self->device_row, _("Not identified yet"));
  update_state (self);
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
  return GTK_WINDOW_CLASS (esprit_window_parent_class)->close_request (window);
}

static void
esprit_window_dispose (GObject *object)
{
  EspritWindow *self = ESPRIT_WINDOW (object);

  g_clear_handle_id (&self->port_timer, g_source_remove);
  if (self->job != NULL)
    {
      esprit_job_cancel (self->job);
      g_signal_handlers_disconnect_by_data (self->job, self);
      g_clear_object (&self->job);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPRIT_TYPE_WINDOW);
  g_clear_object (&self->registry);
  g_clear_object (&self->settings);
  g_clear_object (&self->port_labels);
  g_clear_pointer (&self->port_ids, g_ptr_array_unref);
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
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, phase_label);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, EspritWindow, log_view);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.flash", NULL, flash_action);
  gtk_widget_class_install_action (widget_class, "win.backup", NULL, backup_action);
  gtk_widget_class_install_action (widget_class, "win.erase", NULL, erase_action);
  gtk_widget_class_install_action (widget_class, "win.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "win.identify", NULL, identify_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.flash", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "win.flash", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}

static void
esprit_window_init (EspritWindow *self)
{
  GtkDropTarget *drop;
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_widget_init_template (GTK_WIDGET (self));
  if (g_str_has_suffix (APP_ID, ".Devel"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->settings = g_settings_new ("io.github.esprit.Esprit");
  self->known_chip = ESPRIT_CHIP_AUTO;
  self->registry = esprit_port_registry_new ();
  esprit_sim_register_scheme (self->registry, TRUE);
  self->port_ids = g_ptr_array_new_with_free_func (g_free);
  self->port_labels = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->port_row, G_LIST_MODEL (self->port_labels));
  refresh_ports (self);
  /* Boards come and go: look again every couple of seconds. */
  self->port_timer = g_timeout_add_seconds (PORT_POLL_SECONDS, poll_ports, self);

  /* The flow box only lays the action buttons out: Tab goes to the buttons themselves. */
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->actions_box)); c;
       c = gtk_widget_get_next_sibling (c))
    gtk_widget_set_focusable (c, FALSE);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  restore_settings (self);
  g_signal_connect_swapped (self->port_row, "notify::selected", G_CALLBACK (on_port_changed), self);
  g_signal_connect_swapped (self->baud_row, "notify::selected", G_CALLBACK (on_option_changed), self);
  g_signal_connect_swapped (self->mode_row, "notify::selected", G_CALLBACK (on_option_changed), self);
  g_signal_connect_swapped (self->size_row, "notify::selected", G_CALLBACK (on_option_changed), self);
  g_signal_connect_swapped (self->verify_switch, "notify::active", G_CALLBACK (update_state), self);
  g_signal_connect_swapped (self->erase_switch, "notify::active", G_CALLBACK (update_state), self);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (on_active_changed), NULL);
  update_state (self);
}

EspritWindow *
esprit_window_new (AdwApplication *application)
{
  return g_object_new (ESPRIT_TYPE_WINDOW, "application", application, NULL);
}

EspritJob *
esprit_window_get_job (EspritWindow *self)
{
  return self->job;
}

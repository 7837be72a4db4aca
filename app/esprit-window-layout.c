/* esprit-window-layout.c: the window's flash map: read after Identify and after a backup
 * (the layout, then one MD5 per region for what is erased, protocol-facts §10), and the
 * region actions of its rows: back up one region, restore one from a file, erase one; and a
 * file dropped on a region, which goes to the flash list at that region's offset
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esprit-error.h"
#include "esprit-numbers.h"
#include "esprit-window-private.h"

/* ---- reading the map (in the job's thread) ----------------------------------------- */

gboolean
_esprit_window_read_map (EspritSession  *session,
                         GPtrArray     **map,
                         char          **summary,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_autoptr(EspritLayout) layout = NULL;

  *summary = NULL;
  if (!esprit_session_read_flash_map (session, ESPRIT_PARTITION_TABLE_OFFSET, &layout, map,
                                      cancellable, error))
    return FALSE;
  if (layout != NULL)
    *summary = esprit_layout_describe (layout);
  return TRUE;
}

gboolean
_esprit_window_map_from_backup (const char  *path,
                                EspritChip   chip,
                                GPtrArray  **map,
                                char       **summary,
                                GError     **error)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  g_autoptr(EspritLayout) layout = NULL;
  g_autoptr(EspritChunkMap) chunks = NULL;
  const guint8 *data;
  gsize len;

  *map = NULL;
  *summary = NULL;
  if (file == NULL)
    return FALSE;
  data = (const guint8 *) g_mapped_file_get_contents (file);
  len = g_mapped_file_get_length (file);
  if (len == 0 || len > G_MAXUINT32)
    return TRUE;
  layout = esprit_layout_detect_image (data, len, chip, ESPRIT_PARTITION_TABLE_OFFSET);
  chunks = esprit_chunk_map_new ((guint32) len);
  esprit_chunk_map_learn (chunks, 0, data, len);
  *map = esprit_flash_map_build (layout, chunks);
  *summary = esprit_layout_describe (layout);
  return TRUE;
}

void
_esprit_window_show_map (EspritWindow *self,
                         GPtrArray    *map,
                         const char   *summary)
{
  esprit_flash_map_view_set_map (self->map_view, map, summary);
  gtk_widget_set_visible (GTK_WIDGET (self->map_group), map != NULL && map->len > 0);
}

/* ---- region actions ----------------------------------------------------------------- */

typedef struct {
  guint32    offset;
  guint32    size;
  guint      index;
  char      *path;         /* backups */
  EspritBackupFirst *backup_first;   /* erases and restores with "Back up first" on */
  GBytes    *data;         /* restores: what goes there */
  char      *name;         /* and the file's name */
  GPtrArray *map;          /* restores: the map read again after the write */
  char      *summary;
} RegionJob;

static void
region_job_free (gpointer data)
{
  RegionJob *rj = data;

  g_free (rj->path);
  _esprit_backup_first_unref (rj->backup_first);
  g_clear_pointer (&rj->data, g_bytes_unref);
  g_free (rj->name);
  g_clear_pointer (&rj->map, g_ptr_array_unref);
  g_free (rj->summary);
  g_free (rj);
}

static const EspritRegion *
map_region (EspritWindow *self,
            guint         index)
{
  GPtrArray *map = esprit_flash_map_view_get_map (self->map_view);

  return map != NULL && index < map->len ? map->pdata[index] : NULL;
}

static RegionJob *
region_job_new (EspritWindow *self,
                guint         index)
{
  const EspritRegion *r = map_region (self, index);
  RegionJob *rj;

  if (r == NULL || r->size == 0)
    return NULL;
  rj = g_new0 (RegionJob, 1);
  rj->offset = r->offset;
  rj->size = r->size;
  rj->index = index;
  return rj;
}

static gboolean
backup_region_func (EspritJob      *job,
                    EspritSession  *session,
                    gpointer        data,
                    GCancellable   *cancellable,
                    GError        **error)
{
  RegionJob *rj = data;

  /* Verified before the file takes its name, as a whole backup is. */
  return esprit_session_read_to_file (session, rj->offset, rj->size, rj->path, cancellable,
                                      error);
}

void
esprit_window_backup_region_to (EspritWindow *self,
                                guint         index,
                                GFile        *file)
{
  RegionJob *rj;

  g_return_if_fail (ESPRIT_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  rj = region_job_new (self, index);
  g_return_if_fail (rj != NULL);
  rj->path = g_file_get_path (file);
  _esprit_window_start_job (self, _("Backing up a region"), TRUE, ESPRIT_AFTER_HARD_RESET,
                            backup_region_func, rj, region_job_free, NULL,
                            _("Region saved and verified"));
}

/* A file chooser for region @index; its file goes to @chosen. */
typedef void (*RegionFileFunc) (EspritWindow *self,
                                guint         index,
                                GFile        *file);

static void
on_region_chooser_response (GtkNativeDialog *dialog,
                            int              response,
                            EspritWindow    *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "esprit-region"));
      RegionFileFunc chosen = g_object_get_data (G_OBJECT (dialog), "esprit-region-func");

      if (file != NULL)
        chosen (self, index, file);
    }
  g_object_unref (dialog);
}

static void
show_region_chooser (EspritWindow         *self,
                     guint                 index,
                     GtkFileChooserNative *chooser,
                     RegionFileFunc        chosen)
{
  g_object_set_data (G_OBJECT (chooser), "esprit-region", GUINT_TO_POINTER (index));
  g_object_set_data (G_OBJECT (chooser), "esprit-region-func", chosen);
  g_signal_connect (chooser, "response", G_CALLBACK (on_region_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
backup_region_action (GtkWidget  *widget,
                      const char *name,
                      GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  guint index = g_variant_get_uint32 (param);
  const EspritRegion *r = map_region (self, index);
  g_autofree char *title = NULL;
  g_autofree char *file_name = NULL;
  GtkFileChooserNative *chooser;

  if (r == NULL)
    return;
  /* Translators: title of the file chooser; %s is the region's name */
  title = g_strdup_printf (_("Back Up %s"), r->name);
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Back Up"), NULL);
  file_name = g_strdup_printf ("%s-0x%x.bin", r->name, r->offset);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), file_name);
  show_region_chooser (self, index, chooser, esprit_window_backup_region_to);
}

/* ---- restoring a region from a file ------------------------------------------------ */

/* Why @len bytes of the file @name cannot go into @r, or NULL when they fit. Judged before
 * anything is sent, as write_flash --partition does: nothing spills into the next region. */
static char *
region_refusal (const EspritRegion *r,
                const char         *name,
                gsize               len)
{
  if (len == 0)
    /* Translators: %s is a file name */
    return g_strdup_printf (_("%s is empty: nothing was written"), name);
  if (len > r->size)
    {
      g_autofree char *have = esprit_format_size (len);
      g_autofree char *room = esprit_format_size (r->size);

      /* Translators: file name, its size, region name, the region's size, then the same in
       * bytes */
      return g_strdup_printf (_("%s (%s) is larger than %s (%s): %zu bytes do not fit in %u. "
                                "Nothing was written."), name, have, r->name, room, len,
                              r->size);
    }
  return NULL;
}

static void
show_refusal (EspritWindow *self,
              const char   *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("The File Does Not Fit"),
                                              body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The region is a partition marked read-only: say so (as esprit-cli does) and write nothing. */
static gboolean
refuse_readonly (EspritWindow       *self,
                 const EspritRegion *r,
                 gboolean            erase)
{
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (!(r->flags & ESPRIT_PARTITION_FLAG_READONLY))
    return FALSE;
  body = erase ? g_strdup_printf (_("Partition %s is marked read-only: nothing was erased"),
                                  r->name)
               : g_strdup_printf (_("Partition %s is marked read-only: nothing was written"),
                                  r->name);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Read-Only Partition"), body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static gboolean
restore_region_func (EspritJob      *job,
                     EspritSession  *session,
                     gpointer        data,
                     GCancellable   *cancellable,
                     GError        **error)
{
  RegionJob *rj = data;
  g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
  EspritWriteOptions opts = ESPRIT_WRITE_OPTIONS_DEFAULT;

  if (!_esprit_window_backup_first (session, rj->backup_first, cancellable, error))
    return FALSE;
  /* Verified, and written as it is: a region's image keeps its header. */
  opts.verify = TRUE;
  esprit_write_plan_set_options (plan, &opts);
  esprit_write_plan_add (plan, rj->offset, rj->data, rj->name);
  if (!esprit_session_write (session, plan, cancellable, error))
    return FALSE;
  /* What the region holds now. */
  return _esprit_window_read_map (session, &rj->map, &rj->summary, cancellable, error);
}

static void
restore_region_done (EspritWindow *self,
                     gpointer      data)
{
  RegionJob *rj = data;

  _esprit_window_show_map (self, rj->map, rj->summary);
  esprit_flash_map_view_set_selected (self->map_view, rj->index);
  _esprit_window_refresh_backups (self);
}

void
esprit_window_restore_region_from (EspritWindow *self,
                                   guint         index,
                                   GFile        *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  g_autofree char *refusal = NULL;
  const EspritRegion *r;
  RegionJob *rj;

  g_return_if_fail (ESPRIT_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  r = map_region (self, index);
  g_return_if_fail (r != NULL);
  if (refuse_readonly (self, r, FALSE))
    return;

  name = g_file_get_basename (file);
  bytes = g_file_load_bytes (file, NULL, NULL, &error);
  if (bytes == NULL)
    {
      /* Translators: a file name, then why it cannot be read */
      g_autofree char *msg = g_strdup_printf (_("Cannot read %s: %s"), name, error->message);

      show_refusal (self, msg);
      return;
    }
  refusal = region_refusal (r, name, g_bytes_get_size (bytes));
  if (refusal != NULL)
    {
      show_refusal (self, refusal);
      return;
    }
  rj = region_job_new (self, index);
  rj->data = g_steal_pointer (&bytes);
  rj->name = g_steal_pointer (&name);
  rj->backup_first = _esprit_window_backup_first_dir (self);
  _esprit_window_start_job (self, _("Restoring a region"), TRUE, ESPRIT_AFTER_HARD_RESET,
                            restore_region_func, rj, region_job_free, restore_region_done,
                            _("Region written and verified"));
}

static void
restore_region_action (GtkWidget  *widget,
                       const char *name,
                       GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  guint index = g_variant_get_uint32 (param);
  const EspritRegion *r = map_region (self, index);
  g_autofree char *title = NULL;
  GtkFileChooserNative *chooser;

  if (r == NULL || refuse_readonly (self, r, FALSE))
    return;
  /* Translators: title of the file chooser; %s is the region's name */
  title = g_strdup_printf (_("Restore %s From a File"), r->name);
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Restore"), NULL);
  show_region_chooser (self, index, chooser, esprit_window_restore_region_from);
}

/* ---- a file dropped on a region ----------------------------------------------------- */

typedef struct {
  EspritWindow *self;
  GFile        *file;
  EspritRegion *region;   /* a copy: the map may change while the file loads */
} DropLoad;

static void
on_drop_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  DropLoad *dl = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = g_file_get_basename (dl->file);
  g_autofree char *refusal = NULL;
  gsize len = 0;

  if (!g_file_load_contents_finish (dl->file, result, &contents, &len, NULL, &error))
    refusal = g_strdup_printf (_("Cannot read %s: %s"), name, error->message);
  else
    refusal = region_refusal (dl->region, name, len);
  if (refusal != NULL)
    show_refusal (dl->self, refusal);
  else
    {
      g_autoptr(GBytes) data = g_bytes_new_take (g_steal_pointer (&contents), len);
      /* Translators: a file name, the region's name and offset */
      g_autofree char *msg = g_strdup_printf (_("%s goes to %s at 0x%x"), name,
                                              dl->region->name, dl->region->offset);

      _esprit_window_add_loaded_file (dl->self, dl->file, data, dl->region->offset);
      _esprit_window_show_toast (dl->self, msg);
    }
  g_object_unref (dl->self);
  g_object_unref (dl->file);
  esprit_region_free (dl->region);
  g_free (dl);
}

static void
on_map_file_dropped (EspritFlashMapView *view,
                     int                 index,
                     GFile              *file,
                     EspritWindow       *self)
{
  const EspritRegion *r = index >= 0 ? map_region (self, (guint) index) : NULL;
  DropLoad *dl;

  if (r == NULL)
    {
      GSList one = { file, NULL };

      esprit_window_add_files (self, &one);
      return;
    }
  dl = g_new0 (DropLoad, 1);
  dl->self = g_object_ref (self);
  dl->file = g_object_ref (file);
  dl->region = g_new0 (EspritRegion, 1);
  dl->region->name = g_strdup (r->name);
  dl->region->offset = r->offset;
  dl->region->size = r->size;
  g_file_load_contents_async (file, NULL, on_drop_loaded, dl);
}

static gboolean
erase_region_func (EspritJob      *job,
                   EspritSession  *session,
                   gpointer        data,
                   GCancellable   *cancellable,
                   GError        **error)
{
  RegionJob *rj = data;

  return _esprit_window_backup_first (session, rj->backup_first, cancellable, error) &&
         esprit_session_erase (session, rj->offset, rj->size, cancellable, error);
}

static void
erase_region_done (EspritWindow *self,
                   gpointer      data)
{
  RegionJob *rj = data;
  GPtrArray *map = esprit_flash_map_view_get_map (self->map_view);
  EspritRegion *r = (EspritRegion *) map_region (self, rj->index);

  /* The same map, with that region now known to be empty. */
  if (r != NULL && r->offset == rj->offset && r->size == rj->size)
    {
      g_autoptr(GPtrArray) keep = g_ptr_array_ref (map);
      g_autofree char *summary = g_strdup (esprit_flash_map_view_get_summary (self->map_view));

      r->contents = ESPRIT_CHUNK_ERASED;
      r->has_image = FALSE;
      r->used = 0;
      _esprit_window_show_map (self, keep, summary);
    }
  _esprit_window_refresh_backups (self);
}

void
esprit_window_erase_region (EspritWindow *self,
                            guint         index)
{
  const EspritRegion *r;
  RegionJob *rj;

  g_return_if_fail (ESPRIT_IS_WINDOW (self));
  r = map_region (self, index);
  if (r != NULL && refuse_readonly (self, r, TRUE))
    return;
  rj = region_job_new (self, index);
  g_return_if_fail (rj != NULL);
  rj->backup_first = _esprit_window_backup_first_dir (self);
  _esprit_window_start_job (self, _("Erasing a region"), TRUE, ESPRIT_AFTER_HARD_RESET,
                            erase_region_func, rj, region_job_free, erase_region_done,
                            _("The region is erased"));
}

static void
on_erase_region_response (AdwMessageDialog *dialog,
                          const char       *response,
                          EspritWindow     *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "esprit-region"));

  if (g_str_equal (response, "erase"))
    esprit_window_erase_region (self, index);
}

static void
erase_region_action (GtkWidget  *widget,
                     const char *name,
                     GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  guint index = g_variant_get_uint32 (param);
  const EspritRegion *r = map_region (self, index);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *size = NULL;
  GtkWidget *dialog;

  if (r == NULL || refuse_readonly (self, r, TRUE))
    return;
  size = esprit_format_size (r->size);
  /* Translators: %s is the region's name ("nvs") */
  heading = g_strdup_printf (_("Erase %s?"), r->name);
  /* Translators: offset, end and size of the region */
  body = g_strdup_printf (_("Everything from 0x%x to 0x%x (%s) will be lost. The rest of the "
                            "flash is kept."), r->offset,
                          (guint32) ((guint64) r->offset + r->size - 1), size);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "erase", _("_Erase"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "erase",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "esprit-region", GUINT_TO_POINTER (index));
  g_signal_connect (dialog, "response", G_CALLBACK (on_erase_region_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
readonly_region_action (GtkWidget  *widget,
                        const char *name,
                        GVariant   *param)
{
  EspritWindow *self = ESPRIT_WINDOW (widget);
  const EspritRegion *r = map_region (self, g_variant_get_uint32 (param));

  if (r != NULL)
    refuse_readonly (self, r, FALSE);
}

void
_esprit_window_class_init_layout (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.backup-region", "u",
                                   backup_region_action);
  gtk_widget_class_install_action (widget_class, "win.restore-region", "u",
                                   restore_region_action);
  gtk_widget_class_install_action (widget_class, "win.erase-region", "u", erase_region_action);
  /* Always off: the restore and erase items of a read-only partition (esprit-flash-map-view). */
  gtk_widget_class_install_action (widget_class, "win.readonly-region", "u",
                                   readonly_region_action);
  gtk_widget_class_bind_template_callback (widget_class, on_map_file_dropped);
}

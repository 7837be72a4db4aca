/* esprit-flash-map-view.c: the flash map: a bar of regions coloured by kind (erased space
 * light), reachable with the keyboard and described to screen readers, and the list of
 * the regions with a menu on each; a file dropped on a region is offered for that region
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "esprit-flash-map-view.h"
#include "esprit-numbers.h"

struct _EspritFlashMapView
{
  GtkWidget        parent_instance;

  /* template */
  GtkLabel        *summary_label;
  GtkDrawingArea  *bar;
  GtkLabel        *detail_label;
  GtkListBox      *region_list;

  GPtrArray       *map;
  guint32          end;        /* where the last region ends: the bar's whole width */
  guint            selected;
  int              hovered;    /* -1 when the pointer is not over the bar */
};

G_DEFINE_FINAL_TYPE (EspritFlashMapView, esprit_flash_map_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_FILE_DROPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One colour per kind, from the GNOME palette; text stays in the list, not on the bar. */
static void
kind_color (EspritRegionKind kind,
            GdkRGBA         *rgba)
{
  static const char *const colors[] = {
    [ESPRIT_REGION_BOOTLOADER]      = "#9141ac",
    [ESPRIT_REGION_PARTITION_TABLE] = "#5e5c64",
    [ESPRIT_REGION_APP]             = "#3584e4",
    [ESPRIT_REGION_FILESYSTEM]      = "#2ec27e",
    [ESPRIT_REGION_SETTINGS]        = "#e66100",
    [ESPRIT_REGION_DATA]            = "#e5a50a",
    [ESPRIT_REGION_UNKNOWN]         = "#9a9996",
    [ESPRIT_REGION_ERASED]          = "#deddda",
  };

  gdk_rgba_parse (rgba, (guint) kind < G_N_ELEMENTS (colors) && colors[kind]
                        ? colors[kind] : "#9a9996");
}

static void
region_color (const EspritRegion *r,
              GdkRGBA            *rgba)
{
  kind_color (r->kind, rgba);
  /* A region known to be all 0xFF is drawn light, like the erased gaps. */
  if (r->kind != ESPRIT_REGION_ERASED && r->contents == ESPRIT_CHUNK_ERASED)
    rgba->alpha = 0.3f;
}

const char *
esprit_flash_map_view_kind_label (EspritRegionKind kind)
{
  switch (kind)
    {
    case ESPRIT_REGION_BOOTLOADER:      return _("Bootloader");
    case ESPRIT_REGION_PARTITION_TABLE: return _("Partition table");
    case ESPRIT_REGION_APP:             return _("App");
    case ESPRIT_REGION_FILESYSTEM:      return _("File system");
    case ESPRIT_REGION_SETTINGS:        return _("Settings");
    case ESPRIT_REGION_DATA:            return _("Data");
    case ESPRIT_REGION_ERASED:          return _("Erased");
    case ESPRIT_REGION_UNKNOWN:
    default:                            return _("Unknown");
    }
}

static const EspritRegion *
region_at (EspritFlashMapView *self,
           guint               index)
{
  if (self->map == NULL || index >= self->map->len)
    return NULL;
  return self->map->pdata[index];
}

char *
esprit_flash_map_view_describe (EspritFlashMapView *self,
                                guint               index)
{
  const EspritRegion *r;
  g_autofree char *size = NULL;
  const char *detail;

  g_return_val_if_fail (ESPRIT_IS_FLASH_MAP_VIEW (self), NULL);
  r = region_at (self, index);
  if (r == NULL)
    return NULL;
  size = esprit_format_size (r->size);
  detail = r->detail && *r->detail ? r->detail : esprit_flash_map_view_kind_label (r->kind);
  if (r->kind != ESPRIT_REGION_ERASED && r->contents == ESPRIT_CHUNK_ERASED)
    /* Translators: region name, what it is, offset, size, for a region holding nothing */
    return g_strdup_printf (_("%s · %s · 0x%x, %s · erased"), r->name, detail, r->offset, size);
  /* Translators: region name, what it is, offset, size */
  return g_strdup_printf (_("%s · %s · 0x%x, %s"), r->name, detail, r->offset, size);
}

/* ---- the bar ------------------------------------------------------------------------ */

static void
region_span (EspritFlashMapView *self,
             const EspritRegion *r,
             int                 width,
             double             *x0,
             double             *x1)
{
  *x0 = (double) r->offset * width / self->end;
  *x1 = (double) ((guint64) r->offset + r->size) * width / self->end;
  /* Even a 4 KB region among megabytes stays visible. */
  if (*x1 - *x0 < 2)
    *x1 = *x0 + 2;
}

static int
region_at_x (EspritFlashMapView *self,
             double              x)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self->bar));

  if (self->map == NULL || width <= 0)
    return -1;
  for (guint i = self->map->len; i > 0; i--)
    {
      double x0, x1;

      region_span (self, self->map->pdata[i - 1], width, &x0, &x1);
      if (x >= x0 && x < x1)
        return (int) i - 1;
    }
  return -1;
}

static void
draw_bar (GtkDrawingArea *area,
          cairo_t        *cr,
          int             width,
          int             height,
          gpointer        data)
{
  EspritFlashMapView *self = data;
  gboolean focus = gtk_widget_has_focus (GTK_WIDGET (area));

  if (self->map == NULL || self->end == 0)
    return;
  for (guint i = 0; i < self->map->len; i++)
    {
      const EspritRegion *r = self->map->pdata[i];
      GdkRGBA rgba;
      double x0, x1;

      region_span (self, r, width, &x0, &x1);
      region_color (r, &rgba);
      gdk_cairo_set_source_rgba (cr, &rgba);
      cairo_rectangle (cr, x0, 0, x1 - x0, height);
      cairo_fill (cr);
      /* An app whose image is data and whose rest is not (mixed: the space after the image
       * was found erased): the image solid, the free space after it light. */
      if (r->kind == ESPRIT_REGION_APP && r->used > 0 && r->used < r->size &&
          r->contents == ESPRIT_CHUNK_UNKNOWN)
        {
          double xu = x0 + (x1 - x0) * r->used / r->size;

          cairo_set_source_rgba (cr, 1, 1, 1, 0.7);
          cairo_rectangle (cr, MAX (xu, x0 + 2), 0, x1 - MAX (xu, x0 + 2), height);
          cairo_fill (cr);
        }
      /* A thin gap between neighbours. */
      cairo_set_source_rgba (cr, 1, 1, 1, 0.8);
      cairo_rectangle (cr, x0, 0, 1, height);
      cairo_fill (cr);
    }
  if (self->selected < self->map->len && (focus || self->hovered >= 0))
    {
      const EspritRegion *r = self->map->pdata[self->hovered >= 0 ? (guint) self->hovered
                                                                  : self->selected];
      double x0, x1;

      region_span (self, r, width, &x0, &x1);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      cairo_set_line_width (cr, 2);
      cairo_rectangle (cr, x0 + 1, 1, MAX (x1 - x0 - 2, 1), height - 2);
      cairo_stroke (cr);
    }
}

/* The line under the bar and what a screen reader says follow hover, else the selection. */
static void
update_detail (EspritFlashMapView *self)
{
  guint shown = self->hovered >= 0 ? (guint) self->hovered : self->selected;
  g_autofree char *text = esprit_flash_map_view_describe (self, shown);
  g_autofree char *selected = esprit_flash_map_view_describe (self, self->selected);
  guint n = self->map ? self->map->len : 0;

  gtk_label_set_text (self->detail_label, text ? text : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, (double) (n ? n - 1 : 0),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, (double) self->selected,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, selected ? selected : "",
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self->bar));
}

void
esprit_flash_map_view_set_selected (EspritFlashMapView *self,
                                    guint               index)
{
  g_return_if_fail (ESPRIT_IS_FLASH_MAP_VIEW (self));
  if (self->map == NULL || index >= self->map->len)
    return;
  self->selected = index;
  update_detail (self);
}

guint
esprit_flash_map_view_get_selected (EspritFlashMapView *self)
{
  g_return_val_if_fail (ESPRIT_IS_FLASH_MAP_VIEW (self), 0);
  return self->selected;
}

static gboolean
on_bar_key (GtkEventControllerKey *controller,
            guint                  keyval,
            guint                  keycode,
            GdkModifierType        state,
            EspritFlashMapView    *self)
{
  guint n = self->map ? self->map->len : 0;
  GtkListBoxRow *row;

  if (n == 0)
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Left: case GDK_KEY_KP_Left: case GDK_KEY_Up: case GDK_KEY_KP_Up:
      esprit_flash_map_view_set_selected (self, self->selected > 0 ? self->selected - 1 : 0);
      return TRUE;
    case GDK_KEY_Right: case GDK_KEY_KP_Right: case GDK_KEY_Down: case GDK_KEY_KP_Down:
      esprit_flash_map_view_set_selected (self, MIN (self->selected + 1, n - 1));
      return TRUE;
    case GDK_KEY_Home: case GDK_KEY_KP_Home:
      esprit_flash_map_view_set_selected (self, 0);
      return TRUE;
    case GDK_KEY_End: case GDK_KEY_KP_End:
      esprit_flash_map_view_set_selected (self, n - 1);
      return TRUE;
    case GDK_KEY_Return: case GDK_KEY_KP_Enter: case GDK_KEY_space:
      /* To the region's row, where its menu is. */
      row = gtk_list_box_get_row_at_index (self->region_list, (int) self->selected);
      if (row != NULL)
        gtk_widget_grab_focus (GTK_WIDGET (row));
      return TRUE;
    default:
      return FALSE;
    }
}

static void
on_bar_motion (GtkEventControllerMotion *controller,
               double                    x,
               double                    y,
               EspritFlashMapView       *self)
{
  int hovered = region_at_x (self, x);

  if (hovered != self->hovered)
    {
      self->hovered = hovered;
      update_detail (self);
    }
}

static void
on_bar_leave (GtkEventControllerMotion *controller,
              EspritFlashMapView       *self)
{
  self->hovered = -1;
  update_detail (self);
}

static void
on_bar_pressed (GtkGestureClick    *gesture,
                int                 n_press,
                double              x,
                double              y,
                EspritFlashMapView *self)
{
  int index = region_at_x (self, x);

  gtk_widget_grab_focus (GTK_WIDGET (self->bar));
  if (index >= 0)
    esprit_flash_map_view_set_selected (self, (guint) index);
}

static gboolean
on_bar_query_tooltip (GtkWidget          *widget,
                      int                 x,
                      int                 y,
                      gboolean            keyboard,
                      GtkTooltip         *tooltip,
                      EspritFlashMapView *self)
{
  int index = keyboard ? (int) self->selected : region_at_x (self, x);
  g_autofree char *text = index >= 0 ? esprit_flash_map_view_describe (self, (guint) index)
                                     : NULL;

  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
on_focus_changed (EspritFlashMapView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->bar));
}

/* ---- the list ----------------------------------------------------------------------- */

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        data)
{
  GdkRGBA rgba;

  region_color (data, &rgba);
  gdk_cairo_set_source_rgba (cr, &rgba);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

static GtkWidget *
region_row (EspritFlashMapView *self,
            guint               index)
{
  const EspritRegion *r = self->map->pdata[index];
  g_autofree char *size = esprit_format_size (r->size);
  g_autofree char *subtitle = NULL;
  g_autofree char *menu_label = NULL;
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) backup = NULL;
  g_autoptr(GMenuItem) restore = NULL;
  g_autoptr(GMenuItem) erase = NULL;
  /* A read-only partition (ESP-IDF flag bit 1) is refused as esprit-cli refuses it: its
   * writing items point at an action that is always off, and the row says why. */
  gboolean readonly = (r->flags & ESPRIT_PARTITION_FLAG_READONLY) != 0;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *swatch = gtk_drawing_area_new ();
  GtkWidget *button = gtk_menu_button_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), r->name);
  /* Translators: kind of region, offset, end, size; then what it holds */
  subtitle = g_strdup_printf (_("%s · 0x%06x–0x%06x · %s"),
                              esprit_flash_map_view_kind_label (r->kind), r->offset,
                              (guint32) ((guint64) r->offset + r->size - 1), size);
  if (r->detail && *r->detail)
    {
      char *more = g_strdup_printf ("%s\n%s", subtitle, r->detail);

      g_free (subtitle);
      subtitle = more;
    }
  if (r->kind != ESPRIT_REGION_ERASED && r->contents == ESPRIT_CHUNK_ERASED)
    {
      /* Translators: added to a region's description when it holds nothing */
      char *more = g_strdup_printf (_("%s · erased"), subtitle);

      g_free (subtitle);
      subtitle = more;
    }
  if (readonly)
    {
      /* Translators: added to a read-only partition's description, on its own line */
      char *more = g_strdup_printf (_("%s\nRead-only partition: it cannot be restored or "
                                      "erased"), subtitle);

      g_free (subtitle);
      subtitle = more;
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 14);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 14);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, (gpointer) r, NULL);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), swatch);

  backup = g_menu_item_new (_("_Back Up This Region…"), NULL);
  g_menu_item_set_action_and_target_value (backup, "win.backup-region",
                                           g_variant_new_uint32 (index));
  g_menu_append_item (menu, backup);
  restore = g_menu_item_new (_("_Restore From File…"), NULL);
  g_menu_item_set_action_and_target_value (restore, readonly ? "win.readonly-region"
                                                    : "win.restore-region",
                                           g_variant_new_uint32 (index));
  g_menu_append_item (menu, restore);
  erase = g_menu_item_new (_("_Erase This Region…"), NULL);
  g_menu_item_set_action_and_target_value (erase, readonly ? "win.readonly-region"
                                                  : "win.erase-region",
                                           g_variant_new_uint32 (index));
  g_menu_append_item (menu, erase);
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  /* Translators: tooltip and screen reader name of a region's menu button */
  menu_label = g_strdup_printf (_("Actions for %s"), r->name);
  gtk_widget_set_tooltip_text (button, menu_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  menu_label, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  g_object_set_data (G_OBJECT (row), "esprit-region-index", GUINT_TO_POINTER (index));
  return row;
}

static void
on_row_activated (GtkListBox         *list,
                  GtkListBoxRow      *row,
                  EspritFlashMapView *self)
{
  esprit_flash_map_view_set_selected (self, (guint) gtk_list_box_row_get_index (row));
}

/* ---- dropping a file on a region --------------------------------------------------- */

int
esprit_flash_map_view_region_at (EspritFlashMapView *self,
                                 double              x,
                                 double              y)
{
  GtkWidget *picked;
  graphene_point_t in_view = GRAPHENE_POINT_INIT ((float) x, (float) y), in_bar;

  g_return_val_if_fail (ESPRIT_IS_FLASH_MAP_VIEW (self), -1);
  picked = gtk_widget_pick (GTK_WIDGET (self), x, y, GTK_PICK_DEFAULT);
  if (picked == NULL)
    return -1;
  if (picked == GTK_WIDGET (self->bar) &&
      gtk_widget_compute_point (GTK_WIDGET (self), GTK_WIDGET (self->bar), &in_view, &in_bar))
    return region_at_x (self, in_bar.x);
  for (GtkWidget *w = picked; w != NULL && w != GTK_WIDGET (self); w = gtk_widget_get_parent (w))
    if (GTK_IS_LIST_BOX_ROW (w) && gtk_widget_get_parent (w) == GTK_WIDGET (self->region_list))
      return gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (w));
  return -1;
}

static GdkDragAction
on_drop_motion (GtkDropTarget      *target,
                double              x,
                double              y,
                EspritFlashMapView *self)
{
  int index = esprit_flash_map_view_region_at (self, x, y);

  /* The region the file would go to is outlined on the bar, as on hover. */
  if (index != self->hovered)
    {
      self->hovered = index;
      update_detail (self);
    }
  return GDK_ACTION_COPY;
}

static void
on_drop_leave (GtkDropTarget      *target,
               EspritFlashMapView *self)
{
  self->hovered = -1;
  update_detail (self);
}

static gboolean
on_drop (GtkDropTarget      *target,
         const GValue       *value,
         double              x,
         double              y,
         EspritFlashMapView *self)
{
  int index = esprit_flash_map_view_region_at (self, x, y);
  GSList one = { NULL, NULL };
  GSList *files = NULL;

  self->hovered = -1;
  update_detail (self);
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    files = g_value_get_boxed (value);
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      one.data = g_value_get_object (value);
      files = &one;
    }
  if (files == NULL)
    return FALSE;
  /* One region takes one file; several, or none under the pointer, go where they would
   * go dropped anywhere else (-1). */
  if (files->next != NULL)
    index = -1;
  if (index >= 0)
    esprit_flash_map_view_set_selected (self, (guint) index);
  for (GSList *l = files; l != NULL; l = l->next)
    g_signal_emit (self, signals[SIGNAL_FILE_DROPPED], 0, index, l->data);
  return TRUE;
}

/* ---- the view ----------------------------------------------------------------------- */

void
esprit_flash_map_view_set_map (EspritFlashMapView *self,
                               GPtrArray          *map,
                               const char         *summary)
{
  GtkWidget *child;

  g_return_if_fail (ESPRIT_IS_FLASH_MAP_VIEW (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->region_list))) != NULL)
    gtk_list_box_remove (self->region_list, child);
  if (map != NULL)
    g_ptr_array_ref (map);
  g_clear_pointer (&self->map, g_ptr_array_unref);
  self->map = map;
  self->end = 0;
  self->hovered = -1;
  if (map != NULL && map->len > 0)
    {
      const EspritRegion *last = map->pdata[map->len - 1];

      self->end = last->offset + last->size;
    }
  if (self->map == NULL || self->selected >= self->map->len)
    self->selected = 0;
  for (guint i = 0; map != NULL && i < map->len; i++)
    gtk_list_box_append (self->region_list, region_row (self, i));
  gtk_label_set_text (self->summary_label, summary ? summary : "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), summary != NULL && *summary);
  update_detail (self);
}

const char *
esprit_flash_map_view_get_summary (EspritFlashMapView *self)
{
  g_return_val_if_fail (ESPRIT_IS_FLASH_MAP_VIEW (self), NULL);
  return gtk_label_get_text (self->summary_label);
}

GPtrArray *
esprit_flash_map_view_get_map (EspritFlashMapView *self)
{
  g_return_val_if_fail (ESPRIT_IS_FLASH_MAP_VIEW (self), NULL);
  return self->map;
}

static void
esprit_flash_map_view_dispose (GObject *object)
{
  EspritFlashMapView *self = ESPRIT_FLASH_MAP_VIEW (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), ESPRIT_TYPE_FLASH_MAP_VIEW);
  /* The frame has no id, so the template leaves it: every child goes here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->map, g_ptr_array_unref);
  G_OBJECT_CLASS (esprit_flash_map_view_parent_class)->dispose (object);
}

static void
esprit_flash_map_view_class_init (EspritFlashMapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esprit_flash_map_view_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esprit/Esprit/ui/esprit-flash-map-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EspritFlashMapView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, EspritFlashMapView, bar);
  gtk_widget_class_bind_template_child (widget_class, EspritFlashMapView, detail_label);
  gtk_widget_class_bind_template_child (widget_class, EspritFlashMapView, region_list);

  /**
   * EspritFlashMapView::file-dropped:
   * @index: the region the file was dropped on, or -1
   * @file: the file
   *
   * A single file was dropped on region @index, on the bar or on its row; -1 for each of
   * several files, or for a file dropped beside the regions.
   */
  signals[SIGNAL_FILE_DROPPED] =
    g_signal_new ("file-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_FILE);
}

static void
esprit_flash_map_view_init (EspritFlashMapView *self)
{
  GtkLayoutManager *layout;
  GtkEventController *controller;
  GtkGesture *click;
  GtkDropTarget *drop;
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_widget_init_template (GTK_WIDGET (self));
  layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 6);
  self->hovered = -1;

  gtk_drawing_area_set_draw_func (self->bar, draw_bar, self, NULL);
  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (on_bar_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self->bar), controller);
  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_bar_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_bar_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self->bar), controller);
  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_bar_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->bar), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (self->bar, "query-tooltip", G_CALLBACK (on_bar_query_tooltip), self);
  g_signal_connect_swapped (self->bar, "notify::has-focus", G_CALLBACK (on_focus_changed), self);
  g_signal_connect (self->region_list, "row-activated", G_CALLBACK (on_row_activated), self);
  /* Over the map a drop goes to a region, not to the window's list at its default place. */
  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "motion", G_CALLBACK (on_drop_motion), self);
  g_signal_connect (drop, "leave", G_CALLBACK (on_drop_leave), self);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Flash map"), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("The regions of the flash from its start to its end; "
                                    "the arrow keys move from one to the next"), -1);
}

GtkWidget *
esprit_flash_map_view_new (void)
{
  return g_object_new (ESPRIT_TYPE_FLASH_MAP_VIEW, NULL);
}

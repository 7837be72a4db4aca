/* esprit-flash-map-view.h: what is on a flash, drawn as one bar of regions coloured by kind,
 * with the list of the regions below it (issue 14)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "esprit-layout.h"

G_BEGIN_DECLS

#define ESPRIT_TYPE_FLASH_MAP_VIEW (esprit_flash_map_view_get_type ())
G_DECLARE_FINAL_TYPE (EspritFlashMapView, esprit_flash_map_view, ESPRIT, FLASH_MAP_VIEW, GtkWidget)

GtkWidget    *esprit_flash_map_view_new          (void);
/* Shows @map (element-type EspritRegion, as esprit_flash_map_build() makes it, covering
 * 0..its end) under a @summary line ("ESP-IDF partition table at 0x8000, 6 partitions").
 * The view keeps a reference to @map; NULL empties the view. Each row's menu activates
 * win.backup-region, win.restore-region and win.erase-region with the region's index ("u");
 * a file dropped on the view emits ::file-dropped (int index, GFile *file), index -1 when
 * it was not one file on a region. */
void          esprit_flash_map_view_set_map      (EspritFlashMapView *self,
                                                  GPtrArray          *map,
                                                  const char         *summary);
/* (transfer none) (nullable) */
GPtrArray    *esprit_flash_map_view_get_map      (EspritFlashMapView *self);
const char   *esprit_flash_map_view_get_summary  (EspritFlashMapView *self);
/* The region the bar's keyboard focus is on (0 when the map is empty). */
guint         esprit_flash_map_view_get_selected (EspritFlashMapView *self);
void          esprit_flash_map_view_set_selected (EspritFlashMapView *self,
                                                  guint               index);
/* The text hover and focus show for region @index: "nvs · data/nvs · 0x9000, 24 KB". */
char         *esprit_flash_map_view_describe     (EspritFlashMapView *self,
                                                  guint               index);
/* The region under (@x, @y) of the view (on the bar or a row), or -1. */
int           esprit_flash_map_view_region_at    (EspritFlashMapView *self,
                                                  double              x,
                                                  double              y);
/* A kind's name for people: "App", "File system", "Erased"… */
const char   *esprit_flash_map_view_kind_label   (EspritRegionKind    kind);

G_END_DECLS

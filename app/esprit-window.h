/* esprit-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "esprit-job.h"
#include "esprit-sim.h"

G_BEGIN_DECLS

#define ESPRIT_TYPE_WINDOW (esprit_window_get_type ())
G_DECLARE_FINAL_TYPE (EspritWindow, esprit_window, ESPRIT, WINDOW, AdwApplicationWindow)

EspritWindow *esprit_window_new               (AdwApplication *application);
/* Adds files as if dropped (loaded asynchronously). */
void          esprit_window_add_files         (EspritWindow   *self,
                                               GSList         *files);
/* Selects a port by id ("sim:esp8266", "/dev/ttyUSB0"); FALSE if it is not offered. */
gboolean      esprit_window_select_port       (EspritWindow   *self,
                                               const char     *id);
/* Starts a backup into @file (what "Back Up…" does after its file chooser). */
void          esprit_window_backup_to         (EspritWindow   *self,
                                               GFile          *file);
/* Backs up every checked board of the board list into @folder, one file each, named by the
 * template (what "Back Up…" does after its folder chooser in the board list). */
void          esprit_window_backup_boards_to  (EspritWindow   *self,
                                               GFile          *folder);
/* Starts a backup of region @index of the flash map into @file (what a region's "Back Up
 * This Region…" does after its file chooser). */
void          esprit_window_backup_region_to  (EspritWindow   *self,
                                               guint           index,
                                               GFile          *file);
/* Writes @file, verified, at the offset of region @index of the flash map (what its
 * "Restore From File…" does after its file chooser); a file larger than the region is
 * refused with a message before anything is sent. */
void          esprit_window_restore_region_from (EspritWindow *self,
                                               guint           index,
                                               GFile          *file);
/* Erases region @index of the flash map (what its "Erase This Region…" does once
 * confirmed). */
void          esprit_window_erase_region      (EspritWindow   *self,
                                               guint           index);
/* Writes the whole-flash backup @file back at 0x0 (what a backup's Restore does once
 * confirmed). */
void          esprit_window_restore_backup    (EspritWindow   *self,
                                               GFile          *file);
/* The virtual board behind "Virtual ESP8266"/"Virtual ESP32" (created on first use). */
EspritSim    *esprit_window_get_virtual_board (EspritWindow   *self,
                                               EspritChip      chip);
/* The password prompt an upload over the air shows, NULL when none is open. */
AdwMessageDialog *esprit_window_get_password_dialog (EspritWindow *self);
/* The running or last job, NULL before the first. */
EspritJob    *esprit_window_get_job           (EspritWindow   *self);

G_END_DECLS

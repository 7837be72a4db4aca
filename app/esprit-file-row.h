/* esprit-file-row.h: one file to flash, with its address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ESPRIT_TYPE_FILE_ROW (esprit_file_row_get_type ())
G_DECLARE_FINAL_TYPE (EspritFileRow, esprit_file_row, ESPRIT, FILE_ROW, AdwActionRow)

EspritFileRow *esprit_file_row_new         (GFile         *file,
                                            GBytes        *data,
                                            guint32        address);
GFile         *esprit_file_row_get_file    (EspritFileRow *self);
GBytes        *esprit_file_row_get_data    (EspritFileRow *self);
/* FALSE when the address field does not hold a number. */
gboolean       esprit_file_row_get_address (EspritFileRow *self,
                                            guint32       *address);
/* Shows or hides the address field (an upload over the air has no address). */
void           esprit_file_row_set_address_visible (EspritFileRow *self,
                                                    gboolean       visible);
/* Marks the row as the reason Flash is disabled (NULL clears). */
void           esprit_file_row_set_problem (EspritFileRow *self,
                                            const char    *problem);

G_END_DECLS

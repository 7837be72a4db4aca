/* esprit-board-test-util.h: the board list's tests: the virtual classroom's window, its
 * boards and rows, the Blink image they get
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "esprit-board-row.h"
#include "esprit-window-private.h"

G_BEGIN_DECLS

#define N_BOARDS ESPRIT_PORT_MODEL_CLASSROOM_SIZE

/* A Blink-sized Arduino export (made by board_tests_init()). */
extern GBytes *blink;

void              board_tests_init  (void);
/* The classroom's virtual board @k (1 to 8). */
EspritSim        *board             (EspritWindow *window,
                                     guint         k);
EspritBoardRow   *row_at            (EspritWindow *window,
                                     guint         i);
guint             n_board_rows      (EspritWindow *window);
gboolean          boards_idle       (gpointer      window);
/* The run's summary, which must be shown. */
const char       *summary           (EspritWindow *window);
/* The window on the virtual classroom, with the Blink image at 0x0. */
EspritWindow     *classroom_window  (void);
gboolean          board_has_blink   (EspritWindow *window,
                                     guint         k);
/* Row @k done, board @k holding Blink and running it from flash. */
void              assert_flashed    (EspritWindow *window,
                                     guint         k);

G_END_DECLS

/* esprit-sim-classroom.h: `esprit-sim --boards N`, a classroom of virtual boards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-sim.h"

G_BEGIN_DECLS

/* Serves @n_boards boards like @config (pty, or consecutive TCP ports from @listen's), each
 * with its own flash (@config's flash path + "-K", or DIR/board-K.bin for a directory), its
 * own events file (+ "-K") and a distinct MAC (the first board's, counted up). @faults
 * apply to every board; @board_faults ("K:NAME=N,NAME=N", NAME an esprit-sim fault option)
 * to one. Prints where each board is, one a line, and serves until SIGINT or SIGTERM.
 * Returns the exit status. */
int esprit_sim_classroom_main (const EspritSimConfig *config,
                               const EspritSimFaults *faults,
                               const char            *listen,
                               guint                  n_boards,
                               char                 **board_faults,
                               const char            *count_file);
/* Writes "bytes-to-board bytes-to-host" of @sim's wire to @path (--count-file, for tests
 * that must prove nothing was sent). */
void esprit_sim_write_counts   (EspritSim             *sim,
                                const char            *path);

G_END_DECLS

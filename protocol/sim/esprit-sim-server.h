/* esprit-sim-server.h: serving a virtual board on a pty, socket:// or rfc2217://
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-rfc2217-server.h"
#include "esprit-sim.h"

G_BEGIN_DECLS

/* Opens a pty pair; returns the master fd and sets *@slave_path. */
int      esprit_sim_pty_open     (char         **slave_path,
                                  GError       **error);
/* Unplugs the board on @master: closes both ends the sim holds, so the device node goes
 * away and a client's reads see end of file, its writes EIO, as after a USB bridge leaves. */
void     esprit_sim_pty_unplug   (int            master);
/* Serves @sim on the pty master until *@stop is set, or until the unplug fault fires: then
 * the pty is unplugged (esprit_sim_pty_unplug) and @master is closed on return. */
void     esprit_sim_serve_pty    (EspritSim     *sim,
                                  int            master,
                                  volatile gint *stop);
/* Listens on 127.0.0.1:@port (0: any free port; the one chosen is stored in *@port). */
GSocket *esprit_sim_listen_tcp   (guint16       *port,
                                  GError       **error);
/* The flags of esprit_serve_run() (esprit-rfc2217-server.h). */
typedef enum {
  ESPRIT_SIM_SERVE_RAW = ESPRIT_SERVE_RAW,
  ESPRIT_SIM_SERVE_RFC2217 = ESPRIT_SERVE_RFC2217,
  ESPRIT_SIM_SERVE_PLAIN_LINES = ESPRIT_SERVE_PLAIN_LINES,
} EspritSimServeFlags;

/* Serves @sim to one client after another (TRUE/FALSE for @flags still mean RFC 2217/raw). */
void     esprit_sim_serve_tcp    (EspritSim          *sim,
                                  GSocket            *listener,
                                  EspritSimServeFlags flags,
                                  volatile gint      *stop);

G_END_DECLS

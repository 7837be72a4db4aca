/* esprit-sim-server.h: serving a virtual board on a pty, socket:// or rfc2217://
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-sim.h"

G_BEGIN_DECLS

/* Opens a pty pair; returns the master fd and sets *@slave_path. */
int      esprit_sim_pty_open     (char         **slave_path,
                                  GError       **error);
/* Serves @sim on the pty master until *@stop is set. */
void     esprit_sim_serve_pty    (EspritSim     *sim,
                                  int            master,
                                  volatile gint *stop);
/* Listens on 127.0.0.1:@port (0: any free port; the one chosen is stored in *@port). */
GSocket *esprit_sim_listen_tcp   (guint16       *port,
                                  GError       **error);
/* Serves @sim to one client after another; @rfc2217 adds the telnet COM-PORT layer. */
void     esprit_sim_serve_tcp    (EspritSim     *sim,
                                  GSocket       *listener,
                                  gboolean       rfc2217,
                                  volatile gint *stop);

G_END_DECLS

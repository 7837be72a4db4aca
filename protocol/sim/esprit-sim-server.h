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
typedef enum {
  ESPRIT_SIM_SERVE_RAW = 0,
  /* The telnet COM-PORT layer (RFC 2217): baud, DTR/RTS, purge, modem-state notifications. */
  ESPRIT_SIM_SERVE_RFC2217 = 1 << 0,
  /* Apply each DTR/RTS change as it arrives, instead of recognising the reset sequences that
   * RFC 2217's one-line-per-message stretches (as Espressif's esp_rfc2217_server does). */
  ESPRIT_SIM_SERVE_PLAIN_LINES = 1 << 1,
} EspritSimServeFlags;

/* Serves @sim to one client after another (TRUE/FALSE for @flags still mean RFC 2217/raw). */
void     esprit_sim_serve_tcp    (EspritSim          *sim,
                                  GSocket            *listener,
                                  EspritSimServeFlags flags,
                                  volatile gint      *stop);

G_END_DECLS

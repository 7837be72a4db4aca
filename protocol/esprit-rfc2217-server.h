/* esprit-rfc2217-server.h: a board's serial port shared over TCP, raw or as an RFC 2217
 * server that replays the download reset on this side (esprit-cli serve, esprit-sim)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-transport.h"

G_BEGIN_DECLS

typedef enum {
  /* socket://: bytes both ways, nothing else. */
  ESPRIT_SERVE_RAW = 0,
  /* The telnet COM-PORT layer (RFC 2217): baud, DTR/RTS, purge, modem-state notifications. */
  ESPRIT_SERVE_RFC2217 = 1 << 0,
  /* Apply each DTR/RTS change as it arrives, as a plain redirector does, instead of
   * recognising the download reset and completing it on this side. */
  ESPRIT_SERVE_PLAIN_LINES = 1 << 1,
} EspritServeFlags;

/* What the server tells its owner: a client came, left, or was turned away. */
typedef void (*EspritServeLog) (const char *message,
                                gpointer    user_data);

/* Listens on @address (an IP address; NULL: 127.0.0.1) at *@port (0: any free port; the one
 * chosen is stored back). */
GSocket  *esprit_serve_listen (const char        *address,
                               guint16           *port,
                               GError           **error);

/* Serves @board to one client after another until *@stop is set. A client that connects
 * while another is served gets a line of text saying so and is closed. Returns FALSE with
 * @error when the board itself fails (unplugged); clients leaving are no error. */
gboolean  esprit_serve_run    (EspritTransport   *board,
                               GSocket           *listener,
                               EspritServeFlags   flags,
                               volatile gint     *stop,
                               EspritServeLog     log,
                               gpointer           user_data,
                               GError           **error);

G_END_DECLS

/* esprit-transport-fd.h: transports over a file descriptor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-transport.h"

G_BEGIN_DECLS

/* A tty through termios (ptys: libserialport refuses them, TESTING.md). */
EspritTransport *esprit_transport_tty_open    (const char  *path,
                                               guint        baud,
                                               GError     **error);
/* A serial device through libserialport (exclusive open, USB ids). */
EspritTransport *esprit_transport_serial_open (const char  *path,
                                               guint        baud,
                                               GError     **error);
/* socket://host:port */
EspritTransport *esprit_transport_socket_open (const char  *host_and_port,
                                               GError     **error);
/* rfc2217://host:port */
EspritTransport *esprit_transport_rfc2217_open (const char *host_and_port,
                                                guint       baud,
                                                GError    **error);

/* Shared: whether @errsv on an open tty means its device went away (a USB bridge unplugged:
 * the kernel hangs the tty up, reads then see end of file and writes EIO), and the error
 * that says so, ESPRIT_ERROR_DISCONNECTED "…: the board was unplugged". */
gboolean         _esprit_errno_is_unplug      (int           errsv);
void             _esprit_set_unplugged_error  (GError      **error,
                                               const char   *path);
/* Shared: waits until @fd is readable or @timeout_ms passed, honouring @cancellable.
 * Returns 1 readable, 0 timeout, -1 error. */
int              _esprit_fd_wait_readable     (int           fd,
                                               guint         timeout_ms,
                                               GCancellable *cancellable,
                                               GError      **error);
/* Maps an errno from opening @path to an EspritError with advice. */
void             _esprit_set_open_error       (GError     **error,
                                               int          errsv,
                                               const char  *path);

G_END_DECLS

G_BEGIN_DECLS
GSocketConnection *_esprit_tcp_connect (const char  *host_and_port,
                                        GError     **error);
G_END_DECLS

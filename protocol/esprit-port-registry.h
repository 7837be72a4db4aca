/* esprit-port-registry.h: which code opens which port name
 *
 * The library opens device paths, socket:// and rfc2217:// by itself; other libraries add
 * schemes (the virtual board adds "sim:"), so front ends open every port the same way and
 * the library never depends on them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-transport.h"

G_BEGIN_DECLS

#define ESPRIT_TYPE_PORT_REGISTRY (esprit_port_registry_get_type ())
G_DECLARE_FINAL_TYPE (EspritPortRegistry, esprit_port_registry, ESPRIT, PORT_REGISTRY, GObject)

/* Opens @port (the whole name, scheme included) at @baud. May block; called in the thread
 * that opens the session. */
typedef EspritTransport *(*EspritPortOpenFunc) (const char  *port,
                                                guint        baud,
                                                gpointer     user_data,
                                                GError     **error);

/* A registry with the built-in kinds only. */
EspritPortRegistry *esprit_port_registry_new         (void);
/* The process's registry (made on first use, thread-safe); what esprit_session_open() uses
 * when its options name none. Front ends add their schemes to it once at start. */
EspritPortRegistry *esprit_port_registry_get_default (void);
/* Names starting with @prefix ("sim:") go to @func from now on; a later registration of the
 * same prefix replaces the earlier one. */
void                esprit_port_registry_add_scheme  (EspritPortRegistry *self,
                                                      const char         *prefix,
                                                      EspritPortOpenFunc  func,
                                                      gpointer            user_data,
                                                      GDestroyNotify      destroy);
gboolean            esprit_port_registry_has_scheme  (EspritPortRegistry *self,
                                                      const char         *prefix);
/* Opens @port through the scheme its name starts with, else as a device path, socket://
 * or rfc2217:// (esprit_transport_open()). An unknown "xyz:" scheme is
 * ESPRIT_ERROR_NOT_FOUND naming the kinds that are known. */
EspritTransport    *esprit_port_registry_open        (EspritPortRegistry *self,
                                                      const char         *port,
                                                      guint               baud,
                                                      GError            **error);

G_END_DECLS

/* esprit-port-monitor.h: serial ports coming and going, from udev where its events arrive,
 * by polling the port list where they do not
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-port-list.h"

G_BEGIN_DECLS

/**
 * EspritPortMonitorBackend:
 * @ESPRIT_PORT_MONITOR_AUTO: udev when it delivers events here, else polling; the
 *   environment variable ESPRIT_PORT_MONITOR=udev|poll overrides the choice
 * @ESPRIT_PORT_MONITOR_UDEV: libgudev on the "tty" subsystem (polling when built without it)
 * @ESPRIT_PORT_MONITOR_POLL: esprit_port_list() every interval
 */
typedef enum {
  ESPRIT_PORT_MONITOR_AUTO,
  ESPRIT_PORT_MONITOR_UDEV,
  ESPRIT_PORT_MONITOR_POLL,
} EspritPortMonitorBackend;

#define ESPRIT_TYPE_PORT_MONITOR (esprit_port_monitor_get_type ())
G_DECLARE_FINAL_TYPE (EspritPortMonitor, esprit_port_monitor, ESPRIT, PORT_MONITOR, GObject)

/* Lists the ports present now and follows them on the thread-default main context:
 * "port-added" and "port-removed" (each with an EspritPortInfo) tell what changed after
 * this call, never the ports already there. */
EspritPortMonitor        *esprit_port_monitor_new          (EspritPortMonitorBackend backend);
/* What the monitor uses: UDEV or POLL, never AUTO. */
EspritPortMonitorBackend  esprit_port_monitor_get_backend  (EspritPortMonitor *self);
/* How often to poll, in milliseconds (2000 unless set). */
void                      esprit_port_monitor_set_interval (EspritPortMonitor *self,
                                                            guint              interval_ms);
/* Only USB bridges ESP boards carry and Espressif's USB devices (esprit_port_is_esp_bridge);
 * ports found by a pattern are kept, the user named them. */
void                      esprit_port_monitor_set_esp_only (EspritPortMonitor *self,
                                                            gboolean           esp_only);
/* Also follows the paths matching the glob @pattern, polled: ptys and the symlinks socat
 * makes to them raise no udev event. A symlink whose target is gone is a board unplugged. */
void                      esprit_port_monitor_add_pattern  (EspritPortMonitor *self,
                                                            const char        *pattern);
/* Looks again now (the polled part), emitting what changed. */
void                      esprit_port_monitor_rescan       (EspritPortMonitor *self);
/* The ports present, sorted by path. (transfer full) (element-type EspritPortInfo) */
GPtrArray                *esprit_port_monitor_dup_ports    (EspritPortMonitor *self);
/* Whether @path is present. */
gboolean                  esprit_port_monitor_has_port     (EspritPortMonitor *self,
                                                            const char        *path);

G_END_DECLS

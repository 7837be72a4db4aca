/* esprit-port-model.h: the ports the window offers, following hot-plugging; owns the
 * virtual boards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-port-item.h"
#include "esprit-port-registry.h"
#include "esprit-sim.h"
#include "esprit-sim-ota.h"

G_BEGIN_DECLS

#define ESPRIT_TYPE_PORT_MODEL (esprit_port_model_get_type ())
G_DECLARE_FINAL_TYPE (EspritPortModel, esprit_port_model, ESPRIT, PORT_MODEL, GObject)

/* A GListModel of EspritPortItem: the serial devices present (sorted by path), then the
 * virtual ESP8266 and ESP32 and the virtual classroom, which are always there, then the
 * ArduinoOTA boards Avahi finds and those added by address, the virtual ESP8266 (OTA) and "Add
 * a board by address…". Follows the devices while it lives (EspritPortMonitor: udev events,
 * else polling). */
EspritPortModel    *esprit_port_model_new               (void);
/* Lists the devices again now. */
void                esprit_port_model_refresh           (EspritPortModel *self);
/* Takes @ports (element-type EspritPortInfo) as the devices present: items for ports that
 * stay are kept, so a selection of one survives others coming and going. Emits
 * items-changed only when something changed. */
void                esprit_port_model_update            (EspritPortModel *self,
                                                         GPtrArray       *ports);
/* The position of the port @id ("sim:esp8266", "/dev/ttyUSB0"); FALSE if not offered. */
gboolean            esprit_port_model_find              (EspritPortModel *self,
                                                         const char      *id,
                                                         guint           *position);
/* Where to start without a choice: the first USB bridge (a board), else the virtual
 * ESP8266, never a built-in UART. */
guint               esprit_port_model_get_preferred     (EspritPortModel *self);
/* Opens the ports: the library's kinds and "sim:", which keeps each virtual board for the
 * model's life, so the boards remember their flash between jobs. (transfer none) */
EspritPortRegistry *esprit_port_model_get_registry      (EspritPortModel *self);
/* The virtual board behind the item of @chip (made on first use). (transfer none) */
EspritSim          *esprit_port_model_get_virtual_board (EspritPortModel *self,
                                                         EspritChip       chip);

/* ---- network boards (esprit-port-model-ota.c) ---------------------------------------- */

/* Adds a board typed by address (@host, UDP @port: 0 for the core's default of @chip) and
 * returns its id, to select it. A board already listed keeps its item. */
char               *esprit_port_model_add_address       (EspritPortModel *self,
                                                         const char      *host,
                                                         guint16          port,
                                                         EspritChip       chip);
/* The virtual ArduinoOTA board behind "Virtual ESP8266 (OTA)", started in a thread on
 * first use and stopped when the model goes (its password: ESPRIT_SIM_OTA_PASSWORD, none
 * when unset). (transfer none) */
EspritSimOta       *esprit_port_model_get_virtual_ota   (EspritPortModel *self,
                                                         GError         **error);

/* ---- the virtual classroom (esprit-port-model-classroom.c) --------------------------- */

#define ESPRIT_PORT_MODEL_CLASSROOM_SIZE 8

/* The boards of "Virtual classroom (8 boards)" that are plugged in, in board order: a
 * GListModel of EspritPortItem, all 8 at first. (transfer none) */
GListModel         *esprit_port_model_get_classroom     (EspritPortModel *self);
/* Plugs board @k (1 to 8) in or out. Out, its link drops, as when its cable is pulled. */
void                esprit_port_model_classroom_plug    (EspritPortModel *self,
                                                         guint            k,
                                                         gboolean         plugged);
/* The virtual board @k of the classroom (made on first use). (transfer none) */
EspritSim          *esprit_port_model_get_classroom_board (EspritPortModel *self,
                                                           guint            k);

G_END_DECLS

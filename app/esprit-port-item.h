/* esprit-port-item.h: one port the window offers: a serial device or a virtual board
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "esprit-chips.h"
#include "esprit-port-list.h"

G_BEGIN_DECLS

typedef enum {
  ESPRIT_PORT_KIND_REAL,      /* a serial device the system lists */
  ESPRIT_PORT_KIND_VIRTUAL,   /* an in-process virtual board ("sim:esp8266") */
  ESPRIT_PORT_KIND_OTA,       /* a board running ArduinoOTA ("ota:192.168.1.40:8266") */
  ESPRIT_PORT_KIND_OTA_VIRTUAL, /* the in-process virtual ArduinoOTA board ("ota-sim:esp8266") */
  ESPRIT_PORT_KIND_ADD,       /* not a port: "Add a board by address…" */
  ESPRIT_PORT_KIND_CLASSROOM, /* not one port: the virtual classroom's boards, as a list */
} EspritPortKind;

#define ESPRIT_TYPE_PORT_ITEM (esprit_port_item_get_type ())
G_DECLARE_FINAL_TYPE (EspritPortItem, esprit_port_item, ESPRIT, PORT_ITEM, GObject)

/* A serial device as esprit_port_list() found it. */
EspritPortItem *esprit_port_item_new_real      (const EspritPortInfo *info);
/* The virtual board of @chip, opened as @id ("sim:esp32"), shown as @label. */
EspritPortItem *esprit_port_item_new_virtual   (const char           *id,
                                                const char           *label,
                                                EspritChip            chip);
/* A network board: @label as the list shows it, @host and @port where ArduinoOTA
 * listens, @auth when it wants a password; @kind OTA or OTA_VIRTUAL. */
EspritPortItem *esprit_port_item_new_ota       (EspritPortKind        kind,
                                                const char           *id,
                                                const char           *label,
                                                EspritChip            chip,
                                                const char           *host,
                                                guint16               port,
                                                gboolean              auth);
/* "Virtual classroom (8 boards)": @chip is its boards' chip. */
EspritPortItem *esprit_port_item_new_classroom (const char           *id,
                                                const char           *label,
                                                EspritChip            chip);
/* The "Add a board by address…" entry. */
EspritPortItem *esprit_port_item_new_add       (void);
/* A network board's address and UDP port (NULL and 0 for other kinds). */
const char     *esprit_port_item_get_host      (EspritPortItem       *self);
guint16         esprit_port_item_get_ota_port  (EspritPortItem       *self);
gboolean        esprit_port_item_get_auth      (EspritPortItem       *self);
/* TRUE for the kinds flashed over the air. */
gboolean        esprit_port_item_is_ota        (EspritPortItem       *self);
/* What the port is selected and remembered by: "/dev/ttyUSB0", "sim:esp8266". */
const char     *esprit_port_item_get_id        (EspritPortItem       *self);
/* What the user reads: "CP2102 USB to UART Bridge (/dev/ttyUSB0)", "Virtual ESP8266". */
const char     *esprit_port_item_get_label     (EspritPortItem       *self);
EspritPortKind  esprit_port_item_get_kind      (EspritPortItem       *self);
/* The virtual board's chip; ESPRIT_CHIP_AUTO for a real port (only Identify tells). */
EspritChip      esprit_port_item_get_chip      (EspritPortItem       *self);
/* The USB ids of a real port's bridge, 0 when it is not USB (a built-in UART). */
guint16         esprit_port_item_get_vid       (EspritPortItem       *self);
guint16         esprit_port_item_get_pid       (EspritPortItem       *self);
/* The name a session opens: the id, and for virtual boards "?timing=1" when
 * ESPRIT_SIM_TIMING=1 (real wire and flash time, for demos and tests of cancelling). */
char           *esprit_port_item_dup_open_name (EspritPortItem       *self);

G_END_DECLS

/* esprit-port-list.h: the serial ports present, named the way users know their boards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char    *path;          /* "/dev/ttyUSB0" */
  char    *label;         /* "CP2102 USB to UART Bridge — Silicon Labs" */
  char    *manufacturer;  /* NULL when unknown */
  char    *product;
  char    *serial;
  guint16  vid;           /* 0 when not USB */
  guint16  pid;
} EspritPortInfo;

void        esprit_port_info_free  (EspritPortInfo *info);
/* The ports libserialport finds, sorted by path. (transfer full) (element-type EspritPortInfo) */
GPtrArray  *esprit_port_list       (void);
/* A name for a USB bridge from its ids when the device gives no product string. */
const char *esprit_port_bridge_name (guint16 vid,
                                     guint16 pid);

/* Whether @vid:@pid is a bridge ESP boards carry or an Espressif USB device (--ports all). */
gboolean    esprit_port_is_esp_bridge (guint16 vid,
                                       guint16 pid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EspritPortInfo, esprit_port_info_free)

G_END_DECLS

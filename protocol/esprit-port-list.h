/* esprit-port-list.h: the serial ports present, named the way users know their boards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

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

#define ESPRIT_TYPE_PORT_INFO (esprit_port_info_get_type ())
GType           esprit_port_info_get_type  (void) G_GNUC_CONST;
EspritPortInfo *esprit_port_info_copy      (const EspritPortInfo *info);
void            esprit_port_info_free      (EspritPortInfo       *info);
/* Whether @a and @b name the same device the same way (path, ids, serial, label). */
gboolean        esprit_port_info_equal     (const EspritPortInfo *a,
                                            const EspritPortInfo *b);
/* Sets @info's label from its product and manufacturer, else the bridge's usual name, else
 * @description (the OS's name for the port, may be NULL), else "Serial port". */
void            esprit_port_info_set_label (EspritPortInfo       *info,
                                            const char           *description);
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

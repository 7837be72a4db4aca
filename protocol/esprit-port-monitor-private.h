/* esprit-port-monitor-private.h: the udev half of the port monitor (esprit-port-monitor-udev.c,
 * built with libgudev only)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-port-list.h"

G_BEGIN_DECLS

typedef struct _EspritPortUdev EspritPortUdev;

/* A port appeared (@added) or went away; @info is borrowed for the call. */
typedef void (*EspritPortUdevFunc) (gboolean        added,
                                    EspritPortInfo *info,
                                    gpointer        user_data);

/* Listens on the "tty" subsystem from the thread-default main context; NULL when udev
 * cannot be reached. */
EspritPortUdev *_esprit_port_udev_new  (EspritPortUdevFunc  func,
                                        gpointer            user_data);
/* The serial ports udev knows now. (transfer full) (element-type EspritPortInfo) */
GPtrArray      *_esprit_port_udev_list (EspritPortUdev     *udev);
void            _esprit_port_udev_free (EspritPortUdev     *udev);

G_END_DECLS

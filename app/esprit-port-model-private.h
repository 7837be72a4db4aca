/* esprit-port-model-private.h: what esprit-port-model.c and esprit-port-model-ota.c share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-mdns.h"
#include "esprit-port-monitor.h"
#include "esprit-port-model.h"

G_BEGIN_DECLS

/* The serial virtual boards, right after the real ports, and the virtual classroom. */
#define ESPRIT_PORT_MODEL_N_VIRTUAL 3

struct _EspritPortModel
{
  GObject             parent_instance;

  /* The real ports (n_real), the virtual ones, the network boards (n_net), then the
   * virtual OTA board and "Add a board by address…". */
  GPtrArray          *items;
  guint               n_real;
  guint               n_net;
  EspritPortMonitor  *monitor;   /* the real ports, hot-plugged */
  EspritPortRegistry *registry;

  /* Network boards: what Avahi reports (NULL without it) and what was typed. */
  EspritMdnsBrowser  *browser;
  GPtrArray          *added;

  /* The virtual OTA board, served from its thread once chosen. */
  EspritSimOta       *sim_ota;
  GThread            *sim_thread;
  gint                sim_stop;

  /* The virtual classroom's boards that are plugged in (EspritPortItem). */
  GListStore         *classroom;
};

/* esprit-port-model-ota.c */
void _esprit_port_model_ota_init    (EspritPortModel *self);
void _esprit_port_model_ota_dispose (EspritPortModel *self);

/* esprit-port-model-classroom.c */
void _esprit_port_model_classroom_init    (EspritPortModel *self);
void _esprit_port_model_classroom_dispose (EspritPortModel *self);

G_END_DECLS

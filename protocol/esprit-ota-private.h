/* esprit-ota-private.h: what the ArduinoOTA client's two halves share (esprit-ota.c:
 * invitation and challenge; esprit-ota-stream.c: connect-back and streaming)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-ota.h"

G_BEGIN_DECLS

typedef struct {
  const EspritOtaOptions *o;
  EspritProgressFunc      progress;
  EspritLogFunc           log;
  gpointer                user_data;
  GCancellable           *cancellable;
  EspritChip              chip;
  guint16                 port;
  guint                   timeout_ms;
  char                   *target_ip;
  GSocket                *udp;
  GSocket                *listener;
  guint16                 host_port;
  char                   *local_ip;
} Ota;

void     _esprit_ota_say              (Ota            *ota,
                                       EspritLogLevel  level,
                                       const char     *format,
                                       ...) G_GNUC_PRINTF (3, 4);
void     _esprit_ota_report           (Ota            *ota,
                                       EspritPhase     phase,
                                       guint64         done,
                                       guint64         total);
/* A datagram or stream piece as trace text: printable ASCII, the rest as \xNN. */
char    *_esprit_ota_printable        (const guint8   *data,
                                       gsize           len);
/* ESPRIT_ERROR_DEVICE with the board's own text and what to do about it. */
void     _esprit_ota_set_device_error (GError        **error,
                                       const char     *text);

/* Waits for the board to dial the listener (§7.3: a firewall is the usual reason it never
 * does); the accepted socket is blocking with TCP_NODELAY. */
GSocket *_esprit_ota_wait_connect_back (Ota           *ota,
                                        GError       **error);
/* Sends @data in espota's pace and reads the counts and the final OK or error text. */
gboolean _esprit_ota_stream           (Ota            *ota,
                                       GSocket        *conn,
                                       const guint8   *data,
                                       gsize           size,
                                       GError        **error);

G_END_DECLS

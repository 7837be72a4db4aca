/* esprit-mdns.h: ArduinoOTA boards on the network, through the system's Avahi daemon
 *
 * Boards announce _arduino._tcp with TXT board, auth_upload, tcp_check, ssh_upload
 * (protocol-facts §7.1, §7.2). This talks to org.freedesktop.Avahi on the system bus with
 * GDBus (ServiceBrowserNew, ResolveService): no mDNS library.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  char    *name;         /* the service name: "kitchen-sensor" */
  char    *host;         /* "esp8266-1a2b3c.local" */
  char    *address;      /* "192.168.1.40" */
  guint16  port;         /* the OTA UDP port */
  char    *board;        /* TXT board=, or NULL */
  gboolean auth_upload;  /* TXT auth_upload=yes: a password is needed */
  gboolean tcp_check;
  gboolean ssh_upload;
  int      interface;
  int      protocol;     /* Avahi: 0 IPv4, 1 IPv6 */
} EspritMdnsBoard;

void             esprit_mdns_board_free (EspritMdnsBoard *board);
EspritMdnsBoard *esprit_mdns_board_copy (const EspritMdnsBoard *board);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EspritMdnsBoard, esprit_mdns_board_free)

#define ESPRIT_TYPE_MDNS_BROWSER (esprit_mdns_browser_get_type ())
G_DECLARE_FINAL_TYPE (EspritMdnsBrowser, esprit_mdns_browser, ESPRIT, MDNS_BROWSER, GObject)

/* Starts browsing; signals come on the calling thread's default main context:
 * "changed" when a board appeared, changed or left, "settled" once Avahi has reported what
 * it knows and every board is resolved. Fails with ESPRIT_ERROR_UNSUPPORTED and a message
 * to show when there is no Avahi (no system bus, daemon not running). */
EspritMdnsBrowser *esprit_mdns_browser_new        (GError            **error);
/* The boards known now, one per name (IPv4 preferred), sorted by name. */
GPtrArray         *esprit_mdns_browser_dup_boards (EspritMdnsBrowser  *self);
gboolean           esprit_mdns_browser_is_settled (EspritMdnsBrowser  *self);

/* Browses for up to @timeout_ms (less once settled) and returns the boards (element type
 * EspritMdnsBoard), or NULL with the error of esprit_mdns_browser_new(). */
GPtrArray         *esprit_mdns_list_sync          (guint               timeout_ms,
                                                   GCancellable       *cancellable,
                                                   GError            **error);
/* Finds a board by service name or host name ("kitchen-sensor", "kitchen-sensor.local",
 * "esp8266-1a2b3c.local"); NULL with ESPRIT_ERROR_NOT_FOUND when none answers. */
EspritMdnsBoard   *esprit_mdns_lookup_sync        (const char         *name,
                                                   guint               timeout_ms,
                                                   GCancellable       *cancellable,
                                                   GError            **error);

G_END_DECLS

/* esprit-transport.h: a byte pipe to a board (serial device, pty, socket://, rfc2217://, sim:)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ESPRIT_TYPE_TRANSPORT (esprit_transport_get_type ())
G_DECLARE_INTERFACE (EspritTransport, esprit_transport, ESPRIT, TRANSPORT, GObject)

/* Modem-line argument meaning "leave this line as it is". */
#define ESPRIT_LINE_UNCHANGED (-1)

struct _EspritTransportInterface
{
  GTypeInterface parent_iface;

  /* Reads at most @len bytes, waiting until at least one byte arrived or @timeout_ms passed.
   * Returns the count (> 0), 0 at the deadline (not an error), or -1 with @error set
   * (ESPRIT_ERROR_DISCONNECTED when the peer went away, G_IO_ERROR_CANCELLED). */
  gssize   (*read)          (EspritTransport  *self,
                             guint8           *buffer,
                             gsize             len,
                             guint             timeout_ms,
                             GCancellable     *cancellable,
                             GError          **error);
  /* Writes all of @data (blocking until the OS took it; does not wait for the wire). */
  gboolean (*write)         (EspritTransport  *self,
                             const guint8     *data,
                             gsize             len,
                             GCancellable     *cancellable,
                             GError          **error);
  /* Waits until written bytes have left (tcdrain); a no-op where meaningless. */
  gboolean (*drain)         (EspritTransport  *self,
                             GError          **error);
  /* Discards whatever was received and not read yet. */
  gboolean (*flush_input)   (EspritTransport  *self,
                             GError          **error);
  gboolean (*set_baud)      (EspritTransport  *self,
                             guint             baud,
                             GError          **error);
  /* Sets DTR and/or RTS (TRUE = asserted = the pin pulled to 0 V); ESPRIT_LINE_UNCHANGED
   * leaves a line alone. When both change, implementations change them in one operation
   * where the OS allows it (TIOCMSET), as the unix-tight reset sequence needs. */
  gboolean (*set_lines)     (EspritTransport  *self,
                             int               dtr,
                             int               rts,
                             GError          **error);
  /* Whether DTR/RTS reach the board at all (FALSE for socket://). */
  gboolean (*has_lines)     (EspritTransport  *self);
  guint    (*get_baud)      (EspritTransport  *self);
  /* Short description for logs ("/dev/ttyUSB0", "rfc2217://127.0.0.1:4000"). */
  const char *(*get_name)   (EspritTransport  *self);
  /* USB vendor/product id of the bridge, 0 when unknown (selects the USB-JTAG reset). */
  gboolean (*get_usb_ids)   (EspritTransport  *self,
                             guint16          *vid,
                             guint16          *pid);
  void     (*close)         (EspritTransport  *self);
  /* The modem-status inputs (ESPRIT_MODEM_* bits); FALSE where the port has none. */
  gboolean (*get_modem_lines) (EspritTransport *self,
                               guint           *lines);
};

/* Modem-status inputs of a serial port (an ESP board leaves them unconnected). */
typedef enum {
  ESPRIT_MODEM_CTS = 1 << 0,
  ESPRIT_MODEM_DSR = 1 << 1,
  ESPRIT_MODEM_RI  = 1 << 2,
  ESPRIT_MODEM_CD  = 1 << 3,
} EspritModemLines;

gssize      esprit_transport_read        (EspritTransport  *self,
                                          guint8           *buffer,
                                          gsize             len,
                                          guint             timeout_ms,
                                          GCancellable     *cancellable,
                                          GError          **error);
gboolean    esprit_transport_read_exact  (EspritTransport  *self,
                                          guint8           *buffer,
                                          gsize             len,
                                          guint             timeout_ms,
                                          GCancellable     *cancellable,
                                          GError          **error);
gboolean    esprit_transport_write       (EspritTransport  *self,
                                          const guint8     *data,
                                          gsize             len,
                                          GCancellable     *cancellable,
                                          GError          **error);
gboolean    esprit_transport_drain       (EspritTransport  *self,
                                          GError          **error);
gboolean    esprit_transport_flush_input (EspritTransport  *self,
                                          GError          **error);
gboolean    esprit_transport_set_baud    (EspritTransport  *self,
                                          guint             baud,
                                          GError          **error);
guint       esprit_transport_get_baud    (EspritTransport  *self);
gboolean    esprit_transport_set_lines   (EspritTransport  *self,
                                          int               dtr,
                                          int               rts,
                                          GError          **error);
gboolean    esprit_transport_has_lines   (EspritTransport  *self);
const char *esprit_transport_get_name    (EspritTransport  *self);
gboolean    esprit_transport_get_usb_ids (EspritTransport  *self,
                                          guint16          *vid,
                                          guint16          *pid);
void        esprit_transport_close       (EspritTransport  *self);
/* The modem-status inputs; 0 (all inactive) where the port cannot tell. */
guint       esprit_transport_get_modem_lines (EspritTransport *self);

/* Opens a device path (libserialport; ptys through termios), socket://host:port or
 * rfc2217://host:port at @baud: the built-in kinds. Front ends open ports through
 * esprit_port_registry_open(), which also knows the schemes other libraries add. */
EspritTransport *esprit_transport_open   (const char       *port,
                                          guint             baud,
                                          GError          **error);

G_END_DECLS

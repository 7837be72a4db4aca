/* esprit-loader.h: one connection to a board's loader (ROM or stub): reset, sync, detection,
 * registers, RAM upload, stub start, baud change, the final reset.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-chips.h"
#include "esprit-command.h"
#include "esprit-progress.h"
#include "esprit-transport.h"

G_BEGIN_DECLS

#define ESPRIT_TYPE_LOADER (esprit_loader_get_type ())
G_DECLARE_FINAL_TYPE (EspritLoader, esprit_loader, ESPRIT, LOADER, GObject)

/* --before (protocol-facts §3). */
typedef enum {
  ESPRIT_BEFORE_DEFAULT_RESET,    /* unix-tight and classic, alternating delays; usb-jtag by
                                   * VID/PID; classic only on rfc2217 */
  ESPRIT_BEFORE_CLASSIC_RESET,
  ESPRIT_BEFORE_UNIX_TIGHT_RESET,
  ESPRIT_BEFORE_USB_RESET,        /* USB-Serial/JTAG sequence */
  ESPRIT_BEFORE_NO_RESET,         /* sync only: the board is already in download mode */
  ESPRIT_BEFORE_NO_RESET_NO_SYNC, /* assume a loader is listening */
} EspritBefore;

/* --after (protocol-facts §3). */
typedef enum {
  ESPRIT_AFTER_HARD_RESET,        /* RTS pulse: the board runs its program (default) */
  ESPRIT_AFTER_SOFT_RESET,
  ESPRIT_AFTER_NO_RESET,
  ESPRIT_AFTER_NO_RESET_STUB,
} EspritAfter;

typedef enum {
  ESPRIT_LOADER_ROM,
  ESPRIT_LOADER_STUB,          /* a stub with the common command set */
  ESPRIT_LOADER_ESPRIT_STUB,   /* Esprit's own stub: answered ESPRIT_VERSION */
} EspritLoaderKind;

EspritLoader      *esprit_loader_new            (EspritTransport   *transport);
EspritTransport   *esprit_loader_get_transport  (EspritLoader      *self);
void               esprit_loader_set_log_func   (EspritLoader      *self,
                                                 EspritLogFunc      func,
                                                 gpointer           user_data,
                                                 GDestroyNotify     destroy);
/* Logs each packet in hex (ESPRIT_LOG_TRACE). */
void               esprit_loader_set_trace      (EspritLoader      *self,
                                                 gboolean           trace);
/* Logs a line through the log func (used by esprit-flash and esprit-write-plan too). */
void               esprit_loader_log            (EspritLoader      *self,
                                                 EspritLogLevel     level,
                                                 const char        *format,
                                                 ...) G_GNUC_PRINTF (3, 4);

/* Resets into the loader per @before and SYNCs (up to @attempts resets, 7 by default when 0),
 * flushing boot noise; then detects the chip (GET_SECURITY_INFO, then the magic register).
 * With @expected != ESPRIT_CHIP_AUTO, a different chip is an ESPRIT_ERROR_UNSUPPORTED error.
 * Logs "Connecting....", "Detecting chip type... ESP8266". NO_SYNC when nothing answers. */
gboolean           esprit_loader_connect        (EspritLoader      *self,
                                                 EspritBefore       before,
                                                 guint              attempts,
                                                 EspritChip         expected,
                                                 EspritProgressFunc progress,
                                                 gpointer           user_data,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
EspritChip         esprit_loader_get_chip       (EspritLoader      *self);
EspritLoaderKind   esprit_loader_get_kind       (EspritLoader      *self);
/* Treat Esprit's stub like the common stubs from now on (no packed read): for comparisons in
 * benchmarks and to rule the extensions out when a read misbehaves. */
void               esprit_loader_disable_extensions (EspritLoader  *self);
/* Esprit stub's version (ESPRIT_LOADER_ESPRIT_STUB), 0 otherwise. */
guint32            esprit_loader_get_stub_version (EspritLoader    *self);

/* Uploads and starts the flasher stub when one exists for the chip (MEM_BEGIN/DATA/END, then
 * waits for OHAI); asks an Esprit stub for its version. Returns TRUE and stays on the ROM when
 * no stub exists for the chip. */
gboolean           esprit_loader_run_stub       (EspritLoader      *self,
                                                 EspritProgressFunc progress,
                                                 gpointer           user_data,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
/* CHANGE_BAUDRATE (stub, or ROMs that have it); ESPRIT_ERROR_UNSUPPORTED on the ESP8266 ROM. */
gboolean           esprit_loader_change_baud    (EspritLoader      *self,
                                                 guint              baud,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
/* The --after action. */
gboolean           esprit_loader_finish         (EspritLoader      *self,
                                                 EspritAfter        after,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
/* Hard reset through RTS (the board boots its program). */
gboolean           esprit_loader_hard_reset     (EspritLoader      *self,
                                                 GError           **error);

/* Sends one command and waits for its response (skipping stray frames, up to 100, as §1
 * says). @payload_len is how many payload bytes precede the status bytes. On success,
 * *@payload (if not NULL) receives those bytes and *@value the response's value word.
 * A failure status is ESPRIT_ERROR_DEVICE whose message names the code; the code itself is
 * stored in *@status_error when not NULL. */
gboolean           esprit_loader_command        (EspritLoader      *self,
                                                 guint8             op,
                                                 const guint8      *data,
                                                 gsize              len,
                                                 guint32            checksum,
                                                 gsize              payload_len,
                                                 guint              timeout_ms,
                                                 GBytes           **payload,
                                                 guint32           *value,
                                                 guint8            *status_error,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
/* Sends a request without waiting for anything (RUN_USER_CODE, MEM_END to a ROM). */
gboolean           esprit_loader_send           (EspritLoader      *self,
                                                 guint8             op,
                                                 const guint8      *data,
                                                 gsize              len,
                                                 guint32            checksum,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
/* Reads one SLIP frame (raw: stub READ_FLASH data, OHAI, digests). */
GBytes            *esprit_loader_read_frame     (EspritLoader      *self,
                                                 guint              timeout_ms,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
/* Writes one raw SLIP frame (READ_FLASH acknowledgements). */
gboolean           esprit_loader_write_frame    (EspritLoader      *self,
                                                 const guint8      *data,
                                                 gsize              len,
                                                 GCancellable      *cancellable,
                                                 GError           **error);

gboolean           esprit_loader_read_reg       (EspritLoader      *self,
                                                 guint32            addr,
                                                 guint32           *value,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
gboolean           esprit_loader_write_reg      (EspritLoader      *self,
                                                 guint32            addr,
                                                 guint32            value,
                                                 guint32            mask,
                                                 guint32            delay_us,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
/* MEM_BEGIN/MEM_DATA for one segment. */
gboolean           esprit_loader_mem_upload     (EspritLoader      *self,
                                                 guint32            addr,
                                                 const guint8      *data,
                                                 gsize              len,
                                                 GCancellable      *cancellable,
                                                 GError           **error);
/* Timeout for an operation that scales with size: max(3 s, rate_ms_per_mb * bytes / 1e6),
 * capped at 240 s (protocol-facts §2). */
guint              esprit_timeout_per_mb        (guint              ms_per_mb,
                                                 guint64            bytes);

G_END_DECLS

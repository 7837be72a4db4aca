/* esprit-session.h: one connected board
 *
 * A session opens a port by name (through an EspritPortRegistry), runs reset → sync →
 * detect → stub → baud once, with one policy for every front end, and then carries out
 * operations on the board. Everything it has to say (log lines, phases and progress, what
 * it learnt of the board) goes through one event callback, so a command line, a window row
 * or a JSON writer can all listen the same way. Calls block; run them in a worker thread.
 * A session is used by one thread at a time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-device-info.h"
#include "esprit-flash.h"
#include "esprit-layout.h"
#include "esprit-loader.h"
#include "esprit-port-registry.h"
#include "esprit-write-plan.h"

G_BEGIN_DECLS

#define ESPRIT_TYPE_SESSION (esprit_session_get_type ())
G_DECLARE_FINAL_TYPE (EspritSession, esprit_session, ESPRIT, SESSION, GObject)

/* What to do about Esprit's flasher stub. */
typedef enum {
  ESPRIT_STUB_AUTO,    /* upload it where the chip has one; if it does not start but the ROM
                        * still answers, warn and go on with the ROM */
  ESPRIT_STUB_NEVER,   /* --no-stub: stay with the ROM loader */
  ESPRIT_STUB_IF_IT_RETURNS, /* as AUTO where the stub can hand over to the program in flash
                              * (the ESP8266's RUN_USER_CODE); the ROM elsewhere: for `run` */
} EspritStubPolicy;

typedef struct {
  EspritBefore        before;
  EspritAfter         after;      /* what esprit_session_finish() does */
  guint               baud;       /* the rate to work at; connecting happens at 115200 or
                                   * below, then the loader is asked to switch */
  EspritStubPolicy    stub;
  guint               attempts;   /* resets before giving up; 0 = 7 */
  EspritChip          expected;   /* ESPRIT_CHIP_AUTO, or --chip */
  gboolean            trace;      /* log every packet (ESPRIT_LOG_TRACE) */
  EspritPortRegistry *registry;   /* NULL: esprit_port_registry_get_default () */
} EspritConnectOptions;

#define ESPRIT_CONNECT_OPTIONS_INIT \
  { ESPRIT_BEFORE_DEFAULT_RESET, ESPRIT_AFTER_HARD_RESET, 115200, ESPRIT_STUB_AUTO, 0, \
    ESPRIT_CHIP_AUTO, FALSE, NULL }

/* The rate a ROM loader is first spoken to at. */
#define ESPRIT_ROM_BAUD 115200

typedef enum {
  ESPRIT_EVENT_LOG,        /* @level, @line */
  ESPRIT_EVENT_PROGRESS,   /* @phase, @done, @total (0 = unknown) */
  ESPRIT_EVENT_CONNECTED,  /* @info: chip, description, MAC, crystal are known */
} EspritEventKind;

typedef struct {
  EspritEventKind         kind;
  EspritLogLevel          level;
  const char             *line;
  EspritPhase             phase;
  guint64                 done;
  guint64                 total;
  const EspritDeviceInfo *info;
} EspritEvent;

/* Called in the thread running the session's call. */
typedef void (*EspritEventFunc) (EspritSession     *session,
                                 const EspritEvent *event,
                                 gpointer           user_data);

EspritSession *esprit_session_new             (const char                 *port,
                                               const EspritConnectOptions *options);
void           esprit_session_set_event_func  (EspritSession              *self,
                                               EspritEventFunc             func,
                                               gpointer                    user_data,
                                               GDestroyNotify              destroy);
const char    *esprit_session_get_port        (EspritSession              *self);
const EspritConnectOptions *esprit_session_get_options (EspritSession      *self);

/* Opens the port (no bytes to the board yet). Connect does this when needed. */
gboolean       esprit_session_open            (EspritSession              *self,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* Reset → sync → detect (logging the chip, features, crystal and MAC as esptool does) →
 * stub (per the policy) → baud. A stub that does not start while the ROM still answers is a
 * warning; a board that stops answering is ESPRIT_ERROR_NO_SYNC. A loader that cannot
 * change baud is a warning and the session stays at the connect rate. */
gboolean       esprit_session_connect         (EspritSession              *self,
                                               GCancellable               *cancellable,
                                               GError                    **error);
gboolean       esprit_session_is_connected    (EspritSession              *self);
/* After connect: what was learnt of the board (no flash id yet). */
const EspritDeviceInfo *esprit_session_get_device_info (EspritSession      *self);
EspritChip     esprit_session_get_chip        (EspritSession              *self);
EspritLoaderKind esprit_session_get_loader_kind (EspritSession            *self);
guint          esprit_session_get_baud        (EspritSession              *self);
/* Treat Esprit's stub like the common stubs (benchmarks, ruling the extensions out). */
void           esprit_session_disable_extensions (EspritSession           *self);
/* The loader, for tests and the few tools that speak raw commands; front ends use the
 * operations below. */
EspritLoader  *esprit_session_get_loader      (EspritSession              *self);

/* Connect's information plus the flash's JEDEC id and size. */
gboolean       esprit_session_identify        (EspritSession              *self,
                                               EspritDeviceInfo           *info,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* Flash size from the JEDEC id; FALSE without an error when the id is unknown. */
gboolean       esprit_session_get_flash_size  (EspritSession              *self,
                                               guint32                    *size,
                                               GCancellable               *cancellable,
                                               GError                    **error);
gboolean       esprit_session_write           (EspritSession              *self,
                                               EspritWritePlan            *plan,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* Reads @size bytes at @addr into @buffer, refusing a range past the detected flash size
 * before anything is read (ESPRIT_ERROR_INVALID_ARGUMENT). Verified by MD5. */
gboolean       esprit_session_read            (EspritSession              *self,
                                               guint32                     addr,
                                               guint32                     size,
                                               guint8                     *buffer,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* esprit_session_read() into @path, which is replaced only once the data is complete and
 * verified (written to a temporary file and renamed). */
gboolean       esprit_session_read_to_file    (EspritSession              *self,
                                               guint32                     addr,
                                               guint32                     size,
                                               const char                 *path,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* Compares @data with the flash at @addr by MD5; *@same says whether they match. */
gboolean       esprit_session_verify          (EspritSession              *self,
                                               guint32                     addr,
                                               GBytes                     *data,
                                               gboolean                   *same,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* The MD5 of @size bytes at @addr, as the loader computes it (ESPRIT_ERROR_UNSUPPORTED on a
 * loader without MD5, the ESP8266 ROM). */
gboolean       esprit_session_md5             (EspritSession              *self,
                                               guint32                     addr,
                                               guint32                     size,
                                               guint8                      digest[16],
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* esprit-session-map.c: the board's layout (esprit_layout_detect) in a flash of
 * @flash_size bytes, read through the session; a chunk a packed read found erased is not
 * read again. */
EspritLayout  *esprit_session_read_layout    (EspritSession              *self,
                                               guint32                     flash_size,
                                               guint32                     table_offset,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* The flash map (esprit_flash_map_build) of the board: its layout
 * read from it, and per region what the session's reads already learnt of the chunks (a
 * packed read tells erased ones apart) or else one MD5 of the region; the partition table
 * is looked for at @table_offset (ESPRIT_PARTITION_TABLE_OFFSET usually). *@map stays NULL,
 * without an error, when the flash size is unknown; @layout may be NULL. */
gboolean       esprit_session_read_flash_map  (EspritSession              *self,
                                               guint32                     table_offset,
                                               EspritLayout              **layout,
                                               GPtrArray                 **map,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* @size 0: the whole chip. Otherwise 4 KB multiples, refused past the flash's end. */
gboolean       esprit_session_erase           (EspritSession              *self,
                                               guint32                     addr,
                                               guint32                     size,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* The options' --after action. */
gboolean       esprit_session_finish          (EspritSession              *self,
                                               GCancellable               *cancellable,
                                               GError                    **error);
/* A given --after action now (run: ESPRIT_AFTER_SOFT_RESET; the window's Reset:
 * ESPRIT_AFTER_HARD_RESET, which needs only an open port). */
gboolean       esprit_session_reset           (EspritSession              *self,
                                               EspritAfter                 after,
                                               GCancellable               *cancellable,
                                               GError                    **error);
void           esprit_session_close           (EspritSession              *self);

G_END_DECLS

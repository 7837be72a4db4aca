/* esprit-sim.h: the virtual board: ROM loaders, stub mode, SPI NOR flash, timing, faults
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-chips.h"
#include "esprit-port-registry.h"
#include "esprit-transport.h"

G_BEGIN_DECLS

#define ESPRIT_TYPE_SIM (esprit_sim_get_type ())
G_DECLARE_FINAL_TYPE (EspritSim, esprit_sim, ESPRIT, SIM, GObject)

typedef struct {
  EspritChip  chip;
  guint32     flash_size;     /* bytes; 4 MiB when 0 */
  guint8      mac[6];         /* all zero: a fixed default per chip */
  gboolean    timing;         /* model wire, loader and flash time (benchmarks) */
  const char *flash_path;     /* keep the flash in this file (created 0xFF-filled), or NULL */
  /* FALSE when the host cannot drive DTR/RTS (socket://): the board behaves as if BOOT were
   * held at power-on and after every reset, so it waits in the ROM loader. */
  gboolean    lines_wired;
  /* Append one line per boot and per firmware the board runs to this file (tests read what
   * the board did: "boot: ...", "rom: ...", "stub: ...", "app: ..."), or NULL. */
  const char *events_path;
} EspritSimConfig;

/* Faults (all off when zero / -1). Byte and frame counts start at 1. */
typedef struct {
  guint   noise_before_sync;  /* bytes of line noise the board sends before the first SYNC reply */
  gint64  corrupt_tx_byte;    /* flip bits in the Nth byte the board sends (-1: off) */
  gint64  corrupt_rx_byte;    /* flip bits in the Nth byte the board receives (-1: off) */
  gint    drop_frame;         /* the board does not send its Nth response frame (-1: off) */
  gint64  stall_after_bytes;  /* after receiving N bytes the board stops for stall_ms (-1: off) */
  guint   stall_ms;
  gint64  disconnect_after;   /* the link drops after N bytes in either direction (-1: off) */
  /* The board is unplugged after N bytes in either direction: the link drops and, served on
   * a pty, the device node goes away with it, as a USB bridge's does (-1: off). */
  gint64  unplug_after;
} EspritSimFaults;

#define ESPRIT_SIM_FAULTS_NONE { 0, -1, -1, -1, -1, 0, -1, -1 }

typedef enum {
  ESPRIT_SIM_MODE_BOOTING,     /* printing the boot log */
  ESPRIT_SIM_MODE_ROM_LOADER,  /* UART download mode */
  ESPRIT_SIM_MODE_STUB,        /* a flasher stub runs (Esprit's stub core) */
  ESPRIT_SIM_MODE_APP,         /* the "application" runs: text, no SLIP */
  /* A program loaded with MEM_* that is no stub the board knows: the sim cannot execute it,
   * so the board sends nothing and ignores its input until the next reset. */
  ESPRIT_SIM_MODE_RAM_PROGRAM,
} EspritSimMode;

EspritSim       *esprit_sim_new             (const EspritSimConfig *config,
                                             GError               **error);
const EspritSimConfig *esprit_sim_get_config (EspritSim            *self);
/* Sets the faults and starts their counts again; a link a disconnect dropped is back. */
void             esprit_sim_set_faults      (EspritSim             *self,
                                             const EspritSimFaults *faults);

/* Makes the board run a program whose text segment, loaded at @text_start, is @text as a stub
 * without Esprit's extensions (as it runs the public esptool stubs it knows by digest). */
void             esprit_sim_trust_stub      (EspritSim             *self,
                                             guint32                text_start,
                                             const guint8          *text,
                                             gsize                  len);

/* The host end of the wire. @baud is the host UART's rate: bytes sent at a rate the board's
 * UART is not at arrive garbled, as on hardware. */
void             esprit_sim_host_write      (EspritSim             *self,
                                             const guint8          *data,
                                             gsize                  len,
                                             guint                  baud);
/* Whether the unplug fault has fired: the board is gone for good. */
gboolean         esprit_sim_is_unplugged    (EspritSim             *self);
/* Waits up to @timeout_ms for bytes; 0 at the deadline; -1 with ESPRIT_ERROR_DISCONNECTED
 * after a disconnect fault, or G_IO_ERROR_CANCELLED. */
gssize           esprit_sim_host_read       (EspritSim             *self,
                                             guint8                *buffer,
                                             gsize                  len,
                                             guint                  baud,
                                             guint                  timeout_ms,
                                             GCancellable          *cancellable,
                                             GError               **error);
/* Waits up to @timeout_ms until a byte the board sent has finished arriving (or the board
 * disconnected): a bridge then samples its receiver's rate at that instant and reads. */
gboolean         esprit_sim_host_wait       (EspritSim             *self,
                                             guint                  timeout_ms);
/* Discards what the board sent and the host has not read. */
void             esprit_sim_host_flush      (EspritSim             *self);
/* Modem lines (TRUE = asserted = pin at 0 V): DTR drives GPIO0, RTS drives EN (§3). */
void             esprit_sim_set_lines       (EspritSim             *self,
                                             gboolean               dtr,
                                             gboolean               rts);

EspritSimMode    esprit_sim_get_mode        (EspritSim             *self);
/* The board UART's current rate (74880 after an ESP8266 reset, the SYNC rate after sync). */
guint            esprit_sim_get_uart_baud   (EspritSim             *self);
/* A copy of the whole flash. */
GBytes          *esprit_sim_dup_flash       (EspritSim             *self);
/* Replaces the flash contents at @addr (test set-up, no timing, no NOR semantics). */
void             esprit_sim_load_flash      (EspritSim             *self,
                                             guint32                addr,
                                             const guint8          *data,
                                             gsize                  len);
/* Bytes that crossed the wire (host to board, board to host) since creation. */
void             esprit_sim_get_wire_counts (EspritSim             *self,
                                             guint64               *to_board,
                                             guint64               *to_host);
/* How many resets the board went through, and the last boot mode (1 = UART download, 3 =
 * flash), for tests of the reset sequences. */
guint            esprit_sim_get_reset_count (EspritSim             *self);
guint            esprit_sim_get_boot_mode   (EspritSim             *self);

/* An in-process transport to @sim (a board on a wire; no OS involved). */
EspritTransport *esprit_sim_transport_new   (EspritSim             *sim,
                                             guint                  baud);

/* A virtual board's port name, "sim:CHIP?flash=FILE&size=4MB&mac=aa:..&timing=1&lines=0&
 * events=FILE": the one parser the command line, the window and the tests use. */
typedef struct {
  EspritSimConfig config;        /* its paths point into the two fields below */
  char           *flash_path;
  char           *events_path;
} EspritSimPort;

gboolean         esprit_sim_port_parse      (const char            *port,
                                             EspritSimPort         *out,
                                             GError               **error);
void             esprit_sim_port_clear      (EspritSimPort         *port);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EspritSimPort, esprit_sim_port_clear)
/* A new board as @port describes it. */
EspritSim       *esprit_sim_new_for_port    (const char            *port,
                                             GError               **error);
/* Adds "sim:" to @registry. With @keep_boards, a name opens the same board each time (the
 * window's virtual boards keep their flash between jobs); otherwise every open is a new
 * board (the command line: one board per run). */
void             esprit_sim_register_scheme (EspritPortRegistry    *registry,
                                             gboolean               keep_boards);
/* The board @registry keeps for @port (a new reference), made now when @create and the
 * registry keeps boards; NULL if none. */
EspritSim       *esprit_sim_lookup_board    (EspritPortRegistry    *registry,
                                             const char            *port,
                                             gboolean               create);

G_END_DECLS

G_BEGIN_DECLS
/* Makes @transport read and write at whatever rate the board's UART has (a raw socket, where
 * no rate travels). */
void             esprit_sim_transport_follow_board (EspritTransport *transport);
/* The board behind a transport made by esprit_sim_transport_new(). */
EspritSim       *esprit_sim_transport_get_sim (EspritTransport     *transport);
G_END_DECLS

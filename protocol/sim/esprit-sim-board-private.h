/* esprit-sim-board-private.h: the board's state, shared by the engine's own files
 *
 * The engine is split by concern: esprit-sim.c (the object), -wire.c (byte queues, timing,
 * faults), -flash.c (the NOR model), -regs.c (registers, SPI user commands), -boot.c (reset
 * circuit, boot log, the board's thread, the application). Only these files see the struct;
 * the firmware models (-loader.c, -stub.c) reach the board through esprit-sim-private.h.
 *
 * Calls go one way: object -> boot -> firmware -> wire/flash/regs; nothing below calls up.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-sim-private.h"

G_BEGIN_DECLS

typedef struct {
  gint64 at;      /* monotonic µs when the byte has fully arrived */
  guint  baud;
  guint8 byte;
} WireByte;

typedef struct {
  GArray *bytes;
  guint   head;
  gint64  line_free;   /* when the line finishes sending what is queued */
} Wire;

typedef struct {
  guint32 text_start;
  char    text_sha256[65];
} SimTrustedStub;

struct _EspritSim
{
  GObject          parent_instance;

  EspritSimConfig  config;
  char            *flash_path;
  char            *events_path;
  EspritSimFaults  faults;

  GMutex           lock;
  GCond            cond;
  Wire             to_board;
  Wire             to_host;
  guint            uart_baud;       /* the board UART's rate */
  guint            autobaud_count;  /* consecutive 0x55 seen at another rate (ROM autobaud) */
  gboolean         dtr;
  gboolean         rts;
  gboolean         in_reset;        /* EN held low */
  gboolean         usb_jtag;        /* the host's port is the chip's USB-Serial/JTAG */
  gboolean         usj_download;    /* USB-Serial/JTAG: DTR was asserted when the reset began */
  gint64           en_rise_us;      /* when EN last rose (monotonic) */
  gboolean         strap_download;  /* GPIO0 low at the strapping instant after it rose */
  guint            reset_gen;       /* bumps on every reset: firmware loops end */
  gboolean         quit;
  gboolean         disconnected;
  gboolean         unplugged;
  gboolean         noise_sent;
  guint64          count_to_board;
  guint64          count_to_host;
  gint             frames_sent;
  gboolean         stalled;
  EspritSimMode    mode;
  guint            reset_count;
  guint            boot_mode;
  guint            rst_cause;

  GThread         *thread;

  guint8          *flash;
  gsize            flash_size;
  gboolean         flash_mapped;
  gboolean         flash_attached;  /* the SPI flash is attached; every boot detaches it */

  GArray          *trusted_stubs;   /* SimTrustedStub, from esprit_sim_trust_stub() */

  GHashTable      *regs;            /* addr -> value for writable registers */
  guint32          efuse[4];
  guint            xtal_mhz;        /* ESP32 crystal (40 or 26); 0: 40 (esprit-sim-regs.c) */
};

/* esprit-sim-wire.c */
void     _esprit_sim_wire_init         (Wire          *wire);
void     _esprit_sim_wire_free         (Wire          *wire);
/* Called with the lock held: drops what waits for the board (a reset). */
void     _esprit_sim_wire_clear        (Wire          *wire);

/* esprit-sim-flash.c */
gboolean _esprit_sim_flash_open        (EspritSim     *self,
                                        GError       **error);
void     _esprit_sim_flash_close       (EspritSim     *self);

/* esprit-sim-boot.c: the board's CPU thread (boot ROM, loaders, application). */
gpointer _esprit_sim_board_thread      (gpointer       data);

G_END_DECLS

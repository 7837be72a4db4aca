/* esprit-sim-private.h: what the board's firmware models (ROM loader, stub) use of the engine
 *
 * The loader and the stub see the board only through these functions; the board's state
 * stays in the engine's files (esprit-sim-board-private.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-sim.h"

G_BEGIN_DECLS

/* Timing of a common 4 MB SPI NOR flash: Winbond W25Q32JV datasheet (rev. H), typical values:
 * tSE sector erase (4 KB) 45 ms, tBE1 block erase (64 KB) 150 ms, tPP page program (256 B)
 * 0.4 ms, tCE chip erase 10 s. */
#define SIM_SECTOR_ERASE_US   45000
#define SIM_BLOCK_ERASE_US    150000
#define SIM_PAGE_PROGRAM_US   400
#define SIM_CHIP_ERASE_US     10000000
/* Loader time to handle one command once its last byte arrived (an estimate for an 80 MHz
 * ROM: parse, checksum, dispatch). */
#define SIM_COMMAND_LATENCY_US 150

/* EN's RC delay between EN rising and the chip sampling its strapping pins. */
#define SIM_EN_DELAY_US 2000

#define SIM_SECTOR 0x1000u
#define SIM_BLOCK  0x10000u

/* What a firmware model returns besides an EspritSimMode: a software reboot (FLASH_END
 * flag 0), which boots again per the strapping pins (the boot code does it). */
#define SIM_MODE_SOFT_REBOOT ((EspritSimMode) 0x100)

/* board_getc results besides a byte value. */
#define SIM_TIMEOUT (-1)
#define SIM_RESET   (-2)   /* EN went low, power-off, or the board is being destroyed */

int      _esprit_sim_board_getc        (EspritSim    *self,
                                        gint64        timeout_us);
void     _esprit_sim_board_send        (EspritSim    *self,
                                        const guint8 *data,
                                        gsize         len);
/* The same, from a firmware that buffers @depth bytes in all (its own ring and the UART's
 * 128-byte FIFO) before the sender has to wait. */
void     _esprit_sim_board_send_buffered (EspritSim    *self,
                                          const guint8 *data,
                                          gsize         len,
                                          guint         depth);
/* SLIP-encodes and sends one frame (counts frames for the drop-frame fault). */
void     _esprit_sim_board_send_frame  (EspritSim    *self,
                                        const guint8 *data,
                                        gsize         len);
/* Waits until everything the board sent has left the wire. */
void     _esprit_sim_board_tx_flush    (EspritSim    *self);
/* Spends @us of board time (only with timing on); FALSE if a reset interrupted it. */
gboolean _esprit_sim_board_busy        (EspritSim    *self,
                                        gint64        us);
void     _esprit_sim_board_set_baud    (EspritSim    *self,
                                        guint         baud);
guint    _esprit_sim_board_get_baud    (EspritSim    *self);
void     _esprit_sim_set_mode          (EspritSim    *self,
                                        EspritSimMode mode);
/* Appends a line to the events file (EspritSimConfig.events_path), if any. */
void     _esprit_sim_event             (EspritSim    *self,
                                        const char   *format,
                                        ...) G_GNUC_PRINTF (2, 3);
/* Called on the first SYNC: sends the noise-before-sync fault's bytes once. */
void     _esprit_sim_board_sync_noise  (EspritSim    *self);
gboolean _esprit_sim_lines_wired       (EspritSim    *self);

/* Flash model (NOR: erase sets 0xFF, programming only clears bits). */
guint8  *_esprit_sim_flash             (EspritSim    *self,
                                        gsize        *size);
gboolean _esprit_sim_flash_erase       (EspritSim    *self,
                                        guint32       addr,
                                        guint32       len);
/* ANDs @data into the flash; FALSE if what reads back differs from @data. */
gboolean _esprit_sim_flash_program     (EspritSim    *self,
                                        guint32       addr,
                                        const guint8 *data,
                                        gsize         len);
guint32  _esprit_sim_jedec_id          (EspritSim    *self);
/* The ROM loaders leave the SPI flash detached after a boot: SPI_ATTACH (ESP32 family) or
 * FLASH_BEGIN (ESP8266) attaches it, as a stub does when it starts (§12.0). */
void     _esprit_sim_flash_attach      (EspritSim    *self);
gboolean _esprit_sim_flash_attached    (EspritSim    *self);

/* The rate the ROM's UART runs at after CHANGE_BAUDRATE(@requested): the ESP32 ROM scales by
 * its RTC-calibrated crystal estimate (esprit-sim-regs.c). */
guint    _esprit_sim_rom_baud          (EspritSim    *self,
                                        guint         requested);
/* An ESP32 board's crystal, 40 (the default) or 26 MHz: the ROM's UART clock and its
 * RTC-calibrated estimate follow it (esprit-sim-regs.c). */
void     _esprit_sim_set_crystal       (EspritSim    *self,
                                        guint         mhz);
/* The host talks to an ESP32-S3, -C3 or -C6 board through the chip's own USB-Serial/JTAG
 * (303A:1001) instead of a bridge: the lines drive the controller's reset logic and the ROM
 * leaves its RTC watchdog running (esprit-sim-boot.c, esprit-sim-regs.c). */
void     _esprit_sim_set_usb_jtag      (EspritSim    *self);
gboolean _esprit_sim_usb_jtag          (EspritSim    *self);
/* At every boot of such a board: its ROM's watchdog registers as it leaves them. */
void     _esprit_sim_usb_jtag_boot     (EspritSim    *self);
/* The chip the board is (esprit-sim-regs.c). */
EspritChip _esprit_sim_chip            (EspritSim    *self);

/* Registers (magic, efuse, UART divider, SPI controller). */
guint32  _esprit_sim_read_reg          (EspritSim    *self,
                                        guint32       addr);
void     _esprit_sim_write_reg         (EspritSim    *self,
                                        guint32       addr,
                                        guint32       value,
                                        guint32       mask);

/* What MEM_END starts (esprit-sim-known-stubs.c). */
typedef enum {
  SIM_PROGRAM_UNKNOWN,        /* any program: the board cannot execute it */
  SIM_PROGRAM_ESPRIT_STUB,    /* Esprit's stub for this chip: the core with its extensions */
  SIM_PROGRAM_FOREIGN_STUB,   /* a public (or trusted) stub: the core without them */
} SimProgram;

typedef struct {
  EspritChip  chip;
  const char *name;
  guint32     text_start;
  guint32     text_len;
  guint32     entry;
  const char *text_sha256;
} SimKnownStub;

/* @ram maps load addresses to the GByteArray uploaded there; *@name says which stub. */
SimProgram _esprit_sim_identify_program (EspritSim    *self,
                                         GHashTable   *ram,
                                         const char  **name);
/* The table of public stubs the board knows. */
const SimKnownStub *_esprit_sim_known_stubs (guint    *n);

/* The ROM loader (esprit-sim-loader.c): runs until the loader is left (returns the mode to
 * enter, or SIM_MODE_SOFT_REBOOT) or a reset. A stub started from it runs (below) inside it. */
EspritSimMode _esprit_sim_run_loader   (EspritSim    *self);

/* The stub core (protocol/stub/core) over the board (esprit-sim-stub.c); @extensions: the
 * uploaded program is Esprit's own stub. Returns the mode to enter: ROM loader after a
 * reboot, the application after RUN_USER_CODE, booting after a reset. */
EspritSimMode _esprit_sim_run_stub     (EspritSim    *self,
                                        gboolean      extensions);

G_END_DECLS

/* esprit-test-util.h: helpers shared by the tests: firmware images, frames, boards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-chips.h"
#include "esprit-layout.h"
#include "esprit-sim.h"
#include "esprit-telnet.h"

G_BEGIN_DECLS

/* A valid ESP image for @chip: @n_segments segments of pseudo-random data totalling about
 * @size bytes, correct checksum, and (for ESP32-family chips when @hash) an appended
 * SHA-256. Header mode DIO, size 4MB (chip's encoding), 40m. */
GBytes    *esprit_test_make_image    (EspritChip  chip,
                                      gsize       size,
                                      guint       n_segments,
                                      gboolean    hash,
                                      guint32     seed);
/* @in as a .gz file (what gzip -9 writes; eboot takes such sketches, §7.1). */
GBytes    *esprit_test_gzip          (GBytes     *in);
/* Deterministic pseudo-random bytes. */
GBytes    *esprit_test_random_bytes  (gsize       size,
                                      guint32     seed);
/* A new in-process board with wired lines (timing off) and its transport. */
EspritSim *esprit_test_new_board     (EspritChip        chip,
                                      EspritTransport **transport);
/* Sends one request frame (op, data) to @sim as the host and collects whole reply frames
 * that arrive within @wait_ms; returns them as an array of GBytes (unescaped). */
GPtrArray *esprit_test_exchange      (EspritSim    *sim,
                                      guint8        op,
                                      const guint8 *data,
                                      gsize         len,
                                      guint32       checksum,
                                      guint         wait_ms);
/* Adds "sim:" (a new board per open) to the default registry, once. */
void             esprit_test_register_sim (void);
/* Opens @port through the default registry, with the virtual board's "sim:" scheme added
 * (each open a new board), as the command line does. */
EspritTransport *esprit_test_open_port (const char  *port,
                                        guint        baud,
                                        GError     **error);
/* As esprit_test_exchange(), returning as soon as @n_frames frames came (a machine under load
 * may take longer than a short fixed wait). */
GPtrArray *esprit_test_exchange_n    (EspritSim    *sim,
                                      guint8        op,
                                      const guint8 *data,
                                      gsize         len,
                                      guint32       checksum,
                                      guint         n_frames,
                                      guint         wait_ms);
/* A FLASH_DATA/MEM_DATA payload: len, seq, 0, 0, @block; *@checksum for the header. */
GBytes    *esprit_test_data_packet   (guint32       seq,
                                      const guint8 *block,
                                      gsize         len,
                                      guint32      *checksum);
/* WRITE_REG (one group, mask all ones) and READ_REG through the loader, as a host does. */
void       esprit_test_write_reg     (EspritSim    *sim,
                                      guint32       addr,
                                      guint32       value);
guint32    esprit_test_read_reg      (EspritSim    *sim,
                                      guint32       addr);
/* Waits (up to 5 s: a loaded machine is slow) until @sim runs in @mode; its mode then. */
EspritSimMode esprit_test_wait_mode  (EspritSim    *sim,
                                      EspritSimMode mode);
/* Waits until @sim booted since its reset count was @resets; its boot mode then. */
guint      esprit_test_wait_boot     (EspritSim    *sim,
                                      guint         resets);
/* Resets @sim into its ROM loader the classic way and syncs it (the 8 replies drained). */
void       esprit_test_enter_loader  (EspritSim    *sim);

/* Arduino-ESP32's tools/partitions/default.csv as a table (§10.1), and as the 0xC00-byte
 * binary (g_free it). */
void       esprit_test_arduino_default_table  (EspritPartitionTable *table);
guint8    *esprit_test_arduino_default_binary (void);

/* Reads telnet from @sock for @ms (or until it closes), handing each subnegotiation to
 * @subneg. */
void       esprit_test_read_telnet   (GSocket            *sock,
                                      guint               ms,
                                      EspritTelnetSubneg  subneg,
                                      gpointer            user_data);

G_END_DECLS

/* esprit-sim-loader-private.h: the ROM loader's state, shared by its command files
 *
 * esprit-sim-loader.c dispatches commands and runs the loader; -loader-frames.c builds the
 * replies, -loader-flash.c serves the flash commands, -loader-ram.c the RAM upload and what
 * MEM_END starts. The board is reached through esprit-sim-private.h only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <zlib.h>

#include "esprit-sim-private.h"

G_BEGIN_DECLS

typedef struct {
  EspritSim            *sim;
  const EspritChipInfo *info;
  gboolean              esprit_stub;    /* what MEM_END started is Esprit's stub */
  gboolean              rom8266;
  guint                 status_len;

  /* The ESP32-family ROMs' reply state, which carries over from one reply to the next
   * (esprit-sim-loader-frames.c): the value, the error byte, the last known command and the
   * buffer the reply's data and status are put together in. */
  guint32               value;
  guint8                error;
  guint8                last_op;
  guint8                reply_buf[128];

  /* flash write session */
  gboolean              flashing;
  gboolean              deflating;
  guint32               write_offset;   /* where the next data goes */
  guint32               block_size;
  guint32               blocks;
  guint32               next_seq;
  z_stream              zs;
  gboolean              zs_live;
  /* An ESP32-family ROM's inflater after a damaged FLASH_DEFL_DATA block (measured: every
   * later block of that write fails with 0x0C) */
  gboolean              inflate_broken;

  /* RAM upload */
  GHashTable           *ram;            /* load addr -> GByteArray */
  guint32               mem_addr;
  guint32               mem_size;
  guint32               mem_block;
  guint32               mem_next_seq;
  GByteArray           *mem_segment;
} Loader;

/* esprit-sim-loader-frames.c */
void     _esprit_sim_loader_reply             (Loader        *l,
                                               guint8         op,
                                               guint32        value,
                                               const guint8  *payload,
                                               gsize          payload_len,
                                               guint8         failed,
                                               guint8         error);
void     _esprit_sim_loader_ok                (Loader        *l,
                                               guint8         op);
void     _esprit_sim_loader_fail              (Loader        *l,
                                               guint8         op,
                                               guint8         error);
/* Checks a FLASH_DATA/MEM_DATA payload (length, checksum); replies itself on failure. */
gboolean _esprit_sim_loader_check_data_packet (Loader        *l,
                                               const guint8  *data,
                                               gsize          len,
                                               guint32        checksum,
                                               guint8         op,
                                               guint32       *next_seq,
                                               const guint8 **block,
                                               guint32       *block_len);
/* Reads one SLIP frame; SIM_RESET when the board was reset. */
int      _esprit_sim_loader_read_frame        (Loader        *l,
                                               GByteArray    *frame);

/* esprit-sim-loader-flash.c */
void     _esprit_sim_loader_end_deflate       (Loader        *l);
void     _esprit_sim_loader_flash_begin       (Loader        *l,
                                               guint8         op,
                                               const guint8  *data,
                                               gsize          len);
void     _esprit_sim_loader_flash_data        (Loader        *l,
                                               guint8         op,
                                               const guint8  *data,
                                               gsize          len,
                                               guint32        checksum);
void     _esprit_sim_loader_md5               (Loader        *l,
                                               guint8         op,
                                               guint32        addr,
                                               guint32        size);
void     _esprit_sim_loader_read_flash_slow   (Loader        *l,
                                               const guint8  *data,
                                               gsize          len);

/* esprit-sim-loader-ram.c */
void     _esprit_sim_loader_mem_begin         (Loader        *l,
                                               const guint8  *data,
                                               gsize          len);
void     _esprit_sim_loader_mem_data          (Loader        *l,
                                               const guint8  *data,
                                               gsize          len,
                                               guint32        checksum);
/* Returns the mode to enter, or -1 to stay in the loader. */
int      _esprit_sim_loader_mem_end           (Loader        *l,
                                               const guint8  *data,
                                               gsize          len);

G_END_DECLS

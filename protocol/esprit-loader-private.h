/* esprit-loader-private.h: the loader's state, shared by its files (esprit-loader*.c) and
 * the flash operations (esprit-flash*.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-attempt.h"
#include "esprit-layout.h"
#include "esprit-loader.h"
#include "esprit-slip.h"

G_BEGIN_DECLS

#define ESPRIT_REG_CHIP_MAGIC   0x40001000   /* protocol-facts §4 */

/* ESPRIT_VERSION (0xE0): no data; the reply carries 8 payload bytes "ESPR" + u32 version,
 * then the stub's 2 status bytes. A stub without the extension answers a failure status. */
#define ESPRIT_STUB_MAGIC "ESPR"

struct _EspritLoader
{
  GObject            parent_instance;

  EspritTransport   *transport;
  EspritSlipDecoder *decoder;
  guint8             rx[512];
  gsize              rx_len;
  gsize              rx_pos;

  EspritLogFunc      log_func;
  gpointer           log_data;
  GDestroyNotify     log_destroy;
  gboolean           trace;

  EspritChip         chip;
  EspritLoaderKind   kind;
  guint32            stub_version;
  gboolean           saw_ohai;         /* an OHAI frame went by while waiting for a reply */
  guint32            flash_size;
  gboolean           attached;
  /* What reads and writes on this loader learnt of the flash's 4 KB chunks; made once the
   * flash size is known. */
  EspritChunkMap    *chunks;
};


/* Timeouts of protocol-facts §2, in ms (per MB where named so). */
#define ESPRIT_TIMEOUT_DEFAULT        3000
#define ESPRIT_TIMEOUT_SYNC           100
/* §2: MEM_END to a ROM: the loaded code may take the UART before the reply goes out. */
#define ESPRIT_TIMEOUT_MEM_END_ROM    200
#define ESPRIT_TIMEOUT_ERASE_PER_MB   40000
#define ESPRIT_TIMEOUT_WRITE_PER_MB   40000
#define ESPRIT_TIMEOUT_MD5_PER_MB     8000
#define ESPRIT_TIMEOUT_CHIP_ERASE     120000
#define ESPRIT_TIMEOUT_MAX            240000

guint32  _esprit_loader_get_flash_size (EspritLoader *self);
void     _esprit_loader_set_flash_size (EspritLoader *self,
                                        guint32       size);
/* Records that the chunks of [@addr, @addr + @len) are @state: ERASED or DATA for chunks
 * wholly inside, learnt from a read; UNKNOWN forgets every chunk the range touches (after a
 * write or an erase, whose real extent a ROM may widen, §2 FLASH_BEGIN). Nothing before the flash size
 * is known. */
void     _esprit_loader_note_chunks    (EspritLoader     *self,
                                        guint32           addr,
                                        guint32           len,
                                        EspritChunkState  state);
gboolean _esprit_loader_get_attached   (EspritLoader *self);
void     _esprit_loader_set_attached   (EspritLoader *self,
                                        gboolean      attached);
/* Status length of the loader now talking: the ROM's (2 or 4) or the stub's 2. */
guint    _esprit_loader_status_len     (EspritLoader *self);
gboolean _esprit_loader_is_stub        (EspritLoader *self);

/* esprit_loader_command for commands that may simply be sent again (READ_REG, MD5, reads):
 * up to 3 attempts on a timeout or a garbled reply, the input flushed in between. */
gboolean _esprit_loader_command_retry  (EspritLoader  *self,
                                        guint8         op,
                                        const guint8  *data,
                                        gsize          len,
                                        gsize          payload_len,
                                        guint          timeout_ms,
                                        GBytes       **payload,
                                        guint32       *value,
                                        GCancellable  *cancellable,
                                        GError       **error);

/* Sends one *_DATA block (FLASH, FLASH_DEFL, MEM), retrying it (ESPRIT_ATTEMPTS in all)
 * when it was rejected or its reply lost. @lost_reply_ok: a retry refused as out of sequence
 * after a lost reply counts as delivered (something later checks the data). @seq: the
 * sequence number to send it with; on return the one it went with (an ESP32-family ROM uses
 * up the number of a block it refused for its checksum), so the next block takes *@seq + 1. */
gboolean _esprit_loader_send_data (EspritLoader  *self,
                                   guint8         op,
                                   guint32       *seq,
                                   const guint8  *block,
                                   gsize          len,
                                   guint          timeout_ms,
                                   gboolean       lost_reply_ok,
                                   GCancellable  *cancellable,
                                   GError       **error);

/* The next SLIP frame; FALSE with @attempt TIMEOUT or FATAL. */
gboolean _esprit_loader_next_frame     (EspritLoader   *self,
                                        guint           timeout_ms,
                                        GBytes        **frame,
                                        EspritAttempt  *attempt,
                                        GCancellable   *cancellable);
/* esprit_loader_command() with the outcome as a code in @attempt (cleared first). */
gboolean _esprit_loader_exchange       (EspritLoader   *self,
                                        guint8          op,
                                        const guint8   *data,
                                        gsize           len,
                                        guint32         checksum,
                                        gsize           payload_len,
                                        guint           timeout_ms,
                                        GBytes        **payload,
                                        guint32        *value,
                                        EspritAttempt  *attempt,
                                        GCancellable   *cancellable);
/* Forgets buffered input (after a flush of the transport). */
void     _esprit_loader_drop_input     (EspritLoader  *self);
/* One SYNC exchange (§2); *@stub is TRUE when every reply carried value 0. */
gboolean _esprit_loader_sync_once      (EspritLoader  *self,
                                        gboolean      *stub,
                                        GCancellable  *cancellable,
                                        GError       **error);
/* Asks a running stub whether it is Esprit's (ESPRIT_VERSION); only cancelling fails. */
gboolean _esprit_loader_identify_stub  (EspritLoader  *self,
                                        GCancellable  *cancellable,
                                        GError       **error);
/* On a ROM reached through the chip's USB-Serial/JTAG (303A:1001): the RTC watchdog off and
 * the super watchdog fed by hardware, as esptool does (esprit-loader-watchdog.c). */
gboolean _esprit_loader_usb_jtag_watchdogs_off (EspritLoader  *self,
                                                GCancellable  *cancellable,
                                                GError       **error);
/* SPI_ATTACH where the ROM needs it (ESP32 family; stubs take 4 bytes, ROMs 8, §2); the
 * ESP8266 ROM attaches in FLASH_BEGIN(0,0). Done once per connection. */
gboolean _esprit_loader_ensure_attached (EspritLoader  *self,
                                         GCancellable  *cancellable,
                                         GError       **error);

G_END_DECLS

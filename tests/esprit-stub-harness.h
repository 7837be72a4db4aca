/* esprit-stub-harness.h: the stub core on the host over a scripted machine
 *
 * For the dispatcher's tests and fuzz target: the wire is a byte string given up front (the
 * core returns when it has been read), the flash an in-memory NOR array, registers a small
 * table, and a RAM window for MEM_*; every hook the core calls is logged in order, so that
 * a test can check what happened before what.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "stub-core.h"
#include "stub-rx.h"

G_BEGIN_DECLS

#define ESPRIT_HARNESS_FLASH    (256u * 1024)
#define ESPRIT_HARNESS_RAM_BASE 0x40100000u
#define ESPRIT_HARNESS_RAM_SIZE 0x8000u
/* The part of the RAM window the "stub" itself occupies (MEM_* must refuse it). */
#define ESPRIT_HARNESS_SELF     0x40106000u
#define ESPRIT_HARNESS_REGS     8

typedef struct {
  /* set up by the test */
  GByteArray *input;              /* the wire, host to stub */
  gboolean    fail_unlock;
  gboolean    fail_flash;         /* every flash hook fails */

  /* what happened */
  GByteArray *output;             /* the wire, stub to host */
  GString    *log;                /* "tx unlock erase-block:0 ..." */
  guint8      flash[ESPRIT_HARNESS_FLASH];
  guint8      ram[ESPRIT_HARNESS_RAM_SIZE];
  guint32     reg_addr[ESPRIT_HARNESS_REGS];
  guint32     reg_value[ESPRIT_HARNESS_REGS];
  guint       reg_reads;
  guint32     ran_entry;          /* MEM_END's jump, 0 if none */
  guint32     param_block, param_sector;

  guint       in_pos;
  /* The input reaches the core through the ESP8266's receive ring (stub-rx.c): bytes are
   * pushed as the core asks for them, and an erase pushes the whole next frame, as the host
   * sends the next block while the stub erases (§6). */
  stub_rx_t   rx;
  esprit_stub_state_t *state;
  esprit_stub_hal_t    hal;
} EspritStubHarness;

EspritStubHarness *esprit_stub_harness_new   (void);
void               esprit_stub_harness_free  (EspritStubHarness *h);
/* Appends one request (SLIP-framed) to the input. */
void               esprit_stub_harness_send  (EspritStubHarness *h,
                                              guint8             op,
                                              const guint8      *data,
                                              gsize              len,
                                              guint32            checksum);
/* Runs the core until the input is used up (or it leaves by itself). */
void               esprit_stub_harness_run   (EspritStubHarness *h);
/* The reply frames (unescaped) in the output, OHAI included; free with g_ptr_array_unref. */
GPtrArray         *esprit_stub_harness_frames (EspritStubHarness *h);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EspritStubHarness, esprit_stub_harness_free)

G_END_DECLS

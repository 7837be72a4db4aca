/* stub-internal.h: what the stub core's files share (stub-io.c: SLIP in and out, replies;
 * stub-write.c: the flash writes and erases; stub-read.c: MD5 and the reads; stub-ram.c:
 * RAM programs; stub-main.c: the dispatcher)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef STUB_INTERNAL_H
#define STUB_INTERNAL_H

#include "stub-core.h"

#define SLIP_END     0xC0
#define SLIP_ESC     0xDB
#define SLIP_ESC_END 0xDC
#define SLIP_ESC_ESC 0xDD

typedef const esprit_stub_hal_t Hal;

static inline uint32_t
le32 (const uint8_t *p)
{
  return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static inline void
put_le32 (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) v;
  p[1] = (uint8_t) (v >> 8);
  p[2] = (uint8_t) (v >> 16);
  p[3] = (uint8_t) (v >> 24);
}

void stub_tx_flush_buffer (Hal *hal);   /* stub-io.c */
void stub_tx_raw (Hal *hal, uint8_t b);   /* stub-io.c */
void stub_tx_escaped (Hal *hal, const uint8_t *data, uint32_t len);   /* stub-io.c */
void stub_send_frame (Hal *hal, const uint8_t *data, uint32_t len);   /* stub-io.c */
void stub_reply (Hal *hal, uint8_t op, uint32_t value, const uint8_t *payload, uint32_t len, uint8_t error);   /* stub-io.c */
void stub_status (Hal *hal, uint8_t op, uint8_t error);   /* stub-io.c */
int stub_read_frame (Hal *hal);   /* stub-io.c */
void stub_handle_begin (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len);   /* stub-write.c */
void stub_handle_data (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len, uint32_t checksum);   /* stub-write.c */
int stub_handle_end (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len);   /* stub-write.c */
uint8_t stub_erase_region (Hal *hal, uint32_t addr, uint32_t size);   /* stub-write.c */
void stub_handle_mem_begin (Hal *hal, const uint8_t *data, uint32_t len);   /* stub-ram.c */
void stub_handle_mem_data (Hal *hal, const uint8_t *data, uint32_t len, uint32_t checksum);   /* stub-ram.c */
int stub_handle_mem_end (Hal *hal, const uint8_t *data, uint32_t len);   /* stub-ram.c */
void stub_handle_md5 (Hal *hal, const uint8_t *data, uint32_t len);   /* stub-read.c */
int stub_handle_read (Hal *hal, uint8_t op, const uint8_t *data, uint32_t len);   /* stub-read.c */

#endif /* STUB_INTERNAL_H */

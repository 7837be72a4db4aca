/* stub-pack.h: the format of Esprit's packed read (ESPRIT_READ_PACKED, 0xE1)
 *
 * The region is cut into chunks of STUB_PACK_CHUNK bytes counted from its start (the last one
 * may be shorter). Each chunk becomes one record; records follow each other with nothing in
 * between, and the record stream is sent in frames of packet_size bytes like READ_FLASH data
 * (a record may span frames). Both sides know every chunk's length, so records need no length
 * of their raw data:
 *
 *   0x00                       the chunk is erased: every byte is 0xFF
 *   0x01 <raw bytes>           stored as is
 *   0x02 <u16 n> <n bytes>     an LZ block (below) that expands to exactly the chunk
 *
 * An LZ block is a list of sequences. A sequence is a token byte (high nibble: literal count,
 * low nibble: match length - 4; a nibble of 15 continues in following bytes, each added, a
 * byte of 255 meaning "more follows"), the literals, then a u16 distance (1..chunk) of the
 * match copied from the output already produced (it may overlap what it produces). The last
 * sequence has literals only: the block ends right after them.
 *
 * The host acknowledges frames with running totals of record bytes, as READ_FLASH's; an
 * acknowledgement of 0xFFFFFFFF abandons the read (no more frames, no digest).
 *
 * Chunks are coded on their own (no history across them), so a 4 KiB hash table and buffers
 * of one chunk suffice on the ESP8266, and the compressor only reads bytes (IRAM and unaligned
 * DRAM words trap on the lx106).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef STUB_PACK_H
#define STUB_PACK_H

#include <stdint.h>

#define STUB_PACK_CHUNK      4096u
#define STUB_PACK_HASH_BITS  12
/* A record's largest size: type byte + stored chunk. */
#define STUB_PACK_RECORD_MAX (1u + STUB_PACK_CHUNK)

enum {
  STUB_PACK_ERASED = 0x00,
  STUB_PACK_STORED = 0x01,
  STUB_PACK_LZ     = 0x02,
};

typedef struct {
  uint16_t table[1u << STUB_PACK_HASH_BITS];   /* position + 1 of the last 4-byte prefix seen */
  /* Optional (NULL: none): called every STUB_PACK_IDLE input bytes, so that a HAL which
   * polls its UART keeps its FIFOs served while a chunk is coded. */
  void   (*idle) (void *ctx);
  void    *idle_ctx;
} stub_pack_t;

#define STUB_PACK_IDLE 512u

/* Encodes @len (1..STUB_PACK_CHUNK) bytes of @in into one record at @out (room for
 * STUB_PACK_RECORD_MAX bytes); returns the record's size. */
uint32_t stub_pack_record (stub_pack_t *p, const uint8_t *in, uint32_t len, uint8_t *out);

/* Host side: the size of the record starting at @rec if @avail bytes hold all of it, 0 if
 * more bytes are needed, -1 if the type byte is not a record type. */
int32_t  stub_pack_record_size (const uint8_t *rec, uint32_t avail, uint32_t chunk_len);

/* Host side: expands the whole record @rec of @rec_len bytes into @out (@chunk_len bytes).
 * Returns 0, or -1 when the record is malformed or does not produce exactly @chunk_len bytes. */
int      stub_pack_unpack (const uint8_t *rec, uint32_t rec_len, uint8_t *out, uint32_t chunk_len);

#endif /* STUB_PACK_H */

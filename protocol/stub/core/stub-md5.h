/* stub-md5.h: MD5 (RFC 1321) for the stub: SPI_FLASH_MD5 and the digest after a read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef STUB_MD5_H
#define STUB_MD5_H

#include <stdint.h>

typedef struct {
  uint32_t state[4];
  uint32_t count_lo, count_hi;   /* bytes hashed */
  uint8_t  buffer[64];
} stub_md5_t;

void stub_md5_init   (stub_md5_t *md5);
void stub_md5_update (stub_md5_t *md5, const void *data, uint32_t len);
void stub_md5_final  (stub_md5_t *md5, uint8_t digest[16]);

#endif /* STUB_MD5_H */

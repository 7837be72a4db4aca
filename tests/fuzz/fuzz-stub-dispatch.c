/* fuzz-stub-dispatch.c: the stub core's command dispatcher fed whole SLIP streams, over the
 * scripted host machine (tests/esprit-stub-harness.c): every command, in any order, with
 * any payload, through the same receive ring the ESP8266 uses.
 *
 * The first byte picks how the rest is read: even, as the raw wire (framing errors, noise,
 * overlong frames); odd, as requests: op, u16 length, then that many payload bytes, each
 * SLIP-framed with the checksum the DATA commands want, so that the fuzzer gets past it
 * (bit 15 of the length asks for a wrong one).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "esprit-command.h"
#include "esprit-slip.h"
#include "esprit-stub-harness.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
size_t esprit_fuzz_seeds (const uint8_t ***seeds, const size_t **sizes);

/* SYNC, READ_REG, SPI_SET_PARAMS, FLASH_BEGIN + DATA + END (write at 0x1000), MD5. */
static const uint8_t seed1[] = {
  0x01,
  0x08, 36, 0x00, 0x07, 0x07, 0x12, 0x20, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
  0x0A, 4, 0x00, 0x00, 0x10, 0x00, 0x40,
  0x0B, 24, 0x00, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 1, 0, 0, 0x10, 0, 0, 0, 1, 0, 0, 0xFF, 0xFF,
  0, 0,
  0x02, 16, 0x00, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0x40, 0, 0, 0, 0x10, 0, 0,
  0x03, 24, 0x00, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0xC0, 0xDB, 6, 7, 8,
  0x04, 4, 0x00, 1, 0, 0, 0,
  0x13, 16, 0x00, 0, 0x10, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* MEM_BEGIN + MEM_DATA + MEM_END with a jump, READ_FLASH with two acknowledgements. */
static const uint8_t seed2[] = {
  0x01,
  0x05, 16, 0x00, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0x18, 0, 0, 0, 0x10, 0x10, 0x40,
  0x07, 24, 0x00, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
  0x06, 8, 0x00, 0, 0, 0, 0, 4, 0x10, 0x10, 0x40,
  0xD2, 16, 0x00, 0, 0, 0, 0, 0, 0x20, 0, 0, 0, 0x10, 0, 0, 2, 0, 0, 0,
  0x00, 4, 0x00, 0, 0x10, 0, 0,
  0x00, 4, 0x00, 0, 0x20, 0, 0,
};
/* The raw wire: a frame, noise, a bad escape, an empty frame. */
static const uint8_t seed3[] = {
  0x00, 0xC0, 0x00, 0x0A, 0x04, 0x00, 0, 0, 0, 0, 0, 0x10, 0, 0x40, 0xC0, 0x55, 0x66,
  0xC0, 0x00, 0xD0, 0x00, 0x00, 0xDB, 0x01, 0, 0, 0, 0xC0, 0xC0, 0xC0,
};
static const uint8_t *seeds[] = { seed1, seed2, seed3 };
static const size_t sizes[] = { sizeof seed1, sizeof seed2, sizeof seed3 };

size_t
esprit_fuzz_seeds (const uint8_t ***s,
                   const size_t    **z)
{
  *s = seeds;
  *z = sizes;
  return G_N_ELEMENTS (seeds);
}

/* op u16 data... as requests; an op of 0x00 sends the payload as a bare frame (a READ_FLASH
 * acknowledgement). */
static void
add_requests (EspritStubHarness *h,
              const uint8_t     *data,
              size_t             size)
{
  size_t at = 0;

  while (at + 3 <= size)
    {
      uint8_t op = data[at];
      uint16_t field = (uint16_t) (data[at + 1] | data[at + 2] << 8);
      size_t len = field & 0x7FFF;
      guint32 checksum = 0;

      at += 3;
      if (len > size - at)
        len = size - at;
      if (op == 0x00)
        {
          esprit_slip_encode (h->input, data + at, len);
          at += len;
          continue;
        }
      if (len > STUB_DATA_HEADER)
        checksum = esprit_checksum (data + at + STUB_DATA_HEADER, len - STUB_DATA_HEADER);
      if (field & 0x8000)
        checksum ^= 1;
      esprit_stub_harness_send (h, op, data + at, len, checksum);
      at += len;
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  EspritStubHarness *h;

  if (size == 0)
    return 0;
  h = esprit_stub_harness_new ();
  if (data[0] & 1)
    add_requests (h, data + 1, size - 1);
  else
    g_byte_array_append (h->input, data + 1, (guint) (size - 1));
  esprit_stub_harness_run (h);
  esprit_stub_harness_free (h);
  return 0;
}

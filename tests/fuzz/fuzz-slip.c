/* fuzz-slip.c: the SLIP decoder and response parser on arbitrary bytes from the wire
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "esprit-command.h"
#include "esprit-slip.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
size_t esprit_fuzz_seeds (const uint8_t ***seeds, const size_t **sizes);

static const uint8_t seed1[] = { 0xC0, 0x01, 0x0A, 0x02, 0x00, 0x01, 0xC1, 0xF0, 0xFF, 0x00, 0x00, 0xC0 };
static const uint8_t seed2[] = { 'e', 't', 's', 0xC0, 0x01, 0x03, 0x02, 0x00, 0xDB, 0xDC, 0xDB, 0xDD, 0x12, 0x20, 0x01, 0x07, 0xC0 };
static const uint8_t *seeds[] = { seed1, seed2 };
static const size_t sizes[] = { sizeof seed1, sizeof seed2 };

size_t
esprit_fuzz_seeds (const uint8_t ***s,
                   const size_t    **z)
{
  *s = seeds;
  *z = sizes;
  return 2;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  EspritSlipDecoder *dec = esprit_slip_decoder_new (256);

  for (size_t i = 0; i < size; i++)
    if (esprit_slip_decoder_push (dec, data[i]) == ESPRIT_SLIP_FRAME)
      {
        gsize n;
        const guint8 *f = esprit_slip_decoder_frame (dec, &n);
        EspritResponse r;
        guint8 failed, code;

        if (esprit_response_parse (f, n, &r))
          for (gsize p = 0; p < 70; p += 7)
            (void) esprit_response_status (&r, p, &failed, &code);
      }
  esprit_slip_decoder_free (dec);
  return 0;
}

/* fuzz-ota.c: the ArduinoOTA parsers on arbitrary datagrams and streams (§7): what a board
 * (or anything on the network) sends the host, and what a host sends the virtual board
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "esprit-ota.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
size_t esprit_fuzz_seeds (const uint8_t ***seeds, const size_t **sizes);

/* The first byte picks the parser; the rest is its input. */
static const char seed0[] = "\0" "0 23456 300000 d41d8cd98f00b204e9800998ecf8427e\n";
static const char seed1[] = "\1" "200 0123456789abcdef0123456789abcdef 0123456789abcdef0123456789abcdef\n";
static const char seed2[] = "\2" "AUTH 0123456789abcdef0123456789abcdef";
static const char seed3[] = "\3" "146014601460ERROR[7]: MD5 verification failed: expected: a\n";
static const char seed4[] = "\3" "10241024OK";
static const char seed5[] = "\4" "\xe9\x03\x02\x40\x04\x00\x10\x40";
static const uint8_t *seeds[] = {
  (const uint8_t *) seed0, (const uint8_t *) seed1, (const uint8_t *) seed2,
  (const uint8_t *) seed3, (const uint8_t *) seed4, (const uint8_t *) seed5,
};
static const size_t sizes[] = {
  sizeof seed0 - 1, sizeof seed1 - 1, sizeof seed2 - 1, sizeof seed3 - 1, sizeof seed4 - 1,
  sizeof seed5 - 1,
};

size_t
esprit_fuzz_seeds (const uint8_t ***s,
                   const size_t    **z)
{
  *s = seeds;
  *z = sizes;
  return G_N_ELEMENTS (seeds);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const uint8_t *p = data + 1;
  size_t n = size ? size - 1 : 0;

  if (size == 0)
    return 0;
  switch (data[0] % 5)
    {
    case 0:
      {
        int c, port, len;
        char md5[33];

        if (esprit_ota_parse_invitation (p, n, &c, &port, &len, md5))
          g_assert (strlen (md5) == 32 && (c == 0 || c == 100));
      }
      break;
    case 1:
      {
        char a[65], b[65];

        if (esprit_ota_parse_auth (p, n, 32, a, b))
          g_assert (strlen (a) == 32 && strlen (b) == 32);
        if (esprit_ota_parse_auth (p, n, 64, a, b))
          g_assert (strlen (a) == 64 && strlen (b) == 64);
      }
      break;
    case 2:
      {
        EspritOtaReply r;

        esprit_ota_parse_reply (p, n, &r);
        g_assert (strlen (r.text) < sizeof r.text);
      }
      break;
    case 3:
      {
        EspritOtaAcks acks;
        size_t cut = n ? p[0] % (n + 1) : 0;

        /* Split anywhere: the stream arrives in arbitrary pieces. */
        esprit_ota_acks_init (&acks);
        if (esprit_ota_acks_feed (&acks, p, cut, FALSE) == ESPRIT_OTA_ACKS_MORE)
          esprit_ota_acks_feed (&acks, p + cut, n - cut, TRUE);
        (void) esprit_ota_acks_text (&acks);
        esprit_ota_acks_clear (&acks);
      }
      break;
    default:
      {
        static const EspritChip chips[] = { ESPRIT_CHIP_AUTO, ESPRIT_CHIP_ESP8266,
                                            ESPRIT_CHIP_ESP32, ESPRIT_CHIP_ESP32S3 };

        for (guint i = 0; i < G_N_ELEMENTS (chips); i++)
          (void) esprit_ota_check_image (p, n, ESPRIT_OTA_FLASH, chips[i], NULL);
      }
      break;
    }
  return 0;
}

/* fuzz-image.c: the image parser and patcher on arbitrary files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "esprit-image.h"
#include "esprit-test-util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
size_t esprit_fuzz_seeds (const uint8_t ***seeds, const size_t **sizes);

size_t
esprit_fuzz_seeds (const uint8_t ***s,
                   const size_t    **z)
{
  static const uint8_t *seeds[3];
  static size_t sizes[3];
  static GBytes *keep[3];

  keep[0] = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 600, 3, FALSE, 1);
  keep[1] = esprit_test_make_image (ESPRIT_CHIP_ESP32, 600, 2, TRUE, 2);
  keep[2] = esprit_test_make_image (ESPRIT_CHIP_ESP32C3, 300, 1, FALSE, 3);
  for (int i = 0; i < 3; i++)
    seeds[i] = g_bytes_get_data (keep[i], &sizes[i]);
  *s = seeds;
  *z = sizes;
  return 3;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const EspritChip chips[] = { ESPRIT_CHIP_AUTO, ESPRIT_CHIP_ESP8266, ESPRIT_CHIP_ESP32 };

  for (guint c = 0; c < G_N_ELEMENTS (chips); c++)
    {
      EspritImageInfo info;
      g_autoptr(GError) error = NULL;

      if (esprit_image_parse (data, size, chips[c], &info, &error))
        {
          g_autofree char *desc = esprit_image_describe (&info);
          g_autofree guint8 *copy = g_memdup2 (data, size);
          gboolean changed;

          g_assert_cmpuint (info.image_len, <=, size);
          if (chips[c] != ESPRIT_CHIP_AUTO && info.kind != ESPRIT_IMAGE_RAW)
            (void) esprit_image_patch_header (copy, size, chips[c], ESPRIT_FLASH_MODE_DIO,
                                              1024 * 1024, ESPRIT_FLASH_FREQ_40M, &changed, NULL);
        }
    }
  return 0;
}

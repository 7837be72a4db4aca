/* esprit-stub-image.c: which generated stub image belongs to which chip
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esprit-stub-image-private.h"

const EspritStubImage *
esprit_stub_image_for_chip (EspritChip chip)
{
  switch (chip)
    {
    case ESPRIT_CHIP_ESP8266:
      return &_esprit_stub_image_esp8266;
    case ESPRIT_CHIP_ESP32:
      return &_esprit_stub_image_esp32;
    case ESPRIT_CHIP_ESP32S2:
      return &_esprit_stub_image_esp32s2;
    case ESPRIT_CHIP_ESP32S3:
      return &_esprit_stub_image_esp32s3;
    case ESPRIT_CHIP_ESP32C3:
      return &_esprit_stub_image_esp32c3;
    case ESPRIT_CHIP_ESP32C6:
      return &_esprit_stub_image_esp32c6;
    default:
      return NULL;
    }
}

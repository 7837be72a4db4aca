/* esprit-stub-image-private.h: the generated per-chip stub images (esprit-stub-image-*.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-stub-image.h"

G_BEGIN_DECLS

extern const EspritStubImage _esprit_stub_image_esp8266;
extern const EspritStubImage _esprit_stub_image_esp32;
extern const EspritStubImage _esprit_stub_image_esp32s2;
extern const EspritStubImage _esprit_stub_image_esp32s3;
extern const EspritStubImage _esprit_stub_image_esp32c3;
extern const EspritStubImage _esprit_stub_image_esp32c6;

G_END_DECLS

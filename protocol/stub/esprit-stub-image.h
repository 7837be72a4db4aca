/* esprit-stub-image.h: the stub program the host uploads (generated from protocol/stub)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "esprit-chips.h"

G_BEGIN_DECLS

typedef struct {
  guint32       load_addr;
  const guint8 *data;
  guint32       length;
} EspritStubSegment;

typedef struct {
  EspritChip               chip;
  guint32                  entry;
  guint32                  version;     /* what ESPRIT_VERSION answers */
  const EspritStubSegment *segments;
  guint                    n_segments;
} EspritStubImage;

/* Esprit's stub for @chip, or NULL when there is none (the ROM serves). */
const EspritStubImage *esprit_stub_image_for_chip (EspritChip chip);

G_END_DECLS

/* esprit-stub-image.c: replaced by the generated stub image (protocol/stub) */
#include "config.h"

#include "esprit-stub-image.h"

const EspritStubImage *
esprit_stub_image_for_chip (EspritChip chip)
{
  return NULL;
}

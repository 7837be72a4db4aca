/* esprit-sim-known-stubs.c: which RAM programs the virtual board can run as a stub
 *
 * The board cannot execute Xtensa or RISC-V code, so it decides what an upload is: Esprit's
 * own stub for the chip (whatever esprit_stub_image_for_chip() gives, compared segment by
 * segment), one of the public esptool stubs (identified by the SHA-256 of the text segment),
 * or a stub a test told it to trust. These run the stub core; any other program "runs" as a
 * program the board cannot show (esprit-sim-boot.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>

#include "esprit-sim-board-private.h"
#include "esprit-stub-image.h"

/* The public stubs as esptool ships them (esptool/targets/stub_flasher/{1,2}/<chip>.json at
 * espressif/esptool bb72741f, v5.3.1+): text_start, the text length, the entry and the
 * SHA-256 of the base64-decoded "text". Entries and addresses agree with protocol-facts
 * §12.1. v1 is the legacy stub (esptool-legacy-flasher-stub), v2 esp-flasher-stub. Real ROMs
 * jump to any entry, so the entry is recorded, not checked. */
static const SimKnownStub known_stubs[] = {
  { ESPRIT_CHIP_ESP8266, "esptool stub v1 (legacy)", 0x4010D000, 0x2054, 0x4010D004,
    "4dd755cefff7947b6a93f3acabcf7bda1b06630d5ad324022a7cfe4f07114ea8" },
  { ESPRIT_CHIP_ESP8266, "esptool stub v2 (esp-flasher-stub)", 0x4010C500, 0x2CC0, 0x4010C504,
    "37c16091ff165ffe760353a8e92d07f55927e34d01fb5fc04c18b5525c13f8f6" },
  { ESPRIT_CHIP_ESP32, "esptool stub v1 (legacy)", 0x400BE000, 0x0DD4, 0x400BE658,
    "b2dff40d626d2e83234ba17f79ab968cf5505cf989d15f9954ed477777eeddad" },
  { ESPRIT_CHIP_ESP32, "esptool stub v2 (esp-flasher-stub)", 0x400A8000, 0x1938, 0x400A902C,
    "fc5fb606754d152b9b9e4f20c72fdad83d1d99b1b139744bc53cc160b1edd570" },
  { ESPRIT_CHIP_ESP32S2, "esptool stub v1 (legacy)", 0x40028000, 0x117C, 0x400288AC,
    "e9ceeffe0ef179759c797aaffbc2eb63fc6926adea980ad1d295b8652b2278f3" },
  { ESPRIT_CHIP_ESP32S2, "esptool stub v2 (esp-flasher-stub)", 0x40028000, 0x19C8, 0x400290A4,
    "2f9d78912aabf158d013c6162becdd85967dd4794032012f3600228cddec5ef9" },
  { ESPRIT_CHIP_ESP32S3, "esptool stub v1 (legacy)", 0x40378000, 0x162C, 0x40378C94,
    "4f2db4cfaa9938d03537519d95081372f8b833dfcf2ae8fb47fc90425cb853d3" },
  { ESPRIT_CHIP_ESP32S3, "esptool stub v2 (esp-flasher-stub)", 0x40378000, 0x1E98, 0x40379524,
    "c37a7d12d52633fd629fbed13f3a7418216af368d8e80f17853ce6de29741374" },
  { ESPRIT_CHIP_ESP32C3, "esptool stub v1 (legacy)", 0x40380000, 0x0EE4, 0x403806D2,
    "857660860ee353699c11c6dfc82d3bfd0bcfa7890c8c9b5fc84f1a551f1f5003" },
  { ESPRIT_CHIP_ESP32C3, "esptool stub v2 (esp-flasher-stub)", 0x40380000, 0x16F8, 0x40380E9A,
    "c06cc1a34a02d8f8755692cf89843b388978d19a255b0d9c26b10a0f41a90ffb" },
  { ESPRIT_CHIP_ESP32C6, "esptool stub v1 (legacy)", 0x40800000, 0x0E90, 0x408006C2,
    "05bd47f6c34739cef5cf9680517cc73c6934cabffc9c3b1b37a68ba445bc5cd3" },
  { ESPRIT_CHIP_ESP32C6, "esptool stub v2 (esp-flasher-stub)", 0x40800000, 0x1AF4, 0x408011BC,
    "904a314959d712695b699b08873a428c2080e0ce6dc17ebf7657449ea84383d4" },
};

const SimKnownStub *
_esprit_sim_known_stubs (guint *n)
{
  *n = G_N_ELEMENTS (known_stubs);
  return known_stubs;
}

static gboolean
is_esprit_stub (EspritChip  chip,
                GHashTable *ram)
{
  const EspritStubImage *image = esprit_stub_image_for_chip (chip);

  if (image == NULL)
    return FALSE;
  for (guint i = 0; i < image->n_segments; i++)
    {
      GByteArray *seg = g_hash_table_lookup (ram, GUINT_TO_POINTER (image->segments[i].load_addr));

      if (seg == NULL || seg->len != image->segments[i].length ||
          memcmp (seg->data, image->segments[i].data, seg->len) != 0)
        return FALSE;
    }
  return TRUE;
}

static char *
digest_of (GByteArray *seg)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, seg->data, seg->len);
}

SimProgram
_esprit_sim_identify_program (EspritSim   *self,
                              GHashTable  *ram,
                              const char **name)
{
  EspritChip chip = self->config.chip;

  *name = NULL;
  if (is_esprit_stub (chip, ram))
    {
      *name = "Esprit's stub";
      return SIM_PROGRAM_ESPRIT_STUB;
    }
  for (guint i = 0; i < G_N_ELEMENTS (known_stubs); i++)
    {
      const SimKnownStub *k = &known_stubs[i];
      GByteArray *seg;
      g_autofree char *digest = NULL;

      if (k->chip != chip)
        continue;
      seg = g_hash_table_lookup (ram, GUINT_TO_POINTER (k->text_start));
      if (seg == NULL || seg->len != k->text_len)
        continue;
      digest = digest_of (seg);
      if (g_str_equal (digest, k->text_sha256))
        {
          *name = k->name;
          return SIM_PROGRAM_FOREIGN_STUB;
        }
    }
  g_mutex_lock (&self->lock);
  for (guint i = 0; self->trusted_stubs != NULL && i < self->trusted_stubs->len; i++)
    {
      const SimTrustedStub *t = &g_array_index (self->trusted_stubs, SimTrustedStub, i);
      GByteArray *seg = g_hash_table_lookup (ram, GUINT_TO_POINTER (t->text_start));
      g_autofree char *digest = seg ? digest_of (seg) : NULL;

      if (digest != NULL && g_str_equal (digest, t->text_sha256))
        {
          *name = "a trusted stub";
          break;
        }
    }
  g_mutex_unlock (&self->lock);
  return *name ? SIM_PROGRAM_FOREIGN_STUB : SIM_PROGRAM_UNKNOWN;
}

void
esprit_sim_trust_stub (EspritSim    *self,
                       guint32       text_start,
                       const guint8 *text,
                       gsize         len)
{
  SimTrustedStub t = { text_start, { 0 } };
  g_autofree char *digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, text, len);

  g_return_if_fail (ESPRIT_IS_SIM (self));
  g_strlcpy (t.text_sha256, digest, sizeof t.text_sha256);
  g_mutex_lock (&self->lock);
  if (self->trusted_stubs == NULL)
    self->trusted_stubs = g_array_new (FALSE, FALSE, sizeof (SimTrustedStub));
  g_array_append_val (self->trusted_stubs, t);
  g_mutex_unlock (&self->lock);
}

/* fuzz-numbers.c: the CLI's number parser on arbitrary strings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>

#include "esprit-numbers.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
size_t esprit_fuzz_seeds (const uint8_t ***seeds, const size_t **sizes);

size_t
esprit_fuzz_seeds (const uint8_t ***s,
                   const size_t    **z)
{
  static const uint8_t *seeds[] = { (const uint8_t *) "0x400000", (const uint8_t *) "512K",
                                    (const uint8_t *) "4MB", (const uint8_t *) "4294967295" };
  static const size_t sizes[] = { 8, 4, 3, 10 };

  *s = seeds;
  *z = sizes;
  return 4;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  guint32 v;

  if (!esprit_parse_number (text, "n", &v, &error))
    g_assert_nonnull (error);
  return 0;
}

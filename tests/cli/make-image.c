/* make-image.c: writes a test firmware image: make-image CHIP SIZE FILE
 * (an Arduino-like image: a few segments of code-like data, valid header and checksum)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "esprit-test-util.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(GBytes) img = NULL;
  EspritChip chip;

  if (argc != 4 || !esprit_chip_parse (argv[1], &chip) || chip == ESPRIT_CHIP_AUTO)
    {
      fprintf (stderr, "usage: make-image CHIP SIZE FILE\n");
      return 2;
    }
  img = esprit_test_make_image (chip, strtoul (argv[2], NULL, 0), 4,
                                chip != ESPRIT_CHIP_ESP8266, 42);
  return g_file_set_contents (argv[3], g_bytes_get_data (img, NULL), g_bytes_get_size (img), NULL)
         ? 0 : 1;
}

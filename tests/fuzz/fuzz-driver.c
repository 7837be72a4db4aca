/* fuzz-driver.c: runs a libFuzzer target without libFuzzer, so every test run exercises it
 * (under ASan/UBSan in CI): seeds from the target, then deterministic mutations of them and
 * random inputs. Built with clang and -Dfuzzing=true, the same targets link with libFuzzer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
/* Each target gives a few valid inputs to mutate. */
size_t esprit_fuzz_seeds (const uint8_t ***seeds, const size_t **sizes);

static uint32_t state = 0x12345678;

static uint32_t
next (void)
{
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

int
main (int    argc,
      char **argv)
{
  const uint8_t **seeds;
  const size_t *sizes;
  size_t n_seeds = esprit_fuzz_seeds (&seeds, &sizes);
  unsigned rounds = argc > 1 ? (unsigned) strtoul (argv[1], NULL, 0) : 20000;
  uint8_t *buf = malloc (70000);

  for (size_t i = 0; i < n_seeds; i++)
    LLVMFuzzerTestOneInput (seeds[i], sizes[i]);
  for (unsigned r = 0; r < rounds; r++)
    {
      size_t len;

      if (n_seeds > 0 && r % 4 != 0)
        {
          /* Mutate a seed: flip, overwrite, truncate or extend. */
          size_t s = next () % n_seeds;

          len = sizes[s];
          memcpy (buf, seeds[s], len);
          for (unsigned m = 0, k = 1 + next () % 8; m < k && len > 0; m++)
            {
              switch (next () % 5)
                {
                case 0: buf[next () % len] ^= (uint8_t) (1u << (next () % 8)); break;
                case 1: buf[next () % len] = (uint8_t) next (); break;
                case 2: len = next () % (len + 1); break;
                case 3: if (len < 69000) { buf[len] = (uint8_t) next (); len++; } break;
                case 4: memset (buf + next () % len, 0xFF, 1 + next () % 4 > len ? 0 : 1 + next () % 4); break;
                default: break;
                }
            }
        }
      else
        {
          len = next () % 512;
          for (size_t i = 0; i < len; i++)
            buf[i] = (uint8_t) next ();
        }
      {
        /* An exact-size copy so ASan sees any read past the end. */
        uint8_t *exact = malloc (len ? len : 1);

        memcpy (exact, buf, len);
        LLVMFuzzerTestOneInput (exact, len);
        free (exact);
      }
    }
  free (buf);
  printf ("ok: %u inputs\n", rounds);
  return 0;
}

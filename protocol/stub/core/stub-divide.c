/* stub-divide.c: unsigned division for the lx106 builds (the core has no hardware divider and
 * GCC calls these helpers for / and %; Debian's libgcc for the lx106 expects them from the
 * ROM, whose addresses are not in our fact sheet, so they are written here).
 *
 * Not part of the host build.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>

uint32_t __udivsi3 (uint32_t n, uint32_t d);
uint32_t __umodsi3 (uint32_t n, uint32_t d);

/* Shift-and-subtract long division; d == 0 gives all ones, as a quotient cannot. */
static uint32_t
divide (uint32_t n, uint32_t d, uint32_t *rem)
{
  uint32_t q = 0, r = 0;

  if (d == 0)
    {
      *rem = n;
      return 0xFFFFFFFFu;
    }
  for (int bit = 31; bit >= 0; bit--)
    {
      r = r << 1 | ((n >> bit) & 1);
      if (r >= d)
        {
          r -= d;
          q |= 1u << bit;
        }
    }
  *rem = r;
  return q;
}

uint32_t
__udivsi3 (uint32_t n, uint32_t d)
{
  uint32_t r;

  return divide (n, d, &r);
}

uint32_t
__umodsi3 (uint32_t n, uint32_t d)
{
  uint32_t r;

  divide (n, d, &r);
  return r;
}

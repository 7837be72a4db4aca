/* line-recorder.c: a test-only LD_PRELOAD interposer that gives ptys modem lines and records
 * every DTR/RTS change with its time
 *
 * Linux ptys answer TIOCMGET/TIOCMSET with ENOTTY (TESTING.md), so a board served from a pty
 * has no DTR/RTS. Preloaded into esprit-cli serve, this emulates the modem bits in a bitmask
 * where the real call gives ENOTTY and appends "MICROSECONDS DTR RTS" to $ESPRIT_LINE_LOG on
 * each change of either line: the reset sequence as the board would see it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>


/* Called by the ioctl() of modem-emulation.h (under its lock). */
static void
modem_lines_changed (int bits)
{
  const char *path = getenv ("ESPRIT_LINE_LOG");
  struct timespec ts;
  FILE *f;

  if (path == NULL || (f = fopen (path, "a")) == NULL)
    return;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  fprintf (f, "%lld %d %d\n", (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000,
           !!(bits & TIOCM_DTR), !!(bits & TIOCM_RTS));
  fclose (f);
}

#include "modem-emulation.h"

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
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>

static int modem_bits = TIOCM_CTS | TIOCM_DSR;   /* a bridge's inputs: read back, as set */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;


static void
record (int bits)
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

int
ioctl (int           fd,
       unsigned long request,
       ...)
{
  static int (*real) (int, unsigned long, ...);
  va_list args;
  void *arg;
  int rc, before;

  if (real == NULL)
    real = (int (*) (int, unsigned long, ...)) dlsym (RTLD_NEXT, "ioctl");
  va_start (args, request);
  arg = va_arg (args, void *);
  va_end (args);
  rc = real (fd, request, arg);
  if (rc == 0 || errno != ENOTTY ||
      (request != TIOCMGET && request != TIOCMSET && request != TIOCMBIS && request != TIOCMBIC))
    return rc;
  pthread_mutex_lock (&lock);
  before = modem_bits;
  switch (request)
    {
    case TIOCMGET: *(int *) arg = modem_bits; break;
    case TIOCMSET: modem_bits = *(int *) arg; break;
    case TIOCMBIS: modem_bits |= *(int *) arg; break;
    case TIOCMBIC: modem_bits &= ~*(int *) arg; break;
    default: break;
    }
  if ((before ^ modem_bits) & (TIOCM_DTR | TIOCM_RTS))
    record (modem_bits);
  pthread_mutex_unlock (&lock);
  return 0;
}

/* modem-emulation.h: modem lines for ptys, for the test-only ioctl interposers
 * (tests/test-serial.c linked in, tests/cli/line-recorder.c preloaded)
 *
 * Linux ptys answer TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC with ENOTTY (TESTING.md); where the
 * real call does, this ioctl() applies the request to a bitmask instead. Include it once per
 * program, after defining modem_lines_changed().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/ioctl.h>

/* The including file defines, before including this, static void modem_lines_changed (int
 * bits): called (under a lock) with the bits after each change of DTR or RTS. */
static int modem_bits = TIOCM_CTS | TIOCM_DSR;   /* a bridge's inputs read back as set */
static pthread_mutex_t modem_lock = PTHREAD_MUTEX_INITIALIZER;

/* Symbols defined in the executable (or a preloaded library) win over libc's. */
int
ioctl (int           fd,
       unsigned long request,
       ...)
{
  static int (*real) (int, unsigned long, ...);
  va_list args;
  void *arg;
  int rc, before;

  va_start (args, request);
  arg = va_arg (args, void *);
  va_end (args);
  if (real == NULL)
    real = (int (*) (int, unsigned long, ...)) dlsym (RTLD_NEXT, "ioctl");
  rc = real (fd, request, arg);
  if (rc == 0 || errno != ENOTTY ||
      (request != TIOCMGET && request != TIOCMSET && request != TIOCMBIS && request != TIOCMBIC))
    return rc;
  pthread_mutex_lock (&modem_lock);
  before = modem_bits;
  switch (request)
    {
    case TIOCMGET: *(int *) arg = modem_bits; break;
    case TIOCMSET: modem_bits = *(int *) arg; break;
    case TIOCMBIS: modem_bits |= *(int *) arg; break;
    case TIOCMBIC: modem_bits &= ~*(int *) arg; break;
    default: break;
    }
  /* Bridges rewrite the bits many times while opening: changes only. */
  if ((before ^ modem_bits) & (TIOCM_DTR | TIOCM_RTS))
    modem_lines_changed (modem_bits);
  pthread_mutex_unlock (&modem_lock);
  return 0;
}

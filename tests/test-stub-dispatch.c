/* test-stub-dispatch.c: the stub core's command dispatcher on the host, over a scripted
 * machine (esprit-stub-harness.c): what it answers, and what it asks of the machine in
 * which order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-stub-harness.h"

/* The reply to @op among the frames (the first one), or NULL. */
static GBytes *
reply_to (GPtrArray *frames, guint8 op, guint nth)
{
  for (guint i = 0; i < frames->len; i++)
    {
      gsize n;
      const guint8 *f = g_bytes_get_data (frames->pdata[i], &n);

      if (n >= 10 && f[0] == 0x01 && f[1] == op && nth-- == 0)
        return frames->pdata[i];
    }
  return NULL;
}

/* §1: a stub's status is [error, status]: error first (0 on success), then a byte that is
 * normally 0. Returns the error byte of the @nth reply to @op, after @payload bytes. */
static guint8
stub_error (EspritStubHarness *h, guint8 op, guint nth, gsize payload)
{
  g_autoptr(GPtrArray) frames = esprit_stub_harness_frames (h);
  GBytes *r = reply_to (frames, op, nth);
  const guint8 *f;
  gsize n;

  g_assert_nonnull (r);
  f = g_bytes_get_data (r, &n);
  g_assert_cmpuint (n, ==, 8 + payload + 2);
  g_assert_cmpuint (esprit_read_le16 (f + 2), ==, payload + 2);
  g_assert_cmpuint (f[8 + payload + 1], ==, 0);
  return f[8 + payload];
}

static void
put32 (guint8 *p, guint32 v)
{
  esprit_write_le32 (p, v);
}

static void
test_status_error_first (void)
{
  g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
  guint8 begin[16];

  esprit_stub_harness_send (h, 0x55, NULL, 0, 0);                 /* unknown */
  put32 (begin, 0x100);
  put32 (begin + 4, 1);
  put32 (begin + 8, 0x8000);                                       /* > 16 KB */
  put32 (begin + 12, 0);
  esprit_stub_harness_send (h, 0x02, begin, 16, 0);
  esprit_stub_harness_send (h, 0x0A, begin + 12, 4, 0);           /* READ_REG: fine */
  esprit_stub_harness_run (h);

  g_assert_cmpuint (stub_error (h, 0x55, 0, 0), ==, 0xC3);
  g_assert_cmpuint (stub_error (h, 0x02, 0, 0), ==, 0xC2);
  g_assert_cmpuint (stub_error (h, 0x0A, 0, 0), ==, 0x00);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/stub-dispatch/status-error-first", test_status_error_first);
  return g_test_run ();
}

/* test-numbers.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-numbers.h"
#include "esprit-error.h"

static void
test_good (void)
{
  static const struct { const char *text; guint32 value; } cases[] = {
    { "0", 0 }, { "4096", 4096 }, { "0x1000", 0x1000 }, { "0X00ff", 0xFF }, { "512k", 512 * 1024 },
    { "512K", 512 * 1024 }, { "4M", 4 * 1024 * 1024 }, { "4MB", 4 * 1024 * 1024 },
    { "1KB", 1024 }, { "0x400000", 0x400000 }, { "0xFFFFFFFF", 0xFFFFFFFF }, { "0xb", 11 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint32 v = 1;

      g_assert_true (esprit_parse_number (cases[i].text, "n", &v, NULL));
      g_assert_cmpuint (v, ==, cases[i].value);
    }
}

static void
test_bad (void)
{
  static const char *cases[] = {
    "", "x", "0x", "-1", "+5", "12q", "4G", "0x1000k", "0x100000000", "4294967296", "5000M",
    " 12", "12 ", "1.5M", "0x-1", "KB",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      guint32 v;

      g_assert_false (esprit_parse_number (cases[i], "Address", &v, &error));
      g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "Address"));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/numbers/good", test_good);
  g_test_add_func ("/esprit/numbers/bad", test_bad);
  return g_test_run ();
}

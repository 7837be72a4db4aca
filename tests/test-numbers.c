/* test-numbers.c: the one parser of numbers, sizes and MACs, and their formatting
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
    /* What the virtual board's own parser took: lower-case units. */
    { "4mb", 4 * 1024 * 1024 }, { "512kb", 512 * 1024 }, { "4m", 4 * 1024 * 1024 },
    /* Decimal stays decimal (the old size parser read a leading 0 as octal). */
    { "010", 10 },
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

static void
test_size_and_mac (void)
{
  g_autoptr(GError) error = NULL;
  guint8 mac[6];
  guint32 v;

  g_assert_false (esprit_parse_size ("0", "Size", &v, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "Size"));
  g_clear_error (&error);
  g_assert_true (esprit_parse_size ("4MB", "Size", &v, &error));
  g_assert_cmpuint (v, ==, 4 * 1024 * 1024);

  g_assert_true (esprit_parse_mac ("5c:CF:7f:01:02:0a", mac, &error));
  g_assert_cmpmem (mac, 6, ((guint8[]) { 0x5c, 0xcf, 0x7f, 0x01, 0x02, 0x0a }), 6);
  g_assert_true (esprit_parse_mac ("5c-cf-7f-01-02-0b", mac, &error));
  g_assert_cmpuint (mac[5], ==, 0x0b);
  for (guint i = 0; i < 5; i++)
    {
      static const char *bad[] = { "5c:cf:7f:01:02", "5c:cf:7f:01:02:03:04", "5c:cf:7f:01:02:0g",
                                   "5ccf7f010203", "" };

      g_assert_false (esprit_parse_mac (bad[i], mac, &error));
      g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
}

static void
test_format (void)
{
  static const struct { guint64 bytes; const char *text; } cases[] = {
    { 4 * 1024 * 1024, "4MB" }, { 512 * 1024, "512KB" }, { 1536 * 1024, "1536KB" },
    { 1000, "1000 bytes" }, { 0, "0 bytes" }, { 16ull * 1024 * 1024 * 1024, "16384MB" },
  };
  static const guint8 mac[6] = { 0x5c, 0xcf, 0x7f, 0x01, 0x02, 0xab };
  g_autofree char *m = esprit_format_mac (mac);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = esprit_format_size (cases[i].bytes);

      g_assert_cmpstr (s, ==, cases[i].text);
    }
  g_assert_cmpstr (m, ==, "5c:cf:7f:01:02:ab");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/numbers/good", test_good);
  g_test_add_func ("/esprit/numbers/bad", test_bad);
  g_test_add_func ("/esprit/numbers/size-and-mac", test_size_and_mac);
  g_test_add_func ("/esprit/numbers/format", test_format);
  return g_test_run ();
}

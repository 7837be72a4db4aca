/* test-cli-json.c: the --json writer escapes everything a board or a file name can hold
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esprit-cli-json.h"

static char *
quoted (const char *s,
        gssize      len)
{
  GString *out = g_string_new (NULL);

  esprit_json_append_string (out, s, len);
  return g_string_free (out, FALSE);
}

static void
test_escapes (void)
{
  g_autofree char *a = quoted ("say \"hi\" \\ there", -1);
  g_autofree char *b = quoted ("line\nnext\r\t\b\f", -1);
  g_autofree char *c = quoted ("\x01\x1f\x7f", -1);
  g_autofree char *d = quoted ("a\0b", 3);

  g_assert_cmpstr (a, ==, "\"say \\\"hi\\\" \\\\ there\"");
  g_assert_cmpstr (b, ==, "\"line\\nnext\\r\\t\\b\\f\"");
  /* DEL is not a control character to JSON. */
  g_assert_cmpstr (c, ==, "\"\\u0001\\u001f\x7f\"");
  /* An embedded NUL (a board's noise) is written, not the end of the string. */
  g_assert_cmpstr (d, ==, "\"a\\u0000b\"");
}

static void
test_utf8 (void)
{
  g_autofree char *ok = quoted ("Grüße — 日本 🚀", -1);
  /* Latin-1 ü, a lone continuation byte, a truncated 3-byte sequence, an overlong '/'. */
  g_autofree char *bad = quoted ("\xfc" "x" "\x80" "\xe6\x97" "\xc0\xaf", -1);

  g_assert_cmpstr (ok, ==, "\"Grüße — 日本 🚀\"");
  g_assert_cmpstr (bad, ==, "\"\\ufffdx\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
  g_assert_true (g_utf8_validate (bad, -1, NULL));
}

static void
test_object (void)
{
  g_autoptr(GString) out = g_string_new (NULL);

  esprit_json_add_string (out, "event", "progress");
  esprit_json_add_int (out, "done", 4096);
  esprit_json_add_int (out, "total", -1);
  esprit_json_add_double (out, "seconds", 1.5);
  esprit_json_add_bool (out, "ok", TRUE);
  esprit_json_add_string (out, "mac", NULL);
  esprit_json_end (out);
  g_assert_cmpstr (out->str, ==, "{\"event\":\"progress\",\"done\":4096,\"total\":-1,"
                                 "\"seconds\":1.500,\"ok\":true,\"mac\":null}\n");
  /* The next object on the next line opens anew. */
  esprit_json_add_string (out, "event", "summary");
  esprit_json_end (out);
  g_assert_true (g_str_has_suffix (out->str, "\n{\"event\":\"summary\"}\n"));
  g_string_truncate (out, 0);
  esprit_json_end (out);
  g_assert_cmpstr (out->str, ==, "{}\n");
}

static void
test_locale_free_numbers (void)
{
  g_autoptr(GString) out = g_string_new (NULL);

  /* Whatever the locale, a decimal point; no NaN, which JSON lacks. */
  esprit_json_add_double (out, "a", 0.25);
  esprit_json_add_double (out, "b", 0.0 / 0.0);
  esprit_json_end (out);
  g_assert_cmpstr (out->str, ==, "{\"a\":0.250,\"b\":0.000}\n");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/cli-json/escapes", test_escapes);
  g_test_add_func ("/esprit/cli-json/utf8", test_utf8);
  g_test_add_func ("/esprit/cli-json/object", test_object);
  g_test_add_func ("/esprit/cli-json/locale-free-numbers", test_locale_free_numbers);
  return g_test_run ();
}

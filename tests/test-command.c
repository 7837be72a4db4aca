/* test-command.c: packets, checksum, status (protocol-facts §1 traces)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"

static void
test_checksum (void)
{
  static const guint8 data[] = { 0x01, 0x02, 0x04, 0xFF };

  g_assert_cmpuint (esprit_checksum (NULL, 0), ==, 0xEF);
  g_assert_cmpuint (esprit_checksum (data, sizeof data), ==, (0xEF ^ 0x01 ^ 0x02 ^ 0x04 ^ 0xFF));
}

static void
test_build (void)
{
  static const guint8 block[] = { 0xAA, 0xBB };
  g_autoptr(GByteArray) sync = NULL;
  g_autoptr(GByteArray) data = esprit_command_build_data (0x03, 7, block, 2);
  guint8 body[36] = { 0x07, 0x07, 0x12, 0x20 };

  memset (body + 4, 0x55, 32);
  sync = esprit_command_build (0x08, body, 36, 0);
  /* §2: 00 08 24 00 00 00 00 00 07 07 12 20 55... */
  g_assert_cmpuint (sync->len, ==, 44);
  g_assert_cmpmem (sync->data, 12, "\x00\x08\x24\x00\x00\x00\x00\x00\x07\x07\x12\x20", 12);
  g_assert_cmpuint (data->len, ==, 8 + 16 + 2);
  g_assert_cmpuint (esprit_read_le16 (data->data + 2), ==, 18);
  g_assert_cmpuint (esprit_read_le32 (data->data + 4), ==, 0xEF ^ 0xAA ^ 0xBB);
  g_assert_cmpuint (esprit_read_le32 (data->data + 8), ==, 2);
  g_assert_cmpuint (esprit_read_le32 (data->data + 12), ==, 7);
}

static void
test_traces (void)
{
  static const guint8 read_reg[] = { 0x01, 0x0A, 0x02, 0x00, 0x01, 0xC1, 0xF0, 0xFF, 0x00, 0x00 };
  static const guint8 bad_sum[] = { 0x01, 0x03, 0x02, 0x00, 0x07, 0x07, 0x12, 0x20, 0x01, 0x07 };
  static const guint8 rom32[] = { 0x01, 0x0D, 0x04, 0x00, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x00 };
  static const guint8 request[] = { 0x00, 0x08, 0x00, 0x00, 0, 0, 0, 0 };
  EspritResponse r;
  guint8 failed, code;

  g_assert_true (esprit_response_parse (read_reg, sizeof read_reg, &r));
  g_assert_cmpuint (r.op, ==, 0x0A);
  g_assert_cmpuint (r.value, ==, 0xFFF0C101);
  g_assert_true (esprit_response_status (&r, 0, &failed, &code));
  g_assert_cmpuint (failed, ==, 0);

  g_assert_true (esprit_response_parse (bad_sum, sizeof bad_sum, &r));
  g_assert_true (esprit_response_status (&r, 0, &failed, &code));
  g_assert_cmpuint (failed, ==, 1);
  g_assert_cmpuint (code, ==, 0x07);
  g_assert_cmpstr (esprit_status_describe (code), ==, "checksum error");

  g_assert_true (esprit_response_parse (rom32, sizeof rom32, &r));
  g_assert_cmpuint (r.size, ==, 4);
  g_assert_true (esprit_response_status (&r, 0, &failed, &code));
  g_assert_cmpuint (failed, ==, 0);
  /* Too short for a 2-byte payload plus status. */
  g_assert_false (esprit_response_status (&r, 3, &failed, &code));

  g_assert_false (esprit_response_parse (request, sizeof request, &r));
  g_assert_false (esprit_response_parse (read_reg, 7, &r));
}

static void
test_names (void)
{
  g_assert_cmpstr (esprit_op_name (0x02), ==, "FLASH_BEGIN");
  g_assert_cmpstr (esprit_op_name (0xD2), ==, "READ_FLASH");
  g_assert_null (esprit_op_name (0x77));
  g_assert_cmpstr (esprit_status_describe (0xC2), ==, "bad block size");
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/command/checksum", test_checksum);
  g_test_add_func ("/esprit/command/build", test_build);
  g_test_add_func ("/esprit/command/traces", test_traces);
  g_test_add_func ("/esprit/command/names", test_names);
  return g_test_run ();
}

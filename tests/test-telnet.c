/* test-telnet.c: the telnet/RFC 2217 codec shared by the rfc2217:// client and esprit-sim's
 * server (RFC 854, RFC 2217)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-telnet.h"

typedef struct {
  GPtrArray *subnegs;    /* GBytes */
  GString   *commands;   /* "verb option;" */
} Seen;

static void
on_subneg (const guint8 *sb,
           gsize         len,
           gpointer      user_data)
{
  Seen *seen = user_data;

  g_ptr_array_add (seen->subnegs, g_bytes_new (sb, len));
}

static void
on_command (guint8   verb,
            guint8   option,
            gpointer user_data)
{
  Seen *seen = user_data;

  g_string_append_printf (seen->commands, "%u %u;", verb, option);
}

/* Decodes @wire in chunks of @chunk bytes. */
static GByteArray *
decode_chunked (const GByteArray *wire,
                gsize             chunk,
                Seen             *seen)
{
  EspritTelnetDecoder dec = { 0 };
  GByteArray *data = g_byte_array_new ();

  for (gsize i = 0; i < wire->len; i += chunk)
    {
      gsize n = MIN (chunk, wire->len - i);
      guint8 out[64];
      gsize m = esprit_telnet_decode (&dec, wire->data + i, n, out, on_subneg, on_command, seen);

      g_assert_cmpuint (m, <=, n);
      g_byte_array_append (data, out, m);
    }
  return data;
}

/* Data with 0xFF bytes survives escaping, interleaved commands and subnegotiations, split
 * at every possible place. */
static void
test_roundtrip (void)
{
  static const guint8 data[] = { 0x00, 0xFF, 0xC0, 0xFF, 0xFF, 0x55, TELNET_SE, TELNET_SB, 0xFF };
  static const guint8 will_com[] = { TELNET_IAC, TELNET_WILL, TELNET_OPT_COM_PORT };

  for (gsize chunk = 1; chunk <= 40; chunk++)
    {
      g_autoptr(GByteArray) wire = g_byte_array_new ();
      g_autoptr(GByteArray) got = NULL;
      g_autoptr(GPtrArray) subnegs = g_ptr_array_new_with_free_func (
        (GDestroyNotify) g_bytes_unref);
      g_autoptr(GString) commands = g_string_new (NULL);
      Seen seen = { subnegs, commands };
      g_autoptr(GByteArray) expect = g_byte_array_new ();
      const guint8 *sb;
      gsize n;

      esprit_telnet_escape (wire, data, sizeof data);
      g_byte_array_append (wire, will_com, sizeof will_com);
      esprit_telnet_comport_encode (wire, RFC2217_SET_BAUDRATE, 0x0001C2FF);
      esprit_telnet_escape (wire, data, 3);
      got = decode_chunked (wire, chunk, &seen);

      g_byte_array_append (expect, data, sizeof data);
      g_byte_array_append (expect, data, 3);
      g_assert_cmpmem (got->data, got->len, expect->data, expect->len);
      g_assert_cmpstr (commands->str, ==, "251 44;");
      g_assert_cmpuint (subnegs->len, ==, 1);
      sb = g_bytes_get_data (subnegs->pdata[0], &n);
      /* The 0xFF in the baud rate came doubled on the wire and single here. */
      g_assert_cmpmem (sb, n, ((const guint8[]) { 44, 1, 0x00, 0x01, 0xC2, 0xFF }), 6);
    }
}

/* The exact bytes of SET-BAUDRATE 115200 (RFC 2217: 4 bytes, network order) and SET-CONTROL
 * DTR on, and what decoding them gives back. */
static void
test_comport (void)
{
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  static const guint8 expect[] = { 0xFF, 0xFA, 0x2C, 0x01, 0x00, 0x01, 0xC2, 0x00, 0xFF, 0xF0,
                                   0xFF, 0xFA, 0x2C, 0x05, 0x08, 0xFF, 0xF0 };
  EspritComPortCommand cmd;

  esprit_telnet_comport_encode (wire, RFC2217_SET_BAUDRATE, 115200);
  esprit_telnet_comport_encode (wire, RFC2217_SET_CONTROL, RFC2217_DTR_ON);
  g_assert_cmpmem (wire->data, wire->len, expect, sizeof expect);

  g_assert_true (esprit_telnet_comport_decode ((const guint8[]) { 44, 101, 0, 1, 0xC2, 0 }, 6,
                                               &cmd));
  g_assert_cmpuint (cmd.code, ==, 101);
  g_assert_cmpuint (cmd.value, ==, 115200);
  g_assert_true (esprit_telnet_comport_decode ((const guint8[]) { 44, 7, 0x30 }, 3, &cmd));
  g_assert_cmpuint (cmd.code, ==, RFC2217_NOTIFY_MODEMSTATE);
  g_assert_cmpuint (cmd.value, ==, RFC2217_MODEM_DSR | RFC2217_MODEM_CTS);
  /* A short baud rate, a command without its value, another option: refused. */
  g_assert_false (esprit_telnet_comport_decode ((const guint8[]) { 44, 1, 0, 1 }, 4, &cmd));
  g_assert_false (esprit_telnet_comport_decode ((const guint8[]) { 44, 5 }, 2, &cmd));
  g_assert_false (esprit_telnet_comport_decode ((const guint8[]) { 24, 1, 0, 0, 0, 0 }, 6, &cmd));
  g_assert_false (esprit_telnet_comport_decode ((const guint8[]) { 44 }, 1, &cmd));
}

/* RFC 854 option negotiation: a server agrees to BINARY, SGA and COM-PORT and refuses the
 * rest; a client refuses the rest and does not acknowledge acknowledgements. */
static void
test_negotiate (void)
{
  static const struct { EspritTelnetRole role; guint8 verb, option; int answer; } cases[] = {
    { ESPRIT_TELNET_SERVER, TELNET_WILL, TELNET_OPT_COM_PORT, TELNET_DO },
    { ESPRIT_TELNET_SERVER, TELNET_DO, TELNET_OPT_BINARY, TELNET_WILL },
    { ESPRIT_TELNET_SERVER, TELNET_WILL, 24, TELNET_DONT },   /* terminal type */
    { ESPRIT_TELNET_SERVER, TELNET_DO, 1, TELNET_WONT },      /* echo */
    { ESPRIT_TELNET_SERVER, TELNET_WONT, 1, -1 },
    { ESPRIT_TELNET_CLIENT, TELNET_DO, TELNET_OPT_COM_PORT, -1 },
    { ESPRIT_TELNET_CLIENT, TELNET_WILL, TELNET_OPT_SGA, -1 },
    { ESPRIT_TELNET_CLIENT, TELNET_DO, 1, TELNET_WONT },
    { ESPRIT_TELNET_CLIENT, TELNET_WILL, 1, TELNET_DONT },
    { ESPRIT_TELNET_CLIENT, TELNET_DONT, TELNET_OPT_BINARY, -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();
      gboolean answered = esprit_telnet_negotiate (cases[i].role, cases[i].verb, cases[i].option,
                                                   out);

      g_assert_cmpint (answered, ==, cases[i].answer >= 0);
      if (cases[i].answer < 0)
        g_assert_cmpuint (out->len, ==, 0);
      else
        g_assert_cmpmem (out->data, out->len,
                         ((const guint8[]) { TELNET_IAC, cases[i].answer, cases[i].option }), 3);
    }
}

/* A subnegotiation longer than the decoder keeps is cut, not overflowed, and the data after
 * it still comes through. */
static void
test_long_subneg (void)
{
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GByteArray) got = NULL;
  g_autoptr(GPtrArray) subnegs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GString) commands = g_string_new (NULL);
  Seen seen = { subnegs, commands };
  guint8 value[200];

  memset (value, 0x41, sizeof value);
  esprit_telnet_subneg (wire, 2, value, sizeof value);
  g_byte_array_append (wire, (const guint8 *) "ok", 2);
  got = decode_chunked (wire, 7, &seen);
  g_assert_cmpmem (got->data, got->len, "ok", 2);
  g_assert_cmpuint (subnegs->len, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (subnegs->pdata[0]), ==, 64);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/telnet/roundtrip", test_roundtrip);
  g_test_add_func ("/esprit/telnet/comport", test_comport);
  g_test_add_func ("/esprit/telnet/negotiate", test_negotiate);
  g_test_add_func ("/esprit/telnet/long-subneg", test_long_subneg);
  return g_test_run ();
}

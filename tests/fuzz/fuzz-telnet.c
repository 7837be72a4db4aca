/* fuzz-telnet.c: the telnet/RFC 2217 decoder on arbitrary bytes from the network, as the
 * rfc2217:// client and esprit-sim's server receive them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esprit-telnet.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
size_t esprit_fuzz_seeds (const uint8_t ***seeds, const size_t **sizes);

/* Negotiation, SET-BAUDRATE 115200, data with an escaped 0xFF, NOTIFY-MODEMSTATE. */
static const uint8_t seed1[] = { 0xFF, 0xFB, 0x2C, 0xFF, 0xFD, 0x00, 0xFF, 0xFA, 0x2C, 0x01,
                                 0x00, 0x01, 0xC2, 0x00, 0xFF, 0xF0, 0xC0, 0xFF, 0xFF, 0xC0 };
static const uint8_t seed2[] = { 0xFF, 0xFA, 0x2C, 0x6B, 0x30, 0xFF, 0xF0, 0xFF, 0xFA, 0x2C,
                                 0x05, 0x08, 0xFF, 0xF0, 0x55, 0xFF, 0xF1, 0xFF };
static const uint8_t *seeds[] = { seed1, seed2 };
static const size_t sizes[] = { sizeof seed1, sizeof seed2 };

size_t
esprit_fuzz_seeds (const uint8_t ***s,
                   const size_t    **z)
{
  *s = seeds;
  *z = sizes;
  return 2;
}

static void
on_subneg (const guint8 *sb,
           gsize         len,
           gpointer      user_data)
{
  EspritComPortCommand cmd;
  g_autoptr(GByteArray) out = g_byte_array_new ();

  if (len > sizeof ((EspritTelnetDecoder *) NULL)->sb)
    abort ();
  if (esprit_telnet_comport_decode (sb, len, &cmd))
    esprit_telnet_comport_encode (out, cmd.code + RFC2217_SERVER_OFFSET, cmd.value);
}

static void
on_command (guint8   verb,
            guint8   option,
            gpointer user_data)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  if (verb < TELNET_WILL || verb > TELNET_DONT)
    abort ();
  esprit_telnet_negotiate (ESPRIT_TELNET_SERVER, verb, option, out);
  esprit_telnet_negotiate (ESPRIT_TELNET_CLIENT, verb, option, out);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  EspritTelnetDecoder dec = { 0 };
  g_autoptr(GByteArray) again = g_byte_array_new ();
  g_autofree guint8 *out = g_malloc (size + 1);
  g_autofree guint8 *out2 = NULL;
  gsize n = 0, m;

  /* Split the input in two at a place taken from its first byte: state carries over. */
  gsize cut = size ? data[0] % (size + 1) : 0;

  n = esprit_telnet_decode (&dec, data, cut, out, on_subneg, on_command, NULL);
  n += esprit_telnet_decode (&dec, data + cut, size - cut, out + n, on_subneg, on_command, NULL);
  if (n > size)
    abort ();
  /* What came out, escaped again, decodes to itself. */
  esprit_telnet_escape (again, out, n);
  out2 = g_malloc (again->len + 1);
  memset (&dec, 0, sizeof dec);
  m = esprit_telnet_decode (&dec, again->data, again->len, out2, NULL, NULL, NULL);
  if (m != n || memcmp (out, out2, n) != 0)
    abort ();
  return 0;
}

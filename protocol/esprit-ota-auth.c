/* esprit-ota-auth.c: ArduinoOTA challenge responses, MD5 and PBKDF2-HMAC-SHA-256 (§7.1, §7.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-ota"

#include "config.h"

#include <string.h>

#include "esprit-ota-parse.h"

/* arduino-esp32 3.3.1+ derives the key with 10,000 iterations (§7.2). */
#define OTA_PBKDF2_ITERATIONS 10000

void
esprit_ota_pbkdf2_sha256 (const guint8 *password,
                          gsize         password_len,
                          const guint8 *salt,
                          gsize         salt_len,
                          guint         iterations,
                          guint8       *out,
                          gsize         out_len)
{
  g_autoptr(GHmac) base = g_hmac_new (G_CHECKSUM_SHA256, password, password_len);
  guint32 block = 1;

  g_return_if_fail (iterations > 0);
  /* RFC 8018 §5.2: T_i = U_1 ^ ... ^ U_c, U_1 = PRF(P, S || INT(i)), U_j = PRF(P, U_j-1).
   * The keyed state is built once and copied for each PRF call. */
  while (out_len > 0)
    {
      guint8 u[32], t[32], be[4];
      gsize n = 32, take = MIN (out_len, 32);
      g_autoptr(GHmac) h = g_hmac_copy (base);

      be[0] = block >> 24;
      be[1] = block >> 16;
      be[2] = block >> 8;
      be[3] = block;
      g_hmac_update (h, salt, salt_len);
      g_hmac_update (h, be, 4);
      g_hmac_get_digest (h, u, &n);
      memcpy (t, u, 32);
      for (guint j = 1; j < iterations; j++)
        {
          g_autoptr(GHmac) hj = g_hmac_copy (base);

          n = 32;
          g_hmac_update (hj, u, 32);
          g_hmac_get_digest (hj, u, &n);
          for (guint k = 0; k < 32; k++)
            t[k] ^= u[k];
        }
      memcpy (out, t, take);
      out += take;
      out_len -= take;
      block++;
    }
}

char *
esprit_ota_hash_hex (GChecksumType  type,
                     const char    *text)
{
  return g_compute_checksum_for_string (type, text, -1);   /* lowercase hex */
}

static gboolean
is_hex (const char *s,
        gsize       len)
{
  if (strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

char *
esprit_ota_auth_response (const char *nonce,
                          const char *cnonce,
                          const char *password_hash)
{
  g_return_val_if_fail (nonce != NULL && cnonce != NULL && password_hash != NULL, NULL);

  if (is_hex (nonce, 32))
    {
      /* §7.1: MD5hex("P:nonce:cnonce"), P = MD5hex(password) as the board stores it. */
      g_autofree char *challenge = g_strdup_printf ("%s:%s:%s", password_hash, nonce, cnonce);

      return esprit_ota_hash_hex (G_CHECKSUM_MD5, challenge);
    }
  if (is_hex (nonce, 64))
    {
      /* §7.2: DK = PBKDF2-HMAC-SHA256(ASCII H, "nonce:cnonce", 10000, 32);
       * response = SHA256hex(hex(DK) ":" nonce ":" cnonce). */
      g_autofree char *salt = g_strdup_printf ("%s:%s", nonce, cnonce);
      g_autofree char *challenge = NULL;
      char dk_hex[65];
      guint8 dk[32];

      esprit_ota_pbkdf2_sha256 ((const guint8 *) password_hash, strlen (password_hash),
                                (const guint8 *) salt, strlen (salt), OTA_PBKDF2_ITERATIONS,
                                dk, sizeof dk);
      for (guint i = 0; i < 32; i++)
        g_snprintf (dk_hex + 2 * i, 3, "%02x", dk[i]);
      challenge = g_strdup_printf ("%s:%s:%s", dk_hex, nonce, cnonce);
      memset (dk, 0, sizeof dk);
      memset (dk_hex, 0, sizeof dk_hex);
      return esprit_ota_hash_hex (G_CHECKSUM_SHA256, challenge);
    }
  return NULL;
}

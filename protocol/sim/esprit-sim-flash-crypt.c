/* esprit-sim-flash-crypt.c: the ESP32 flash-encryption engine's transform
 *
 * Facts (ESP32 TRM, "Flash Encryption"; espressif/esptool espsecure, the ESP32 operation of
 * encrypt_flash_data / decrypt_flash_data):
 * - AES-256, each 16-byte block on its own (no chaining). The engine is used inverted:
 *   writing encrypted data runs the AES *inverse* cipher, reading through the cache runs the
 *   forward cipher.
 * - The block's bytes are reversed before the cipher and the result reversed again.
 * - The key is tweaked per 32-byte block: key bit n (n = 0 is the most significant bit of
 *   key byte 0) is flipped when bit T(n) of the flash address is set. The 256 bits form four
 *   groups of 67, 65, 63 and 61 bits, enabled by FLASH_CRYPT_CONFIG bits 0..3; within group g
 *   the address bits run 23 down to 5 three times and then (14 - 2g) down to 5. With
 *   FLASH_CRYPT_CONFIG = 0 (a blank eFuse) no bit is tweaked: every block has the same key.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "esprit-sim-flash-crypt.h"

#include <string.h>

#include "esprit-sim-aes.h"

/* The address bit that tweaks key bit @n, and the FLASH_CRYPT_CONFIG bit that enables it. */
static int
tweak_source (int  n,
              int *group)
{
  int g = 0, start = 0, pos;

  while (n >= start + 67 - 2 * g)
    {
      start += 67 - 2 * g;
      g++;
    }
  *group = g;
  pos = n - start;
  if (pos < 3 * 19)
    return 23 - pos % 19;
  return 14 - 2 * g - (pos - 3 * 19);
}

void
esprit_sim_flash_crypt_block_key (const uint8_t key[32],
                                  uint32_t      conf,
                                  uint32_t      addr,
                                  uint8_t       out[32])
{
  memcpy (out, key, 32);
  for (int n = 0; n < 256; n++)
    {
      int group, bit = tweak_source (n, &group);

      if ((conf >> group & 1) && (addr >> bit & 1))
        out[n / 8] ^= (uint8_t) (0x80 >> (n % 8));
    }
}

static void
reverse16 (uint8_t b[16])
{
  for (int i = 0; i < 8; i++)
    {
      uint8_t t = b[i];

      b[i] = b[15 - i];
      b[15 - i] = t;
    }
}

static int
transform (const uint8_t key[32],
           uint32_t      conf,
           uint32_t      addr,
           uint8_t      *data,
           uint32_t      len,
           int           encrypt)
{
  EspritSimAes256 aes;

  if (addr % ESPRIT_SIM_FLASH_CRYPT_ALIGN || len % ESPRIT_SIM_FLASH_CRYPT_ALIGN)
    return -1;
  for (uint32_t off = 0; off < len; off += ESPRIT_SIM_FLASH_CRYPT_ALIGN)
    {
      uint8_t block_key[32];

      esprit_sim_flash_crypt_block_key (key, conf, addr + off, block_key);
      if (off == 0)
        esprit_sim_aes256_init (&aes, block_key);
      else
        esprit_sim_aes256_set_key (&aes, block_key);
      for (uint32_t half = 0; half < ESPRIT_SIM_FLASH_CRYPT_ALIGN; half += 16)
        {
          uint8_t *b = data + off + half;

          reverse16 (b);
          if (encrypt)
            esprit_sim_aes256_decrypt (&aes, b, b);
          else
            esprit_sim_aes256_encrypt (&aes, b, b);
          reverse16 (b);
        }
    }
  return 0;
}

int
esprit_sim_flash_encrypt (const uint8_t key[32],
                          uint32_t      conf,
                          uint32_t      addr,
                          uint8_t      *data,
                          uint32_t      len)
{
  return transform (key, conf, addr, data, len, 1);
}

int
esprit_sim_flash_decrypt (const uint8_t key[32],
                          uint32_t      conf,
                          uint32_t      addr,
                          uint8_t      *data,
                          uint32_t      len)
{
  return transform (key, conf, addr, data, len, 0);
}

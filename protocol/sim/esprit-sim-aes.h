/* esprit-sim-aes.h: AES-256 on single 16-byte blocks (FIPS-197), for the virtual ESP32's
 * flash-encryption engine
 *
 * GLib-free and self-contained: no tables shared between calls, no allocation.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef ESPRIT_SIM_AES_H
#define ESPRIT_SIM_AES_H

#include <stdint.h>

typedef struct {
  uint8_t round_key[15][16];   /* AES-256: 14 rounds, 15 round keys */
  uint8_t sbox[256];
  uint8_t inv_sbox[256];
} EspritSimAes256;

/* Expands @key (32 bytes, FIPS-197 byte order) into @ctx. */
void esprit_sim_aes256_init (EspritSimAes256 *ctx, const uint8_t key[32]);

/* Changes the key of a context set up by esprit_sim_aes256_init() (keeps its S-boxes). */
void esprit_sim_aes256_set_key (EspritSimAes256 *ctx, const uint8_t key[32]);

/* The cipher and the inverse cipher on one block; @out may be @in. */
void esprit_sim_aes256_encrypt (const EspritSimAes256 *ctx, const uint8_t in[16], uint8_t out[16]);
void esprit_sim_aes256_decrypt (const EspritSimAes256 *ctx, const uint8_t in[16], uint8_t out[16]);

#endif /* ESPRIT_SIM_AES_H */

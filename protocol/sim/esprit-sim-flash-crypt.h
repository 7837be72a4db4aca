/* esprit-sim-flash-crypt.h: the ESP32's flash-encryption transform (AES-256 with a key
 * tweaked per 32-byte block of flash), as the engine applies it to encrypted writes
 *
 * GLib-free. The key is given in the order of espsecure's key file (the order espefuse
 * burn_key takes; the eFuse words hold it reversed, which changes nothing for the blank,
 * all-zero key). @conf is the 4-bit eFuse FLASH_CRYPT_CONFIG.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef ESPRIT_SIM_FLASH_CRYPT_H
#define ESPRIT_SIM_FLASH_CRYPT_H

#include <stdint.h>

#define ESPRIT_SIM_FLASH_CRYPT_ALIGN 32u

/* The key the engine uses for the 32-byte block of flash holding @addr. */
void esprit_sim_flash_crypt_block_key (const uint8_t key[32],
                                       uint32_t      conf,
                                       uint32_t      addr,
                                       uint8_t       out[32]);

/* Transforms @len bytes in place as if written to (encrypt) or read from (decrypt) flash at
 * @addr. Returns 0, or -1 (nothing changed) unless @addr and @len are multiples of 32. */
int esprit_sim_flash_encrypt (const uint8_t key[32],
                              uint32_t      conf,
                              uint32_t      addr,
                              uint8_t      *data,
                              uint32_t      len);
int esprit_sim_flash_decrypt (const uint8_t key[32],
                              uint32_t      conf,
                              uint32_t      addr,
                              uint8_t      *data,
                              uint32_t      len);

#endif /* ESPRIT_SIM_FLASH_CRYPT_H */

/* esprit-stub-hal.h: what the stub core needs from the machine it runs on.
 *
 * The core (command dispatch, inflate, the packed-read compressor, READ_FLASH flow control,
 * MD5) is plain freestanding C built three times: for the ESP8266 (HAL over ROM routines and
 * the UART), for the host (the virtual board's stub mode: HAL over the simulated flash and
 * wire), and for QEMU's lx106 (HAL over semihosting, flash in a RAM array).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef ESPRIT_STUB_HAL_H
#define ESPRIT_STUB_HAL_H

#include <stdint.h>

struct esprit_stub_state;

/* What the core reports of its own computing, so that a model can charge CPU time for it. */
enum {
  ESPRIT_STUB_WORK_INFLATE,   /* bytes of output inflated */
  ESPRIT_STUB_WORK_MD5,       /* bytes hashed */
  ESPRIT_STUB_WORK_PACK,      /* bytes run through the packed-read compressor */
  ESPRIT_STUB_WORK_SCAN,      /* bytes only checked for being erased (a chunk of 0xFF) */
};

typedef struct esprit_stub_hal {
  void *ctx;
  /* The core's working memory (buffers, inflate window): the core has no static state, so
   * the machine decides where it lives (static in DRAM on the ESP8266, heap on the host). */
  struct esprit_stub_state *state;
  /* Nonzero enables Esprit's extensions (ESPRIT_VERSION 0xE0, packed read 0xE1). The virtual
   * board clears it when the uploaded program is not Esprit's stub, so that it then behaves
   * like the common stubs. */
  int extensions;

  /* Blocks until a byte arrived and returns it (0..255); -1 when the link is gone (host
   * builds only: the core then returns from esprit_stub_main). */
  int      (*rx_byte)            (void *ctx);
  /* Queues @len bytes for sending; may block while the transmit FIFO is full. */
  void     (*tx)                 (void *ctx, const uint8_t *data, uint32_t len);
  /* Waits until every queued byte has left the UART. */
  void     (*tx_flush)           (void *ctx);
  /* CHANGE_BAUDRATE: the reply has been flushed; switch the UART. */
  void     (*set_baud)           (void *ctx, uint32_t new_baud, uint32_t old_baud);

  /* Flash access; each returns 0 on success, nonzero on an SPI failure. Addresses and lengths
   * of reads and writes are multiples of 4. */
  int      (*flash_read)         (void *ctx, uint32_t addr, void *dst, uint32_t len);
  int      (*flash_write)        (void *ctx, uint32_t addr, const void *src, uint32_t len);
  int      (*flash_erase_sector) (void *ctx, uint32_t sector);   /* 4 KiB units */
  int      (*flash_erase_block)  (void *ctx, uint32_t block);    /* 64 KiB units */
  int      (*flash_erase_chip)   (void *ctx);
  /* SPI_SET_PARAMS (id, total size, block, sector, page, status mask). */
  int      (*flash_set_params)   (void *ctx, uint32_t total_size, uint32_t block_size,
                                  uint32_t sector_size, uint32_t page_size);
  int      (*flash_attach)       (void *ctx, uint32_t config);

  uint32_t (*read_reg)           (void *ctx, uint32_t addr);
  /* WRITE_REG: waits @delay_us, then writes @value under @mask, as the common stubs do. The
   * core merges the old value itself (through read_reg) and passes a mask of all ones, so a
   * HAL never reads a register that a read changes (a FIFO) when it was not asked to. */
  void     (*write_reg)          (void *ctx, uint32_t addr, uint32_t value, uint32_t mask,
                                  uint32_t delay_us);

  /* RUN_USER_CODE (0xD3; NULL where the chip has none): on hardware it does not return; on
   * the host it returns and the core returns from esprit_stub_main. */
  void     (*run_user_code)      (void *ctx);
  /* FLASH_END / FLASH_DEFL_END with flag 0 (reboot): the reply has been flushed. On hardware
   * a software reset; the latched strapping pins bring the ROM loader back. May be NULL (the
   * core then stays). On the host it returns and the core returns from esprit_stub_main. */
  void     (*reboot)             (void *ctx);
  /* Optional (NULL where the UART receives by interrupt): called during long computations
   * (every STUB_INFLATE_IDLE inflated bytes) so that a HAL which polls its UART can move
   * what arrived from the receive FIFO into its own buffer before the FIFO overflows. */
  void     (*poll)               (void *ctx);
  /* Optional (NULL on hardware): told what the core computed, for a timing model. */
  void     (*work)               (void *ctx, int kind, uint32_t bytes);

  /* Optional: called once, right after OHAI went out (§6 order at start): the machine's
   * setup that touches the flash (attach, default parameters) and so could hang on a dead
   * chip, which must not keep OHAI from the host. */
  void     (*start)              (void *ctx);
  /* Optional: clears the flash's write protection (the ROM's SPIUnlock), called before a
   * write or an erase only (FLASH_BEGIN, FLASH_DEFL_BEGIN, ERASE_*), never on a read-only
   * session; nonzero = failure (0xC5). */
  int      (*flash_unlock)       (void *ctx);

  /* MEM_BEGIN / MEM_DATA / MEM_END: a RAM program loaded after the stub, as the common stubs
   * allow (NULL ram_write: the core answers 0xC3). ram_check (optional) returns nonzero when
   * [addr, addr+len) is not RAM a program may take: the stub's own code, data and stack, the
   * ROM's memory, anything that is not RAM (the common stubs copy blindly and overwrite
   * themselves). ram_write copies @len bytes (a multiple of 4) with 32-bit stores (IRAM
   * takes no byte stores). ram_run (MEM_END with flag 0, the reply flushed) calls @entry;
   * it returns nonzero when the core must return from esprit_stub_main, 0 to go on serving
   * (the program returned). */
  int      (*ram_check)          (void *ctx, uint32_t addr, uint32_t len);
  void     (*ram_write)          (void *ctx, uint32_t addr, const uint8_t *src, uint32_t len);
  int      (*ram_run)            (void *ctx, uint32_t entry);

  /* Optional (NULL: Esprit's stubs, which have no encrypted writes yet): writes @len bytes
   * through the flash-encryption engine, as the common ESP32 stub does with the ROM's
   * esp_rom_spiflash_write_encrypted (which fails unless @addr and @len are multiples of
   * 32). Used for FLASH_BEGIN / FLASH_DEFL_BEGIN with the encrypt word set, and for the
   * deprecated FLASH_ENCRYPT_DATA (0xD4). Nonzero = failure (0xC4). */
  int      (*flash_write_encrypted) (void *ctx, uint32_t addr, const void *src, uint32_t len);
} esprit_stub_hal_t;

/* Sends OHAI, calls hal->start, then serves commands until the link is gone or
 * RUN_USER_CODE. */
void esprit_stub_main (const esprit_stub_hal_t *hal);

#endif /* ESPRIT_STUB_HAL_H */

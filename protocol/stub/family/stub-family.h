/* stub-family.h: what the ESP32-family HAL files share
 *
 * One HAL serves the ESP32, -S2, -S3, -C3 and -C6: it drives UART0 and the SPI1 flash
 * controller through their registers (protocol-facts §12.2, §12.4), so the Xtensa chips need no
 * windowed-ABI ROM routine. Each chip's directory supplies chip.h (register addresses and
 * field widths) and stub.ld (memory placement, §12.1); the build puts that directory on the
 * include path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef STUB_FAMILY_H
#define STUB_FAMILY_H

#include <stdint.h>

#include "chip.h"

/* A test harness may route register accesses through its own model. */
#ifndef REG
#define REG(addr) (*(volatile uint32_t *) (addr))
#endif

/* Busy-waits about @us microseconds, draining the UART meanwhile (stub-family.c). */
void     family_delay_us (uint32_t us);
/* Moves what the UART received into the stub's ring (stub-family.c); called from every wait
 * so that the 128-byte FIFO does not overflow while the flash is busy. */
void     family_rx_poll  (void);

/* The USB-Serial/JTAG FIFO (stub-usj.c; S3, C3, C6 only): whether the ROM was entered over
 * it, a received byte or -1, 1 if @c went into the FIFO (0: full), send what it holds, and
 * whether it has room (everything handed over has been taken). */
#ifdef USJ_BASE
int      usj_in_use      (void);
int      usj_getc        (void);
int      usj_putc        (uint8_t c);
void     usj_flush       (void);
int      usj_tx_idle     (void);
#endif

/* The SPI flash controller (stub-spi.c); each returns 0 on success. */
void     spi_init        (void);
int      spi_read        (uint32_t addr, void *dst, uint32_t len);
int      spi_write       (uint32_t addr, const void *src, uint32_t len);
int      spi_erase       (uint32_t cmd_bit, uint32_t addr);   /* SPI_CMD_SE / _BE / _CE */
/* Clears the flash's write protection when it is set (before a write or an erase). */
int      spi_unlock      (void);

#define SPI_CMD_WREN  (1u << 30)
#define SPI_CMD_RDSR  (1u << 27)
#define SPI_CMD_PP    (1u << 25)
#define SPI_CMD_SE    (1u << 24)
#define SPI_CMD_BE    (1u << 23)
#define SPI_CMD_CE    (1u << 22)
#define SPI_CMD_USR   (1u << 18)

#endif /* STUB_FAMILY_H */

/* chip.h: the ESP32-S2's registers for the ESP32-family HAL (protocol/stub/family)
 *
 * Addresses and field widths from protocol-facts §12.2 (UART0), §12.4 (SPI1), §12.5 (reset
 * and watchdogs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CHIP_H
#define CHIP_H

/* The ROM loader runs the CPU from the 40 MHz crystal (§12.2); delays count cycles. */
#define CHIP_CPU_MHZ         40
#define UART0_BASE           0x3F400000u
#define UART_RXCNT_MASK      0x3FFu
#define UART_TXCNT_MASK      0x3FFu
#define UART_CLKDIV_INT_MASK 0xFFFFFu

#define SPI1_BASE            0x3F402000u
#define SPI_OFF_RD_STATUS    0x2C
#define SPI_OFF_USER         0x18
#define SPI_OFF_USER1        0x1C
#define SPI_OFF_USER2        0x20
#define SPI_OFF_MOSI_DLEN    0x24
#define SPI_OFF_MISO_DLEN    0x28
#define SPI_OFF_W0           0x58
/* §12.4 controller-idle check: FSM (+0x54) ST [2:0] of SPI1 and of SPI0 at 0x3F403000; both read 0 when
 * neither the cache (SPI0) nor SPI1 is in a transaction. */
#define SPI_IDLE_REG_A       (SPI1_BASE + 0x54)
#define SPI_IDLE_MASK_A      0x7u
#define SPI_IDLE_REG_B       (0x3F403000u + 0x54)
#define SPI_IDLE_MASK_B      0x7u
#define SPI_USR_ADDR_SHIFT   0

#define CHIP_RESET_REG       0x3F408000u
#define CHIP_RESET_BIT       (1u << 31)

#define RWDT_CONFIG0         0x3F408094u
/* RUN_USER_CODE: esptool's watchdog reset, which its ESP32-S2 class uses over USB-OTG with
 * these addresses (§12.5, esptool esp32s2.py watchdog_reset): CONFIG1 the timeout. */
#define RWDT_CONFIG1         0x3F408098u
#define RWDT_WPROTECT        0x3F4080ACu
#define RWDT_INT_CLR         0x3F40804Cu
#define RWDT_INT_BIT         (1u << 3)
#define SWD_CONF             0x3F4080B0u
#define SWD_AUTO_FEED        (1u << 31)
#define SWD_WPROTECT         0x3F4080B4u
#define SWD_KEY              0x8F1D312Au

#endif /* CHIP_H */

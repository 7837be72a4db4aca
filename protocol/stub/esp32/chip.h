/* chip.h: the ESP32's registers for the ESP32-family HAL (protocol/stub/family)
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
#define UART0_BASE           0x3FF40000u
#define UART_RXCNT_MASK      0xFFu
#define UART_TXCNT_MASK      0xFFu
#define UART_CLKDIV_INT_MASK 0xFFFFFu
/* §12.2: the ESP32's FIFO is read and written at its DPort address. */
#define SPI1_BASE            0x3FF42000u
#define SPI_OFF_CLOCK        0x18
#define SPI_OFF_RD_STATUS    0x10
#define SPI_OFF_USER         0x1C
#define SPI_OFF_USER1        0x20
#define SPI_OFF_USER2        0x24
#define SPI_OFF_MOSI_DLEN    0x28
#define SPI_OFF_MISO_DLEN    0x2C
#define SPI_OFF_W0           0x80
/* §12.4 controller-idle check: EXT2 (+0xF8) ST [2:0] of SPI1 and of SPI0 at 0x3FF43000; both read 0 when
 * neither the cache (SPI0) nor SPI1 is in a transaction. */
#define SPI_IDLE_REG_A       (SPI1_BASE + 0xF8)
#define SPI_IDLE_MASK_A      0x7u
#define SPI_IDLE_REG_B       (0x3FF43000u + 0xF8)
#define SPI_IDLE_MASK_B      0x7u
#define SPI_USR_ADDR_SHIFT   8

#define CHIP_RESET_REG       0x3FF48000u
#define CHIP_RESET_BIT       (1u << 31)

#define RWDT_CONFIG0         0x3FF4808Cu
/* RUN_USER_CODE: the RTC watchdog's stage 0 resets the whole chip, RTC included (ESP32's
 * WDTCONFIG0: EN b31, STG0 [30:28] with 4 = RESET_RTC, CPU_RESET_LENGTH [16:14],
 * SYS_RESET_LENGTH [13:11], each 1 here; esp-idf soc/esp32 rtc_cntl_reg.h), an "RTC
 * watchdog reset" at whose end the strapping pins are latched again (ESP32 datasheet,
 * strapping pins: power-on, RTC watchdog and brownout resets). CONFIG1 the timeout. */
#define RWDT_CONFIG1         0x3FF48090u
#define RWDT_RESET_CONFIG0   ((1u << 31) | (4u << 28) | (1u << 14) | (1u << 11))
#define RWDT_WPROTECT        0x3FF480A4u
#define RWDT_INT_CLR         0x3FF48048u
#define RWDT_INT_BIT         (1u << 3)

#endif /* CHIP_H */

/* stub-usj.c: the USB-Serial/JTAG controller's FIFO (ESP32-S3, -C3, -C6)
 *
 * When the host entered the ROM loader over the chip's own USB-Serial/JTAG, the stub talks
 * over it too (protocol-facts §12.3): EP1 (+0x00) gives a received byte on read and takes
 * one to send on write; EP1_CONF (+0x04) says SERIAL_OUT_EP_DATA_AVAIL (b2, a byte to read)
 * and SERIAL_IN_EP_DATA_FREE (b1, room to write), and a write of WR_DONE (b0) sends what the
 * FIFO holds (a full 64-byte FIFO goes out by itself). Which link the ROM used is in its
 * UartDev.buff_uart_no. Nothing here waits: stub-family.c calls these from its polls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "stub-family.h"

#ifdef USJ_BASE

#define USJ_EP1        (USJ_BASE + 0x00)
#define USJ_EP1_CONF   (USJ_BASE + 0x04)
#define USJ_WR_DONE    (1u << 0)
#define USJ_IN_FREE    (1u << 1)
#define USJ_OUT_AVAIL  (1u << 2)

#ifdef USJ_ROM_GET_UART_DEVICE
/* §12.7: a ROM routine (RISC-V stubs may call them). */
extern volatile uint8_t *GetUartDevice (void);

static uint32_t
rom_uart_no (void)
{
  return GetUartDevice ()[24];   /* buff_uart_no, after six ints */
}
#else
static uint32_t
rom_uart_no (void)
{
  return REG (USJ_UART_NO_REG) & 0xFFu;
}
#endif

int
usj_in_use (void)
{
  return rom_uart_no () == USJ_UART_NO;
}

int
usj_getc (void)
{
  if (!(REG (USJ_EP1_CONF) & USJ_OUT_AVAIL))
    return -1;
  return (int) (REG (USJ_EP1) & 0xFFu);
}

int
usj_putc (uint8_t c)
{
  if (!(REG (USJ_EP1_CONF) & USJ_IN_FREE))
    return 0;
  REG (USJ_EP1) = c;
  return 1;
}

void
usj_flush (void)
{
  REG (USJ_EP1_CONF) = USJ_WR_DONE;
}

int
usj_tx_idle (void)
{
  return (REG (USJ_EP1_CONF) & USJ_IN_FREE) != 0;
}

#endif /* USJ_BASE */

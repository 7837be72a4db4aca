/* test-stub-usj.c: the ESP32-family HAL's USB-Serial/JTAG code (protocol/stub/family/
 * stub-usj.c) built for the host over a model of the controller's EP1 FIFO (§12.3)
 *
 * The model answers EP1_CONF with OUT_AVAIL while received bytes wait and IN_FREE while the
 * 64-byte IN FIFO has room; WR_DONE hands what the FIFO holds to the host as one packet. A
 * register access is resolved at the next one (the HAL reads EP1_CONF before every EP1
 * access): EP1 shows the next received byte with bit 31 set, so a HAL write (a byte) is told
 * from a read. Also the link choice from the ROM's buff_uart_no. Built with the S3's chip.h
 * (buff_uart_no at a fixed address) and the C3's (through the ROM's GetUartDevice).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "stub-family.h"

#define EP1      (USJ_BASE + 0x00)
#define EP1_CONF (USJ_BASE + 0x04)

static struct {
  GHashTable *regs;
  GByteArray *rx;          /* from the host, not yet read */
  GByteArray *fifo;        /* IN FIFO, not yet sent */
  GPtrArray  *packets;     /* what the host received, one GByteArray a packet */
  guint32     ep1_shown;   /* what the EP1 slot held when the HAL got it */
  gboolean    ep1_pending;
  guint8      uart_dev[32];
} m;

static volatile uint32_t *
slot (uint32_t addr)
{
  guint32 *p = g_hash_table_lookup (m.regs, GUINT_TO_POINTER (addr));

  if (p == NULL)
    {
      p = g_new0 (guint32, 1);
      g_hash_table_insert (m.regs, GUINT_TO_POINTER (addr), p);
    }
  return p;
}

volatile uint8_t *GetUartDevice (void);

volatile uint8_t *
GetUartDevice (void)
{
  return m.uart_dev;
}

static void
resolve_ep1 (void)
{
  guint32 now = *slot (EP1);

  if (!m.ep1_pending)
    return;
  m.ep1_pending = FALSE;
  if (now != m.ep1_shown)
    {
      /* a write: into the IN FIFO (the HAL checked IN_FREE first) */
      g_assert_cmpuint (m.fifo->len, <, 64);
      g_byte_array_append (m.fifo, (guint8 *) &now, 1);
    }
  else
    {
      g_assert_cmpuint (m.rx->len, >, 0);   /* a read with nothing there: the HAL's bug */
      g_byte_array_remove_index (m.rx, 0);
    }
}

volatile uint32_t *
stub_spi_test_reg (uint32_t addr)
{
  guint32 *conf = (guint32 *) slot (EP1_CONF);

  resolve_ep1 ();
  if (*conf & 1)
    {
      /* WR_DONE: the FIFO goes to the host as one packet */
      g_ptr_array_add (m.packets, g_byte_array_append (g_byte_array_new (), m.fifo->data,
                                                       m.fifo->len));
      g_byte_array_set_size (m.fifo, 0);
    }
  *conf = (m.rx->len ? 1u << 2 : 0) | (m.fifo->len < 64 ? 1u << 1 : 0);
  if (addr == EP1)
    {
      m.ep1_shown = (m.rx->len ? m.rx->data[0] : 0) | 1u << 31;
      *slot (EP1) = m.ep1_shown;
      m.ep1_pending = TRUE;
    }
  return slot (addr);
}

static void
model_reset (void)
{
  g_clear_pointer (&m.regs, g_hash_table_unref);
  g_clear_pointer (&m.rx, g_byte_array_unref);
  g_clear_pointer (&m.fifo, g_byte_array_unref);
  g_clear_pointer (&m.packets, g_ptr_array_unref);
  m.regs = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  m.rx = g_byte_array_new ();
  m.fifo = g_byte_array_new ();
  m.packets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  m.ep1_pending = FALSE;
  memset (m.uart_dev, 0, sizeof m.uart_dev);
}

static void
set_uart_no (guint8 n)
{
#ifdef USJ_ROM_GET_UART_DEVICE
  m.uart_dev[24] = n;
#else
  /* the word around the byte holds other ROM state: only the low byte counts */
  *slot (USJ_UART_NO_REG) = 0x12345600u | n;
#endif
}

/* The stub talks over USB only when the ROM was entered over it. */
static void
test_choice (void)
{
  model_reset ();
  set_uart_no (0);
  g_assert_false (usj_in_use ());
  set_uart_no (USJ_UART_NO);
  g_assert_true (usj_in_use ());
}

/* Received bytes come out in order, then -1; none is read that was not there. */
static void
test_receive (void)
{
  static const guint8 in[] = { 0xC0, 0x00, 0x08, 0x24, 0xDB, 0xDC, 0xC0 };

  model_reset ();
  g_byte_array_append (m.rx, in, sizeof in);
  for (guint i = 0; i < sizeof in; i++)
    g_assert_cmpint (usj_getc (), ==, in[i]);
  g_assert_cmpint (usj_getc (), ==, -1);
  stub_spi_test_reg (EP1_CONF);
  g_assert_cmpuint (m.rx->len, ==, 0);
}

/* Bytes go into the FIFO while it has room (64), none past it; WR_DONE sends them. */
static void
test_send (void)
{
  guint n = 0;

  model_reset ();
  while (usj_putc ((guint8) n))
    n++;
  g_assert_cmpuint (n, ==, 64);
  g_assert_false (usj_tx_idle ());
  usj_flush ();
  g_assert_true (usj_tx_idle ());
  g_assert_cmpuint (m.packets->len, ==, 1);
  for (guint i = 0; i < 64; i++)
    g_assert_cmpuint (((GByteArray *) m.packets->pdata[0])->data[i], ==, i);
  g_assert_cmpint (usj_putc (0xC0), ==, 1);
  usj_flush ();
  stub_spi_test_reg (EP1_CONF);
  g_assert_cmpuint (m.packets->len, ==, 2);
  g_assert_cmpuint (((GByteArray *) m.packets->pdata[1])->len, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/stub-usj/" STUB_SPI_CHIP "/choice", test_choice);
  g_test_add_func ("/esprit/stub-usj/" STUB_SPI_CHIP "/receive", test_receive);
  g_test_add_func ("/esprit/stub-usj/" STUB_SPI_CHIP "/send", test_send);
  return g_test_run ();
}

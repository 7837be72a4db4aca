/* test-stub-dispatch.c: the stub core's command dispatcher on the host, over a scripted
 * machine (esprit-stub-harness.c): what it answers, and what it asks of the machine in
 * which order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-slip.h"
#include "esprit-stub-harness.h"
#include "esprit-test-util.h"

/* The reply to @op among the frames (the first one), or NULL. */
static GBytes *
reply_to (GPtrArray *frames, guint8 op, guint nth)
{
  for (guint i = 0; i < frames->len; i++)
    {
      gsize n;
      const guint8 *f = g_bytes_get_data (frames->pdata[i], &n);

      if (n >= 10 && f[0] == 0x01 && f[1] == op && nth-- == 0)
        return frames->pdata[i];
    }
  return NULL;
}

/* §1: a stub's status is [error, status]: error first (0 on success), then a byte that is
 * normally 0. Returns the error byte of the @nth reply to @op, after @payload bytes. */
static guint8
stub_error (EspritStubHarness *h, guint8 op, guint nth, gsize payload)
{
  g_autoptr(GPtrArray) frames = esprit_stub_harness_frames (h);
  GBytes *r = reply_to (frames, op, nth);
  const guint8 *f;
  gsize n;

  g_assert_nonnull (r);
  f = g_bytes_get_data (r, &n);
  g_assert_cmpuint (n, ==, 8 + payload + 2);
  g_assert_cmpuint (esprit_read_le16 (f + 2), ==, payload + 2);
  g_assert_cmpuint (f[8 + payload + 1], ==, 0);
  return f[8 + payload];
}

static void
put32 (guint8 *p, guint32 v)
{
  esprit_write_le32 (p, v);
}

static void
test_status_error_first (void)
{
  g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
  guint8 begin[16];

  esprit_stub_harness_send (h, 0x55, NULL, 0, 0);                 /* unknown */
  put32 (begin, 0x100);
  put32 (begin + 4, 1);
  put32 (begin + 8, 0x8000);                                       /* > 16 KB */
  put32 (begin + 12, 0);
  esprit_stub_harness_send (h, 0x02, begin, 16, 0);
  esprit_stub_harness_send (h, 0x0A, begin + 12, 4, 0);           /* READ_REG: fine */
  esprit_stub_harness_run (h);

  g_assert_cmpuint (stub_error (h, 0x55, 0, 0), ==, 0xC3);
  g_assert_cmpuint (stub_error (h, 0x02, 0, 0), ==, 0xC2);
  g_assert_cmpuint (stub_error (h, 0x0A, 0, 0), ==, 0x00);
}

/* §6 order at start: OHAI before the machine touches the flash; a read-only session never
 * unlocks (rewrites the status register). */
static void
test_ohai_before_flash (void)
{
  g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
  guint8 md5[16] = { 0 };

  put32 (md5 + 4, 0x1000);
  esprit_stub_harness_send (h, 0x13, md5, 16, 0);
  esprit_stub_harness_run (h);
  g_assert_true (g_str_has_prefix (h->log->str, "start tx machine-start "));
  g_assert_null (strstr (h->log->str, "unlock"));
  g_assert_cmpuint (stub_error (h, 0x13, 0, 16), ==, 0);
}

/* SPIUnlock where a write or an erase needs it, 0xC5 when it fails. */
static void
test_unlock_before_writes (void)
{
  static const guint8 ops[] = { 0x02, 0x10, 0xD0, 0xD1 };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    for (int fail = 0; fail < 2; fail++)
      {
        g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
        guint8 args[16];
        gsize len = ops[i] == 0xD0 ? 0 : ops[i] == 0xD1 ? 8 : 16;

        put32 (args, 0x1000);
        put32 (args + 4, ops[i] == 0xD1 ? 0x1000 : 1);
        put32 (args + 8, 0x4000);
        put32 (args + 12, 0x2000);
        h->fail_unlock = fail;
        esprit_stub_harness_send (h, ops[i], args, len, 0);
        esprit_stub_harness_run (h);
        g_assert_nonnull (strstr (h->log->str, "unlock "));
        g_assert_cmpuint (stub_error (h, ops[i], 0, 0), ==, fail ? 0xC5 : 0);
        if (fail)
          g_assert_null (strstr (h->log->str, "erase"));
      }
}

/* WRITE_REG as the common stubs: a full mask writes without reading; a partial one merges
 * with the old value; the delay goes with the write. */
static void
test_write_reg_mask (void)
{
  g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
  guint8 w[32];

  put32 (w, 0x60000000);
  put32 (w + 4, 0x12345678);
  put32 (w + 8, 0xFFFFFFFF);
  put32 (w + 12, 0);
  put32 (w + 16, 0x60000000);
  put32 (w + 20, 0xAB);
  put32 (w + 24, 0xFF);
  put32 (w + 28, 50);
  esprit_stub_harness_send (h, 0x09, w, 16, 0);
  esprit_stub_harness_send (h, 0x09, w, 32, 0);
  esprit_stub_harness_run (h);
  g_assert_cmpuint (stub_error (h, 0x09, 0, 0), ==, 0);
  g_assert_cmpuint (stub_error (h, 0x09, 1, 0), ==, 0);
  /* one read only: the masked write of the second command */
  g_assert_cmpuint (h->reg_reads, ==, 1);
  g_assert_nonnull (strstr (h->log->str, "write-reg:60000000=12345678/ffffffff+0 tx "
                                         "write-reg:60000000=12345678/ffffffff+0 "
                                         "read-reg:60000000 write-reg:60000000=123456ab/ffffffff+50 "));
}

/* SPI_SET_PARAMS: the core's own 64 KiB blocks and 4 KiB sectors, or a refusal. */
static void
test_set_params_geometry (void)
{
  g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
  g_auto(GStrv) calls = NULL;
  guint8 p[24] = { 0 };

  put32 (p + 4, 0x400000);
  put32 (p + 8, 0x10000);
  put32 (p + 12, 0x1000);
  put32 (p + 16, 0x100);
  put32 (p + 20, 0xFFFF);
  esprit_stub_harness_send (h, 0x0B, p, 24, 0);
  put32 (p + 8, 0x8000);
  esprit_stub_harness_send (h, 0x0B, p, 24, 0);
  put32 (p + 8, 0x10000);
  put32 (p + 12, 0x800);
  esprit_stub_harness_send (h, 0x0B, p, 24, 0);
  esprit_stub_harness_run (h);
  g_assert_cmpuint (stub_error (h, 0x0B, 0, 0), ==, 0);
  g_assert_cmpuint (h->param_block, ==, 0x10000);
  g_assert_cmpuint (h->param_sector, ==, 0x1000);
  g_assert_cmpuint (stub_error (h, 0x0B, 1, 0), ==, 0xC2);
  g_assert_cmpuint (stub_error (h, 0x0B, 2, 0), ==, 0xC2);
  /* only the accepted one reached the machine */
  calls = g_strsplit (h->log->str, "params:", -1);
  g_assert_cmpuint (g_strv_length (calls), ==, 2);
}

static void
send_mem (EspritStubHarness *h, guint32 size, guint32 addr)
{
  guint8 b[16];

  put32 (b, size);
  put32 (b + 4, (size + 0x17FF) / 0x1800);
  put32 (b + 8, 0x1800);
  put32 (b + 12, addr);
  esprit_stub_harness_send (h, 0x05, b, 16, 0);
}

static void
send_mem_data (EspritStubHarness *h, guint32 seq, const guint8 *data, gsize len)
{
  g_autoptr(GByteArray) pkt = esprit_command_build_data (0x07, seq, data, len);

  esprit_stub_harness_send (h, 0x07, pkt->data + 8, pkt->len - 8, esprit_read_le32 (pkt->data + 4));
}

static void
send_mem_end (EspritStubHarness *h, guint32 flag, guint32 entry)
{
  guint8 e[8];

  put32 (e, flag);
  put32 (e + 4, entry);
  esprit_stub_harness_send (h, 0x06, e, 8, 0);
}

/* MEM_BEGIN/DATA/END behind the stub: a RAM program loaded in blocks (a lost reply's block
 * sent again), then started through the machine. */
static void
test_mem_load_and_run (void)
{
  g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
  g_autoptr(GBytes) prog = esprit_test_random_bytes (0x2000, 7);
  const guint8 *p = g_bytes_get_data (prog, NULL);

  send_mem (h, 0x2000, 0x40101000);
  send_mem_data (h, 0, p, 0x1800);
  send_mem_data (h, 0, p, 0x1800);                 /* resent: not written twice */
  send_mem_data (h, 1, p + 0x1800, 0x800);
  send_mem_end (h, 0, 0x40101004);
  esprit_stub_harness_run (h);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (stub_error (h, 0x07, i, 0), ==, 0);
  g_assert_cmpuint (stub_error (h, 0x05, 0, 0), ==, 0);
  g_assert_cmpuint (stub_error (h, 0x06, 0, 0), ==, 0);
  g_assert_cmpmem (h->ram + 0x1000, 0x2000, p, 0x2000);
  g_assert_cmpuint (h->ran_entry, ==, 0x40101004);
  /* the reply left before the jump */
  g_assert_nonnull (strstr (h->log->str, "tx flush run:40101004 "));
}

/* What MEM_* refuses: the stub's own memory, DATA before BEGIN, too much, END too early;
 * flag 1 loads without starting. */
static void
test_mem_refusals (void)
{
  g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
  guint8 block[0x100];

  memset (block, 0x5A, sizeof block);
  send_mem_data (h, 0, block, 0x100);               /* before BEGIN */
  send_mem (h, 0x1000, ESPRIT_HARNESS_SELF - 0x800); /* over the stub */
  send_mem (h, 0x100, 0x40100002);                  /* not word-aligned */
  send_mem (h, 0x80, 0x40100000);
  send_mem_data (h, 0, block, 0x100);               /* more than announced */
  send_mem_end (h, 0, 0x40100000);                  /* nothing arrived */
  send_mem (h, 0x100, 0x40100000);
  send_mem_data (h, 0, block, 0x100);
  send_mem_end (h, 1, 0);                           /* loaded, not started */
  esprit_stub_harness_run (h);
  g_assert_cmpuint (stub_error (h, 0x07, 0, 0), ==, 0xC6);
  g_assert_cmpuint (stub_error (h, 0x05, 0, 0), ==, 0xC0);
  g_assert_cmpuint (stub_error (h, 0x05, 1, 0), ==, 0xC0);
  g_assert_cmpuint (stub_error (h, 0x05, 2, 0), ==, 0);
  g_assert_cmpuint (stub_error (h, 0x07, 1, 0), ==, 0xC9);
  g_assert_cmpuint (stub_error (h, 0x06, 0, 0), ==, 0xC8);
  g_assert_cmpuint (stub_error (h, 0x05, 3, 0), ==, 0);
  g_assert_cmpuint (stub_error (h, 0x07, 2, 0), ==, 0);
  g_assert_cmpuint (stub_error (h, 0x06, 1, 0), ==, 0);
  g_assert_cmpuint (h->ran_entry, ==, 0);
  g_assert_cmpuint (h->ram[0xFF], ==, 0x5A);
}

/* The receive ring: a 16 KiB block made of bytes that all need escapes (32 KiB on the wire)
 * and the acknowledgement after it arrive while the core reads nothing (it is erasing); both
 * come out whole. */
static void
test_rx_ring_worst_case (void)
{
  g_autofree stub_rx_t *r = g_new (stub_rx_t, 1);
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(GByteArray) block = g_byte_array_sized_new (STUB_FRAME_MAX);
  g_autoptr(GByteArray) back = g_byte_array_new ();
  g_autoptr(EspritSlipDecoder) dec = esprit_slip_decoder_new (0x10000);
  static const guint8 ack[4] = { 0x00, 0x40, 0x00, 0x00 };
  guint frames = 0;
  int c;

  for (guint i = 0; i < STUB_FRAME_MAX; i++)
    g_byte_array_append (block, (const guint8 *) (i % 3 ? "\xc0" : "\xdb"), 1);
  esprit_slip_encode (wire, block->data, block->len);
  esprit_slip_encode (wire, ack, 4);
  g_assert_cmpuint (wire->len, >, 2 * STUB_FRAME_MAX);
  stub_rx_init (r);
  for (guint i = 0; i < wire->len; i++)
    stub_rx_push (r, wire->data[i]);
  while ((c = stub_rx_pop (r)) >= 0)
    if (esprit_slip_decoder_push (dec, (guint8) c) == ESPRIT_SLIP_FRAME)
      {
        gsize n;
        const guint8 *f = esprit_slip_decoder_frame (dec, &n);

        if (frames++ == 0)
          g_assert_cmpmem (f, n, block->data, block->len);
        else
          g_assert_cmpmem (f, n, ack, 4);
      }
  g_assert_cmpuint (frames, ==, 2);
}

/* The same through the dispatcher: 16 KiB blocks of 0xC0 and 0xDB, the next one arriving
 * while the previous one is erased and written; every block acknowledged and written. */
static void
test_escaped_blocks_during_erase (void)
{
  g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
  guint8 begin[16], end[4] = { 1, 0, 0, 0 };
  g_autofree guint8 *blk = g_malloc (STUB_BLOCK_MAX);

  put32 (begin, 4 * STUB_BLOCK_MAX);
  put32 (begin + 4, 4);
  put32 (begin + 8, STUB_BLOCK_MAX);
  put32 (begin + 12, 0x10000);
  esprit_stub_harness_send (h, 0x02, begin, 16, 0);
  for (guint seq = 0; seq < 4; seq++)
    {
      g_autoptr(GByteArray) pkt = NULL;

      memset (blk, seq % 2 ? 0xDB : 0xC0, STUB_BLOCK_MAX);
      pkt = esprit_command_build_data (0x03, seq, blk, STUB_BLOCK_MAX);
      esprit_stub_harness_send (h, 0x03, pkt->data + 8, pkt->len - 8,
                                esprit_read_le32 (pkt->data + 4));
    }
  esprit_stub_harness_send (h, 0x04, end, 4, 0);
  esprit_stub_harness_run (h);
  for (guint seq = 0; seq < 4; seq++)
    g_assert_cmpuint (stub_error (h, 0x03, seq, 0), ==, 0);
  g_assert_cmpuint (stub_error (h, 0x04, 0, 0), ==, 0);
  for (guint i = 0; i < 4 * STUB_BLOCK_MAX; i++)
    if (h->flash[0x10000 + i] != (i / STUB_BLOCK_MAX % 2 ? 0xDB : 0xC0))
      g_error ("flash byte 0x%x is 0x%02x", 0x10000 + i, h->flash[0x10000 + i]);
}

/* Found by fuzz-stub-dispatch: a write that does not start on a word (an odd FLASH_BEGIN
 * offset, or a DATA block of odd length before the next) reached the HAL unaligned, which
 * the ROM's SPIWrite cannot take. Every byte lands where it belongs, through whole words. */
static void
test_unaligned_writes (void)
{
  g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
  static const guint8 bytes[] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99 };
  guint8 begin[16], end[4] = { 1, 0, 0, 0 };
  static const guint lens[] = { 3, 1, 5 };
  guint at = 0;

  put32 (begin, sizeof bytes);
  put32 (begin + 4, 3);
  put32 (begin + 8, 0x4000);
  put32 (begin + 12, 0x1002);
  esprit_stub_harness_send (h, 0x02, begin, 16, 0);
  for (guint seq = 0; seq < G_N_ELEMENTS (lens); seq++)
    {
      g_autoptr(GByteArray) pkt = esprit_command_build_data (0x03, seq, bytes + at, lens[seq]);

      esprit_stub_harness_send (h, 0x03, pkt->data + 8, pkt->len - 8,
                                esprit_read_le32 (pkt->data + 4));
      at += lens[seq];
    }
  esprit_stub_harness_send (h, 0x04, end, 4, 0);
  esprit_stub_harness_run (h);
  for (guint seq = 0; seq < G_N_ELEMENTS (lens); seq++)
    g_assert_cmpuint (stub_error (h, 0x03, seq, 0), ==, 0);
  g_assert_cmpuint (stub_error (h, 0x04, 0, 0), ==, 0);
  g_assert_cmpmem (h->flash + 0x1002, sizeof bytes, bytes, sizeof bytes);
  g_assert_cmpuint (h->flash[0x1001], ==, 0xFF);
  g_assert_cmpuint (h->flash[0x1002 + sizeof bytes], ==, 0xFF);
}

/* Issue 10 item 9: Esprit's stub has no encrypted writes: FLASH_BEGIN / FLASH_DEFL_BEGIN
 * with the encrypt word set are refused (0xFF, not implemented) rather than written as
 * plaintext, the common ESP32 stub's FLASH_ENCRYPT_DATA (0xD4) is unknown (0xC3), and the
 * word at 0 (what Esprit's host sends) is fine. */
static void
test_encrypted_write_refused (void)
{
  g_autoptr(EspritStubHarness) h = esprit_stub_harness_new ();
  guint8 begin[20];

  put32 (begin, 0x100);
  put32 (begin + 4, 1);
  put32 (begin + 8, 0x1000);
  put32 (begin + 12, 0x1000);
  put32 (begin + 16, 1);
  esprit_stub_harness_send (h, 0x02, begin, 20, 0);
  esprit_stub_harness_send (h, 0x10, begin, 20, 0);
  esprit_stub_harness_send (h, 0xD4, begin, 16, 0);
  put32 (begin + 16, 0);
  esprit_stub_harness_send (h, 0x02, begin, 20, 0);
  esprit_stub_harness_run (h);

  g_assert_cmpuint (stub_error (h, 0x02, 0, 0), ==, 0xFF);
  g_assert_cmpuint (stub_error (h, 0x10, 0, 0), ==, 0xFF);
  g_assert_cmpuint (stub_error (h, 0xD4, 0, 0), ==, 0xC3);
  g_assert_cmpuint (stub_error (h, 0x02, 1, 0), ==, 0x00);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/stub-dispatch/status-error-first", test_status_error_first);
  g_test_add_func ("/esprit/stub-dispatch/ohai-before-flash", test_ohai_before_flash);
  g_test_add_func ("/esprit/stub-dispatch/unlock-before-writes", test_unlock_before_writes);
  g_test_add_func ("/esprit/stub-dispatch/write-reg-mask", test_write_reg_mask);
  g_test_add_func ("/esprit/stub-dispatch/set-params-geometry", test_set_params_geometry);
  g_test_add_func ("/esprit/stub-dispatch/mem-load-and-run", test_mem_load_and_run);
  g_test_add_func ("/esprit/stub-dispatch/mem-refusals", test_mem_refusals);
  g_test_add_func ("/esprit/stub-dispatch/rx-ring-worst-case", test_rx_ring_worst_case);
  g_test_add_func ("/esprit/stub-dispatch/escaped-blocks-during-erase",
                   test_escaped_blocks_during_erase);
  g_test_add_func ("/esprit/stub-dispatch/unaligned-writes", test_unaligned_writes);
  g_test_add_func ("/esprit/stub-dispatch/encrypted-write-refused", test_encrypted_write_refused);
  return g_test_run ();
}

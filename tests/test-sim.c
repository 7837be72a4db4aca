/* test-sim.c: the virtual board answers byte for byte like the ROM loaders
 * (protocol-facts §1, §2, §8)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-flash.h"
#include "esprit-test-util.h"

static void
assert_frame (GBytes       *frame,
              const guint8 *expect,
              gsize         len)
{
  gsize n;
  const guint8 *f = g_bytes_get_data (frame, &n);

  g_assert_cmpmem (f, n, expect, len);
}

static void
flash_begin (EspritSim *sim,
             guint32    erase,
             guint32    blocks,
             guint32    block_size,
             guint32    offset)
{
  guint8 b[16];
  g_autoptr(GPtrArray) r = NULL;
  static const guint8 ok[] = { 0x01, 0x02, 0x02, 0x00, 0x07, 0x07, 0x12, 0x20, 0x00, 0x00 };

  esprit_write_le32 (b, erase);
  esprit_write_le32 (b + 4, blocks);
  esprit_write_le32 (b + 8, block_size);
  esprit_write_le32 (b + 12, offset);
  r = esprit_test_exchange (sim, 0x02, b, 16, 0, 100);
  g_assert_cmpuint (r->len, ==, 1);
  assert_frame (r->pdata[0], ok, sizeof ok);
}

/* §2 SYNC: the ESP8266 ROM answers 01 08 02 00 07 07 12 20 00 00, eight times. */
static void
test_sync_replies (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 body[36] = { 0x07, 0x07, 0x12, 0x20 };
  static const guint8 expect[] = { 0x01, 0x08, 0x02, 0x00, 0x07, 0x07, 0x12, 0x20, 0x00, 0x00 };
  g_autoptr(GPtrArray) r = NULL;

  esprit_test_enter_loader (sim);
  memset (body + 4, 0x55, 32);
  r = esprit_test_exchange (sim, 0x08, body, 36, 0, 100);
  g_assert_cmpuint (r->len, ==, 8);
  for (guint i = 0; i < r->len; i++)
    assert_frame (r->pdata[i], expect, sizeof expect);
}

/* §1 real trace: READ_REG 0x40001000 → 01 0A 02 00 01 C1 F0 FF 00 00. */
static void
test_read_reg_trace (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 addr[4];
  static const guint8 expect[] = { 0x01, 0x0A, 0x02, 0x00, 0x01, 0xC1, 0xF0, 0xFF, 0x00, 0x00 };
  g_autoptr(GPtrArray) r = NULL;

  esprit_test_enter_loader (sim);
  esprit_write_le32 (addr, 0x40001000);
  r = esprit_test_exchange (sim, 0x0A, addr, 4, 0, 100);
  g_assert_cmpuint (r->len, ==, 1);
  assert_frame (r->pdata[0], expect, sizeof expect);
}

/* §1/§8.4 real trace: FLASH_DATA with a bad checksum → 01 03 02 00 07 07 12 20 01 07. */
static void
test_bad_checksum_trace (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  static const guint8 expect[] = { 0x01, 0x03, 0x02, 0x00, 0x07, 0x07, 0x12, 0x20, 0x01, 0x07 };
  guint8 block[0x400];
  guint32 checksum;
  g_autoptr(GBytes) pkt = NULL;
  g_autoptr(GPtrArray) r = NULL;

  esprit_test_enter_loader (sim);
  flash_begin (sim, 0x1000, 1, 0x400, 0);
  memset (block, 0xA5, sizeof block);
  pkt = esprit_test_data_packet (0, block, sizeof block, &checksum);
  r = esprit_test_exchange (sim, 0x03, g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt),
                            checksum ^ 0x5A, 100);
  g_assert_cmpuint (r->len, ==, 1);
  assert_frame (r->pdata[0], expect, sizeof expect);
}

/* §8.1: the ESP8266 ROM knows only 0x02-0x0A; everything else fails with 0x05. */
static void
test_unknown_opcodes (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  static const guint8 ops[] = { 0x0B, 0x0D, 0x0E, 0x0F, 0x10, 0x13, 0x14, 0xD0, 0xD2, 0xE0 };

  esprit_test_enter_loader (sim);
  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_autoptr(GPtrArray) r = esprit_test_exchange (sim, ops[i], NULL, 0, 0, 60);
      const guint8 *f;
      gsize n;

      g_assert_cmpuint (r->len, ==, 1);
      f = g_bytes_get_data (r->pdata[0], &n);
      g_assert_cmpuint (n, ==, 10);
      g_assert_cmpuint (f[1], ==, ops[i]);
      g_assert_cmpuint (f[2], ==, 2);   /* 2-byte status */
      g_assert_cmpuint (f[8], ==, 1);
      g_assert_cmpuint (f[9], ==, 0x05);
    }
}

/* §8.3: FLASH_BEGIN takes exactly 16 bytes on the ESP8266 ROM. */
static void
test_flash_begin_length (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 b[20] = { 0 };
  g_autoptr(GPtrArray) r = NULL;
  const guint8 *f;

  esprit_test_enter_loader (sim);
  r = esprit_test_exchange (sim, 0x02, b, 20, 0, 100);
  g_assert_cmpuint (r->len, ==, 1);
  f = g_bytes_get_data (r->pdata[0], NULL);
  g_assert_cmpuint (f[8], ==, 1);
}

/* NOR semantics: writing over unerased data clears bits only; the ROM reads back and answers
 * 0x08 (§8.4). A repeated sequence number is refused with 0x05. */
static void
test_nor_and_sequence (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  static const guint8 ok[] = { 0x01, 0x03, 0x02, 0x00, 0x07, 0x07, 0x12, 0x20, 0x00, 0x00 };
  guint8 zeros[0x1000] = { 0 }, block[0x400];
  g_autoptr(GBytes) pkt = NULL;
  g_autoptr(GBytes) flash = NULL;
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GPtrArray) r2 = NULL;
  guint32 checksum;
  const guint8 *f;

  /* Flash holds 0x0F at 0x8000: not erased for the write below (which erases 0x0000...). */
  memset (zeros, 0x0F, sizeof zeros);
  esprit_sim_load_flash (sim, 0x8000, zeros, sizeof zeros);
  esprit_test_enter_loader (sim);
  /* Erase size 0 at 0x8000: nothing is erased, then write 0xF0 there. */
  flash_begin (sim, 0, 1, 0x400, 0x8000);
  memset (block, 0xF0, sizeof block);
  pkt = esprit_test_data_packet (0, block, sizeof block, &checksum);
  r = esprit_test_exchange (sim, 0x03, g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt),
                            checksum, 100);
  g_assert_cmpuint (r->len, ==, 1);
  f = g_bytes_get_data (r->pdata[0], NULL);
  g_assert_cmpuint (f[8], ==, 1);
  g_assert_cmpuint (f[9], ==, 0x08);
  flash = esprit_sim_dup_flash (sim);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (flash, NULL))[0x8000], ==, 0x00);

  /* A proper erase, a good block, then the same block again. */
  flash_begin (sim, 0x1000, 2, 0x400, 0x10000);
  r2 = esprit_test_exchange (sim, 0x03, g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt),
                             checksum, 100);
  g_assert_cmpuint (r2->len, ==, 1);
  assert_frame (r2->pdata[0], ok, sizeof ok);
  g_ptr_array_unref (r2);
  r2 = esprit_test_exchange (sim, 0x03, g_bytes_get_data (pkt, NULL), g_bytes_get_size (pkt),
                             checksum, 100);
  f = g_bytes_get_data (r2->pdata[0], NULL);
  g_assert_cmpuint (f[8], ==, 1);
  g_assert_cmpuint (f[9], ==, 0x05);
}

static guint32
erased_span (EspritSim *sim,
             guint32    from)
{
  g_autoptr(GBytes) flash = esprit_sim_dup_flash (sim);
  const guint8 *f = g_bytes_get_data (flash, NULL);
  guint32 end = from;

  while (f[end] == 0xFF)
    end++;
  return end - from;
}

/* §2 erase-size bug: a naive size at 0x3000 erases 13 head sectors too many; the workaround
 * size erases what was meant (an even count here). */
static void
test_erase_size_bug (void)
{
  g_autoptr(GBytes) fill = esprit_test_random_bytes (0x40000, 3);
  guint8 *zeros = g_malloc0 (0x40000);

  for (int workaround = 0; workaround < 2; workaround++)
    {
      g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
      guint32 size = 0x8000;   /* 8 sectors from 0x3000: 13 sectors to the block end */

      esprit_sim_load_flash (sim, 0, zeros, 0x40000);
      esprit_test_enter_loader (sim);
      flash_begin (sim, workaround ? esprit_flash_esp8266_erase_size (0x3000, size) : size, 0,
                   0x400, 0x3000);
      if (workaround)
        g_assert_cmpuint (erased_span (sim, 0x3000), ==, size);
      else
        g_assert_cmpuint (erased_span (sim, 0x3000), ==, size + 8 * 0x1000);
    }
  g_free (zeros);
}

/* §2: the host's workaround size, sent to the sim's model of the ROM (written from the ROM's
 * side, not with the host's function), erases the sectors meant: all of them, and at most one
 * more (an odd count before the first block boundary), never before the offset. */
static void
test_erase_size_host_formula (void)
{
  static const guint32 offsets[] = { 0, 0x1000, 0x3000, 0xE000, 0xF000, 0x10000, 0x2B000 };
  static const guint32 sizes[] = { 0x1000, 0x2000, 0x3000, 0x5000, 0x8000, 0xD000, 0x10000,
                                   0x11000, 0x23000, 0x3F000 };
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 *zeros = g_malloc0 (0x80000);

  esprit_test_enter_loader (sim);
  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    for (guint j = 0; j < G_N_ELEMENTS (sizes); j++)
      {
        guint32 off = offsets[i], size = sizes[j];
        g_autoptr(GBytes) flash = NULL;
        guint32 span;
        guint8 b[16];
        g_autoptr(GPtrArray) r = NULL;

        esprit_sim_load_flash (sim, 0, zeros, 0x80000);
        esprit_write_le32 (b, esprit_flash_esp8266_erase_size (off, size));
        esprit_write_le32 (b + 4, 0);
        esprit_write_le32 (b + 8, 0x400);
        esprit_write_le32 (b + 12, off);
        r = esprit_test_exchange_n (sim, 0x02, b, 16, 0, 1, 5000);
        g_assert_cmpuint (r->len, ==, 1);
        g_assert_cmpuint (((const guint8 *) g_bytes_get_data (r->pdata[0], NULL))[8], ==, 0);
        span = erased_span (sim, off);
        g_test_message ("offset 0x%x size 0x%x: erased 0x%x", off, size, span);
        g_assert_cmpuint (span, >=, size);
        g_assert_cmpuint (span, <=, size + 0x1000);
        flash = esprit_sim_dup_flash (sim);
        if (off > 0)
          g_assert_cmpuint (((const guint8 *) g_bytes_get_data (flash, NULL))[off - 1], ==, 0);
      }
  g_free (zeros);
}

/* §8.6: after a reset into download mode the ESP8266 prints its boot log at 74880 baud. */
static void
test_boot_log_74880 (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  guint8 buf[256];
  gssize n;

  esprit_sim_set_lines (sim, FALSE, TRUE);
  g_usleep (20000);
  esprit_sim_host_flush (sim);
  esprit_sim_set_lines (sim, TRUE, FALSE);
  g_usleep (30000);
  esprit_sim_set_lines (sim, FALSE, FALSE);
  while ((n = esprit_sim_host_read (sim, buf, sizeof buf, 74880, 50, NULL, NULL)) > 0)
    g_string_append_len (text, (const char *) buf, n);
  g_assert_nonnull (strstr (text->str, "ets Jan  8 2013,rst cause:2, boot mode:(1,7)"));
  g_assert_cmpuint (esprit_sim_get_boot_mode (sim), ==, 1);

  /* The same bytes read at 115200 are garbage. */
  g_string_truncate (text, 0);
  esprit_sim_set_lines (sim, FALSE, TRUE);
  g_usleep (20000);
  esprit_sim_host_flush (sim);
  esprit_sim_set_lines (sim, TRUE, FALSE);
  g_usleep (30000);
  esprit_sim_set_lines (sim, FALSE, FALSE);
  while ((n = esprit_sim_host_read (sim, buf, sizeof buf, 115200, 50, NULL, NULL)) > 0)
    g_string_append_len (text, (const char *) buf, n);
  g_assert_cmpuint (text->len, >, 20);
  g_assert_null (strstr (text->str, "ets Jan"));
}

/* §3: both lines asserted do nothing (two-transistor circuit); RTS alone resets and the
 * program boots (GPIO0 high). */
static void
test_reset_circuit (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint resets;

  g_usleep (20000);
  resets = esprit_sim_get_reset_count (sim);
  esprit_sim_set_lines (sim, TRUE, TRUE);
  g_usleep (20000);
  esprit_sim_set_lines (sim, FALSE, FALSE);
  g_usleep (20000);
  g_assert_cmpuint (esprit_sim_get_reset_count (sim), ==, resets);

  esprit_sim_set_lines (sim, FALSE, TRUE);
  g_usleep (20000);
  esprit_sim_set_lines (sim, FALSE, FALSE);
  g_assert_cmpuint (esprit_test_wait_boot (sim, resets), ==, 3);
  g_assert_cmpuint (esprit_sim_get_reset_count (sim), ==, resets + 1);
  g_assert_cmpint (esprit_test_wait_mode (sim, ESPRIT_SIM_MODE_APP), ==, ESPRIT_SIM_MODE_APP);
}

/* §8.5: FLASH_END leaves the loader: afterwards no SLIP, only application text. */
static void
test_flash_end_leaves_loader (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 flag[4] = { 1, 0, 0, 0 };
  guint8 body[36] = { 0x07, 0x07, 0x12, 0x20 };
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GPtrArray) r2 = NULL;

  esprit_test_enter_loader (sim);
  r = esprit_test_exchange (sim, 0x04, flag, 4, 0, 100);
  g_assert_cmpuint (r->len, ==, 1);
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_APP);
  memset (body + 4, 0x55, 32);
  r2 = esprit_test_exchange (sim, 0x08, body, 36, 0, 200);
  g_assert_cmpuint (r2->len, ==, 0);
}

/* §1: ESP32-family ROMs send 4 status bytes; §2: MD5 as 32 hex characters; READ_FLASH_SLOW
 * always 64 data bytes. */
static void
test_esp32_rom (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP32, NULL);
  guint8 attach[8] = { 0 }, md5req[16] = { 0 }, rd[8];
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) m = NULL;
  g_autoptr(GPtrArray) s = NULL;
  g_autoptr(GPtrArray) sec = NULL;
  /* The value is the SYNC's, which the ESP32-family ROMs keep in every later reply. */
  static const guint8 attach_ok[] = { 0x01, 0x0D, 0x04, 0x00, 0x07, 0x07, 0x12, 0x20, 0, 0, 0, 0 };
  const guint8 *f;
  gsize n;

  esprit_test_enter_loader (sim);
  a = esprit_test_exchange (sim, 0x0D, attach, 8, 0, 100);
  g_assert_cmpuint (a->len, ==, 1);
  assert_frame (a->pdata[0], attach_ok, sizeof attach_ok);

  esprit_write_le32 (md5req + 4, 0x1000);
  m = esprit_test_exchange (sim, 0x13, md5req, 16, 0, 200);
  f = g_bytes_get_data (m->pdata[0], &n);
  g_assert_cmpuint (n, ==, 8 + 32 + 4);
  /* MD5 of 4096 bytes of 0xFF */
  g_assert_cmpmem (f + 8, 32, "6ae59e64850377ee5470c854761551ea", 32);

  esprit_write_le32 (rd, 0);
  esprit_write_le32 (rd + 4, 16);
  s = esprit_test_exchange (sim, 0x0E, rd, 8, 0, 100);
  f = g_bytes_get_data (s->pdata[0], &n);
  g_assert_cmpuint (n, ==, 8 + 64 + 4);

  /* The original ESP32 ROM has no GET_SECURITY_INFO. */
  sec = esprit_test_exchange (sim, 0x14, NULL, 0, 0, 100);
  f = g_bytes_get_data (sec->pdata[0], &n);
  g_assert_cmpuint (f[8], ==, 1);
  g_assert_cmpuint (f[9], ==, 0x05);
}

/* One exchange whose single reply must be exactly @expect (hex, spaces ignored). */
static void
assert_reply (EspritSim    *sim,
              guint8        op,
              const guint8 *data,
              gsize         len,
              guint32       checksum,
              const char   *expect)
{
  g_autoptr(GPtrArray) r = esprit_test_exchange (sim, op, data, len, checksum, 200);
  g_autoptr(GString) hex = g_string_new (NULL);
  g_auto(GStrv) parts = g_strsplit (expect, " ", -1);
  g_autofree char *want = g_strjoinv ("", parts);
  gsize n;
  const guint8 *f;

  g_assert_cmpuint (r->len, ==, 1);
  f = g_bytes_get_data (r->pdata[0], &n);
  for (gsize i = 0; i < n; i++)
    g_string_append_printf (hex, "%02x", f[i]);
  g_assert_cmpstr (hex->str, ==, want);
}

/* A command's four parameter words (MEM_BEGIN, FLASH_BEGIN, a DATA header). */
static void
words4 (guint8  *p,
        guint32  a,
        guint32  b,
        guint32  c,
        guint32  d)
{
  esprit_write_le32 (p, a);
  esprit_write_le32 (p + 4, b);
  esprit_write_le32 (p + 8, c);
  esprit_write_le32 (p + 12, d);
}

/* The ESP32-family ROMs' reply state, byte for byte as the genuine ESP32 ROM answered the
 * same sequence in Espressif's QEMU fork: the value of the last READ_REG in every later
 * reply, an unknown command answered with the last known command's opcode, a refused
 * READ_FLASH_SLOW still 64 bytes long (the reply buffer as it was), the reserved status
 * bytes left from earlier replies, the error byte kept by MEM_BEGIN and cleared by
 * WRITE_REG, and a block refused for its checksum using up its sequence number. */
static void
test_family_reply_state (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP32, NULL);
  guint8 reg[4], rd[8], mem[16], attach[8] = { 0 }, wr[32] = { 0 }, begin[16];
  g_autofree guint8 *block = g_malloc (16 + 0x400);
  g_autofree char *ff64 = NULL;
  g_autoptr(GString) ff = g_string_new (NULL);
  g_autofree char *expect = NULL;
  g_autoptr(GBytes) flash = NULL;

  for (int i = 0; i < 64; i++)
    g_string_append (ff, "ff ");
  ff64 = g_string_free (g_steal_pointer (&ff), FALSE);
  esprit_test_enter_loader (sim);
  esprit_write_le32 (reg, 0x40001000);   /* the ROM's magic word (§4) */
  assert_reply (sim, 0x0A, reg, 4, 0, "01 0a 04 00 83 1d f0 00 00 00 00 00");
  assert_reply (sim, 0x99, reg, 4, 0, "01 0a 04 00 83 1d f0 00 01 05 00 00");
  assert_reply (sim, 0x0D, attach, 8, 0, "01 0d 04 00 83 1d f0 00 00 00 00 00");
  esprit_write_le32 (rd, 0);
  esprit_write_le32 (rd + 4, 64);
  expect = g_strconcat ("01 0e 44 00 83 1d f0 00 ", ff64, "00 00 00 00", NULL);
  assert_reply (sim, 0x0E, rd, 8, 0, expect);
  g_free (expect);
  esprit_write_le32 (rd + 4, 65);
  expect = g_strconcat ("01 0e 44 00 83 1d f0 00 ", ff64, "01 0a 00 00", NULL);
  assert_reply (sim, 0x0E, rd, 8, 0, expect);
  words4 (mem, 0x100, 1, 0x100, 0x3FFB0000);
  assert_reply (sim, 0x05, mem, 16, 0, "01 05 04 00 83 1d f0 00 00 0a ff ff");
  esprit_write_le32 (wr, 0x3FFB0000);
  assert_reply (sim, 0x09, wr, 32, 0, "01 09 04 00 83 1d f0 00 00 00 ff ff");

  /* FLASH_DATA: seq 0 damaged, seq 0 again refused, seq 1 lands where seq 0 would have. */
  words4 (begin, 0x1000, 2, 0x400, 0x100000);
  assert_reply (sim, 0x02, begin, 16, 0, "01 02 04 00 83 1d f0 00 00 00 ff ff");
  words4 (block, 0x400, 0, 0, 0);
  memset (block + 16, 0x22, 0x400);
  assert_reply (sim, 0x03, block, 16 + 0x400, 0x00, "01 03 04 00 83 1d f0 00 01 07 ff ff");
  assert_reply (sim, 0x03, block, 16 + 0x400, 0xEF, "01 03 04 00 83 1d f0 00 01 05 ff ff");
  esprit_write_le32 (block + 4, 1);
  assert_reply (sim, 0x03, block, 16 + 0x400, 0xEF, "01 03 04 00 83 1d f0 00 00 05 ff ff");
  flash = esprit_sim_dup_flash (sim);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (flash, NULL))[0x100000], ==, 0x22);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (flash, NULL))[0x100400], ==, 0xFF);
}

/* §2: GET_SECURITY_INFO gives 20 bytes with the chip id on S3/C3, 12 on the S2. */
static void
test_security_info (void)
{
  static const struct { EspritChip chip; gsize len; guint32 id; } cases[] = {
    { ESPRIT_CHIP_ESP32S2, 12, 0 }, { ESPRIT_CHIP_ESP32S3, 20, 9 }, { ESPRIT_CHIP_ESP32C3, 20, 5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(EspritSim) sim = esprit_test_new_board (cases[i].chip, NULL);
      g_autoptr(GPtrArray) r = NULL;
      const guint8 *f;
      gsize n;

      esprit_test_enter_loader (sim);
      r = esprit_test_exchange (sim, 0x14, NULL, 0, 0, 100);
      f = g_bytes_get_data (r->pdata[0], &n);
      g_assert_cmpuint (n, ==, 8 + cases[i].len + 4);
      if (cases[i].len == 20)
        g_assert_cmpuint (esprit_read_le32 (f + 8 + 12), ==, cases[i].id);
    }
}

/* Faults: the Nth reply frame is dropped. */
static void
test_fault_drop_frame (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  EspritSimFaults faults = ESPRIT_SIM_FAULTS_NONE;
  guint8 addr[4];
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GPtrArray) r2 = NULL;

  esprit_test_enter_loader (sim);
  faults.drop_frame = 1;
  esprit_sim_set_faults (sim, &faults);
  esprit_write_le32 (addr, 0x40001000);
  r = esprit_test_exchange (sim, 0x0A, addr, 4, 0, 100);
  g_assert_cmpuint (r->len, ==, 0);
  r2 = esprit_test_exchange (sim, 0x0A, addr, 4, 0, 100);
  g_assert_cmpuint (r2->len, ==, 1);
}

/* The stub personality: entered by MEM_END after a stub the board knows was loaded; says
 * OHAI, answers SYNC with value 0 and 2 status bytes. */
static void
test_stub_mode (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP32, NULL);
  guint8 begin[16], end[8], word[4] = { 1, 2, 3, 4 };
  guint32 checksum;
  g_autoptr(GBytes) pkt = NULL;
  g_autoptr(GPtrArray) r = NULL;
  g_autoptr(GPtrArray) r2 = NULL;
  guint8 body[36] = { 0x07, 0x07, 0x12, 0x20 };
  const guint8 *f;
  gsize n;

  /* The board runs only stubs it knows: tell it this one is. */
  esprit_sim_trust_stub (sim, 0x40090000, word, sizeof word);
  esprit_test_enter_loader (sim);
  esprit_write_le32 (begin, 4);
  esprit_write_le32 (begin + 4, 1);
  esprit_write_le32 (begin + 8, 0x1800);
  esprit_write_le32 (begin + 12, 0x40090000);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x05, begin, 16, 0, 50));
  pkt = esprit_test_data_packet (0, word, 4, &checksum);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x07, g_bytes_get_data (pkt, NULL), 20, checksum, 50));
  esprit_write_le32 (end, 0);
  esprit_write_le32 (end + 4, 0x40090000);
  r = esprit_test_exchange (sim, 0x06, end, 8, 0, 100);
  g_assert_cmpuint (r->len, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (r->pdata[1], NULL), 4, "OHAI", 4);
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_STUB);

  memset (body + 4, 0x55, 32);
  r2 = esprit_test_exchange (sim, 0x08, body, 36, 0, 100);
  g_assert_cmpuint (r2->len, ==, 8);
  f = g_bytes_get_data (r2->pdata[0], &n);
  g_assert_cmpuint (n, ==, 10);
  g_assert_cmpuint (esprit_read_le32 (f + 4), ==, 0);
}

/* The stub core's refusals, as the common stubs give them (§1 stub codes), behind a program
 * that is not Esprit's stub (so its extensions stay off). */
static guint8
stub_status (EspritSim    *sim,
             guint8        op,
             const guint8 *data,
             gsize         len,
             guint32       checksum)
{
  g_autoptr(GPtrArray) r = esprit_test_exchange (sim, op, data, len, checksum, 100);
  const guint8 *f;
  gsize n;

  g_assert_cmpuint (r->len, ==, 1);
  f = g_bytes_get_data (r->pdata[0], &n);
  g_assert_cmpuint (n, ==, 10);                    /* 2 status bytes (§1) */
  g_assert_cmpuint (f[1], ==, op);
  g_assert_cmpuint (f[9], ==, 0);                  /* §1: a stub sends [error, 0] */
  return f[8];
}

static void
test_stub_refusals (void)
{
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, NULL);
  guint8 begin[16], end[8], word[4] = { 1, 2, 3, 4 }, flag[4] = { 1, 0, 0, 0 };
  guint32 checksum;
  g_autoptr(GBytes) pkt = NULL;
  g_autoptr(GBytes) data = NULL;

  esprit_sim_trust_stub (sim, 0x4010B000, word, sizeof word);
  esprit_test_enter_loader (sim);
  esprit_write_le32 (begin, 4);
  esprit_write_le32 (begin + 4, 1);
  esprit_write_le32 (begin + 8, 0x1800);
  esprit_write_le32 (begin + 12, 0x4010B000);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x05, begin, 16, 0, 50));
  pkt = esprit_test_data_packet (0, word, 4, &checksum);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x07, g_bytes_get_data (pkt, NULL), 20, checksum, 50));
  esprit_write_le32 (end, 0);
  esprit_write_le32 (end + 4, 0x4010B000);
  g_ptr_array_unref (esprit_test_exchange (sim, 0x06, end, 8, 0, 100));
  g_assert_cmpint (esprit_sim_get_mode (sim), ==, ESPRIT_SIM_MODE_STUB);

  data = esprit_test_data_packet (0, word, 4, &checksum);
  /* DATA before BEGIN: not in flash mode. */
  g_assert_cmpuint (stub_status (sim, 0x03, g_bytes_get_data (data, NULL), 20, checksum), ==, 0xC6);
  /* Blocks above 16 KB. */
  esprit_write_le32 (begin, 100);
  esprit_write_le32 (begin + 4, 1);
  esprit_write_le32 (begin + 8, 0x8000);
  esprit_write_le32 (begin + 12, 0x1000);
  g_assert_cmpuint (stub_status (sim, 0x02, begin, 16, 0), ==, 0xC2);
  esprit_write_le32 (begin + 8, 0x4000);
  g_assert_cmpuint (stub_status (sim, 0x02, begin, 16, 0), ==, 0x00);
  /* A bad checksum, then END before the 100 bytes came. */
  g_assert_cmpuint (stub_status (sim, 0x03, g_bytes_get_data (data, NULL), 20, checksum ^ 1), ==, 0xC1);
  g_assert_cmpuint (stub_status (sim, 0x04, flag, 4, 0), ==, 0xC8);
  /* Unknown commands and Esprit's extensions (this is not Esprit's stub). */
  g_assert_cmpuint (stub_status (sim, 0x55, NULL, 0, 0), ==, 0xC3);
  g_assert_cmpuint (stub_status (sim, 0xE0, NULL, 0, 0), ==, 0xC3);
  /* ERASE_REGION must be sector-aligned. */
  esprit_write_le32 (end, 0x1000);
  esprit_write_le32 (end + 4, 0x800);
  g_assert_cmpuint (stub_status (sim, 0xD1, end, 8, 0), ==, 0xC0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/sim/sync-replies", test_sync_replies);
  g_test_add_func ("/esprit/sim/read-reg-trace", test_read_reg_trace);
  g_test_add_func ("/esprit/sim/bad-checksum-trace", test_bad_checksum_trace);
  g_test_add_func ("/esprit/sim/unknown-opcodes", test_unknown_opcodes);
  g_test_add_func ("/esprit/sim/flash-begin-length", test_flash_begin_length);
  g_test_add_func ("/esprit/sim/nor-and-sequence", test_nor_and_sequence);
  g_test_add_func ("/esprit/sim/erase-size-bug", test_erase_size_bug);
  g_test_add_func ("/esprit/sim/erase-size-host-formula", test_erase_size_host_formula);
  g_test_add_func ("/esprit/sim/boot-log-74880", test_boot_log_74880);
  g_test_add_func ("/esprit/sim/reset-circuit", test_reset_circuit);
  g_test_add_func ("/esprit/sim/flash-end-leaves-loader", test_flash_end_leaves_loader);
  g_test_add_func ("/esprit/sim/esp32-rom", test_esp32_rom);
  g_test_add_func ("/esprit/sim/security-info", test_security_info);
  g_test_add_func ("/esprit/sim/family-reply-state", test_family_reply_state);
  g_test_add_func ("/esprit/sim/fault-drop-frame", test_fault_drop_frame);
  g_test_add_func ("/esprit/sim/stub-mode", test_stub_mode);
  g_test_add_func ("/esprit/sim/stub-refusals", test_stub_refusals);
  return g_test_run ();
}

/* esprit-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-layout.h"
#include "esprit-reset.h"
#include "esprit-slip.h"
#include "esprit-test-util.h"

GBytes *
esprit_test_gzip (GBytes *in)
{
  g_autoptr(GZlibCompressor) zc = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (mem, G_CONVERTER (zc));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (out, g_bytes_get_data (in, NULL), g_bytes_get_size (in), NULL,
                             NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

GBytes *
esprit_test_random_bytes (gsize   size,
                          guint32 seed)
{
  guint8 *data = g_malloc (size);
  guint32 x = seed * 2654435761u + 1;

  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      /* Mostly compressible, like code: a few distinct values with runs. */
      data[i] = (guint8) ((x >> 24) & ((i / 64) % 3 == 0 ? 0xFF : 0x3F));
    }
  return g_bytes_new_take (data, size);
}

GBytes *
esprit_test_make_image (EspritChip chip,
                        gsize      size,
                        guint      n_segments,
                        gboolean   hash,
                        guint32    seed)
{
  const EspritChipInfo *info = esprit_chip_get_info (chip);
  GByteArray *img = g_byte_array_new ();
  g_autoptr(GBytes) payload = esprit_test_random_bytes (size, seed);
  const guint8 *p = g_bytes_get_data (payload, NULL);
  guint8 header[8] = { 0xE9, (guint8) n_segments, 0x02, 0x00 };
  guint8 checksum = 0xEF;
  gsize seg = (size / n_segments) & ~(gsize) 3;
  guint8 zero = 0;

  header[3] = (guint8) (esprit_chip_size_nibble (chip, 4 * 1024 * 1024) << 4);
  esprit_write_le32 (header + 4, chip == ESPRIT_CHIP_ESP8266 ? 0x40100004 : 0x40080404);
  g_byte_array_append (img, header, 8);
  if (info->has_extended_header)
    {
      guint8 ext[16] = { 0xEE };

      esprit_write_le16 (ext + 4, (guint16) info->security_chip_id);
      ext[15] = hash ? 1 : 0;
      g_byte_array_append (img, ext, 16);
    }
  for (guint i = 0; i < n_segments; i++)
    {
      guint8 sh[8];

      esprit_write_le32 (sh, (chip == ESPRIT_CHIP_ESP8266 ? 0x40100000 : 0x3FFB0000) + i * 0x10000);
      esprit_write_le32 (sh + 4, (guint32) seg);
      g_byte_array_append (img, sh, 8);
      g_byte_array_append (img, p + i * seg, seg);
      for (gsize j = 0; j < seg; j++)
        checksum ^= p[i * seg + j];
    }
  while (img->len % 16 != 15)
    g_byte_array_append (img, &zero, 1);
  g_byte_array_append (img, &checksum, 1);
  if (hash && info->has_extended_header)
    {
      g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize n = 32;

      g_checksum_update (sha, img->data, img->len);
      g_checksum_get_digest (sha, digest, &n);
      g_byte_array_append (img, digest, 32);
    }
  return g_byte_array_free_to_bytes (img);
}

EspritSim *
esprit_test_new_board (EspritChip        chip,
                       EspritTransport **transport)
{
  EspritSimConfig config = { 0 };
  EspritSim *sim;

  config.chip = chip;
  config.lines_wired = TRUE;
  sim = esprit_sim_new (&config, NULL);
  g_assert_nonnull (sim);
  /* Let the power-on boot finish, as a board on a desk has. */
  while (esprit_sim_get_reset_count (sim) == 0 || esprit_sim_get_mode (sim) == ESPRIT_SIM_MODE_BOOTING)
    g_usleep (1000);
  if (transport)
    *transport = esprit_sim_transport_new (sim, 115200);
  return sim;
}

GPtrArray *
esprit_test_exchange (EspritSim    *sim,
                      guint8        op,
                      const guint8 *data,
                      gsize         len,
                      guint32       checksum,
                      guint         wait_ms)
{
  return esprit_test_exchange_n (sim, op, data, len, checksum, G_MAXUINT, wait_ms);
}

GPtrArray *
esprit_test_exchange_n (EspritSim    *sim,
                        guint8        op,
                        const guint8 *data,
                        gsize         len,
                        guint32       checksum,
                        guint         n_frames,
                        guint         wait_ms)
{
  g_autoptr(GByteArray) pkt = esprit_command_build (op, data, len, checksum);
  g_autoptr(GByteArray) wire = g_byte_array_new ();
  g_autoptr(EspritSlipDecoder) dec = esprit_slip_decoder_new (0x10000);
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gint64 deadline = g_get_monotonic_time () + (gint64) wait_ms * 1000;

  esprit_slip_encode (wire, pkt->data, pkt->len);
  esprit_sim_host_write (sim, wire->data, wire->len, 115200);
  while (g_get_monotonic_time () < deadline && frames->len < n_frames)
    {
      guint8 buf[256];
      gssize n = esprit_sim_host_read (sim, buf, sizeof buf, 115200, 20, NULL, NULL);

      for (gssize i = 0; i < n; i++)
        if (esprit_slip_decoder_push (dec, buf[i]) == ESPRIT_SLIP_FRAME)
          {
            gsize flen;
            const guint8 *f = esprit_slip_decoder_frame (dec, &flen);

            g_ptr_array_add (frames, g_bytes_new (f, flen));
          }
    }
  return frames;
}

void
esprit_test_enter_loader (EspritSim *sim)
{
  static const guint8 body[36] = { 0x07, 0x07, 0x12, 0x20, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
    0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
    0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55 };
  g_autoptr(GPtrArray) frames = NULL;

  /* Classic reset (§3): EN low, then GPIO0 low while EN rises. */
  esprit_sim_set_lines (sim, FALSE, TRUE);
  g_usleep (20000);
  esprit_sim_set_lines (sim, TRUE, FALSE);
  g_usleep (30000);
  esprit_sim_set_lines (sim, FALSE, FALSE);
  g_assert_cmpint (esprit_test_wait_mode (sim, ESPRIT_SIM_MODE_ROM_LOADER), ==,
                   ESPRIT_SIM_MODE_ROM_LOADER);
  esprit_sim_host_flush (sim);
  /* A first SYNC may be eaten by the ROM's rate detection; the second is answered. */
  for (int i = 0; i < 3; i++)
    {
      g_clear_pointer (&frames, g_ptr_array_unref);
      frames = esprit_test_exchange_n (sim, 0x08, body, sizeof body, 0, 8, 500);
      if (frames->len > 0)
        break;
    }
  g_assert_cmpuint (frames->len, >=, 8);
}

void
esprit_test_register_sim (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      esprit_sim_register_scheme (esprit_port_registry_get_default (), FALSE);
      g_once_init_leave (&registered, 1);
    }
}

EspritTransport *
esprit_test_open_port (const char  *port,
                       guint        baud,
                       GError     **error)
{
  esprit_test_register_sim ();
  return esprit_port_registry_open (esprit_port_registry_get_default (), port, baud, error);
}

GBytes *
esprit_test_data_packet (guint32       seq,
                         const guint8 *block,
                         gsize         len,
                         guint32      *checksum)
{
  guint8 *p = g_malloc (16 + len);

  esprit_write_le32 (p, (guint32) len);
  esprit_write_le32 (p + 4, seq);
  memset (p + 8, 0, 8);
  memcpy (p + 16, block, len);
  *checksum = esprit_checksum (block, len);
  return g_bytes_new_take (p, 16 + len);
}

void
esprit_test_write_reg (EspritSim *sim,
                       guint32    addr,
                       guint32    value)
{
  guint8 group[16] = { 0 };

  esprit_write_le32 (group, addr);
  esprit_write_le32 (group + 4, value);
  esprit_write_le32 (group + 8, 0xFFFFFFFFu);
  g_ptr_array_unref (esprit_test_exchange_n (sim, 0x09, group, 16, 0, 1, 5000));
}

guint32
esprit_test_read_reg (EspritSim *sim,
                      guint32    addr)
{
  guint8 a[4];
  g_autoptr(GPtrArray) r = NULL;

  esprit_write_le32 (a, addr);
  r = esprit_test_exchange_n (sim, 0x0A, a, 4, 0, 1, 5000);
  g_assert_cmpuint (r->len, ==, 1);
  return esprit_read_le32 ((const guint8 *) g_bytes_get_data (r->pdata[0], NULL) + 4);
}

EspritSimMode
esprit_test_wait_mode (EspritSim     *sim,
                       EspritSimMode  mode)
{
  gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (esprit_sim_get_mode (sim) != mode && g_get_monotonic_time () < until)
    g_usleep (2000);
  return esprit_sim_get_mode (sim);
}

guint
esprit_test_wait_boot (EspritSim *sim,
                       guint      resets)
{
  gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (esprit_sim_get_reset_count (sim) <= resets && g_get_monotonic_time () < until)
    g_usleep (2000);
  return esprit_sim_get_boot_mode (sim);
}

/* Arduino-ESP32 tools/partitions/default.csv, from the §10.1 table. */
void
esprit_test_arduino_default_table (EspritPartitionTable *t)
{
  memset (t, 0, sizeof *t);
  t->table_offset = ESPRIT_PARTITION_TABLE_OFFSET;
  g_assert_true (esprit_partition_table_add (t, "nvs", 1, 0x02, 0x9000, 0x5000, 0));
  g_assert_true (esprit_partition_table_add (t, "otadata", 1, 0x00, 0xE000, 0x2000, 0));
  g_assert_true (esprit_partition_table_add (t, "app0", 0, 0x10, 0x10000, 0x140000, 0));
  g_assert_true (esprit_partition_table_add (t, "app1", 0, 0x11, 0x150000, 0x140000, 0));
  g_assert_true (esprit_partition_table_add (t, "spiffs", 1, 0x82, 0x290000, 0x160000, 0));
  g_assert_true (esprit_partition_table_add (t, "coredump", 1, 0x03, 0x3F0000, 0x10000, 0));
}

guint8 *
esprit_test_arduino_default_binary (void)
{
  EspritPartitionTable t;
  g_autoptr(GBytes) bin = NULL;

  esprit_test_arduino_default_table (&t);
  bin = esprit_partition_table_to_binary (&t, TRUE, NULL);
  g_assert_nonnull (bin);
  return g_memdup2 (g_bytes_get_data (bin, NULL), 0xC00);
}

void
esprit_test_read_telnet (GSocket            *sock,
                         guint               ms,
                         EspritTelnetSubneg  subneg,
                         gpointer            user_data)
{
  EspritTelnetDecoder dec = { 0 };
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      guint8 raw[512], data[512];
      gssize n;

      if (!g_socket_condition_timed_wait (sock, G_IO_IN, 20000, NULL, NULL))
        continue;
      n = g_socket_receive (sock, (gchar *) raw, sizeof raw, NULL, NULL);
      if (n <= 0)
        break;
      esprit_telnet_decode (&dec, raw, (gsize) n, data, subneg, NULL, user_data);
    }
}

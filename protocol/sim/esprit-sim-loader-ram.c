/* esprit-sim-loader-ram.c: the ROM loaders' RAM upload: MEM_BEGIN, MEM_DATA, MEM_END, and what
 * the board does with the program it was given
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>

#include "esprit-command.h"
#include "esprit-sim-loader-private.h"
#include "esprit-stub-image.h"

void
_esprit_sim_loader_mem_begin (Loader       *l,
                              const guint8 *data,
                              gsize         len)
{
  guint8 op = ESPRIT_OP_MEM_BEGIN;
  guint32 addr;

  if (len != 16)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  addr = esprit_read_le32 (data + 12);
  /* §8.7: IRAM takes 32-bit accesses only. */
  if (addr >= 0x40000000 && addr % 4 != 0)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_RAM_ADDR);
      return;
    }
  l->mem_size = esprit_read_le32 (data);
  l->mem_block = esprit_read_le32 (data + 8);
  l->mem_addr = addr;
  l->mem_next_seq = 0;
  l->mem_segment = g_byte_array_new ();
  g_hash_table_replace (l->ram, GUINT_TO_POINTER (addr), l->mem_segment);
  _esprit_sim_loader_ok (l, op);
}

void
_esprit_sim_loader_mem_data (Loader       *l,
                             const guint8 *data,
                             gsize         len,
                             guint32       checksum)
{
  const guint8 *block;
  guint32 block_len;

  if (!_esprit_sim_loader_check_data_packet (l, data, len, checksum, ESPRIT_OP_MEM_DATA, &block,
                                             &block_len))
    return;
  if (l->mem_segment == NULL || esprit_read_le32 (data + 4) != l->mem_next_seq ||
      l->mem_segment->len + block_len > l->mem_size)
    {
      _esprit_sim_loader_fail (l, ESPRIT_OP_MEM_DATA, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  l->mem_next_seq++;
  g_byte_array_append (l->mem_segment, block, block_len);
  _esprit_sim_loader_ok (l, ESPRIT_OP_MEM_DATA);
}

/* Whether the program in RAM is Esprit's own stub for this chip (its extensions on). */
static gboolean
uploaded_is_esprit_stub (Loader *l)
{
  EspritChip chip = ESPRIT_CHIP_ESP8266;
  const EspritStubImage *image;

  for (int i = 0; i < ESPRIT_N_CHIPS; i++)
    if (esprit_chip_get_info (i) == l->info)
      chip = i;
  image = esprit_stub_image_for_chip (chip);
  if (image == NULL)
    return FALSE;
  for (guint i = 0; i < image->n_segments; i++)
    {
      GByteArray *seg = g_hash_table_lookup (l->ram, GUINT_TO_POINTER (image->segments[i].load_addr));

      if (seg == NULL || seg->len != image->segments[i].length ||
          memcmp (seg->data, image->segments[i].data, seg->len) != 0)
        return FALSE;
    }
  return TRUE;
}

int
_esprit_sim_loader_mem_end (Loader       *l,
                            const guint8 *data,
                            gsize         len)
{
  guint8 op = ESPRIT_OP_MEM_END;
  guint32 flag, entry;

  if (len != 8)
    {
      _esprit_sim_loader_fail (l, op, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return -1;
    }
  flag = esprit_read_le32 (data);
  entry = esprit_read_le32 (data + 4);
  _esprit_sim_loader_ok (l, op);
  if (flag != 0)
    return -1;   /* §2: flag 0 = jump to entry; otherwise stay */
  _esprit_sim_board_tx_flush (l->sim);
  if (l->uploaded && entry >= l->info->stub_ram_start && entry < l->info->stub_ram_end)
    {
      l->esprit_stub = uploaded_is_esprit_stub (l);
      return ESPRIT_SIM_MODE_STUB;
    }
  return ESPRIT_SIM_MODE_APP;   /* §8.5: the loader is left for the loaded program */
}

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

  if (!l->rom8266 && l->mem_segment == NULL)
    {
      _esprit_sim_loader_fail (l, ESPRIT_OP_MEM_DATA, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  /* The family's ROMs count the sequence number in the packet check (see there). */
  if (!_esprit_sim_loader_check_data_packet (l, data, len, checksum, ESPRIT_OP_MEM_DATA,
                                             l->rom8266 ? NULL : &l->mem_next_seq, &block,
                                             &block_len))
    return;
  if (l->mem_segment == NULL ||
      (l->rom8266 && esprit_read_le32 (data + 4) != l->mem_next_seq) ||
      l->mem_segment->len + block_len > l->mem_size)
    {
      _esprit_sim_loader_fail (l, ESPRIT_OP_MEM_DATA, ESPRIT_ROM_ERR_INVALID_MESSAGE);
      return;
    }
  if (l->rom8266)
    l->mem_next_seq++;
  g_byte_array_append (l->mem_segment, block, block_len);
  _esprit_sim_loader_ok (l, ESPRIT_OP_MEM_DATA);
}

static gint
by_address (gconstpointer a,
            gconstpointer b)
{
  guint x = GPOINTER_TO_UINT (a), y = GPOINTER_TO_UINT (b);

  return x < y ? -1 : x > y;
}

/* "0x3ffd0000+16, 0x40090000+4" */
static char *
describe_ram (Loader *l)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (l->ram), by_address);
  GString *text = g_string_new (NULL);

  for (GList *k = keys; k != NULL; k = k->next)
    {
      GByteArray *seg = g_hash_table_lookup (l->ram, k->data);

      g_string_append_printf (text, "%s0x%08x+%u", text->len ? ", " : "",
                              GPOINTER_TO_UINT (k->data), seg->len);
    }
  return g_string_free (text, FALSE);
}

int
_esprit_sim_loader_mem_end (Loader       *l,
                            const guint8 *data,
                            gsize         len)
{
  guint8 op = ESPRIT_OP_MEM_END;
  guint32 flag, entry;
  SimProgram kind;
  const char *name;
  g_autofree char *segments = NULL;

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
  /* §2/§12.1: the ROM jumps to whatever entry it was given; what runs depends on what was
   * loaded, never on where the entry lies. */
  kind = _esprit_sim_identify_program (l->sim, l->ram, &name);
  segments = describe_ram (l);
  if (kind == SIM_PROGRAM_UNKNOWN)
    {
      _esprit_sim_event (l->sim, "ram: program started at entry 0x%08x (%u segments: %s); "
                         "the board cannot execute it", entry, g_hash_table_size (l->ram),
                         segments);
      return ESPRIT_SIM_MODE_RAM_PROGRAM;
    }
  _esprit_sim_event (l->sim, "ram: %s started at entry 0x%08x (%s)", name, entry, segments);
  l->esprit_stub = kind == SIM_PROGRAM_ESPRIT_STUB;
  return ESPRIT_SIM_MODE_STUB;
}

/* esprit-sim-ota-parts.c: the virtual ESP32 OTA board's partitions, read from its own flash
 * as the real firmware does: the table at 0x8000, the bootloader's choice of app from
 * otadata, Update.begin()'s target (esp_ota_get_next_update_partition, the first spiffs or
 * fat partition) and esp_ota_set_boot_partition()'s otadata entry (protocol-facts §7.2,
 * §10.1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>

#include "esprit-layout.h"
#include "esprit-ota.h"
#include "esprit-sim-ota-private.h"

/* The Arduino-ESP32 default.csv (§10.1), what a board flashed from the IDE carries; the
 * "full" fault gets a table with no OTA slot (one factory app filling the flash). */
static void
default_table (EspritSimOta         *self,
               EspritPartitionTable *t)
{
  memset (t, 0, sizeof *t);
  t->table_offset = ESPRIT_PARTITION_TABLE_OFFSET;
  esprit_partition_table_add (t, "nvs", ESPRIT_PARTITION_TYPE_DATA, ESPRIT_PARTITION_SUBTYPE_NVS,
                              0x9000, 0x5000, 0);
  if (self->config.full)
    {
      esprit_partition_table_add (t, "factory", ESPRIT_PARTITION_TYPE_APP,
                                  ESPRIT_PARTITION_SUBTYPE_FACTORY, 0x10000,
                                  self->flash_size - 0x10000, 0);
      return;
    }
  esprit_partition_table_add (t, "otadata", ESPRIT_PARTITION_TYPE_DATA,
                              ESPRIT_PARTITION_SUBTYPE_OTADATA, 0xE000, 0x2000, 0);
  esprit_partition_table_add (t, "app0", ESPRIT_PARTITION_TYPE_APP,
                              ESPRIT_PARTITION_SUBTYPE_OTA_0, 0x10000, 0x140000, 0);
  esprit_partition_table_add (t, "app1", ESPRIT_PARTITION_TYPE_APP,
                              ESPRIT_PARTITION_SUBTYPE_OTA_0 + 1, 0x150000, 0x140000, 0);
  esprit_partition_table_add (t, "spiffs", ESPRIT_PARTITION_TYPE_DATA,
                              ESPRIT_PARTITION_SUBTYPE_SPIFFS, 0x290000, 0x160000, 0);
  esprit_partition_table_add (t, "coredump", ESPRIT_PARTITION_TYPE_DATA, 0x03, 0x3F0000,
                              0x10000, 0);
}

void
_esprit_sim_ota_parts_init (EspritSimOta *self)
{
  EspritPartitionTable t;
  g_autoptr(GBytes) bin = NULL;
  g_autoptr(GError) error = NULL;
  guint32 at = ESPRIT_PARTITION_TABLE_OFFSET;

  if (self->flash_size < 0x400000 || self->flash[at] != 0xFF || self->flash[at + 1] != 0xFF)
    return;
  /* A new flash: as the IDE's USB upload leaves it (table with its MD5 entry). */
  default_table (self, &t);
  bin = esprit_partition_table_to_binary (&t, TRUE, &error);
  if (bin == NULL)
    {
      g_warning ("esprit-sim: no partition table for this flash: %s", error->message);
      return;
    }
  _esprit_sim_ota_erase (self, at, SIM_OTA_SECTOR);
  _esprit_sim_ota_program (self, at, g_bytes_get_data (bin, NULL), g_bytes_get_size (bin));
}

static gboolean
read_table (EspritSimOta         *self,
            EspritPartitionTable *t)
{
  guint32 at = ESPRIT_PARTITION_TABLE_OFFSET;

  if (self->flash_size < at + ESPRIT_PARTITION_TABLE_LEN)
    return FALSE;
  return esprit_partition_table_parse (self->flash + at, ESPRIT_PARTITION_TABLE_LEN, at, t,
                                       NULL);
}

/* esp_partition_find_first(type, subtype, label): table order. */
static const EspritPartition *
find_first (const EspritPartitionTable *t,
            guint8                      type,
            guint8                      subtype,
            const char                 *label)
{
  for (guint i = 0; i < t->n_entries; i++)
    if (t->entries[i].type == type && t->entries[i].subtype == subtype &&
        (label == NULL || g_str_equal (t->entries[i].label, label)))
      return &t->entries[i];
  return NULL;
}

static void
read_otadata (EspritSimOta               *self,
              const EspritPartitionTable *t,
              EspritOtaData              *ota,
              const EspritPartition     **part)
{
  *part = find_first (t, ESPRIT_PARTITION_TYPE_DATA, ESPRIT_PARTITION_SUBTYPE_OTADATA, NULL);
  if (*part == NULL || (*part)->offset >= self->flash_size)
    {
      *part = NULL;
      esprit_otadata_parse (NULL, 0, ota);
      return;
    }
  esprit_otadata_parse (self->flash + (*part)->offset,
                        MIN ((*part)->size, self->flash_size - (*part)->offset), ota);
}

/* The app the bootloader starts, by otadata (§10.1), or NULL (no table, no app). */
static const EspritPartition *
running_app (EspritSimOta               *self,
             const EspritPartitionTable *t)
{
  const EspritPartition *od;
  EspritOtaData ota;
  int i;

  read_otadata (self, t, &ota, &od);
  i = esprit_partition_table_boot_index (t, od != NULL ? &ota : NULL);
  return i >= 0 ? &t->entries[i] : NULL;
}

/* esp_ota_get_next_update_partition(NULL): the OTA slot after the running app, by subtype
 * ota_0..ota_15; the first slot when the running app is the last one or no OTA slot. NULL
 * when the table has no OTA slot. */
static const EspritPartition *
next_update_partition (EspritSimOta               *self,
                       const EspritPartitionTable *t)
{
  const EspritPartition *running = running_app (self, t);
  const EspritPartition *first = NULL;
  gboolean next_is_result = FALSE;

  for (guint sub = ESPRIT_PARTITION_SUBTYPE_OTA_0; sub <= ESPRIT_PARTITION_SUBTYPE_OTA_15; sub++)
    {
      const EspritPartition *p = find_first (t, ESPRIT_PARTITION_TYPE_APP, sub, NULL);

      if (p == NULL)
        continue;
      if (first == NULL)
        first = p;
      if (p == running)
        next_is_result = TRUE;
      else if (next_is_result)
        return p;
    }
  return first;
}

gboolean
_esprit_sim_ota_parts_target (EspritSimOta *self,
                              int           command,
                              SimTarget    *target)
{
  EspritPartitionTable t;
  const EspritPartition *p;
  guint32 skip = 0;

  memset (target, 0, sizeof *target);
  if (!read_table (self, &t))
    return FALSE;
  if (command == ESPRIT_OTA_FLASH)
    p = next_update_partition (self, &t);
  else
    {
      /* Update.begin(U_SPIFFS): the first spiffs partition, else the first fat one past
       * its first sector (Updater.cpp _paroffset); the size check stays the whole
       * partition's. */
      p = find_first (&t, ESPRIT_PARTITION_TYPE_DATA, ESPRIT_PARTITION_SUBTYPE_SPIFFS, NULL);
      if (p == NULL)
        {
          p = find_first (&t, ESPRIT_PARTITION_TYPE_DATA, ESPRIT_PARTITION_SUBTYPE_FAT, NULL);
          skip = 0x1000;
        }
    }
  if (p == NULL || p->offset >= self->flash_size)
    return FALSE;
  target->start = p->offset + skip;
  target->size = p->size;
  target->subtype = p->subtype;
  g_strlcpy (target->label, p->label, sizeof target->label);
  return TRUE;
}

/* esp_ota_set_boot_partition() for OTA slot @subtype (esp_rewrite_ota_data in IDF
 * app_update): the smallest seq not below the active one that selects the slot
 * ((seq − 1) mod the number of slots), written to the other otadata sector; both sectors
 * blank: seq = slot + 1 in the first. State UNDEFINED: Arduino builds without rollback. */
gboolean
_esprit_sim_ota_parts_set_boot (EspritSimOta *self,
                                guint8        subtype)
{
  EspritPartitionTable t;
  const EspritPartition *od;
  EspritOtaData ota;
  guint8 entry[ESPRIT_OTADATA_ENTRY_LEN];
  guint32 count = 0, id = subtype - ESPRIT_PARTITION_SUBTYPE_OTA_0, new_seq;
  guint sector;

  if (!read_table (self, &t))
    return FALSE;
  read_otadata (self, &t, &ota, &od);
  if (od == NULL || od->size < 0x2000)
    return FALSE;
  /* esp_ota_get_app_partition_count(): ota_0, ota_1, … while they exist. */
  while (count < 16 && find_first (&t, ESPRIT_PARTITION_TYPE_APP,
                                   ESPRIT_PARTITION_SUBTYPE_OTA_0 + count, NULL) != NULL)
    count++;
  if (id >= count)
    return FALSE;
  if (ota.active >= 0)
    {
      guint32 seq = ota.entries[ota.active].seq;
      guint32 i = 0;

      while (seq > (id + 1) % count + i * count)
        i++;
      new_seq = (id + 1) % count + i * count;
      sector = ota.active ^ 1;
    }
  else
    {
      new_seq = id + 1;
      sector = 0;
    }
  esprit_otadata_make_entry (new_seq, ESPRIT_OTA_STATE_UNDEFINED, entry);
  _esprit_sim_ota_erase (self, od->offset + sector * 0x1000, SIM_OTA_SECTOR);
  _esprit_sim_ota_program (self, od->offset + sector * 0x1000, entry, sizeof entry);
  return TRUE;
}

gboolean
_esprit_sim_ota_parts_running (EspritSimOta *self,
                               SimTarget    *app)
{
  EspritPartitionTable t;
  const EspritPartition *p;

  memset (app, 0, sizeof *app);
  if (!read_table (self, &t) || (p = running_app (self, &t)) == NULL)
    return FALSE;
  app->start = p->offset;
  app->size = p->size;
  app->subtype = p->subtype;
  g_strlcpy (app->label, p->label, sizeof app->label);
  return TRUE;
}

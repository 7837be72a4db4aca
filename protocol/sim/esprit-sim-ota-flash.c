/* esprit-sim-ota-flash.c: where the virtual OTA board puts an update and how it boots it
 *
 * ESP8266 (esp8266/Arduino Updater.cpp, protocol-facts §7.1, §10.2): a sketch is staged just
 * below the filesystem and eboot copies it to 0x0 on the next boot; a filesystem goes
 * straight to FS_start. ESP32 (arduino-esp32 Updater.cpp, §7.2, §10.1): the partition
 * esprit-sim-ota-parts.c finds in the flash's own table, an app's first 16 bytes last, then
 * otadata.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "esprit-image.h"
#include "esprit-layout.h"
#include "esprit-ota.h"
#include "esprit-sim-ota-private.h"

/* esp8266/Arduino Updater.h error codes. */
enum {
  E8_OK = 0, E8_WRITE = 1, E8_ERASE = 2, E8_READ = 3, E8_SPACE = 4, E8_SIZE = 5, E8_STREAM = 6,
  E8_MD5 = 7, E8_FLASH_CONFIG = 8, E8_NEW_FLASH_CONFIG = 9, E8_MAGIC_BYTE = 10,
};
/* arduino-esp32 Update.h error codes and _err2str() texts. */
enum {
  E32_OK = 0, E32_READ = 3, E32_SPACE = 4, E32_SIZE = 5, E32_MD5 = 7, E32_MAGIC_BYTE = 8,
  E32_ACTIVATE = 9, E32_NO_PARTITION = 10, E32_ABORT = 12,
};
static const char *const e32_text[] = {
  "No Error", "Flash Write Failed", "Flash Erase Failed", "Flash Read Failed",
  "Not Enough Space", "Bad Size Given", "Stream Read Timeout", "MD5 Check Failed",
  "Wrong Magic Byte", "Could Not Activate The Firmware", "Partition Could Not be Found",
  "Bad Argument", "Aborted",
};

/* ESP8266 flash maps (§10.2, E8 boards.txt.py): FS start and end per flash size; the 4 MB
 * one is 4M2M, the layout most boards default to. */
typedef struct { guint32 flash, fs_start, fs_end; } E8Layout;
static const E8Layout e8_layouts[] = {
  { 0x100000, 0x0EB000, 0x0FB000 },    /* 1M64 */
  { 0x200000, 0x100000, 0x1FA000 },    /* 2M1M */
  { 0x400000, 0x200000, 0x3FA000 },    /* 4M2M */
  { 0x800000, 0x200000, 0x7FA000 },    /* 8M6M */
  { 0x1000000, 0x200000, 0xFFA000 },   /* 16M14M */
};

static gboolean
is_esp8266 (EspritSimOta *self)
{
  return self->config.core == ESPRIT_SIM_OTA_ESP8266;
}

static const E8Layout *
e8_layout (EspritSimOta *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (e8_layouts); i++)
    if (e8_layouts[i].flash == self->flash_size)
      return &e8_layouts[i];
  return &e8_layouts[2];
}

void
_esprit_sim_ota_erase (EspritSimOta *self,
                       guint32       addr,
                       guint32       len)
{
  if (addr >= self->flash_size)
    return;
  len = MIN (len, self->flash_size - addr);
  memset (self->flash + addr, 0xFF, len);
  if (self->fd >= 0 && pwrite (self->fd, self->flash + addr, len, addr) != (gssize) len)
    g_warning ("cannot write the flash file");
}

void
_esprit_sim_ota_program (EspritSimOta *self,
                         guint32       addr,
                         const guint8 *data,
                         gsize         len)
{
  if (addr >= self->flash_size)
    return;
  len = MIN (len, self->flash_size - addr);
  for (gsize i = 0; i < len; i++)
    self->flash[addr + i] &= data[i];
  if (self->fd >= 0 && pwrite (self->fd, self->flash + addr, len, addr) != (gssize) len)
    g_warning ("cannot write the flash file");
}

static guint32
le32 (const guint8 *p)
{
  return p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24);
}

/* ESP.getSketchSize(): walk the segments of the image at 0x1000 with 32-bit arithmetic, no
 * magic check; 0 if a read would leave the flash. */
static guint32
e8_sketch_size (EspritSimOta *self)
{
  guint32 pos = 0x1000;
  guint n;

  if (pos + 8 > self->flash_size)
    return 0;
  n = self->flash[pos + 1];
  pos += 8;
  for (guint i = 0; i < n; i++)
    {
      if ((guint64) pos + 8 > self->flash_size)
        return 0;
      pos += 8 + le32 (self->flash + pos + 4);
    }
  return (pos + 16) & ~15u;
}

gboolean
_esprit_sim_ota_begin (EspritSimOta *self,
                       guint32       size,
                       int           command,
                       const char   *md5)
{
  SimUpdater *up = &self->up;
  guint32 rounded = (size + SIM_OTA_SECTOR - 1) & ~(SIM_OTA_SECTOR - 1);

  memset (up, 0, sizeof *up);
  up->command = command;
  g_strlcpy (up->target_md5, md5, sizeof up->target_md5);
  if (is_esp8266 (self))
    {
      const E8Layout *l = e8_layout (self);
      guint32 sketch = self->config.full ? l->fs_start : e8_sketch_size (self);

      sketch = (sketch + SIM_OTA_SECTOR - 1) & ~(SIM_OTA_SECTOR - 1);
      if (size == 0)
        {
          up->error = E8_SIZE;
          return FALSE;
        }
      if (command == ESPRIT_OTA_FLASH)
        {
          up->start = l->fs_start > rounded ? l->fs_start - rounded : 0;
          if (up->start < sketch)
            {
              up->error = E8_SPACE;
              return FALSE;
            }
        }
      else
        {
          if (l->fs_start + rounded > l->fs_end)
            {
              up->error = E8_SPACE;
              return FALSE;
            }
          /* ATOMIC_FS_UPDATE: staged below FS_start like a sketch, copied by eboot. */
          up->start = l->fs_start;
          if (self->config.atomic_fs_update)
            {
              up->start = l->fs_start > rounded ? l->fs_start - rounded : 0;
              if (up->start < sketch)
                {
                  up->error = E8_SPACE;
                  return FALSE;
                }
            }
        }
    }
  else
    {
      SimTarget target;

      /* Updater.cpp begin(): size 0, then no partition, then one too small. */
      if (size == 0)
        {
          up->error = E32_SIZE;
          return FALSE;
        }
      if (!_esprit_sim_ota_parts_target (self, command, &target))
        {
          up->error = E32_NO_PARTITION;
          return FALSE;
        }
      if (size > target.size)
        {
          up->error = E32_SIZE;
          return FALSE;
        }
      up->start = target.start;
      up->subtype = target.subtype;
      g_strlcpy (up->label, target.label, sizeof up->label);
    }
  up->size = size;
  up->md5 = g_checksum_new (G_CHECKSUM_MD5);
  up->running = TRUE;
  return TRUE;
}

void
_esprit_sim_ota_abort (EspritSimOta *self)
{
  g_clear_pointer (&self->up.md5, g_checksum_free);
  self->up.running = FALSE;
}

static void
fail (EspritSimOta *self,
      int           error)
{
  _esprit_sim_ota_abort (self);
  self->up.error = error;
}

guint32
_esprit_sim_ota_remaining (EspritSimOta *self)
{
  return self->up.size - self->up.progress;
}

gboolean
_esprit_sim_ota_finished (EspritSimOta *self)
{
  return self->up.running && self->up.progress == self->up.size;
}

static gboolean
write_buffer (EspritSimOta *self)
{
  SimUpdater *up = &self->up;
  guint32 addr = up->start + up->progress;

  if (is_esp8266 (self))
    {
      guint8 saved = 0;
      gboolean patched = FALSE;

      if (addr % SIM_OTA_SECTOR == 0)
        _esprit_sim_ota_erase (self, addr, SIM_OTA_SECTOR);
      /* Updater::_writeBuffer(): the first page of a sketch gets the running flash mode
       * (header byte 2) while it is written; the MD5 sees the original byte. */
      if (up->progress == 0 && up->buffer[0] != 0x1f && up->command == ESPRIT_OTA_FLASH &&
          self->flash[0] == ESPRIT_IMAGE_MAGIC)
        {
          guint8 running = self->flash[2];
          guint8 incoming = up->buffer[2] <= 3 ? up->buffer[2] : 0xFF;

          if (incoming != running)
            {
              saved = up->buffer[2];
              up->buffer[2] = running;
              patched = TRUE;
            }
        }
      _esprit_sim_ota_program (self, addr, up->buffer, up->buffer_len);
      if (patched)
        up->buffer[2] = saved;
    }
  else
    {
      gsize skip = 0;
      guint32 off = up->start + up->progress;
      gboolean block = up->size - up->progress >= 0x10000 && off % 0x10000 == 0;

      if (up->progress == 0 && up->command == ESPRIT_OTA_FLASH)
        {
          if (up->buffer[0] != ESPRIT_IMAGE_MAGIC)
            {
              fail (self, E32_MAGIC_BYTE);
              return FALSE;
            }
          /* Kept back so that a partial image cannot boot (§7.2). */
          skip = 16;
          memcpy (up->skipped, up->buffer, 16);
        }
      if (block || off % SIM_OTA_SECTOR == 0)
        _esprit_sim_ota_erase (self, off, block ? 0x10000 : SIM_OTA_SECTOR);
      _esprit_sim_ota_program (self, off + skip, up->buffer + skip, up->buffer_len - skip);
    }
  g_checksum_update (up->md5, up->buffer, up->buffer_len);
  up->progress += up->buffer_len;
  up->buffer_len = 0;
  return TRUE;
}

/* UpdaterClass::write() of both cores: fill the sector buffer, flash it when full and at
 * the end. Returns the bytes taken. */
gsize
_esprit_sim_ota_write (EspritSimOta *self,
                       const guint8 *data,
                       gsize         len)
{
  SimUpdater *up = &self->up;
  gsize left = len;

  if (!up->running || up->error != 0)
    return 0;
  if (up->progress + up->buffer_len + len > up->size)
    {
      fail (self, is_esp8266 (self) ? E8_SPACE : E32_SPACE);
      return 0;
    }
  while (up->buffer_len + left > SIM_OTA_SECTOR)
    {
      gsize take = SIM_OTA_SECTOR - up->buffer_len;

      memcpy (up->buffer + up->buffer_len, data + (len - left), take);
      up->buffer_len += take;
      if (!write_buffer (self))
        return len - left;
      left -= take;
    }
  memcpy (up->buffer + up->buffer_len, data + (len - left), left);
  up->buffer_len += left;
  if (up->buffer_len == _esprit_sim_ota_remaining (self) && !write_buffer (self))
    return len - left;
  return len;
}

gboolean
_esprit_sim_ota_end (EspritSimOta *self)
{
  SimUpdater *up = &self->up;

  if (!up->running)
    {
      if (up->error == 0 && !is_esp8266 (self))
        up->error = E32_ABORT;
      return FALSE;
    }
  if (up->progress != up->size)
    {
      if (is_esp8266 (self))
        _esprit_sim_ota_abort (self);   /* premature end: _reset(), the error stays */
      else
        fail (self, E32_ABORT);
      return FALSE;
    }
  g_strlcpy (up->calculated, g_checksum_get_string (up->md5), sizeof up->calculated);
  /* ESP8266: strcasecmp; ESP32: String != (§7.1, §7.2). */
  if (is_esp8266 (self) ? g_ascii_strcasecmp (up->target_md5, up->calculated) != 0
                        : strcmp (up->target_md5, up->calculated) != 0)
    {
      fail (self, is_esp8266 (self) ? E8_MD5 : E32_MD5);
      return FALSE;
    }
  if (is_esp8266 (self))
    {
      if (up->command == ESPRIT_OTA_FLASH)
        {
          const guint8 *h = self->flash + up->start;
          guint32 bin_size;

          /* _verifyEnd(): E9 or gzip, and the header's flash size must fit */
          if (!(h[0] == 0x1f && h[1] == 0x8b))
            {
              if (h[0] != ESPRIT_IMAGE_MAGIC)
                {
                  fail (self, E8_MAGIC_BYTE);
                  return FALSE;
                }
              bin_size = esprit_image_flash_size (ESPRIT_CHIP_ESP8266, h[3]);
              if (bin_size > self->flash_size)
                {
                  fail (self, E8_NEW_FLASH_CONFIG);
                  return FALSE;
                }
            }
          self->eboot_pending = TRUE;
          self->eboot_src = up->start;
          self->eboot_dst = 0;
          self->eboot_len = up->size;
        }
      else if (self->config.atomic_fs_update)
        {
          self->eboot_pending = TRUE;
          self->eboot_src = up->start;
          self->eboot_dst = e8_layout (self)->fs_start;
          self->eboot_len = up->size;
        }
    }
  else if (up->command == ESPRIT_OTA_FLASH)
    {
      /* _verifyEnd(): the first 16 bytes, the magic read back, then the boot partition. */
      _esprit_sim_ota_program (self, up->start, up->skipped, 16);
      if (self->flash[up->start] != ESPRIT_IMAGE_MAGIC)
        {
          fail (self, E32_READ);
          return FALSE;
        }
      if (!_esprit_sim_ota_parts_set_boot (self, up->subtype))
        {
          fail (self, E32_ACTIVATE);
          return FALSE;
        }
    }
  if (is_esp8266 (self))
    _esprit_sim_ota_event (self, "ota: %s of %u bytes written at 0x%06x",
                           up->command == ESPRIT_OTA_FLASH ? "sketch" : "filesystem", up->size,
                           up->start);
  else
    _esprit_sim_ota_event (self, "ota: %s of %u bytes written at 0x%06x (partition %s)",
                           up->command == ESPRIT_OTA_FLASH ? "sketch" : "filesystem", up->size,
                           up->start, up->label);
  _esprit_sim_ota_abort (self);
  return TRUE;
}

char *
_esprit_sim_ota_error_text (EspritSimOta *self)
{
  SimUpdater *up = &self->up;
  int e = up->error;

  if (!is_esp8266 (self))
    /* Update.printError(): println(_err2str()) */
    return g_strdup_printf ("%s\r\n", e >= 0 && e < (int) G_N_ELEMENTS (e32_text)
                                      ? e32_text[e] : "UNKNOWN");
  /* Update.printError(): "ERROR[%hhu]: %s\n" */
  switch (e)
    {
    case E8_OK: return g_strdup ("ERROR[0]: No Error\n");
    case E8_SPACE: return g_strdup ("ERROR[4]: Not Enough Space\n");
    case E8_SIZE: return g_strdup ("ERROR[5]: Bad Size Given\n");
    case E8_MD5:
      return g_strdup_printf ("ERROR[7]: MD5 verification failed: expected: %s, calculated: %s\n",
                              up->target_md5, up->calculated);
    case E8_NEW_FLASH_CONFIG:
      return g_strdup_printf ("ERROR[9]: new Flash config wrong, real size: %u\n",
                              self->flash_size);
    case E8_MAGIC_BYTE: return g_strdup ("ERROR[10]: Magic byte is not 0xE9\n");
    default: return g_strdup_printf ("ERROR[%d]: UNKNOWN\n", e);
    }
}

static void
report_app (EspritSimOta *self,
            const char   *where,
            guint32       addr)
{
  EspritImageInfo info;
  g_autofree char *md5 = NULL;

  if (!esprit_image_parse (self->flash + addr, self->flash_size - addr, self->config.chip, &info,
                           NULL) || info.kind == ESPRIT_IMAGE_RAW)
    {
      _esprit_sim_ota_event (self, "app: no valid image in %s at 0x%06x", where, addr);
      return;
    }
  md5 = g_compute_checksum_for_data (G_CHECKSUM_MD5, self->flash + addr, info.image_len);
  _esprit_sim_ota_event (self, "app: running %s at 0x%06x (%" G_GSIZE_FORMAT " bytes, md5 %s)",
                         where, addr, info.image_len, md5);
}

void
_esprit_sim_ota_boot (EspritSimOta *self,
                      const char   *why)
{
  _esprit_sim_ota_event (self, "boot: %s", why);
  if (is_esp8266 (self))
    {
      guint32 from = _esprit_sim_ota_eboot (self);

      /* After an ATOMIC_FS_UPDATE copy eboot loads "the app" from the copy's destination
       * (cmd.args[0] = cmd.args[1]): the filesystem, no image there, so the load fails or
       * crashes and the chip restarts without a command, into the sketch (inferred from
       * eboot.c, not seen on a board). */
      if (from != 0)
        _esprit_sim_ota_event (self, "boot: eboot ld from 0x%06x: no app there, the chip "
                               "restarts", from);
      report_app (self, "the sketch", 0x1000);
    }
  else
    {
      SimTarget app;

      if (!_esprit_sim_ota_parts_running (self, &app))
        _esprit_sim_ota_event (self, "app: no partition table or no app partition at 0x%06x",
                               ESPRIT_PARTITION_TABLE_OFFSET);
      else
        report_app (self, app.label, app.start);
    }
}

/* esprit-sim-flash.c: the virtual board's SPI NOR flash
 *
 * A W25Q32JV-like SPI NOR flash: erase sets bytes to 0xFF, programming only clears bits, and
 * each operation costs the datasheet's time when timing is on. The flash lives in memory or
 * in a file mapped shared, so tests can look at it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-sim-board-private.h"


/* ---- flash -------------------------------------------------------------------------- */

guint8 *
_esprit_sim_flash (EspritSim *self,
                   gsize     *size)
{
  *size = self->flash_size;
  return self->flash;
}

gboolean
_esprit_sim_flash_erase (EspritSim *self,
                         guint32    addr,
                         guint32    len)
{
  guint32 end;

  if (addr % SIM_SECTOR != 0 || addr > self->flash_size)
    return FALSE;
  end = MIN ((guint64) addr + len, self->flash_size);
  while (addr < end)
    {
      gboolean block = addr % SIM_BLOCK == 0 && end - addr >= SIM_BLOCK;
      guint32 n = block ? SIM_BLOCK : SIM_SECTOR;

      if (!_esprit_sim_board_busy (self, block ? SIM_BLOCK_ERASE_US : SIM_SECTOR_ERASE_US))
        return FALSE;
      memset (self->flash + addr, 0xFF, MIN (n, self->flash_size - addr));
      addr += n;
    }
  return TRUE;
}

gboolean
_esprit_sim_flash_program (EspritSim    *self,
                           guint32       addr,
                           const guint8 *data,
                           gsize         len)
{
  gsize pages;

  if ((guint64) addr + len > self->flash_size)
    return FALSE;
  /* NOR programming only clears bits: a write over unerased data corrupts it. */
  for (gsize i = 0; i < len; i++)
    self->flash[addr + i] &= data[i];
  pages = (addr % 256 + len + 255) / 256;
  _esprit_sim_board_busy (self, (gint64) pages * SIM_PAGE_PROGRAM_US);
  return memcmp (self->flash + addr, data, len) == 0;
}

guint32
_esprit_sim_jedec_id (EspritSim *self)
{
  /* Winbond W25Q-series ids: manufacturer EF, type 40, capacity log2(size). */
  guint cap = 0;

  while ((1u << cap) < self->flash_size)
    cap++;
  return 0xEF | (0x40 << 8) | (cap << 16);
}

void
_esprit_sim_flash_attach (EspritSim *self)
{
  g_mutex_lock (&self->lock);
  self->flash_attached = TRUE;
  g_mutex_unlock (&self->lock);
}

gboolean
_esprit_sim_flash_attached (EspritSim *self)
{
  gboolean attached;

  g_mutex_lock (&self->lock);
  attached = self->flash_attached;
  g_mutex_unlock (&self->lock);
  return attached;
}

gboolean
_esprit_sim_flash_open (EspritSim  *self,
            GError    **error)
{
  int fd;
  struct stat st;

  self->flash_size = self->config.flash_size ? self->config.flash_size : 4 * 1024 * 1024;
  if (self->flash_path == NULL)
    {
      self->flash = g_malloc (self->flash_size);
      memset (self->flash, 0xFF, self->flash_size);
      return TRUE;
    }

  fd = open (self->flash_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                   _("Cannot open the flash file %s: %s"), self->flash_path, g_strerror (saved));
      return FALSE;
    }
  if ((gsize) st.st_size < self->flash_size)
    {
      /* New or shorter file: the missing part is erased flash. */
      guint8 ff[4096];
      off_t pos = st.st_size;

      memset (ff, 0xFF, sizeof ff);
      while ((gsize) pos < self->flash_size)
        {
          gsize n = MIN (sizeof ff, self->flash_size - pos);

          if (pwrite (fd, ff, n, pos) != (ssize_t) n)
            {
              g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                           _("Cannot write the flash file %s"), self->flash_path);
              close (fd);
              return FALSE;
            }
          pos += n;
        }
    }
  /* Shared mapping: the file always holds the current flash, for tests to inspect. */
  self->flash = mmap (NULL, self->flash_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close (fd);
  if (self->flash == MAP_FAILED)
    {
      self->flash = NULL;
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                   _("Cannot map the flash file %s"), self->flash_path);
      return FALSE;
    }
  self->flash_mapped = TRUE;
  return TRUE;
}

void
_esprit_sim_flash_close (EspritSim *self)
{
  if (self->flash_mapped)
    {
      msync (self->flash, self->flash_size, MS_SYNC);
      munmap (self->flash, self->flash_size);
    }
  else
    g_free (self->flash);
  self->flash = NULL;
}

GBytes *
esprit_sim_dup_flash (EspritSim *self)
{
  return g_bytes_new (self->flash, self->flash_size);
}

void
esprit_sim_load_flash (EspritSim    *self,
                       guint32       addr,
                       const guint8 *data,
                       gsize         len)
{
  g_return_if_fail ((guint64) addr + len <= self->flash_size);
  memcpy (self->flash + addr, data, len);
}

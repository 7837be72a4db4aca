/* esprit-sim-ota-eboot.c: eboot, the ESP8266 Arduino core's first-stage loader, on the
 * virtual OTA board: the COPY_RAW command the Updater leaves in RTC memory, done sector by
 * sector on the next boot, inflating a gzip-compressed image on the way, then loading the
 * app from the copy's destination (esp8266/Arduino bootloaders/eboot/eboot.c, §7.1, §10.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>
#include <zlib.h>

#include "esprit-image.h"
#include "esprit-sim-ota-private.h"

/* SPIRead of the flash as it is now (the copy may be overwriting its own source). */
static void
flash_read (EspritSimOta *self,
            guint32       addr,
            guint8       *out,
            gsize         len)
{
  for (gsize i = 0; i < len; i++)
    out[i] = (guint64) addr + i < self->flash_size ? self->flash[addr + i] : 0xFF;
}

/* uzlib_gzip_parse_header(): magic, method 8 (deflate), no reserved flag bits; FEXTRA,
 * FNAME, FCOMMENT and FHCRC skipped. The offset of the deflate data, or 0 (eboot's 5). */
static guint32
gzip_header_len (EspritSimOta *self,
                 guint32       src)
{
  guint8 h[10], b[2];
  guint32 pos = src + 10;

  flash_read (self, src, h, sizeof h);
  if (h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 || (h[3] & 0xe0) != 0)
    return 0;
  if (h[3] & 0x04)   /* FEXTRA: u16 length, then that much */
    {
      flash_read (self, pos, b, 2);
      pos += 2 + (b[0] | (b[1] << 8));
    }
  for (int field = 0x08; field <= 0x10; field <<= 1)   /* FNAME, FCOMMENT: NUL-ended */
    if (h[3] & field)
      {
        do
          flash_read (self, pos++, b, 1);
        while (b[0] != 0 && pos < self->flash_size);
      }
  if (h[3] & 0x02)   /* FHCRC */
    pos += 2;
  return pos - src;
}

/* copy_raw(): 0 on success, else eboot's code (1 unaligned, 5 bad gzip header, 6 bad deflate
 * data). Plain: every sector of the rounded size is copied whole. gzip: the size is the
 * trailer's ISIZE (the last 4 bytes of what was uploaded), each sector gets up to 4096
 * inflated bytes and 0xFF after them; the source is read 4096 bytes at a time as uzlib's
 * callback does, and the gzip CRC is never checked (uzlib_uncompress). */
static int
copy_raw (EspritSimOta *self,
          guint32       src,
          guint32       dst,
          guint32       size,
          gboolean     *gzip,
          gint64       *out_len)
{
  guint8 buffer[SIM_OTA_SECTOR], input[SIM_OTA_SECTOR], magic[2], isize[4];
  gint64 left = (size + SIM_OTA_SECTOR - 1) & ~(gint64) (SIM_OTA_SECTOR - 1);
  guint32 saddr = src, daddr = dst, read_addr = 0;
  z_stream z = { 0 };
  int rc = 0;

  if ((src & 0xfff) != 0 || (dst & 0xfff) != 0)
    return 1;
  flash_read (self, src, magic, 2);
  *gzip = magic[0] == 0x1f && magic[1] == 0x8b;
  if (*gzip)
    {
      guint32 header = gzip_header_len (self, src);

      flash_read (self, src + size - 4, isize, 4);
      left = isize[0] | (isize[1] << 8) | (isize[2] << 16) | ((guint32) isize[3] << 24);
      if (header == 0 || inflateInit2 (&z, -MAX_WBITS) != Z_OK)
        return 5;
      read_addr = src + header;
    }
  *out_len = left;
  while (left > 0)
    {
      _esprit_sim_ota_erase (self, daddr, SIM_OTA_SECTOR);
      if (!*gzip)
        flash_read (self, saddr, buffer, sizeof buffer);
      else
        {
          guint to_read = left > SIM_OTA_SECTOR ? SIM_OTA_SECTOR : (guint) left;
          int zr = Z_OK;

          memset (buffer, 0xFF, sizeof buffer);
          z.next_out = buffer;
          z.avail_out = to_read;
          while (z.avail_out > 0 && zr != Z_STREAM_END)
            {
              if (z.avail_in == 0)
                {
                  flash_read (self, read_addr, input, sizeof input);
                  read_addr += sizeof input;
                  z.next_in = input;
                  z.avail_in = sizeof input;
                }
              zr = inflate (&z, Z_NO_FLUSH);
              if (zr != Z_OK && zr != Z_STREAM_END)
                {
                  rc = 6;
                  break;
                }
            }
          if (rc != 0)
            break;
        }
      _esprit_sim_ota_program (self, daddr, buffer, sizeof buffer);
      saddr += SIM_OTA_SECTOR;
      daddr += SIM_OTA_SECTOR;
      left -= SIM_OTA_SECTOR;
    }
  if (*gzip)
    inflateEnd (&z);
  return rc;
}

/* eboot's main(): a pending command is done and cleared, then the app loads from where the
 * copy went. Returns the flash address the app loads from (0: the sketch at 0x1000). */
guint32
_esprit_sim_ota_eboot (EspritSimOta *self)
{
  gboolean gzip = FALSE;
  gint64 len = 0;
  guint32 dst = self->eboot_dst;
  int res;

  if (!self->eboot_pending)
    return 0;
  self->eboot_pending = FALSE;   /* eboot_command_clear(), whatever the result */
  res = copy_raw (self, self->eboot_src, dst, self->eboot_len, &gzip, &len);
  if (res != 0)
    {
      /* "cp:N", no load, SWRST; the next boot finds no command and loads from 0x0. */
      _esprit_sim_ota_event (self, "boot: eboot cp:%d (copy of 0x%06x to 0x%06x failed), "
                             "restarting", res, self->eboot_src, dst);
      return 0;
    }
  if (gzip)
    _esprit_sim_ota_event (self, "boot: eboot inflated 0x%06x to 0x%06x, %u bytes gzip, %"
                           G_GINT64_FORMAT " bytes", self->eboot_src, dst, self->eboot_len,
                           len);
  else
    _esprit_sim_ota_event (self, "boot: eboot copied 0x%06x to 0x%06x, %u bytes",
                           self->eboot_src, dst, self->eboot_len);
  return dst;
}

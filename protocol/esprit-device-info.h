/* esprit-device-info.h: what a board is: chip and its variant, features, crystal, MAC,
 * flash id (what "Identify" shows and what a connect prints)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-loader.h"

G_BEGIN_DECLS

/* What "Identify" shows. */
typedef struct {
  EspritChip chip;
  char      *description;      /* "ESP8266EX", "ESP8285", "ESP32-S3 (revision v0.2)" */
  char      *features;         /* "WiFi, Dual Core, 240MHz" */
  guint      xtal_mhz;
  guint8     mac[6];
  guint32    chip_id;          /* ESP8266 SDK chip id, 0 elsewhere */
  guint32    flash_id;         /* JEDEC id as read (manufacturer in the low byte) */
  guint32    flash_size;       /* from the id, 0 if unknown */
} EspritDeviceInfo;

void     esprit_device_info_clear      (EspritDeviceInfo  *info);
void     esprit_device_info_copy       (const EspritDeviceInfo *src,
                                        EspritDeviceInfo  *dest);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EspritDeviceInfo, esprit_device_info_clear)

/* The MAC from the eFuse words (protocol-facts §4). */
gboolean esprit_device_info_read_mac   (EspritLoader      *loader,
                                        guint8             mac[6],
                                        GCancellable      *cancellable,
                                        GError           **error);
/* Chip, description ("ESP8266EX" or "ESP8285", §4 eFuse bits), features, SDK chip id,
 * MAC, and the crystal while the ROM's clocks run; no flash access. */
gboolean esprit_device_info_read       (EspritLoader      *loader,
                                        EspritDeviceInfo  *info,
                                        GCancellable      *cancellable,
                                        GError           **error);
/* The flash's JEDEC id and the size it implies (attaches the flash first). */
gboolean esprit_device_info_read_flash (EspritLoader      *loader,
                                        EspritDeviceInfo  *info,
                                        GCancellable      *cancellable,
                                        GError           **error);

G_END_DECLS

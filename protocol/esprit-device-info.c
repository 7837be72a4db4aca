/* esprit-device-info.c: telling what the board is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-device"

#include "config.h"

#include <string.h>

#include "esprit-device-info.h"
#include "esprit-error.h"
#include "esprit-flash.h"
#include "esprit-i18n.h"

void
esprit_device_info_clear (EspritDeviceInfo *info)
{
  g_clear_pointer (&info->description, g_free);
  g_clear_pointer (&info->features, g_free);
}

void
esprit_device_info_copy (const EspritDeviceInfo *src,
                         EspritDeviceInfo       *dest)
{
  *dest = *src;
  dest->description = g_strdup (src->description);
  dest->features = g_strdup (src->features);
}

gboolean
esprit_device_info_read_mac (EspritLoader  *loader,
                             guint8         mac[6],
                             GCancellable  *cancellable,
                             GError       **error)
{
  EspritChip chip = esprit_loader_get_chip (loader);
  const EspritChipInfo *info = esprit_chip_get_info (chip);
  guint n = info->mac_layout == ESPRIT_MAC_ESP8266 ? 4 : 2;
  guint32 words[4] = { 0 };

  for (guint i = 0; i < n; i++)
    if (!esprit_loader_read_reg (loader, info->mac_base + 4 * i, &words[i], cancellable, error))
      return FALSE;
  return esprit_chip_decode_mac (chip, words, mac, error);
}

static const char *
features_of (EspritChip chip)
{
  switch (chip)
    {
    case ESPRIT_CHIP_ESP32:
      return _("WiFi, BT, Dual Core");
    case ESPRIT_CHIP_ESP32S2:
      return _("WiFi");
    case ESPRIT_CHIP_ESP32S3:
      return _("WiFi, BLE, Dual Core");
    case ESPRIT_CHIP_ESP32C6:
      return _("WiFi 6, BLE, 802.15.4");
    default:
      return _("WiFi, BLE");
    }
}

gboolean
esprit_device_info_read (EspritLoader      *loader,
                         EspritDeviceInfo  *info,
                         GCancellable      *cancellable,
                         GError           **error)
{
  EspritChip chip = esprit_loader_get_chip (loader);
  const EspritChipInfo *ci = esprit_chip_get_info (chip);
  g_auto(EspritDeviceInfo) out = { 0 };

  out.chip = chip;
  if (chip == ESPRIT_CHIP_ESP8266)
    {
      guint32 w[4];
      gboolean esp8285;

      for (guint i = 0; i < 4; i++)
        if (!esprit_loader_read_reg (loader, ci->mac_base + 4 * i, &w[i], cancellable, error))
          return FALSE;
      /* §4: ESP8285 if eFuse bit 4 or bit 80 is set. */
      esp8285 = (w[0] & (1u << 4)) || (w[2] & (1u << 16));
      out.description = g_strdup (esp8285 ? "ESP8285" : "ESP8266EX");
      out.features = g_strdup (esp8285 ? _("WiFi, Embedded Flash") : _("WiFi"));
      out.chip_id = esprit_chip_esp8266_chip_id (w);
      if (!esprit_chip_decode_mac (chip, w, out.mac, error))
        return FALSE;
    }
  else
    {
      out.description = g_strdup (ci->name);
      out.features = g_strdup (features_of (chip));
      if (!esprit_device_info_read_mac (loader, out.mac, cancellable, error))
        return FALSE;
    }
  /* The crystal only shows while the ROM's clocks run (a stub may have changed them). */
  if (esprit_loader_get_kind (loader) == ESPRIT_LOADER_ROM)
    {
      guint32 clkdiv;

      if (!esprit_loader_read_reg (loader, ci->uart_clkdiv_reg, &clkdiv, cancellable, error))
        return FALSE;
      out.xtal_mhz = esprit_chip_estimate_xtal (chip, clkdiv,
                                                esprit_transport_get_baud (
                                                  esprit_loader_get_transport (loader)));
    }
  esprit_device_info_clear (info);
  *info = out;
  memset (&out, 0, sizeof out);
  return TRUE;
}

gboolean
esprit_device_info_read_flash (EspritLoader      *loader,
                               EspritDeviceInfo  *info,
                               GCancellable      *cancellable,
                               GError           **error)
{
  if (!esprit_flash_read_id (loader, &info->flash_id, cancellable, error))
    return FALSE;
  info->flash_size = esprit_flash_size_from_jedec (info->flash_id);
  return TRUE;
}

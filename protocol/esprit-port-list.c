/* esprit-port-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-port-list"

#include "config.h"

#include <libserialport.h>

#include "esprit-i18n.h"
#include "esprit-port-list.h"

static const struct {
  guint16     vid;
  guint16     pid;
  const char *name;
} bridges[] = {
  /* protocol-facts §11: the bridges ESP boards carry, and Espressif's own USB devices. */
  { 0x10C4, 0xEA60, "CP210x USB to UART Bridge" },
  { 0x10C4, 0xEA70, "CP2105 Dual USB to UART Bridge" },
  { 0x1A86, 0x7523, "CH340 USB-Serial" },
  { 0x1A86, 0x5523, "CH341 USB-Serial" },
  { 0x1A86, 0x55D4, "CH9102 USB-Serial" },
  { 0x1A86, 0x55D3, "CH343 USB-Serial" },
  { 0x0403, 0x6001, "FT232R USB UART" },
  { 0x0403, 0x6010, "FT2232 USB UART" },
  { 0x0403, 0x6014, "FT232H USB UART" },
  { 0x0403, 0x6015, "FT231X USB UART" },
  { 0x303A, 0x1001, "Espressif USB-Serial/JTAG" },
  { 0x067B, 0x2303, "PL2303 USB-Serial" },
};

/* Espressif's vendor id: USB-Serial/JTAG and the S2/S3 USB-OTG CDC ids (§11). */
#define ESPRESSIF_VID 0x303A

const char *
esprit_port_bridge_name (guint16 vid,
                         guint16 pid)
{
  for (guint i = 0; i < G_N_ELEMENTS (bridges); i++)
    if (bridges[i].vid == vid && bridges[i].pid == pid)
      return bridges[i].name;
  return NULL;
}

gboolean
esprit_port_is_esp_bridge (guint16 vid,
                           guint16 pid)
{
  return vid == ESPRESSIF_VID || esprit_port_bridge_name (vid, pid) != NULL;
}

G_DEFINE_BOXED_TYPE (EspritPortInfo, esprit_port_info, esprit_port_info_copy,
                     esprit_port_info_free)

EspritPortInfo *
esprit_port_info_copy (const EspritPortInfo *info)
{
  EspritPortInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (EspritPortInfo, 1);
  copy->path = g_strdup (info->path);
  copy->label = g_strdup (info->label);
  copy->manufacturer = g_strdup (info->manufacturer);
  copy->product = g_strdup (info->product);
  copy->serial = g_strdup (info->serial);
  copy->vid = info->vid;
  copy->pid = info->pid;
  return copy;
}

gboolean
esprit_port_info_equal (const EspritPortInfo *a,
                        const EspritPortInfo *b)
{
  return g_strcmp0 (a->path, b->path) == 0 && a->vid == b->vid && a->pid == b->pid &&
         g_strcmp0 (a->serial, b->serial) == 0 && g_strcmp0 (a->label, b->label) == 0;
}

void
esprit_port_info_set_label (EspritPortInfo *info,
                            const char     *description)
{
  g_free (info->label);
  /* "Product — Manufacturer" as the device names itself, else the bridge's usual name. */
  if (info->product != NULL && info->manufacturer != NULL)
    info->label = g_strdup_printf ("%s — %s", info->product, info->manufacturer);
  else if (info->product != NULL)
    info->label = g_strdup (info->product);
  else if (esprit_port_bridge_name (info->vid, info->pid) != NULL)
    info->label = g_strdup (esprit_port_bridge_name (info->vid, info->pid));
  else if (description != NULL && g_strcmp0 (description, info->path) != 0)
    info->label = g_strdup (description);
  else
    info->label = g_strdup (_("Serial port"));
}

void
esprit_port_info_free (EspritPortInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->path);
  g_free (info->label);
  g_free (info->manufacturer);
  g_free (info->product);
  g_free (info->serial);
  g_free (info);
}

static int
compare_path (gconstpointer a,
              gconstpointer b)
{
  const EspritPortInfo *pa = *(EspritPortInfo * const *) a;
  const EspritPortInfo *pb = *(EspritPortInfo * const *) b;

  return g_strcmp0 (pa->path, pb->path);
}

GPtrArray *
esprit_port_list (void)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);
  struct sp_port **ports = NULL;

  if (sp_list_ports (&ports) != SP_OK)
    return list;
  for (int i = 0; ports[i] != NULL; i++)
    {
      EspritPortInfo *info = g_new0 (EspritPortInfo, 1);
      const char *desc = sp_get_port_description (ports[i]);
      int vid = 0, pid = 0;

      info->path = g_strdup (sp_get_port_name (ports[i]));
      if (sp_get_port_transport (ports[i]) == SP_TRANSPORT_USB)
        {
          if (sp_get_port_usb_vid_pid (ports[i], &vid, &pid) == SP_OK)
            {
              info->vid = (guint16) vid;
              info->pid = (guint16) pid;
            }
          info->manufacturer = g_strdup (sp_get_port_usb_manufacturer (ports[i]));
          info->product = g_strdup (sp_get_port_usb_product (ports[i]));
          info->serial = g_strdup (sp_get_port_usb_serial (ports[i]));
        }
      esprit_port_info_set_label (info, desc);
      g_ptr_array_add (list, info);
    }
  sp_free_port_list (ports);
  g_ptr_array_sort (list, compare_path);
  return list;
}

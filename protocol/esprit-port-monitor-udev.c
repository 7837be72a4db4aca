/* esprit-port-monitor-udev.c: the port monitor's udev source (libgudev, "tty" subsystem)
 *
 * udev names a USB serial port's device in the properties its usb_id builtin sets:
 * ID_VENDOR_ID / ID_MODEL_ID (hex), ID_SERIAL_SHORT, and ID_VENDOR_ENC / ID_MODEL_ENC, the
 * manufacturer and product strings the device reports, with unsafe bytes as \xNN.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-port-monitor"

#include "config.h"

#include <gudev/gudev.h>

#include "esprit-port-monitor-private.h"

struct _EspritPortUdev
{
  GUdevClient        *client;
  gulong              handler;
  EspritPortUdevFunc  func;
  gpointer            user_data;
};

/* "CP2102N\x20USB\x20to\x20UART" → "CP2102N USB to UART". */
static char *
decode (const char *enc)
{
  GString *out = g_string_new (NULL);

  for (const char *p = enc; *p != '\0'; p++)
    {
      if (p[0] == '\\' && p[1] == 'x' && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[2]) * 16 +
                                          g_ascii_xdigit_value (p[3])));
          p += 3;
        }
      else
        g_string_append_c (out, *p);
    }
  g_strstrip (out->str);
  if (out->str[0] == '\0' || !g_utf8_validate (out->str, -1, NULL))
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* The device's own string, or NULL when udev only had the id to put there (no string). */
static char *
device_string (GUdevDevice *device,
               const char  *enc_key,
               const char  *plain_key,
               const char  *id_key)
{
  const char *enc = g_udev_device_get_property (device, enc_key);
  const char *id = g_udev_device_get_property (device, id_key);
  char *text;

  if (enc != NULL)
    text = decode (enc);
  else if (g_udev_device_get_property (device, plain_key) != NULL)
    text = g_strdelimit (g_strdup (g_udev_device_get_property (device, plain_key)), "_", ' ');
  else
    return NULL;
  if (text != NULL && id != NULL && g_ascii_strcasecmp (text, id) == 0)
    g_clear_pointer (&text, g_free);
  return text;
}

static guint16
hex_id (GUdevDevice *device,
        const char  *key)
{
  const char *text = g_udev_device_get_property (device, key);

  return text != NULL ? (guint16) g_ascii_strtoull (text, NULL, 16) : 0;
}

/* A serial port someone could plug a board into: a USB (or other bus) device, or a UART
 * with a driver of its own; not the virtual consoles, nor the serial8250 placeholders the
 * kernel makes for ISA ports that may not exist (libserialport skips those too). */
static gboolean
is_serial_port (GUdevDevice *device)
{
  g_autoptr(GUdevDevice) parent = NULL;
  const char *driver;

  if (g_udev_device_get_device_file (device) == NULL)
    return FALSE;
  if (g_udev_device_get_property (device, "ID_BUS") != NULL ||
      g_udev_device_get_property (device, "ID_VENDOR_ID") != NULL)
    return TRUE;
  parent = g_udev_device_get_parent (device);
  if (parent == NULL)
    return FALSE;
  driver = g_udev_device_get_driver (parent);
  return driver != NULL && !g_str_equal (driver, "serial8250");
}

static EspritPortInfo *
info_from_device (GUdevDevice *device)
{
  EspritPortInfo *info = g_new0 (EspritPortInfo, 1);

  info->path = g_strdup (g_udev_device_get_device_file (device));
  info->vid = hex_id (device, "ID_VENDOR_ID");
  info->pid = hex_id (device, "ID_MODEL_ID");
  info->manufacturer = device_string (device, "ID_VENDOR_ENC", "ID_VENDOR", "ID_VENDOR_ID");
  info->product = device_string (device, "ID_MODEL_ENC", "ID_MODEL", "ID_MODEL_ID");
  info->serial = g_strdup (g_udev_device_get_property (device, "ID_SERIAL_SHORT"));
  esprit_port_info_set_label (info, g_udev_device_get_property (device, "ID_MODEL_FROM_DATABASE"));
  return info;
}

static void
on_uevent (GUdevClient *client,
           const char  *action,
           GUdevDevice *device,
           gpointer     data)
{
  EspritPortUdev *self = data;
  g_autoptr(EspritPortInfo) info = NULL;

  if (g_udev_device_get_device_file (device) == NULL)
    return;
  /* A removed device may have lost its properties: the monitor looks it up by path. */
  if (g_str_equal (action, "remove"))
    {
      info = g_new0 (EspritPortInfo, 1);
      info->path = g_strdup (g_udev_device_get_device_file (device));
      self->func (FALSE, info, self->user_data);
    }
  else if ((g_str_equal (action, "add") || g_str_equal (action, "change")) &&
           is_serial_port (device))
    {
      info = info_from_device (device);
      self->func (TRUE, info, self->user_data);
    }
}

EspritPortUdev *
_esprit_port_udev_new (EspritPortUdevFunc func,
                       gpointer           user_data)
{
  static const char * const subsystems[] = { "tty", NULL };
  g_autoptr(GUdevClient) client = g_udev_client_new (subsystems);
  EspritPortUdev *self;

  if (client == NULL)
    return NULL;
  self = g_new0 (EspritPortUdev, 1);
  self->client = g_steal_pointer (&client);
  self->func = func;
  self->user_data = user_data;
  self->handler = g_signal_connect (self->client, "uevent", G_CALLBACK (on_uevent), self);
  return self;
}

static int
compare_path (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 ((*(EspritPortInfo * const *) a)->path, (*(EspritPortInfo * const *) b)->path);
}

GPtrArray *
_esprit_port_udev_list (EspritPortUdev *self)
{
  GPtrArray *ports = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);
  GList *devices = g_udev_client_query_by_subsystem (self->client, "tty");

  for (GList *l = devices; l != NULL; l = l->next)
    if (is_serial_port (l->data))
      g_ptr_array_add (ports, info_from_device (l->data));
  g_list_free_full (devices, g_object_unref);
  g_ptr_array_sort (ports, compare_path);
  return ports;
}

void
_esprit_port_udev_free (EspritPortUdev *self)
{
  if (self == NULL)
    return;
  g_clear_signal_handler (&self->handler, self->client);
  g_clear_object (&self->client);
  g_free (self);
}

/* esprit-port-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-port-item"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "esprit-app-enum-types.h"
#include "esprit-enum-types.h"
#include "esprit-port-item.h"

struct _EspritPortItem
{
  GObject         parent_instance;

  char           *id;
  char           *label;
  EspritPortKind  kind;
  EspritChip      chip;
  guint16         vid;
  guint16         pid;
  char           *host;
  guint16         ota_port;
  gboolean        auth;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_LABEL,
  PROP_KIND,
  PROP_CHIP,
  PROP_VID,
  PROP_PID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EspritPortItem, esprit_port_item, G_TYPE_OBJECT)

static void
esprit_port_item_finalize (GObject *object)
{
  EspritPortItem *self = ESPRIT_PORT_ITEM (object);

  g_free (self->id);
  g_free (self->label);
  g_free (self->host);
  G_OBJECT_CLASS (esprit_port_item_parent_class)->finalize (object);
}

static void
esprit_port_item_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EspritPortItem *self = ESPRIT_PORT_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_CHIP:
      g_value_set_enum (value, self->chip);
      break;
    case PROP_VID:
      g_value_set_uint (value, self->vid);
      break;
    case PROP_PID:
      g_value_set_uint (value, self->pid);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esprit_port_item_class_init (EspritPortItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = esprit_port_item_finalize;
  object_class->get_property = esprit_port_item_get_property;

  /* Read-only: an item describes one port as found; a change is a new item. */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, ESPRIT_TYPE_PORT_KIND, ESPRIT_PORT_KIND_REAL,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHIP] =
    g_param_spec_enum ("chip", NULL, NULL, ESPRIT_TYPE_CHIP, ESPRIT_CHIP_AUTO,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VID] =
    g_param_spec_uint ("vid", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PID] =
    g_param_spec_uint ("pid", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
esprit_port_item_init (EspritPortItem *self)
{
  self->chip = ESPRIT_CHIP_AUTO;
}

EspritPortItem *
esprit_port_item_new_real (const EspritPortInfo *info)
{
  EspritPortItem *self;

  g_return_val_if_fail (info != NULL && info->path != NULL, NULL);

  self = g_object_new (ESPRIT_TYPE_PORT_ITEM, NULL);
  self->id = g_strdup (info->path);
  self->label = g_strdup_printf ("%s (%s)", info->label ? info->label : info->path, info->path);
  self->kind = ESPRIT_PORT_KIND_REAL;
  self->vid = info->vid;
  self->pid = info->pid;
  return self;
}

EspritPortItem *
esprit_port_item_new_virtual (const char *id,
                              const char *label,
                              EspritChip  chip)
{
  EspritPortItem *self;

  g_return_val_if_fail (g_str_has_prefix (id, "sim:"), NULL);
  g_return_val_if_fail (chip >= 0 && chip < ESPRIT_N_CHIPS, NULL);

  self = g_object_new (ESPRIT_TYPE_PORT_ITEM, NULL);
  self->id = g_strdup (id);
  self->label = g_strdup (label);
  self->kind = ESPRIT_PORT_KIND_VIRTUAL;
  self->chip = chip;
  return self;
}

EspritPortItem *
esprit_port_item_new_classroom (const char *id,
                                const char *label,
                                EspritChip  chip)
{
  EspritPortItem *self;

  g_return_val_if_fail (chip >= 0 && chip < ESPRIT_N_CHIPS, NULL);

  self = g_object_new (ESPRIT_TYPE_PORT_ITEM, NULL);
  self->id = g_strdup (id);
  self->label = g_strdup (label);
  self->kind = ESPRIT_PORT_KIND_CLASSROOM;
  self->chip = chip;
  return self;
}

EspritPortItem *
esprit_port_item_new_ota (EspritPortKind  kind,
                          const char     *id,
                          const char     *label,
                          EspritChip      chip,
                          const char     *host,
                          guint16         port,
                          gboolean        auth)
{
  EspritPortItem *self;

  g_return_val_if_fail (kind == ESPRIT_PORT_KIND_OTA || kind == ESPRIT_PORT_KIND_OTA_VIRTUAL,
                        NULL);
  g_return_val_if_fail (id != NULL && label != NULL, NULL);

  self = g_object_new (ESPRIT_TYPE_PORT_ITEM, NULL);
  self->id = g_strdup (id);
  self->label = g_strdup (label);
  self->kind = kind;
  self->chip = chip;
  self->host = g_strdup (host);
  self->ota_port = port;
  self->auth = auth;
  return self;
}

EspritPortItem *
esprit_port_item_new_add (void)
{
  EspritPortItem *self = g_object_new (ESPRIT_TYPE_PORT_ITEM, NULL);

  self->id = g_strdup ("ota:add");
  self->label = g_strdup (_("Add a board by address…"));
  self->kind = ESPRIT_PORT_KIND_ADD;
  return self;
}

const char *
esprit_port_item_get_host (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), NULL);
  return self->host;
}

guint16
esprit_port_item_get_ota_port (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), 0);
  return self->ota_port;
}

gboolean
esprit_port_item_get_auth (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), FALSE);
  return self->auth;
}

gboolean
esprit_port_item_is_ota (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), FALSE);
  return self->kind == ESPRIT_PORT_KIND_OTA || self->kind == ESPRIT_PORT_KIND_OTA_VIRTUAL;
}

const char *
esprit_port_item_get_id (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), NULL);
  return self->id;
}

const char *
esprit_port_item_get_label (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), NULL);
  return self->label;
}

EspritPortKind
esprit_port_item_get_kind (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), ESPRIT_PORT_KIND_REAL);
  return self->kind;
}

EspritChip
esprit_port_item_get_chip (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), ESPRIT_CHIP_AUTO);
  return self->chip;
}

guint16
esprit_port_item_get_vid (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), 0);
  return self->vid;
}

guint16
esprit_port_item_get_pid (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), 0);
  return self->pid;
}

char *
esprit_port_item_dup_open_name (EspritPortItem *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (self), NULL);

  if (self->kind == ESPRIT_PORT_KIND_VIRTUAL &&
      g_strcmp0 (g_getenv ("ESPRIT_SIM_TIMING"), "1") == 0)
    return g_strconcat (self->id, strchr (self->id, '?') ? "&timing=1" : "?timing=1", NULL);
  return g_strdup (self->id);
}

/* esprit-port-registry.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-port"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-port-registry.h"

typedef struct {
  char               *prefix;
  EspritPortOpenFunc  func;
  gpointer            user_data;
  GDestroyNotify      destroy;
} Scheme;

struct _EspritPortRegistry
{
  GObject    parent_instance;

  GMutex     lock;
  GPtrArray *schemes;   /* Scheme */
};

G_DEFINE_FINAL_TYPE (EspritPortRegistry, esprit_port_registry, G_TYPE_OBJECT)

static void
scheme_free (gpointer data)
{
  Scheme *s = data;

  if (s->destroy)
    s->destroy (s->user_data);
  g_free (s->prefix);
  g_free (s);
}

static void
esprit_port_registry_finalize (GObject *object)
{
  EspritPortRegistry *self = ESPRIT_PORT_REGISTRY (object);

  g_ptr_array_unref (self->schemes);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (esprit_port_registry_parent_class)->finalize (object);
}

static void
esprit_port_registry_class_init (EspritPortRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = esprit_port_registry_finalize;
}

static void
esprit_port_registry_init (EspritPortRegistry *self)
{
  g_mutex_init (&self->lock);
  self->schemes = g_ptr_array_new_with_free_func (scheme_free);
}

EspritPortRegistry *
esprit_port_registry_new (void)
{
  return g_object_new (ESPRIT_TYPE_PORT_REGISTRY, NULL);
}

EspritPortRegistry *
esprit_port_registry_get_default (void)
{
  static EspritPortRegistry *registry;

  if (g_once_init_enter (&registry))
    g_once_init_leave (&registry, esprit_port_registry_new ());
  return registry;
}

static Scheme *
find_locked (EspritPortRegistry *self,
             const char         *port,
             gboolean            exact)
{
  for (guint i = 0; i < self->schemes->len; i++)
    {
      Scheme *s = self->schemes->pdata[i];

      if (exact ? g_str_equal (s->prefix, port) : g_str_has_prefix (port, s->prefix))
        return s;
    }
  return NULL;
}

void
esprit_port_registry_add_scheme (EspritPortRegistry *self,
                                 const char         *prefix,
                                 EspritPortOpenFunc  func,
                                 gpointer            user_data,
                                 GDestroyNotify      destroy)
{
  Scheme *s;

  g_return_if_fail (ESPRIT_IS_PORT_REGISTRY (self));
  g_return_if_fail (prefix != NULL && *prefix != '\0' && func != NULL);

  s = g_new0 (Scheme, 1);
  s->prefix = g_strdup (prefix);
  s->func = func;
  s->user_data = user_data;
  s->destroy = destroy;
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->schemes->len; i++)
    if (g_str_equal (((Scheme *) self->schemes->pdata[i])->prefix, prefix))
      {
        g_ptr_array_remove_index (self->schemes, i);
        break;
      }
  g_ptr_array_add (self->schemes, s);
  g_mutex_unlock (&self->lock);
}

gboolean
esprit_port_registry_has_scheme (EspritPortRegistry *self,
                                 const char         *prefix)
{
  gboolean found;

  g_mutex_lock (&self->lock);
  found = find_locked (self, prefix, TRUE) != NULL;
  g_mutex_unlock (&self->lock);
  return found;
}

/* "xyz:rest" with a scheme-like head (letters, digits, +-.), and not a Windows-ish or
 * relative path. socket:// and rfc2217:// are the transport's own. */
static gboolean
looks_like_scheme (const char *port)
{
  const char *colon = strchr (port, ':');

  if (colon == NULL || colon == port || g_str_has_prefix (port, "socket://") ||
      g_str_has_prefix (port, "rfc2217://"))
    return FALSE;
  for (const char *p = port; p < colon; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '-' && *p != '.')
      return FALSE;
  return g_ascii_isalpha (port[0]);
}

EspritTransport *
esprit_port_registry_open (EspritPortRegistry *self,
                           const char         *port,
                           guint               baud,
                           GError            **error)
{
  EspritPortOpenFunc func = NULL;
  gpointer user_data = NULL;
  g_autoptr(GString) known = NULL;
  Scheme *s;

  g_return_val_if_fail (ESPRIT_IS_PORT_REGISTRY (self), NULL);
  g_return_val_if_fail (port != NULL, NULL);

  g_mutex_lock (&self->lock);
  s = find_locked (self, port, FALSE);
  if (s != NULL)
    {
      func = s->func;
      user_data = s->user_data;
    }
  else if (looks_like_scheme (port))
    {
      known = g_string_new ("socket://, rfc2217://");
      for (guint i = 0; i < self->schemes->len; i++)
        g_string_append_printf (known, ", %s", ((Scheme *) self->schemes->pdata[i])->prefix);
    }
  g_mutex_unlock (&self->lock);

  /* Schemes are added at start and live as long as the registry, so calling the function
   * outside the lock is safe, and a slow open does not hold up other sessions. */
  if (func != NULL)
    return func (port, baud, user_data, error);
  if (known != NULL)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
                   _("Unknown kind of port “%s” (known: a device path, %s)"), port, known->str);
      return NULL;
    }
  return esprit_transport_open (port, baud, error);
}

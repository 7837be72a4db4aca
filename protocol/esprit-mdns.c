/* esprit-mdns.c: browse and resolve _arduino._tcp through Avahi's D-Bus API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-mdns"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-mdns.h"

#define AVAHI_NAME      "org.freedesktop.Avahi"
#define AVAHI_SERVER    "org.freedesktop.Avahi.Server"
#define AVAHI_BROWSER   "org.freedesktop.Avahi.ServiceBrowser"
#define AVAHI_IF_UNSPEC (-1)
#define AVAHI_PROTO_UNSPEC (-1)
#define OTA_SERVICE     "_arduino._tcp"

struct _EspritMdnsBrowser {
  GObject          parent_instance;
  GDBusConnection *bus;
  char            *path;
  guint            signal_id;
  GPtrArray       *boards;       /* EspritMdnsBoard, one per (name, interface, protocol) */
  guint            pending;      /* resolves in flight */
  gboolean         all_for_now;
  GCancellable    *cancellable;
};

G_DEFINE_FINAL_TYPE (EspritMdnsBrowser, esprit_mdns_browser, G_TYPE_OBJECT)

enum { SIGNAL_CHANGED, SIGNAL_SETTLED, N_SIGNALS };
static guint signals[N_SIGNALS];

void
esprit_mdns_board_free (EspritMdnsBoard *board)
{
  if (board == NULL)
    return;
  g_free (board->name);
  g_free (board->host);
  g_free (board->address);
  g_free (board->board);
  g_free (board);
}

EspritMdnsBoard *
esprit_mdns_board_copy (const EspritMdnsBoard *b)
{
  EspritMdnsBoard *c = g_memdup2 (b, sizeof *b);

  c->name = g_strdup (b->name);
  c->host = g_strdup (b->host);
  c->address = g_strdup (b->address);
  c->board = g_strdup (b->board);
  return c;
}

static void
esprit_mdns_browser_dispose (GObject *object)
{
  EspritMdnsBrowser *self = ESPRIT_MDNS_BROWSER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->bus != NULL && self->signal_id != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->signal_id);
  self->signal_id = 0;
  if (self->bus != NULL && self->path != NULL)
    g_dbus_connection_call (self->bus, AVAHI_NAME, self->path, AVAHI_BROWSER, "Free", NULL,
                            NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->bus);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->boards, g_ptr_array_unref);
  G_OBJECT_CLASS (esprit_mdns_browser_parent_class)->dispose (object);
}

static void
esprit_mdns_browser_class_init (EspritMdnsBrowserClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esprit_mdns_browser_dispose;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
  signals[SIGNAL_SETTLED] = g_signal_new ("settled", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
}

static void
esprit_mdns_browser_init (EspritMdnsBrowser *self)
{
  self->boards = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_mdns_board_free);
  self->cancellable = g_cancellable_new ();
}

static void
maybe_settled (EspritMdnsBrowser *self)
{
  if (esprit_mdns_browser_is_settled (self))
    g_signal_emit (self, signals[SIGNAL_SETTLED], 0);
}

static int
find (EspritMdnsBrowser *self,
      const char        *name,
      int                interface,
      int                protocol)
{
  for (guint i = 0; i < self->boards->len; i++)
    {
      EspritMdnsBoard *b = g_ptr_array_index (self->boards, i);

      if (g_str_equal (b->name, name) && b->interface == interface && b->protocol == protocol)
        return (int) i;
    }
  return -1;
}

/* TXT entries arrive as byte arrays "key=value". */
static void
parse_txt (EspritMdnsBoard *b,
           GVariant        *txt)
{
  GVariantIter iter;
  GVariant *item;

  g_variant_iter_init (&iter, txt);
  while ((item = g_variant_iter_next_value (&iter)) != NULL)
    {
      gsize n;
      const guint8 *d = g_variant_get_fixed_array (item, &n, 1);
      g_autofree char *entry = g_strndup ((const char *) d, n);
      char *eq = strchr (entry, '=');

      g_variant_unref (item);
      if (eq == NULL)
        continue;
      *eq++ = '\0';
      if (g_ascii_strcasecmp (entry, "board") == 0)
        {
          g_free (b->board);
          b->board = g_strdup (eq);
        }
      else if (g_ascii_strcasecmp (entry, "auth_upload") == 0)
        b->auth_upload = g_ascii_strcasecmp (eq, "yes") == 0;
      else if (g_ascii_strcasecmp (entry, "tcp_check") == 0)
        b->tcp_check = g_ascii_strcasecmp (eq, "yes") == 0;
      else if (g_ascii_strcasecmp (entry, "ssh_upload") == 0)
        b->ssh_upload = g_ascii_strcasecmp (eq, "yes") == 0;
    }
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(EspritMdnsBrowser) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             &error);
  g_autoptr(GVariant) txt = NULL;
  EspritMdnsBoard *b;
  const char *name, *host, *address;
  int interface, protocol, aprotocol, i;
  guint16 port;
  guint32 flags;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->boards == NULL)
    return;
  self->pending--;
  if (reply == NULL)
    {
      g_debug ("resolve failed: %s", error->message);   /* gone again, or timed out */
      maybe_settled (self);
      return;
    }
  g_variant_get (reply, "(ii&s&s&s&si&sq@aayu)", &interface, &protocol, &name, NULL, NULL,
                 &host, &aprotocol, &address, &port, &txt, &flags);
  b = g_new0 (EspritMdnsBoard, 1);
  b->name = g_strdup (name);
  b->host = g_strdup (host);
  b->address = g_strdup (address);
  b->port = port;
  b->interface = interface;
  b->protocol = protocol;
  parse_txt (b, txt);
  i = find (self, name, interface, protocol);
  if (i >= 0)
    g_ptr_array_remove_index (self->boards, i);
  g_ptr_array_add (self->boards, b);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  maybe_settled (self);
}

static void
on_signal (GDBusConnection *bus,
           const char      *sender,
           const char      *path,
           const char      *interface_name,
           const char      *signal,
           GVariant        *params,
           gpointer         user_data)
{
  EspritMdnsBrowser *self = user_data;

  if (g_strcmp0 (path, self->path) != 0)
    return;
  if (g_str_equal (signal, "ItemNew") || g_str_equal (signal, "ItemRemove"))
    {
      int interface, protocol;
      const char *name, *type, *domain;
      guint32 flags;

      g_variant_get (params, "(ii&s&s&su)", &interface, &protocol, &name, &type, &domain, &flags);
      if (g_str_equal (signal, "ItemRemove"))
        {
          int i = find (self, name, interface, protocol);

          if (i >= 0)
            {
              g_ptr_array_remove_index (self->boards, i);
              g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
            }
          return;
        }
      self->pending++;
      g_dbus_connection_call (bus, AVAHI_NAME, "/", AVAHI_SERVER, "ResolveService",
                              g_variant_new ("(iisssiu)", interface, protocol, name, type, domain,
                                             AVAHI_PROTO_UNSPEC, 0u),
                              G_VARIANT_TYPE ("(iissssisqaayu)"), G_DBUS_CALL_FLAGS_NONE,
                              10000, self->cancellable, on_resolved, g_object_ref (self));
    }
  else if (g_str_equal (signal, "AllForNow"))
    {
      self->all_for_now = TRUE;
      maybe_settled (self);
    }
  else if (g_str_equal (signal, "Failure"))
    {
      const char *text;

      g_variant_get (params, "(&s)", &text);
      g_warning ("Avahi: %s", text);
      self->all_for_now = TRUE;
      maybe_settled (self);
    }
}

static void
no_avahi (GError     **error,
          const char  *why)
{
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
               _("Boards on the network cannot be discovered: Avahi, the system's mDNS "
                 "service, is not available (%s). Start avahi-daemon, or give the board's "
                 "address with --host."), why);
}

EspritMdnsBrowser *
esprit_mdns_browser_new (GError **error)
{
  g_autoptr(EspritMdnsBrowser) self = g_object_new (ESPRIT_TYPE_MDNS_BROWSER, NULL);
  g_autoptr(GError) e = NULL;
  g_autoptr(GVariant) reply = NULL;

  self->bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &e);
  if (self->bus == NULL)
    {
      no_avahi (error, e->message);
      return NULL;
    }
  /* Subscribed before the browser exists: Avahi may emit ItemNew before
   * ServiceBrowserNew's reply arrives. */
  self->signal_id = g_dbus_connection_signal_subscribe (self->bus, NULL, AVAHI_BROWSER, NULL,
                                                        NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                        on_signal, self, NULL);
  reply = g_dbus_connection_call_sync (self->bus, AVAHI_NAME, "/", AVAHI_SERVER,
                                       "ServiceBrowserNew",
                                       g_variant_new ("(iissu)", AVAHI_IF_UNSPEC,
                                                      AVAHI_PROTO_UNSPEC, OTA_SERVICE, "", 0u),
                                       G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, 5000,
                                       NULL, &e);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (e);
      no_avahi (error, e->message);
      return NULL;
    }
  g_variant_get (reply, "(o)", &self->path);
  return g_steal_pointer (&self);
}

gboolean
esprit_mdns_browser_is_settled (EspritMdnsBrowser *self)
{
  return self->all_for_now && self->pending == 0;
}

static int
compare_boards (gconstpointer a,
                gconstpointer b)
{
  const EspritMdnsBoard *x = *(EspritMdnsBoard **) a, *y = *(EspritMdnsBoard **) b;

  return g_utf8_collate (x->name, y->name);
}

GPtrArray *
esprit_mdns_browser_dup_boards (EspritMdnsBrowser *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_mdns_board_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  /* One entry per name; ArduinoOTA answers on IPv4 (§7.3), so that address wins. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < self->boards->len; i++)
      {
        EspritMdnsBoard *b = g_ptr_array_index (self->boards, i);

        if ((pass == 0) != (b->protocol == 0) || g_hash_table_contains (seen, b->name))
          continue;
        g_hash_table_add (seen, b->name);
        g_ptr_array_add (out, esprit_mdns_board_copy (b));
      }
  g_ptr_array_sort (out, compare_boards);
  return out;
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

GPtrArray *
esprit_mdns_list_sync (guint          timeout_ms,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(EspritMdnsBrowser) browser = NULL;
  g_autoptr(GSource) timer = g_timeout_source_new (timeout_ms);
  gboolean expired = FALSE;
  GPtrArray *boards;

  g_main_context_push_thread_default (context);
  browser = esprit_mdns_browser_new (error);
  if (browser == NULL)
    {
      g_main_context_pop_thread_default (context);
      return NULL;
    }
  g_source_set_callback (timer, on_timeout, &expired, NULL);
  g_source_attach (timer, context);
  while (!expired && !esprit_mdns_browser_is_settled (browser) &&
         !g_cancellable_is_cancelled (cancellable))
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timer);
  boards = esprit_mdns_browser_dup_boards (browser);
  g_clear_object (&browser);
  /* Let the cancelled calls finish on this context before it goes. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  return boards;
}

static gboolean
name_matches (const EspritMdnsBoard *b,
              const char            *name)
{
  g_autofree char *bare = g_str_has_suffix (name, ".local")
                          ? g_strndup (name, strlen (name) - 6) : g_strdup (name);
  g_autofree char *host_bare = b->host && g_str_has_suffix (b->host, ".local")
                               ? g_strndup (b->host, strlen (b->host) - 6) : g_strdup (b->host);

  return g_ascii_strcasecmp (b->name, bare) == 0 ||
         (host_bare != NULL && g_ascii_strcasecmp (host_bare, bare) == 0);
}

EspritMdnsBoard *
esprit_mdns_lookup_sync (const char    *name,
                         guint          timeout_ms,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GPtrArray) boards = esprit_mdns_list_sync (timeout_ms, cancellable, error);

  if (boards == NULL)
    return NULL;
  for (guint i = 0; i < boards->len; i++)
    if (name_matches (g_ptr_array_index (boards, i), name))
      return esprit_mdns_board_copy (g_ptr_array_index (boards, i));
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NOT_FOUND,
               _("No board called “%s” announces itself on the network. Check that it is on "
                 "and runs a sketch with ArduinoOTA, or give its address."), name);
  return NULL;
}

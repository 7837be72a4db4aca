/* esprit-port-monitor.c
 *
 * Two sources of ports: the system's serial ports (kept up to date by udev events, or by
 * polling esprit_port_list()) and the paths matching the patterns a caller added (always
 * polled). Each is a table path → EspritPortInfo; a change to either is announced as
 * "port-removed" then "port-added", in path order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-port-monitor"

#include "config.h"

#include <glob.h>
#include <stdlib.h>

#include "esprit-port-monitor.h"
#include "esprit-port-monitor-private.h"

#define DEFAULT_INTERVAL_MS 2000

struct _EspritPortMonitor
{
  GObject                   parent_instance;

  EspritPortMonitorBackend  backend;
  guint                     interval_ms;
  gboolean                  esp_only;
  GPtrArray                *patterns;
  GHashTable               *system;    /* path → EspritPortInfo */
  GHashTable               *matched;   /* path → EspritPortInfo, from the patterns */
  GMainContext             *context;
  GSource                  *timer;
#ifdef HAVE_GUDEV
  EspritPortUdev           *udev;
#endif
};

enum {
  PORT_ADDED,
  PORT_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EspritPortMonitor, esprit_port_monitor, G_TYPE_OBJECT)

static void
esprit_port_monitor_dispose (GObject *object)
{
  EspritPortMonitor *self = ESPRIT_PORT_MONITOR (object);

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
#ifdef HAVE_GUDEV
  g_clear_pointer (&self->udev, _esprit_port_udev_free);
#endif
  G_OBJECT_CLASS (esprit_port_monitor_parent_class)->dispose (object);
}

static void
esprit_port_monitor_finalize (GObject *object)
{
  EspritPortMonitor *self = ESPRIT_PORT_MONITOR (object);

  g_ptr_array_unref (self->patterns);
  g_hash_table_unref (self->system);
  g_hash_table_unref (self->matched);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (esprit_port_monitor_parent_class)->finalize (object);
}

static void
esprit_port_monitor_class_init (EspritPortMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esprit_port_monitor_dispose;
  object_class->finalize = esprit_port_monitor_finalize;

  /**
   * EspritPortMonitor::port-added:
   * @info: the port (its path, USB ids, serial and label)
   *
   * A port appeared, or one changed (then it was "port-removed" just before).
   */
  signals[PORT_ADDED] =
    g_signal_new ("port-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, ESPRIT_TYPE_PORT_INFO | G_SIGNAL_TYPE_STATIC_SCOPE);
  /**
   * EspritPortMonitor::port-removed:
   * @info: the port as it was when it was there
   *
   * A port went away: the board was unplugged.
   */
  signals[PORT_REMOVED] =
    g_signal_new ("port-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, ESPRIT_TYPE_PORT_INFO | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
esprit_port_monitor_init (EspritPortMonitor *self)
{
  self->interval_ms = DEFAULT_INTERVAL_MS;
  self->patterns = g_ptr_array_new_with_free_func (g_free);
  self->system = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) esprit_port_info_free);
  self->matched = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) esprit_port_info_free);
  self->context = g_main_context_ref_thread_default ();
}

static int
compare_path (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 ((*(EspritPortInfo * const *) a)->path, (*(EspritPortInfo * const *) b)->path);
}

static gboolean
wanted (EspritPortMonitor    *self,
        const EspritPortInfo *info)
{
  return !self->esp_only || esprit_port_is_esp_bridge (info->vid, info->pid);
}

/* Makes @table hold @ports (taken), announcing the difference once @table is up to date. */
static void
sync_table (EspritPortMonitor *self,
            GHashTable        *table,
            GPtrArray         *ports)
{
  g_autoptr(GHashTable) old = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                     (GDestroyNotify) esprit_port_info_free);
  g_autoptr(GPtrArray) removed = g_ptr_array_new ();
  g_autoptr(GPtrArray) added = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  /* The old entries stay alive in @old until their "port-removed" is out. */
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_iter_steal (&iter);
      g_hash_table_insert (old, ((EspritPortInfo *) value)->path, value);
    }
  for (guint i = 0; i < ports->len; i++)
    {
      EspritPortInfo *info = ports->pdata[i];

      if (g_hash_table_contains (table, info->path))
        continue;   /* the same path twice: the first one counts */
      g_hash_table_insert (table, info->path, g_steal_pointer (&ports->pdata[i]));
    }
  g_ptr_array_unref (ports);

  g_hash_table_iter_init (&iter, old);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      EspritPortInfo *now = g_hash_table_lookup (table, ((EspritPortInfo *) value)->path);

      if (now == NULL || !esprit_port_info_equal (now, value))
        g_ptr_array_add (removed, value);
    }
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      EspritPortInfo *before = g_hash_table_lookup (old, ((EspritPortInfo *) value)->path);

      if (before == NULL || !esprit_port_info_equal (before, value))
        g_ptr_array_add (added, value);
    }
  g_ptr_array_sort (removed, compare_path);
  g_ptr_array_sort (added, compare_path);
  for (guint i = 0; i < removed->len; i++)
    g_signal_emit (self, signals[PORT_REMOVED], 0, removed->pdata[i]);
  for (guint i = 0; i < added->len; i++)
    g_signal_emit (self, signals[PORT_ADDED], 0, added->pdata[i]);
}

static GPtrArray *
list_system (EspritPortMonitor *self)
{
  g_autoptr(GPtrArray) all = NULL;
  GPtrArray *ports = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);

#ifdef HAVE_GUDEV
  if (self->udev != NULL)
    all = _esprit_port_udev_list (self->udev);
#endif
  if (all == NULL)
    all = esprit_port_list ();
  for (guint i = 0; i < all->len; i++)
    if (wanted (self, all->pdata[i]))
      g_ptr_array_add (ports, esprit_port_info_copy (all->pdata[i]));
  return ports;
}

static GPtrArray *
list_matched (EspritPortMonitor *self)
{
  GPtrArray *ports = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);

  for (guint i = 0; i < self->patterns->len; i++)
    {
      glob_t g = { 0 };

      if (glob (self->patterns->pdata[i], 0, NULL, &g) == 0)
        for (gsize k = 0; k < g.gl_pathc; k++)
          {
            const char *path = g.gl_pathv[k];
            g_autofree char *target = NULL;
            EspritPortInfo *info;

            /* A symlink to a pty that closed dangles: that board is unplugged. */
            if (g_hash_table_contains (self->system, path) ||
                !g_file_test (path, G_FILE_TEST_EXISTS))
              continue;
            /* Named by what it points to: a link moved to another pty (a board unplugged and
             * plugged in again between two looks) is another port. */
            target = realpath (path, NULL);
            info = g_new0 (EspritPortInfo, 1);
            info->path = g_strdup (path);
            esprit_port_info_set_label (info, target);
            g_ptr_array_add (ports, info);
          }
      globfree (&g);
    }
  return ports;
}

void
esprit_port_monitor_rescan (EspritPortMonitor *self)
{
  g_return_if_fail (ESPRIT_IS_PORT_MONITOR (self));

  if (self->backend == ESPRIT_PORT_MONITOR_POLL)
    sync_table (self, self->system, list_system (self));
  if (self->patterns->len > 0)
    sync_table (self, self->matched, list_matched (self));
}

static gboolean
on_timer (gpointer data)
{
  esprit_port_monitor_rescan (data);
  return G_SOURCE_CONTINUE;
}

static void
update_timer (EspritPortMonitor *self)
{
  gboolean needed = self->backend == ESPRIT_PORT_MONITOR_POLL || self->patterns->len > 0;

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (!needed)
    return;
  self->timer = g_timeout_source_new (self->interval_ms);
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_set_static_name (self->timer, "[esprit] port poll");
  g_source_attach (self->timer, self->context);
}

#ifdef HAVE_GUDEV
static void
on_udev (gboolean        added,
         EspritPortInfo *info,
         gpointer        data)
{
  EspritPortMonitor *self = data;
  EspritPortInfo *before = g_hash_table_lookup (self->system, info->path);

  if (before != NULL && (!added || !esprit_port_info_equal (before, info)))
    {
      g_hash_table_steal (self->system, info->path);
      g_signal_emit (self, signals[PORT_REMOVED], 0, before);
      esprit_port_info_free (before);
      before = NULL;
    }
  if (added && before == NULL && wanted (self, info))
    {
      EspritPortInfo *copy = esprit_port_info_copy (info);

      g_hash_table_insert (self->system, copy->path, copy);
      g_signal_emit (self, signals[PORT_ADDED], 0, copy);
    }
}
#endif

static EspritPortMonitorBackend
choose_backend (EspritPortMonitorBackend backend)
{
  const char *env = g_getenv ("ESPRIT_PORT_MONITOR");

  if (backend == ESPRIT_PORT_MONITOR_AUTO && g_strcmp0 (env, "poll") == 0)
    return ESPRIT_PORT_MONITOR_POLL;
  if (backend == ESPRIT_PORT_MONITOR_AUTO && g_strcmp0 (env, "udev") == 0)
    backend = ESPRIT_PORT_MONITOR_UDEV;
  if (backend == ESPRIT_PORT_MONITOR_AUTO)
    {
      /* Inside Flatpak udev's events do not reach the sandbox, even where --device=all
       * shows /run/udev; outside, udevd runs when its control socket exists (what libudev
       * itself checks), and umockdev's test bed (UMOCKDEV_DIR) sends events of its own. */
      if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) ||
          (!g_file_test ("/run/udev/control", G_FILE_TEST_EXISTS) &&
           g_getenv ("UMOCKDEV_DIR") == NULL))
        return ESPRIT_PORT_MONITOR_POLL;
      backend = ESPRIT_PORT_MONITOR_UDEV;
    }
#ifndef HAVE_GUDEV
  backend = ESPRIT_PORT_MONITOR_POLL;
#endif
  return backend;
}

EspritPortMonitor *
esprit_port_monitor_new (EspritPortMonitorBackend backend)
{
  EspritPortMonitor *self = g_object_new (ESPRIT_TYPE_PORT_MONITOR, NULL);

  self->backend = choose_backend (backend);
#ifdef HAVE_GUDEV
  if (self->backend == ESPRIT_PORT_MONITOR_UDEV)
    {
      self->udev = _esprit_port_udev_new (on_udev, self);
      if (self->udev == NULL)
        self->backend = ESPRIT_PORT_MONITOR_POLL;
    }
#endif
  g_debug ("following serial ports by %s",
           self->backend == ESPRIT_PORT_MONITOR_UDEV ? "udev" : "polling");
  /* The ports already there are the starting point, not news. */
  sync_table (self, self->system, list_system (self));
  update_timer (self);
  return self;
}

EspritPortMonitorBackend
esprit_port_monitor_get_backend (EspritPortMonitor *self)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_MONITOR (self), ESPRIT_PORT_MONITOR_POLL);
  return self->backend;
}

void
esprit_port_monitor_set_interval (EspritPortMonitor *self,
                                  guint              interval_ms)
{
  g_return_if_fail (ESPRIT_IS_PORT_MONITOR (self));
  g_return_if_fail (interval_ms > 0);

  self->interval_ms = interval_ms;
  update_timer (self);
}

void
esprit_port_monitor_set_esp_only (EspritPortMonitor *self,
                                  gboolean           esp_only)
{
  g_return_if_fail (ESPRIT_IS_PORT_MONITOR (self));

  if (self->esp_only == !!esp_only)
    return;
  self->esp_only = !!esp_only;
  sync_table (self, self->system, list_system (self));
}

void
esprit_port_monitor_add_pattern (EspritPortMonitor *self,
                                 const char        *pattern)
{
  g_return_if_fail (ESPRIT_IS_PORT_MONITOR (self));
  g_return_if_fail (pattern != NULL);

  for (guint i = 0; i < self->patterns->len; i++)
    if (g_str_equal (self->patterns->pdata[i], pattern))
      return;
  g_ptr_array_add (self->patterns, g_strdup (pattern));
  sync_table (self, self->matched, list_matched (self));
  update_timer (self);
}

GPtrArray *
esprit_port_monitor_dup_ports (EspritPortMonitor *self)
{
  GPtrArray *ports = g_ptr_array_new_with_free_func ((GDestroyNotify) esprit_port_info_free);
  GHashTable *tables[] = { self->system, self->matched };

  g_return_val_if_fail (ESPRIT_IS_PORT_MONITOR (self), ports);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, tables[t]);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_ptr_array_add (ports, esprit_port_info_copy (value));
    }
  g_ptr_array_sort (ports, compare_path);
  return ports;
}

gboolean
esprit_port_monitor_has_port (EspritPortMonitor *self,
                              const char        *path)
{
  g_return_val_if_fail (ESPRIT_IS_PORT_MONITOR (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return g_hash_table_contains (self->system, path) || g_hash_table_contains (self->matched, path);
}

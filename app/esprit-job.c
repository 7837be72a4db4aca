/* esprit-job.c
 *
 * The worker never touches GTK: it stores progress and log lines under a lock and queues one
 * flush on the main context at a time (STYLE house rule 8), so however fast the protocol
 * reports, the window sees at most one update per main-loop turn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-job"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-error.h"
#include "esprit-job.h"

struct _EspritJob
{
  GObject            parent_instance;

  char              *title;
  char              *port;
  EspritConnectOptions options;
  gboolean           connect;
  gboolean           detached;
  EspritJobFunc      func;
  gpointer           data;
  GDestroyNotify     destroy;

  GMainContext      *context;
  GCancellable      *cancellable;
  gboolean           running;
  GError            *error;

  /* Shared with the worker, under the lock. */
  GMutex             lock;
  EspritPhase        phase;
  guint64            done;
  guint64            total;
  gboolean           progress_changed;
  GPtrArray         *lines;
  gint               update_queued;
};

enum {
  SIGNAL_PROGRESS,
  SIGNAL_LOG,
  SIGNAL_FINISHED,
  N_SIGNALS
};

enum {
  PROP_0,
  PROP_RUNNING,
  N_PROPS
};

static guint signals[N_SIGNALS];
static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EspritJob, esprit_job, G_TYPE_OBJECT)

static void
esprit_job_finalize (GObject *object)
{
  EspritJob *self = ESPRIT_JOB (object);

  if (self->destroy)
    self->destroy (self->data);
  g_clear_object (&self->options.registry);
  g_free (self->port);
  g_clear_error (&self->error);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_ptr_array_unref (self->lines);
  g_mutex_clear (&self->lock);
  g_free (self->title);
  G_OBJECT_CLASS (esprit_job_parent_class)->finalize (object);
}

static void
esprit_job_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, ESPRIT_JOB (object)->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esprit_job_class_init (EspritJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = esprit_job_finalize;
  object_class->get_property = esprit_job_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EspritJob::progress:
   * @phase: an #EspritPhase
   * @done: bytes done in this phase
   * @total: bytes in this phase, 0 when unknown
   *
   * Coalesced progress, on the main context.
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_UINT64, G_TYPE_UINT64);
  /**
   * EspritJob::log:
   * @line: a line the command line would print
   */
  signals[SIGNAL_LOG] =
    g_signal_new ("log", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /**
   * EspritJob::finished:
   *
   * The job is over; esprit_job_get_error() says how.
   */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
esprit_job_init (EspritJob *self)
{
  g_mutex_init (&self->lock);
  self->lines = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
}

EspritJob *
esprit_job_new (const char                 *title,
                const char                 *port,
                const EspritConnectOptions *options,
                gboolean                    connect,
                EspritJobFunc               func,
                gpointer                    data,
                GDestroyNotify              destroy)
{
  EspritJob *self = g_object_new (ESPRIT_TYPE_JOB, NULL);

  self->title = g_strdup (title);
  self->port = g_strdup (port);
  self->options = *options;
  if (self->options.registry != NULL)
    g_object_ref (self->options.registry);
  self->connect = connect;
  self->func = func;
  self->data = data;
  self->destroy = destroy;
  return self;
}

EspritJob *
esprit_job_new_detached (const char     *title,
                         const char     *port,
                         EspritJobFunc   func,
                         gpointer        data,
                         GDestroyNotify  destroy)
{
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  EspritJob *self = esprit_job_new (title, port, &options, FALSE, func, data, destroy);

  self->detached = TRUE;
  return self;
}

GMainContext *
esprit_job_get_context (EspritJob *self)
{
  return self->context;
}

GCancellable *
esprit_job_get_cancellable (EspritJob *self)
{
  return self->cancellable;
}

const char *
esprit_job_get_title (EspritJob *self)
{
  return self->title;
}

const char *
esprit_job_get_port (EspritJob *self)
{
  return self->port;
}

gboolean
esprit_job_get_running (EspritJob *self)
{
  return self->running;
}

const GError *
esprit_job_get_error (EspritJob *self)
{
  return self->error;
}

/* Main context: hand what the worker gathered to the window. */
static gboolean
flush_updates (gpointer data)
{
  EspritJob *self = data;
  g_autoptr(GPtrArray) lines = NULL;
  gboolean changed;
  EspritPhase phase;
  guint64 done, total;

  g_atomic_int_set (&self->update_queued, FALSE);
  g_mutex_lock (&self->lock);
  lines = g_steal_pointer (&self->lines);
  self->lines = g_ptr_array_new_with_free_func (g_free);
  changed = self->progress_changed;
  self->progress_changed = FALSE;
  phase = self->phase;
  done = self->done;
  total = self->total;
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < lines->len; i++)
    g_signal_emit (self, signals[SIGNAL_LOG], 0, lines->pdata[i]);
  if (changed)
    g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, (int) phase, done, total);
  return G_SOURCE_REMOVE;
}

static void
queue_update (EspritJob *self)
{
  g_autoptr(GSource) source = NULL;

  if (g_atomic_int_exchange (&self->update_queued, TRUE))
    return;
  /* Always through a source: g_main_context_invoke_full() runs the function in the calling
   * (worker) thread whenever no thread holds the context at that moment, and the listeners
   * touch widgets. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, flush_updates, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[esprit] job updates");
  g_source_attach (source, self->context);
}

void
esprit_job_progress (EspritPhase phase,
                     guint64     done,
                     guint64     total,
                     gpointer    job)
{
  EspritJob *self = job;

  g_mutex_lock (&self->lock);
  self->phase = phase;
  self->done = done;
  self->total = total;
  self->progress_changed = TRUE;
  g_mutex_unlock (&self->lock);
  queue_update (self);
}

void
esprit_job_log (EspritJob  *self,
                const char *line)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->lines, g_strdup (line));
  g_mutex_unlock (&self->lock);
  queue_update (self);
}

static void
on_session_event (EspritSession     *session,
                  const EspritEvent *event,
                  gpointer           user_data)
{
  EspritJob *self = user_data;

  switch (event->kind)
    {
    case ESPRIT_EVENT_PROGRESS:
      esprit_job_progress (event->phase, event->done, event->total, self);
      break;
    case ESPRIT_EVENT_LOG:
      /* Progress lines would flood the log: the progress bar shows them. */
      if (event->level == ESPRIT_LOG_PROGRESS || event->level == ESPRIT_LOG_TRACE)
        break;
      if (event->level == ESPRIT_LOG_WARNING)
        {
          g_autofree char *w = g_strdup_printf (_("Warning: %s"), event->line);

          esprit_job_log (self, w);
        }
      else
        esprit_job_log (self, event->line);
      break;
    default:
      break;
    }
}

static void
job_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  EspritJob *self = source;
  g_autoptr(EspritSession) session = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (self->detached)
    {
      if (self->func (self, NULL, self->data, cancellable, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  session = esprit_session_new (self->port, &self->options);
  esprit_session_set_event_func (session, on_session_event, self, NULL);
  ok = self->connect ? esprit_session_connect (session, cancellable, &error)
                     : esprit_session_open (session, cancellable, &error);
  if (ok)
    ok = self->func (self, session, self->data, cancellable, &error);
  /* Done: the board is left as the options say (a restart, usually). */
  if (ok && self->connect)
    esprit_session_finish (session, NULL, NULL);
  esprit_session_close (session);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
job_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  EspritJob *self = ESPRIT_JOB (source);

  g_task_propagate_boolean (G_TASK (result), &self->error);
  /* Deliver what the worker queued last before saying it is over. */
  flush_updates (self);
  self->running = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

void
esprit_job_run (EspritJob *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (!self->running);

  self->context = g_main_context_ref_thread_default ();
  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  task = g_task_new (self, self->cancellable, job_done, NULL);
  g_task_set_source_tag (task, esprit_job_run);
  g_task_run_in_thread (task, job_thread);
}

void
esprit_job_cancel (EspritJob *self)
{
  g_cancellable_cancel (self->cancellable);
}

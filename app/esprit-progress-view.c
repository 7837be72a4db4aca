/* esprit-progress-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-progress-view"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-progress-view.h"

struct _EspritProgressView
{
  GtkWidget       parent_instance;

  /* template */
  GtkRevealer    *revealer;
  GtkLabel       *phase_label;
  GtkProgressBar *progress_bar;
  GtkLabel       *detail_label;

  GtkTextView    *log_view;
  EspritJob      *job;
  int             percent;
  /* The rate is measured from the start of each phase. */
  int             phase;
  gint64          phase_start;
  guint64         phase_done0;
};

enum {
  PROP_0,
  PROP_JOB,
  PROP_LOG_VIEW,
  PROP_PERCENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EspritProgressView, esprit_progress_view, GTK_TYPE_WIDGET)

static void
set_percent (EspritProgressView *self,
             int                 percent)
{
  if (self->percent == percent)
    return;
  self->percent = percent;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERCENT]);
}

static void
on_job_log (EspritJob          *job,
            const char         *line,
            EspritProgressView *self)
{
  esprit_progress_view_append_log (self, line);
}

static void
on_job_progress (EspritJob          *job,
                 int                 phase,
                 guint64             done,
                 guint64             total,
                 EspritProgressView *self)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *detail = NULL;
  g_autofree char *d = NULL;
  g_autofree char *t = NULL;
  double secs, rate;

  if (phase != self->phase)
    {
      self->phase = phase;
      self->phase_start = now;
      self->phase_done0 = done;
    }
  gtk_label_set_text (self->phase_label, esprit_phase_name (phase));
  if (total == 0)
    {
      gtk_progress_bar_pulse (self->progress_bar);
      gtk_label_set_text (self->detail_label, "");
      set_percent (self, -1);
      return;
    }
  gtk_progress_bar_set_fraction (self->progress_bar, (double) done / total);
  set_percent (self, (int) (100 * done / total));

  d = g_format_size (done);
  t = g_format_size (total);
  secs = (now - self->phase_start) / 1e6;
  /* Only after a fifth of a second: the first blocks say nothing about the speed. */
  rate = secs > 0.2 ? (done - self->phase_done0) / secs : 0;
  if (rate > 0)
    {
      g_autofree char *r = g_format_size ((guint64) rate);
      guint left = (guint) ((total - done) / rate + 0.5);

      /* Translators: "120 kB of 226 kB · 45 kB/s · 3 s left" */
      detail = g_strdup_printf (_("%s of %s · %s/s · %u s left"), d, t, r, left);
    }
  else
    detail = g_strdup_printf (_("%s of %s"), d, t);
  gtk_label_set_text (self->detail_label, detail);
}

static void
on_job_finished (EspritJob          *job,
                 EspritProgressView *self)
{
  gtk_revealer_set_reveal_child (self->revealer, FALSE);
  set_percent (self, -1);
}

void
esprit_progress_view_set_job (EspritProgressView *self,
                              EspritJob          *job)
{
  g_return_if_fail (ESPRIT_IS_PROGRESS_VIEW (self));
  g_return_if_fail (job == NULL || ESPRIT_IS_JOB (job));

  if (self->job == job)
    return;
  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_set_object (&self->job, job);
  if (job != NULL)
    {
      g_signal_connect_object (job, "log", G_CALLBACK (on_job_log), self, 0);
      g_signal_connect_object (job, "progress", G_CALLBACK (on_job_progress), self, 0);
      g_signal_connect_object (job, "finished", G_CALLBACK (on_job_finished), self, 0);
      self->phase = -1;
      gtk_label_set_text (self->phase_label, esprit_job_get_title (job));
      gtk_label_set_text (self->detail_label, "");
      gtk_progress_bar_set_fraction (self->progress_bar, 0);
    }
  gtk_revealer_set_reveal_child (self->revealer, job != NULL && esprit_job_get_running (job));
  set_percent (self, -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB]);
}

EspritJob *
esprit_progress_view_get_job (EspritProgressView *self)
{
  g_return_val_if_fail (ESPRIT_IS_PROGRESS_VIEW (self), NULL);
  return self->job;
}

void
esprit_progress_view_set_log_view (EspritProgressView *self,
                                   GtkTextView        *log_view)
{
  g_return_if_fail (ESPRIT_IS_PROGRESS_VIEW (self));
  g_return_if_fail (log_view == NULL || GTK_IS_TEXT_VIEW (log_view));

  if (g_set_object (&self->log_view, log_view))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_VIEW]);
}

GtkTextView *
esprit_progress_view_get_log_view (EspritProgressView *self)
{
  g_return_val_if_fail (ESPRIT_IS_PROGRESS_VIEW (self), NULL);
  return self->log_view;
}

void
esprit_progress_view_append_log (EspritProgressView *self,
                                 const char         *line)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;

  g_return_if_fail (ESPRIT_IS_PROGRESS_VIEW (self));
  g_return_if_fail (line != NULL);

  if (self->log_view == NULL)
    return;
  buffer = gtk_text_view_get_buffer (self->log_view);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, line, -1);
  gtk_text_buffer_insert (buffer, &end, "\n", 1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (self->log_view, &end, 0, FALSE, 0, 0);
}

int
esprit_progress_view_get_percent (EspritProgressView *self)
{
  g_return_val_if_fail (ESPRIT_IS_PROGRESS_VIEW (self), -1);
  return self->percent;
}

GtkWidget *
esprit_progress_view_new (void)
{
  return g_object_new (ESPRIT_TYPE_PROGRESS_VIEW, NULL);
}

static void
esprit_progress_view_dispose (GObject *object)
{
  EspritProgressView *self = ESPRIT_PROGRESS_VIEW (object);

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
  g_clear_object (&self->log_view);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPRIT_TYPE_PROGRESS_VIEW);
  G_OBJECT_CLASS (esprit_progress_view_parent_class)->dispose (object);
}

static void
esprit_progress_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  EspritProgressView *self = ESPRIT_PROGRESS_VIEW (object);

  switch (prop_id)
    {
    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;
    case PROP_LOG_VIEW:
      g_value_set_object (value, self->log_view);
      break;
    case PROP_PERCENT:
      g_value_set_int (value, self->percent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esprit_progress_view_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  EspritProgressView *self = ESPRIT_PROGRESS_VIEW (object);

  switch (prop_id)
    {
    case PROP_JOB:
      esprit_progress_view_set_job (self, g_value_get_object (value));
      break;
    case PROP_LOG_VIEW:
      esprit_progress_view_set_log_view (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
esprit_progress_view_class_init (EspritProgressViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esprit_progress_view_dispose;
  object_class->get_property = esprit_progress_view_get_property;
  object_class->set_property = esprit_progress_view_set_property;

  properties[PROP_JOB] =
    g_param_spec_object ("job", NULL, NULL, ESPRIT_TYPE_JOB,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOG_VIEW] =
    g_param_spec_object ("log-view", NULL, NULL, GTK_TYPE_TEXT_VIEW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PERCENT] =
    g_param_spec_int ("percent", NULL, NULL, -1, 100, -1,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esprit/Esprit/ui/esprit-progress-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EspritProgressView, revealer);
  gtk_widget_class_bind_template_child (widget_class, EspritProgressView, phase_label);
  gtk_widget_class_bind_template_child (widget_class, EspritProgressView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EspritProgressView, detail_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
esprit_progress_view_init (EspritProgressView *self)
{
  self->percent = -1;
  self->phase = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
}

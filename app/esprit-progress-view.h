/* esprit-progress-view.h: a job's progress (phase, bar, amount, speed, time left) and its log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "esprit-job.h"

G_BEGIN_DECLS

#define ESPRIT_TYPE_PROGRESS_VIEW (esprit_progress_view_get_type ())
G_DECLARE_FINAL_TYPE (EspritProgressView, esprit_progress_view, ESPRIT, PROGRESS_VIEW, GtkWidget)

GtkWidget   *esprit_progress_view_new          (void);
/* Follows @job from now on: shown with the job's title until it finishes, then hidden;
 * its log lines go to the log view. NULL lets go of the last job. */
void         esprit_progress_view_set_job      (EspritProgressView *self,
                                                EspritJob          *job);
EspritJob   *esprit_progress_view_get_job      (EspritProgressView *self);
/* Where log lines go (the view does not place it; the window keeps the log elsewhere). */
void         esprit_progress_view_set_log_view (EspritProgressView *self,
                                                GtkTextView        *log_view);
GtkTextView *esprit_progress_view_get_log_view (EspritProgressView *self);
/* Adds @line to the log and scrolls to it. */
void         esprit_progress_view_append_log   (EspritProgressView *self,
                                                const char         *line);
/* The running job's progress in percent, -1 when none is known (idle, or a phase of
 * unknown length). */
int          esprit_progress_view_get_percent  (EspritProgressView *self);

G_END_DECLS

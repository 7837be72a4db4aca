/* esprit-job.h: one protocol operation run in a worker thread, reported on the main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-loader.h"

G_BEGIN_DECLS

#define ESPRIT_TYPE_JOB (esprit_job_get_type ())
G_DECLARE_FINAL_TYPE (EspritJob, esprit_job, ESPRIT, JOB, GObject)

/* The work itself, called in the worker thread on a connected loader (or with @loader NULL
 * for jobs created with connect = FALSE). */
typedef gboolean (*EspritJobFunc) (EspritJob     *job,
                                   EspritLoader  *loader,
                                   gpointer       data,
                                   GCancellable  *cancellable,
                                   GError       **error);

/* Makes the transport in the worker (opening a port may block). */
typedef EspritTransport *(*EspritJobOpenFunc) (gpointer   data,
                                               guint      baud,
                                               GError   **error);

EspritJob   *esprit_job_new            (const char         *title,
                                        EspritJobOpenFunc   open,
                                        gpointer            open_data,
                                        GDestroyNotify      open_destroy,
                                        guint               baud,
                                        gboolean            connect,
                                        EspritAfter         after,
                                        EspritJobFunc       func,
                                        gpointer            data,
                                        GDestroyNotify      destroy);
const char  *esprit_job_get_title      (EspritJob          *self);
void         esprit_job_run            (EspritJob          *self);
void         esprit_job_cancel         (EspritJob          *self);
gboolean     esprit_job_get_running    (EspritJob          *self);
/* The error the job ended with, NULL after success or while running. */
const GError *esprit_job_get_error     (EspritJob          *self);
/* Worker side: progress of the job's own work (also fed by the protocol's callback). */
void         esprit_job_progress       (EspritPhase         phase,
                                        guint64             done,
                                        guint64             total,
                                        gpointer            job);
/* Worker side: a line for the log. */
void         esprit_job_log            (EspritJob          *self,
                                        const char         *line);

G_END_DECLS

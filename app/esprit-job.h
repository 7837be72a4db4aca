/* esprit-job.h: one protocol operation run in a worker thread, reported on the main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-session.h"

G_BEGIN_DECLS

#define ESPRIT_TYPE_JOB (esprit_job_get_type ())
G_DECLARE_FINAL_TYPE (EspritJob, esprit_job, ESPRIT, JOB, GObject)

/* The work itself, called in the worker thread on the job's session: connected, or only
 * opened for jobs created with connect = FALSE; NULL for detached jobs. */
typedef gboolean (*EspritJobFunc) (EspritJob      *job,
                                   EspritSession  *session,
                                   gpointer        data,
                                   GCancellable   *cancellable,
                                   GError        **error);

/* A job on the board at @port: the worker opens a session with @options, connects when
 * @connect, runs @func, then does the options' --after action (connected jobs only). */
EspritJob   *esprit_job_new            (const char                 *title,
                                        const char                 *port,
                                        const EspritConnectOptions *options,
                                        gboolean                    connect,
                                        EspritJobFunc               func,
                                        gpointer                    data,
                                        GDestroyNotify              destroy);
/* A job that needs no session (an upload over the air): @func gets a NULL session; @port
 * only names the target in the log. */
EspritJob   *esprit_job_new_detached   (const char                 *title,
                                        const char                 *port,
                                        EspritJobFunc               func,
                                        gpointer                    data,
                                        GDestroyNotify              destroy);
/* The main context the job reports on (valid while it runs), for workers that must ask
 * the window something. */
GMainContext *esprit_job_get_context   (EspritJob          *self);
GCancellable *esprit_job_get_cancellable (EspritJob        *self);
const char  *esprit_job_get_port       (EspritJob          *self);
const char  *esprit_job_get_title      (EspritJob          *self);
void         esprit_job_run            (EspritJob          *self);
void         esprit_job_cancel         (EspritJob          *self);
gboolean     esprit_job_get_running    (EspritJob          *self);
/* The error the job ended with, NULL after success or while running. */
const GError *esprit_job_get_error     (EspritJob          *self);
/* Worker side: progress of the job's own work (the session's progress arrives by itself). */
void         esprit_job_progress       (EspritPhase         phase,
                                        guint64             done,
                                        guint64             total,
                                        gpointer            job);
/* Worker side: a line for the log. */
void         esprit_job_log            (EspritJob          *self,
                                        const char         *line);

G_END_DECLS

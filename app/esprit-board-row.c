/* esprit-board-row.c
 *
 * The row only shows: the window starts the jobs and says how they ended. It follows a job's
 * coalesced progress signal, on the main context like every EspritJob signal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-board-row"

#include "config.h"

#include <glib/gi18n.h>

#include "esprit-advice.h"
#include "esprit-board-row.h"
#include "esprit-progress.h"

struct _EspritBoardRow
{
  AdwActionRow       parent_instance;

  GtkCheckButton    *check;
  GtkWidget         *progress_box;
  GtkLabel          *phase_label;
  GtkProgressBar    *progress_bar;
  GtkImage          *result_icon;
  GtkButton         *retry_button;

  EspritPortItem    *port;
  EspritJob         *job;
  EspritBoardResult  result;
  char              *chip;
  char              *mac;
  char              *status;
  gboolean           gone;
};

enum {
  SIGNAL_RETRY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EspritBoardRow, esprit_board_row, ADW_TYPE_ACTION_ROW)

static void
set_status (EspritBoardRow *self,
            const char     *text)
{
  g_free (self->status);
  self->status = g_strdup (text);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), text ? text : "");
}

/* "ESP8266 · 18:fe:34:c1:a5:01", or what is known of it. */
static char *
identity_text (EspritBoardRow *self)
{
  if (self->chip == NULL)
    return g_strdup (_("Not identified yet"));
  /* Translators: a board in the board list: chip · MAC */
  return g_strdup_printf (_("%s · MAC %s"), self->chip, self->mac);
}

static void
on_retry_clicked (EspritBoardRow *self)
{
  g_signal_emit (self, signals[SIGNAL_RETRY], 0);
}

static void
esprit_board_row_dispose (GObject *object)
{
  EspritBoardRow *self = ESPRIT_BOARD_ROW (object);

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_clear_object (&self->job);
  gtk_widget_dispose_template (GTK_WIDGET (self), ESPRIT_TYPE_BOARD_ROW);
  G_OBJECT_CLASS (esprit_board_row_parent_class)->dispose (object);
}

static void
esprit_board_row_finalize (GObject *object)
{
  EspritBoardRow *self = ESPRIT_BOARD_ROW (object);

  g_clear_object (&self->port);
  g_free (self->chip);
  g_free (self->mac);
  g_free (self->status);
  G_OBJECT_CLASS (esprit_board_row_parent_class)->finalize (object);
}

static void
esprit_board_row_class_init (EspritBoardRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = esprit_board_row_dispose;
  object_class->finalize = esprit_board_row_finalize;

  /**
   * EspritBoardRow::retry:
   *
   * The row's Retry button was clicked (shown after a failure).
   */
  signals[SIGNAL_RETRY] =
    g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/esprit/Esprit/ui/esprit-board-row.ui");
  gtk_widget_class_bind_template_child (widget_class, EspritBoardRow, check);
  gtk_widget_class_bind_template_child (widget_class, EspritBoardRow, progress_box);
  gtk_widget_class_bind_template_child (widget_class, EspritBoardRow, phase_label);
  gtk_widget_class_bind_template_child (widget_class, EspritBoardRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EspritBoardRow, result_icon);
  gtk_widget_class_bind_template_child (widget_class, EspritBoardRow, retry_button);
}

static void
esprit_board_row_init (EspritBoardRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->retry_button, "clicked", G_CALLBACK (on_retry_clicked), self);
}

EspritBoardRow *
esprit_board_row_new (EspritPortItem *port)
{
  EspritBoardRow *self;
  g_autofree char *text = NULL;

  g_return_val_if_fail (ESPRIT_IS_PORT_ITEM (port), NULL);

  self = g_object_new (ESPRIT_TYPE_BOARD_ROW, NULL);
  self->port = g_object_ref (port);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), esprit_port_item_get_label (port));
  text = identity_text (self);
  set_status (self, text);
  return self;
}

EspritPortItem *
esprit_board_row_get_port (EspritBoardRow *self)
{
  g_return_val_if_fail (ESPRIT_IS_BOARD_ROW (self), NULL);
  return self->port;
}

gboolean
esprit_board_row_get_checked (EspritBoardRow *self)
{
  g_return_val_if_fail (ESPRIT_IS_BOARD_ROW (self), FALSE);
  return gtk_check_button_get_active (self->check);
}

void
esprit_board_row_set_checked (EspritBoardRow *self,
                              gboolean        checked)
{
  g_return_if_fail (ESPRIT_IS_BOARD_ROW (self));
  gtk_check_button_set_active (self->check, checked);
}

void
esprit_board_row_set_identity (EspritBoardRow *self,
                               const char     *chip,
                               const char     *mac)
{
  g_autofree char *text = NULL;

  g_return_if_fail (ESPRIT_IS_BOARD_ROW (self));

  g_free (self->chip);
  self->chip = g_strdup (chip);
  g_free (self->mac);
  self->mac = g_strdup (mac);
  /* A failure's reason stays until the next job. */
  if (self->result != ESPRIT_BOARD_RESULT_FAILED)
    {
      text = identity_text (self);
      set_status (self, text);
    }
}

const char *
esprit_board_row_get_chip (EspritBoardRow *self)
{
  g_return_val_if_fail (ESPRIT_IS_BOARD_ROW (self), NULL);
  return self->chip;
}

const char *
esprit_board_row_get_mac (EspritBoardRow *self)
{
  g_return_val_if_fail (ESPRIT_IS_BOARD_ROW (self), NULL);
  return self->mac;
}

void
esprit_board_row_set_gone (EspritBoardRow *self)
{
  g_return_if_fail (ESPRIT_IS_BOARD_ROW (self));
  self->gone = TRUE;
  /* Nothing to retry on, nothing to check. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->check), FALSE);
  gtk_check_button_set_active (self->check, FALSE);
}

gboolean
esprit_board_row_get_gone (EspritBoardRow *self)
{
  g_return_val_if_fail (ESPRIT_IS_BOARD_ROW (self), FALSE);
  return self->gone;
}

static void
on_job_progress (EspritJob      *job,
                 int             phase,
                 guint64         done,
                 guint64         total,
                 EspritBoardRow *self)
{
  gtk_label_set_text (self->phase_label, esprit_phase_name (phase));
  if (total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, MIN (1.0, (double) done / total));
  else
    gtk_progress_bar_pulse (self->progress_bar);
}

void
esprit_board_row_start (EspritBoardRow *self,
                        EspritJob      *job)
{
  g_return_if_fail (ESPRIT_IS_BOARD_ROW (self));
  g_return_if_fail (ESPRIT_IS_JOB (job));

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_data (self->job, self);
  g_set_object (&self->job, job);
  g_signal_connect (job, "progress", G_CALLBACK (on_job_progress), self);
  self->result = ESPRIT_BOARD_RESULT_RUNNING;
  gtk_label_set_text (self->phase_label, esprit_job_get_title (job));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_widget_set_visible (self->progress_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->result_icon), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self), "error");
  set_status (self, esprit_job_get_title (job));
}

void
esprit_board_row_finish (EspritBoardRow    *self,
                         EspritBoardResult  result,
                         const GError      *error,
                         const char        *text)
{
  g_autofree char *reason = NULL;

  g_return_if_fail (ESPRIT_IS_BOARD_ROW (self));
  g_return_if_fail (result != ESPRIT_BOARD_RESULT_FAILED || error != NULL);

  self->result = result;
  gtk_widget_set_visible (self->progress_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->result_icon), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button),
                          result == ESPRIT_BOARD_RESULT_FAILED && !self->gone);
  switch (result)
    {
    case ESPRIT_BOARD_RESULT_FAILED:
      {
        g_autofree char *hint = esprit_advice_hint (error);

        gtk_image_set_from_icon_name (self->result_icon, "dialog-error-symbolic");
        /* Translators: a failed board: what went wrong (short), then the library's message */
        reason = g_strdup_printf (_("%s: %s"), esprit_advice_title (error), error->message);
        set_status (self, reason);
        gtk_widget_set_tooltip_text (GTK_WIDGET (self), hint);
        gtk_widget_add_css_class (GTK_WIDGET (self), "error");
      }
      break;
    default:
      gtk_image_set_from_icon_name (self->result_icon,
                                    result == ESPRIT_BOARD_RESULT_SKIPPED
                                      ? "action-unavailable-symbolic" : "emblem-ok-symbolic");
      reason = identity_text (self);
      if (text != NULL)
        {
          g_autofree char *identity = g_steal_pointer (&reason);

          /* Translators: a board that is done: chip and MAC, then what was done */
          reason = g_strdup_printf (_("%s — %s"), identity, text);
        }
      set_status (self, reason);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), NULL);
      break;
    }
}

EspritJob *
esprit_board_row_get_job (EspritBoardRow *self)
{
  g_return_val_if_fail (ESPRIT_IS_BOARD_ROW (self), NULL);
  return self->job;
}

EspritBoardResult
esprit_board_row_get_result (EspritBoardRow *self)
{
  g_return_val_if_fail (ESPRIT_IS_BOARD_ROW (self), ESPRIT_BOARD_RESULT_NONE);
  return self->result;
}

const char *
esprit_board_row_get_status (EspritBoardRow *self)
{
  g_return_val_if_fail (ESPRIT_IS_BOARD_ROW (self), NULL);
  return self->status;
}

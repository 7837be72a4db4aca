/* esprit-window-ota.c: the window with a network board chosen: what OTA can do (one image,
 * app or filesystem, no addresses, no flash options), the upload as a detached EspritJob,
 * the password prompt (marshalled from the worker) and the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#ifdef HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "esprit-error.h"
#include "esprit-file-row.h"
#include "esprit-ota.h"
#include "esprit-window-private.h"

/* ---- the window's state ------------------------------------------------------------- */

static void
set_row_visible (GtkWidget *inner,
                 gboolean   visible)
{
  GtkWidget *row = gtk_widget_get_ancestor (inner, ADW_TYPE_ACTION_ROW);

  gtk_widget_set_visible (row ? row : inner, visible);
}

void
_esprit_window_ota_update (EspritWindow *self)
{
  EspritPortItem *item = _esprit_window_get_port (self);
  gboolean ota = item != NULL && esprit_port_item_is_ota (item);
  g_autoptr(GPtrArray) rows = _esprit_window_get_file_rows (self);

  /* The board writes where its core puts an update and restarts by itself: no address, no
   * header options, no erase, no speed. */
  gtk_widget_set_visible (GTK_WIDGET (self->baud_row), !ota);
  gtk_widget_set_visible (GTK_WIDGET (self->mode_row), !ota);
  gtk_widget_set_visible (GTK_WIDGET (self->size_row), !ota);
  set_row_visible (GTK_WIDGET (self->verify_switch), !ota);
  set_row_visible (GTK_WIDGET (self->erase_switch), !ota);
  set_row_visible (GTK_WIDGET (self->reset_switch), !ota);
  gtk_widget_set_visible (GTK_WIDGET (self->ota_fs_row), ota);
  for (guint i = 0; i < rows->len; i++)
    esprit_file_row_set_address_visible (rows->pdata[i], !ota);
  if (ota)
    adw_action_row_set_subtitle (self->device_row,
                                 _("Over the air only Flash works: backing up, erasing and "
                                   "identifying need the USB cable."));
}

gboolean
_esprit_window_ota_check (EspritWindow  *self,
                          GError       **error,
                          int           *bad_item)
{
  g_autoptr(GPtrArray) rows = _esprit_window_get_file_rows (self);
  EspritPortItem *item = _esprit_window_get_port (self);
  GBytes *data;

  *bad_item = -1;
  if (rows->len != 1)
    {
      *bad_item = 1;
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                           _("Over the air a board takes one image at a time: remove all "
                             "but one file."));
      return FALSE;
    }
  if (gtk_switch_get_active (self->ota_fs_switch))
    return TRUE;
  data = esprit_file_row_get_data (rows->pdata[0]);
  if (!esprit_ota_check_image (g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                               ESPRIT_OTA_FLASH, esprit_port_item_get_chip (item), error))
    {
      *bad_item = 0;
      return FALSE;
    }
  return TRUE;
}

AdwMessageDialog *
esprit_window_get_password_dialog (EspritWindow *self)
{
  g_return_val_if_fail (ESPRIT_IS_WINDOW (self), NULL);
  return self->password_dialog;
}

/* ---- the keyring -------------------------------------------------------------------- */

#ifdef HAVE_LIBSECRET
static const SecretSchema *
password_schema (void)
{
  static const SecretSchema schema = {
    "io.github.esprit.Esprit.OtaPassword", SECRET_SCHEMA_NONE,
    {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "port", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
      { NULL, 0 },
    }
  };

  return &schema;
}
#endif

/* Worker side: the remembered password of @host:@port, or NULL (none, or no keyring). */
static char *
keyring_lookup (const char   *host,
                guint16       port,
                GCancellable *cancellable)
{
#ifdef HAVE_LIBSECRET
  g_autoptr(GError) error = NULL;
  char *secret = secret_password_lookup_sync (password_schema (), cancellable, &error,
                                              "host", host, "port", (int) port, NULL);
  char *copy;

  if (error != NULL)
    g_debug ("No remembered password: %s", error->message);
  if (secret == NULL)
    return NULL;
  copy = g_strdup (secret);
  secret_password_free (secret);
  return copy;
#else
  return NULL;
#endif
}

static void
keyring_store (const char *host,
               guint16     port,
               const char *password,
               const char *label)
{
#ifdef HAVE_LIBSECRET
  g_autoptr(GError) error = NULL;
  g_autofree char *title = g_strdup_printf (_("OTA password of %s"), label);

  if (!secret_password_store_sync (password_schema (), SECRET_COLLECTION_DEFAULT, title,
                                   password, NULL, &error, "host", host, "port", (int) port,
                                   NULL))
    g_warning ("The password could not be remembered: %s", error->message);
#endif
}

/* Worker side: the board refused what the keyring gave, so the entry is wrong (the sketch's
 * password changed): forget it, so the next upload asks instead of failing again. */
static void
keyring_forget (const char   *host,
                guint16       port,
                GCancellable *cancellable)
{
#ifdef HAVE_LIBSECRET
  g_autoptr(GError) error = NULL;

  if (!secret_password_clear_sync (password_schema (), cancellable, &error, "host", host,
                                   "port", (int) port, NULL) && error != NULL)
    g_warning ("The refused password could not be forgotten: %s", error->message);
#endif
}

/* ---- the password prompt, asked from the worker ------------------------------------- */

/* GTK 4.8's GtkPasswordEntry listens to its inner GtkText's notify::has-focus and never
 * disconnects (gtkpasswordentry.c: init connects focus_changed, dispose only unparents the
 * text). The dialog keeps that text as its focus widget past the entry's dispose and drops
 * it when it is finalized, so the notify reaches a freed entry ("invalid unclassed pointer in
 * cast to 'GtkPasswordEntry'"). Taking the focus away while the entry lives avoids it; every
 * way the prompt goes (a response, Adwaita closing it after a button, the job ending) passes
 * here first. */
static void
release_entry_focus (AdwMessageDialog *dialog)
{
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
}

static gboolean
close_dialog (gpointer dialog)
{
  /* Adwaita may have closed it already after the button (the focus went in the response). */
  if (gtk_widget_get_visible (dialog))
    {
      release_entry_focus (dialog);
      gtk_window_destroy (dialog);
    }
  return G_SOURCE_REMOVE;
}

void
_esprit_window_close_after_response (AdwMessageDialog *dialog)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, close_dialog, g_object_ref (dialog), g_object_unref);
}

typedef struct {
  gint          refs;
  GMutex        lock;
  GCond         cond;
  gboolean      done;
  char         *answer;     /* NULL: declined */
  gboolean      remember;
  gboolean      again;      /* the last password was refused */
  char         *label;
  /* Taken in the worker, let go on the main context by present_prompt(). */
  EspritWindow *window;
} Ask;

static Ask *
ask_ref (Ask *ask)
{
  g_atomic_int_inc (&ask->refs);
  return ask;
}

static void
ask_unref (gpointer data)
{
  Ask *ask = data;

  if (!g_atomic_int_dec_and_test (&ask->refs))
    return;
  if (ask->answer != NULL)
    memset (ask->answer, 0, strlen (ask->answer));
  g_free (ask->answer);
  g_free (ask->label);
  /* Only set when present_prompt never ran (the main context went first). */
  g_clear_object (&ask->window);
  g_mutex_clear (&ask->lock);
  g_cond_clear (&ask->cond);
  g_free (ask);
}

static void
ask_answer (Ask        *ask,
            const char *answer,
            gboolean    remember)
{
  g_mutex_lock (&ask->lock);
  if (!ask->done)
    {
      ask->done = TRUE;
      ask->answer = g_strdup (answer);
      ask->remember = remember;
      g_cond_signal (&ask->cond);
    }
  g_mutex_unlock (&ask->lock);
}

static void
on_password_response (AdwMessageDialog *dialog,
                      const char       *response,
                      Ask              *ask)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "esprit-entry");
  GtkCheckButton *remember = g_object_get_data (G_OBJECT (dialog), "esprit-remember");
  GtkWindow *window = gtk_window_get_transient_for (GTK_WINDOW (dialog));

  if (ESPRIT_IS_WINDOW (window) && ESPRIT_WINDOW (window)->password_dialog == dialog)
    ESPRIT_WINDOW (window)->password_dialog = NULL;
  release_entry_focus (dialog);
  if (g_str_equal (response, "upload"))
    ask_answer (ask, gtk_editable_get_text (entry),
                remember != NULL && gtk_check_button_get_active (remember));
  else
    ask_answer (ask, NULL, FALSE);
  _esprit_window_close_after_response (dialog);
}

/* Main context: shows the prompt; without a window (closed meanwhile) declines. */
static gboolean
present_prompt (gpointer data)
{
  Ask *ask = data;
  g_autoptr(EspritWindow) window = g_steal_pointer (&ask->window);
  g_autofree char *heading = NULL;
  GtkWidget *dialog, *box, *entry;

  if (window == NULL || gtk_widget_in_destruction (GTK_WIDGET (window)))
    {
      ask_answer (ask, NULL, FALSE);
      return G_SOURCE_REMOVE;
    }
  heading = g_strdup_printf (_("Password for %s"), ask->label);
  dialog = adw_message_dialog_new (GTK_WINDOW (window), heading,
                                   ask->again ? _("The board refused that password. Type the "
                                                  "one its sketch sets (ArduinoOTA.setPassword).")
                                              : _("The board wants the password its sketch "
                                                  "sets (ArduinoOTA.setPassword)."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "upload", _("_Upload"), NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "upload");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "upload",
                                              ADW_RESPONSE_SUGGESTED);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  entry = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  g_object_set (entry, "activates-default", TRUE, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Password"), -1);
  gtk_box_append (GTK_BOX (box), entry);
  g_object_set_data (G_OBJECT (dialog), "esprit-entry", entry);
#ifdef HAVE_LIBSECRET
  {
    GtkWidget *remember = gtk_check_button_new_with_mnemonic (_("_Remember in the keyring"));

    gtk_box_append (GTK_BOX (box), remember);
    g_object_set_data (G_OBJECT (dialog), "esprit-remember", remember);
  }
#endif
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_password_response), ask_ref (ask),
                         (GClosureNotify) ask_unref, 0);
  window->password_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
  return G_SOURCE_REMOVE;
}

/* ---- the upload --------------------------------------------------------------------- */

typedef struct {
  EspritJob        *job;       /* borrowed: the job owns this */
  GWeakRef          window;
  GBytes           *image;
  char             *host;
  guint16           port;
  EspritChip        chip;
  EspritOtaCommand  command;
  char             *file_name;
  char             *label;
  /* Worker only. */
  gboolean          again;
  gboolean          declined;
  gboolean          answered;
  gboolean          remember;
  char             *answer;
} Upload;

static void
upload_free (gpointer data)
{
  Upload *up = data;

  g_weak_ref_clear (&up->window);
  g_bytes_unref (up->image);
  g_free (up->host);
  g_free (up->file_name);
  g_free (up->label);
  if (up->answer != NULL)
    memset (up->answer, 0, strlen (up->answer));
  g_free (up->answer);
  g_free (up);
}

static void
on_progress (EspritPhase phase,
             guint64     done,
             guint64     total,
             gpointer    data)
{
  Upload *up = data;

  esprit_job_progress (phase, done, total, up->job);
}

static void
on_log (EspritLogLevel  level,
        const char     *line,
        gpointer        data)
{
  Upload *up = data;

  /* As for serial jobs: the bar shows progress; trace stays out of the window. */
  if (level == ESPRIT_LOG_PROGRESS || level == ESPRIT_LOG_TRACE)
    return;
  if (level == ESPRIT_LOG_WARNING)
    {
      g_autofree char *w = g_strdup_printf (_("Warning: %s"), line);

      esprit_job_log (up->job, w);
    }
  else
    esprit_job_log (up->job, line);
}

/* Worker: asks on the main context and waits for the answer (or the job's cancel). */
static char *
ask_password (const char *host,
              gpointer    data)
{
  Upload *up = data;
  GCancellable *cancellable = esprit_job_get_cancellable (up->job);
  Ask *ask = g_new0 (Ask, 1);
  char *answer = NULL;

  ask->refs = 1;
  g_mutex_init (&ask->lock);
  g_cond_init (&ask->cond);
  ask->again = up->again;
  ask->label = g_strdup (up->label);
  /* A strong reference, so that the window can only go on the main context. */
  ask->window = g_weak_ref_get (&up->window);
  /* Always through a source: g_main_context_invoke_full() would run present_prompt() right
   * here, in the worker, whenever the main thread happens not to hold the context (it is
   * the worker's thread-default too), and GTK must only be called from the main thread. */
  {
    GSource *source = g_idle_source_new ();

    g_source_set_priority (source, G_PRIORITY_DEFAULT);
    g_source_set_callback (source, present_prompt, ask_ref (ask), ask_unref);
    g_source_attach (source, esprit_job_get_context (up->job));
    g_source_unref (source);
  }
  g_mutex_lock (&ask->lock);
  while (!ask->done && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait_until (&ask->cond, &ask->lock,
                       g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND);
  if (ask->done && ask->answer != NULL)
    {
      answer = g_strdup (ask->answer);
      up->answered = TRUE;
      up->remember = ask->remember;
      g_free (up->answer);
      up->answer = g_strdup (answer);
    }
  else
    up->declined = TRUE;
  g_mutex_unlock (&ask->lock);
  ask_unref (ask);
  return answer;
}

static gboolean
upload_func (EspritJob      *job,
             EspritSession  *session,
             gpointer        data,
             GCancellable   *cancellable,
             GError        **error)
{
  Upload *up = data;
  EspritOtaOptions o = { 0 };
  g_autofree char *password = keyring_lookup (up->host, up->port, cancellable);
  g_autoptr(GError) local = NULL;

  o.host = up->host;
  o.port = up->port;
  o.chip = up->chip;
  o.command = up->command;
  o.file_name = up->file_name;
  o.ask_password = ask_password;
  for (;;)
    {
      up->answered = up->declined = FALSE;
      o.password = password;
      g_clear_error (&local);
      if (esprit_ota_upload (&o, up->image, on_progress, on_log, up, cancellable, &local))
        break;
      if (up->declined || g_cancellable_is_cancelled (cancellable))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Stopped"));
          return FALSE;
        }
      /* A refused password (typed or remembered): ask again, saying so. */
      if (!g_error_matches (local, ESPRIT_ERROR, ESPRIT_ERROR_AUTH) ||
          (!up->answered && password == NULL))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      esprit_job_log (job, local->message);
      up->again = TRUE;
      if (password != NULL && !up->answered)
        keyring_forget (up->host, up->port, cancellable);
      if (password != NULL)
        memset (password, 0, strlen (password));
      g_clear_pointer (&password, g_free);
    }
  if (up->answered && up->remember)
    keyring_store (up->host, up->port, up->answer, up->label);
  if (password != NULL)
    memset (password, 0, strlen (password));
  return TRUE;
}

/* A prompt still open when the upload ended (cancelled meanwhile) has nothing to answer. */
static void
on_upload_finished (EspritJob    *job,
                    EspritWindow *self)
{
  if (self->password_dialog != NULL)
    {
      AdwMessageDialog *dialog = g_steal_pointer (&self->password_dialog);

      release_entry_focus (dialog);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

static void
upload_done (EspritWindow *self,
             gpointer      data)
{
  _esprit_window_remember_files (self);
}

void
_esprit_window_ota_flash (EspritWindow *self)
{
  EspritPortItem *item = _esprit_window_get_port (self);
  g_autoptr(GPtrArray) rows = _esprit_window_get_file_rows (self);
  g_autoptr(GError) error = NULL;
  Upload *up;
  int bad;

  g_return_if_fail (self->job == NULL || !esprit_job_get_running (self->job));
  if (item == NULL || !_esprit_window_ota_check (self, &error, &bad))
    return;

  up = g_new0 (Upload, 1);
  g_weak_ref_init (&up->window, self);
  up->image = g_bytes_ref (esprit_file_row_get_data (rows->pdata[0]));
  up->file_name = g_file_get_basename (esprit_file_row_get_file (rows->pdata[0]));
  up->chip = esprit_port_item_get_chip (item);
  up->command = gtk_switch_get_active (self->ota_fs_switch) ? ESPRIT_OTA_FILESYSTEM
                                                            : ESPRIT_OTA_FLASH;
  up->label = g_strdup (esprit_port_item_get_label (item));
  up->host = g_strdup (esprit_port_item_get_host (item));
  up->port = esprit_port_item_get_ota_port (item);
  if (esprit_port_item_get_kind (item) == ESPRIT_PORT_KIND_OTA_VIRTUAL)
    {
      EspritSimOta *sim = esprit_port_model_get_virtual_ota (self->ports, &error);

      if (sim == NULL)
        {
          _esprit_window_show_toast (self, error->message);
          upload_free (up);
          return;
        }
      up->port = esprit_sim_ota_get_port (sim);
    }
  up->job = esprit_job_new_detached (_("Uploading over the air"), up->host, upload_func, up,
                                     upload_free);
  g_signal_connect_object (up->job, "finished", G_CALLBACK (on_upload_finished), self, 0);
  _esprit_window_run_job (self, up->job, upload_done, up,
                          _("Uploaded: the board restarts into its new program"));
}

/* esprit-session.c
 *
 * The one place the connect sequence is written; the command line, the window and the
 * tests all go through it, so a policy (what a failed stub means, when the baud changes)
 * cannot differ between them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-session"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-numbers.h"
#include "esprit-session-private.h"

struct _EspritSession
{
  GObject               parent_instance;

  char                 *port;
  EspritConnectOptions  options;

  EspritEventFunc       event_func;
  gpointer              event_data;
  GDestroyNotify        event_destroy;

  EspritTransport      *transport;
  EspritLoader         *loader;
  gboolean              connected;
  EspritDeviceInfo      info;
};

G_DEFINE_FINAL_TYPE (EspritSession, esprit_session, G_TYPE_OBJECT)

static void
esprit_session_dispose (GObject *object)
{
  EspritSession *self = ESPRIT_SESSION (object);

  esprit_session_close (self);
  if (self->event_destroy != NULL)
    self->event_destroy (self->event_data);
  self->event_destroy = NULL;
  self->event_func = NULL;
  G_OBJECT_CLASS (esprit_session_parent_class)->dispose (object);
}

static void
esprit_session_finalize (GObject *object)
{
  EspritSession *self = ESPRIT_SESSION (object);

  g_clear_object (&self->options.registry);
  esprit_device_info_clear (&self->info);
  g_free (self->port);
  G_OBJECT_CLASS (esprit_session_parent_class)->finalize (object);
}

static void
esprit_session_class_init (EspritSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esprit_session_dispose;
  G_OBJECT_CLASS (klass)->finalize = esprit_session_finalize;
}

static void
esprit_session_init (EspritSession *self)
{
  self->info.chip = ESPRIT_CHIP_AUTO;
}

EspritSession *
esprit_session_new (const char                 *port,
                    const EspritConnectOptions *options)
{
  static const EspritConnectOptions defaults = ESPRIT_CONNECT_OPTIONS_INIT;
  EspritSession *self;

  g_return_val_if_fail (port != NULL, NULL);

  self = g_object_new (ESPRIT_TYPE_SESSION, NULL);
  self->port = g_strdup (port);
  self->options = options ? *options : defaults;
  if (self->options.baud == 0)
    self->options.baud = ESPRIT_ROM_BAUD;
  if (self->options.registry != NULL)
    g_object_ref (self->options.registry);
  return self;
}

void
esprit_session_set_event_func (EspritSession  *self,
                               EspritEventFunc func,
                               gpointer        user_data,
                               GDestroyNotify  destroy)
{
  if (self->event_destroy != NULL)
    self->event_destroy (self->event_data);
  self->event_func = func;
  self->event_data = user_data;
  self->event_destroy = destroy;
}

const char *
esprit_session_get_port (EspritSession *self)
{
  return self->port;
}

const EspritConnectOptions *
esprit_session_get_options (EspritSession *self)
{
  return &self->options;
}

/* ---- events ------------------------------------------------------------------------- */

static void
emit (EspritSession     *self,
      const EspritEvent *event)
{
  if (self->event_func != NULL)
    self->event_func (self, event, self->event_data);
}

static void
on_log (EspritLogLevel  level,
        const char     *line,
        gpointer        user_data)
{
  EspritEvent event = { ESPRIT_EVENT_LOG, level, line };

  emit (user_data, &event);
}

static void G_GNUC_PRINTF (3, 4)
log_line (EspritSession  *self,
          EspritLogLevel  level,
          const char     *format,
          ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  on_log (level, line, self);
}

/* The protocol's progress callback: the same events. */
static void
on_progress (EspritPhase phase,
             guint64     done,
             guint64     total,
             gpointer    user_data)
{
  EspritEvent event = { ESPRIT_EVENT_PROGRESS, ESPRIT_LOG_INFO, NULL, phase, done, total };

  emit (user_data, &event);
}

/* ---- connect ------------------------------------------------------------------------ */

gboolean
esprit_session_open (EspritSession  *self,
                     GCancellable   *cancellable,
                     GError        **error)
{
  EspritPortRegistry *registry;

  if (self->transport != NULL)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  registry = self->options.registry ? self->options.registry
                                    : esprit_port_registry_get_default ();
  /* ROM loaders are spoken to at 115200 at most; the loader switches later (§2). */
  self->transport = esprit_port_registry_open (registry, self->port,
                                               MIN (self->options.baud, ESPRIT_ROM_BAUD), error);
  if (self->transport == NULL)
    return FALSE;
  self->loader = esprit_loader_new (self->transport);
  esprit_loader_set_log_func (self->loader, on_log, self, NULL);
  esprit_loader_set_trace (self->loader, self->options.trace);
  return TRUE;
}

static void
log_board (EspritSession *self)
{
  g_autofree char *mac = esprit_format_mac (self->info.mac);

  log_line (self, ESPRIT_LOG_INFO, _("Chip is %s"), self->info.description);
  if (self->info.chip == ESPRIT_CHIP_ESP8266 && self->info.features != NULL)
    log_line (self, ESPRIT_LOG_INFO, _("Features: %s"), self->info.features);
  if (self->info.xtal_mhz != 0)
    log_line (self, ESPRIT_LOG_INFO, _("Crystal is %uMHz"), self->info.xtal_mhz);
  log_line (self, ESPRIT_LOG_INFO, _("MAC: %s"), mac);
}

gboolean
_esprit_session_stub_error_is_fatal (const GError *error)
{
  return g_error_matches (error, ESPRIT_ERROR, ESPRIT_ERROR_NO_SYNC) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED);
}

/* The one stub policy: a stub that did not start is a warning while the ROM still answers
 * (nothing was changed on the board), an error once the board stopped answering. */
static gboolean
start_stub (EspritSession  *self,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autoptr(GError) stub_error = NULL;

  if (self->options.stub == ESPRIT_STUB_NEVER ||
      (self->options.stub == ESPRIT_STUB_IF_IT_RETURNS && self->info.chip != ESPRIT_CHIP_ESP8266))
    return TRUE;
  if (esprit_loader_run_stub (self->loader, on_progress, self, cancellable, &stub_error))
    return TRUE;
  if (_esprit_session_stub_error_is_fatal (stub_error))
    {
      g_propagate_error (error, g_steal_pointer (&stub_error));
      return FALSE;
    }
  log_line (self, ESPRIT_LOG_WARNING, _("%s; going on with the ROM loader"),
            stub_error->message);
  return TRUE;
}

static gboolean
switch_baud (EspritSession  *self,
             GCancellable   *cancellable,
             GError        **error)
{
  g_autoptr(GError) baud_error = NULL;

  if (self->options.baud == esprit_transport_get_baud (self->transport))
    return TRUE;
  on_progress (ESPRIT_PHASE_CHANGING_BAUD, 0, 0, self);
  if (esprit_loader_change_baud (self->loader, self->options.baud, cancellable, &baud_error))
    return TRUE;
  if (!g_error_matches (baud_error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED))
    {
      g_propagate_error (error, g_steal_pointer (&baud_error));
      return FALSE;
    }
  log_line (self, ESPRIT_LOG_WARNING, _("%s. Keeping %u baud."), baud_error->message,
            esprit_transport_get_baud (self->transport));
  return TRUE;
}

gboolean
esprit_session_connect (EspritSession  *self,
                        GCancellable   *cancellable,
                        GError        **error)
{
  EspritEvent event = { ESPRIT_EVENT_CONNECTED };

  g_return_val_if_fail (!self->connected, FALSE);

  if (!esprit_session_open (self, cancellable, error))
    return FALSE;
  if (!esprit_loader_connect (self->loader, self->options.before, self->options.attempts,
                              self->options.expected, on_progress, self, cancellable, error))
    return FALSE;
  if (!esprit_device_info_read (self->loader, &self->info, cancellable, error))
    return FALSE;
  log_board (self);
  event.info = &self->info;
  emit (self, &event);
  if (!start_stub (self, cancellable, error) || !switch_baud (self, cancellable, error))
    return FALSE;
  self->connected = TRUE;
  return TRUE;
}

gboolean
esprit_session_is_connected (EspritSession *self)
{
  return self->connected;
}

const EspritDeviceInfo *
esprit_session_get_device_info (EspritSession *self)
{
  return &self->info;
}

EspritChip
esprit_session_get_chip (EspritSession *self)
{
  return self->info.chip;
}

EspritLoaderKind
esprit_session_get_loader_kind (EspritSession *self)
{
  return self->loader ? esprit_loader_get_kind (self->loader) : ESPRIT_LOADER_ROM;
}

guint
esprit_session_get_baud (EspritSession *self)
{
  return self->transport ? esprit_transport_get_baud (self->transport) : 0;
}

void
esprit_session_disable_extensions (EspritSession *self)
{
  if (self->loader != NULL)
    esprit_loader_disable_extensions (self->loader);
}

EspritLoader *
esprit_session_get_loader (EspritSession *self)
{
  return self->loader;
}

/* ---- operations --------------------------------------------------------------------- */

static gboolean
require_connected (EspritSession  *self,
                   GError        **error)
{
  if (self->connected)
    return TRUE;
  g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                       _("Not connected to the board"));
  return FALSE;
}

gboolean
esprit_session_identify (EspritSession     *self,
                         EspritDeviceInfo  *info,
                         GCancellable      *cancellable,
                         GError           **error)
{
  g_auto(EspritDeviceInfo) out = { 0 };

  if (!require_connected (self, error))
    return FALSE;
  esprit_device_info_copy (&self->info, &out);
  if (!esprit_device_info_read_flash (self->loader, &out, cancellable, error))
    return FALSE;
  esprit_device_info_clear (info);
  *info = out;
  memset (&out, 0, sizeof out);
  return TRUE;
}

gboolean
esprit_session_get_flash_size (EspritSession  *self,
                               guint32        *size,
                               GCancellable   *cancellable,
                               GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!require_connected (self, error))
    return FALSE;
  if (esprit_flash_detect_size (self->loader, size, cancellable, &local_error))
    return TRUE;
  if (g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED))
    return FALSE;   /* an unknown id: no size, no error */
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* Refuses a range past the end of the detected flash before anything is sent. */
static gboolean
check_range (EspritSession  *self,
             guint32         addr,
             guint32         size,
             GCancellable   *cancellable,
             GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  guint32 flash_size;

  if ((guint64) addr + size > G_MAXUINT32)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("0x%08x + 0x%08x is past the end of any flash"), addr, size);
      return FALSE;
    }
  if (!esprit_session_get_flash_size (self, &flash_size, cancellable, &local_error))
    {
      if (local_error == NULL)
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if ((guint64) addr + size > flash_size)
    {
      g_autofree char *fs = esprit_format_size (flash_size);

      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("0x%08x + 0x%x bytes is past the end of the %s flash"), addr, size, fs);
      return FALSE;
    }
  return TRUE;
}

gboolean
esprit_session_write (EspritSession    *self,
                      EspritWritePlan  *plan,
                      GCancellable     *cancellable,
                      GError          **error)
{
  if (!require_connected (self, error))
    return FALSE;
  return esprit_write_plan_run (plan, self->loader, on_progress, self, cancellable, error);
}

gboolean
esprit_session_read (EspritSession  *self,
                     guint32         addr,
                     guint32         size,
                     guint8         *buffer,
                     GCancellable   *cancellable,
                     GError        **error)
{
  if (!require_connected (self, error) || !check_range (self, addr, size, cancellable, error))
    return FALSE;
  return esprit_flash_read (self->loader, addr, size, buffer, on_progress, self, cancellable,
                            error);
}

gboolean
esprit_session_read_to_file (EspritSession  *self,
                             guint32         addr,
                             guint32         size,
                             const char     *path,
                             GCancellable   *cancellable,
                             GError        **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree guint8 *buffer = NULL;

  if (!require_connected (self, error) || !check_range (self, addr, size, cancellable, error))
    return FALSE;
  buffer = g_try_malloc (size);
  if (buffer == NULL)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED, _("Not enough memory for %u bytes"),
                   size);
      return FALSE;
    }
  if (!esprit_session_read (self, addr, size, buffer, cancellable, error))
    return FALSE;
  /* GFile's replace writes a temporary file and renames it on close: the user's file is
   * either the old one or the complete new one. */
  return g_file_replace_contents (file, (const char *) buffer, size, NULL, FALSE,
                                  G_FILE_CREATE_NONE, NULL, cancellable, error);
}

gboolean
esprit_session_verify (EspritSession  *self,
                       guint32         addr,
                       GBytes         *data,
                       gboolean       *same,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  gsize len = g_bytes_get_size (data), dlen = 16;
  guint8 remote[16], local[16];

  on_progress (ESPRIT_PHASE_VERIFYING, 0, len, self);
  if (!esprit_session_md5 (self, addr, (guint32) MIN (len, G_MAXUINT32), remote, cancellable,
                           error))
    return FALSE;
  g_checksum_update (md5, g_bytes_get_data (data, NULL), len);
  g_checksum_get_digest (md5, local, &dlen);
  on_progress (ESPRIT_PHASE_VERIFYING, len, len, self);
  *same = memcmp (remote, local, 16) == 0;
  return TRUE;
}

gboolean
esprit_session_md5 (EspritSession  *self,
                    guint32         addr,
                    guint32         size,
                    guint8          digest[16],
                    GCancellable   *cancellable,
                    GError        **error)
{
  if (!require_connected (self, error) || !check_range (self, addr, size, cancellable, error))
    return FALSE;
  return esprit_flash_md5 (self->loader, addr, size, digest, cancellable, error);
}

gboolean
esprit_session_erase (EspritSession  *self,
                      guint32         addr,
                      guint32         size,
                      GCancellable   *cancellable,
                      GError        **error)
{
  if (!require_connected (self, error))
    return FALSE;
  if (size == 0)
    return esprit_flash_erase_all (self->loader, on_progress, self, cancellable, error);
  if (addr % 4096 != 0 || size % 4096 != 0)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                           _("Address and size must be multiples of 4096 (0x1000): flash is "
                             "erased in 4 KB sectors"));
      return FALSE;
    }
  if (!check_range (self, addr, size, cancellable, error))
    return FALSE;
  return esprit_flash_erase_region (self->loader, addr, size, on_progress, self, cancellable,
                                    error);
}

gboolean
esprit_session_finish (EspritSession  *self,
                       GCancellable   *cancellable,
                       GError        **error)
{
  return esprit_session_reset (self, self->options.after, cancellable, error);
}

gboolean
esprit_session_reset (EspritSession  *self,
                      EspritAfter     after,
                      GCancellable   *cancellable,
                      GError        **error)
{
  if (after == ESPRIT_AFTER_HARD_RESET)
    {
      if (!esprit_session_open (self, cancellable, error))
        return FALSE;
    }
  else if (!require_connected (self, error))
    return FALSE;
  on_progress (ESPRIT_PHASE_RESETTING, 0, 0, self);
  return esprit_loader_finish (self->loader, after, cancellable, error);
}

void
esprit_session_close (EspritSession *self)
{
  if (self->transport != NULL)
    esprit_transport_close (self->transport);
  g_clear_object (&self->loader);
  g_clear_object (&self->transport);
  self->connected = FALSE;
}

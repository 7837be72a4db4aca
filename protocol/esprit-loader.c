/* esprit-loader.c: one connection to a board's loader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-loader"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "esprit-error.h"
#include "esprit-flash.h"
#include "esprit-flash-private.h"
#include "esprit-i18n.h"
#include "esprit-loader-private.h"
#include "esprit-reset.h"
#include "esprit-slip.h"
#include "esprit-stub-image.h"

#define REG_CHIP_MAGIC   0x40001000   /* protocol-facts §4 */
#define ESP_RAM_BLOCK    0x1800       /* §2 block sizes */
#define MAX_STRAY_FRAMES 100          /* §1 host rule */

struct _EspritLoader
{
  GObject            parent_instance;

  EspritTransport   *transport;
  EspritSlipDecoder *decoder;
  guint8             rx[512];
  gsize              rx_len;
  gsize              rx_pos;

  EspritLogFunc      log_func;
  gpointer           log_data;
  GDestroyNotify     log_destroy;
  gboolean           trace;

  EspritChip         chip;
  EspritLoaderKind   kind;
  guint32            stub_version;
  gboolean           saw_ohai;         /* an OHAI frame went by while waiting for a reply */
  guint32            flash_size;
  gboolean           attached;
};

G_DEFINE_FINAL_TYPE (EspritLoader, esprit_loader, G_TYPE_OBJECT)

static void
esprit_loader_dispose (GObject *object)
{
  EspritLoader *self = ESPRIT_LOADER (object);

  if (self->log_destroy != NULL)
    self->log_destroy (self->log_data);
  self->log_destroy = NULL;
  self->log_func = NULL;
  g_clear_object (&self->transport);
  G_OBJECT_CLASS (esprit_loader_parent_class)->dispose (object);
}

static void
esprit_loader_finalize (GObject *object)
{
  esprit_slip_decoder_free (ESPRIT_LOADER (object)->decoder);
  G_OBJECT_CLASS (esprit_loader_parent_class)->finalize (object);
}

static void
esprit_loader_class_init (EspritLoaderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = esprit_loader_dispose;
  G_OBJECT_CLASS (klass)->finalize = esprit_loader_finalize;
}

static void
esprit_loader_init (EspritLoader *self)
{
  /* The largest frame is a stub READ_FLASH packet or a 16 KB DATA echo; leave room. */
  self->decoder = esprit_slip_decoder_new (0x4000 + 256);
  self->chip = ESPRIT_CHIP_AUTO;
}

EspritLoader *
esprit_loader_new (EspritTransport *transport)
{
  EspritLoader *self;

  g_return_val_if_fail (ESPRIT_IS_TRANSPORT (transport), NULL);

  self = g_object_new (ESPRIT_TYPE_LOADER, NULL);
  self->transport = g_object_ref (transport);
  return self;
}

EspritTransport *
esprit_loader_get_transport (EspritLoader *self)
{
  return self->transport;
}

void
esprit_loader_set_log_func (EspritLoader   *self,
                            EspritLogFunc   func,
                            gpointer        user_data,
                            GDestroyNotify  destroy)
{
  if (self->log_destroy != NULL)
    self->log_destroy (self->log_data);
  self->log_func = func;
  self->log_data = user_data;
  self->log_destroy = destroy;
}

void
esprit_loader_set_trace (EspritLoader *self,
                         gboolean      trace)
{
  self->trace = trace;
}

void
esprit_loader_log (EspritLoader   *self,
                   EspritLogLevel  level,
                   const char     *format,
                   ...)
{
  g_autofree char *line = NULL;
  va_list args;

  if (self->log_func == NULL)
    return;
  if (level == ESPRIT_LOG_TRACE && !self->trace)
    return;
  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  self->log_func (level, line, self->log_data);
}

static void
trace_bytes (EspritLoader *self,
             const char   *what,
             const guint8 *data,
             gsize         len)
{
  g_autoptr(GString) s = NULL;

  if (!self->trace || self->log_func == NULL)
    return;
  s = g_string_new (what);
  for (gsize i = 0; i < len && i < 64; i++)
    g_string_append_printf (s, " %02x", data[i]);
  if (len > 64)
    g_string_append_printf (s, " … (%zu bytes)", len);
  esprit_loader_log (self, ESPRIT_LOG_TRACE, "%s", s->str);
}

EspritChip
esprit_loader_get_chip (EspritLoader *self)
{
  return self->chip;
}

EspritLoaderKind
esprit_loader_get_kind (EspritLoader *self)
{
  return self->kind;
}

void
esprit_loader_disable_extensions (EspritLoader *self)
{
  if (self->kind == ESPRIT_LOADER_ESPRIT_STUB)
    self->kind = ESPRIT_LOADER_STUB;
}

guint32
esprit_loader_get_stub_version (EspritLoader *self)
{
  return self->stub_version;
}

guint32
_esprit_loader_get_flash_size (EspritLoader *self)
{
  return self->flash_size;
}

void
_esprit_loader_set_flash_size (EspritLoader *self,
                               guint32       size)
{
  self->flash_size = size;
}

gboolean
_esprit_loader_get_attached (EspritLoader *self)
{
  return self->attached;
}

void
_esprit_loader_set_attached (EspritLoader *self,
                             gboolean      attached)
{
  self->attached = attached;
}

gboolean
_esprit_loader_is_stub (EspritLoader *self)
{
  return self->kind != ESPRIT_LOADER_ROM;
}

guint
_esprit_loader_status_len (EspritLoader *self)
{
  if (self->kind != ESPRIT_LOADER_ROM || self->chip == ESPRIT_CHIP_AUTO)
    return 2;
  return esprit_chip_get_info (self->chip)->rom_status_len;
}

guint
esprit_timeout_per_mb (guint   ms_per_mb,
                       guint64 bytes)
{
  guint64 t = (guint64) ms_per_mb * bytes / 1000000;

  return (guint) CLAMP (t, ESPRIT_TIMEOUT_DEFAULT, ESPRIT_TIMEOUT_MAX);
}

/* ---- frames ------------------------------------------------------------------------- */

static void
drop_input (EspritLoader *self)
{
  self->rx_len = self->rx_pos = 0;
  esprit_slip_decoder_reset (self->decoder);
}

GBytes *
esprit_loader_read_frame (EspritLoader  *self,
                          guint          timeout_ms,
                          GCancellable  *cancellable,
                          GError       **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      gint64 left;
      gssize n;

      while (self->rx_pos < self->rx_len)
        {
          EspritSlipResult r = esprit_slip_decoder_push (self->decoder, self->rx[self->rx_pos++]);

          if (r == ESPRIT_SLIP_FRAME)
            {
              gsize len;
              const guint8 *frame = esprit_slip_decoder_frame (self->decoder, &len);

              trace_bytes (self, "<", frame, len);
              return g_bytes_new (frame, len);
            }
        }
      left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        {
          g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT,
                               esprit_slip_decoder_in_frame (self->decoder)
                                 ? _("Timed out in the middle of a reply")
                                 : _("Timed out waiting for a reply (no serial data received)"));
          return NULL;
        }
      n = esprit_transport_read (self->transport, self->rx, sizeof self->rx,
                                 (guint) MAX (1, (left + 999) / 1000), cancellable, error);
      if (n < 0)
        return NULL;
      self->rx_len = (gsize) n;
      self->rx_pos = 0;
    }
}

gboolean
esprit_loader_write_frame (EspritLoader  *self,
                           const guint8  *data,
                           gsize          len,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GByteArray) out = g_byte_array_sized_new (len + 8);

  trace_bytes (self, ">", data, len);
  esprit_slip_encode (out, data, len);
  return esprit_transport_write (self->transport, out->data, out->len, cancellable, error);
}

gboolean
esprit_loader_send (EspritLoader  *self,
                    guint8         op,
                    const guint8  *data,
                    gsize          len,
                    guint32        checksum,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GByteArray) pkt = esprit_command_build (op, data, len, checksum);

  return esprit_loader_write_frame (self, pkt->data, pkt->len, cancellable, error);
}

gboolean
esprit_loader_command (EspritLoader  *self,
                       guint8         op,
                       const guint8  *data,
                       gsize          len,
                       guint32        checksum,
                       gsize          payload_len,
                       guint          timeout_ms,
                       GBytes       **payload,
                       guint32       *value,
                       guint8        *status_error,
                       GCancellable  *cancellable,
                       GError       **error)
{
  gint64 deadline;
  const char *name = esprit_op_name (op);

  if (!esprit_loader_send (self, op, data, len, checksum, cancellable, error))
    return FALSE;

  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  for (guint i = 0; i < MAX_STRAY_FRAMES; i++)
    {
      g_autoptr(GBytes) frame = NULL;
      g_autoptr(GError) local_error = NULL;
      EspritResponse resp;
      gint64 left = deadline - g_get_monotonic_time ();
      const guint8 *f;
      gsize flen;
      guint8 failed, code;

      frame = esprit_loader_read_frame (self, (guint) MAX (1, left / 1000), cancellable,
                                        &local_error);
      if (frame == NULL)
        {
          if (g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT))
            g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT, _("%s: %s"),
                         name ? name : "command", local_error->message);
          else
            g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      f = g_bytes_get_data (frame, &flen);
      if (!esprit_response_parse (f, flen, &resp))
        {
          /* §6: a stub that started before its MEM_END reply was read says OHAI. */
          if (flen == 4 && memcmp (f, "OHAI", 4) == 0)
            self->saw_ohai = TRUE;
          continue;
        }
      if (resp.op != op)
        {
          /* §1 "unsupported": another opcode, failed, error 0x05. */
          if (resp.data_len >= 2 && resp.data[0] != 0 && resp.data[1] == 0x05)
            {
              if (status_error)
                *status_error = 0x05;
              g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                           _("The loader does not support %s"), name ? name : "this command");
              return FALSE;
            }
          continue;
        }
      if (!esprit_response_status (&resp, payload_len, &failed, &code))
        {
          /* A failure status can come without the payload. */
          if (resp.data_len >= 2 && resp.data[0] != 0)
            {
              failed = resp.data[0];
              code = resp.data[1];
            }
          else
            {
              g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM,
                           _("%s: reply too short (%zu bytes)"),
                           name ? name : "command", resp.data_len);
              return FALSE;
            }
        }
      if (failed)
        {
          if (status_error)
            *status_error = code;
          g_set_error (error, ESPRIT_ERROR,
                       code == 0x05 || code == ESPRIT_STUB_ERR_INVALID_COMMAND ||
                       code == ESPRIT_STUB_ERR_CMD_NOT_IMPLEMENTED
                         ? ESPRIT_ERROR_UNSUPPORTED : ESPRIT_ERROR_DEVICE,
                       _("%s failed: %s (0x%02x)"), name ? name : "Command",
                       esprit_status_describe (code), code);
          return FALSE;
        }
      if (payload)
        *payload = g_bytes_new (resp.data, payload_len);
      if (value)
        *value = resp.value;
      return TRUE;
    }
  g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
               _("%s: no matching reply among %d frames"), name ? name : "command",
               MAX_STRAY_FRAMES);
  return FALSE;
}

gboolean
_esprit_loader_command_retry (EspritLoader  *self,
                              guint8         op,
                              const guint8  *data,
                              gsize          len,
                              gsize          payload_len,
                              guint          timeout_ms,
                              GBytes       **payload,
                              guint32       *value,
                              GCancellable  *cancellable,
                              GError       **error)
{
  for (int attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (esprit_loader_command (self, op, data, len, 0, payload_len, timeout_ms, payload, value,
                                 NULL, cancellable, &local_error))
        return TRUE;
      if (attempt >= 3 ||
          !(g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT) ||
            g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM) ||
            g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED) ||
            g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_DEVICE)))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      esprit_loader_log (self, ESPRIT_LOG_WARNING, _("%s; asking again"), local_error->message);
      esprit_transport_flush_input (self->transport, NULL);
      drop_input (self);
    }
}

/* ---- registers and RAM -------------------------------------------------------------- */

gboolean
esprit_loader_read_reg (EspritLoader  *self,
                        guint32        addr,
                        guint32       *value,
                        GCancellable  *cancellable,
                        GError       **error)
{
  guint8 data[4];

  esprit_write_le32 (data, addr);
  return _esprit_loader_command_retry (self, ESPRIT_OP_READ_REG, data, 4, 0,
                                       ESPRIT_TIMEOUT_DEFAULT, NULL, value, cancellable, error);
}

gboolean
esprit_loader_write_reg (EspritLoader  *self,
                         guint32        addr,
                         guint32        value,
                         guint32        mask,
                         guint32        delay_us,
                         GCancellable  *cancellable,
                         GError       **error)
{
  guint8 data[16];

  esprit_write_le32 (data, addr);
  esprit_write_le32 (data + 4, value);
  esprit_write_le32 (data + 8, mask);
  esprit_write_le32 (data + 12, delay_us);
  return esprit_loader_command (self, ESPRIT_OP_WRITE_REG, data, 16, 0, 0, ESPRIT_TIMEOUT_DEFAULT,
                                NULL, NULL, NULL, cancellable, error);
}

gboolean
_esprit_loader_send_data (EspritLoader  *self,
                          guint8         op,
                          guint32        seq,
                          const guint8  *block,
                          gsize          len,
                          guint          timeout_ms,
                          gboolean       lost_reply_ok,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GByteArray) pkt = esprit_command_build_data (op, seq, block, len);
  gboolean timed_out = FALSE;

  /* §2: a failed DATA block is retried 3 times. */
  for (int attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      guint8 code = 0;

      if (esprit_loader_command (self, op, pkt->data + 8, pkt->len - 8,
                                 esprit_read_le32 (pkt->data + 4), 0, timeout_ms, NULL, NULL,
                                 &code, cancellable, &local_error))
        return TRUE;
      if (timed_out && code == ESPRIT_ROM_ERR_INVALID_MESSAGE && lost_reply_ok)
        {
          /* The block arrived but its reply was lost: the loader now wants the next
           * sequence number (§8.4). */
          return TRUE;
        }
      timed_out = g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_TIMEOUT);
      /* Rejected blocks were not used: a checksum error, or on a stub a frame cut short on
       * the way (its length no longer matches, §1 stub codes). */
      if (attempt + 1 >= DATA_RETRIES ||
          !(timed_out || g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_CHECKSUM) ||
            code == ESPRIT_ROM_ERR_CHECKSUM || code == ESPRIT_STUB_ERR_BAD_DATA_CHECKSUM ||
            (self->kind != ESPRIT_LOADER_ROM && code == ESPRIT_STUB_ERR_BAD_DATA_LEN)))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      esprit_loader_log (self, ESPRIT_LOG_WARNING, _("Block %u: %s; sending it again"), seq,
                         local_error->message);
      esprit_transport_flush_input (self->transport, NULL);
    }
}

gboolean
esprit_loader_mem_upload (EspritLoader  *self,
                          guint32        addr,
                          const guint8  *data,
                          gsize          len,
                          GCancellable  *cancellable,
                          GError       **error)
{
  guint8 begin[16];
  guint32 blocks = (guint32) ((len + ESP_RAM_BLOCK - 1) / ESP_RAM_BLOCK);

  esprit_write_le32 (begin, (guint32) len);
  esprit_write_le32 (begin + 4, blocks);
  esprit_write_le32 (begin + 8, ESP_RAM_BLOCK);
  esprit_write_le32 (begin + 12, addr);
  if (!esprit_loader_command (self, ESPRIT_OP_MEM_BEGIN, begin, 16, 0, 0, ESPRIT_TIMEOUT_DEFAULT,
                              NULL, NULL, NULL, cancellable, error))
    return FALSE;
  for (guint32 seq = 0; seq < blocks; seq++)
    {
      gsize off = (gsize) seq * ESP_RAM_BLOCK;
      gsize n = MIN (ESP_RAM_BLOCK, len - off);

      /* The ROM checks each block's checksum, so a block it took is intact. */
      if (!_esprit_loader_send_data (self, ESPRIT_OP_MEM_DATA, seq, data + off, n,
                                     ESPRIT_TIMEOUT_DEFAULT, TRUE, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- connect ------------------------------------------------------------------------ */

/* One SYNC exchange (§2): the first reply within 100 ms, then the other seven drained.
 * *@stub is TRUE when every reply carried value 0 (a stub is already running). */
static gboolean
sync_once (EspritLoader  *self,
           gboolean      *stub,
           GCancellable  *cancellable,
           GError       **error)
{
  guint8 body[36] = { 0x07, 0x07, 0x12, 0x20 };
  guint32 value = 0;
  gboolean all_zero;

  memset (body + 4, 0x55, 32);
  if (!esprit_loader_command (self, ESPRIT_OP_SYNC, body, sizeof body, 0, 0, ESPRIT_TIMEOUT_SYNC,
                              NULL, &value, NULL, cancellable, error))
    return FALSE;
  all_zero = value == 0;
  for (int i = 0; i < 7; i++)
    {
      g_autoptr(GBytes) frame = esprit_loader_read_frame (self, ESPRIT_TIMEOUT_SYNC, cancellable,
                                                          NULL);
      EspritResponse resp;

      if (frame == NULL)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          break;
        }
      if (esprit_response_parse (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &resp) &&
          resp.op == ESPRIT_OP_SYNC && resp.value != 0)
        all_zero = FALSE;
    }
  *stub = all_zero;
  return TRUE;
}

static gboolean
detect_chip (EspritLoader  *self,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  guint32 magic;

  /* §4 step 1: GET_SECURITY_INFO. Its payload is 20 bytes (12 on the S2) and the status 2 or
   * 4 bytes, which can't be told apart before the chip is known: read the frame itself. */
  if (!esprit_loader_send (self, ESPRIT_OP_GET_SECURITY_INFO, NULL, 0, 0, cancellable, error))
    return FALSE;
  for (guint i = 0; i < MAX_STRAY_FRAMES; i++)
    {
      g_autoptr(GBytes) frame = esprit_loader_read_frame (self, ESPRIT_TIMEOUT_DEFAULT,
                                                          cancellable, &local_error);
      EspritResponse resp;

      if (frame == NULL)
        break;
      if (!esprit_response_parse (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), &resp))
        continue;
      if (resp.op == ESPRIT_OP_GET_SECURITY_INFO && resp.data_len >= 22 &&
          resp.data[20] == 0 && esprit_chip_from_security_id (esprit_read_le32 (resp.data + 12),
                                                              &self->chip))
        return TRUE;
      break;   /* a refusal, or no chip id (S2): fall back to the magic register */
    }
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  /* ROMs may repeat their refusal (§1): wait and drain. */
  if (!esprit_sleep_ms (200, cancellable, error))
    return FALSE;
  esprit_transport_flush_input (self->transport, NULL);
  drop_input (self);

  /* §4 step 2: the magic register. */
  g_clear_error (&local_error);
  if (!esprit_loader_read_reg (self, REG_CHIP_MAGIC, &magic, cancellable, &local_error))
    {
      if (g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_DEVICE) ||
          g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED))
        g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                             _("The chip refuses to be identified (an ESP32-S2 in Secure "
                               "Download Mode?)"));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!esprit_chip_from_magic (magic, &self->chip))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("Unknown chip (magic value 0x%08x)"), magic);
      return FALSE;
    }
  return TRUE;
}

static gboolean identify_stub (EspritLoader  *self,
                               GCancellable  *cancellable,
                               GError       **error);

gboolean
esprit_loader_connect (EspritLoader       *self,
                       EspritBefore        before,
                       guint               attempts,
                       EspritChip          expected,
                       EspritProgressFunc  progress,
                       gpointer            user_data,
                       GCancellable       *cancellable,
                       GError            **error)
{
  g_autoptr(GString) dots = g_string_new (_("Connecting"));
  gboolean synced = FALSE, stub = FALSE;

  if (attempts == 0)
    attempts = 7;
  if (progress)
    progress (ESPRIT_PHASE_CONNECTING, 0, 0, user_data);

  if (before == ESPRIT_BEFORE_NO_RESET_NO_SYNC)
    synced = TRUE;
  for (guint attempt = 0; !synced && attempt < attempts; attempt++)
    {
      g_string_append_c (dots, '.');
      esprit_loader_log (self, ESPRIT_LOG_PROGRESS, "%s", dots->str);

      if (before != ESPRIT_BEFORE_NO_RESET && esprit_transport_has_lines (self->transport))
        {
          EspritResetKind kind;
          guint delay;

          esprit_reset_for_attempt (self->transport, attempt, &kind, &delay);
          if (before == ESPRIT_BEFORE_CLASSIC_RESET)
            kind = ESPRIT_RESET_CLASSIC;
          else if (before == ESPRIT_BEFORE_UNIX_TIGHT_RESET)
            kind = ESPRIT_RESET_UNIX_TIGHT;
          else if (before == ESPRIT_BEFORE_USB_RESET)
            kind = ESPRIT_RESET_USB_JTAG;
          esprit_loader_log (self, ESPRIT_LOG_TRACE, "reset: %s, %u ms",
                             esprit_reset_kind_name (kind), delay);
          if (!esprit_reset_run (self->transport, kind, delay, cancellable, error))
            return FALSE;
        }
      /* The boot log (74880 baud on ESP8266, §8.6) is noise to us. */
      if (!esprit_transport_flush_input (self->transport, error))
        return FALSE;
      drop_input (self);

      for (guint i = 0; i < 5 && !synced; i++)
        {
          g_autoptr(GError) local_error = NULL;

          if (sync_once (self, &stub, cancellable, &local_error))
            synced = TRUE;
          else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                   g_error_matches (local_error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          else if (!esprit_sleep_ms (50, cancellable, error))
            return FALSE;
          else
            {
              esprit_transport_flush_input (self->transport, NULL);
              drop_input (self);
            }
        }
    }
  if (!synced)
    {
      esprit_loader_log (self, ESPRIT_LOG_INFO, "%s", dots->str);
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_NO_SYNC,
                   _("No answer from the board on %s after %u attempts: it is not in download "
                     "mode, or the port is not the board's"),
                   esprit_transport_get_name (self->transport), attempts);
      return FALSE;
    }
  esprit_loader_log (self, ESPRIT_LOG_INFO, "%s", dots->str);
  self->kind = stub ? ESPRIT_LOADER_STUB : ESPRIT_LOADER_ROM;

  if (!detect_chip (self, cancellable, error))
    return FALSE;
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Detecting chip type... %s"),
                     esprit_chip_get_info (self->chip)->name);
  if (expected != ESPRIT_CHIP_AUTO && expected != self->chip)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("This chip is %s, not %s. Wrong --chip argument?"),
                   esprit_chip_get_info (self->chip)->name, esprit_chip_get_info (expected)->name);
      return FALSE;
    }
  /* A stub left running by an earlier session (--after no_reset_stub) may be Esprit's. */
  if (self->kind == ESPRIT_LOADER_STUB)
    return identify_stub (self, cancellable, error);
  return TRUE;
}

/* ---- stub --------------------------------------------------------------------------- */

/* Asks the running stub whether it is Esprit's (ESPRIT_VERSION); another stub refuses the
 * unknown command, which is harmless. Only cancellation is an error. */
static gboolean
identify_stub (EspritLoader  *self,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GBytes) version = NULL;
  g_autoptr(GError) local_error = NULL;

  if (esprit_loader_command (self, ESPRIT_OP_ESPRIT_VERSION, NULL, 0, 0, 8,
                             ESPRIT_TIMEOUT_DEFAULT, &version, NULL, NULL, cancellable,
                             &local_error) &&
      memcmp (g_bytes_get_data (version, NULL), ESPRIT_STUB_MAGIC, 4) == 0)
    {
      self->kind = ESPRIT_LOADER_ESPRIT_STUB;
      self->stub_version = esprit_read_le32 ((const guint8 *) g_bytes_get_data (version, NULL) + 4);
    }
  else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* The jump to the stub happened but it did not say OHAI: whether the board can still be used
 * depends on whether the ROM loader still answers. */
static gboolean
stub_start_failed (EspritLoader  *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gboolean stub = FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  esprit_transport_flush_input (self->transport, NULL);
  if (sync_once (self, &stub, cancellable, NULL) && !stub)
    {
      g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_FAILED,
                           _("The stub did not start (no OHAI); the ROM loader still answers"));
      return FALSE;
    }
  g_set_error_literal (error, ESPRIT_ERROR, ESPRIT_ERROR_NO_SYNC,
                       _("The stub did not start and the board no longer answers. Nothing was "
                         "written; reset the board (press RESET or reconnect it) and try "
                         "again, or use --no-stub"));
  return FALSE;
}

gboolean
esprit_loader_run_stub (EspritLoader       *self,
                        EspritProgressFunc  progress,
                        gpointer            user_data,
                        GCancellable       *cancellable,
                        GError            **error)
{
  const EspritStubImage *image;
  g_autoptr(GBytes) ohai = NULL;
  guint8 end[8];

  g_return_val_if_fail (self->chip != ESPRIT_CHIP_AUTO, FALSE);

  if (self->kind != ESPRIT_LOADER_ROM)
    return TRUE;
  image = esprit_stub_image_for_chip (self->chip);
  if (image == NULL)
    return TRUE;

  /* §12.0, §12.4: the ESP32-family stubs drive SPI1 through its registers and cannot attach
   * the flash themselves (a windowed ROM call): the ROM attaches it first. */
  if (self->chip != ESPRIT_CHIP_ESP8266 && !_esprit_flash_ensure_attached (self, cancellable, error))
    return FALSE;
  if (progress)
    progress (ESPRIT_PHASE_STARTING_STUB, 0, 0, user_data);
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Uploading stub..."));
  for (guint i = 0; i < image->n_segments; i++)
    if (!esprit_loader_mem_upload (self, image->segments[i].load_addr, image->segments[i].data,
                                   image->segments[i].length, cancellable, error))
      {
        g_prefix_error (error, _("Uploading the stub failed: "));
        return FALSE;
      }
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Running stub..."));
  esprit_write_le32 (end, 0);   /* flag 0: jump to the entry (§2) */
  esprit_write_le32 (end + 4, image->entry);
  /* §2: the ROM's reply to MEM_END may never come (esptool waits 0.2 s and ignores errors);
   * OHAI decides. */
  self->saw_ohai = FALSE;
  esprit_loader_command (self, ESPRIT_OP_MEM_END, end, 8, 0, 0, ESPRIT_TIMEOUT_MEM_END_ROM,
                         NULL, NULL, NULL, cancellable, NULL);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  /* §6: OHAI is the only unsolicited frame. */
  if (!self->saw_ohai)
    {
      ohai = esprit_loader_read_frame (self, 1000, cancellable, NULL);
      if (ohai == NULL || g_bytes_get_size (ohai) != 4 ||
          memcmp (g_bytes_get_data (ohai, NULL), "OHAI", 4) != 0)
        return stub_start_failed (self, cancellable, error);
    }
  self->kind = ESPRIT_LOADER_STUB;
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Stub running..."));

  if (!identify_stub (self, cancellable, error))
    return FALSE;
  self->attached = FALSE;
  return TRUE;
}

gboolean
esprit_loader_change_baud (EspritLoader  *self,
                           guint          baud,
                           GCancellable  *cancellable,
                           GError       **error)
{
  guint8 data[8];

  if (self->kind == ESPRIT_LOADER_ROM &&
      !(esprit_chip_get_info (self->chip)->rom_caps & ESPRIT_ROM_CAN_CHANGE_BAUD))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("The %s ROM loader cannot change the baud rate"),
                   esprit_chip_get_info (self->chip)->name);
      return FALSE;
    }
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Changing baud rate to %u"), baud);
  /* §2: old rate 0 for a ROM, the current one for a stub. */
  esprit_write_le32 (data, baud);
  esprit_write_le32 (data + 4, self->kind == ESPRIT_LOADER_ROM
                                 ? 0 : esprit_transport_get_baud (self->transport));
  if (!esprit_loader_command (self, ESPRIT_OP_CHANGE_BAUDRATE, data, 8, 0, 0,
                              ESPRIT_TIMEOUT_DEFAULT, NULL, NULL, NULL, cancellable, error))
    return FALSE;
  if (!esprit_transport_set_baud (self->transport, baud, error))
    return FALSE;
  if (!esprit_sleep_ms (50, cancellable, error))
    return FALSE;
  esprit_transport_flush_input (self->transport, NULL);
  drop_input (self);
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Changed."));
  return TRUE;
}

/* ---- after -------------------------------------------------------------------------- */

static gboolean
begin_end (EspritLoader  *self,
           guint32        end_flag,
           GCancellable  *cancellable,
           GError       **error)
{
  guint8 begin[16] = { 0 };
  guint8 end[4];

  if (!_esprit_flash_ensure_attached (self, cancellable, error))
    return FALSE;
  /* FLASH_BEGIN(0,0) attaches; FLASH_END then reboots (0) or runs the program (1) (§2). */
  esprit_write_le32 (begin + 8, 0x400);
  if (!esprit_loader_command (self, ESPRIT_OP_FLASH_BEGIN, begin, 16, 0, 0,
                              ESPRIT_TIMEOUT_DEFAULT, NULL, NULL, NULL, cancellable, error))
    return FALSE;
  esprit_write_le32 (end, end_flag);
  /* The loader may be gone before its reply is read: only the send must succeed. */
  return esprit_loader_command (self, ESPRIT_OP_FLASH_END, end, 4, 0, 0, 500, NULL, NULL, NULL,
                                cancellable, NULL) ||
         !g_cancellable_set_error_if_cancelled (cancellable, error);
}

gboolean
esprit_loader_hard_reset (EspritLoader  *self,
                          GError       **error)
{
  esprit_loader_log (self, ESPRIT_LOG_INFO, _("Hard resetting via RTS pin..."));
  if (!esprit_transport_has_lines (self->transport))
    {
      esprit_loader_log (self, ESPRIT_LOG_WARNING,
                         _("This port carries no RTS line: press the board's RESET button to "
                           "start the program."));
      return TRUE;
    }
  if (!esprit_transport_drain (self->transport, error))
    return FALSE;
  return esprit_reset_run (self->transport, ESPRIT_RESET_HARD, 0, NULL, error);
}

gboolean
esprit_loader_finish (EspritLoader  *self,
                      EspritAfter    after,
                      GCancellable  *cancellable,
                      GError       **error)
{
  switch (after)
    {
    case ESPRIT_AFTER_HARD_RESET:
      return esprit_loader_hard_reset (self, error);

    case ESPRIT_AFTER_SOFT_RESET:
      esprit_loader_log (self, ESPRIT_LOG_INFO, _("Soft resetting..."));
      if (self->kind == ESPRIT_LOADER_ROM)
        return begin_end (self, 1, cancellable, error);
      if (self->chip == ESPRIT_CHIP_ESP8266)
        return esprit_loader_send (self, ESPRIT_OP_RUN_USER_CODE, NULL, 0, 0, cancellable, error) &&
               esprit_transport_drain (self->transport, error);
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_UNSUPPORTED,
                   _("A soft reset from the stub only exists on the ESP8266"));
      return FALSE;

    case ESPRIT_AFTER_NO_RESET:
      esprit_loader_log (self, ESPRIT_LOG_INFO, _("Staying in bootloader."));
      if (self->kind != ESPRIT_LOADER_ROM)
        return begin_end (self, 0, cancellable, error);
      return TRUE;

    case ESPRIT_AFTER_NO_RESET_STUB:
      esprit_loader_log (self, ESPRIT_LOG_INFO, _("Staying in flasher stub."));
      return TRUE;

    default:
      g_return_val_if_reached (FALSE);
    }
}

/* ---- identity ----------------------------------------------------------------------- */

gboolean
esprit_loader_read_mac (EspritLoader  *self,
                        guint8         mac[6],
                        GCancellable  *cancellable,
                        GError       **error)
{
  const EspritChipInfo *info = esprit_chip_get_info (self->chip);
  guint n = info->mac_layout == ESPRIT_MAC_ESP8266 ? 4 : 2;
  guint32 words[4] = { 0 };

  for (guint i = 0; i < n; i++)
    if (!esprit_loader_read_reg (self, info->mac_base + 4 * i, &words[i], cancellable, error))
      return FALSE;
  return esprit_chip_decode_mac (self->chip, words, mac, error);
}

void
esprit_device_info_clear (EspritDeviceInfo *info)
{
  g_clear_pointer (&info->description, g_free);
  g_clear_pointer (&info->features, g_free);
}

gboolean
esprit_loader_identify (EspritLoader      *self,
                        EspritDeviceInfo  *info,
                        GCancellable      *cancellable,
                        GError           **error)
{
  const EspritChipInfo *chip = esprit_chip_get_info (self->chip);
  guint32 clkdiv;

  memset (info, 0, sizeof *info);
  info->chip = self->chip;
  if (!esprit_loader_read_mac (self, info->mac, cancellable, error))
    return FALSE;
  if (self->chip == ESPRIT_CHIP_ESP8266)
    {
      guint32 w[4];

      for (guint i = 0; i < 4; i++)
        if (!esprit_loader_read_reg (self, chip->mac_base + 4 * i, &w[i], cancellable, error))
          return FALSE;
      /* §4: ESP8285 if eFuse bit 4 or bit 80 is set. */
      info->description = g_strdup ((w[0] & (1u << 4)) || (w[2] & (1u << 16)) ? "ESP8285" : "ESP8266EX");
      info->features = g_strdup ((w[0] & (1u << 4)) || (w[2] & (1u << 16))
                                 ? _("WiFi, Embedded Flash") : _("WiFi"));
      info->chip_id = esprit_chip_esp8266_chip_id (w);
    }
  else
    {
      info->description = g_strdup (chip->name);
      info->features = g_strdup (self->chip == ESPRIT_CHIP_ESP32 ? _("WiFi, BT, Dual Core")
                                 : self->chip == ESPRIT_CHIP_ESP32S2 ? _("WiFi")
                                 : self->chip == ESPRIT_CHIP_ESP32S3 ? _("WiFi, BLE, Dual Core")
                                 : self->chip == ESPRIT_CHIP_ESP32C6 ? _("WiFi 6, BLE, 802.15.4")
                                 : _("WiFi, BLE"));
    }
  /* The crystal only shows while the ROM's clocks run (a stub may have changed them). */
  if (self->kind == ESPRIT_LOADER_ROM)
    {
      if (!esprit_loader_read_reg (self, chip->uart_clkdiv_reg, &clkdiv, cancellable, error))
        return FALSE;
      info->xtal_mhz = esprit_chip_estimate_xtal (self->chip, clkdiv,
                                                  esprit_transport_get_baud (self->transport));
    }
  if (!esprit_flash_read_id (self, &info->flash_id, cancellable, error))
    return FALSE;
  info->flash_size = esprit_flash_size_from_jedec (info->flash_id);
  return TRUE;
}

/* esprit-loader.c: one connection to a board's loader: the object, frames and commands,
 * registers and RAM upload (connecting, the stub and the final reset are in
 * esprit-loader-connect.c and esprit-loader-stub.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-loader"

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "esprit-error.h"
#include "esprit-flash.h"
#include "esprit-i18n.h"
#include "esprit-loader-private.h"
#include "esprit-slip.h"



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
  g_clear_pointer (&ESPRIT_LOADER (object)->chunks, esprit_chunk_map_free);
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
  if (self->chunks != NULL && esprit_chunk_map_get_flash_size (self->chunks) != size)
    g_clear_pointer (&self->chunks, esprit_chunk_map_free);
  self->flash_size = size;
}

void
_esprit_loader_note_chunks (EspritLoader     *self,
                            guint32           addr,
                            guint32           len,
                            EspritChunkState  state)
{
  if (self->flash_size == 0 || len == 0)
    return;
  if (self->chunks == NULL)
    self->chunks = esprit_chunk_map_new (self->flash_size);
  if (state == ESPRIT_CHUNK_UNKNOWN)
    {
      guint64 from = addr / ESPRIT_CHUNK_SIZE * (guint64) ESPRIT_CHUNK_SIZE;
      guint64 to = ((guint64) addr + len + ESPRIT_CHUNK_SIZE - 1) / ESPRIT_CHUNK_SIZE *
                   ESPRIT_CHUNK_SIZE;

      esprit_chunk_map_set (self->chunks, (guint32) from,
                            (guint32) (MIN (to, (guint64) G_MAXUINT32) - from), state);
    }
  else
    esprit_chunk_map_set (self->chunks, addr, len, state);
}

const EspritChunkMap *
esprit_flash_get_chunk_map (EspritLoader *self)
{
  g_return_val_if_fail (ESPRIT_IS_LOADER (self), NULL);
  return self->chunks;
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

void
_esprit_loader_drop_input (EspritLoader *self)
{
  self->rx_len = self->rx_pos = 0;
  esprit_slip_decoder_reset (self->decoder);
}

gboolean
_esprit_loader_next_frame (EspritLoader   *self,
                           guint           timeout_ms,
                           GBytes        **frame,
                           EspritAttempt  *attempt,
                           GCancellable   *cancellable)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  attempt->result = ESPRIT_ATTEMPT_OK;
  for (;;)
    {
      GError *read_error = NULL;
      gint64 left;
      gssize n;

      while (self->rx_pos < self->rx_len)
        {
          EspritSlipResult r = esprit_slip_decoder_push (self->decoder, self->rx[self->rx_pos++]);

          if (r == ESPRIT_SLIP_FRAME)
            {
              gsize len;
              const guint8 *data = esprit_slip_decoder_frame (self->decoder, &len);

              trace_bytes (self, "<", data, len);
              *frame = g_bytes_new (data, len);
              return TRUE;
            }
        }
      left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        {
          attempt->result = ESPRIT_ATTEMPT_TIMEOUT;
          attempt->mid_frame = esprit_slip_decoder_in_frame (self->decoder);
          return FALSE;
        }
      n = esprit_transport_read (self->transport, self->rx, sizeof self->rx,
                                 (guint) MAX (1, (left + 999) / 1000), cancellable, &read_error);
      if (n < 0)
        {
          esprit_attempt_take_fatal (attempt, read_error);
          return FALSE;
        }
      self->rx_len = (gsize) n;
      self->rx_pos = 0;
    }
}

GBytes *
esprit_loader_read_frame (EspritLoader  *self,
                          guint          timeout_ms,
                          GCancellable  *cancellable,
                          GError       **error)
{
  EspritAttempt attempt = ESPRIT_ATTEMPT_INIT;
  GBytes *frame = NULL;

  if (!_esprit_loader_next_frame (self, timeout_ms, &frame, &attempt, cancellable))
    esprit_attempt_fail (&attempt, error);
  return frame;
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

/* Reads frames until the reply to @op (§1 host rule). */
static gboolean
await_reply (EspritLoader   *self,
             guint8          op,
             gsize           payload_len,
             gint64          deadline,
             GBytes        **payload,
             guint32        *value,
             EspritAttempt  *a,
             GCancellable   *cancellable)
{
  for (guint i = 0; i < ESPRIT_MAX_STRAY_FRAMES; i++)
    {
      g_autoptr(GBytes) frame = NULL;
      EspritResponse resp;
      gint64 left = deadline - g_get_monotonic_time ();
      const guint8 *f;
      gsize flen;
      guint8 failed, code;

      if (!_esprit_loader_next_frame (self, (guint) MAX (1, left / 1000), &frame, a, cancellable))
        return FALSE;
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
              a->result = ESPRIT_ATTEMPT_UNSUPPORTED;
              a->status = 0x05;
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
              a->result = ESPRIT_ATTEMPT_SHORT_REPLY;
              a->length = resp.data_len;
              return FALSE;
            }
        }
      if (failed)
        {
          /* §1: a stub sends [error, 0], a ROM [failed, error]. */
          if (self->kind != ESPRIT_LOADER_ROM)
            code = failed;
          a->result = ESPRIT_ATTEMPT_REFUSED;
          a->status = code;
          return FALSE;
        }
      if (payload)
        *payload = g_bytes_new (resp.data, payload_len);
      if (value)
        *value = resp.value;
      return TRUE;
    }
  a->result = ESPRIT_ATTEMPT_NO_MATCH;
  return FALSE;
}

gboolean
_esprit_loader_exchange (EspritLoader   *self,
                         guint8          op,
                         const guint8   *data,
                         gsize           len,
                         guint32         checksum,
                         gsize           payload_len,
                         guint           timeout_ms,
                         GBytes        **payload,
                         guint32        *value,
                         EspritAttempt  *attempt,
                         GCancellable   *cancellable)
{
  GError *send_error = NULL;

  esprit_attempt_clear (attempt);
  attempt->op = op;
  if (!esprit_loader_send (self, op, data, len, checksum, cancellable, &send_error))
    {
      esprit_attempt_take_fatal (attempt, send_error);
      return FALSE;
    }
  return await_reply (self, op, payload_len,
                      g_get_monotonic_time () + (gint64) timeout_ms * 1000, payload, value,
                      attempt, cancellable);
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
  EspritAttempt attempt = ESPRIT_ATTEMPT_INIT;

  if (_esprit_loader_exchange (self, op, data, len, checksum, payload_len, timeout_ms, payload,
                               value, &attempt, cancellable))
    return TRUE;
  if (status_error != NULL && (attempt.result == ESPRIT_ATTEMPT_REFUSED ||
                               attempt.result == ESPRIT_ATTEMPT_UNSUPPORTED))
    *status_error = attempt.status;
  return esprit_attempt_fail (&attempt, error);
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
  EspritAttempt attempt = ESPRIT_ATTEMPT_INIT;

  for (guint tries = 1; ; tries++)
    {
      if (_esprit_loader_exchange (self, op, data, len, 0, payload_len, timeout_ms, payload,
                                   value, &attempt, cancellable))
        return TRUE;
      if (!esprit_retry_again (&attempt, ESPRIT_RETRY_LOST | ESPRIT_RETRY_REFUSED, tries,
                               self->kind != ESPRIT_LOADER_ROM))
        return esprit_attempt_fail (&attempt, error);
      {
        g_autofree char *why = esprit_attempt_describe (&attempt);

        esprit_loader_log (self, ESPRIT_LOG_WARNING, _("%s; asking again"), why);
      }
      esprit_transport_flush_input (self->transport, NULL);
      _esprit_loader_drop_input (self);
    }
}

/* ---- sync -------------------------------------------------------------------------- */

/* One SYNC exchange (§2): the first reply within 100 ms, then the other seven drained.
 * *@stub is TRUE when every reply carried value 0 (a stub is already running). */
gboolean
_esprit_loader_sync_once (EspritLoader  *self,
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

/* ---- attach ------------------------------------------------------------------------ */

/* ESP32-family ROMs need SPI_ATTACH first; stubs take 4 bytes, ROMs 8 (§2). The ESP8266 ROM
 * attaches in FLASH_BEGIN(0,0). */
gboolean
_esprit_loader_ensure_attached (EspritLoader  *self,
                                GCancellable  *cancellable,
                                GError       **error)
{
  guint8 zeros[16] = { 0 };

  if (self->attached)
    return TRUE;
  if (self->kind == ESPRIT_LOADER_ROM && self->chip == ESPRIT_CHIP_ESP8266)
    {
      esprit_write_le32 (zeros + 8, 0x400);
      if (!esprit_loader_command (self, ESPRIT_OP_FLASH_BEGIN, zeros, 16, 0, 0,
                                  ESPRIT_TIMEOUT_DEFAULT, NULL, NULL, NULL, cancellable, error))
        return FALSE;
    }
  else if (!esprit_loader_command (self, ESPRIT_OP_SPI_ATTACH, zeros, self->kind == ESPRIT_LOADER_ROM ? 8 : 4, 0, 0,
                                   ESPRIT_TIMEOUT_DEFAULT, NULL, NULL, NULL, cancellable, error))
    return FALSE;
  self->attached = TRUE;
  return TRUE;
}

/* esprit-slip.c: SLIP framing (protocol-facts §1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-slip"

#include "config.h"

#include "esprit-slip.h"

struct _EspritSlipDecoder
{
  GByteArray *frame;      /* the frame being collected */
  GByteArray *complete;   /* the last complete frame */
  gsize       max_frame;
  gsize       noise;
  gboolean    in_frame;
  gboolean    escaped;
  gboolean    discarding; /* after a bad escape/overflow: skip to the next C0 */
};

void
esprit_slip_encode (GByteArray   *out,
                    const guint8 *data,
                    gsize         len)
{
  static const guint8 end = ESPRIT_SLIP_END;
  static const guint8 esc_end[2] = { ESPRIT_SLIP_ESC, ESPRIT_SLIP_ESC_END };
  static const guint8 esc_esc[2] = { ESPRIT_SLIP_ESC, ESPRIT_SLIP_ESC_ESC };
  gsize run = 0;

  g_byte_array_append (out, &end, 1);
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != ESPRIT_SLIP_END && data[i] != ESPRIT_SLIP_ESC)
        continue;
      g_byte_array_append (out, data + run, i - run);
      g_byte_array_append (out, data[i] == ESPRIT_SLIP_END ? esc_end : esc_esc, 2);
      run = i + 1;
    }
  g_byte_array_append (out, data + run, len - run);
  g_byte_array_append (out, &end, 1);
}

EspritSlipDecoder *
esprit_slip_decoder_new (gsize max_frame)
{
  EspritSlipDecoder *self = g_new0 (EspritSlipDecoder, 1);

  self->frame = g_byte_array_new ();
  self->complete = g_byte_array_new ();
  self->max_frame = max_frame ? max_frame : 0x10000;
  return self;
}

void
esprit_slip_decoder_free (EspritSlipDecoder *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->frame);
  g_byte_array_unref (self->complete);
  g_free (self);
}

void
esprit_slip_decoder_reset (EspritSlipDecoder *self)
{
  g_byte_array_set_size (self->frame, 0);
  self->noise = 0;
  self->in_frame = FALSE;
  self->escaped = FALSE;
  self->discarding = FALSE;
}

EspritSlipResult
esprit_slip_decoder_push (EspritSlipDecoder *self,
                          guint8             byte)
{
  if (byte == ESPRIT_SLIP_END)
    {
      /* C0 both ends a frame and may start the next one; C0 C0 is not an empty frame. */
      if (self->in_frame && !self->discarding && self->frame->len > 0 && !self->escaped)
        {
          GByteArray *tmp = self->complete;

          self->complete = self->frame;
          self->frame = tmp;
          g_byte_array_set_size (self->frame, 0);
          self->in_frame = FALSE;
          return ESPRIT_SLIP_FRAME;
        }
      g_byte_array_set_size (self->frame, 0);
      self->in_frame = TRUE;
      self->escaped = FALSE;
      self->discarding = FALSE;
      return ESPRIT_SLIP_NONE;
    }

  if (!self->in_frame)
    {
      self->noise++;
      return ESPRIT_SLIP_NONE;
    }
  if (self->discarding)
    return ESPRIT_SLIP_NONE;

  if (self->escaped)
    {
      self->escaped = FALSE;
      if (byte == ESPRIT_SLIP_ESC_END)
        byte = ESPRIT_SLIP_END;
      else if (byte == ESPRIT_SLIP_ESC_ESC)
        byte = ESPRIT_SLIP_ESC;
      else
        {
          /* Receiver rule of §1: reject DB not followed by DC/DD. */
          self->discarding = TRUE;
          return ESPRIT_SLIP_BAD_ESCAPE;
        }
    }
  else if (byte == ESPRIT_SLIP_ESC)
    {
      self->escaped = TRUE;
      return ESPRIT_SLIP_NONE;
    }

  if (self->frame->len >= self->max_frame)
    {
      self->discarding = TRUE;
      return ESPRIT_SLIP_OVERFLOW;
    }
  g_byte_array_append (self->frame, &byte, 1);
  return ESPRIT_SLIP_NONE;
}

const guint8 *
esprit_slip_decoder_frame (EspritSlipDecoder *self,
                           gsize             *len)
{
  if (len != NULL)
    *len = self->complete->len;
  return self->complete->data;
}

gsize
esprit_slip_decoder_noise (EspritSlipDecoder *self)
{
  return self->noise;
}

gboolean
esprit_slip_decoder_in_frame (EspritSlipDecoder *self)
{
  return self->in_frame;
}

/* esprit-slip.h: SLIP framing (protocol-facts §1), used by the host and the virtual board
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ESPRIT_SLIP_END     0xC0
#define ESPRIT_SLIP_ESC     0xDB
#define ESPRIT_SLIP_ESC_END 0xDC
#define ESPRIT_SLIP_ESC_ESC 0xDD

/* Appends C0, @data escaped, C0 to @out. */
void esprit_slip_encode (GByteArray   *out,
                         const guint8 *data,
                         gsize         len);

typedef enum {
  ESPRIT_SLIP_NONE,       /* byte consumed, no frame yet */
  ESPRIT_SLIP_FRAME,      /* a complete frame is in the decoder (esprit_slip_decoder_frame) */
  ESPRIT_SLIP_BAD_ESCAPE, /* DB not followed by DC/DD: the frame was dropped */
  ESPRIT_SLIP_OVERFLOW,   /* frame longer than the decoder's limit: dropped */
} EspritSlipResult;

/* Push decoder: bytes before the first C0 (boot noise) are skipped and counted; an empty
 * frame (C0 C0) is not a frame, the second C0 starts the next one. */
typedef struct _EspritSlipDecoder EspritSlipDecoder;

EspritSlipDecoder *esprit_slip_decoder_new        (gsize                 max_frame);
void               esprit_slip_decoder_free       (EspritSlipDecoder    *self);
void               esprit_slip_decoder_reset      (EspritSlipDecoder    *self);
EspritSlipResult   esprit_slip_decoder_push       (EspritSlipDecoder    *self,
                                                   guint8                byte);
/* The last complete frame; valid until the next push. */
const guint8      *esprit_slip_decoder_frame      (EspritSlipDecoder    *self,
                                                   gsize                *len);
/* Bytes seen outside any frame since the last reset (noise). */
gsize              esprit_slip_decoder_noise      (EspritSlipDecoder    *self);
/* TRUE while inside a frame (a C0 was seen and the closing one not yet). */
gboolean           esprit_slip_decoder_in_frame   (EspritSlipDecoder    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EspritSlipDecoder, esprit_slip_decoder_free)

G_END_DECLS

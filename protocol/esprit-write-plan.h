/* esprit-write-plan.h: one write_flash request (several files at addresses, header options),
 * checked before anything is sent and then carried out. Shared by the CLI and the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-flash.h"
#include "esprit-image.h"

G_BEGIN_DECLS

typedef struct _EspritWritePlan EspritWritePlan;

EspritWritePlan *esprit_write_plan_new        (void);
void             esprit_write_plan_free       (EspritWritePlan    *self);
/* @name is for messages ("Blink.bin"). */
void             esprit_write_plan_add        (EspritWritePlan    *self,
                                               guint32             addr,
                                               GBytes             *data,
                                               const char         *name);
guint            esprit_write_plan_get_n_items (EspritWritePlan   *self);
void             esprit_write_plan_set_header (EspritWritePlan    *self,
                                               EspritFlashMode     mode,
                                               guint32             size,   /* KEEP/DETECT/bytes */
                                               EspritFlashFreq     freq);
void             esprit_write_plan_set_options (EspritWritePlan   *self,
                                               const EspritWriteOptions *options);
void             esprit_write_plan_set_erase_all (EspritWritePlan *self,
                                               gboolean            erase_all);
/* Checks without a board: overlapping regions, data beyond @flash_size (0 = unknown),
 * addresses the loader cannot take (@chip's ROM needs 4 KiB alignment... the caller passes
 * whether a stub will run), images built for another chip than @chip (AUTO = unknown),
 * malformed images at the bootloader offset when the header is to be patched.
 * ESPRIT_ERROR_INVALID_ARGUMENT / IMAGE_INVALID / IMAGE_TOO_LARGE with a message naming the
 * file. */
gboolean         esprit_write_plan_check      (EspritWritePlan    *self,
                                               EspritChip          chip,
                                               guint32             flash_size,
                                               GError            **error);
/* As esprit_write_plan_check(), also naming the item at fault (its index, in the order
 * added) in *@bad_item, or -1. */
gboolean         esprit_write_plan_check_item (EspritWritePlan  *self,
                                               EspritChip        chip,
                                               guint32           flash_size,
                                               int              *bad_item,
                                               GError          **error);
/* Checks against the connected board (chip, detected size), patches headers at the
 * bootloader offset, erases everything first if asked, writes and verifies each item. */
gboolean         esprit_write_plan_run        (EspritWritePlan    *self,
                                               EspritLoader       *loader,
                                               EspritProgressFunc  progress,
                                               gpointer            user_data,
                                               GCancellable       *cancellable,
                                               GError            **error);

/* The plan's deflate cache (borrowed): one plan run by several sessions, even at once from
 * several threads, compresses each item once; the options' own cache wins if set. */
EspritDeflateCache *esprit_write_plan_get_deflate_cache (EspritWritePlan *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EspritWritePlan, esprit_write_plan_free)

G_END_DECLS

/* esprit-board-row.h: one board in the window's board list: check box, chip and MAC, and
 * during a job its own progress, phase and result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "esprit-job.h"
#include "esprit-port-item.h"

G_BEGIN_DECLS

typedef enum {
  ESPRIT_BOARD_RESULT_NONE,      /* nothing done yet */
  ESPRIT_BOARD_RESULT_RUNNING,
  ESPRIT_BOARD_RESULT_OK,
  ESPRIT_BOARD_RESULT_FAILED,
  ESPRIT_BOARD_RESULT_SKIPPED,   /* the production line had done this board already */
} EspritBoardResult;

#define ESPRIT_TYPE_BOARD_ROW (esprit_board_row_get_type ())
G_DECLARE_FINAL_TYPE (EspritBoardRow, esprit_board_row, ESPRIT, BOARD_ROW, AdwActionRow)

EspritBoardRow   *esprit_board_row_new          (EspritPortItem    *port);
EspritPortItem   *esprit_board_row_get_port     (EspritBoardRow    *self);
gboolean          esprit_board_row_get_checked  (EspritBoardRow    *self);
void              esprit_board_row_set_checked  (EspritBoardRow    *self,
                                                 gboolean           checked);
/* What a connect found: the chip's name ("ESP8266") and the MAC ("18:fe:34:…"). */
void              esprit_board_row_set_identity (EspritBoardRow    *self,
                                                 const char        *chip,
                                                 const char        *mac);
/* NULL until a job connected to the board. */
const char       *esprit_board_row_get_chip     (EspritBoardRow    *self);
const char       *esprit_board_row_get_mac      (EspritBoardRow    *self);
/* The port went away while a job ran: the row goes when the job is over. */
void              esprit_board_row_set_gone     (EspritBoardRow    *self);
gboolean          esprit_board_row_get_gone     (EspritBoardRow    *self);
/* Shows @job's progress until esprit_board_row_finish(). */
void              esprit_board_row_start        (EspritBoardRow    *self,
                                                 EspritJob         *job);
/* The job's end: @result OK or SKIPPED (with @text after the chip and MAC: "flashed and
 * verified"), or FAILED (the reason from @error, and Retry). */
void              esprit_board_row_finish       (EspritBoardRow    *self,
                                                 EspritBoardResult  result,
                                                 const GError      *error,
                                                 const char        *text);
/* The job that runs or ran last, NULL before the first. (transfer none) */
EspritJob        *esprit_board_row_get_job      (EspritBoardRow    *self);
EspritBoardResult esprit_board_row_get_result   (EspritBoardRow    *self);
/* What the row says under the board's name (the reason after a failure). */
const char       *esprit_board_row_get_status   (EspritBoardRow    *self);

G_END_DECLS

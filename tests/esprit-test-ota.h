/* esprit-test-ota.h: helpers for the OTA tests: a virtual OTA board served from a thread,
 * uploads to it, and checks of where the data landed and what the board boots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-ota.h"
#include "esprit-sim-ota.h"

G_BEGIN_DECLS

#define ESPRIT_TEST_OTA_PASSWORD "kitchen-secret"

typedef struct {
  EspritSimOta *ota;
  GThread      *thread;
  gint          stop;
  char         *dir;
  char         *events;   /* the board's events file */
  GString      *log;      /* everything the client logged, trace included */
  EspritChip    chip;
} EspritTestOtaBoard;

/* Starts a board from @config (its events_path is set here) with @old_program at @old_addr
 * (or none). */
EspritTestOtaBoard *esprit_test_ota_start          (EspritSimOtaConfig  *config,
                                                    GBytes              *old_program,
                                                    guint32              old_addr);
void                esprit_test_ota_stop           (EspritTestOtaBoard  *b);
char               *esprit_test_ota_events         (EspritTestOtaBoard  *b);
/* An EspritLogFunc appending to b->log. */
void                esprit_test_ota_collect_log    (EspritLogLevel       level,
                                                    const char          *line,
                                                    gpointer             user_data);
/* One upload to @b, one invitation, 3 s per answer. */
gboolean            esprit_test_ota_upload         (EspritTestOtaBoard  *b,
                                                    EspritOtaCommand     command,
                                                    const char          *password,
                                                    GBytes              *image,
                                                    GError             **error);
/* An Arduino ESP8266 .bin (eboot padded to 4 KB, then the sketch); @sketch_out gets the
 * sketch alone. */
GBytes             *esprit_test_ota_arduino_bin    (gsize                sketch_size,
                                                    guint32              seed,
                                                    GBytes             **sketch_out);
void                esprit_test_ota_assert_flash   (EspritTestOtaBoard  *b,
                                                    guint32              addr,
                                                    GBytes              *expected);
/* Waits for the board's last "app:" line to say it runs @image at @where (NULL @image: that
 * it rebooted after an update and runs something at @where). */
void                esprit_test_ota_assert_running (EspritTestOtaBoard  *b,
                                                    const char          *where,
                                                    GBytes              *image);

G_END_DECLS

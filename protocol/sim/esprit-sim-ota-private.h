/* esprit-sim-ota-private.h: the virtual OTA board's state, shared by its network side
 * (esprit-sim-ota.c) and its flash side (esprit-sim-ota-flash.c: Updater, eboot, otadata)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "esprit-sim-ota.h"

G_BEGIN_DECLS

#define SIM_OTA_SECTOR 0x1000u

/* The Updater library of either core, as far as the host can tell it apart (§7.1, §7.2). */
typedef struct {
  gboolean   running;
  int        command;
  guint32    size;
  guint32    start;          /* flash address the update goes to */
  guint32    progress;       /* bytes flashed (ESP8266: _currentAddress - _startAddress) */
  guint8     buffer[SIM_OTA_SECTOR];
  gsize      buffer_len;
  guint8     skipped[16];    /* ESP32: the first 16 bytes, written last */
  GChecksum *md5;
  char       target_md5[33];
  char       calculated[33];
  int        error;          /* UPDATE_ERROR_* of the core */
  guint8     subtype;        /* ESP32: the partition being written (ota_N for an app) */
  char       label[17];
} SimUpdater;

/* ESP32: a partition as the firmware found it in the table on its flash. */
typedef struct {
  guint32 start;             /* where the update's bytes go (fat: past the first sector) */
  guint32 size;              /* the partition's size, what Update.begin() checks */
  guint8  subtype;
  char    label[17];
} SimTarget;

struct _EspritSimOta {
  EspritSimOtaConfig config;
  char              *address;
  char              *password_hash;   /* what the sketch stores */
  char              *flash_path;
  char              *events_path;
  char              *publish_name;
  guint8            *flash;
  guint32            flash_size;
  int                fd;
  GSocket           *udp;
  guint16            port;
  GSubprocess       *publisher;
  SimUpdater         up;
  /* ESP8266: the eboot command in RTC memory (§7.1), survives the software reboot. */
  gboolean           eboot_pending;
  guint32            eboot_src, eboot_dst, eboot_len;
};

void     _esprit_sim_ota_event      (EspritSimOta *self,
                                     const char   *format,
                                     ...) G_GNUC_PRINTF (2, 3);

/* Flash (NOR: erase to 0xFF, programming clears bits), kept in the flash file. */
void     _esprit_sim_ota_erase      (EspritSimOta *self,
                                     guint32       addr,
                                     guint32       len);
void     _esprit_sim_ota_program    (EspritSimOta *self,
                                     guint32       addr,
                                     const guint8 *data,
                                     gsize         len);

/* Update.begin/write/end and the error text Update.printError() prints, per core. */
gboolean _esprit_sim_ota_begin      (EspritSimOta *self,
                                     guint32       size,
                                     int           command,
                                     const char   *md5);
gsize    _esprit_sim_ota_write      (EspritSimOta *self,
                                     const guint8 *data,
                                     gsize         len);
gboolean _esprit_sim_ota_end        (EspritSimOta *self);
void     _esprit_sim_ota_abort      (EspritSimOta *self);
gboolean _esprit_sim_ota_finished   (EspritSimOta *self);
guint32  _esprit_sim_ota_remaining  (EspritSimOta *self);
char    *_esprit_sim_ota_error_text (EspritSimOta *self);

/* ESP32 (esprit-sim-ota-parts.c): a new flash gets the Arduino default table; Update.begin's
 * target for @command; esp_ota_set_boot_partition; the app the bootloader picks. FALSE: no
 * table or no such partition. */
void     _esprit_sim_ota_parts_init     (EspritSimOta *self);
gboolean _esprit_sim_ota_parts_target   (EspritSimOta *self,
                                         int           command,
                                         SimTarget    *target);
gboolean _esprit_sim_ota_parts_set_boot (EspritSimOta *self,
                                         guint8        subtype);
gboolean _esprit_sim_ota_parts_running  (EspritSimOta *self,
                                         SimTarget    *app);

/* ESP8266 (esprit-sim-ota-eboot.c): eboot's pending COPY_RAW (plain or gzip), cleared; the
 * address the app then loads from (0 normally). */
guint32  _esprit_sim_ota_eboot          (EspritSimOta *self);

/* ESP.restart(): eboot's copy (ESP8266) or the bootloader's otadata choice (ESP32), then the
 * sketch runs ("app: ..." event). */
void     _esprit_sim_ota_boot       (EspritSimOta *self,
                                     const char   *why);

G_END_DECLS

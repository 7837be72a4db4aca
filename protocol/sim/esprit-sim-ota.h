/* esprit-sim-ota.h: a virtual board running an ArduinoOTA sketch (protocol-facts §7)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "esprit-chips.h"

G_BEGIN_DECLS

typedef enum {
  ESPRIT_SIM_OTA_ESP8266,        /* esp8266/Arduino: MD5 challenge, port 8266 */
  ESPRIT_SIM_OTA_ESP32_MD5,      /* arduino-esp32 before 3.3.1: MD5 challenge, port 3232 */
  ESPRIT_SIM_OTA_ESP32_SHA256,   /* arduino-esp32 3.3.1+: PBKDF2-HMAC-SHA-256 challenge */
} EspritSimOtaCore;

typedef struct {
  EspritChip        chip;
  EspritSimOtaCore  core;
  const char       *address;        /* the board's address: "127.0.0.1" (NULL) or "::1" */
  guint16           port;           /* UDP port (8266, 3232 as the cores); 0: any free one */
  const char       *password;       /* ArduinoOTA.setPassword(), or NULL */
  const char       *password_hash;  /* ArduinoOTA.setPasswordHash() (hex), or NULL */
  guint32           flash_size;     /* bytes; 4 MiB when 0 */
  const char       *flash_path;     /* keep the flash in this file, or NULL */
  const char       *events_path;    /* append "ota: ...", "boot: ...", "app: ..." lines */
  const char       *publish_name;   /* announce _arduino._tcp through Avahi, or NULL */
  /* Faults (off when -1 / FALSE) */
  gint64            drop_after;     /* close the TCP link after receiving N image bytes */
  gboolean          no_connect_back;/* accept the invitation, never dial back */
  gint64            corrupt_byte;   /* flip a bit in the Nth image byte received (1-based) */
  gboolean          full;           /* no room for an update (sketch fills the flash) */
  gboolean          atomic_fs_update;/* ESP8266 sketch built with ATOMIC_FS_UPDATE: a
                                       filesystem is staged and copied by eboot */
} EspritSimOtaConfig;

typedef struct _EspritSimOta EspritSimOta;

/* Binds the UDP port and "boots" what the flash holds. */
EspritSimOta *esprit_sim_ota_new        (const EspritSimOtaConfig *config,
                                         GError                  **error);
void          esprit_sim_ota_free       (EspritSimOta             *self);
guint16       esprit_sim_ota_get_port   (EspritSimOta             *self);
/* Serves invitations until *@stop becomes nonzero. */
void          esprit_sim_ota_run        (EspritSimOta             *self,
                                         volatile gint            *stop);
GBytes       *esprit_sim_ota_dup_flash  (EspritSimOta             *self);
/* Test set-up: replaces flash bytes, then boots again. */
void          esprit_sim_ota_load_flash (EspritSimOta             *self,
                                         guint32                   addr,
                                         const guint8             *data,
                                         gsize                     len);
/* "esp8266", "esp32-md5", "esp32-sha256"; -1 if unknown. */
int           esprit_sim_ota_core_from_name (const char           *name);

/* esprit-sim's --ota options (esprit-sim-ota-main.c). */
GOptionGroup *esprit_sim_ota_option_group (void);
gboolean      esprit_sim_ota_wanted       (void);
int           esprit_sim_ota_main         (EspritChip                chip,
                                           const char               *flash,
                                           guint32                   flash_size,
                                           const char               *events);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EspritSimOta, esprit_sim_ota_free)

G_END_DECLS

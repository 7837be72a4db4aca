/* esprit-sim.c: the virtual board object
 *
 * The board is a thread (esprit-sim-boot.c) that runs "firmware" (boot ROM, ROM loader,
 * stub, application) and talks to the host through the wire (esprit-sim-wire.c). This file
 * makes, configures and destroys the board.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-sim"

#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-sim-board-private.h"

G_DEFINE_FINAL_TYPE (EspritSim, esprit_sim, G_TYPE_OBJECT)

static void
esprit_sim_dispose (GObject *object)
{
  EspritSim *self = ESPRIT_SIM (object);

  if (self->thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->quit = TRUE;
      self->reset_gen++;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  G_OBJECT_CLASS (esprit_sim_parent_class)->dispose (object);
}

static void
esprit_sim_finalize (GObject *object)
{
  EspritSim *self = ESPRIT_SIM (object);

  _esprit_sim_flash_close (self);
  _esprit_sim_wire_free (&self->to_board);
  _esprit_sim_wire_free (&self->to_host);
  g_hash_table_unref (self->regs);
  g_clear_pointer (&self->trusted_stubs, g_array_unref);
  g_free (self->flash_path);
  g_free (self->events_path);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (esprit_sim_parent_class)->finalize (object);
}

static void
esprit_sim_class_init (EspritSimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = esprit_sim_dispose;
  object_class->finalize = esprit_sim_finalize;
}

static void
esprit_sim_init (EspritSim *self)
{
  EspritSimFaults none = ESPRIT_SIM_FAULTS_NONE;

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  _esprit_sim_wire_init (&self->to_board);
  _esprit_sim_wire_init (&self->to_host);
  self->regs = g_hash_table_new (NULL, NULL);
  self->faults = none;
  self->rst_cause = 1;
  self->uart_baud = 115200;
}

EspritSim *
esprit_sim_new (const EspritSimConfig  *config,
                GError                **error)
{
  g_autoptr(EspritSim) self = NULL;
  static const guint8 default_macs[][6] = {
    [ESPRIT_CHIP_ESP8266] = { 0x5C, 0xCF, 0x7F, 0x01, 0x02, 0x03 },
    [ESPRIT_CHIP_ESP32]   = { 0x24, 0x0A, 0xC4, 0x11, 0x22, 0x33 },
    [ESPRIT_CHIP_ESP32S2] = { 0x7C, 0xDF, 0xA1, 0x11, 0x22, 0x33 },
    [ESPRIT_CHIP_ESP32S3] = { 0x34, 0x85, 0x18, 0x11, 0x22, 0x33 },
    [ESPRIT_CHIP_ESP32C3] = { 0x58, 0xCF, 0x79, 0x11, 0x22, 0x33 },
    [ESPRIT_CHIP_ESP32C6] = { 0x40, 0x4C, 0xCA, 0x11, 0x22, 0x33 },
  };
  static const guint8 zero[6];

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->chip >= 0 && config->chip < ESPRIT_N_CHIPS, NULL);

  self = g_object_new (ESPRIT_TYPE_SIM, NULL);
  self->config = *config;
  self->flash_path = g_strdup (config->flash_path);
  self->config.flash_path = self->flash_path;
  self->events_path = g_strdup (config->events_path);
  self->config.events_path = self->events_path;
  if (memcmp (config->mac, zero, 6) == 0)
    memcpy (self->config.mac, default_macs[config->chip], 6);
  if (self->config.flash_size == 0)
    self->config.flash_size = 4 * 1024 * 1024;
  if (self->config.flash_size % SIM_SECTOR != 0 || self->config.flash_size > 128 * 1024 * 1024)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("Unsupported flash size %u"), self->config.flash_size);
      return NULL;
    }
  esprit_chip_encode_mac (config->chip, self->config.mac, self->efuse);
  if (!_esprit_sim_flash_open (self, error))
    return NULL;

  /* Power-on with the lines released: EN high, GPIO0 high. */
  self->thread = g_thread_new ("esprit-sim-board", _esprit_sim_board_thread, self);
  return g_steal_pointer (&self);
}

const EspritSimConfig *
esprit_sim_get_config (EspritSim *self)
{
  return &self->config;
}

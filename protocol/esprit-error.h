/* esprit-error.h: the protocol library's error domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ESPRIT_ERROR (esprit_error_quark ())

/**
 * EspritError:
 * @ESPRIT_ERROR_FAILED: anything without a more specific code
 * @ESPRIT_ERROR_PERMISSION_DENIED: the port exists but the user may not open it (EACCES)
 * @ESPRIT_ERROR_PORT_BUSY: another program holds the port (EBUSY, or an exclusive lock)
 * @ESPRIT_ERROR_NO_SYNC: the chip never answered SYNC: not in download mode, wrong wiring
 * @ESPRIT_ERROR_TIMEOUT: a command got no answer in time
 * @ESPRIT_ERROR_CHECKSUM: data arrived corrupted (MD5 mismatch, short or garbled frame)
 * @ESPRIT_ERROR_DEVICE: the loader answered with a failure status (the message names its code)
 * @ESPRIT_ERROR_IMAGE_INVALID: a firmware image that cannot be used as it is
 * @ESPRIT_ERROR_IMAGE_TOO_LARGE: data that does not fit the flash at its address
 * @ESPRIT_ERROR_UNSUPPORTED: the chip or loader cannot do this
 * @ESPRIT_ERROR_NOT_FOUND: no such port, host or file
 * @ESPRIT_ERROR_DISCONNECTED: the link went away in the middle of an operation
 * @ESPRIT_ERROR_INVALID_ARGUMENT: a request that is wrong before anything is sent
 *   (overlapping regions, misaligned address, unparsable number)
 * @ESPRIT_ERROR_AUTH: the board refused the password (ArduinoOTA, protocol-facts §7)
 *
 * Codes a user interface can act on; the library's messages say what happened, the
 * application turns the code into advice.
 */
typedef enum {
  ESPRIT_ERROR_FAILED,
  ESPRIT_ERROR_PERMISSION_DENIED,
  ESPRIT_ERROR_PORT_BUSY,
  ESPRIT_ERROR_NO_SYNC,
  ESPRIT_ERROR_TIMEOUT,
  ESPRIT_ERROR_CHECKSUM,
  ESPRIT_ERROR_DEVICE,
  ESPRIT_ERROR_IMAGE_INVALID,
  ESPRIT_ERROR_IMAGE_TOO_LARGE,
  ESPRIT_ERROR_UNSUPPORTED,
  ESPRIT_ERROR_NOT_FOUND,
  ESPRIT_ERROR_DISCONNECTED,
  ESPRIT_ERROR_INVALID_ARGUMENT,
  ESPRIT_ERROR_AUTH,
} EspritError;

GQuark esprit_error_quark (void);

G_END_DECLS

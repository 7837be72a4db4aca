/* esprit-transport-open.c: picks a transport by the port's name
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-transport"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "esprit-error.h"
#include "esprit-i18n.h"
#include "esprit-transport-fd.h"

/* Unix98 pty slaves have majors 136-143 (Documentation/admin-guide/devices.txt). */
static gboolean
is_pty (const char *path)
{
  struct stat st;

  if (g_str_has_prefix (path, "/dev/pts/"))
    return TRUE;
  if (stat (path, &st) != 0 || !S_ISCHR (st.st_mode))
    return FALSE;
  return major (st.st_rdev) >= 136 && major (st.st_rdev) <= 143;
}

EspritTransport *
esprit_transport_open (const char  *port,
                       guint        baud,
                       GError     **error)
{
  g_autofree char *resolved = NULL;

  g_return_val_if_fail (port != NULL, NULL);

  if (baud == 0)
    baud = 115200;
  if (g_str_has_prefix (port, "socket://"))
    return esprit_transport_socket_open (port + strlen ("socket://"), error);
  if (g_str_has_prefix (port, "rfc2217://"))
    return esprit_transport_rfc2217_open (port + strlen ("rfc2217://"), baud, error);

  /* socat and friends make symlinks to ptys: look at what the name points to. */
  resolved = g_canonicalize_filename (port, NULL);
  {
    char *target = realpath (port, NULL);

    if (target != NULL)
      {
        g_free (resolved);
        resolved = target;
      }
  }
  if (!g_file_test (resolved, G_FILE_TEST_EXISTS))
    {
      _esprit_set_open_error (error, ENOENT, port);
      return NULL;
    }
  /* libserialport cannot open ptys (its sysfs lookup and TIOCMGET fail on them, TESTING.md):
   * those go through termios. */
  if (is_pty (resolved))
    return esprit_transport_tty_open (port, baud, error);
  return esprit_transport_serial_open (port, baud, error);
}

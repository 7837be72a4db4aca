/* esprit-cli-files.c: the files a command reads and writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "esprit-cli-private.h"
#include "esprit-error.h"
GBytes *
esprit_cli_load_file (const char  *path,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT, _("Cannot read %s: %s"),
                   path, local_error->message);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

gboolean
esprit_cli_check_output (const char  *path,
                         GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT, _("%s is a directory"),
                   path);
      return FALSE;
    }
  if (access (dir, W_OK) != 0)
    {
      g_set_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT,
                   _("Cannot write to %s: %s"), dir, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
esprit_cli_save_file (const char    *path,
                      const guint8  *data,
                      gsize          len,
                      GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  /* GFile's replace writes a temporary and renames it on close. */
  return g_file_replace_contents (file, (const char *) data, len, NULL, FALSE,
                                  G_FILE_CREATE_NONE, NULL, NULL, error);
}

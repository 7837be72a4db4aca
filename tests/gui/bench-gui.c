/* bench-gui.c: how the window feels: time from start to its first frame, and the longest gap
 * between frames while a 4 MB image is written to a virtual ESP32 (main-loop stalls).
 * Prints numbers; never passes or fails on time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "esprit-test-util.h"
#include "esprit-window.h"

static gint64 t_start;
static gint64 t_first_frame;
static gint64 last_paint;
static gint64 longest_gap;
static gboolean measuring;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       data)
{
  gint64 now = g_get_monotonic_time ();

  if (t_first_frame == 0)
    t_first_frame = now;
  if (measuring && last_paint != 0 && now - last_paint > longest_gap)
    longest_gap = now - last_paint;
  last_paint = now;
}

static gboolean
tick (GtkWidget     *widget,
      GdkFrameClock *clock,
      gpointer       data)
{
  /* Keep frames coming while measuring, as an animating progress bar would. */
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  EspritWindow *window;
  g_autoptr(GBytes) img = NULL;
  g_autofree char *dir = g_dir_make_tmp ("esprit-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "app.bin", NULL);
  g_autoptr(GFile) file = NULL;
  GSList one = { NULL, NULL };
  GdkFrameClock *clock;
  gint64 t_write, deadline;

  t_start = g_get_monotonic_time ();
  setvbuf (stdout, NULL, _IOLBF, 0);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("ESPRIT_SIM_TIMING", "1", TRUE);
  if (!gtk_init_check ())
    {
      printf ("# no display\n");
      return 77;
    }
  adw_init ();
  {
    g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");

    g_settings_set_uint (settings, "baud", 921600);
    /* The time to flash, not to back up first. */
    g_settings_set_boolean (settings, "backup-first", FALSE);
  }
  window = esprit_window_new (NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_frame_clock (GTK_WIDGET (window)) == NULL)
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  while (t_first_frame == 0)
    g_main_context_iteration (NULL, TRUE);
  printf ("start to first frame: %.1f ms\n", (t_first_frame - t_start) / 1000.0);

  img = esprit_test_random_bytes (4 * 1024 * 1024 - 4096, 3);
  g_file_set_contents (path, g_bytes_get_data (img, NULL), g_bytes_get_size (img), NULL);
  file = g_file_new_for_path (path);
  one.data = file;
  esprit_window_select_port (window, "sim:esp32");
  esprit_window_add_files (window, &one);
  /* The file is read in the background; Flash becomes enabled once its row is checked. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (esprit_window_get_job (window) == NULL && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      gtk_widget_activate_action (GTK_WIDGET (window), "win.flash", NULL);
    }
  if (esprit_window_get_job (window) == NULL)
    {
      printf ("# Flash never became possible\n");
      return 1;
    }
  gtk_widget_add_tick_callback (GTK_WIDGET (window), tick, NULL, NULL);
  measuring = TRUE;
  last_paint = 0;
  t_write = g_get_monotonic_time ();
  deadline = t_write + 500 * G_USEC_PER_SEC;
  while (esprit_job_get_running (esprit_window_get_job (window)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  measuring = FALSE;
  printf ("4 MB write to the virtual ESP32: %.1f s, longest gap between frames: %.1f ms\n",
          (g_get_monotonic_time () - t_write) / 1e6, longest_gap / 1000.0);
  if (esprit_job_get_error (esprit_window_get_job (window)))
    printf ("# write failed: %s\n", esprit_job_get_error (esprit_window_get_job (window))->message);
  gtk_window_destroy (GTK_WINDOW (window));
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}

/* bench-classroom.c: one image to 1, 4, 8 and 16 virtual ESP8266 boards at once, on ptys with
 * the timing model on (esprit-sim --boards N --timing), through esprit-cli at 921600 baud.
 * Prints the wall time against one board alone, esprit-cli's CPU time and peak memory
 * (getrusage of the child). The wire is per board, so the goal is 16 boards in at most 1.2x
 * the time of one: the host must not be the bottleneck. Never passes or fails on time.
 *
 *   bench-classroom ESPRIT-CLI ESPRIT-SIM [--quick]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "esprit-test-util.h"

typedef struct {
  double wall;
  double cpu;      /* esprit-cli: user + system */
  double sim_cpu;  /* the virtual boards' process */
  long   max_rss;  /* esprit-cli, KiB */
  int    status;
} Result;

static double
tv_seconds (const struct timeval *tv)
{
  return tv->tv_sec + tv->tv_usec / 1e6;
}

static gboolean
run (const char *cli,
     const char *sim,
     const char *image,
     guint       n,
     Result     *r)
{
  g_autoptr(GPtrArray) sim_argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) cli_argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GPid sim_pid, cli_pid;
  int sim_out;
  FILE *lines;
  char buf[256];
  struct rusage ru;
  gint64 t0;
  int status;

  g_ptr_array_add (sim_argv, g_strdup (sim));
  g_ptr_array_add (sim_argv, g_strdup_printf ("--boards=%u", n));
  g_ptr_array_add (sim_argv, g_strdup ("--timing"));
  g_ptr_array_add (sim_argv, g_strdup ("--chip=esp8266"));
  g_ptr_array_add (sim_argv, NULL);
  if (!g_spawn_async_with_pipes (NULL, (char **) sim_argv->pdata, NULL,
                                 G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &sim_pid, NULL, &sim_out,
                                 NULL, &error))
    {
      fprintf (stderr, "esprit-sim: %s\n", error->message);
      return FALSE;
    }
  g_ptr_array_add (cli_argv, g_strdup (cli));
  lines = fdopen (sim_out, "r");
  for (guint i = 0; i < n && fgets (buf, sizeof buf, lines) != NULL; i++)
    {
      g_ptr_array_add (cli_argv, g_strdup ("--port"));
      g_ptr_array_add (cli_argv, g_strdup (g_strstrip (buf)));
    }
  fclose (lines);
  g_ptr_array_add (cli_argv, g_strdup ("--baud"));
  g_ptr_array_add (cli_argv, g_strdup ("921600"));
  g_ptr_array_add (cli_argv, g_strdup ("write_flash"));
  g_ptr_array_add (cli_argv, g_strdup ("0x0"));
  g_ptr_array_add (cli_argv, g_strdup (image));
  g_ptr_array_add (cli_argv, NULL);

  t0 = g_get_monotonic_time ();
  if (!g_spawn_async (NULL, (char **) cli_argv->pdata, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                      &cli_pid, &error))
    {
      fprintf (stderr, "esprit-cli: %s\n", error->message);
      kill (sim_pid, SIGTERM);
      waitpid (sim_pid, NULL, 0);
      return FALSE;
    }
  wait4 (cli_pid, &status, 0, &ru);
  r->wall = (g_get_monotonic_time () - t0) / 1e6;
  r->cpu = tv_seconds (&ru.ru_utime) + tv_seconds (&ru.ru_stime);
  r->max_rss = ru.ru_maxrss;
  r->status = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
  kill (sim_pid, SIGTERM);
  wait4 (sim_pid, &status, 0, &ru);
  r->sim_cpu = tv_seconds (&ru.ru_utime) + tv_seconds (&ru.ru_stime);
  return r->status == 0;
}

int
main (int    argc,
      char **argv)
{
  static const guint full[] = { 1, 4, 8, 16 };
  static const guint quick[] = { 1, 2 };
  gboolean is_quick = argc > 3 && g_str_equal (argv[3], "--quick");
  const guint *counts = is_quick ? quick : full;
  guint n_counts = is_quick ? G_N_ELEMENTS (quick) : G_N_ELEMENTS (full);
  g_autofree char *dir = NULL;
  g_autofree char *image = NULL;
  g_autoptr(GBytes) img = NULL;
  double one = 0;
  int failures = 0;

  if (argc < 3)
    {
      fprintf (stderr, "usage: bench-classroom ESPRIT-CLI ESPRIT-SIM [--quick]\n");
      return 2;
    }
  dir = g_dir_make_tmp ("bench-classroom-XXXXXX", NULL);
  image = g_build_filename (dir, "Blink.bin", NULL);
  img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, is_quick ? 32768 : 226272, 4, FALSE, 42);
  g_assert_true (g_file_set_contents (image, g_bytes_get_data (img, NULL),
                                      g_bytes_get_size (img), NULL));

  printf ("# %zu-byte image at 921600 baud to N virtual ESP8266 boards on ptys (timing on)\n",
          g_bytes_get_size (img));
  printf ("# %-6s %8s %8s %9s %9s %9s\n", "boards", "wall s", "x one", "cli CPU s", "sim CPU s",
          "peak KiB");
  for (guint i = 0; i < n_counts; i++)
    {
      Result r = { 0 };

      if (!run (argv[1], argv[2], image, counts[i], &r))
        {
          printf ("not ok %u - %u boards (exit %d)\n", i + 1, counts[i], r.status);
          failures++;
          continue;
        }
      if (counts[i] == 1)
        one = r.wall;
      printf ("ok %u - %-3u boards: %7.2f s, %5.2fx one board, cli CPU %5.2f s, sim CPU %5.2f s, "
              "cli peak %ld KiB\n", i + 1, counts[i], r.wall, one > 0 ? r.wall / one : 0, r.cpu,
              r.sim_cpu, r.max_rss);
      fflush (stdout);
    }
  printf ("1..%u\n", n_counts);
  g_unlink (image);
  g_rmdir (dir);
  return failures == 0 ? 0 : 1;
}

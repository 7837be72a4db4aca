/* test-unplug.c: a board unplugged in the middle of a job fails that job, "the board was
 * unplugged", and no other: sessions on real ptys whose virtual boards the sim unplugs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "esprit-error.h"
#include "esprit-session.h"
#include "esprit-sim-server.h"
#include "esprit-sim.h"
#include "esprit-test-util.h"

#define READ_SIZE (256 * 1024)

typedef struct {
  EspritSim     *sim;
  int            master;
  volatile gint  stop;
  GThread       *server;
  char          *port;
  char          *flash_path;
  GBytes        *flash;        /* what the board's flash holds at the start */
  /* the job */
  GThread       *job;
  gboolean       unplug_on_progress;   /* the test pulls the board out mid-read */
  gint           reading;              /* set once the read is under way */
  gboolean       unplugged;
  gboolean       ok;
  GError        *error;
  guint8        *data;
} Board;

static gpointer
serve (gpointer data)
{
  Board *b = data;

  esprit_sim_serve_pty (b->sim, b->master, &b->stop);
  return NULL;
}

static void
board_start (Board                 *b,
             guint                  seed,
             const EspritSimFaults *faults)
{
  /* A pty carries no modem lines: the board waits in its ROM loader (lines not wired). */
  EspritSimConfig config = { ESPRIT_CHIP_ESP8266, 0, { 0 }, FALSE, NULL, FALSE };
  g_autoptr(GError) error = NULL;
  int fd;

  /* Random flash, so that the read is long on the wire (erased flash packs to nothing). */
  b->flash = esprit_test_random_bytes (READ_SIZE, seed);
  fd = g_file_open_tmp ("esprit-unplug-XXXXXX.bin", &b->flash_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (b->flash_path, g_bytes_get_data (b->flash, NULL), READ_SIZE, &error);
  g_assert_no_error (error);
  config.flash_path = b->flash_path;

  /* The board pulled by hand runs at wire speed: its read lasts seconds, not milliseconds. */
  config.timing = b->unplug_on_progress;
  b->sim = esprit_sim_new (&config, &error);
  g_assert_no_error (error);
  if (faults != NULL)
    esprit_sim_set_faults (b->sim, faults);
  b->master = esprit_sim_pty_open (&b->port, &error);
  g_assert_no_error (error);
  b->server = g_thread_new ("serve", serve, b);
}

/* Pulls the board out: the sim stops and closes its side, the pty node goes away. */
static void
board_unplug (Board *b)
{
  g_atomic_int_set (&b->stop, 1);
  g_thread_join (g_steal_pointer (&b->server));
  esprit_sim_pty_unplug (b->master);
  b->master = -1;
  b->unplugged = TRUE;
}

static void
board_free (Board *b)
{
  if (b->server != NULL)
    {
      g_atomic_int_set (&b->stop, 1);
      g_thread_join (b->server);
    }
  if (b->master >= 0 && !esprit_sim_is_unplugged (b->sim))
    esprit_sim_pty_unplug (b->master);
  g_clear_object (&b->sim);
  g_clear_error (&b->error);
  g_free (b->data);
  g_free (b->port);
  g_unlink (b->flash_path);
  g_free (b->flash_path);
  g_bytes_unref (b->flash);
}

static void
on_event (EspritSession     *session,
          const EspritEvent *event,
          gpointer           data)
{
  Board *b = data;

  /* The hand pulling the cable is not the reader: the test's main thread does it, while
   * this thread goes on reading (and so draining the pty). */
  if (b->unplug_on_progress && event->kind == ESPRIT_EVENT_PROGRESS &&
      event->phase == ESPRIT_PHASE_READING && event->done > 0 && event->done < event->total)
    g_atomic_int_set (&b->reading, 1);
}

static gpointer
run_job (gpointer data)
{
  Board *b = data;
  EspritConnectOptions options = ESPRIT_CONNECT_OPTIONS_INIT;
  g_autoptr(EspritSession) session = NULL;

  options.attempts = 2;
  options.baud = 921600;
  session = esprit_session_new (b->port, &options);
  esprit_session_set_event_func (session, on_event, b, NULL);
  b->data = g_malloc (READ_SIZE);
  b->ok = esprit_session_connect (session, NULL, &b->error) &&
          esprit_session_read (session, 0, READ_SIZE, b->data, NULL, &b->error);
  esprit_session_close (session);
  return NULL;
}

static void
assert_unplugged (Board *b)
{
  g_assert_false (b->ok);
  g_assert_error (b->error, ESPRIT_ERROR, ESPRIT_ERROR_DISCONNECTED);
  g_assert_nonnull (strstr (b->error->message, "the board was unplugged"));
  /* The device node went with the board, as a USB bridge's does. */
  g_assert_false (g_file_test (b->port, G_FILE_TEST_EXISTS));
}

/* Two boards at once; the sim unplugs one (its unplug fault) in the middle of the read. */
static void
test_fault_unplugs_one (void)
{
  EspritSimFaults faults = ESPRIT_SIM_FAULTS_NONE;
  Board a = { 0 }, b = { 0 };

  /* Past the connect and the stub's upload (about 9 KB), inside the 256 KiB read. */
  faults.unplug_after = 60000;
  board_start (&a, 1, &faults);
  board_start (&b, 2, NULL);
  a.job = g_thread_new ("job-a", run_job, &a);
  b.job = g_thread_new ("job-b", run_job, &b);
  g_thread_join (a.job);
  g_thread_join (b.job);

  g_assert_true (esprit_sim_is_unplugged (a.sim));
  assert_unplugged (&a);
  g_assert_no_error (b.error);
  g_assert_true (b.ok);
  /* The other board's read came through whole. */
  g_assert_cmpmem (b.data, READ_SIZE, g_bytes_get_data (b.flash, NULL), READ_SIZE);
  board_free (&a);
  board_free (&b);
}

/* The test itself pulls one board out mid-read (closing the pty's master side). */
static void
test_pulled_mid_read (void)
{
  Board a = { 0 }, b = { 0 };

  a.unplug_on_progress = TRUE;
  board_start (&a, 3, NULL);
  board_start (&b, 4, NULL);
  a.job = g_thread_new ("job-a", run_job, &a);
  b.job = g_thread_new ("job-b", run_job, &b);
  for (guint i = 0; i < 10000 && !g_atomic_int_get (&a.reading); i++)
    g_usleep (1000);
  g_assert_true (g_atomic_int_get (&a.reading));
  board_unplug (&a);
  g_thread_join (a.job);
  g_thread_join (b.job);

  assert_unplugged (&a);
  g_assert_no_error (b.error);
  g_assert_true (b.ok);
  g_assert_cmpmem (b.data, READ_SIZE, g_bytes_get_data (b.flash, NULL), READ_SIZE);
  board_free (&a);
  board_free (&b);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/unplug/fault-unplugs-one", test_fault_unplugs_one);
  g_test_add_func ("/esprit/unplug/pulled-mid-read", test_pulled_mid_read);
  return g_test_run ();
}

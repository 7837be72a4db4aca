/* test-rfc2217-server.c: the shared RFC 2217 server against a recording board
 *
 * The board is a transport that keeps every DTR/RTS state it is given, with its time, and
 * can claim to be Espressif's USB-Serial/JTAG; a client writes telnet by hand, with the
 * delays of a slow network between its SET-CONTROLs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "esprit-rfc2217-server.h"
#include "esprit-telnet.h"
#include "esprit-test-util.h"

/* ---- a board that records its lines ------------------------------------------------- */

#define TEST_TYPE_BOARD (test_board_get_type ())
G_DECLARE_FINAL_TYPE (TestBoard, test_board, TEST, BOARD, GObject)

typedef struct {
  gint64 t;
  int    state;   /* bit 1 DTR, bit 0 RTS */
} Step;

struct _TestBoard
{
  GObject  parent_instance;
  GMutex   lock;
  GArray  *steps;
  gboolean dtr, rts;
  gboolean usb_jtag;
  guint    modem;   /* ESPRIT_MODEM_* */
  guint    baud;
};

static void board_iface_init (EspritTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestBoard, test_board, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ESPRIT_TYPE_TRANSPORT, board_iface_init))

static gssize
board_read (EspritTransport *t, guint8 *buffer, gsize len, guint timeout_ms,
            GCancellable *cancellable, GError **error)
{
  g_usleep (MIN (timeout_ms, 20) * 1000);
  return 0;
}

static gboolean
board_write (EspritTransport *t, const guint8 *data, gsize len, GCancellable *cancellable,
             GError **error)
{
  return TRUE;
}

static gboolean
board_set_lines (EspritTransport *t, int dtr, int rts, GError **error)
{
  TestBoard *self = TEST_BOARD (t);
  int before;

  g_mutex_lock (&self->lock);
  before = (self->dtr ? 2 : 0) | (self->rts ? 1 : 0);
  if (dtr != ESPRIT_LINE_UNCHANGED)
    self->dtr = dtr;
  if (rts != ESPRIT_LINE_UNCHANGED)
    self->rts = rts;
  if (((self->dtr ? 2 : 0) | (self->rts ? 1 : 0)) != before)
    {
      Step s = { g_get_monotonic_time (), (self->dtr ? 2 : 0) | (self->rts ? 1 : 0) };

      g_array_append_val (self->steps, s);
    }
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gboolean
board_set_baud (EspritTransport *t, guint baud, GError **error)
{
  TEST_BOARD (t)->baud = baud;
  return TRUE;
}

static guint
board_get_baud (EspritTransport *t)
{
  return TEST_BOARD (t)->baud;
}

static gboolean
board_has_lines (EspritTransport *t)
{
  return TRUE;
}

static const char *
board_get_name (EspritTransport *t)
{
  return "/dev/ttyTEST0";
}

static gboolean
board_get_usb_ids (EspritTransport *t, guint16 *vid, guint16 *pid)
{
  if (!TEST_BOARD (t)->usb_jtag)
    return FALSE;
  *vid = 0x303A;
  *pid = 0x1001;
  return TRUE;
}

static gboolean
board_get_modem_lines (EspritTransport *t, guint *lines)
{
  *lines = g_atomic_int_get (&TEST_BOARD (t)->modem);
  return TRUE;
}

static void
board_iface_init (EspritTransportInterface *iface)
{
  iface->read = board_read;
  iface->write = board_write;
  iface->set_lines = board_set_lines;
  iface->set_baud = board_set_baud;
  iface->get_baud = board_get_baud;
  iface->has_lines = board_has_lines;
  iface->get_name = board_get_name;
  iface->get_usb_ids = board_get_usb_ids;
  iface->get_modem_lines = board_get_modem_lines;
}

static void
test_board_finalize (GObject *object)
{
  g_array_unref (TEST_BOARD (object)->steps);
  g_mutex_clear (&TEST_BOARD (object)->lock);
  G_OBJECT_CLASS (test_board_parent_class)->finalize (object);
}

static void
test_board_class_init (TestBoardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_board_finalize;
}

static void
test_board_init (TestBoard *self)
{
  g_mutex_init (&self->lock);
  self->steps = g_array_new (FALSE, FALSE, sizeof (Step));
  self->baud = 115200;
}

/* ---- server and client -------------------------------------------------------------- */

typedef struct {
  TestBoard        *board;
  GSocket          *listener;
  EspritServeFlags  flags;
  volatile gint     stop;
  GThread          *thread;
  guint16           port;
} Fixture;

static gpointer
run_server (gpointer data)
{
  Fixture *f = data;

  esprit_serve_run (ESPRIT_TRANSPORT (f->board), f->listener, f->flags, &f->stop, NULL, NULL,
                    NULL);
  return NULL;
}

static Fixture *
fixture_new (gboolean         usb_jtag,
             EspritServeFlags flags)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->board = g_object_new (TEST_TYPE_BOARD, NULL);
  f->board->usb_jtag = usb_jtag;
  f->flags = flags;
  f->listener = esprit_serve_listen (NULL, &f->port, NULL);
  g_assert_nonnull (f->listener);
  f->thread = g_thread_new ("server", run_server, f);
  return f;
}

static void
fixture_free (Fixture *f)
{
  g_atomic_int_set (&f->stop, 1);
  g_thread_join (f->thread);
  g_object_unref (f->listener);
  g_object_unref (f->board);
  g_free (f);
}

static GSocketConnection *
connect_client (Fixture *f)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  GSocketConnection *conn = g_socket_client_connect_to_host (client, "127.0.0.1", f->port,
                                                             NULL, NULL);
  static const guint8 will[] = { TELNET_IAC, TELNET_WILL, TELNET_OPT_COM_PORT };

  g_assert_nonnull (conn);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                            will, sizeof will, NULL, NULL, NULL));
  return conn;
}

/* SET-CONTROL @value, then @ms of the network's (or a waiting client's) delay. */
static void
control (GSocketConnection *conn,
         guint8             value,
         guint              ms)
{
  g_autoptr(GByteArray) msg = g_byte_array_new ();

  esprit_telnet_comport_encode (msg, RFC2217_SET_CONTROL, value);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                            msg->data, msg->len, NULL, NULL, NULL));
  g_usleep (ms * 1000);
}

/* esptool's classic reset as an RFC 2217 client sends it (§3, each RTS write followed by a
 * DTR rewrite), every message @gap ms after the last on top of the sequence's own waits. */
static void
send_classic (GSocketConnection *conn,
              guint              gap)
{
  control (conn, RFC2217_DTR_OFF, gap);
  control (conn, RFC2217_RTS_ON, gap);
  control (conn, RFC2217_DTR_OFF, 100 + gap);
  control (conn, RFC2217_DTR_ON, gap);
  control (conn, RFC2217_RTS_OFF, gap);
  control (conn, RFC2217_DTR_ON, 50 + gap);
  control (conn, RFC2217_DTR_OFF, 300);
}

/* The board's states from its first (0,1) on, and their times. */
static guint
steps_from_reset (TestBoard *board,
                  Step      *out,
                  guint      max)
{
  guint n = 0;

  g_mutex_lock (&board->lock);
  for (guint i = 0; i < board->steps->len && n < max; i++)
    {
      Step *s = &g_array_index (board->steps, Step, i);

      if (n > 0 || s->state == 1)
        out[n++] = *s;
    }
  g_mutex_unlock (&board->lock);
  return n;
}

#define MS(a, b) (((b).t - (a).t) / 1000.0)

/* A classic bridge, SET-CONTROLs 60 ms apart: D1 and R0 reach the board back to back, GPIO0
 * is held low until the client's D0 (at least 50 ms), and nothing else moves. */
static void
test_classic_stretched (void)
{
  Fixture *f = fixture_new (FALSE, ESPRIT_SERVE_RFC2217);
  g_autoptr(GSocketConnection) conn = connect_client (f);
  Step s[8];
  guint n;

  send_classic (conn, 60);
  n = steps_from_reset (f->board, s, G_N_ELEMENTS (s));
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpint (s[1].state, ==, 3);
  g_assert_cmpint (s[2].state, ==, 2);
  g_assert_cmpint (s[3].state, ==, 0);
  g_test_message ("EN low %.1f ms, (1,1) %.2f ms, GPIO0 low %.1f ms", MS (s[0], s[1]),
                  MS (s[1], s[2]), MS (s[2], s[3]));
  g_assert_cmpfloat (MS (s[1], s[2]), <, 5);
  g_assert_cmpfloat (MS (s[2], s[3]), >=, 50);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  fixture_free (f);
}

/* The same client as a plain redirector passes it: (1,1) lasts the client's gap, which on a
 * two-transistor board releases EN with GPIO0 high (why the recognition exists). */
static void
test_classic_plain (void)
{
  Fixture *f = fixture_new (FALSE, ESPRIT_SERVE_RFC2217 | ESPRIT_SERVE_PLAIN_LINES);
  g_autoptr(GSocketConnection) conn = connect_client (f);
  Step s[8];

  send_classic (conn, 60);
  g_assert_cmpuint (steps_from_reset (f->board, s, G_N_ELEMENTS (s)), ==, 4);
  g_assert_cmpint (s[1].state, ==, 3);
  g_assert_cmpfloat (MS (s[1], s[2]), >=, 50);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  fixture_free (f);
}

/* On Espressif's USB-Serial/JTAG the classic pattern is answered by §3's USB-JTAG sequence
 * run here with its 100 ms waits: (1,0) W0.1 (1,1) (0,1) W0.1 (0,0), never (0,0) between;
 * the client's rest of the classic sequence is absorbed. */
static void
test_usb_jtag_local (void)
{
  Fixture *f = fixture_new (TRUE, ESPRIT_SERVE_RFC2217);
  g_autoptr(GSocketConnection) conn = connect_client (f);
  static const int want[] = { 1, 0, 2, 3, 1, 0 };
  Step s[12];
  guint n;

  send_classic (conn, 20);
  n = steps_from_reset (f->board, s, G_N_ELEMENTS (s));
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (s[i].state, ==, want[i]);
  g_assert_cmpfloat (MS (s[2], s[3]), >=, 95);
  g_assert_cmpfloat (MS (s[2], s[3]), <, 150);
  g_assert_cmpfloat (MS (s[3], s[4]), <, 5);
  g_assert_cmpfloat (MS (s[4], s[5]), >=, 95);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  fixture_free (f);
}

static void
keep_modem_state (const guint8 *sb,
                  gsize         len,
                  gpointer      user_data)
{
  EspritComPortCommand cmd;

  if (esprit_telnet_comport_decode (sb, len, &cmd) &&
      cmd.code == RFC2217_NOTIFY_MODEMSTATE + RFC2217_SERVER_OFFSET)
    *(int *) user_data = (int) cmd.value;
}

/* Reads for @ms; the last NOTIFY-MODEMSTATE value, -1 for none. */
static int
last_modem_state (GSocketConnection *conn,
                  guint              ms)
{
  int last = -1;

  esprit_test_read_telnet (g_socket_connection_get_socket (conn), ms, keep_modem_state, &last);
  return last;
}

/* NOTIFY-MODEMSTATE carries the port's inputs at the start and, with their delta bits, when
 * they change (RFC 2217: DSR 0x20, CTS 0x10; DSR delta 0x02, CTS delta 0x01). */
static void
test_modem_state (void)
{
  Fixture *f = fixture_new (FALSE, ESPRIT_SERVE_RFC2217);
  g_autoptr(GSocketConnection) conn = NULL;

  g_atomic_int_set (&f->board->modem, ESPRIT_MODEM_CTS);
  conn = connect_client (f);
  g_assert_cmpint (last_modem_state (conn, 300), ==, 0x10);
  g_atomic_int_set (&f->board->modem, ESPRIT_MODEM_DSR);
  g_assert_cmpint (last_modem_state (conn, 600), ==, 0x20 | 0x02 | 0x01);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  fixture_free (f);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/rfc2217-server/classic-stretched", test_classic_stretched);
  g_test_add_func ("/esprit/rfc2217-server/classic-plain", test_classic_plain);
  g_test_add_func ("/esprit/rfc2217-server/usb-jtag-local", test_usb_jtag_local);
  g_test_add_func ("/esprit/rfc2217-server/modem-state", test_modem_state);
  return g_test_run ();
}

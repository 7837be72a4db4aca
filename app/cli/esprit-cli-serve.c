/* esprit-cli-serve.c: `esprit-cli serve`: boards plugged into this machine shared over the
 * network as RFC 2217 servers (protocol/esprit-rfc2217-server.c), one TCP port each
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-cli"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <string.h>

#include "esprit-cli-private.h"
#include "esprit-error.h"
#include "esprit-numbers.h"
#include "esprit-port-registry.h"
#include "esprit-rfc2217-server.h"

/* esptool's documentation serves its boards from port 4000 (esp_rfc2217_server.py -p 4000). */
#define DEFAULT_TCP_PORT 4000

static volatile gint stop_flag;
static gint serving;   /* boards still served */

typedef struct {
  EspritCli       *cli;
  char            *port;
  char            *name;
  EspritTransport *board;
  GSocket         *listener;
  EspritServeFlags flags;
  GThread         *thread;
  GError          *error;
} Served;

static void
served_free (Served *s)
{
  if (s->board != NULL)
    esprit_transport_close (s->board);
  g_clear_object (&s->board);
  g_clear_object (&s->listener);
  g_clear_error (&s->error);
  g_free (s->port);
  g_free (s->name);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Served, served_free)

static void
on_log (const char *message,
        gpointer    user_data)
{
  Served *s = user_data;

  g_mutex_lock (&s->cli->print_lock);
  printf ("[%s] %s\n", s->name, message);
  fflush (stdout);
  g_mutex_unlock (&s->cli->print_lock);
}

static GMainLoop *loop;

static gpointer
serve_thread (gpointer data)
{
  Served *s = data;

  esprit_serve_run (s->board, s->listener, s->flags, &stop_flag, on_log, s, &s->error);
  /* The last board gone (unplugged), nothing is left to serve. */
  if (g_atomic_int_dec_and_test (&serving))
    g_main_loop_quit (loop);
  return NULL;
}

/* Ctrl+C, SIGTERM: the threads see stop_flag set once the loop has ended. */
static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

/* --listen rfc2217://ADDR:P or socket://ADDR:P (ADDR empty: every interface). */
static gboolean
parse_listen (const char        *spec,
              char             **address,
              guint16           *port,
              EspritServeFlags  *flags)
{
  const char *rest, *colon;
  gint64 p;

  if (g_str_has_prefix (spec, "rfc2217://"))
    *flags = ESPRIT_SERVE_RFC2217;
  else if (g_str_has_prefix (spec, "socket://"))
    *flags = ESPRIT_SERVE_RAW;
  else
    return FALSE;
  rest = strstr (spec, "://") + 3;
  colon = strrchr (rest, ':');
  if (colon == NULL || !esprit_parse_count (colon + 1, &p) || p > 65535)
    return FALSE;
  *port = (guint16) p;
  *address = colon == rest ? g_strdup ("0.0.0.0") : g_strndup (rest, colon - rest);
  return TRUE;
}

int
esprit_cli_cmd_serve (EspritCli  *cli,
                      int         argc,
                      char      **argv)
{
  g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) served = g_ptr_array_new_with_free_func ((GDestroyNotify) served_free);
  g_autofree char *address = NULL;
  g_autofree char *dup = NULL;
  const char *listen = "rfc2217://0.0.0.0:" G_STRINGIFY (DEFAULT_TCP_PORT);
  EspritServeFlags flags = ESPRIT_SERVE_RFC2217;
  guint16 first_port = DEFAULT_TCP_PORT;
  gboolean failed = FALSE;
  guint sources[2];

  for (guint i = 0; i < cli->ports->len; i++)
    g_ptr_array_add (ports, g_strdup (cli->ports->pdata[i]));
  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--listen") || g_str_equal (argv[i], "--ports"))
        {
          if (i + 1 >= argc)
            return esprit_cli_bad_input (_("%s needs a value"), argv[i]);
          if (g_str_equal (argv[i], "--listen"))
            listen = argv[++i];
          else
            g_ptr_array_add (cli->port_specs, g_strdup (argv[++i]));
        }
      else if (argv[i][0] == '-')
        return esprit_cli_bad_input (_("Unknown option %s (see --help)"), argv[i]);
      else
        g_ptr_array_add (ports, g_strdup (argv[i]));
    }
  if (!parse_listen (listen, &address, &first_port, &flags))
    return esprit_cli_bad_input (_("--listen %s: use rfc2217://ADDRESS:PORT or socket://ADDRESS:PORT "
                           "(ADDRESS empty for every interface)"), listen);
  for (guint i = 0; i < cli->port_specs->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!esprit_cli_expand_ports (cli->port_specs->pdata[i], ports, &error))
        return esprit_cli_fail (cli, error);
    }
  if (ports->len == 0)
    return cli->port_specs->len > 0
           ? esprit_cli_bad_input (_("No ESP board is plugged in to serve"))
           : esprit_cli_bad_input (_("serve needs a port: esprit-cli serve /dev/ttyUSB0 "
                                     "(or --ports all)"));
  if (esprit_cli_find_duplicate (ports, &dup))
    return esprit_cli_bad_input (_("%s is given twice"), dup);
  for (guint i = 0; i < ports->len; i++)
    if (strstr (ports->pdata[i], "://") != NULL)
      return esprit_cli_bad_input (_("%s is on another machine: serve shares ports plugged "
                                     "into this one"), (char *) ports->pdata[i]);

  /* Every board is opened and every TCP port bound before any is served: a board that is
   * missing or busy, or a TCP port in use, stops the whole command with its reason. */
  for (guint i = 0; i < ports->len; i++)
    {
      g_autoptr(Served) s = g_new0 (Served, 1);
      g_autoptr(GError) error = NULL;
      guint16 tcp = first_port == 0 ? 0 : (guint16) (first_port + i);

      s->cli = cli;
      s->port = g_strdup (ports->pdata[i]);
      s->name = esprit_cli_port_name (s->port, i + 1);
      s->flags = flags;
      s->board = esprit_port_registry_open (esprit_port_registry_get_default (), s->port,
                                            cli->connect.baud ? cli->connect.baud : 115200,
                                            &error);
      if (s->board == NULL)
        return esprit_cli_fail (cli, error);
      s->listener = esprit_serve_listen (address, &tcp, &error);
      if (s->listener == NULL)
        return esprit_cli_fail (cli, error);
      g_ptr_array_add (served, g_steal_pointer (&s));
      /* One line a board: where to reach it (tests and lab.txt files read these). */
      printf ("%s → %s%s:%u\n", (char *) ports->pdata[i],
              flags & ESPRIT_SERVE_RFC2217 ? "rfc2217://" : "socket://",
              g_str_equal (address, "0.0.0.0") ? g_get_host_name () : address, tcp);
    }
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sources[0] = g_unix_signal_add (SIGINT, on_signal, NULL);
  sources[1] = g_unix_signal_add (SIGTERM, on_signal, NULL);
  for (guint i = 0; i < served->len; i++)
    {
      Served *s = served->pdata[i];

      g_atomic_int_inc (&serving);
      s->thread = g_thread_new ("serve", serve_thread, s);
    }
  /* Until Ctrl+C, or until every board has failed. */
  if (g_atomic_int_get (&serving) > 0)
    g_main_loop_run (loop);
  g_atomic_int_set (&stop_flag, 1);
  for (guint i = 0; i < served->len; i++)
    {
      Served *s = served->pdata[i];

      g_thread_join (s->thread);
      if (s->error != NULL)
        {
          esprit_cli_fail (cli, s->error);
          failed = TRUE;
        }
    }
  g_source_remove (sources[0]);
  g_source_remove (sources[1]);
  g_clear_pointer (&loop, g_main_loop_unref);
  return failed ? 1 : 0;
}

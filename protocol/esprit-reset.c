/* esprit-reset.c: reset sequences (protocol-facts §3)
 *
 * Notation of §3: D = DTR, R = RTS, U = both in one operation, W = wait. Lines are active low:
 * TRUE asserts the line, which pulls the pin to 0 V. DTR drives GPIO0, RTS drives EN.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-reset"

#include "config.h"

#include "esprit-reset.h"

gboolean
esprit_sleep_ms (guint          ms,
                 GCancellable  *cancellable,
                 GError       **error)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (MIN (10000, until - g_get_monotonic_time () > 0 ? until - g_get_monotonic_time () : 0));
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

#define D(v) if (!esprit_transport_set_lines (t, (v), ESPRIT_LINE_UNCHANGED, error)) return FALSE
/* Classic: every RTS write is followed by rewriting DTR, for drivers that only apply DTR
 * together with RTS (§3). */
#define R(v) if (!esprit_transport_set_lines (t, ESPRIT_LINE_UNCHANGED, (v), error) || \
                 !esprit_transport_set_lines (t, dtr, ESPRIT_LINE_UNCHANGED, error)) return FALSE
#define U(d, r) if (!esprit_transport_set_lines (t, (d), (r), error)) return FALSE
#define W(ms) if (!esprit_sleep_ms ((ms), cancellable, error)) return FALSE

gboolean
esprit_reset_run (EspritTransport  *t,
                  EspritResetKind   kind,
                  guint             delay_ms,
                  GCancellable     *cancellable,
                  GError          **error)
{
  gboolean dtr = FALSE;

  switch (kind)
    {
    case ESPRIT_RESET_CLASSIC:
      /* D0 R1 W0.1 D1 R0 W<d> D0 */
      D (FALSE); dtr = FALSE;
      R (TRUE);
      W (100);
      D (TRUE); dtr = TRUE;
      R (FALSE);
      W (delay_ms);
      D (FALSE);
      return TRUE;

    case ESPRIT_RESET_UNIX_TIGHT:
      /* U0,0 U1,1 U0,1 W0.1 U1,0 W<d> U0,0 D0 */
      U (FALSE, FALSE);
      U (TRUE, TRUE);
      U (FALSE, TRUE);
      W (100);
      U (TRUE, FALSE);
      W (delay_ms);
      U (FALSE, FALSE);
      D (FALSE);
      return TRUE;

    case ESPRIT_RESET_USB_JTAG:
      /* R0 D0 W0.1 D1 R0 W0.1 R1 D0 R1 W0.1 D0 R0: passes through (1,1), never (0,0). */
      R (FALSE);
      D (FALSE); dtr = FALSE;
      W (100);
      D (TRUE); dtr = TRUE;
      R (FALSE);
      W (100);
      R (TRUE);
      D (FALSE); dtr = FALSE;
      R (TRUE);
      W (100);
      D (FALSE);
      R (FALSE);
      return TRUE;

    case ESPRIT_RESET_HARD:
      /* R1 W0.1 R0 with DTR deasserted: GPIO0 stays high and the program boots. */
      D (FALSE); dtr = FALSE;
      R (TRUE);
      W (100);
      R (FALSE);
      return TRUE;

    default:
      g_assert_not_reached ();
    }
}

#undef D
#undef R
#undef U
#undef W

void
esprit_reset_for_attempt (EspritTransport *transport,
                          guint            attempt,
                          EspritResetKind *kind,
                          guint           *delay_ms)
{
  guint16 vid = 0, pid = 0;
  const char *name = esprit_transport_get_name (transport);

  if (esprit_transport_get_usb_ids (transport, &vid, &pid) && vid == 0x303A && pid == 0x1001)
    {
      *kind = ESPRIT_RESET_USB_JTAG;
      *delay_ms = 0;
      return;
    }
  /* Alternate the delay between attempts; rfc2217 cannot set both lines at once. */
  *delay_ms = attempt % 2 == 0 ? 50 : 550;
  if (name != NULL && g_str_has_prefix (name, "rfc2217://"))
    *kind = ESPRIT_RESET_CLASSIC;
  else
    *kind = attempt % 4 < 2 ? ESPRIT_RESET_UNIX_TIGHT : ESPRIT_RESET_CLASSIC;
}

const char *
esprit_reset_kind_name (EspritResetKind kind)
{
  switch (kind)
    {
    case ESPRIT_RESET_CLASSIC: return "classic";
    case ESPRIT_RESET_UNIX_TIGHT: return "unix-tight";
    case ESPRIT_RESET_USB_JTAG: return "usb-jtag-serial";
    case ESPRIT_RESET_HARD: return "hard";
    default: return "?";
    }
}

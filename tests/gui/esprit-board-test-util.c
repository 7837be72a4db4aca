/* esprit-board-test-util.c: the board list's tests: the virtual classroom's window, its
 * boards and rows, the Blink image they get
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-board-test-util.h"
#include "esprit-test-util.h"
#include "esprit-window-test-util.h"

GBytes *blink;

EspritSim *
board (EspritWindow *window,
       guint         k)
{
  return esprit_port_model_get_classroom_board (window->ports, k);
}

EspritBoardRow *
row_at (EspritWindow *window,
        guint         i)
{
  g_autoptr(GPtrArray) rows = _esprit_window_get_board_rows (window);

  g_assert_cmpuint (i, <, rows->len);
  return rows->pdata[i];
}

guint
n_board_rows (EspritWindow *window)
{
  g_autoptr(GPtrArray) rows = _esprit_window_get_board_rows (window);

  return rows->len;
}

gboolean
boards_idle (gpointer window)
{
  return !_esprit_window_boards_busy (window);
}

const char *
summary (EspritWindow *window)
{
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->boards_summary)));
  return gtk_label_get_text (window->boards_summary);
}

/* The window on the virtual classroom, with the Blink image at 0x0. */
EspritWindow *
classroom_window (void)
{
  EspritWindow *window = new_window ();
  g_autoptr(GFile) file = write_file ("Blink.ino.d1_mini.bin", blink);
  guint position, esp32;

  /* The port list offers it beside the virtual ESP8266 and ESP32. */
  g_assert_true (esprit_port_model_find (window->ports, "classroom:esp8266", &position));
  g_assert_true (esprit_port_model_find (window->ports, "sim:esp32", &esp32));
  g_assert_cmpuint (position, ==, esp32 + 1);
  g_assert_true (esprit_window_select_port (window, "classroom:esp8266"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->boards_group)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->device_row)));
  g_assert_cmpuint (n_board_rows (window), ==, N_BOARDS);
  add_and_wait (window, file);
  set_row_address (window, 0, "0x0");
  return window;
}

/* Board @k holds the Blink image (its header as the file has it: "Keep") and runs it. */
gboolean
board_has_blink (EspritWindow *window,
                 guint         k)
{
  g_autoptr(GBytes) flash = esprit_sim_dup_flash (board (window, k));

  return memcmp (g_bytes_get_data (flash, NULL), g_bytes_get_data (blink, NULL),
                 g_bytes_get_size (blink)) == 0;
}

void
assert_flashed (EspritWindow *window,
                guint         k)
{
  EspritBoardRow *row = row_at (window, k - 1);

  g_assert_cmpint (esprit_board_row_get_result (row), ==, ESPRIT_BOARD_RESULT_OK);
  g_assert_true (board_has_blink (window, k));
  /* The job ends once the host has pulsed EN; the board's own thread then prints its boot
   * log and starts the application in its own time, as a real board does. */
  g_assert_cmpint (esprit_test_wait_mode (board (window, k), ESPRIT_SIM_MODE_APP), ==,
                   ESPRIT_SIM_MODE_APP);
  g_assert_cmpuint (esprit_sim_get_boot_mode (board (window, k)), ==, 3);   /* from flash */
}

void
board_tests_init (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.esprit.Esprit");

  /* The flashes themselves; test-window-map.c backs up first. */
  g_settings_set_boolean (settings, "backup-first", FALSE);
  blink = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 60000, 3, FALSE, 12);
}

/* test-write-plan.c: checks made before anything is sent, and a full run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "esprit-error.h"
#include "esprit-test-util.h"
#include "esprit-write-plan.h"

static void
test_overlap_and_size (void)
{
  g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
  g_autoptr(GBytes) a = esprit_test_random_bytes (0x2000, 1);
  g_autoptr(GBytes) b = esprit_test_random_bytes (0x1000, 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  esprit_write_plan_add (plan, 0x0, a, "a.bin");
  g_assert_true (esprit_write_plan_check (plan, ESPRIT_CHIP_AUTO, 0, NULL));
  esprit_write_plan_add (plan, 0x1000, b, "b.bin");
  g_assert_false (esprit_write_plan_check (plan, ESPRIT_CHIP_AUTO, 0, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "b.bin"));
  g_assert_nonnull (strstr (error->message, "a.bin"));

  g_clear_pointer (&plan, esprit_write_plan_free);
  plan = esprit_write_plan_new ();
  esprit_write_plan_add (plan, 0x3FF000, a, "a.bin");
  g_assert_false (esprit_write_plan_check (plan, ESPRIT_CHIP_AUTO, 0x400000, &error2));
  g_assert_error (error2, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_TOO_LARGE);
}

static void
test_wrong_chip (void)
{
  g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP32, 5000, 2, TRUE, 1);
  g_autoptr(GBytes) img8266 = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 5000, 2, FALSE, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  esprit_write_plan_add (plan, 0x0, img, "app32.bin");
  g_assert_false (esprit_write_plan_check (plan, ESPRIT_CHIP_ESP8266, 0, &error));
  g_assert_error (error, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
  g_clear_pointer (&plan, esprit_write_plan_free);

  plan = esprit_write_plan_new ();
  esprit_write_plan_add (plan, 0x1000, img8266, "blink8266.bin");
  g_assert_false (esprit_write_plan_check (plan, ESPRIT_CHIP_ESP32, 0, &error2));
  g_assert_error (error2, ESPRIT_ERROR, ESPRIT_ERROR_IMAGE_INVALID);
  g_assert_true (esprit_write_plan_check (plan, ESPRIT_CHIP_AUTO, 0, NULL));
}

/* A full run on a virtual ESP8266: header patched to qio/4MB at 0x0, raw data untouched. */
static void
test_run_patches_header (void)
{
  g_autoptr(EspritTransport) transport = NULL;
  g_autoptr(EspritSim) sim = esprit_test_new_board (ESPRIT_CHIP_ESP8266, &transport);
  g_autoptr(EspritLoader) loader = esprit_loader_new (transport);
  g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP8266, 12000, 2, FALSE, 7);
  g_autoptr(GBytes) raw = esprit_test_random_bytes (5000, 8);
  g_autoptr(GBytes) flash = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *f;

  g_assert_true (esprit_loader_connect (loader, ESPRIT_BEFORE_DEFAULT_RESET, 0, ESPRIT_CHIP_AUTO,
                                        NULL, NULL, NULL, &error));
  esprit_write_plan_add (plan, 0x0, img, "app.bin");
  esprit_write_plan_add (plan, 0x20000, raw, "data.bin");
  esprit_write_plan_set_header (plan, ESPRIT_FLASH_MODE_QIO, ESPRIT_FLASH_SIZE_DETECT,
                                ESPRIT_FLASH_FREQ_KEEP);
  g_assert_true (esprit_write_plan_run (plan, loader, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  flash = esprit_sim_dup_flash (sim);
  f = g_bytes_get_data (flash, NULL);
  g_assert_cmpuint (f[0], ==, 0xE9);
  g_assert_cmpuint (f[2], ==, 0x00);            /* qio */
  g_assert_cmpuint (f[3] >> 4, ==, 4);          /* ESP8266 4MB nibble */
  g_assert_cmpmem (f + 4, 12000 - 4, (const guint8 *) g_bytes_get_data (img, NULL) + 4, 12000 - 4);
  g_assert_cmpmem (f + 0x20000, 5000, g_bytes_get_data (raw, NULL), 5000);
}

typedef struct {
  EspritWritePlan *plan;
  EspritSim       *sim;
  EspritTransport *transport;
  gboolean         ok;
} Board;

static gpointer
write_board (gpointer data)
{
  Board *b = data;
  g_autoptr(EspritLoader) loader = esprit_loader_new (b->transport);
  g_autoptr(GError) error = NULL;

  b->ok = esprit_loader_connect (loader, ESPRIT_BEFORE_DEFAULT_RESET, 0, ESPRIT_CHIP_AUTO, NULL,
                                 NULL, NULL, &error) &&
          esprit_write_plan_run (b->plan, loader, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return NULL;
}

/* One plan run on four boards at once (the classroom): each item is compressed once, and
 * every board gets all of it. */
static void
test_shared_compression (void)
{
  g_autoptr(EspritWritePlan) plan = esprit_write_plan_new ();
  g_autoptr(GBytes) img = esprit_test_make_image (ESPRIT_CHIP_ESP32, 40000, 3, TRUE, 11);
  g_autoptr(GBytes) raw = esprit_test_random_bytes (9000, 12);
  Board boards[4];
  GThread *threads[4];

  esprit_write_plan_add (plan, 0x1000, img, "app.bin");
  esprit_write_plan_add (plan, 0x20000, raw, "data.bin");
  for (guint i = 0; i < G_N_ELEMENTS (boards); i++)
    {
      boards[i].plan = plan;
      boards[i].sim = esprit_test_new_board (ESPRIT_CHIP_ESP32, &boards[i].transport);
      boards[i].ok = FALSE;
      threads[i] = g_thread_new ("board", write_board, &boards[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (boards); i++)
    {
      g_autoptr(GBytes) flash = NULL;
      const guint8 *f;

      g_thread_join (threads[i]);
      g_assert_true (boards[i].ok);
      flash = esprit_sim_dup_flash (boards[i].sim);
      f = g_bytes_get_data (flash, NULL);
      g_assert_cmpmem (f + 0x1000, 40000, g_bytes_get_data (img, NULL), 40000);
      g_assert_cmpmem (f + 0x20000, 9000, g_bytes_get_data (raw, NULL), 9000);
      g_object_unref (boards[i].transport);
      g_object_unref (boards[i].sim);
    }
  /* Two items, four boards: two compressions, not eight. */
  g_assert_cmpuint (esprit_deflate_cache_get_n_computed (esprit_write_plan_get_deflate_cache (plan)),
                    ==, 2);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/write-plan/overlap-and-size", test_overlap_and_size);
  g_test_add_func ("/esprit/write-plan/wrong-chip", test_wrong_chip);
  g_test_add_func ("/esprit/write-plan/run-patches-header", test_run_patches_header);
  g_test_add_func ("/esprit/write-plan/shared-compression", test_shared_compression);
  return g_test_run ();
}

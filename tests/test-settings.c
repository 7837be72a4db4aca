/* test-settings.c: the settings schema's enums against the library's
 *
 * The window binds its flash mode and size choices to GSettings enum keys and reads the
 * numbers back from them, so the schema's <enum>s (written by hand: glib-compile-schemas
 * reads no C) must match EspritFlashMode and the size parser exactly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "esprit-enums.h"
#include "esprit-image.h"
#include "esprit-numbers.h"

#define SCHEMA_ID "io.github.esprit.Esprit"

/* The settings of the build's compiled schema, in memory. */
static GSettings *
new_settings (GSettingsSchema **schema)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();

  g_assert_nonnull (source);
  *schema = g_settings_schema_source_lookup (source, SCHEMA_ID, FALSE);
  g_assert_nonnull (*schema);
  return g_settings_new_full (*schema, backend, NULL);
}

/* The nicks an enum key accepts, in the schema's order. */
static GStrv
enum_nicks (GSettingsSchema *schema,
            const char      *key)
{
  g_autoptr(GSettingsSchemaKey) k = g_settings_schema_get_key (schema, key);
  g_autoptr(GVariant) range = g_settings_schema_key_get_range (k);
  g_autoptr(GVariant) values = NULL;
  const char *type;

  g_variant_get (range, "(&sv)", &type, &values);
  g_assert_cmpstr (type, ==, "enum");
  return g_variant_dup_strv (values, NULL);
}

/* flash-mode has every EspritFlashMode nick and no other, each with the enum's value. */
static void
test_flash_mode (void)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = new_settings (&schema);
  g_auto(GStrv) nicks = enum_nicks (schema, "flash-mode");
  g_autoptr(GEnumClass) klass = g_type_class_ref (ESPRIT_TYPE_FLASH_MODE);

  g_assert_cmpuint (g_strv_length (nicks), ==, klass->n_values);
  for (guint i = 0; i < klass->n_values; i++)
    {
      const GEnumValue *v = &klass->values[i];

      g_assert_true (g_strv_contains ((const char * const *) nicks, v->value_nick));
      g_assert_true (g_settings_set_string (settings, "flash-mode", v->value_nick));
      g_assert_cmpint (g_settings_get_enum (settings, "flash-mode"), ==, v->value);
    }
  /* Stored by nick: a value set through the enum reads back as the library's name. */
  g_assert_true (g_settings_set_enum (settings, "flash-mode", ESPRIT_FLASH_MODE_DOUT));
  g_assert_cmpstr (esprit_enum_to_nick (ESPRIT_TYPE_FLASH_MODE,
                                        g_settings_get_enum (settings, "flash-mode")), ==, "dout");
  g_settings_reset (settings, "flash-mode");
  g_assert_cmpint (g_settings_get_enum (settings, "flash-mode"), ==, ESPRIT_FLASH_MODE_KEEP);
}

/* flash-size: keep and detect are the library's two special values; every other nick is a
 * size the shared parser reads as the key's value and the formatter prints as the nick. */
static void
test_flash_size (void)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = new_settings (&schema);
  g_auto(GStrv) nicks = enum_nicks (schema, "flash-size");
  guint sizes = 0;

  g_assert_true (g_strv_contains ((const char * const *) nicks, "keep"));
  g_assert_true (g_strv_contains ((const char * const *) nicks, "detect"));
  for (guint i = 0; nicks[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      guint32 value = 0;

      g_assert_true (g_settings_set_string (settings, "flash-size", nicks[i]));
      if (g_str_equal (nicks[i], "keep"))
        g_assert_cmpuint (g_settings_get_enum (settings, "flash-size"), ==, ESPRIT_FLASH_SIZE_KEEP);
      else if (g_str_equal (nicks[i], "detect"))
        g_assert_cmpuint (g_settings_get_enum (settings, "flash-size"), ==, ESPRIT_FLASH_SIZE_DETECT);
      else
        {
          g_autofree char *printed = NULL;

          g_assert_true (esprit_parse_size (nicks[i], "Size", &value, &error));
          g_assert_no_error (error);
          g_assert_cmpuint ((guint32) g_settings_get_enum (settings, "flash-size"), ==, value);
          printed = esprit_format_size (value);
          g_assert_cmpstr (printed, ==, nicks[i]);
          sizes++;
        }
    }
  /* The sizes ESP boards carry: 512 KB (ESP-01) to 16 MB. */
  g_assert_cmpuint (sizes, ==, 6);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/esprit/settings/flash-mode", test_flash_mode);
  g_test_add_func ("/esprit/settings/flash-size", test_flash_size);
  return g_test_run ();
}

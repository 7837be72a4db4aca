/* esprit-enums.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "esprit-enums"

#include "config.h"

#include "esprit-enums.h"

gboolean
esprit_enum_parse (GType       enum_type,
                   const char *text,
                   int        *value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  g_autofree char *nick = NULL;
  GEnumValue *v;

  if (text == NULL)
    return FALSE;
  nick = g_strdelimit (g_ascii_strdown (text, -1), "_", '-');
  v = g_enum_get_value_by_nick (klass, nick);
  if (v == NULL)
    return FALSE;
  *value = v->value;
  return TRUE;
}

const char *
esprit_enum_to_nick (GType enum_type,
                     int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (enum_type);
  GEnumValue *v = g_enum_get_value (klass, value);

  /* The class stays alive: the types are static, so the nick outlives this reference. */
  return v ? v->value_nick : NULL;
}

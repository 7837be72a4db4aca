#!/usr/bin/env bash
# The translations: every catalogue in po/LINGUAS passes msgfmt -c, is complete (nothing
# untranslated or fuzzy) against the sources' current template, and keeps each message's
# printf directives.
set -u
src=${ESPRIT_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
failed=0
ok() {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed + 1)); echo "not ok $n - $2"; fi
}

# A fresh template from the sources listed in POTFILES.in, as the build makes it.
(cd "$src" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
   --keyword=NC_:1c,2 --add-comments=Translators: --files-from=po/POTFILES.in \
   -o "$work/esprit.pot" 2>"$work/xgettext.err")
ok $? "xgettext reads every file in POTFILES.in"
ids=$(grep -c '^msgid ' "$work/esprit.pot")

for lang in $(cat "$src/po/LINGUAS"); do
  po=$src/po/$lang.po
  msgfmt -c -o /dev/null "$po" 2> "$work/$lang.err"
  ok $? "$lang: msgfmt -c"
  sed 's/^/# /' "$work/$lang.err"
  # Bring the catalogue to the current template; anything new or changed shows up as
  # untranslated or fuzzy.
  msgmerge --quiet --no-fuzzy-matching -o "$work/$lang.po" "$po" "$work/esprit.pot"
  stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$work/$lang.po" 2>&1)
  echo "# $lang: $stats"
  case $stats in
    *untranslated*|*fuzzy*) ok 1 "$lang: complete ($((ids - 1)) messages)" ;;
    *) ok 0 "$lang: complete ($((ids - 1)) messages)" ;;
  esac
  msgfmt -c -o "$work/$lang.mo" "$work/$lang.po" 2>/dev/null
  ok $? "$lang: format directives match after the merge"
done
echo "1..$n"
[ "$failed" = 0 ]

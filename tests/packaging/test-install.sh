#!/usr/bin/env bash
# meson install into a DESTDIR puts every program and data file where a desktop expects it.
set -u
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed+1)); echo "not ok $n - $2"; fi; }

meson install -C "$ESPRIT_BUILD_DIR" --destdir "$dest" --no-rebuild --quiet > "$dest.log" 2>&1
ok $? "meson install --destdir"
prefix=$(meson introspect "$ESPRIT_BUILD_DIR" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root=$dest$prefix
for f in bin/esprit bin/esprit-cli bin/esprit-sim \
         share/man/man1/esprit.1 share/man/man1/esprit-cli.1 share/man/man1/esprit-sim.1 \
         share/bash-completion/completions/esprit-cli \
         share/glib-2.0/schemas/io.github.esprit.Esprit.gschema.xml; do
  [ -e "$root/$f" ]; ok $? "installs $f"
done
ls "$root"/share/applications/io.github.esprit.Esprit*.desktop >/dev/null 2>&1; ok $? "installs the desktop file"
ls "$root"/share/metainfo/io.github.esprit.Esprit*.metainfo.xml >/dev/null 2>&1; ok $? "installs the metainfo"
ls "$root"/share/icons/hicolor/scalable/apps/io.github.esprit.Esprit*.svg >/dev/null 2>&1; ok $? "installs the icon"
ls "$root"/share/icons/hicolor/symbolic/apps/io.github.esprit.Esprit*-symbolic.svg >/dev/null 2>&1; ok $? "installs the symbolic icon"
for lang in $(cat "$ESPRIT_SOURCE_DIR/po/LINGUAS"); do
  [ -e "$root/share/locale/$lang/LC_MESSAGES/esprit.mo" ]; ok $? "installs the $lang translation"
done
"$root/bin/esprit-cli" --help | grep -q write_flash; ok $? "installed esprit-cli runs"
echo "1..$n"
[ "$failed" = 0 ]

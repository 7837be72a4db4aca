#!/usr/bin/env bash
# The Flatpak manifest parses, and asks for exactly the permissions Esprit needs:
# --device=all (serial ports: Flatpak has nothing narrower), --share=network (OTA, rfc2217),
# wayland with an X11 fallback, ipc.
set -u
manifest=${ESPRIT_SOURCE_DIR}/flatpak/io.github.esprit.Esprit.json
n=0; failed=0
ok() { n=$((n+1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed+1)); echo "not ok $n - $2"; fi; }

if command -v flatpak-builder >/dev/null 2>&1; then
  flatpak-builder --show-manifest "$manifest" > /dev/null 2>&1
  ok $? "flatpak-builder parses the manifest"
else
  echo "ok 1 # SKIP flatpak-builder not installed"; n=1
fi

args=$(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["finish-args"]))' "$manifest")
expected=$(printf '%s\n' --device=all --share=network --socket=wayland --socket=fallback-x11 --share=ipc \
  --system-talk-name=org.freedesktop.Avahi)
[ "$(echo "$args" | sort)" = "$(echo "$expected" | sort)" ]
ok $? "finish-args are exactly the six needed (Avahi for OTA discovery)"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); s=m["modules"][0]["sources"][0]; assert m["modules"][0]["name"]=="libserialport" and len(s["sha256"])==64 and s["url"].endswith("libserialport-0.1.1.tar.gz")' "$manifest"
ok $? "libserialport comes from its release tarball with a sha256"
echo "1..$n"
[ "$failed" = 0 ]

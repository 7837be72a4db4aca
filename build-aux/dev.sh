#!/usr/bin/env bash
# build-aux/dev.sh: the two README commands.
#   bash build-aux/dev.sh run    install what is missing, build, launch the window
#   bash build-aux/dev.sh test   install what is missing, build with ASan+UBSan, run every test
# Meant for a Debian 12 machine; as root it installs packages with apt, otherwise it only says
# which are missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

# What building needs, then what the tests need on top (virtual display, cross compiler and
# QEMU for the stub, validators, flatpak-builder for the manifest check).
build_pkgs=(meson ninja-build pkg-config gcc libc6-dev libglib2.0-dev libglib2.0-dev-bin
            zlib1g-dev libserialport-dev libgtk-4-dev libadwaita-1-dev libsecret-1-dev libgudev-1.0-dev
            gettext)
test_pkgs=(xvfb xauth xdotool dbus avahi-daemon avahi-utils desktop-file-utils appstream
           gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf gcc-riscv64-unknown-elf
           qemu-system-misc flatpak-builder
           socat python3 umockdev libumockdev-dev gnome-keyring)

install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
}

setup() {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
  ninja -C "$dir"
}

case "${1:-}" in
  run)
    install_missing "${build_pkgs[@]}"
    setup build -Dprofile=development
    if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
      echo "No display to open the window on; showing the command line on a virtual ESP8266:"
      ./build/app/cli/esprit-cli --port sim:esp8266 chip_id
      ./build/app/cli/esprit-cli --port sim:esp8266 read_mac
      exit 0
    fi
    GSETTINGS_SCHEMA_DIR="$here/build/data" exec ./build/app/esprit
    ;;
  test)
    install_missing "${build_pkgs[@]}" "${test_pkgs[@]}"
    setup build-ci -Db_sanitize=address,undefined -Db_lundef=false -Dprofile=development
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
    rc=0
    meson test -C build-ci --print-errorlogs --num-processes 2 || rc=$?
    python3 - build-ci/meson-logs/testlog.json <<'PY' || true
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        counts["passed"] += 1
    elif r == "SKIP":
        counts["skipped"] += 1
    else:
        counts["failed"] += 1
print("%(passed)d passed, %(failed)d failed, %(skipped)d skipped" % counts)
PY
    exit $rc
    ;;
  *)
    echo "usage: bash build-aux/dev.sh run|test" >&2
    exit 2
    ;;
esac

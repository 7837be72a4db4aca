#!/usr/bin/env bash
# tests/gui/test-window-keyring.sh: runs test-window-keyring with a real gnome-keyring-daemon
# (secrets component, its login keyring unlocked with a password on stdin) on a private
# session bus, in a throw-away HOME, so the user's own keyring is never touched. Skips (77)
# only when the daemons cannot start here, and says why.
set -u
xvfb_run=$1
test_exe=$2
work=$(mktemp -d)

skip() {
  echo "# $1"
  echo "1..0 # SKIP $1"
  exit 77
}

command -v dbus-daemon >/dev/null || skip "dbus-daemon is not installed (Debian: dbus)"
command -v gnome-keyring-daemon >/dev/null ||
  skip "gnome-keyring-daemon is not installed (Debian: gnome-keyring)"

mkdir -p "$work/home/.local/share" "$work/run"
chmod 700 "$work/run"
export HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share" XDG_RUNTIME_DIR="$work/run"
unset XDG_CONFIG_HOME XDG_CACHE_HOME GNOME_KEYRING_CONTROL

cat > "$work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$work/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF

bus_pid=$(dbus-daemon --config-file="$work/bus.conf" --fork --print-pid 2>"$work/bus.log") ||
  skip "the private dbus-daemon did not start: $(tail -n 1 "$work/bus.log")"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$work/bus"
keyring_pid=
trap 'kill $keyring_pid $bus_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

# --unlock reads the login keyring's password from stdin and creates the keyring.
printf 'esprit-test-login' |
  gnome-keyring-daemon --foreground --unlock --components=secrets > "$work/keyring.log" 2>&1 &
keyring_pid=$!
for _ in $(seq 50); do
  gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus \
    -m org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null |
    grep -q true && break
  kill -0 "$keyring_pid" 2>/dev/null || break
  sleep 0.1
done
gdbus call --session -d org.freedesktop.DBus -o /org/freedesktop/DBus \
  -m org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null | grep -q true ||
  skip "gnome-keyring-daemon cannot start here: $(tail -n 1 "$work/keyring.log")"

"$xvfb_run" "$test_exe" --tap -k
rc=$?
exit $rc

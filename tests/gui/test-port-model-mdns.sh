#!/usr/bin/env bash
# tests/gui/test-port-model-mdns.sh: the port model's network boards through a real
# avahi-daemon on a private system bus (TESTING.md "Avahi on a private bus works here"): runs
# test-port-model's /esprit/port-model/mdns with a board published there. Skips (77) only
# when the daemons cannot start here, and says why.
set -u
test_exe=$1
work=$(mktemp -d)

skip() {
  echo "# $1"
  echo "1..0 # SKIP $1"
  exit 77
}

command -v dbus-daemon >/dev/null || skip "dbus-daemon is not installed (Debian: dbus)"
command -v avahi-daemon >/dev/null || skip "avahi-daemon is not installed (Debian: avahi-daemon)"
command -v avahi-publish >/dev/null || skip "avahi-publish is not installed (Debian: avahi-utils)"

cat > "$work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$work/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
CONF
cat > "$work/avahi.conf" <<CONF
[server]
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
enable-dbus=yes
[publish]
publish-hinfo=no
publish-workstation=no
CONF

bus_pid=$(dbus-daemon --config-file="$work/bus.conf" --fork --print-pid) ||
  skip "the private dbus-daemon did not start"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/bus"
avahi-daemon -f "$work/avahi.conf" --no-drop-root --no-chroot --no-rlimits > "$work/avahi.log" 2>&1 &
avahi_pid=$!
publish_pid=
trap 'kill $publish_pid $avahi_pid $bus_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  grep -q "Server startup complete" "$work/avahi.log" && break
  kill -0 $avahi_pid 2>/dev/null || break
  sleep 0.1
done
grep -q "Server startup complete" "$work/avahi.log" ||
  skip "avahi-daemon cannot start here: $(tail -n 1 "$work/avahi.log")"

# What the ESP8266 core's ArduinoOTA announces (protocol-facts §7.1).
avahi-publish -s kitchen-sensor _arduino._tcp 8266 board=ESP8266_GENERIC auth_upload=yes \
  tcp_check=no ssh_upload=no > "$work/publish.log" 2>&1 &
publish_pid=$!

ESPRIT_TEST_MDNS_PUBLISHER=$publish_pid "$test_exe" --tap -k -p /esprit/port-model/mdns

#!/usr/bin/env bash
# tests/cli/test-cli-ota-mdns.sh: esprit-cli ota --list and --host NAME through a real
# avahi-daemon on a private system bus (TESTING.md "Avahi on a private bus works here").
# Skips (77) only when the daemons cannot start here, and says why.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

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
trap 'kill $avahi_pid $bus_pid 2>/dev/null; for p in "${sims[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  grep -q "Server startup complete" "$work/avahi.log" && break
  kill -0 $avahi_pid 2>/dev/null || break
  sleep 0.1
done
grep -q "Server startup complete" "$work/avahi.log" ||
  skip "avahi-daemon cannot start here: $(tail -n 1 "$work/avahi.log")"

"$MAKE_IMAGE" esp8266 100000 "$work/app.bin"
start_sim kitchen --chip esp8266 --ota udp://127.0.0.1:0 --ota-password sesame \
  --ota-publish kitchen-sensor --flash "$work/kitchen.flash"
kitchen_port=${PORT##*:}
kitchen_pid=${sims[-1]}
start_sim garage --chip esp32 --ota udp://127.0.0.1:0 --ota-publish garage-door
garage_port=${PORT##*:}

# Announced boards appear once Avahi has resolved them.
for _ in $(seq 20); do
  cli ota --list
  grep -q "^kitchen-sensor" "$work/out" && grep -q "^garage-door" "$work/out" && break
  sleep 0.3
done
grep -qP "^kitchen-sensor\t127\.0\.0\.1\t$kitchen_port\tgeneric\tpassword$" "$work/out"
ok $? "ota --list shows the ESP8266 board with address, port, board and password"
grep -qP "^garage-door\t127\.0\.0\.1\t$garage_port\tesp32\tno password$" "$work/out"
ok $? "ota --list shows the ESP32 board without a password"

ESPRIT_OTA_PASSWORD=sesame cli ota --host kitchen-sensor.local --chip esp8266 "$work/app.bin"
[ "$rc" = 0 ] && has "Found kitchen-sensor at 127.0.0.1 port $kitchen_port"
ok $? "ota --host NAME.local finds the board through Avahi and uploads"
cmp -s -n "$(stat -c %s "$work/app.bin")" "$work/app.bin" "$work/kitchen.flash"
ok $? "the upload landed"

# A running browser follows boards as they come and go.
"$MDNS_WATCH" 20 > "$work/watch" 2>&1 &
watch_pid=$!
for _ in $(seq 50); do grep -q "^+kitchen-sensor 127.0.0.1 $kitchen_port$" "$work/watch" && break; sleep 0.1; done
grep -q "^+kitchen-sensor 127.0.0.1 $kitchen_port$" "$work/watch"
ok $? "the browser reports a board that is there"
start_sim attic --chip esp8266 --ota udp://127.0.0.1:0 --ota-publish attic-fan
for _ in $(seq 50); do grep -q "^+attic-fan" "$work/watch" && break; sleep 0.1; done
grep -q "^+attic-fan" "$work/watch"
ok $? "the browser reports a board that arrives"

# A board that goes away leaves the list.
kill "$kitchen_pid"; wait "$kitchen_pid" 2>/dev/null
for _ in $(seq 50); do grep -q "^-kitchen-sensor" "$work/watch" && break; sleep 0.1; done
grep -q "^-kitchen-sensor" "$work/watch"
ok $? "the browser reports a board that leaves"
kill $watch_pid 2>/dev/null; wait $watch_pid 2>/dev/null
for _ in $(seq 20); do
  cli ota --list
  grep -q "^kitchen-sensor" "$work/out" || break
  sleep 0.3
done
! grep -q "^kitchen-sensor" "$work/out" && grep -q "^garage-door" "$work/out"
ok $? "a board that leaves the network leaves the list"

# Without Avahi: a clear note.
kill $avahi_pid; wait $avahi_pid 2>/dev/null
cli ota --list
[ "$rc" = 1 ] && has "Avahi" && has "--host"
ok $? "without Avahi, --list says so and points to --host"

finish

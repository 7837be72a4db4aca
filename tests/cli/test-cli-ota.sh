#!/usr/bin/env bash
# tests/cli/test-cli-ota.sh: esprit-cli ota / espota against esprit-sim --ota (protocol-facts §7)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

"$MAKE_IMAGE" esp8266 300000 "$work/app8266.bin"
"$MAKE_IMAGE" esp32 200000 "$work/app32.bin"
head -c 65536 /dev/urandom > "$work/fs.bin"

# ota_sim NAME ARGS...: an OTA board; sets OTAPORT
ota_sim() {
  local name=$1; shift
  start_sim "$name" --ota udp://127.0.0.1:0 --flash "$work/$name.flash" --events "$work/$name.events" "$@"
  OTAPORT=${PORT##*:}
}

# flash_at NAME OFFSET FILE: the board's flash holds FILE at OFFSET
flash_at() {
  cmp -s -n "$(stat -c %s "$3")" -i "0:$2" "$3" "$work/$1.flash"
}

ota_sim e8 --chip esp8266 --ota-password sesame
export ESPRIT_OTA_PASSWORD=sesame
start=$(date +%s.%N)
cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 "$work/app8266.bin"
end=$(date +%s.%N)
ok "$rc" "ota uploads a sketch with the password from ESPRIT_OTA_PASSWORD"
echo "# 300 KB upload took $(awk "BEGIN { print $end - $start }") s"
check "the sketch was copied to 0x0 by eboot" flash_at e8 0 "$work/app8266.bin"
check "the board rebooted after the update" grep -q "ESP.restart() after the update" "$work/e8.events"
check "the password is never printed" bash -c "! grep -q sesame '$work/out'"

cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 --filesystem "$work/fs.bin"
ok "$rc" "ota --filesystem uploads a filesystem image"
check "the filesystem is at FS_start (0x200000)" flash_at e8 $((0x200000)) "$work/fs.bin"

unset ESPRIT_OTA_PASSWORD
echo wrong > "$work/wrong.pw"
cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 --auth-file "$work/wrong.pw" "$work/app8266.bin"
[ "$rc" = 1 ] && has "Wrong password"; ok $? "a wrong password from --auth-file fails with exit 1 and says so"

echo sesame > "$work/right.pw"
cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 --auth-file "$work/right.pw" "$work/app32.bin"
[ "$rc" = 2 ] && has "built for the ESP32"; ok $? "an ESP32 image for an ESP8266 is refused before sending"

cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 "$work/app8266.bin" < /dev/null
[ "$rc" = 1 ] && has "needs a password"; ok $? "no password and no terminal: says how to give one"

# The prompt: on a terminal (script(1) gives one), no echo, asked while the board waits.
if command -v script >/dev/null; then
  (sleep 1; printf 'sesame\n') |
    script -qec "'$ESPRIT_CLI' ota --host 127.0.0.1 --ota-port $OTAPORT --chip esp8266 '$work/app8266.bin'" /dev/null > "$work/out" 2>&1
  rc=$?
  [ "$rc" = 0 ] && has "Password for 127.0.0.1:" && ! has sesame
  ok $? "the password prompt reads from the terminal without echo"
else
  echo "ok $((n += 1)) # SKIP script(1) is not installed"
fi

# espota.py's syntax, exit codes 0/1
cli espota -i 127.0.0.1 -p "$OTAPORT" -f "$work/app8266.bin" -a sesame -r
[ "$rc" = 0 ] && has "100%"; ok $? "espota -i -p -f -a -r uploads"
has "visible to other users"; ok $? "espota -a warns that the password shows in ps"
cli espota -i 127.0.0.1 -p "$OTAPORT" -f "$work/app8266.bin" -a nope
[ "$rc" = 1 ]; ok $? "espota with a wrong password exits 1"
cli espota -i 127.0.0.1 -p "$OTAPORT" -f "$work/fs.bin" -s -a sesame -P 47123 -d
[ "$rc" = 0 ] && grep -q "TCP port 47123" "$work/out"; ok $? "espota -s -P -d: filesystem to the chosen host port"
grep -q "TRACE UDP" "$work/out" && ! grep -q sesame "$work/out"; ok $? "espota -d traces datagrams without the password"
cli espota -f "$work/app8266.bin"
[ "$rc" = 1 ] && has "-i IP is required"; ok $? "espota without -i exits 1"
stop_sims

# ESP32, 3.3.1+ core: PBKDF2 challenge
ota_sim e32 --chip esp32 --ota-core esp32-sha256 --ota-password sesame
ESPRIT_OTA_PASSWORD=sesame cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp32 "$work/app32.bin"
ok "$rc" "ota to an ESP32 3.3.1+ board (SHA-256 challenge)"
check "the image is in app1 (0x150000)" flash_at e32 $((0x150000)) "$work/app32.bin"
check "the board boots app1" grep -q "app: running app1 at 0x150000" "$work/e32.events"
stop_sims

# IPv6, where the host has it
if python3 -c 'import socket; s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null; then
  start_sim v6 --chip esp32 --ota-core esp32-md5 --ota "udp://[::1]:0" --flash "$work/v6.flash"
  v6port=${PORT##*:}
  cli ota --host ::1 --ota-port "$v6port" --chip esp32 "$work/app32.bin"
  [ "$rc" = 0 ] && flash_at v6 $((0x150000)) "$work/app32.bin"
  ok $? "ota over IPv6 (::1)"
else
  echo "ok $((n += 1)) # SKIP no IPv6 loopback here"
fi
stop_sims

# Faults: no connect-back names the TCP port and --host-port
ota_sim nc --chip esp32 --ota-core esp32-md5 --ota-no-connect-back
cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp32 --host-port 47124 --timeout 1 "$work/app32.bin"
[ "$rc" = 1 ] && has "TCP port 47124" && has "--host-port"; ok $? "no connect-back: names the port and --host-port"
stop_sims

ota_sim md --chip esp8266 --ota-corrupt-byte 1000
cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 "$work/app8266.bin"
[ "$rc" = 1 ] && has "MD5 verification failed"; ok $? "an MD5 mismatch shows the board's text"
check "the board did not reboot" bash -c "! grep -q 'ESP.restart' '$work/md.events'"
stop_sims

ota_sim dr --chip esp8266 --ota-drop-after 40000
cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 "$work/app8266.bin"
[ "$rc" = 1 ] && has "dropped the connection"; ok $? "a dropped link says so"
stop_sims

cli ota --host 127.0.0.1 --ota-port 1 --chip esp8266 --timeout 1 "$work/app8266.bin"
[ "$rc" = 1 ]; ok $? "nobody at the address: exit 1"
cli ota --chip esp8266 "$work/app8266.bin"
[ "$rc" = 2 ] && has "--host is required"; ok $? "ota without --host is bad input"

finish

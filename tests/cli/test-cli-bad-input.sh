#!/usr/bin/env bash
# Bad input: a clear message and exit 2 before anything is sent.
. "$(dirname "$0")/lib.sh"
cd "$work"

start_sim b --chip esp8266 --listen pty --count-file "$work/counts"
P=$PORT
"$MAKE_IMAGE" esp32 5000 "$work/app32.bin"
head -c 8192 /dev/urandom > data.bin
echo precious > keep.img

bad() {
  local what=$1 expect=$2; shift 2
  cli "$@"
  if [ "$rc" = 2 ] && grep -qi -- "$expect" "$work/out"; then ok 0 "$what"; else ok 1 "$what"; fi
}

bad "unparsable address" "not a number" --port "$P" write_flash 0xZZ data.bin
bad "negative size" "not a number" --port "$P" read_flash 0 -5 x.bin
bad "number too large" "too large" --port "$P" erase_region 0x100000000 4096
bad "missing file" "Cannot read" --port "$P" write_flash 0 nope.bin
bad "overlapping files" "overlaps" --port "$P" write_flash 0x0 data.bin 0x1000 data.bin
bad "beyond the flash" "does not fit" --port "$P" write_flash -fs 4MB 0x3FF000 data.bin
bad "misaligned erase" "multiples of 4096" --port "$P" erase_region 0x1001 0x1000
bad "image for another chip" "not for the ESP8266" --port "$P" --chip esp8266 write_flash 0x0 app32.bin
bad "unknown option" "Unknown" --port "$P" --frobnicate chip_id
bad "odd write_flash arguments" "usage" --port "$P" write_flash 0x0
bad "encrypted write" "not supported by Esprit's stub yet" --port "$P" write_flash --encrypt 0x10000 data.bin
bad "encrypted files" "use esptool with its own stub" --port "$P" write_flash --encrypt-files 0x10000 data.bin
bad "unwritable backup target" "Cannot write" --port "$P" read_flash 0 4096 /proc/nope/x.bin
# With --json a refusal is also an "error" event on stdout, wherever --json stands.
json_refusal() {
  "$ESPRIT_CLI" "$@" > "$work/json.out" 2> /dev/null
  [ $? = 2 ] && python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
e = json.loads(lines[-1])
sys.exit(0 if e["event"] == "error" and e["exit_status"] == 2 and e["error_message"] else 1)
' "$work/json.out"
}
check "--json: an out-of-range baud is an error event on stdout" \
  json_refusal --json --port "$P" --baud 12 chip_id
check "--json after --port: a missing file is an error event on stdout" \
  json_refusal --port "$P" --json write_flash 0 nope.bin
check "--json: an unreadable @FILE is an error event on stdout" \
  json_refusal --json --ports @nope.txt read_mac
sleep 0.2
check "the board saw no byte" [ "$(cut -d' ' -f1 "$work/counts")" = 0 ]
check "existing file untouched" [ "$(cat keep.img)" = precious ]

finish

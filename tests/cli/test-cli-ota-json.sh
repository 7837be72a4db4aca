#!/usr/bin/env bash
# tests/cli/test-cli-ota-json.sh: `ota` in esprit-cli's --help, and `ota --json` events (log,
# progress, result, as the serial commands print them), and .bin.gz uploads, against
# esprit-sim --ota
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

"$MAKE_IMAGE" esp8266 200000 "$work/app8266.bin"
"$MAKE_IMAGE" esp32 100000 "$work/app32.bin"

cli --help
[ "$rc" = 0 ] && grep -q "^  ota " "$work/out" && grep -q "^  espota " "$work/out"
ok $? "--help lists ota and espota"

start_sim e8 --chip esp8266 --ota udp://127.0.0.1:0 --ota-password sesame \
  --flash "$work/e8.flash" --events "$work/e8.events"
OTAPORT=${PORT##*:}
export ESPRIT_OTA_PASSWORD=sesame

# json_ok EXPECTED_RESULT: every stdout line is a JSON object naming the board; progress
# reaches the total; exactly one result event, the last, with EXPECTED_RESULT
json_ok() {
  python3 - "$work/json" "$1" "$OTAPORT" <<'PY'
import json, sys
path, want, port = sys.argv[1:]
events = [json.loads(line) for line in open(path, encoding="utf-8")]
assert events, "no events"
for e in events:
    assert "event" in e, e
    assert e["board"] == "127.0.0.1" and e["port"] == "ota:127.0.0.1:" + port, e
results = [e for e in events if e["event"] == "result"]
assert len(results) == 1 and events[-1] is results[0], results
r = results[0]
assert r["result"] == want, r
if want == "ok":
    writing = [e for e in events if e["event"] == "progress" and e["phase"] == "writing"]
    assert writing and writing[-1]["done"] == writing[-1]["total"] > 0, writing[-3:]
    assert any(e["event"] == "log" and e["level"] == "info" for e in events)
    assert "error_code" not in r and r["file"].endswith("app8266.bin"), r
    assert r["chip"] == "ESP8266" and r["mac"] is None, r
else:
    assert r["error_code"] == "auth" and r["exit_status"] == 1 and r["error_message"], r
assert not any("sesame" in json.dumps(e) for e in events), "the password was printed"
PY
}

"$ESPRIT_CLI" ota --json --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 \
  "$work/app8266.bin" > "$work/json" 2> "$work/out"
rc=$?
[ "$rc" = 0 ] && json_ok ok; ok $? "ota --json: only JSON on stdout, progress to the total, result ok"
eventually "the board runs the upload" grep -q "ESP.restart() after the update" "$work/e8.events"

ESPRIT_OTA_PASSWORD=wrong "$ESPRIT_CLI" --json ota --host 127.0.0.1 --ota-port "$OTAPORT" \
  --chip esp8266 "$work/app8266.bin" > "$work/json" 2> "$work/out"
rc=$?
[ "$rc" = 1 ] && json_ok failed
ok $? "esprit-cli --json ota: a refused password ends in result failed, error_code auth"

"$ESPRIT_CLI" ota --json --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 \
  "$work/app32.bin" > "$work/json" 2> "$work/out"
rc=$?
[ "$rc" = 2 ] && [ ! -s "$work/json" ] && has "built for the ESP32"
ok $? "ota --json: an image for another chip is refused on stderr only (exit 2)"

# A .bin.gz, as the Arduino IDE's "export" compressed with gzip: sent as it is, inflated by eboot.
# Another image than the first upload's, so the flash check below can tell them apart.
"$MAKE_IMAGE" esp8266 150000 "$work/gz8266.bin"
gzip -k -9 "$work/gz8266.bin"
cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 "$work/gz8266.bin.gz"
ok "$rc" "ota uploads a .bin.gz"
eventually "eboot inflated it to 0x0" grep -q "boot: eboot inflated .* to 0x000000" "$work/e8.events"
check "the flash holds the uncompressed image" \
  cmp -s -n "$(stat -c %s "$work/gz8266.bin")" "$work/gz8266.bin" "$work/e8.flash"
head -c 1000 "$work/gz8266.bin.gz" > "$work/cut.bin.gz"
cli ota --host 127.0.0.1 --ota-port "$OTAPORT" --chip esp8266 "$work/cut.bin.gz"
[ "$rc" = 2 ] && has "gzip file is damaged"; ok $? "a cut .bin.gz is refused before sending"

cli --port /dev/ttyUSB0 ota --host 127.0.0.1 "$work/app8266.bin"
[ "$rc" = 2 ] && has "not a serial port"; ok $? "--port with ota is refused"
stop_sims
finish

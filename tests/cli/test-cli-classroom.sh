#!/usr/bin/env bash
# A classroom: one command on many virtual ESP8266 boards at once (esprit-sim --boards N),
# a board that fails among boards that do not, --watch with boards plugged in one after
# another, backups named by MAC, --json, and the input refused before any board is touched.
. "$(dirname "$0")/lib.sh"
cd "$work"
"$MAKE_IMAGE" esp8266 226272 blink.bin
img_len=$(stat -c %s blink.bin)

# start_boards NAME N ARGS...: esprit-sim --boards N; its ports (one a line) in $work/NAME.out
start_boards() {
  local name=$1 count=$2; shift 2
  # Emptied here, not by the child's redirection: that may come after the first look.
  : > "$work/$name.out"
  "$ESPRIT_SIM" --boards "$count" "$@" > "$work/$name.out" 2> "$work/$name.err" &
  sims+=($!)
  for _ in $(seq 100); do
    [ "$(wc -l < "$work/$name.out")" -ge "$count" ] && break
    sleep 0.05
  done
  PORTS=()
  while read -r p; do PORTS+=(--port "$p"); done < "$work/$name.out"
}

# flash_holds FILE: the virtual flash FILE starts with blink.bin
flash_holds() { cmp -s <(head -c "$img_len" "$1") blink.bin; }

# --- 8 boards, one image: every one verified and booting it (rfc2217 carries the resets)
start_boards c8 8 --chip esp8266 --flash "$work/c8" --events "$work/ev" \
  --listen rfc2217://127.0.0.1:0
cli "${PORTS[@]}" --baud 921600 write_flash 0x0 blink.bin
check "8 boards: exit 0" [ "$rc" = 0 ]
check "8 boards: each verified" [ "$(grep -c 'Hash of data verified.' "$work/out")" = 8 ]
check "8 boards: summary says 8 succeeded" has "8 boards: 8 succeeded, 0 failed"
check "8 boards: lines carry the board's name" grep -q '^\[127.0.0.1:[0-9]*\] Hash of data verified.' "$work/out"
all=0
for k in 1 2 3 4 5 6 7 8; do
  flash_holds "c8-$k" || all=1
  grep -q "app: running the program in flash (header E9" "ev-$k" || all=1
done
check "8 boards: each flash holds the image and boots it" [ "$all" = 0 ]
check "8 boards: 8 distinct MACs in the summary" \
  [ "$(grep -o '5c:cf:7f:[0-9a-f:]*' "$work/out" | sort -u | wc -l)" = 8 ]
stop_sims

# --- one board drops the link: it fails with its reason, the 7 others complete verified
rm -f c8-* ev-*
start_boards c8 8 --chip esp8266 --flash "$work/c8" --listen rfc2217://127.0.0.1:0 \
  --board-faults 3:disconnect-after=30000
third=$(sed -n 3p c8.out)
cli "${PORTS[@]}" write_flash 0x0 blink.bin
check "one fault: exit 1" [ "$rc" = 1 ]
check "one fault: 7 verified" [ "$(grep -c 'Hash of data verified.' "$work/out")" = 7 ]
check "one fault: its reason in the summary" \
  grep -q "^${third#rfc2217://} .*FAILED .*closed the connection" "$work/out"
check "one fault: summary 7 succeeded, 1 failed" has "8 boards: 7 succeeded, 1 failed"
all=0
for k in 1 2 4 5 6 7 8; do flash_holds "c8-$k" || all=1; done
check "one fault: the 7 flashes hold the image" [ "$all" = 0 ]
check "one fault: the failed board does not" bash -c "! cmp -s <(head -c $img_len c8-3) blink.bin"
stop_sims
# Plugged in again (a new board process on the same flash), just that one is run again.
start_sim again --chip esp8266 --flash "$work/c8-3" --listen rfc2217://127.0.0.1:0
cli --port "$PORT" write_flash 0x0 blink.bin
check "re-running the failed board succeeds" [ "$rc" = 0 ]
check "re-run: its flash holds the image" flash_holds c8-3
stop_sims

# --- --watch: boards appear one after another, each is flashed once
mkdir watch
"$ESPRIT_CLI" --watch --ports "$work/watch/board*" write_flash 0x0 blink.bin > watch.out 2>&1 &
watcher=$!
for k in 1 2 3; do
  start_sim "w$k" --chip esp8266 --flash "$work/w-$k" --mac "5c:cf:7f:00:00:0$k"
  ln -s "$PORT" "watch/board$k"
  for _ in $(seq 100); do
    [ "$(grep -c 'Hash of data verified.' watch.out)" -ge "$k" ] && break
    sleep 0.1
  done
done
sleep 2.5   # two more polls: boards still plugged in are not flashed again
# Board 1 unplugged and plugged in again: known by its MAC, left alone.
rm watch/board1
sleep 1.5
ln -s "$(head -n 1 w1.out)" watch/board1
for _ in $(seq 50); do grep -q "left alone" watch.out && break; sleep 0.1; done
kill -INT "$watcher"
wait "$watcher"
wrc=$?
cp watch.out "$work/out"
check "--watch: each of 3 boards flashed once" [ "$(grep -c 'Hash of data verified.' watch.out)" = 3 ]
check "--watch: Ctrl+C ends with the summary" has "4 boards: 3 succeeded, 0 failed"
check "--watch: exit 0" [ "$wrc" = 0 ]
check "--watch: a board plugged in again is known by its MAC" has "1 seen again and left alone"
all=0
for k in 1 2 3; do flash_holds "w-$k" || all=1; done
check "--watch: the 3 flashes hold the image" [ "$all" = 0 ]
stop_sims

# --- --watch: a board unplugged mid-write fails alone; plugged back in, it is taken again
mkdir watch2
"$ESPRIT_CLI" --watch --ports "$work/watch2/board*" --baud 921600 write_flash 0x0 blink.bin \
  > watch2.out 2>&1 &
watcher=$!
start_sim u1 --chip esp8266 --flash "$work/u-1" --mac 5c:cf:7f:00:01:01 --unplug-after 40000
ln -s "$PORT" watch2/board1
for _ in $(seq 100); do grep -q "the board was unplugged" watch2.out && break; sleep 0.1; done
check "--watch, unplugged: that board fails, saying so" grep -q "the board was unplugged" watch2.out
# Its node went with it (a link left dangling could meet another test's pty of that number).
rm watch2/board1
# Plugged back in a moment later (a poll sees it gone): a new pty on the same flash, under
# the same name.
sleep 1.5
start_sim u1b --chip esp8266 --flash "$work/u-1" --mac 5c:cf:7f:00:01:01
ln -s "$PORT" watch2/board1
for _ in $(seq 100); do grep -q "Hash of data verified." watch2.out && break; sleep 0.1; done
kill -INT "$watcher"
wait "$watcher"
cp watch2.out "$work/out"
check "--watch, unplugged: plugged back in, it is flashed" \
  [ "$(grep -c 'Hash of data verified.' watch2.out)" = 1 ]
check "--watch, unplugged: the summary has both runs" has "2 boards: 1 succeeded, 1 failed"
check "--watch, unplugged: its flash holds the image" flash_holds u-1
stop_sims

# --- --watch: a port that leaves while its board works (the link goes, the board does not)
# is forgotten once the board ends, so its return is noticed (and left alone, known by MAC)
mkdir watch3
"$ESPRIT_CLI" --watch --ports "$work/watch3/board*" --baud 921600 write_flash 0x0 blink.bin \
  > watch3.out 2>&1 &
watcher=$!
start_sim r1 --chip esp8266 --flash "$work/r-1" --mac 5c:cf:7f:00:02:01 --timing
ln -s "$PORT" watch3/board1
for _ in $(seq 50); do grep -q "Writing at" watch3.out && break; sleep 0.1; done
rm watch3/board1
for _ in $(seq 100); do grep -q "Hash of data verified." watch3.out && break; sleep 0.1; done
# The same board comes back, freshly powered (waiting in its loader, as on a pty it does).
kill "${sims[-1]}"
start_sim r1b --chip esp8266 --flash "$work/r-1" --mac 5c:cf:7f:00:02:01
ln -s "$PORT" watch3/board1
for _ in $(seq 100); do grep -q "left alone" watch3.out && break; sleep 0.1; done
kill -INT "$watcher"
wait "$watcher"
cp watch3.out "$work/out"
check "--watch, link gone mid-write: that write completes" has "Hash of data verified."
check "--watch, link gone mid-write: back, it is seen again" has "1 seen again and left alone"
stop_sims

# --- backups of 4 boards named by MAC equal their flashes
for k in 1 2 3 4; do head -c 262144 /dev/urandom > "b4-$k"; done
start_boards b4 4 --chip esp8266 --flash "$work/b4" --listen pty
{ echo "# the lab's boards"; sed 's/$/   # a board/' b4.out; echo; } > lab.txt
cli --ports @lab.txt read_flash 0 0x40000 'backup-{mac}.img'
check "4 backups: exit 0" [ "$rc" = 0 ]
all=0
for k in 1 2 3 4; do
  mac=$(printf '5ccf7f0102%02x' $((2 + k)))
  cmp -s "backup-$mac.img" <(head -c 262144 "b4-$k") || all=1
done
check "4 backups: backup-{mac}.img equals each board's flash" [ "$all" = 0 ]
check "4 backups: 4 files" [ "$(ls backup-*.img | wc -l)" = 4 ]
stop_sims

# --- --json: every line parses, and done reaches total on each board
start_boards j3 3 --chip esp8266 --listen pty
"$ESPRIT_CLI" --json "${PORTS[@]}" write_flash 0x0 blink.bin > json.out 2> json.err
jrc=$?
check "--json: exit 0" [ "$jrc" = 0 ]
check "--json: each line is a JSON object; done reaches total on each board" python3 -c '
import json, sys
boards, full, results = set(), set(), {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "board" in e:
        boards.add(e["board"])
    if e["event"] == "progress" and e["phase"] == "writing" and e["total"] > 0 and e["done"] == e["total"]:
        full.add(e["board"])
    if e["event"] == "result":
        results[e["board"]] = e["result"]
assert len(boards) == 3 and full == boards, (boards, full)
assert all(r == "ok" for r in results.values()) and len(results) == 3, results
' json.out
check "--json: a single board too" bash -c "'$ESPRIT_CLI' --json --port sim:esp8266 read_mac | python3 -c '
import json, sys
events = [json.loads(l) for l in sys.stdin]
assert events[-1][\"event\"] == \"result\" and events[-1][\"result\"] == \"ok\"
assert any(e[\"event\"] == \"connected\" and e[\"mac\"] for e in events)'"
stop_sims

# --- a board unplugged mid-write (its pty goes away): only that one fails, and says so
start_boards up 3 --chip esp8266 --flash "$work/up" --listen pty --board-faults 2:unplug-after=40000
second=$(sed -n 2p up.out)
cli "${PORTS[@]}" --baud 921600 write_flash 0x0 blink.bin
check "unplugged: exit 1" [ "$rc" = 1 ]
check "unplugged: the 2 others verified" [ "$(grep -c 'Hash of data verified.' "$work/out")" = 2 ]
check "unplugged: its reason in the summary" \
  grep -q "^${second#/dev/} .*FAILED .*the board was unplugged" "$work/out"
check "unplugged: its device node is gone" [ ! -e "$second" ]
check "unplugged: summary 2 succeeded, 1 failed" has "3 boards: 2 succeeded, 1 failed"
stop_sims

# --- --fail-fast: a board that fails stops the others, cleanly
start_boards ff 4 --chip esp8266 --listen pty --timing --board-faults 1:disconnect-after=100
t0=$(date +%s)
cli "${PORTS[@]}" --connect-attempts 2 --fail-fast write_flash 0x0 blink.bin
t1=$(date +%s)
check "--fail-fast: exit 1" [ "$rc" = 1 ]
check "--fail-fast: the others are cancelled" [ "$(grep -c ' cancelled ' "$work/out")" = 3 ]
check "--fail-fast: long before the writes could end" [ $((t1 - t0)) -lt 15 ]
stop_sims

# --- a terminal: one line per board, redrawn in place
start_boards tty 3 --chip esp8266 --listen pty --timing
script -qec "'$ESPRIT_CLI' ${PORTS[*]} --baud 921600 write_flash 0x0 blink.bin" /dev/null > tty.out
cp tty.out "$work/out"
check "terminal: lines redrawn in place (cursor up)" grep -q $'\e\[3A' tty.out
check "terminal: a bar with the speed" grep -qE '\[#+\.*\] +[0-9]+ % +[0-9.]+ kB/s' tty.out
check "terminal: no prefixed log lines" bash -c "! grep -q '^\[pts' '$work/tty.out'"
check "terminal: the summary" has "3 boards: 3 succeeded, 0 failed"
stop_sims

# --- bad input
start_sim one --chip esp8266 --listen pty --count-file "$work/counts"
cli --port "$PORT" --port "$PORT" read_mac
check "a port given twice: refused (exit 2)" [ "$rc" = 2 ]
check "a port given twice: named" has "given more than once"
sleep 0.2
check "a port given twice: nothing sent to the board" [ "$(cut -d' ' -f1 counts)" = 0 ]
ln -s "$PORT" alias
cli --port "$PORT" --port "$work/alias" read_mac
check "the same port by another name: refused" [ "$rc" = 2 ]

python3 -c 'import os, pty, time
m, s = pty.openpty()
print(os.ttyname(s), flush=True)
time.sleep(60)' > mute.out &
sims+=($!)
for _ in $(seq 50); do [ -s mute.out ] && break; sleep 0.1; done
mute=$(head -n 1 mute.out)
cli --connect-attempts 2 --port "$mute" --port "$PORT" read_mac
check "not a board: exit 1" [ "$rc" = 1 ]
check "not a board: reported for that port" grep -q "^${mute#/dev/} .*FAILED" "$work/out"
check "not a board: the other board goes on" has "2 boards: 1 succeeded, 1 failed"
stop_sims

start_boards t2 2 --chip esp8266 --listen pty
rm -f same-*.img
cli "${PORTS[@]}" read_flash 0 0x1000 'same-{chip}.img'
check "template collision: refused (exit 2)" [ "$rc" = 2 ]
check "template collision: named" has "would also be backed up to same-esp8266.img"
check "template collision: nothing read" bash -c "! ls same-* 2>/dev/null | grep -q ."
cli "${PORTS[@]}" read_flash 0 0x1000 'same.img'
check "no template for two boards: refused (exit 2)" [ "$rc" = 2 ]
stop_sims
# Boards refused for a collision after connecting still get the --after reset: they leave
# their loader and boot their program (rfc2217 carries the reset).
start_boards t3 2 --chip esp8266 --listen rfc2217://127.0.0.1:0 --events "$work/tev"
cli "${PORTS[@]}" read_flash 0 0x1000 'same-{chip}.img'
check "template collision over rfc2217: refused (exit 2)" [ "$rc" = 2 ]
# boots_flash FILE: the board's last boot (its events FILE) was into its program
boots_flash() { grep '^boot:' "$1" | tail -n 1 | grep -q 'flash boot'; }
both_boot_flash() { boots_flash tev-1 && boots_flash tev-2; }
check "template collision: both boards left the loader (--after hard_reset)" both_boot_flash
stop_sims
# --count-file with --boards: one file per board (FILE-K); a board nobody spoke to saw 0 bytes.
start_boards t4 2 --chip esp8266 --listen pty --count-file "$work/cnt"
cli --port "$(sed -n 2p t4.out)" read_mac
sleep 0.2
[ -s cnt-2 ] && [ "$(cut -d' ' -f1 cnt-2)" -gt 0 ]
ok $? "--count-file with --boards: board 2 counted its bytes"
check "--count-file with --boards: board 1 was sent nothing" [ "$(cut -d' ' -f1 cnt-1)" = 0 ]
stop_sims
cli --ports all read_mac
check "--ports all without ESP bridges: no board found (exit 2)" [ "$rc" = 2 ]
check "--ports all without ESP bridges: says so" has "No board found for --ports all"
cli --ports @missing.txt read_mac
check "--ports @FILE that cannot be read: exit 2" [ "$rc" = 2 ]
cli --watch --ports "$work/watch/board*" read_flash 0 0x1000 backup.img
check "--watch with read_flash without a template: refused (exit 2)" [ "$rc" = 2 ]
check "--watch with read_flash without a template: says why" has "file name template"

finish

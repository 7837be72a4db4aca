#!/usr/bin/env bash
# esprit-cli serve: a board on a pty (esprit-sim) shared as an RFC 2217 server and flashed
# through it; the reset as the board sees it (a preloaded interposer gives the pty DTR/RTS
# and logs their changes), a second client turned away, several boards, and bad input.
. "$(dirname "$0")/lib.sh"
cd "$work"
servers=()
trap 'for p in "${servers[@]}" "${sims[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
"$MAKE_IMAGE" esp8266 226272 blink.bin
head -c 300000 /dev/urandom > data.bin

# start_serve NAME ARGS...: esprit-cli serve with the line recorder; its ports in NAME.out,
# the first in $SERVED
start_serve() {
  local name=$1; shift
  : > "$work/$name.out"
  ESPRIT_LINE_LOG="$work/$name.lines" LD_PRELOAD="$LINE_RECORDER" \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
    "$ESPRIT_CLI" serve "$@" > "$work/$name.out" 2> "$work/$name.err" &
  servers+=($!)
  SERVE_PID=$!
  for _ in $(seq 100); do
    grep -q 'rfc2217://' "$work/$name.out" && break
    sleep 0.05
  done
  SERVED=$(grep -o 'rfc2217://[^ ]*' "$work/$name.out" | head -n 1)
}

# --- one board: write (compressed, 921600, verified), read back, reconnect between runs
start_sim s1 --chip esp8266 --flash "$work/s1.bin"
board=$PORT
start_serve v1 "$board" --listen rfc2217://127.0.0.1:0
check "serve: one line, port -> rfc2217://127.0.0.1:P" \
  grep -qx "$board → rfc2217://127.0.0.1:[0-9]*" v1.out
cli --port "$SERVED" --baud 921600 --after no_reset write_flash 0x0 data.bin
check "write_flash through serve: exit 0" [ "$rc" = 0 ]
check "write_flash through serve: verified" has "Hash of data verified."
check "write_flash through serve: baud changed to 921600" has "Changed."
cp out write.out
cli --port "$SERVED" --after no_reset read_flash 0x0 300000 back.bin
check "read_flash through serve (a new client): exit 0" [ "$rc" = 0 ]
check "read_flash through serve: equal to what was written" cmp -s back.bin data.bin
# wait_left N: until serve has logged N clients leaving
wait_left() {
  for _ in $(seq 40); do [ "$(grep -c 'left$' v1.out)" -ge "$1" ] && break; sleep 0.05; done
}
wait_left 2
check "serve: each client logged coming and going" \
  [ "$(grep -c 'connected$' v1.out)" = 2 -a "$(grep -c 'left$' v1.out)" = 2 ]

# --- the reset the board saw during write_flash: §3's classic D0 R1 W0.1 D1 R0 W0.05 D0
# (lines 1 = asserted): EN low (0,1) for 100 ms, then D1 and R0 back to back, GPIO0 held low
# (1,0) for 50 ms, then both released.
cat > reset-check.py <<'PY'
import sys
rows = [tuple(int(x) for x in l.split()) for l in open(sys.argv[1]) if l.strip()]
want = [(0, 1), (1, 1), (1, 0), (0, 0)]
for i in range(len(rows) - 3):
    seq = [(r[1], r[2]) for r in rows[i:i + 4]]
    if seq == want:
        t = [r[0] for r in rows[i:i + 4]]
        en_low, both, gpio0_low = (t[1] - t[0]) / 1000, (t[2] - t[1]) / 1000, (t[3] - t[2]) / 1000
        print("EN low %.1f ms, (1,1) %.2f ms, GPIO0 low %.1f ms" % (en_low, both, gpio0_low))
        en_lo, en_hi, lo, hi = [float(x) for x in sys.argv[2].split(":")]
        sys.exit(0 if en_lo <= en_low <= en_hi and both <= 5 and lo <= gpio0_low <= hi else 1)
print("no classic reset among", rows[:12])
sys.exit(1)
PY
python3 reset-check.py v1.lines 90:150:45:90 > out 2>&1
check "classic reset on the board side: 100 ms, back to back, 50 ms (within tolerances)" [ $? = 0 ]
cat out | sed 's/^/# /'

# --- the same reset from a client whose SET-CONTROLs are 60 ms apart (a pyserial client
# waiting for each answer, or a slow network): a plain redirector would hold (1,1) for 60 ms
# and the board would boot its program; serve still sets D1 and R0 back to back. EN is low
# for the client's 60 + 100 ms and GPIO0 until the client's D0 (60 + 60 + 50 ms).
cat > slow-client.py <<'PY'
import socket, sys, time
host, port = sys.argv[1].split("//")[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)))
s.sendall(bytes([255, 251, 44]))
def ctl(v, wait):
    s.sendall(bytes([255, 250, 44, 5, v, 255, 240]))
    time.sleep(wait)
# esptool's classic over RFC 2217: D0 R1 (D rewrite) W0.1 D1 R0 (D rewrite) W0.05 D0
ctl(9, 0.06); ctl(11, 0.06); ctl(9, 0.1); ctl(8, 0.06); ctl(12, 0.06); ctl(8, 0.05); ctl(9, 0.3)
s.close()
PY
: > v1.lines
python3 slow-client.py "$SERVED"
python3 reset-check.py v1.lines 150:220:50:260 > out 2>&1
check "stretched classic reset: (1,1) still back to back on the board side" [ $? = 0 ]
cat out | sed 's/^/# /'

# --- a second client while one is connected: turned away with the reason
cat > hold.py <<'PY'
import socket, sys, time
host, port = sys.argv[1].split("//")[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)))
time.sleep(float(sys.argv[2]))
s.close()
PY
wait_left 3
python3 hold.py "$SERVED" 3 &
holder=$!
sleep 0.5
cli --port "$SERVED" --connect-attempts 1 chip_id
check "second client: refused (exit 1)" [ "$rc" = 1 ]
check "second client: told the board is in use and by whom" \
  grep -q "closed the connection: $board is busy: 127.0.0.1:[0-9]* is using it" out
check "serve: the refusal logged" grep -q "Refused 127.0.0.1:[0-9]*: 127.0.0.1:[0-9]* is using the board" v1.out
wait "$holder"
cli --port "$SERVED" --after no_reset read_mac
check "after the first client left, the next one is served" [ "$rc" = 0 ]

# --- bad input while it runs: the same pty again (busy), the same TCP port again
used=${SERVED##*:}
cli serve "$board" --listen "rfc2217://127.0.0.1:0"
check "port in use: exit 1" [ "$rc" = 1 ]
check "port in use: says so" has "is in use by another program"
start_sim s2 --chip esp8266
cli serve "$PORT" --listen "rfc2217://127.0.0.1:$used"
check "TCP port in use: exit 1 and says so" [ "$rc" = 1 ] && has "Cannot listen on 127.0.0.1 port $used"

# --- Ctrl+C / SIGTERM: ends cleanly and lets go of the port
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
check "SIGTERM: exit 0" [ $? = 0 ]
cli --port "$board" --after no_reset read_mac
check "the pty is free again after serve ended" [ "$rc" = 0 ]

# --- a lab: two boards served by one serve (@FILE), flashed from here by --ports @lab.txt
stop_sims
start_sim a --chip esp8266 --flash "$work/a.bin"
pa=$PORT
start_sim b --chip esp8266 --flash "$work/b.bin"
pb=$PORT
printf '%s\n%s\n' "$pa" "$pb" > boards.txt
start_serve v2 --ports @boards.txt --listen rfc2217://127.0.0.1:0
check "two boards: two lines, one TCP port each" \
  [ "$(grep -c ' → rfc2217://127.0.0.1:' v2.out)" = 2 -a "$(grep -o ':[0-9]*$' v2.out | sort -u | wc -l)" = 2 ]
grep -o 'rfc2217://[^ ]*' v2.out > lab.txt
cli --ports @lab.txt --after no_reset write_flash 0x0 blink.bin
check "lab: both boards flashed and verified from one machine" \
  [ "$rc" = 0 -a "$(grep -c 'Hash of data verified.' out)" = 2 ]
check "lab: both flashes hold the image" \
  cmp -s <(head -c "$(stat -c %s blink.bin)" a.bin) blink.bin
check "lab: the second too" cmp -s <(head -c "$(stat -c %s blink.bin)" b.bin) blink.bin
kill -INT "${servers[-1]}"
wait "${servers[-1]}"
check "SIGINT: exit 0" [ $? = 0 ]

# --- the board unplugged while served: the client is told, serve ends with the reason
start_sim u --chip esp8266
gone=$PORT
start_serve v3 "$gone" --listen rfc2217://127.0.0.1:0
kill "${sims[-1]}"
sleep 0.3
cli --port "$SERVED" --connect-attempts 1 chip_id
check "unplugged: the client fails and is told the port went away" \
  [ "$rc" = 1 ] && has "closed the connection: $gone went away"
wait "${servers[-1]}"
check "unplugged: serve ends with exit 1" [ $? = 1 ]
# A pty whose other end closed reads EIO, which the tty transport names an unplug.
check "unplugged: serve says why" grep -qE "Error: $gone( went away|: the board was unplugged)" v3.err

# --- bad input
cli serve /dev/ttyNOPE42 --listen rfc2217://127.0.0.1:0
check "unknown port: exit 1, named" [ "$rc" = 1 ] && has "There is no serial port /dev/ttyNOPE42"
cli serve
check "no port: exit 2" [ "$rc" = 2 ] && has "serve needs a port"
for bad in http://127.0.0.1:4000 rfc2217://127.0.0.1 rfc2217://127.0.0.1:99999 rfc2217://nohost:4000; do
  cli serve "$pa" --listen "$bad"
  case $bad in
    rfc2217://nohost:*) check "--listen $bad: refused, exit 2" [ "$rc" = 2 ] && has "not an IP address";;
    *) check "--listen $bad: refused, exit 2" [ "$rc" = 2 ] && has "use rfc2217://ADDRESS:PORT";;
  esac
done
cli serve --ports all --listen rfc2217://127.0.0.1:0
check "--ports all without ESP bridges: nothing to serve, exit 2" \
  [ "$rc" = 2 ] && has "No ESP board is plugged in to serve"
cli serve rfc2217://127.0.0.1:4000
check "a remote port: refused, exit 2" [ "$rc" = 2 ] && has "is on another machine"
cli serve "$pa" "$pa"
check "a port given twice: refused, exit 2" [ "$rc" = 2 ] && has "is given twice"
finish

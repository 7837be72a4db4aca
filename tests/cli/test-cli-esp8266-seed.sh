#!/usr/bin/env bash
# The seed's whole sequence, commands verbatim but the program name, on a virtual ESP8266
# behind rfc2217 (DTR/RTS travel, so every command resets the board into its loader and the
# final hard reset boots the program, as a NodeMCU/D1 mini's auto-reset circuit does).
# Backup and compressed restore run on Esprit's stub.
. "$(dirname "$0")/lib.sh"
cd "$work"

start_sim esp8266 --chip esp8266 --flash "$work/flash.bin" --flash-size 4MB \
  --mac 5c:cf:7f:aa:bb:cc --events "$work/events" --listen rfc2217://127.0.0.1:0
P=$PORT
"$MAKE_IMAGE" esp8266 226272 "$work/Blink.ino.d1_mini.bin"
# Something to back up: a first program, written through the ROM alone.
"$MAKE_IMAGE" esp8266 300000 "$work/old.bin"
cli --port "$P" --no-stub write_flash 0x00000 old.bin
check "a first program (ROM path)" [ "$rc" = 0 ]
cp flash.bin before.bin

cli --port "$P" --baud 115200 read_flash 0x00000 0x400000 backup.img
check "read_flash 0x00000 0x400000 backup.img" [ "$rc" = 0 ]
check "read through Esprit's stub" has "Stub running..."
check "backup equals the virtual flash" cmp -s backup.img before.bin
check "packed read used" has "packed bytes"

: > events
cli --port "$P" write_flash -fm qio 0x00000 backup.img
check "write_flash -fm qio 0x00000 backup.img" [ "$rc" = 0 ]
check "restore verified by hash" has "Hash of data verified."
check "restore resets the board" has "Hard resetting via RTS pin..."
check "no fatal error" bash -c "! grep -qi fatal '$work/out'"
check "header patched to qio" bash -c "[ \"\$(od -An -tx1 -j2 -N1 $work/flash.bin | tr -d ' ')\" = 00 ]"
check "rest of the backup restored" cmp -s <(tail -c +5 backup.img) <(tail -c +5 flash.bin)
check "the board boots the restored program" grep -q "app: running the program in flash (header E9" events
check "without a power cycle" bash -c "! grep -q 'rst cause 1' '$work/events'"

cli --port "$P" --baud 115200 read_mac
check "read_mac" [ "$rc" = 0 ]
check "read_mac prints the MAC" has "MAC: 5c:cf:7f:aa:bb:cc"

: > events
cli --port "$P" run
check "run" [ "$rc" = 0 ]
check "run leaves through the stub" has "Soft resetting..."
check "the program runs" grep -q "app: running the program in flash" events

cli --port "$P" --baud 115200 write_flash 0x00000 Blink.ino.d1_mini.bin
check "write_flash 0x00000 Blink.ino.d1_mini.bin" [ "$rc" = 0 ]
check "Blink is in flash" cmp -s <(head -c "$(stat -c %s Blink.ino.d1_mini.bin)" flash.bin) Blink.ino.d1_mini.bin
check "compressed through the stub" has "compressed) at 0x00000000"
check "Blink verified" has "Hash of data verified."

# Restoring an unchanged backup sends almost nothing.
cli --port "$P" write_flash 0x00000 backup.img
cli --port "$P" write_flash 0x00000 backup.img
check "unchanged restore" [ "$rc" = 0 ]
check "unchanged regions skipped" has "already holds these"

cli --port "$P" erase_region 0x200000 0x10000
check "erase_region (stub)" [ "$rc" = 0 ]
check "region erased" bash -c "[ \"\$(dd if=$work/flash.bin bs=65536 skip=32 count=1 2>/dev/null | tr -d '\377' | wc -c)\" = 0 ]"

cli --port "$P" --baud 921600 erase_flash
check "erase_flash (stub, 921600)" [ "$rc" = 0 ]
check "flash all 0xFF" bash -c "[ \"\$(tr -d '\377' < $work/flash.bin | wc -c)\" = 0 ]"

finish

#!/usr/bin/env bash
# The seed's commands verbatim (program name changed) on a virtual ESP32 behind rfc2217,
# where DTR/RTS travel, so every command resets the board into its loader by itself.
. "$(dirname "$0")/lib.sh"
cd "$work"

start_sim esp32 --chip esp32 --flash "$work/flash.bin" --flash-size 4MB \
  --mac 24:0a:c4:12:34:56 --listen rfc2217://127.0.0.1:0
P=$PORT
"$MAKE_IMAGE" esp32 226000 "$work/Blink.ino.d1_mini.bin"
# Something to back up: an image already on the board.
"$MAKE_IMAGE" esp32 100000 "$work/old.bin"

cli --port "$P" write_flash 0x10000 old.bin
check "write_flash of a first program" [ "$rc" = 0 ]

cli --port "$P" --baud 115200 read_flash 0x00000 0x400000 backup.img
check "read_flash 0x00000 0x400000 backup.img" [ "$rc" = 0 ]
check "backup equals the virtual flash" cmp -s backup.img flash.bin
check "backup has the program" cmp -s <(dd if=backup.img bs=4096 skip=16 2>/dev/null | head -c "$(stat -c %s old.bin)") old.bin

cli --port "$P" write_flash -fm qio 0x00000 backup.img
check "write_flash -fm qio 0x00000 backup.img" [ "$rc" = 0 ]
check "restore verified by hash" has "Hash of data verified."
check "restore resets the board" has "Hard resetting via RTS pin..."
check "no fatal error" bash -c "! grep -qi fatal '$work/out'"

cli --port "$P" --baud 115200 read_mac
check "read_mac" [ "$rc" = 0 ]
check "read_mac prints the MAC" has "MAC: 24:0a:c4:12:34:56"

cli --port "$P" run
check "run" [ "$rc" = 0 ]

cli --port "$P" --baud 115200 write_flash 0x00000 Blink.ino.d1_mini.bin
check "write_flash 0x00000 Blink.ino.d1_mini.bin" [ "$rc" = 0 ]
check "Blink is in flash" cmp -s <(head -c "$(stat -c %s Blink.ino.d1_mini.bin)" flash.bin) Blink.ino.d1_mini.bin
check "write reports compression" has "compressed) at 0x00000000"

cli --port "$P" --baud 921600 flash_id
check "flash_id after a baud change" [ "$rc" = 0 ]
check "baud changed" has "Changing baud rate to 921600"
check "flash size detected" has "Detected flash size: 4MB"

cli --port "$P" verify_flash 0x0 Blink.ino.d1_mini.bin
check "verify_flash matches" has "-- verify OK"

cli --port "$P" erase_region 0x200000 0x10000
check "erase_region" [ "$rc" = 0 ]
check "region erased" bash -c "[ \"\$(dd if=$work/flash.bin bs=65536 skip=32 count=1 2>/dev/null | tr -d '\377' | wc -c)\" = 0 ]"

cli --port "$P" erase_flash
check "erase_flash" [ "$rc" = 0 ]
check "flash all 0xFF" bash -c "[ \"\$(tr -d '\377' < $work/flash.bin | wc -c)\" = 0 ]"

cli image_info Blink.ino.d1_mini.bin
check "image_info" has "ESP image for ESP32"

finish

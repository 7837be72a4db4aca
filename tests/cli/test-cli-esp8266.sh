#!/usr/bin/env bash
# What the ESP8266 ROM alone allows, on a virtual ESP8266 behind a pty (no modem lines: the
# board waits in download mode as if BOOT were held).
. "$(dirname "$0")/lib.sh"
cd "$work"

start_sim esp8266 --chip esp8266 --flash "$work/flash.bin" --mac 5c:cf:7f:aa:bb:cc --listen pty
P=$PORT
"$MAKE_IMAGE" esp8266 226272 "$work/Blink.ino.d1_mini.bin"

cli --port "$P" --no-stub chip_id
check "chip_id" [ "$rc" = 0 ]
check "chip detected" has "Detecting chip type... ESP8266"
check "chip id printed" has "Chip ID: 0x02aabbcc"
check "crystal" has "Crystal is 26MHz"

cli --port "$P" --no-stub --baud 115200 read_mac
check "read_mac" has "MAC: 5c:cf:7f:aa:bb:cc"

cli --port "$P" --no-stub flash_id
check "flash_id" has "Device: 4016"

cli --port "$P" --no-stub --baud 115200 write_flash -fm dout 0x00000 Blink.ino.d1_mini.bin
check "write_flash -fm dout Blink" [ "$rc" = 0 ]
check "header patched to dout" bash -c "[ \"\$(od -An -tx1 -j2 -N1 $work/flash.bin | tr -d ' ')\" = 03 ]"
size=$(stat -c %s Blink.ino.d1_mini.bin)
check "rest of the image as sent" cmp -s <(tail -c +5 Blink.ino.d1_mini.bin) <(head -c "$size" flash.bin | tail -c +5)
check "plain writes on the ROM" has "Wrote $size bytes at 0x00000000"

cli --port "$P" --no-stub erase_region 0x100000 0x20000
check "erase_region" [ "$rc" = 0 ]

cli --port "$P" --no-stub read_flash 0 4096 out.bin
check "read_flash needs the stub" [ "$rc" = 1 ]
check "read_flash says why" has "cannot read flash"
check "no file left behind" [ ! -e out.bin ]

cli --port "$P" --no-stub run
check "run" [ "$rc" = 0 ]

finish

#!/bin/sh
# check-stub-image.sh: rebuilds the ESP8266 stub from source and checks that
#  - the committed protocol/stub/esprit-stub-image.c is exactly what the source produces;
#  - the code fits the IRAM and .data + .bss the DRAM the ROM loader leaves free (stub.ld),
#    each with at least 2 KiB to spare.
#   check-stub-image.sh SRCDIR BUILDDIR
# Skips (77) without the cross compiler.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
src=$1
out=$2/stub-check
command -v xtensa-lx106-elf-gcc >/dev/null 2>&1 || { echo "# no xtensa-lx106-elf-gcc: skipping"; exit 77; }
mkdir -p "$out"
sh "$src/protocol/stub/build-stub.sh" esp8266 "$src/protocol/stub" "$out/stub-esp8266.elf"
python3 "$src/protocol/stub/gen-stub-image.py" "$out/stub-esp8266.elf" \
  "$src/protocol/stub/core/stub-core.h" "$out/esprit-stub-image.c"
if ! cmp -s "$out/esprit-stub-image.c" "$src/protocol/stub/esprit-stub-image.c"; then
  echo "FAIL: protocol/stub/esprit-stub-image.c does not match the stub's source."
  echo "      Rebuild it: cp $out/esprit-stub-image.c $src/protocol/stub/"
  exit 1
fi
echo "ok: the committed stub image matches its source"

# Section sizes against the regions of stub.ld (IRAM 0x4010B000-0x4010F100, DRAM
# 0x3FFE8100-0x3FFFA000: below the ROM loader's receive buffer, protocol-facts §6).
xtensa-lx106-elf-size -A "$out/stub-esp8266.elf" | awk '
  $1 == ".text" { text = $2 }
  $1 == ".data" { data = $2 }
  $1 == ".bss"  { bss = $2 }
  END {
    iram = 16640; dram = 73472; margin = 2048   # 0x4100 and 0x11F00
    printf "text %d of %d bytes (IRAM), data %d + bss %d = %d of %d bytes (DRAM)\n", \
           text, iram, data, bss, data + bss, dram
    if (text == 0 || text + margin > iram) { print "FAIL: code too large"; exit 1 }
    if (data + bss + margin > dram) { print "FAIL: data too large"; exit 1 }
    print "ok: sizes within the RAM the ROM loader leaves free"
  }'

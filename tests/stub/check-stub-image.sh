#!/bin/sh
# check-stub-image.sh: rebuilds every chip's stub from source and checks that
#  - each committed protocol/stub/esprit-stub-image-CHIP.c is exactly what the source produces;
#  - the code fits the IRAM and .data + .bss (with the stub's stack) the DRAM that the chip's
#    stub.ld gives it inside the RAM the ROM loader leaves free, each with at least 2 KiB to
#    spare (the link itself fails when a section would overlap the ROM's RAM, protocol-facts
#    §6 and §12.1).
#   check-stub-image.sh SRCDIR BUILDDIR
# Skips (77) without the cross compilers.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
src=$1
out=$2/stub-check
for cc in xtensa-lx106-elf-gcc riscv64-unknown-elf-gcc; do
  command -v $cc >/dev/null 2>&1 || { echo "# no $cc: skipping"; exit 77; }
done
mkdir -p "$out"
rc=0
# chip, its IRAM and DRAM region lengths (stub.ld), the size tool
while read -r chip iram dram size; do
  sh "$src/protocol/stub/build-stub.sh" "$chip" "$src/protocol/stub" "$out/stub-$chip.elf"
  python3 "$src/protocol/stub/gen-stub-image.py" "$out/stub-$chip.elf" \
    "$src/protocol/stub/core/stub-core.h" "$chip" "$out/esprit-stub-image-$chip.c"
  if ! cmp -s "$out/esprit-stub-image-$chip.c" "$src/protocol/stub/esprit-stub-image-$chip.c"; then
    echo "FAIL: protocol/stub/esprit-stub-image-$chip.c does not match the stub's source."
    echo "      Rebuild it: cp $out/esprit-stub-image-$chip.c $src/protocol/stub/"
    rc=1
  else
    echo "ok: the committed $chip stub image matches its source"
  fi
  $size -A "$out/stub-$chip.elf" | awk -v chip="$chip" -v iram="$iram" -v dram="$dram" '
    $1 == ".text" { text = $2 }
    $1 == ".data" { data = $2 }
    $1 == ".bss"  { bss = $2 }
    END {
      margin = 2048
      printf "%s: text %d of %d bytes (IRAM), data %d + bss %d = %d of %d bytes (DRAM)\n", \
             chip, text, iram, data, bss, data + bss, dram
      if (text == 0 || text + margin > iram) { print "FAIL: code too large"; exit 1 }
      if (data + bss + margin > dram) { print "FAIL: data too large"; exit 1 }
      print "ok: sizes within the RAM the ROM loader leaves free"
    }' || rc=1
done <<TABLE
esp8266 16640 73472 xtensa-lx106-elf-size
esp32 16384 81920 xtensa-lx106-elf-size
esp32s2 98304 109312 xtensa-lx106-elf-size
esp32s3 98304 228864 xtensa-lx106-elf-size
esp32c3 16384 98304 riscv64-unknown-elf-size
esp32c6 17664 98304 riscv64-unknown-elf-size
TABLE
exit $rc

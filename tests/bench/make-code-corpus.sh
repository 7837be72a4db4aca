#!/bin/sh
# make-code-corpus.sh OUT SIZE: SIZE bytes of real lx106 machine code and constants (the
# .text, .literal and .rodata of picolibc's ESP8266 libc), as a stand-in for a firmware image
# in the benchmarks: it compresses like one (zlib ~0.40), unlike random-ish test data.
# Fails when the cross binutils or picolibc are not installed.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
out=$1
size=$2
lib=/usr/lib/xtensa-lx106-elf/lib/release/libc.a
[ -r "$lib" ] || lib=/usr/lib/xtensa-lx106-elf/lib/libc.a
command -v xtensa-lx106-elf-objcopy >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
xtensa-lx106-elf-ar x "$lib"
for o in *.o; do
  xtensa-lx106-elf-objcopy -O binary --only-section='.text*' --only-section='.literal*' \
    --only-section='.rodata*' "$o" "$o.bin" 2>/dev/null || true
done
# Repeat the library if it is shorter than asked.
: > all
while [ "$(stat -c %s all)" -lt "$size" ]; do cat ./*.o.bin >> all; done
head -c "$size" all > "$out"

#!/bin/sh
# build-stub.sh: cross-compiles the stub core for the lx106 with fixed flags (reproducible:
# no timestamps, no build paths in the output).
#   build-stub.sh esp8266|qemu SRCDIR OUT.elf
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
target=$1
src=$2
out=$3
cc=${XTENSA_CC:-xtensa-lx106-elf-gcc}

core="$src/core/stub-main.c $src/core/stub-inflate.c $src/core/stub-md5.c $src/core/stub-pack.c $src/core/stub-divide.c $src/core/stub-rx.c"
case $target in
  esp8266) machine="$src/esp8266/stub-entry.S $src/esp8266/stub-esp8266.c"; ld=$src/esp8266/stub.ld ;;
  qemu) machine="$src/qemu/stub-qemu-reset.S $src/qemu/stub-qemu.c"; ld=$src/qemu/stub-qemu.ld ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086
$cc -std=gnu11 -Os -mlongcalls -ffunction-sections -fdata-sections -ffreestanding -nostdlib \
    -fno-builtin -fno-tree-loop-distribute-patterns -Wall -Wextra -Wno-unused-parameter -Werror \
    -ffile-prefix-map="$src"=stub -I"$src" -I"$src/core" \
    -Wl,--gc-sections -Wl,-T,"$ld" -Wl,--build-id=none \
    -o "$out" $machine $core -lgcc

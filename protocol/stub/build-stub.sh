#!/bin/sh
# build-stub.sh: cross-compiles the stub core with fixed flags (reproducible: no timestamps,
# no build paths in the output).
#   build-stub.sh TARGET SRCDIR OUT.elf
# TARGET: esp8266, qemu (QEMU's lx106 test machine), esp32, esp32s2, esp32s3 (call0 code by
# the lx106 compiler, protocol-facts §12.6), esp32c3, esp32c6, qemu-riscv (QEMU's virt test
# machine; all three by the RISC-V compiler, §12.7).
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
target=$1
src=$2
out=$3
xcc=${XTENSA_CC:-xtensa-lx106-elf-gcc}
rcc=${RISCV_CC:-riscv64-unknown-elf-gcc}

core="$src/core/stub-main.c $src/core/stub-io.c $src/core/stub-write.c $src/core/stub-read.c
  $src/core/stub-ram.c $src/core/stub-inflate.c $src/core/stub-md5.c $src/core/stub-pack.c
  $src/core/stub-rx.c"
family="$src/family/stub-family.c $src/family/stub-spi.c $src/family/stub-usj.c"
common="-std=gnu11 -Os -ffunction-sections -fdata-sections -ffreestanding -nostdlib -fno-builtin
  -fno-tree-loop-distribute-patterns -Wall -Wextra -Wno-unused-parameter -Werror
  -ffile-prefix-map=$src=stub -I$src -I$src/core -Wl,--gc-sections -Wl,--build-id=none"
xtensa="$xcc -mlongcalls"
riscv="$rcc -march=rv32imc_zicsr -mabi=ilp32 -msmall-data-limit=0 -fno-asynchronous-unwind-tables"
case $target in
  esp8266) cc=$xtensa; machine="$src/esp8266/stub-entry.S $src/esp8266/stub-esp8266.c" ;;
  qemu) cc=$xtensa; machine="$src/qemu/stub-qemu-reset.S $src/qemu/stub-qemu.c" ;;
  esp32|esp32s2|esp32s3) cc=$xtensa; machine="$src/family/stub-xtensa-entry.S $family" ;;
  esp32c3) cc=$riscv; machine="$src/family/stub-riscv-entry.S $family" ;;
  esp32c6) cc="$riscv"; machine="$src/family/stub-riscv-entry.S $family" ;;
  qemu-riscv) cc=$riscv; machine="$src/qemu/stub-qemu-riscv.S $src/qemu/stub-qemu.c" ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
case $target in
  esp8266|qemu) ld=$src/$target/stub.ld; [ "$target" = qemu ] && ld=$src/qemu/stub-qemu.ld ;;
  qemu-riscv) ld=$src/qemu/stub-qemu-riscv.ld; common="$common -Wl,--no-warn-rwx-segments" ;;
  *) ld=$src/$target/stub.ld; common="$common -I$src/family -I$src/$target -Wl,-L,$src" ;;
esac
# The lx106 has no divide instruction; Debian's libgcc for it expects the ROM's helpers.
case $cc in
  "$xtensa") libs="$src/core/stub-divide.c -lgcc" ;;
  *) libs="" ;;
esac

# shellcheck disable=SC2086
$cc $common -Wl,-T,"$ld" -o "$out" $machine $core $libs

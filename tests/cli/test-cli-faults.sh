#!/usr/bin/env bash
# Every fault of the virtual board ends in a verified success or a clear error, and a backup
# never leaves a partial file.
. "$(dirname "$0")/lib.sh"
cd "$work"
head -c 60000 /dev/urandom > data.bin
echo precious > backup.img

run_faults() {
local chip=$1; shift
for fault in "$@"; do
  stop_sims
  rm -f flash.bin
  # shellcheck disable=SC2086
  start_sim f --chip "$chip" --flash "$work/flash.bin" --listen pty $fault
  cli --port "$PORT" write_flash 0x10000 data.bin
  if [ "$rc" = 0 ]; then
    check "$chip $fault: write verified" has "Hash of data verified."
    check "$chip $fault: data in flash" cmp -s <(dd if=flash.bin bs=4096 skip=16 2>/dev/null | head -c 60000) data.bin
  else
    check "$chip $fault: write fails with a clear error" grep -q "^Error: " "$work/out"
    check "$chip $fault: no crash" [ "$rc" = 1 ]
  fi

  stop_sims
  # shellcheck disable=SC2086
  start_sim f --chip "$chip" --flash "$work/flash.bin" --listen pty $fault
  cli --port "$PORT" read_flash 0x10000 60000 backup.img
  if [ "$rc" = 0 ]; then
    check "$chip $fault: backup verified" cmp -s backup.img <(dd if=flash.bin bs=4096 skip=16 2>/dev/null | head -c 60000)
    echo precious > backup.img
  else
    check "$chip $fault: backup fails with a clear error" grep -q "^Error: " "$work/out"
    check "$chip $fault: old backup untouched" [ "$(cat backup.img)" = precious ]
  fi
  check "$chip $fault: no temporary files left" bash -c "! ls '$work' | grep -q '^backup.img.'"
done
}

run_faults esp32 "--noise-before-sync 300" "--corrupt-tx-byte 400" "--corrupt-rx-byte 900" \
             "--drop-frame 12" "--stall-after 3000 --stall-ms 2000" "--stall-after 3000 --stall-ms 4000" "--disconnect-after 20000"
# The ESP8266 through Esprit's stub: the faults land in the stub's upload (about 9 KB to the
# board), the compressed write and the packed read.
run_faults esp8266 "--corrupt-rx-byte 4000" "--corrupt-rx-byte 12000" "--corrupt-tx-byte 3000" \
  "--drop-frame 40" "--disconnect-after 30000"

finish

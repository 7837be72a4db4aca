#!/usr/bin/env bash
# Partitions on the command line (issue 14): tables from CSV, binaries and backups, and the
# --partition commands on a virtual ESP32 whose flash holds a real table at 0x8000.
. "$(dirname "$0")/lib.sh"
cd "$work"

# put FILE OFFSET: writes FILE into flash.bin at a 4 KB-aligned OFFSET
put() { dd if="$1" of="${3:-flash.bin}" bs=4096 seek=$(($2 / 4096)) conv=notrunc status=none; }
# bytes FILE OFFSET LENGTH: those bytes of FILE on stdout
bytes() { tail -c +$(($2 + 1)) "$1" | head -c $(($3)); }
# all_ff FILE OFFSET LENGTH: the range is erased
all_ff() { [ "$(bytes "$1" "$2" "$3" | tr -d '\377' | wc -c)" = 0 ]; }
# writes: whether the trace in $work/out shows a flash write or erase being started
writes() { grep -qE 'TRACE > 00 (02|10|d0|d1) ([0-9a-f]{2} ){6}' "$work/out"; }

# Arduino-ESP32 tools/partitions/default.csv (protocol-facts §10.1).
cat > default.csv <<'CSV'
# Name,   Type, SubType, Offset,   Size, Flags
nvs,      data, nvs,      0x9000,   0x5000,
otadata,  data, ota,      0xe000,   0x2000,
app0,     app,  ota_0,    0x10000,  0x140000,
app1,     app,  ota_1,    0x150000, 0x140000,
spiffs,   data, spiffs,   0x290000, 0x160000,
coredump, data, coredump, 0x3F0000, 0x10000,
CSV

cli partition_table --to-bin table.bin default.csv
check "partition_table --to-bin from CSV" [ "$rc" = 0 ]
check "the binary is the 0xC00 data area" [ "$(stat -c %s table.bin)" = 3072 ]
check "it starts with an entry (AA 50)" [ "$(head -c 2 table.bin | od -An -tx1 | tr -d ' ')" = aa50 ]
check "the MD5 entry follows the 6 entries" [ "$(bytes table.bin 192 2 | od -An -tx1 | tr -d ' ')" = ebeb ]
cli partition_table table.bin
check "partition_table of a binary" has "app1             app/ota_1"
check "with its MD5 checked" has "MD5 checked"
cli partition_table --csv table.bin
check "--csv prints esp-idf CSV" has "app1,app,ota_1,0x150000,1280K,"
check "--csv prints nothing else" bash -c "! grep -q esprit-cli '$work/out'"
cli image_info table.bin
check "image_info names a table binary" has "is an ESP-IDF partition table binary"

cp table.bin bad.bin
printf '\x99' | dd of=bad.bin bs=1 seek=40 conv=notrunc status=none
cli partition_table bad.bin
check "a table with a wrong MD5 is refused" [ "$rc" = 2 ]
check "with the reason" has "MD5 does not match"
printf 'nvs, data, nvs, 0x9000, 0x5000\nbig, data, fat, 0x8000, 64K\n' > overlap.csv
cli partition_table overlap.csv
check "a CSV with a partition over the table is refused" has "overlaps the partition table"

head -c 4194304 /dev/zero | tr '\0' '\377' > flash.bin
"$MAKE_IMAGE" esp32 20000 boot.bin
"$MAKE_IMAGE" esp32 100000 app.bin
head -c 20480 /dev/urandom > nvs-data.bin
put boot.bin 0x1000
put table.bin 0x8000
put nvs-data.bin 0x9000
put app.bin 0x10000
P="sim:esp32?flash=$work/flash.bin&size=4MB"

cli --port "$P" partition_table
check "partition_table from the board" [ "$rc" = 0 ]
check "it shows the table" has "spiffs           data/spiffs"
check "and which app boots" has "Boots: app0"

cli --port "$P" read_flash --partition nvs nvs.bin
check "read_flash --partition nvs" [ "$rc" = 0 ]
check "equals those bytes of the virtual flash" cmp -s nvs.bin <(bytes flash.bin 0x9000 0x5000)
check "which are what was put there" cmp -s nvs.bin nvs-data.bin
cli --port "$P" read_flash --partition nvs2 x.bin
check "an unknown partition is refused" [ "$rc" != 0 ]
check "naming the ones there are" has "(there are: "

head -c 20481 /dev/urandom > big.bin
cp flash.bin before.bin
cli --port "$P" --trace write_flash --partition nvs big.bin
check "an oversize write_flash --partition is refused" [ "$rc" = 2 ]
check "saying so" has "big.bin is 20481 bytes, partition nvs holds 20480"
check "before any write is sent" bash -c "! grep -qE 'TRACE > 00 (02|10|d0|d1) ([0-9a-f]{2} ){6}' '$work/out'"
check "the flash is unchanged" cmp -s before.bin flash.bin

head -c 8192 /dev/urandom > small.bin
cli --port "$P" --trace write_flash --partition nvs small.bin
check "write_flash --partition nvs of a file that fits" [ "$rc" = 0 ]
check "sends a write (so the check above can fail)" writes
check "lands at the partition" cmp -s small.bin <(bytes flash.bin 0x9000 8192)
check "and leaves the rest of nvs alone" cmp -s <(bytes nvs-data.bin 8192 12288) <(bytes flash.bin 0xB000 12288)

printf 'x' | dd of=flash.bin bs=1 seek=$((0xE000)) conv=notrunc status=none
cp flash.bin before.bin
cli --port "$P" erase_region --partition otadata
check "erase_region --partition otadata" [ "$rc" = 0 ]
check "erases it" all_ff flash.bin 0xE000 0x2000
check "and nothing else" cmp -s <(bytes before.bin 0 0xE000) <(bytes flash.bin 0 0xE000)
check "not even the app after it" cmp -s <(bytes before.bin 0x10000 0x30000) <(bytes flash.bin 0x10000 0x30000)

cp flash.bin before.bin
cli --port "$P" erase_settings < /dev/null
check "erase_settings without an answer erases nothing" [ "$rc" != 0 ]
check "and says why" has "Not confirmed"
check "the flash is unchanged" cmp -s before.bin flash.bin
cli --port "$P" erase_settings --yes
check "erase_settings --yes" [ "$rc" = 0 ]
check "names the nvs partition" has "Settings: nvs at 0x00009000"
check "erases nvs" all_ff flash.bin 0x9000 0x5000
check "and exactly nvs" [ "$(cmp -l before.bin flash.bin | awk 'NR == 1 { a = $1 } END { print a - 1, $1 - 1 }')" = "$((0x9000)) $((0xDFFF))" ]

cli --port "$P" flash_map
check "flash_map" [ "$rc" = 0 ]
check "shows the app" has "app             app0"
check "erased space as erased" has "erased, app/ota_1"
"$ESPRIT_CLI" --port "$P" flash_map --json > map.json 2> "$work/out"
check "flash_map --json is valid JSON alone on stdout" python3 -c "
import json, sys
m = json.load(open('map.json'))
assert sum(r['size'] for r in m['regions']) == 4194304
assert [r for r in m['regions'] if r['name'] == 'app0'][0]['used'] == $(stat -c %s app.bin)
"

cli --port "$P" read_flash 0 0x400000 backup.img
check "a backup" [ "$rc" = 0 ]
cli image_info backup.img
check "image_info names a backup" has "is a flash backup (4194304 bytes)"
check "with its layout" has "ESP-IDF partition table at 0x8000: 6 partitions"
cli partition_table backup.img
check "partition_table of a backup" has "app0             app/ota_0"
cli flash_map backup.img
check "flash_map of a backup" has "Flash map of 4M"

# ESP8266: the Wi-Fi settings and RF calibration are the 16 KB from 0x3FC000 (§10.2).
head -c 4194304 /dev/zero > f8.bin
cp f8.bin zero.bin
cli --port "sim:esp8266?flash=$work/f8.bin&size=4MB" erase_settings --yes
check "erase_settings on an ESP8266" [ "$rc" = 0 ]
check "erases the RF calibration and Wi-Fi sectors" all_ff f8.bin 0x3FC000 0x4000
check "and nothing else" [ "$(cmp -l zero.bin f8.bin | wc -l)" = 16384 ]

# An Arduino build on a virtual ESP8266: eboot at 0x0, the sketch at 0x1000, LittleFS of the
# 4M2M layout at 0x200000 (its superblock: revision, tag, "littlefs", tag, version,
# block_size 0x2000, block_count 253).
head -c 4194304 /dev/zero | tr '\0' '\377' > a8.bin
"$MAKE_IMAGE" esp8266 2000 eboot.bin
"$MAKE_IMAGE" esp8266 200000 sketch.bin
put eboot.bin 0 a8.bin
put sketch.bin 0x1000 a8.bin
printf '\x01\x00\x00\x00\x0f\xf0\x00\x08littlefs\x2f\xe0\x00\x18\x00\x00\x02\x00\x00\x20\x00\x00\xfd\x00\x00\x00' > sb.bin
put sb.bin 0x200000 a8.bin
P8="sim:esp8266?flash=$work/a8.bin&size=4MB"
cli --port "$P8" flash_map
check "flash_map on an ESP8266" [ "$rc" = 0 ]
check "recognises the Arduino 4M2M layout" has "ESP8266 Arduino layout 4M2M, LittleFS"
check "with the sketch" has "app             sketch"
cli --port "$P8" read_flash --partition sketch sk.bin
check "read_flash --partition sketch" [ "$rc" = 0 ]
check "reads 0x1000 up to the end of the sketch region" cmp -s sk.bin <(bytes a8.bin 0x1000 0xFE000)
check "which starts with the sketch" cmp -s <(head -c "$(stat -c %s sketch.bin)" sk.bin) sketch.bin
cli --port "$P8" read_flash --partition fs fs.bin
check "read_flash --partition fs" [ "$(stat -c %s fs.bin 2>/dev/null)" = $((0x1FA000)) ]
check "starts with the superblock" cmp -s <(head -c 32 fs.bin) sb.bin

# A read-only partition (the readonly flag): write and erase refused before anything is sent.
sed 's/^\(nvs, .*0x5000,\)$/\1 readonly/' default.csv > ro.csv
cli partition_table --to-bin ro.bin ro.csv
put ro.bin 0x8000
put nvs-data.bin 0x9000   # erase_settings above left nvs erased
cp flash.bin before.bin
cli --port "$P" --trace write_flash --partition nvs small.bin
[ "$rc" != 0 ] && has "Partition nvs is marked read-only: nothing was written" && ! writes
ok $? "write_flash --partition on a read-only partition: refused, no write sent"
cli --port "$P" --trace erase_region --partition nvs
[ "$rc" != 0 ] && has "Partition nvs is marked read-only: nothing was erased" && ! writes
ok $? "erase_region --partition on a read-only partition: refused, no erase sent"
check "the flash is unchanged" cmp -s before.bin flash.bin

# A table elsewhere than 0x8000, from CSV with offsets left to the tool.
printf 'nvs, data, nvs, , 0x6000\nfactory, app, factory, , 1M\n' > auto.csv
cli partition_table --offset 0xA000 --csv auto.csv
check "CSV offsets follow the table at --offset" has "nvs,data,nvs,0xb000,24K,"
check "apps aligned to 0x10000" has "factory,app,factory,0x20000,1M,"

finish

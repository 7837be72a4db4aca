/* stub-entry.S: where the ROM loader's MEM_END jumps (the image's entry)
 *
 * §6: returning from the stub must resume the ROM's normal flash boot, so the return address
 * is set to 0x400010A8 before the C entry runs; RUN_USER_CODE then simply returns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
        .section .entry.text, "ax"
        .literal_position
        .literal .Lrom_boot, 0x400010A8
        .literal .Lmain, esp8266_stub_main
        .align  4
        .global stub_entry
        .type   stub_entry, @function
stub_entry:
        l32r    a0, .Lrom_boot
        l32r    a2, .Lmain
        jx      a2
        .size   stub_entry, . - stub_entry

/* stub-xtensa-entry.S: where the ROM loader's MEM_END jumps on the ESP32, -S2 and -S3
 *
 * The ROM calls the entry as a windowed-ABI function (§12.6); this stub is call0 code (built
 * by the lx106 compiler), so it takes nothing from the caller: it masks interrupts, sets its
 * own stack (stub.ld) and never returns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
        .section .entry.text, "ax"
        .literal_position
        .literal .Lstack, _stack_top
        .literal .Lmain, family_stub_main
        .align  4
        .global stub_entry
        .type   stub_entry, @function
stub_entry:
        rsil    a2, 15
        l32r    a1, .Lstack
        l32r    a2, .Lmain
        callx0  a2
1:      j       1b
        .size   stub_entry, . - stub_entry

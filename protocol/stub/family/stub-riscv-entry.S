/* stub-riscv-entry.S: where the ROM loader's MEM_END jumps on the ESP32-C3 and -C6
 *
 * Machine interrupts off, this stub's own stack (stub.ld), and no way back to the ROM
 * (§12.7: the ROM calls the entry like a function, on its own stack).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
        .section .entry.text, "ax"
        .global stub_entry
        .type   stub_entry, @function
stub_entry:
        csrci   mstatus, 8
        la      sp, _stack_top
        call    family_stub_main
1:      j       1b
        .size   stub_entry, . - stub_entry

/* stub-qemu-reset.S: QEMU's lx106 starts at the reset vector 0x50000000, not at the ELF
 * entry: set a stack in data RAM and jump to the test machine's main.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
        .section .reset.text, "ax"
        .global _reset
_reset:
        j       .Lgo
        .align  4
.Lstack:
        .word   0x3FFFFFF0
.Lmain:
        .word   qemu_stub_main
.Lgo:
        l32r    a1, .Lstack
        l32r    a2, .Lmain
        jx      a2

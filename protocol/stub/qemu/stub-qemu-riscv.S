/* stub-qemu-riscv.S: QEMU's virt machine with -bios none starts the kernel ELF at its entry:
 * set a stack at the top of the RAM this machine uses and run the test machine's main.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
        .section .reset.text, "ax"
        .global _reset
_reset:
        la      sp, _stack_top
        call    qemu_stub_main
1:      j       1b

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Ward system-call ABI (x86_64), shared by the kernel and userspace.
 *
 * A Ward system call is the `syscall` instruction with a *negative* number
 * in rax (as seL4 numbers its calls). Any other number, in particular every
 * Linux system call that musl issues, is an "unknown syscall": the kernel
 * turns it into a fault (see docs/kernel.md), never into a Linux call.
 *
 * Arguments: rdi, rsi, rdx, r10, r8, r9. Result: rax. rcx and r11 are
 * clobbered by the instruction itself.
 */
#ifndef WARD_SYSCALL_H
#define WARD_SYSCALL_H

enum ward_syscall {
	/* Debug calls (seL4's DebugPutChar/DebugHalt): for bring-up and tests. */
	WARD_SYS_DEBUG_WRITE = -1,  /* rdi = buffer, rsi = length: console output */
	WARD_SYS_DEBUG_HALT = -2,   /* rdi = status: stop the machine */
	WARD_SYS_SET_TLS_BASE = -3, /* rdi = new FS base (the thread pointer) */
	WARD_SYS_MIN = -3,
};

/* Status codes a halted machine reports to the host (isa-debug-exit). */
#define WARD_HALT_OK           0x00
#define WARD_HALT_KERNEL_PANIC 0x7d
#define WARD_HALT_USER_FAULT   0x7e

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Ward system-call ABI (x86_64), shared by the kernel and userspace.
 *
 * A Ward system call is the `syscall` instruction with a *negative* number
 * in rax (seL4 numbers its calls the same way). Any other number, in
 * particular every Linux system call that musl issues, is an "unknown
 * syscall" fault, delivered to the thread's fault endpoint (docs/kernel.md).
 *
 * Registers, in and out:
 *   rax  syscall number in; for SetTLSBase and the debug calls, the result out
 *   rdi  capability address in (destination); badge out
 *   rsi  message info in and out (include/ward/message.h)
 *   rdx  reply object address (Recv, NBRecv, Reply, ReplyRecv; Call and
 *        Send neither read nor change it)
 *   r10, r8, r9, r15   message registers 0-3; more live in the IPC buffer
 * rcx and r11 are clobbered by the instruction itself.
 *
 * Invocations of kernel objects are Call (or Send) on the object's
 * capability: the message label names the operation (invocation.h); the
 * reply's label is a ward_error, and on error MR0 names the offending
 * argument (its index, or WARD_ARG_* below) and MR1/MR2 the allowed range.
 */
#ifndef WARD_SYSCALL_H
#define WARD_SYSCALL_H

enum ward_syscall {
	WARD_SYS_CALL = -1,       /* send, then wait for the reply (one-shot reply cap) */
	WARD_SYS_REPLY_RECV = -2, /* reply through rdx's reply object, then Recv on rdi */
	WARD_SYS_SEND = -3,       /* send; block until a receiver takes it */
	WARD_SYS_NB_SEND = -4,    /* send if a receiver waits; otherwise drop */
	WARD_SYS_RECV = -5,    /* wait on an endpoint (with reply object rdx) or a notification */
	WARD_SYS_NB_RECV = -6, /* poll: as Recv, but return at once if nothing is there */
	WARD_SYS_REPLY = -7,   /* reply through rdx's reply object */
	WARD_SYS_YIELD = -8,   /* give up the rest of the time slice */
	WARD_SYS_SET_TLS_BASE = -9, /* rdi = new FS base (the thread pointer) */
	/* Debug calls (seL4's DebugPutChar/DebugHalt), for bring-up and tests. */
	WARD_SYS_DEBUG_WRITE = -10, /* rdi = buffer, rsi = length, rdx = TCB cptr or 0: console
	                               output as that thread (its name, its line buffer) */
	WARD_SYS_DEBUG_HALT = -11,  /* rdi = status, rsi = system control cptr: stop the machine */
	WARD_SYS_DEBUG_CAP_TYPE = -12, /* rdi = cptr: the cap's type (object.h), 0 if empty */
	WARD_SYS_DEBUG_NAME = -13,     /* rdi = TCB cptr, rsi = name pointer (15 bytes max) */
	WARD_SYS_MIN = -13,
};

/* Offending-argument markers for MR0 of an error reply. */
#define WARD_ARG_CAP        0x100 /* the invoked capability itself */
#define WARD_ARG_EXTRA_CAP0 0x101 /* extra capability 0 (1, 2 follow) */
#define WARD_ARG_LABEL      0x200 /* the label (operation) is unknown */
#define WARD_ARG_LENGTH     0x201 /* the message is too short */

/* Status codes a halted machine reports to the host (isa-debug-exit). */
#define WARD_HALT_OK           0x00
#define WARD_HALT_KERNEL_PANIC 0x7d
#define WARD_HALT_USER_FAULT   0x7e

#endif

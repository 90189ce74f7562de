/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A user thread's saved registers. Field order is the push order of
 * entry.S read upwards; the last five fields are the hardware interrupt
 * frame (SDM Vol. 3A §6.14.2). TSS.RSP0 points just past `ss` of the
 * running thread, so an interrupt from ring 3 saves straight into it.
 */
#ifndef X86_CONTEXT_H
#define X86_CONTEXT_H

#define CONTEXT_GPR_BYTES  (15 * 8)
#define CPU_LOCAL_KSTACK   0x08
#define CPU_LOCAL_USER_RSP 0x10
/* TSS.RSP0 in struct cpu (percpu.h): the running thread's frame end, where SYSCALL saves too. */
#define CPU_TSS_RSP0       0x6c

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <stddef.h>

struct tcb;

struct user_context {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	/* Of the last interrupt or exception; SYSCALL leaves both as they are. */
	uint64_t vector;
	uint64_t error_code; /* exception error code, or 0 */
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t fs_base; /* not pushed: restored by wrmsr before return */
};

#define CONTEXT_FRAME_END offsetof(struct user_context, fs_base)

/* Per-CPU data, reached through GS in the kernel (offsets used by entry.S). */
struct cpu_local {
	struct cpu_local *self;
	uint64_t kernel_stack_top; /* 0x08 */
	uint64_t user_rsp_scratch; /* 0x10 */
	unsigned id;
	struct tcb *current;  /* the thread this CPU last entered (platform_enter_user) */
	uint64_t lock_ticket; /* the kernel lock's ticket it was last served (lock.h) */
};

_Static_assert(offsetof(struct cpu_local, kernel_stack_top) == CPU_LOCAL_KSTACK, "entry.S");
_Static_assert(offsetof(struct cpu_local, user_rsp_scratch) == CPU_LOCAL_USER_RSP, "entry.S");
_Static_assert(offsetof(struct user_context, vector) == CONTEXT_GPR_BYTES, "entry.S");

/* Loads `ctx` and returns to ring 3; never returns. */
__attribute__((noreturn)) void context_restore(struct user_context *ctx);
#endif

#endif

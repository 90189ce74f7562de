/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel entry and exit. From ring 3, interrupts and exceptions arrive on
 * TSS.RSP0, which points just past the running thread's saved frame, so
 * the stub saves registers straight into the thread's user_context and
 * then moves to the per-CPU kernel stack. SYSCALL does the same by hand.
 * From ring 0 (only the idle loop runs with interrupts on) the frame stays
 * on the kernel stack. See context.h for the layout.
 */
#include "x86_regs.h"
#include "context.h"

.macro push_gprs
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro pop_gprs
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
.endm

	.text
isr_common:
	cld                             /* the C ABI wants DF clear; SYSCALL clears it by FMASK */
	testb $3, 24(%rsp)              /* CS of the interrupted code */
	jz 1f
	swapgs
	push_gprs
	movq %rsp, %rdi
	movq %gs:CPU_LOCAL_KSTACK, %rsp
	call trap_from_user             /* does not return */
	ud2
1:	push_gprs
	movq %rsp, %rdi
	call trap_from_kernel
	pop_gprs
	addq $16, %rsp
	iretq

/* Vectors with a CPU-pushed error code: SDM Vol. 3A Table 6-1. */
.macro isr vec
	.align 16
isr_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
.endm

.altmacro
.set i, 0
.rept 256
	isr %i
	.set i, i + 1
.endr

.macro isr_addr vec
	.quad isr_\vec
.endm

	.section .rodata
	.align 8
	.global isr_table
isr_table:
.set i, 0
.rept 256
	isr_addr %i
	.set i, i + 1
.endr
.noaltmacro

	.text
	.global syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_LOCAL_USER_RSP
	movq %gs:CPU_TSS_RSP0, %rsp     /* the frame's end, as an interrupt's */
	pushq $SEL_USER_DATA
	pushq %gs:CPU_LOCAL_USER_RSP
	pushq %r11
	pushq $SEL_USER_CODE
	pushq %rcx
	subq $16, %rsp                  /* vector, error code: an exception's, unused here */
	push_gprs
	movq %gs:CPU_LOCAL_KSTACK, %rsp
	call syscall_from_user          /* does not return */
	ud2

	.global context_restore, context_restore_rsp
context_restore:
	movq %rdi, %rsp
context_restore_rsp:                    /* the same, with rsp at the context already */
	pop_gprs
	addq $16, %rsp
	swapgs
	iretq

	.section .note.GNU-stack, "", @progbits

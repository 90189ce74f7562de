/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Process entry for Ward userspace. The kernel (or the root task) starts a
 * program here with rdi = its boot or start-up information and an empty
 * stack; ward_rt_start() sets up musl and calls main.
 */
	.text
	.global _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	andq $-16, %rsp
	call ward_rt_start
	ud2

	.section .note.GNU-stack, "", @progbits

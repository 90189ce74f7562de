/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The application processors' first instructions. smp.c copies this blob
 * to AP_TRAMPOLINE_PHYS and sends a startup IPI with vector
 * AP_TRAMPOLINE_PHYS >> 12, so the AP starts here in real mode at CS:IP =
 * 0x0800:0000 (SDM Vol. 3A §8.4.4, §10.6.1 "Start-Up"; MultiProcessor
 * Specification 1.4, Appendix B.4). It switches to protected mode (§9.9.1), then to long
 * mode with the page tables in its parameter block (§9.8.5), and calls the
 * C entry with the CPU index on the AP's own kernel stack. Everything is
 * addressed absolutely (data segment 0), so the code runs only at
 * AP_TRAMPOLINE_PHYS; it is data to the kernel image (.rodata).
 */
#include "memory_layout.h"
#include "smp.h"
#include "x86_regs.h"

/* Where a trampoline label sits once the blob is copied. */
#define LOW(label) (AP_TRAMPOLINE_PHYS + (label) - ap_trampoline_start)
#define PARAM(off) (LOW(ap_trampoline_params) + (off))

#define TRAMP_CODE32 0x08
#define TRAMP_DATA   0x10
#define TRAMP_CODE64 0x18

	.section .rodata.ap_trampoline, "a"
	.balign 16
	.global ap_trampoline_start
ap_trampoline_start:
	.code16
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl LOW(tramp_gdt_ptr)
	/* INIT leaves CD and NW set (Table 9-1): a fixed CR0 turns caching back on. */
	movl $(CR0_PE | CR0_NE), %eax
	movl %eax, %cr0
	ljmpl $TRAMP_CODE32, $LOW(protected_mode)

	.code32
protected_mode:
	movw $TRAMP_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $(CR4_PAE | CR4_PGE), %eax
	movl %eax, %cr4
	movl PARAM(AP_PARAM_CR3), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax        /* NXE: the kernel's tables use NX */
	wrmsr
	movl $(CR0_PE | CR0_NE | CR0_WP | CR0_PG), %eax
	movl %eax, %cr0
	ljmpl $TRAMP_CODE64, $LOW(long_mode)

	.code64
long_mode:
	xorl %eax, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movq PARAM(AP_PARAM_STACK), %rsp
	movq PARAM(AP_PARAM_CPU), %rdi
	xorl %ebp, %ebp
	callq *PARAM(AP_PARAM_ENTRY)            /* does not return */
1:	hlt
	jmp 1b

	/* Flat segments; the AP loads its own GDT in cpu_init(). */
	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff                /* TRAMP_CODE32: 32-bit code, DPL 0 */
	.quad 0x00cf92000000ffff                /* TRAMP_DATA: data, DPL 0 */
	.quad 0x00af9a000000ffff                /* TRAMP_CODE64: 64-bit code, DPL 0 */
tramp_gdt_ptr:
	.word tramp_gdt_ptr - tramp_gdt - 1
	.long LOW(tramp_gdt)

	.balign 8
	.global ap_trampoline_params
ap_trampoline_params:
	.space AP_PARAM_BYTES
	.global ap_trampoline_end
ap_trampoline_end:                              /* at most a page: smp.c checks */

	.section .note.GNU-stack, "", @progbits

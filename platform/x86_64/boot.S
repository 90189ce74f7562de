/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Multiboot (v1) entry. The loader (QEMU -kernel) enters _start32 in 32-bit
 * protected mode, paging off, eax = 0x2BADB002, ebx = multiboot info.
 * The stub checks for long mode, builds boot page tables mapping the first
 * 1 GiB three times (identity, PHYS_MAP_BASE and KERNEL_VIRT_BASE), enables PAE, LME, NXE and
 * paging, and jumps to x86_boot_main(magic, info) in the higher half.
 * Multiboot spec 0.6.96 §3.1 (header), §3.2 (machine state).
 */
#include "memory_layout.h"

#define MB_MAGIC     0x1BADB002
#define MB_FLAGS     ((1 << 0) | (1 << 1) | (1 << 16)) /* page-align modules, mem map, address fields */
#define PTE_P        0x1
#define PTE_W        0x2
#define PTE_PS       0x80
#define CR0_PG       (1 << 31)
#define CR0_WP       (1 << 16)
#define CR4_PAE      (1 << 5)
#define MSR_EFER     0xC0000080
#define EFER_LME     (1 << 8)
#define EFER_NXE     (1 << 11)
#define COM1         0x3f8

	.section .multiboot, "a"
	.align 4
mb_header:
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
	.long mb_header
	.long _load_start_phys
	.long _load_end_phys
	.long _bss_end_phys
	.long _start32

	.section .boot.text, "ax"
	.code32
	.global _start32
_start32:
	cli
	cld
	movl $boot_stack32_top, %esp
	movl %eax, %edi
	movl %ebx, %esi

	/* Long mode present? CPUID 0x80000001 EDX bit 29. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	/* PD: 512 x 2 MiB pages covering phys 0..1 GiB. */
	movl $(boot_pd - KERNEL_VIRT_BASE), %ebx
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, (%ebx, %ecx, 8)
	movl $0, 4(%ebx, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jne 1b

	/* PDPT[0] and PDPT[510] -> PD; PML4[0], [256] and [511] -> PDPT. */
	movl $(boot_pdpt - KERNEL_VIRT_BASE), %edx
	movl $(boot_pd - KERNEL_VIRT_BASE + PTE_P + PTE_W), %eax
	movl %eax, (%edx)
	movl %eax, 510 * 8(%edx)
	movl $(boot_pml4 - KERNEL_VIRT_BASE), %ebx
	movl $(boot_pdpt - KERNEL_VIRT_BASE + PTE_P + PTE_W), %eax
	movl %eax, (%ebx)
	movl %eax, 256 * 8(%ebx)        /* PHYS_MAP_BASE */
	movl %eax, 511 * 8(%ebx)

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl %ebx, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_WP), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long_mode_entry

no_long_mode:
	movl $no_long_mode_msg, %esi
2:	lodsb
	testb %al, %al
	jz 3f
	movw $COM1, %dx
	outb %al, %dx
	jmp 2b
3:	hlt
	jmp 3b

	.code64
long_mode_entry:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movl %edi, %edi         /* upper halves are undefined after the mode switch */
	movl %esi, %esi
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movabsq $x86_boot_main, %rax
	call *%rax
4:	hlt
	jmp 4b

	.section .boot.data, "aw"
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff        /* data, DPL 0 */
boot_gdt_ptr:
	.word boot_gdt_ptr - boot_gdt - 1
	.long boot_gdt
no_long_mode_msg:
	.asciz "[boot] panic: this CPU has no long mode (x86_64 required)\r\n"
	.align 16
	.space 256
boot_stack32_top:

	.section .bss
	.align 4096
boot_pml4:
	.space 4096
boot_pdpt:
	.space 4096
boot_pd:
	.space 4096
	.global boot_stack_top
boot_stack:
	.space 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits

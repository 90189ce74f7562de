/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86_64 architectural registers Ward uses: control registers, MSRs,
 * segment selectors and descriptor bits, RFLAGS. Intel SDM Vol. 3A
 * §2.5 (control registers), §3.4.5 (segment descriptors), §5.8.8 and
 * Vol. 4 (MSRs: STAR/LSTAR/FMASK for SYSCALL). Also included by assembly
 * (GAS accepts the ULL suffix), so only macros live here.
 */
#ifndef X86_REGS_H
#define X86_REGS_H

#define CR0_PE         (1ULL << 0)
#define CR0_MP         (1ULL << 1)
#define CR0_EM         (1ULL << 2)
#define CR0_TS         (1ULL << 3)
#define CR0_NE         (1ULL << 5)
#define CR0_WP         (1ULL << 16)
#define CR0_PG         (1ULL << 31)
#define CR4_PAE        (1ULL << 5)
#define CR4_PGE        (1ULL << 7)
#define CR4_OSFXSR     (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)

#define MSR_APIC_BASE      0x0000001b
#define MSR_APIC_BASE_EN   (1ULL << 11)
#define MSR_APIC_BASE_ADDR 0xfffff000ULL
#define MSR_EFER           0xc0000080
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_FMASK          0xc0000084
#define MSR_FS_BASE        0xc0000100
#define MSR_GS_BASE        0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_NXE (1ULL << 11)

#define RFLAGS_IF        (1ULL << 9)
#define RFLAGS_TF        (1ULL << 8)
#define RFLAGS_DF        (1ULL << 10)
#define RFLAGS_AC        (1ULL << 18)
#define RFLAGS_IOPL_MASK (3ULL << 12)
#define RFLAGS_NT        (1ULL << 14)
#define RFLAGS_RESERVED1 (1ULL << 1)

/*
 * GDT layout. SYSRET loads CS from STAR[63:48]+16 and SS from STAR[63:48]+8,
 * so user data must sit just below user code (SDM Vol. 2B, SYSRET).
 */
#define GDT_NULL        0
#define GDT_KERNEL_CODE 1
#define GDT_KERNEL_DATA 2
#define GDT_USER_DATA   3
#define GDT_USER_CODE   4
#define GDT_TSS         5 /* 16 bytes: two slots */
#define GDT_ENTRIES     7

#define SEL_KERNEL_CODE (GDT_KERNEL_CODE << 3)
#define SEL_KERNEL_DATA (GDT_KERNEL_DATA << 3)
#define SEL_USER_DATA   ((GDT_USER_DATA << 3) | 3)
#define SEL_USER_CODE   ((GDT_USER_CODE << 3) | 3)
#define SEL_TSS         (GDT_TSS << 3)

/* STAR: SYSCALL CS = [47:32], SYSRET base = [63:48] (user data = base+8). */
#define STAR_VALUE \
	(((uint64_t)SEL_KERNEL_CODE << 32) | ((uint64_t)(((GDT_USER_DATA << 3) - 8) | 3) << 48))

/* Exception vectors, SDM Vol. 3A §6.3.1. */
#define VEC_DIVIDE_ERROR       0
#define VEC_DEBUG              1
#define VEC_NMI                2
#define VEC_BREAKPOINT         3
#define VEC_INVALID_OPCODE     6
#define VEC_DOUBLE_FAULT       8
#define VEC_GENERAL_PROTECTION 13
#define VEC_PAGE_FAULT         14
#define VEC_FIRST_IRQ          32

/*
 * Interrupt vectors. The LAPIC ranks an interrupt by its vector's upper
 * nibble (SDM Vol. 3A §10.8.3.1), so IPIs sit in the top class, above
 * every device.
 *   0x20        LAPIC timer
 *   0x30..0xdf  device interrupts: IOAPIC routes and MSIs (msi.c allocates)
 *   0xf0..0xf1  inter-processor interrupts (ipi.c)
 *   0xff        LAPIC spurious interrupt
 */
#define VEC_LAPIC_TIMER       0x20
#define VEC_DEVICE_FIRST      0x30
#define VEC_DEVICE_LAST       0xdf
#define VEC_IPI_RESCHEDULE    0xf0
#define VEC_IPI_TLB_SHOOTDOWN 0xf1
#define VEC_IPI_FIRST         VEC_IPI_RESCHEDULE
#define VEC_IPI_LAST          VEC_IPI_TLB_SHOOTDOWN
#define VEC_SPURIOUS          0xff

/* Page-fault error code bits, SDM Vol. 3A §4.7. */
#define PF_PRESENT (1ULL << 0)
#define PF_WRITE   (1ULL << 1)
#define PF_USER    (1ULL << 2)
#define PF_RSVD    (1ULL << 3)
#define PF_FETCH   (1ULL << 4)

#endif

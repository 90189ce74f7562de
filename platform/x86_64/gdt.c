/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-CPU GDT and TSS (SDM Vol. 3A §3.4.5, §7.7). The TSS supplies RSP0,
 * where ring-3 interrupts save the running thread's frame, and IST1, a
 * separate stack for double faults and NMIs so a broken kernel stack still
 * produces a report.
 */
#include <stdint.h>
#include "gdt.h"
#include "x86_regs.h"

static void set_tss_descriptor(uint64_t *gdt, const struct tss *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	/* 64-bit available TSS (type 9), present, DPL 0: SDM Vol. 3A §7.2.3. */
	gdt[GDT_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
	               (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS + 1] = base >> 32;
}

void gdt_init(struct cpu_tables *t, uint64_t ist_top)
{
	/* Flat descriptors: L=1 for code, DPL in bits 45-46. */
	t->gdt[GDT_NULL] = 0;
	t->gdt[GDT_KERNEL_CODE] = 0x00af9a000000ffffULL;
	t->gdt[GDT_KERNEL_DATA] = 0x00cf92000000ffffULL;
	t->gdt[GDT_USER_DATA] = 0x00cff2000000ffffULL;
	t->gdt[GDT_USER_CODE] = 0x00affa000000ffffULL;
	t->tss.ist[0] = ist_top;
	t->tss.iomap_base = sizeof(t->tss); /* no I/O bitmap: ring 3 gets no ports */
	set_tss_descriptor(t->gdt, &t->tss);

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof(t->gdt) - 1, (uint64_t)t->gdt};

	__asm__ volatile("lgdt %0\n"
	                 "pushq %1\n"
	                 "leaq 1f(%%rip), %%rax\n"
	                 "pushq %%rax\n"
	                 "lretq\n"
	                 "1: movw %w2, %%ds\n"
	                 "movw %w2, %%es\n"
	                 "movw %w2, %%ss\n"
	                 "ltr %w3\n"
	                 :
	                 : "m"(ptr), "i"(SEL_KERNEL_CODE), "r"(SEL_KERNEL_DATA), "r"(SEL_TSS)
	                 : "rax", "memory");
}

/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef X86_PERCPU_H
#define X86_PERCPU_H

#include "context.h"
#include "gdt.h"

struct cpu {
	struct cpu_local local; /* first: GS points here */
	struct cpu_tables tables;
	uint64_t timer_ticks;
};

extern struct cpu boot_cpu;

/* Loads GDT, TSS, IDT and the SYSCALL MSRs for `cpu`, running on `kstack_top`. */
void cpu_init(struct cpu *cpu, unsigned id, uint64_t kstack_top);

#endif

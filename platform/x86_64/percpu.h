/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-CPU state. cpus[] is indexed by a dense CPU index: the boot CPU is 0,
 * application processors follow in the order they came up (smp.c), so
 * cpus[0 .. smp_cpu_count()) are the CPUs online. A CPU reaches its own
 * entry through GS (this_cpu()). Each field belongs to its CPU unless its
 * comment says otherwise; fields other CPUs touch use __atomic builtins.
 */
#ifndef X86_PERCPU_H
#define X86_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include "context.h"
#include "gdt.h"

#define WARD_MAX_CPUS      16
#define CPU_IST_STACK_SIZE 8192

struct tcb;

struct cpu {
	struct cpu_local local; /* first: GS points here */
	struct cpu_tables tables;
	uint64_t timer_ticks;
	uint32_t apic_id;
	bool online;                      /* set once by the CPU itself; others read it */
	volatile bool reschedule_pending; /* set by the reschedule IPI; the scheduler clears it */
	bool tlb_flush_pending;           /* set by a shootdown's initiator, cleared by this CPU */
	uint8_t *fpu_state; /* the area whose x87/SSE state its registers hold (thread.c) */
	uint64_t user_root; /* the CR3 it last left the kernel with; the lock holder reads it */
	uint8_t ist_stack[CPU_IST_STACK_SIZE] __attribute__((aligned(16))); /* #DF and NMI */
	uint8_t fpu_spare[512] __attribute__((aligned(16))); /* fpu_state with no owner */
};
_Static_assert(offsetof(struct cpu, local) == 0, "this_cpu() reads cpu_local.self at GS:0");
_Static_assert(offsetof(struct cpu, tables.tss.rsp0) == CPU_TSS_RSP0, "entry.S");
_Static_assert(WARD_MAX_CPUS <= 64, "CPU masks are 64 bits");

extern struct cpu cpus[WARD_MAX_CPUS];
#define boot_cpu (cpus[0])

/* This CPU's entry; valid from its cpu_init() on (GS base). Volatile: the
 * read must stay after cpu_init()'s GS write, even when inlined into it. */
static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/*
 * Fields of this CPU's cpu_local read straight through GS (one instruction
 * each, no pointer to it first): for the system-call path. Ordinary
 * memory accesses to the compiler (the __seg_gs address space), so they
 * order with the rest as this_cpu()->local.FIELD would.
 */
#define this_cpu_local() ((const __seg_gs struct cpu_local *)0)

/*
 * This CPU's struct cpu through GS, for the exit to user mode: each field
 * read or written in one instruction. The address of a field taken from
 * it is an offset in the GS segment, not a pointer: use this_cpu() for that.
 */
#define this_cpu_gs() ((__seg_gs struct cpu *)0)

/*
 * Loads GDT, TSS (with this CPU's IST stack), IDT and the SYSCALL MSRs for
 * `cpu`, index `id`, whose kernel entries run on `kstack_top`.
 */
void cpu_init(struct cpu *cpu, unsigned id, uint64_t kstack_top);

#endif

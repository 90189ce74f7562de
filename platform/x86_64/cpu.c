/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-CPU state and the SYSCALL/SYSRET set-up (SDM Vol. 3A §5.8.8): the
 * kernel is entered with interrupts off (FMASK clears IF) and runs to
 * completion. Each CPU runs cpu_init() on its own entry of cpus[], once,
 * before anything else touches that entry.
 */
#include "cpu.h"
#include "idt.h"
#include "percpu.h"
#include "x86_regs.h"

struct cpu cpus[WARD_MAX_CPUS];

extern char syscall_entry[];

void cpu_init(struct cpu *cpu, unsigned id, uint64_t kstack_top)
{
	cpu->local.self = &cpu->local;
	cpu->local.id = id;
	cpu->local.kernel_stack_top = kstack_top;
	cpu->fpu_state = cpu->fpu_spare; /* no thread's x87/SSE state yet */
	gdt_init(&cpu->tables, (uint64_t)(cpu->ist_stack + sizeof(cpu->ist_stack)));
	idt_load();
	/* User code (musl) uses SSE: SDM Vol. 3A §13.1.3. The kernel itself never does. */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	wrmsr(MSR_GS_BASE, (uint64_t)&cpu->local);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | EFER_NXE);
	wrmsr(MSR_STAR, STAR_VALUE);
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK,
	      RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT | RFLAGS_IOPL_MASK);
}

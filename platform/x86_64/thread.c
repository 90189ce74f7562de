/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entering user threads and idling on x86_64: the platform half of the
 * scheduler's exit from the kernel. Both release the big kernel lock as
 * the very last thing before leaving kernel code.
 */
#include <kernel/platform.h>
#include <kernel/tcb.h>
#include <kernel/vspace_objects.h>
#include "cpu.h"
#include "ipi.h"
#include "lock.h"
#include "memory_layout.h"
#include "percpu.h"
#include "vspace.h"
#include "x86_regs.h"

#include <kernel/sched.h>

/* An AP's first entry into the scheduler (called by smp.c once it is up). */
void kernel_ap_entry(unsigned cpu_index)
{
	(void)cpu_index;
	kernel_lock_acquire();
	sched_start_cpu();
}

/* Set while a CPU sits in its idle loop, the only kernel code with interrupts on. */
bool cpu_idling[WARD_MAX_CPUS];

unsigned platform_cpu_index(void)
{
	return this_cpu()->local.id;
}

void platform_stall_cpu(unsigned cpu)
{
	/* A shootdown returns only when the target has trapped in and acknowledged. */
	if (cpu != platform_cpu_index())
		tlb_shootdown(1ULL << cpu, TLB_KERNEL_SPACE, 0, true);
}

void platform_forget_thread(unsigned cpu, const struct tcb *t)
{
	struct cpu *c = &cpus[cpu];

	if (cpu != platform_cpu_index() && c->local.current == t)
		c->local.current = NULL;
}

/*
 * A CPU in user mode runs on c->user_root; one waiting for the lock after
 * a trap still does. It must leave when the space is destroyed, or when
 * its thread lost the VSpace cap it runs on (so that the cap's deletion
 * means what it says, even while the PML4 lives on through other caps).
 */
void platform_vspace_evict(uint64_t root, bool destroyed)
{
	uint64_t mask = 0;

	for (unsigned i = 0; i < WARD_MAX_CPUS; i++) {
		struct tcb *t = sched_cpus[i].current;
		if (!cpus[i].online || cpus[i].user_root != root)
			continue;
		if (!destroyed && t != NULL && tcb_vspace_phys(t) == root)
			continue;
		cpus[i].user_root = vspace_kernel_root();
		mask |= 1ULL << i;
	}
	if (mask != 0 || (destroyed && (read_cr3() & PTE_ADDR_MASK) == root))
		tlb_leave_vspace(mask & ~(1ULL << platform_cpu_index()), root);
}

void platform_reschedule_cpu(unsigned cpu)
{
	if (cpu != platform_cpu_index())
		ipi_send(cpu, VEC_IPI_RESCHEDULE);
}

/*
 * x87/SSE registers are switched eagerly, and only when the thread to run
 * is not the one whose state the CPU holds (the kernel itself never uses
 * them: -mgeneral-regs-only). SDM Vol. 1 §10.5.1 (FXSAVE area).
 */

#define FXSAVE_FCW    0      /* x87 control word */
#define FXSAVE_MXCSR  24     /* SSE control/status */
#define FCW_DEFAULT   0x037f /* all x87 exceptions masked, 64-bit precision */
#define MXCSR_DEFAULT 0x1f80 /* all SSE exceptions masked */

void platform_fpu_init(uint8_t *area)
{
	uint16_t fcw = FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;

	__builtin_memcpy(area + FXSAVE_FCW, &fcw, sizeof(fcw));
	__builtin_memcpy(area + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
}

_Static_assert(sizeof(((struct cpu *)0)->fpu_spare) == TCB_FPU_BYTES, "an FXSAVE area");

void platform_fpu_forget(const struct tcb *t)
{
	for (unsigned i = 0; i < WARD_MAX_CPUS; i++)
		if (cpus[i].fpu_state == t->fpu)
			cpus[i].fpu_state = cpus[i].fpu_spare;
}

/*
 * A CPU's x87/SSE registers hold the state of the save area fpu_state
 * points at: its owner's (a thread's `fpu`), or its own fpu_spare when no
 * thread owns them; a thread is the owner of at most one CPU. A CPU saves
 * its owner's state when it runs another thread or goes idle, before it
 * releases the lock, so a thread that moves CPU always finds its state in
 * its TCB. The spare makes "no owner" one more area to save into, so
 * that the switch needs no test for it.
 */
static inline void fpu_save_owner(struct cpu *c)
{
	if (c->fpu_state != c->fpu_spare) {
		__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[TCB_FPU_BYTES])c->fpu_state));
		c->fpu_state = c->fpu_spare;
	}
}

static inline void fpu_switch(__seg_gs struct cpu *c, struct tcb *t)
{
	if (c->fpu_state == t->fpu)
		return;
	__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[TCB_FPU_BYTES])c->fpu_state));
	__asm__ volatile("fxrstor64 %0" : : "m"(*(const uint8_t(*)[TCB_FPU_BYTES])t->fpu));
	c->fpu_state = t->fpu;
}

void platform_enter_user(struct tcb *t)
{
	__seg_gs struct cpu *c = this_cpu_gs();
	uint64_t frame_end = (uint64_t)&t->ctx + CONTEXT_FRAME_END;
	const struct cap *vspace = &t->slots[TCB_SLOT_VSPACE].cap;
	/* As tcb_vspace_phys(); with its VSpace gone it enters on the kernel's root and faults. */
	uint64_t root = __builtin_expect(vspace->type == WARD_OBJ_PML4, 1) ? vspace->word2
	                                                                   : vspace_kernel_root();

	c->local.current = t;
	c->tables.tss.rsp0 = frame_end; /* where the next entry from ring 3 saves */
	if (read_cr3() != root)
		write_cr3(root);
	c->user_root = root;
	/* wrmsr(MSR_FS_BASE, t->ctx.fs_base), loading the halves straight from memory. */
	__asm__ volatile("movl %1, %%eax; movl 4+%1, %%edx; wrmsr"
	                 :
	                 : "c"(MSR_FS_BASE), "m"(t->ctx.fs_base)
	                 : "rax", "rdx");
	fpu_switch(c, t);
	kernel_lock_release();
	/* context_restore(&t->ctx), without the call. */
	__asm__ volatile("movq %0, %%rsp; jmp context_restore_rsp" : : "r"(&t->ctx) : "memory");
	__builtin_unreachable();
}

static __attribute__((noreturn)) void idle_loop(void)
{
	cpu_idling[platform_cpu_index()] = true;
	fpu_save_owner(this_cpu());
	/* Leave the last thread's VSpace: it may be deleted and reused meanwhile. */
	if (read_cr3() != vspace_kernel_root())
		write_cr3(vspace_kernel_root());
	this_cpu()->user_root = vspace_kernel_root();
	kernel_lock_release();
	for (;;)
		__asm__ volatile("sti; hlt; cli");
}

void platform_idle(void)
{
	/* Restart on a fresh stack: the frames below are never returned to. */
	__asm__ volatile("movq %0, %%rsp; jmp *%1"
	                 :
	                 : "r"(this_cpu()->local.kernel_stack_top), "r"(idle_loop)
	                 : "memory");
	__builtin_unreachable();
}

unsigned platform_cpu_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < WARD_MAX_CPUS; i++)
		n += cpus[i].online;
	return n == 0 ? 1 : n;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel entry from interrupts, exceptions and SYSCALL. Each entry takes
 * the big kernel lock and leaves through the scheduler, which releases it.
 * A user exception becomes a fault message to the thread's fault endpoint
 * (or, without one, a readable report and a stopped thread); an exception
 * in the kernel prints the same report and panics. Nothing triple-faults.
 */
#include <kernel/fastpath.h>
#include <kernel/irq.h>
#include <kernel/ipc.h>
#include <kernel/platform.h>
#include <kernel/printf.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/tcb.h>
#include <ward/object.h>
#include "cpu.h"
#include "ipi.h"
#include "lapic.h"
#include "lock.h"
#include "percpu.h"
#include "x86_regs.h"

#define SYSCALL_INSN_BYTES 2 /* 0f 05 */

static const char *const exception_names[32] = {
        "divide error",
        "debug",
        "NMI",
        "breakpoint",
        "overflow",
        "bound range exceeded",
        "invalid opcode",
        "device not available",
        "double fault",
        "coprocessor overrun",
        "invalid TSS",
        "segment not present",
        "stack-segment fault",
        "general protection",
        "page fault",
        "reserved",
        "x87 floating-point error",
        "alignment check",
        "machine check",
        "SIMD floating-point error",
        "virtualization exception",
        "control protection",
};

static const char *exception_name(uint64_t vector)
{
	if (vector < 32 && exception_names[vector] != NULL)
		return exception_names[vector];
	return "reserved exception";
}

static void report(const char *who, const struct user_context *c, uint64_t cr2)
{
	kprintf("%s: %s (vector %lu, error code 0x%lx)", who, exception_name(c->vector), c->vector,
	        c->error_code);
	if (c->vector == VEC_PAGE_FAULT)
		kprintf("  page fault at 0x%016lx: %s, %s, %s%s", cr2,
		        (c->error_code & PF_PRESENT) ? "protection violation" : "not present",
		        (c->error_code & PF_FETCH)   ? "instruction fetch"
		        : (c->error_code & PF_WRITE) ? "write"
		                                     : "read",
		        (c->error_code & PF_USER) ? "user mode" : "kernel mode",
		        (c->error_code & PF_RSVD) ? ", reserved bit set" : "");
	kprintf("  rip %016lx  cs %04lx  rflags %016lx  rsp %016lx  ss %04lx", c->rip, c->cs,
	        c->rflags, c->rsp, c->ss);
	kprintf("  cr2 %016lx  cr3 %016lx", cr2, read_cr3());
	kprintf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx", c->rax, c->rbx, c->rcx, c->rdx);
	kprintf("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx", c->rsi, c->rdi, c->rbp, c->r8);
	kprintf("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx", c->r9, c->r10, c->r11, c->r12);
	kprintf("  r13 %016lx  r14 %016lx  r15 %016lx", c->r13, c->r14, c->r15);
}

void platform_syscall_restart(struct tcb *t)
{
	t->ctx.rip -= SYSCALL_INSN_BYTES;
}

void tcb_report_fault(const struct tcb *t)
{
	char who[80];

	ksnprintf(who, sizeof(who), "user fault in thread '%s' (no fault handler)", t->name);
	if (t->fault == WARD_FAULT_UNKNOWN_SYSCALL) {
		kprintf("%s: unknown syscall %ld at rip %016lx", who, (long)t->ctx.rax, t->ctx.rip);
		return;
	}
	report(who, &t->ctx, t->fault_data[0]);
}

static enum ward_fault fault_kind(uint64_t vector)
{
	switch (vector) {
	case VEC_PAGE_FAULT:
		return WARD_FAULT_PAGE;
	case VEC_GENERAL_PROTECTION:
		return WARD_FAULT_GENERAL_PROTECTION;
	case VEC_INVALID_OPCODE:
		return WARD_FAULT_UNDEFINED_OPCODE;
	case VEC_DIVIDE_ERROR:
		return WARD_FAULT_DIVIDE;
	default:
		return WARD_FAULT_OTHER;
	}
}

extern bool cpu_idling[WARD_MAX_CPUS];

/* With `locked` false (boot, before scheduling), only count ticks and ack. */
static void handle_interrupt(uint64_t vector, bool locked)
{
	if (vector == VEC_LAPIC_TIMER) {
		this_cpu()->timer_ticks++;
		if (locked)
			sched_tick();
	} else if (vector >= VEC_IPI_FIRST && vector <= VEC_IPI_LAST) {
		ipi_handle(vector);
		if (vector == VEC_IPI_RESCHEDULE && locked)
			sched_request();
		return; /* ipi_handle acknowledged it */
	} else if (vector >= VEC_DEVICE_FIRST && vector <= VEC_DEVICE_LAST && locked) {
		irq_deliver((unsigned)vector);
	}
	if (vector != VEC_SPURIOUS)
		lapic_eoi();
}

/* Entered from entry.S on the kernel stack; they leave through the scheduler. */
__attribute__((noreturn)) void trap_from_user(struct user_context *c);
__attribute__((noreturn)) void syscall_from_user(void);

/*
 * `c` is the frame in the TCB of the thread that was running. Its vector is
 * read before the lock: another CPU may destroy that thread while this one
 * waits (tcb_finalise), and then sched_current() is NULL and `c` is
 * memory that may already be something else.
 */
void trap_from_user(struct user_context *c)
{
	uint64_t vector = c->vector;
	struct tcb *t;

	kernel_lock_acquire();
	t = sched_current();
	if (vector == VEC_NMI) {
		kprintf("NMI on CPU %u ignored", platform_cpu_index());
	} else if (vector < VEC_FIRST_IRQ && (t == NULL || t->state != THREAD_RUNNABLE)) {
		/* Suspended while trapping in: the instruction faults again on resume. */
	} else if (vector < VEC_FIRST_IRQ) {
		console_line_flush(&t->out);
		t->fault = fault_kind(vector);
		t->fault_data[0] = vector == VEC_PAGE_FAULT ? read_cr2() : 0;
		t->fault_data[1] = c->error_code;
		t->fault_data[2] = vector;
		fault_deliver(t);
	} else {
		handle_interrupt(vector, true);
	}
	sched_exit_kernel();
}

void trap_from_kernel(struct user_context *c)
{
	if (c->vector < VEC_FIRST_IRQ) {
		report("kernel fault", c, read_cr2());
		panic("unrecoverable exception in the kernel");
	}
	if (!cpu_idling[platform_cpu_index()] || c->vector == VEC_LAPIC_TIMER) {
		/*
		 * Boot code waiting for a tick or an AP (nothing is scheduled yet),
		 * or a tick on an idle CPU: work for an idle CPU arrives by IPI
		 * (sched_wake), so a tick needs no lock and changes nothing.
		 */
		handle_interrupt(c->vector, false);
		return;
	}
	/* The idle loop: its frame is dropped, the scheduler decides. */
	kernel_lock_acquire();
	cpu_idling[platform_cpu_index()] = false;
	handle_interrupt(c->vector, true);
	sched_exit_kernel();
}

/*
 * The lock was busy: after the wait, the current thread may be gone. The
 * general path alone (the fast path would do the same, only faster).
 */
static __attribute__((noinline, noreturn)) void syscall_after_wait(uint64_t ticket)
{
	struct tcb *t;

	kernel_lock_wait(ticket);
	t = this_cpu_local()->current; /* the thread whose registers entry.S saved */
	if (t != NULL)                 /* NULL: destroyed meanwhile (tcb_finalise) */
		syscall_dispatch(t, (int64_t)t->ctx.rax);
	sched_exit_kernel();
}

/*
 * Served at once, no CPU held the lock, so none is destroying the current
 * thread; and one that destroyed it earlier stalled this CPU out of it
 * first (platform_stall_cpu), so it would not be making this call.
 */
void syscall_from_user(void)
{
	uint64_t ticket;
	struct tcb *t;

	if (__builtin_expect(!kernel_lock_take(&ticket), 0))
		syscall_after_wait(ticket);
	t = this_cpu_local()->current;
	if (WARD_FASTPATH)
		fastpath_try(t, (int64_t)t->ctx.rax, this_cpu_local()->id);
	syscall_dispatch(t, (int64_t)t->ctx.rax);
	sched_exit_kernel();
}

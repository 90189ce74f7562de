/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt and exception dispatch. A user exception produces a readable
 * report (vector, error code, RIP, CR2, registers) and ends the thread;
 * a kernel exception produces the same report and panics. Nothing is
 * allowed to triple-fault.
 */
#include <kernel/printf.h>
#include <kernel/thread.h>
#include "cpu.h"
#include "lapic.h"
#include "percpu.h"
#include "x86_regs.h"
#include <ward/syscall.h>

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

static void report(const char *who, const struct user_context *c)
{
	kprintf("%s: %s (vector %lu, error code 0x%lx)", who, exception_name(c->vector), c->vector,
	        c->error_code);
	if (c->vector == VEC_PAGE_FAULT)
		kprintf("  page fault at 0x%016lx: %s, %s, %s%s", read_cr2(),
		        (c->error_code & PF_PRESENT) ? "protection violation" : "not present",
		        (c->error_code & PF_FETCH)   ? "instruction fetch"
		        : (c->error_code & PF_WRITE) ? "write"
		                                     : "read",
		        (c->error_code & PF_USER) ? "user mode" : "kernel mode",
		        (c->error_code & PF_RSVD) ? ", reserved bit set" : "");
	kprintf("  rip %016lx  cs %04lx  rflags %016lx  rsp %016lx  ss %04lx", c->rip, c->cs,
	        c->rflags, c->rsp, c->ss);
	kprintf("  cr2 %016lx  cr3 %016lx", read_cr2(), read_cr3());
	kprintf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx", c->rax, c->rbx, c->rcx, c->rdx);
	kprintf("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx", c->rsi, c->rdi, c->rbp, c->r8);
	kprintf("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx", c->r9, c->r10, c->r11, c->r12);
	kprintf("  r13 %016lx  r14 %016lx  r15 %016lx", c->r13, c->r14, c->r15);
}

static void handle_interrupt(uint64_t vector)
{
	if (vector == VEC_LAPIC_TIMER)
		boot_cpu.timer_ticks++;
	if (vector != VEC_SPURIOUS)
		lapic_eoi();
}

void trap_from_user(struct user_context *c)
{
	struct thread *t = current_thread;

	if (c->vector < VEC_FIRST_IRQ) {
		console_line_flush(&t->out);
		report("user fault in thread 'root'", c);
		thread_exit(t, WARD_HALT_USER_FAULT);
	}
	handle_interrupt(c->vector);
	thread_run(t);
}

void trap_from_kernel(struct user_context *c)
{
	if (c->vector < VEC_FIRST_IRQ) {
		report("kernel fault", c);
		panic("unrecoverable exception in the kernel");
	}
	handle_interrupt(c->vector);
}

uint64_t timer_ticks(void)
{
	return boot_cpu.timer_ticks;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the generic kernel asks of the platform (platform/x86_64 implements
 * it). The generic kernel sees no registers, ports or page-table formats.
 */
#ifndef KERNEL_PLATFORM_H
#define KERNEL_PLATFORM_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <ward/errors.h>

/* Writes one byte to the kernel console (COM1). */
void platform_console_putc(char c);

/* Stops the machine, reporting status to the host; never returns. */
__attribute__((noreturn)) void platform_halt(unsigned status);

struct tcb;

/* This CPU's dense index (the BSP is 0), and how many CPUs are online. */
unsigned platform_cpu_index(void);
unsigned platform_cpu_count(void);

/* Makes CPU `cpu` enter the kernel soon and choose its thread again. */
void platform_reschedule_cpu(unsigned cpu);

/*
 * Returns once CPU `cpu` has left user mode (its thread's registers are
 * saved): it then waits for the big kernel lock, which the ticket order
 * gives it before this CPU's next kernel entry. For objects a remote CPU
 * still uses (a TCB being destroyed, a VSpace being replaced).
 */
void platform_stall_cpu(unsigned cpu);

/*
 * CPU `cpu`, stalled (platform_stall_cpu) while `t` is destroyed, forgets
 * `t` as the thread whose registers its trap frame holds: once the lock is
 * released the TCB's memory may be retyped before that CPU gets the lock.
 */
void platform_forget_thread(unsigned cpu, const struct tcb *t);

/*
 * Gets every CPU that must leave the address space whose PML4 is at
 * physical address `root` off it: all CPUs on it if `destroyed`, else
 * those whose thread no longer holds that PML4 as its VSpace. Returns once
 * each has switched CR3 to the kernel's root, which also drops every
 * translation of that space it cached. The caller holds the kernel lock.
 */
void platform_vspace_evict(uint64_t root, bool destroyed);

/* Moves t back onto its system-call instruction, to make the call again on resume. */
void platform_syscall_restart(struct tcb *t);

/* Gives a new thread the power-on x87/SSE state (exceptions masked). */
void platform_fpu_init(uint8_t *area);

/* Forgets `t` as the owner of any CPU's live x87/SSE registers (it is going away). */
void platform_fpu_forget(const struct tcb *t);

/* Releases the big kernel lock and enters `t` in user mode; never returns. */
__attribute__((noreturn)) void platform_enter_user(struct tcb *t);

/* Releases the big kernel lock and halts until an interrupt; never returns. */
__attribute__((noreturn)) void platform_idle(void);

/*
 * Interrupt lines for kernel/object/irq.c. A line is an IDT vector.
 * msi_alloc returns the address/data a device must write to raise it;
 * ioapic_alloc routes a GSI to a new vector, masked. Errors leave nothing
 * allocated.
 */
enum ward_error platform_irq_msi_alloc(unsigned *vector, uint64_t *address, uint32_t *data);
enum ward_error platform_irq_ioapic_alloc(unsigned gsi, bool level, bool active_low,
                                          unsigned *vector);
void platform_irq_free(unsigned vector, bool ioapic, unsigned gsi);
void platform_irq_set_masked(unsigned gsi, bool masked);

/* Port I/O of 1, 2 or 4 bytes (the caller checked the port range). */
uint32_t platform_ioport_in(uint16_t port, unsigned width);
void platform_ioport_out(uint16_t port, unsigned width, uint32_t value);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inter-processor interrupts: reschedule requests and synchronous TLB
 * shootdowns. Vectors are VEC_IPI_* in x86_regs.h.
 */
#ifndef X86_IPI_H
#define X86_IPI_H

#include <stdbool.h>
#include <stdint.h>

/* vspace_root_phys for a shootdown of kernel-half (global) mappings. */
#define TLB_KERNEL_SPACE 0

/* Sends `vector` to online CPU `cpu_index` (fixed delivery, physical destination). */
void ipi_send(unsigned cpu_index, unsigned vector);

/*
 * Handles an IPI delivered to this CPU (trap.c, for VEC_IPI_FIRST ..
 * VEC_IPI_LAST) and sends its EOI; the caller must not send another. A
 * reschedule IPI only sets this_cpu()->reschedule_pending. Needs no lock.
 */
void ipi_handle(unsigned vector);

/*
 * Services a TLB shootdown addressed to this CPU, if one is pending. Called
 * by ipi_handle() and by kernel_lock_acquire() while it spins: a CPU that
 * waits for the lock has interrupts off, and the lock's holder may be
 * waiting for it to acknowledge.
 */
void ipi_poll(void);

/*
 * Removes stale translations of `va` (or all of them if `all`) in the
 * address space whose PML4 is at `vspace_root_phys`, or in the kernel half
 * if it is TLB_KERNEL_SPACE: on this CPU, and on every online CPU whose bit
 * (1 << cpu index) is set in `cpu_mask`. Returns once all have done so.
 * The caller holds the kernel lock and has already changed the page tables.
 */
void tlb_shootdown(uint64_t cpu_mask, uint64_t vspace_root_phys, uint64_t va, bool all);

/*
 * As tlb_shootdown() of the whole space, and every CPU in the mask (and
 * this one) that has `vspace_root_phys` in CR3 switches to the kernel's
 * root: the address space is about to be destroyed or is no longer its
 * thread's. Returns once all have done so.
 */
void tlb_leave_vspace(uint64_t cpu_mask, uint64_t vspace_root_phys);

#endif

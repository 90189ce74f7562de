/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The big kernel lock: one CPU at a time runs kernel code that touches
 * shared state. Take it on every kernel entry (trap, syscall, an AP's first
 * entry into the scheduler) and drop it just before returning to user mode
 * or idling. Interrupts stay off while it is held or awaited.
 *
 * A ticket spinlock (lock.c): CPUs get it in arrival order, so none
 * starves. The uncontended acquire and the release are inline, as every
 * system call takes both; each is fenced for the compiler with a memory
 * clobber, so that no access of the caller moves out of the critical
 * section (link-time optimisation sees through ordinary calls).
 */
#ifndef X86_LOCK_H
#define X86_LOCK_H

#include <stdbool.h>
#include <stdint.h>
#include "percpu.h"

/*
 * Tickets are 64 bits wide, so they never wrap: a CPU holds the lock
 * exactly when the ticket it was last served (its lock_ticket, through
 * GS) is the one being served, and no release needs to say who holds it.
 * Both start at 1, above every CPU's initial lock_ticket of 0.
 */
struct kernel_lock {
	uint64_t next;    /* the next ticket handed out */
	uint64_t serving; /* the ticket that holds the lock */
} __attribute__((aligned(64)));

extern struct kernel_lock kernel_lock;

/*
 * Waits for `ticket`, servicing TLB shootdowns meanwhile; then this CPU owns
 * the lock. Panics first if it holds it already.
 */
void kernel_lock_wait(uint64_t ticket);

/*
 * Takes a ticket. True if it is served at once (the lock was free): this
 * CPU then owns the lock. Otherwise kernel_lock_wait(*ticket) must follow.
 */
__attribute__((always_inline)) static inline bool kernel_lock_take(uint64_t *ticket)
{
	bool equal;

	*ticket = __atomic_fetch_add(&kernel_lock.next, 1, __ATOMIC_RELAXED);
	/*
	 * One `cmp` against `serving` in memory (the compiler does not fold an
	 * atomic or volatile load into one); an aligned 64-bit read is atomic,
	 * and x86 orders loads as acquires (SDM Vol. 3A §8.2.2).
	 */
	__asm__ volatile("cmpq %1, %2" : "=@cce"(equal) : "r"(*ticket), "m"(kernel_lock.serving));
	if (__builtin_expect(equal, 1))
		this_cpu_gs()->local.lock_ticket = *ticket;
	__asm__ volatile("" ::: "memory");
	return equal;
}

/*
 * Spins until this CPU holds the lock. Panics if
 * this CPU already holds it (the lock does not nest): then its new ticket
 * cannot be the one served, as the one it holds is, so the check waits in
 * kernel_lock_wait(), off the uncontended path.
 */
__attribute__((always_inline)) static inline void kernel_lock_acquire(void)
{
	uint64_t ticket;

	if (__builtin_expect(!kernel_lock_take(&ticket), 0))
		kernel_lock_wait(ticket);
	__asm__ volatile("" ::: "memory");
}

/*
 * Only by the holder (not checked: it runs on every return to user mode).
 * Only the holder writes `serving`, so the increment needs no lock prefix:
 * one `addq` to memory, which x86 orders after every earlier store (a
 * release, SDM Vol. 3A §8.2.2); other CPUs read the old or the new value.
 */
__attribute__((always_inline)) static inline void kernel_lock_release(void)
{
	__asm__ volatile("addq $1, %0" : "+m"(kernel_lock.serving) : : "memory");
}

/* True if this CPU holds the lock. */
bool kernel_lock_held(void);

#endif

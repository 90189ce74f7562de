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

struct kernel_lock {
	uint32_t next;    /* the next ticket handed out */
	uint32_t serving; /* the ticket that holds the lock */
	unsigned owner;   /* CPU index of the holder, for the checks; KERNEL_LOCK_FREE when free */
} __attribute__((aligned(64)));

#define KERNEL_LOCK_FREE (~0U)

extern struct kernel_lock kernel_lock;

/*
 * Waits for `ticket`, servicing TLB shootdowns meanwhile; then CPU `me` owns
 * the lock. Panics first if `me` holds it already.
 */
void kernel_lock_wait(uint32_t ticket, unsigned me);

/*
 * Takes a ticket for CPU `me`. True if it is served at once (the lock was
 * free): `me` then owns the lock. Otherwise kernel_lock_wait(*ticket, me)
 * must follow.
 */
__attribute__((always_inline)) static inline bool kernel_lock_take(unsigned me, uint32_t *ticket)
{
	bool equal;

	*ticket = __atomic_fetch_add(&kernel_lock.next, 1, __ATOMIC_RELAXED);
	/*
	 * One `cmp` against `serving` in memory (the compiler does not fold an
	 * atomic or volatile load into one); an aligned 32-bit read is atomic,
	 * and x86 orders loads as acquires (SDM Vol. 3A §8.2.2).
	 */
	__asm__ volatile("cmpl %1, %2" : "=@cce"(equal) : "r"(*ticket), "m"(kernel_lock.serving));
	if (__builtin_expect(equal, 1))
		__atomic_store_n(&kernel_lock.owner, me, __ATOMIC_RELAXED);
	__asm__ volatile("" ::: "memory");
	return equal;
}

/*
 * Spins until this CPU holds the lock; returns this CPU's index. Panics if
 * this CPU already holds it (the lock does not nest): then its new ticket
 * cannot be the one served, as the one it holds is, so the check waits in
 * kernel_lock_wait(), off the uncontended path.
 */
__attribute__((always_inline)) static inline unsigned kernel_lock_acquire(void)
{
	unsigned me = this_cpu_local()->id;
	uint32_t ticket;

	if (__builtin_expect(!kernel_lock_take(me, &ticket), 0))
		kernel_lock_wait(ticket, me);
	__asm__ volatile("" ::: "memory");
	return me;
}

/*
 * Only by the holder (not checked: it runs on every return to user mode).
 * Only the holder writes `serving`, so the increment needs no lock prefix:
 * one `addl` to memory, which x86 orders after every earlier store (a
 * release, SDM Vol. 3A §8.2.2); other CPUs read the old or the new value.
 */
__attribute__((always_inline)) static inline void kernel_lock_release(void)
{
	__asm__ volatile("" ::: "memory");
	__atomic_store_n(&kernel_lock.owner, KERNEL_LOCK_FREE, __ATOMIC_RELAXED);
	__asm__ volatile("addl $1, %0" : "+m"(kernel_lock.serving) : : "memory");
}

/* True if this CPU holds the lock. */
bool kernel_lock_held(void);

#endif

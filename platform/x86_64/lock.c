/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The big kernel lock, a ticket spinlock: CPUs get it in arrival order, so
 * none starves. `next` hands out tickets, `serving` names the ticket that
 * holds the lock; the release store pairs with the acquire load, so what
 * the holder wrote is seen by the next. This file is the one piece of
 * shared state that is not itself under the lock.
 *
 * Acquire and release are noipa: with link-time optimisation GCC's
 * interprocedural analysis otherwise sees that they touch none of a
 * caller's static variables and moves the caller's accesses across the
 * call, out of the critical section.
 */
#include <stdint.h>
#include <kernel/printf.h>
#include "cpu.h"
#include "ipi.h"
#include "lock.h"
#include "percpu.h"

#define NO_CPU (~0U)

static struct {
	uint32_t next;
	uint32_t serving;
	unsigned owner; /* CPU index of the holder, for the checks; NO_CPU when free */
} kernel_lock __attribute__((aligned(64))) = {.owner = NO_CPU};

__attribute__((noipa)) void kernel_lock_acquire(void)
{
	unsigned me = this_cpu()->local.id;

	if (__atomic_load_n(&kernel_lock.owner, __ATOMIC_RELAXED) == me)
		panic("kernel lock: CPU %u takes it twice", me);
	uint32_t ticket = __atomic_fetch_add(&kernel_lock.next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&kernel_lock.serving, __ATOMIC_ACQUIRE) != ticket) {
		ipi_poll(); /* the holder may be waiting for this CPU's acknowledgement */
		cpu_pause();
	}
	__atomic_store_n(&kernel_lock.owner, me, __ATOMIC_RELAXED);
}

/* Only the holder calls it (every exit path follows an acquire); not checked here
 * because it runs on every return to user mode. */
__attribute__((noipa)) void kernel_lock_release(void)
{
	__atomic_store_n(&kernel_lock.owner, NO_CPU, __ATOMIC_RELAXED);
	__atomic_store_n(&kernel_lock.serving, kernel_lock.serving + 1, __ATOMIC_RELEASE);
}

bool kernel_lock_held(void)
{
	return __atomic_load_n(&kernel_lock.owner, __ATOMIC_RELAXED) == this_cpu()->local.id;
}

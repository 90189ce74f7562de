/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The big kernel lock's state and its slow paths (the rest is inline in
 * lock.h). `next` hands out tickets, `serving` names the ticket that holds
 * the lock; the release store pairs with the acquire load, so what the
 * holder wrote is seen by the next. This is the one piece of shared state
 * that is not itself under the lock.
 */
#include <stdint.h>
#include <kernel/printf.h>
#include "cpu.h"
#include "ipi.h"
#include "lock.h"
#include "percpu.h"

struct kernel_lock kernel_lock = {.next = 1, .serving = 1};

/* noipa: the loop must read `serving` afresh, and nothing may move across it. */
__attribute__((noipa)) void kernel_lock_wait(uint64_t ticket)
{
	if (kernel_lock_held())
		panic("kernel lock: CPU %u takes it twice", this_cpu()->local.id);
	while (__atomic_load_n(&kernel_lock.serving, __ATOMIC_ACQUIRE) != ticket) {
		ipi_poll(); /* the holder may be waiting for this CPU's acknowledgement */
		cpu_pause();
	}
	this_cpu()->local.lock_ticket = ticket;
}

bool kernel_lock_held(void)
{
	return this_cpu()->local.lock_ticket ==
	       __atomic_load_n(&kernel_lock.serving, __ATOMIC_RELAXED);
}

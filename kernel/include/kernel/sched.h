/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fixed-priority round-robin scheduling, one run queue per CPU (a thread
 * runs on the CPU of its affinity). The highest-priority runnable thread
 * runs; equal priorities share the CPU in time slices of one timer tick.
 * Guarded by the big kernel lock.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <stdbool.h>
#include <kernel/platform.h>
#include <kernel/tcb.h>

#define KERNEL_MAX_CPUS 16

/* The thread this CPU runs (NULL: idle). */
struct tcb *sched_current(void);

/* Makes `t` runnable and queues it on its CPU; preempts there if it ranks higher. */
void sched_wake(struct tcb *t);

/* Takes `t` off its run queue (it blocked or stopped). */
void sched_remove(struct tcb *t);

/*
 * CPU `cpu` (not this one), stalled while `t` is destroyed, no longer runs
 * it: it chooses again when it gets the lock, without touching `t`.
 */
void sched_forget(unsigned cpu, struct tcb *t);

/* The current thread goes to the back of its priority's queue. */
void sched_yield(void);

/* Timer tick on this CPU: time-slice accounting. */
void sched_tick(void);

/* Asks this CPU to choose again before returning to user mode. */
void sched_request(void);

/* A CPU's scheduling state (kernel/sched.c; inline users: the fast path). */
struct sched_cpu {
	struct tcb *current;
	struct tcb_queue ready[WARD_MAX_PRIORITY + 1];
	uint64_t bitmap[(WARD_MAX_PRIORITY + 1) / 64];
	union {
		struct {
			uint32_t words; /* bit w: bitmap[w] is not empty (a two-level search) */
			bool reschedule;
			uint8_t zero[3]; /* never written: `busy` reads them */
		};
		uint64_t busy; /* 0: nothing ready, no reschedule pending (one test) */
	};
	/*
	 * A thread of this CPU made ready during the current kernel entry and
	 * not yet in a queue (sched_wake); choose() runs it at once or queues
	 * it, so it is never set while the big lock is free.
	 */
	struct tcb *woken;
};

extern struct sched_cpu sched_cpus[KERNEL_MAX_CPUS];

/* The highest priority with a ready thread on `c`, or -1. */
__attribute__((always_inline)) static inline int highest_ready(const struct sched_cpu *c)
{
	if (c->words == 0)
		return -1;
	int w = 31 - __builtin_clz(c->words);
	return w * 64 + 63 - __builtin_clzll(c->bitmap[w]);
}

/*
 * True if CPU `c` may switch straight to `next` (the fast path): no ready
 * thread of the same or higher priority (the general path would queue
 * `next` behind it) and no reschedule pending.
 */
__attribute__((always_inline)) static inline bool sched_may_switch_to(const struct sched_cpu *c,
                                                                      const struct tcb *next)
{
	if (__builtin_expect(c->busy == 0, 1))
		return true;
	return !c->reschedule && highest_ready(c) < (int)next->priority;
}

/*
 * Leaves the kernel for `next`, which the fast path made runnable while the
 * current thread `prev` of CPU `cpu` (scheduling state `c`) blocked: no
 * queue is touched.
 */
__attribute__((noreturn)) static inline void sched_switch_to(struct sched_cpu *c, unsigned cpu,
                                                             struct tcb *prev, struct tcb *next)
{
	prev->running_on = 0;
	c->current = next;
	next->running_on = (uint8_t)(cpu + 1);
	platform_enter_user(next);
}
/*
 * Leaves the kernel: picks this CPU's next thread, releases the big lock
 * and enters it, or idles. Never returns.
 */
__attribute__((noreturn)) void sched_exit_kernel(void);

/* Per-CPU start of scheduling (BSP after boot, each AP once up). */
__attribute__((noreturn)) void sched_start_cpu(void);

#endif

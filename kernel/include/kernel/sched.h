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
#include <kernel/tcb.h>

#define KERNEL_MAX_CPUS 16

/* The thread this CPU runs (NULL: idle). */
struct tcb *sched_current(void);

/* Makes `t` runnable and queues it on its CPU; preempts there if it ranks higher. */
void sched_wake(struct tcb *t);

/* Takes `t` off its run queue (it blocked or stopped). */
void sched_remove(struct tcb *t);

/* The current thread goes to the back of its priority's queue. */
void sched_yield(void);

/* Timer tick on this CPU: time-slice accounting. */
void sched_tick(void);

/* Asks this CPU to choose again before returning to user mode. */
void sched_request(void);

/*
 * True if this CPU may switch straight to `next` (the fast path): nothing
 * of higher priority is ready and no reschedule is pending.
 */
bool sched_may_switch_to(const struct tcb *next);

/*
 * Leaves the kernel for `next`, which the fast path made runnable while the
 * current thread blocked: no queue is touched. Never returns.
 */
__attribute__((noreturn)) void sched_switch_to(struct tcb *next);

/*
 * Leaves the kernel: picks this CPU's next thread, releases the big lock
 * and enters it, or idles. Never returns.
 */
__attribute__((noreturn)) void sched_exit_kernel(void);

/* Per-CPU start of scheduling (BSP after boot, each AP once up). */
__attribute__((noreturn)) void sched_start_cpu(void);

#endif

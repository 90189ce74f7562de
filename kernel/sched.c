/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The scheduler: per-CPU ready queues, 256 priorities, a bitmap to find
 * the highest non-empty one. A running thread is not in a queue; it goes
 * back to the tail of its queue when preempted or when it yields, so
 * equal priorities share a CPU round-robin, one timer tick at a time.
 * Guarded by the big kernel lock.
 */
#include <stddef.h>
#include <kernel/platform.h>
#include <kernel/sched.h>

struct sched_cpu sched_cpus[KERNEL_MAX_CPUS];

static struct sched_cpu *this_sched(void)
{
	return &sched_cpus[platform_cpu_index()];
}

struct tcb *sched_current(void)
{
	return this_sched()->current;
}

/*
 * The ready queue of t's CPU and priority. The empty asm makes the
 * compiler keep the address in a register: otherwise it recomputes the
 * two-dimensional index at every use.
 */
static inline struct tcb_queue *ready_queue(const struct tcb *t)
{
	struct tcb_queue *q = &sched_cpus[t->cpu].ready[t->priority];

	__asm__("" : "+r"(q));
	return q;
}

static bool queued(const struct tcb *t)
{
	return t->ready_queued;
}

static void enqueue(struct tcb *t)
{
	struct sched_cpu *c = &sched_cpus[t->cpu];
	struct tcb_queue *q = ready_queue(t);

	t->ready_queued = true;
	t->sched_next = NULL;
	t->sched_prev = q->tail;
	if (q->tail != NULL)
		q->tail->sched_next = t;
	else
		q->head = t;
	q->tail = t;
	c->bitmap[t->priority / 64] |= 1ULL << (t->priority % 64);
	c->words |= 1U << (t->priority / 64);
}

static void dequeue(struct tcb *t)
{
	struct sched_cpu *c = &sched_cpus[t->cpu];
	struct tcb_queue *q = ready_queue(t);

	if (c->woken == t) {
		c->woken = NULL;
		t->ready_queued = false;
		return;
	}
	if (t->sched_prev != NULL)
		t->sched_prev->sched_next = t->sched_next;
	else
		q->head = t->sched_next;
	if (t->sched_next != NULL)
		t->sched_next->sched_prev = t->sched_prev;
	else
		q->tail = t->sched_prev;
	t->sched_next = t->sched_prev = NULL;
	t->ready_queued = false;
	if (q->head == NULL) {
		c->bitmap[t->priority / 64] &= ~(1ULL << (t->priority % 64));
		if (c->bitmap[t->priority / 64] == 0)
			c->words &= ~(1U << (t->priority / 64));
	}
}

void sched_remove(struct tcb *t)
{
	if (queued(t))
		dequeue(t);
	if (t->running_on != 0) {
		unsigned cpu = t->running_on - 1u;
		sched_cpus[cpu].reschedule = true;
		platform_reschedule_cpu(cpu); /* a no-op for this CPU */
	}
}

void sched_wake(struct tcb *t)
{
	struct sched_cpu *c = &sched_cpus[t->cpu];
	struct tcb *cur = c->current;

	t->state = THREAD_RUNNABLE;
	t->blocked_on = NULL;
	if (t->running_on != 0 || queued(t))
		return;
	if (c->woken == NULL && t->cpu == platform_cpu_index()) {
		c->woken = t; /* choose() decides, with no queue touched if it runs next */
		t->ready_queued = true;
	} else {
		enqueue(t);
	}
	if (cur == NULL || t->priority > cur->priority) {
		c->reschedule = true;
		if (t->cpu != platform_cpu_index())
			platform_reschedule_cpu(t->cpu);
	}
}

void sched_forget(unsigned cpu, struct tcb *t)
{
	if (cpu == platform_cpu_index() || sched_cpus[cpu].current != t)
		return;
	sched_cpus[cpu].current = NULL;
	t->running_on = 0;
	platform_forget_thread(cpu, t);
}

void sched_yield(void)
{
	this_sched()->reschedule = true;
}

void sched_request(void)
{
	this_sched()->reschedule = true;
}

void sched_tick(void)
{
	struct sched_cpu *c = this_sched();

	/* Round robin: a thread of the same priority is waiting. */
	if (c->current != NULL &&
	    (c->ready[c->current->priority].head != NULL ||
	     (c->woken != NULL && c->woken->priority == c->current->priority)))
		c->reschedule = true;
}

/*
 * The thread woken during this entry, if it should run now: the current
 * thread stopped or is outranked by it, and nothing ready outranks it or
 * came first at its priority (the fast path's rule, sched_may_switch_to);
 * a preempted current thread is queued. Otherwise the woken one is queued.
 */
static struct tcb *take_woken(struct sched_cpu *c, struct tcb *cur, bool cur_ok)
{
	struct tcb *w = c->woken;

	if (w == NULL)
		return NULL;
	c->woken = NULL;
	w->ready_queued = false;
	if (highest_ready(c) < (int)w->priority && (!cur_ok || w->priority > cur->priority)) {
		if (cur_ok)
			enqueue(cur);
		return w;
	}
	enqueue(w);
	return NULL;
}

/* The thread this CPU should run next: keeps `cur` unless it must yield. */
static struct tcb *choose(struct sched_cpu *c)
{
	struct tcb *cur = c->current;
	bool cur_ok =
	        cur != NULL && cur->state == THREAD_RUNNABLE && cur->cpu == platform_cpu_index();
	struct tcb *woken;
	int best;

	if (cur != NULL && cur->state == THREAD_RUNNABLE && !cur_ok && !queued(cur)) {
		/* Its affinity moved it to another CPU. */
		enqueue(cur);
		platform_reschedule_cpu(cur->cpu);
	}
	if ((woken = take_woken(c, cur, cur_ok)) != NULL)
		return woken;
	if (cur_ok && !c->reschedule)
		return cur; /* the common return from a system call: no scan */
	best = highest_ready(c);
	if (cur_ok && (!c->reschedule || best < cur->priority))
		return cur;
	if (cur_ok)
		enqueue(cur);
	if (best < 0 && !cur_ok)
		return NULL;
	struct tcb *next = c->ready[highest_ready(c)].head;
	dequeue(next);
	return next;
}

void sched_exit_kernel(void)
{
	struct sched_cpu *c = this_sched();
	struct tcb *next = choose(c);

	c->reschedule = false;
	if (c->current != NULL && c->current != next)
		c->current->running_on = 0;
	c->current = next;
	if (next == NULL)
		platform_idle();
	next->running_on = platform_cpu_index() + 1;
	platform_enter_user(next);
}

void sched_start_cpu(void)
{
	sched_exit_kernel();
}

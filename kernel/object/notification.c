/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Notifications: a word of pending badge bits and a queue of waiters.
 * Signal ORs the sender's badge in (or wakes one waiter with it); Wait
 * takes and clears the word. A notification bound to a TCB also wakes that
 * thread out of an endpoint Recv, which is how one server thread waits for
 * IPC and interrupts at once. Big kernel lock.
 */
#include <stddef.h>
#include <kernel/ipc.h>
#include <kernel/irq.h>
#include <ward/errors.h>
#include <kernel/sched.h>
#include <kernel/tcb_queue.h>

static void wake_with(struct tcb *t, uint64_t badge)
{
	t->blocked_on = NULL;
	t->ctx.rdi = badge;
	t->ctx.rsi = 0;
	sched_wake(t);
}

void notification_signal(struct notification *n, uint64_t badge)
{
	struct tcb *bound = n->bound;

	if (n->state == NTFN_WAITING) {
		struct tcb *t = tcb_queue_pop(&n->queue);
		if (n->queue.head == NULL)
			n->state = NTFN_IDLE;
		wake_with(t, badge);
		return;
	}
	if (bound != NULL && bound->state == THREAD_BLOCKED_ON_RECV) {
		/* The bound thread waits in Recv on an endpoint: the signal wins. */
		ipc_cancel(bound);
		wake_with(bound, n->pending | badge);
		n->pending = 0;
		n->state = NTFN_IDLE;
		return;
	}
	n->pending |= badge;
	n->state = NTFN_ACTIVE;
}

void notification_wait(struct tcb *t, struct notification *n, bool blocking)
{
	if (n->state == NTFN_ACTIVE) {
		t->ctx.rdi = n->pending;
		t->ctx.rsi = 0;
		n->pending = 0;
		n->state = NTFN_IDLE;
		return;
	}
	if (!blocking) {
		t->ctx.rdi = 0;
		t->ctx.rsi = 0;
		return;
	}
	t->state = THREAD_BLOCKED_ON_NOTIFICATION;
	t->blocked_on = n;
	sched_remove(t);
	tcb_queue_push(&n->queue, t);
	n->state = NTFN_WAITING;
}

void notification_bind(struct notification *n, struct tcb *t)
{
	n->bound = t;
	t->bound_notification = n;
}

void notification_unbind(struct tcb *t)
{
	if (t->bound_notification != NULL)
		t->bound_notification->bound = NULL;
	t->bound_notification = NULL;
}

void notification_finalise(struct notification *n)
{
	struct tcb *t;

	while ((t = tcb_queue_pop(&n->queue)) != NULL) {
		t->blocked_on = NULL;
		t->ctx.rdi = 0;
		t->ctx.rsi = WARD_ERR_CANCELLED << 12;
		sched_wake(t);
	}
	if (n->bound != NULL)
		notification_unbind(n->bound);
	irq_notification_gone(n);
	n->state = NTFN_IDLE;
}

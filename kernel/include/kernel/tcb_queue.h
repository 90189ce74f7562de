/* SPDX-License-Identifier: BSD-2-Clause */
/* FIFO queues of threads, linked through tcb.queue_next/queue_prev. */
#ifndef KERNEL_TCB_QUEUE_H
#define KERNEL_TCB_QUEUE_H

#include <stddef.h>
#include <kernel/tcb.h>

static inline void tcb_queue_push(struct tcb_queue *q, struct tcb *t)
{
	t->queue_next = NULL;
	t->queue_prev = q->tail;
	/* Expected empty: a server waits alone on its endpoint (the fast path's case). */
	if (__builtin_expect(q->tail != NULL, 0))
		q->tail->queue_next = t;
	else
		q->head = t;
	q->tail = t;
}

static inline void tcb_queue_remove(struct tcb_queue *q, struct tcb *t)
{
	if (t->queue_prev != NULL)
		t->queue_prev->queue_next = t->queue_next;
	else
		q->head = t->queue_next;
	if (t->queue_next != NULL)
		t->queue_next->queue_prev = t->queue_prev;
	else
		q->tail = t->queue_prev;
	t->queue_next = t->queue_prev = NULL;
}

static inline struct tcb *tcb_queue_pop(struct tcb_queue *q)
{
	struct tcb *t = q->head;
	if (t != NULL)
		tcb_queue_remove(q, t);
	return t;
}

#endif

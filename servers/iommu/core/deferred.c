/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Deferred free (see deferred.h for why). Items carry the sequence number
 * of the flush that must complete before they are released; numbers only
 * grow, so the pending list stays sorted and release pops from its head
 * until it meets an item of a later flush. A failed wait poisons the
 * queue: the completion point stays where it was until a flush begun
 * after the failure (and therefore asked to be global) completes.
 */
#include <stddef.h>

#include "deferred.h"

void deferred_list_init(struct deferred_list *l)
{
	l->head = NULL;
	l->tail = NULL;
	l->count = 0;
}

void deferred_list_push(struct deferred_list *l, struct deferred_item *item)
{
	item->next = NULL;
	if (l->tail)
		l->tail->next = item;
	else
		l->head = item;
	l->tail = item;
	l->count++;
}

void deferred_list_splice(struct deferred_list *to, struct deferred_list *from)
{
	if (!from->head)
		return;
	if (to->tail)
		to->tail->next = from->head;
	else
		to->head = from->head;
	to->tail = from->tail;
	to->count += from->count;
	deferred_list_init(from);
}

void deferred_init(struct deferred_queue *q, void *ctx)
{
	deferred_list_init(&q->pending);
	q->issued = 0;
	q->completed = 0;
	q->poisoned = false;
	q->global_seq = 0;
	q->ctx = ctx;
}

void deferred_add(struct deferred_queue *q, struct deferred_item *item)
{
	item->seq = q->issued + 1;
	deferred_list_push(&q->pending, item);
}

void deferred_add_list(struct deferred_queue *q, struct deferred_list *list)
{
	for (struct deferred_item *it = list->head; it; it = it->next)
		it->seq = q->issued + 1;
	deferred_list_splice(&q->pending, list);
}

uint64_t deferred_flush_begin(struct deferred_queue *q, bool *global)
{
	uint64_t seq = ++q->issued;

	*global = q->poisoned;
	if (q->poisoned)
		q->global_seq = seq;
	return seq;
}

/* Pop and release every item whose flush has completed. */
static unsigned release_completed(struct deferred_queue *q)
{
	unsigned n = 0;

	while (q->pending.head && q->pending.head->seq <= q->completed) {
		struct deferred_item *it = q->pending.head;

		q->pending.head = it->next;
		if (!q->pending.head)
			q->pending.tail = NULL;
		q->pending.count--;
		it->next = NULL;
		it->release(it, q->ctx);
		n++;
	}
	return n;
}

unsigned deferred_flush_done(struct deferred_queue *q, uint64_t seq)
{
	if (seq > q->issued || seq <= q->completed)
		return 0;
	if (q->poisoned) {
		if (seq != q->global_seq)
			return 0;
		q->poisoned = false;
	}
	q->completed = seq;
	return release_completed(q);
}

void deferred_flush_failed(struct deferred_queue *q, uint64_t seq)
{
	(void)seq;
	q->poisoned = true;
	q->global_seq = 0;
}

unsigned deferred_pending(const struct deferred_queue *q)
{
	return q->pending.count;
}

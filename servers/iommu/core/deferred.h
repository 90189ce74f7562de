/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Deferred free. Hardware may still use a page-table page, a DMA frame or
 * a domain ID after the software dropped it: the IOTLB, the paging-
 * structure caches and the context cache keep translations until an
 * invalidation removes them (XSA-346; SEEDS.md §3). So nothing is reused
 * when it is dropped; it is queued here, tagged with the sequence number
 * of the next flush, and released only when that flush is reported
 * complete on every unit.
 *
 * A flush is numbered by deferred_flush_begin(); the server then queues
 * its invalidations on every unit concerned, waits on each, and reports
 * deferred_flush_done() or deferred_flush_failed(). Tags only grow, so the
 * queue is a FIFO and release stops at the first item still covered by a
 * flush that has not completed. After a failed wait nothing queued before
 * it may be assumed done: every later flush is asked to be global until
 * one completes, and only that one releases the earlier items.
 *
 * The queue knows sequence numbers, not what a flush invalidated: the
 * request that queues an item must end with the flush that covers it
 * (inv.h does this for page tables and domain IDs), before any other flush.
 *
 * Items are intrusive (embedded in what they describe); the queue never
 * allocates. It belongs to the server thread alone.
 */
#ifndef IOMMU_DEFERRED_H
#define IOMMU_DEFERRED_H

#include <stdbool.h>
#include <stdint.h>

struct deferred_item;
typedef void (*deferred_release_fn)(struct deferred_item *item, void *ctx);

struct deferred_item {
	struct deferred_item *next;
	uint64_t seq;                /* flush that must complete first */
	deferred_release_fn release; /* called once, when released */
};

/* A FIFO of items; also how iopt.c hands back the tables it dropped. */
struct deferred_list {
	struct deferred_item *head;
	struct deferred_item *tail;
	unsigned count;
};

struct deferred_queue {
	struct deferred_list pending;
	uint64_t issued;     /* sequence of the last flush begun (0: none) */
	uint64_t completed;  /* sequence of the last flush completed */
	bool poisoned;       /* a wait failed; only a global flush clears it */
	uint64_t global_seq; /* the global flush asked for while poisoned */
	void *ctx;           /* passed to every release function */
};

void deferred_list_init(struct deferred_list *l);
void deferred_list_push(struct deferred_list *l, struct deferred_item *item);
/* Move every item of from to the end of to; from is left empty. */
void deferred_list_splice(struct deferred_list *to, struct deferred_list *from);

void deferred_init(struct deferred_queue *q, void *ctx);

/* Queue item (release set by the caller) behind the next flush. */
void deferred_add(struct deferred_queue *q, struct deferred_item *item);
/* Queue every item of list behind the next flush; list is left empty. */
void deferred_add_list(struct deferred_queue *q, struct deferred_list *list);

/*
 * Number a new flush and return its sequence. *global is set when the
 * flush must invalidate every unit's IOTLB and context cache globally
 * (a previous wait failed); otherwise the caller's selective
 * invalidations suffice.
 */
uint64_t deferred_flush_begin(struct deferred_queue *q, bool *global);

/*
 * Flush seq completed on every unit. Releases, in order, every item
 * tagged at or below the new completion point and returns how many. If a
 * wait failed earlier, only the global flush asked for since then moves
 * the completion point; any other returns 0 and releases nothing.
 */
unsigned deferred_flush_done(struct deferred_queue *q, uint64_t seq);

/* Flush seq did not complete (timeout or queue error). Releases nothing. */
void deferred_flush_failed(struct deferred_queue *q, uint64_t seq);

/* Items still waiting for a flush. */
unsigned deferred_pending(const struct deferred_queue *q);

#endif /* IOMMU_DEFERRED_H */

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The small kernel objects: endpoints, notifications, reply objects.
 * Each lives in memory retyped from untyped (sizes in ward/object.h) and
 * is touched only under the big kernel lock.
 */
#ifndef KERNEL_OBJECTS_H
#define KERNEL_OBJECTS_H

#include <stdint.h>
#include <ward/object.h>

struct tcb;

/* A queue of threads blocked on an object, in arrival order. */
struct tcb_queue {
	struct tcb *head;
	struct tcb *tail;
};

enum endpoint_state { EP_IDLE = 0, EP_SENDING, EP_RECEIVING };

struct endpoint {
	struct tcb_queue queue; /* all senders or all receivers, per state */
	uint64_t state;
	uint64_t unused;
};
_Static_assert(sizeof(struct endpoint) <= (1 << WARD_ENDPOINT_SIZE_BITS), "endpoint size");

enum notification_state { NTFN_IDLE = 0, NTFN_WAITING, NTFN_ACTIVE };

struct notification {
	struct tcb_queue queue; /* waiters, when state is NTFN_WAITING */
	uint64_t state;
	uint64_t pending;  /* OR of badges signalled since the last wait */
	struct tcb *bound; /* the thread that also receives these signals in Recv */
	uint64_t unused[3];
};
_Static_assert(sizeof(struct notification) <= (1 << WARD_NOTIFICATION_SIZE_BITS), "ntfn size");

/*
 * A reply object: after a receiver takes a Call, the reply object links
 * the receiver's right to answer to the blocked caller, once.
 */
struct reply {
	struct tcb *caller;   /* blocked in BLOCKED_ON_REPLY, or NULL */
	struct tcb *receiver; /* a thread waiting in Recv with this object, or NULL */
	uint64_t unused[2];
};
_Static_assert(sizeof(struct reply) <= (1 << WARD_REPLY_SIZE_BITS), "reply size");

#endif

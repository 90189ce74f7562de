/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path: the common server round trip, Call then ReplyRecv,
 * without the general decoder, transfer and scheduler. Every condition
 * that the general path would treat differently sends the call there
 * instead: long messages, capabilities, faults, a missing reply object,
 * another CPU, a bound notification with news, or a ready thread of the
 * same or higher priority (which the general path would run first). What
 * it does is exactly what the general path would have done. Big kernel
 * lock.
 */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/fastpath.h>
#include <kernel/ipc.h>
#include <kernel/sched.h>
#include <kernel/tcb_queue.h>
#include <ward/message.h>
#include <ward/syscall.h>

static bool short_message(ward_msginfo_t info)
{
	return ward_msginfo_extra_caps(info) == 0 &&
	       ward_msginfo_length(info) <= WARD_MSG_REGISTERS;
}

__attribute__((always_inline)) static inline const struct cap *lookup(const struct tcb *t,
                                                                      uint64_t cptr, unsigned type)
{
	const struct cap *root = &t->slots[TCB_SLOT_CSPACE].cap;
	struct cte *slot = cspace_lookup_flat(root, cptr);

	if (slot == NULL && cspace_lookup_slot(root, cptr, 64, &slot) != WARD_OK)
		return NULL;
	return slot->cap.type == type ? &slot->cap : NULL;
}

/* Moves the message registers and the message info from `from` to `to`. */
static void copy_message(struct tcb *from, struct tcb *to, uint64_t badge)
{
	ward_msginfo_t info = from->ctx.rsi;

	to->ctx.r10 = from->ctx.r10;
	to->ctx.r8 = from->ctx.r8;
	to->ctx.r9 = from->ctx.r9;
	to->ctx.r15 = from->ctx.r15;
	to->ctx.rdi = badge;
	/* No capabilities on the fast path: label and length pass as they are. */
	to->ctx.rsi = info & ~WARD_MSGINFO_CAP_BITS;
}

static struct tcb *fast_call(struct tcb *caller)
{
	const struct cap *c = lookup(caller, caller->ctx.rdi, WARD_OBJ_ENDPOINT);
	struct endpoint *ep;
	struct tcb *server;
	struct reply *r;

	if (c == NULL || (c->rights & (WARD_RIGHT_WRITE | WARD_RIGHT_GRANT_REPLY)) !=
	                         (WARD_RIGHT_WRITE | WARD_RIGHT_GRANT_REPLY))
		return NULL;
	ep = (struct endpoint *)c->obj;
	if (ep->state != EP_RECEIVING)
		return NULL;
	server = ep->queue.head;
	r = server->reply;
	/* The caller blocks: the server may run if nothing ready outranks it. */
	if (r == NULL || server->cpu != caller->cpu ||
	    !sched_may_switch_to(&sched_cpus[caller->cpu], server))
		return NULL;
	tcb_queue_remove(&ep->queue, server);
	if (ep->queue.head == NULL)
		ep->state = EP_IDLE;
	copy_message(caller, server, c->word1);
	server->reply = NULL;
	server->blocked_on = NULL;
	server->state = THREAD_RUNNABLE;
	r->receiver = NULL;
	r->caller = caller;
	caller->reply = r;
	caller->blocked_on = r;
	caller->send_can_grant = (c->rights & WARD_RIGHT_GRANT) != 0;
	caller->state = THREAD_BLOCKED_ON_REPLY;
	return server;
}

static struct tcb *fast_reply_recv(struct tcb *server)
{
	const struct cap *rc = lookup(server, server->ctx.rdx, WARD_OBJ_REPLY);
	const struct cap *ec = lookup(server, server->ctx.rdi, WARD_OBJ_ENDPOINT);
	struct notification *bound = server->bound_notification;
	struct endpoint *ep;
	struct tcb *client;
	struct reply *r;

	if (rc == NULL || ec == NULL || !(ec->rights & WARD_RIGHT_READ))
		return NULL;
	r = (struct reply *)rc->obj;
	ep = (struct endpoint *)ec->obj;
	client = r->caller;
	if (client == NULL || r->receiver != NULL || client->fault != WARD_FAULT_NONE ||
	    ep->state == EP_SENDING || client->cpu != server->cpu ||
	    (bound != NULL && bound->state == NTFN_ACTIVE))
		return NULL;
	if (!sched_may_switch_to(&sched_cpus[server->cpu], client))
		return NULL;
	copy_message(server, client, 0);
	r->caller = NULL;
	client->reply = NULL;
	client->blocked_on = NULL;
	client->state = THREAD_RUNNABLE;
	/* The server waits for the next client with the same reply object. */
	server->state = THREAD_BLOCKED_ON_RECV;
	server->blocked_on = ep;
	server->reply = r;
	r->receiver = server;
	tcb_queue_push(&ep->queue, server);
	ep->state = EP_RECEIVING;
	return client;
}

struct tcb *fastpath(struct tcb *t, int64_t number)
{
	/* Only for a thread running on the CPU of its affinity. */
	if (!short_message(t->ctx.rsi) || t->running_on != t->cpu + 1)
		return NULL;
	if (number == WARD_SYS_CALL)
		return fast_call(t);
	if (number == WARD_SYS_REPLY_RECV)
		return fast_reply_recv(t);
	return NULL;
}

void fastpath_try(struct tcb *t, int64_t number)
{
	struct tcb *next = fastpath(t, number);

	if (next != NULL)
		sched_switch_to(t->cpu, t, next);
}

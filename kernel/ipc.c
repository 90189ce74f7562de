/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Synchronous IPC: endpoints, one-shot reply objects, message and
 * capability transfer, and fault messages.
 *
 * An endpoint queues either senders or receivers. A Call also needs the
 * receiver's reply object: the caller then waits in BLOCKED_ON_REPLY until
 * someone replies through that object (once), or the object is deleted.
 * Faults travel the same path: the faulting thread "calls" its fault
 * endpoint with a message the kernel builds. All state here belongs to the
 * big kernel lock.
 */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/ipc.h>
#include <kernel/platform.h>
#include <kernel/printf.h>
#include <kernel/sched.h>
#include <kernel/tcb.h>
#include <kernel/tcb_queue.h>
#include <ward/errors.h>
#include <ward/message.h>
#include <ward/syscall.h>
#include "memory_layout.h"

uint64_t *ipc_mr_reg(struct user_context *c, unsigned i)
{
	switch (i) {
	case 0:
		return &c->r10;
	case 1:
		return &c->r8;
	case 2:
		return &c->r9;
	default:
		return &c->r15;
	}
}

static uint64_t get_mr(struct tcb *t, struct ward_ipc_buffer *buf, unsigned i)
{
	if (i < WARD_MSG_REGISTERS)
		return *ipc_mr_reg(&t->ctx, i);
	return buf != NULL ? buf->msg[i] : 0;
}

/* Writes MR i of `t`; false if it lies in an IPC buffer `t` does not have. */
static bool set_mr(struct tcb *t, struct ward_ipc_buffer *buf, unsigned i, uint64_t v)
{
	if (i < WARD_MSG_REGISTERS) {
		*ipc_mr_reg(&t->ctx, i) = v;
		return true;
	}
	if (buf == NULL)
		return false;
	buf->msg[i] = v;
	return true;
}

static void deliver(struct tcb *to, uint64_t badge, ward_msginfo_t info)
{
	to->ctx.rdi = badge;
	to->ctx.rsi = info;
}

/*
 * Moves the extra capabilities of a grant-carrying message: a cap naming
 * the endpoint it travels through arrives as its badge ("unwrapped"); at
 * most one other cap is copied to the receiver's receive slot. Transfer
 * stops at the first cap that cannot be looked up or placed (seL4's rule).
 */
static unsigned transfer_caps(struct tcb *from, struct tcb *to, struct ward_ipc_buffer *sbuf,
                              struct ward_ipc_buffer *rbuf, const struct endpoint *ep,
                              unsigned count, unsigned *unwrapped)
{
	const struct cap *sroot = &from->slots[TCB_SLOT_CSPACE].cap;
	const struct cap *rroot = &to->slots[TCB_SLOT_CSPACE].cap;
	bool copied = false;
	unsigned done = 0;

	*unwrapped = 0;
	if (sbuf == NULL || rbuf == NULL)
		return 0;
	for (; done < count; done++) {
		struct cte *src, *dest;
		if (cspace_lookup_cap(sroot, sbuf->caps_or_badges[done], &src) != WARD_OK)
			break;
		if (ep != NULL && src->cap.type == WARD_OBJ_ENDPOINT &&
		    src->cap.obj == (uint64_t)ep) {
			rbuf->caps_or_badges[done] = src->cap.word1;
			*unwrapped |= 1U << done;
			continue;
		}
		struct cap derived;
		if (copied || !cap_derive(&src->cap, &derived) ||
		    cspace_lookup_slot(rroot, rbuf->receive_cnode, 64, &dest) != WARD_OK ||
		    dest->cap.type != WARD_OBJ_CNODE)
			break;
		struct cap node = dest->cap;
		if (rbuf->receive_depth == 0)
			break;
		if (cspace_lookup_slot(&node, rbuf->receive_index, rbuf->receive_depth, &dest) !=
		            WARD_OK ||
		    !cap_is_null(&dest->cap))
			break;
		cspace_insert(src, dest, derived, 0);
		/* Tell the receiver what arrived: it cannot look at the cap itself. */
		rbuf->caps_or_badges[done] = derived.type;
		copied = true;
	}
	return done;
}

/* Builds the message a fault sends (labels and MRs: ward/object.h). */
static ward_msginfo_t fault_message(struct tcb *f, struct tcb *to)
{
	struct ward_ipc_buffer *buf = tcb_ipc_buffer(to);
	const struct user_context *c = &f->ctx;
	const uint64_t addr = f->fault_data[0], err = f->fault_data[1], vec = f->fault_data[2];
	uint64_t mr[9];
	unsigned n = 0, len = 0;

	switch (f->fault) {
	case WARD_FAULT_UNKNOWN_SYSCALL: {
		const uint64_t v[] = {c->rax, c->rip, c->rsp, c->rdi, c->rsi,
		                      c->rdx, c->r10, c->r8,  c->r9};
		for (; n < 9; n++)
			mr[n] = v[n];
		break;
	}
	case WARD_FAULT_PAGE:
		mr[n++] = c->rip, mr[n++] = addr, mr[n++] = err, mr[n++] = c->rsp;
		break;
	case WARD_FAULT_OTHER:
		mr[n++] = c->rip, mr[n++] = vec, mr[n++] = err, mr[n++] = c->rsp;
		break;
	default: /* general protection, undefined opcode, divide */
		mr[n++] = c->rip, mr[n++] = err, mr[n++] = c->rsp;
		break;
	}
	while (len < n && set_mr(to, buf, len, mr[len]))
		len++;
	return ward_msginfo(f->fault, 0, 0, len);
}

static void transfer(struct tcb *from, struct tcb *to, const struct endpoint *ep, uint64_t badge,
                     bool can_grant)
{
	ward_msginfo_t in = from->ctx.rsi, out;
	struct ward_ipc_buffer *sbuf, *rbuf;
	unsigned len, caps = 0, unwrapped = 0;

	if (from->fault != WARD_FAULT_NONE) {
		deliver(to, badge, fault_message(from, to));
		return;
	}
	sbuf = tcb_ipc_buffer(from);
	rbuf = tcb_ipc_buffer(to);
	len = ward_msginfo_length(in);
	if (len > WARD_MSG_MAX_LENGTH)
		len = WARD_MSG_MAX_LENGTH;
	if (len > WARD_MSG_REGISTERS && (sbuf == NULL || rbuf == NULL))
		len = WARD_MSG_REGISTERS;
	ipc_copy_registers(from, to, len);
	for (unsigned i = WARD_MSG_REGISTERS; i < len; i++)
		rbuf->msg[i] = sbuf->msg[i]; /* len > 4: both buffers are there */
	if (can_grant && ward_msginfo_extra_caps(in) > 0)
		caps = transfer_caps(from, to, sbuf, rbuf, ep, ward_msginfo_extra_caps(in),
		                     &unwrapped);
	out = ward_msginfo(ward_msginfo_label(in), unwrapped, caps, len);
	deliver(to, badge, out);
}

/* Links a caller to the receiver's reply object, or fails the Call. */
static void setup_reply(struct tcb *caller, struct reply *r)
{
	if (r == NULL) {
		ipc_fail(caller, WARD_ERR_CANCELLED);
		return;
	}
	r->caller = caller;
	caller->reply = r;
	caller->blocked_on = r;
	caller->state = THREAD_BLOCKED_ON_REPLY;
}

/*
 * A reply object serves one exchange at a time: reusing it abandons its
 * previous caller (who gets WARD_ERR_CANCELLED) and takes it from any other
 * receiver still waiting with it, so a reply can never reach the wrong
 * caller.
 */
static void take_reply_object(struct tcb *receiver, struct reply *r)
{
	if (r != NULL && r->caller != NULL) {
		struct tcb *old = r->caller;
		r->caller = NULL;
		old->reply = NULL;
		ipc_fail(old, WARD_ERR_CANCELLED);
	}
	if (r != NULL && r->receiver != NULL && r->receiver != receiver) {
		r->receiver->reply = NULL;
		r->receiver = NULL;
	}
	receiver->reply = r;
}

void endpoint_send(struct tcb *sender, struct endpoint *ep, uint64_t badge, bool can_grant,
                   bool can_grant_reply, bool is_call, bool blocking)
{
	/* A Call needs the grant-reply right, whether a receiver waits or not. */
	if (is_call && !can_grant_reply && sender->fault == WARD_FAULT_NONE) {
		deliver(sender, 0, ward_msginfo(WARD_ERR_INSUFFICIENT_RIGHTS, 0, 0, 0));
		return;
	}
	sender->send_can_grant = can_grant; /* whether the reply may carry caps */
	if (ep->state == EP_RECEIVING) {
		struct tcb *receiver = tcb_queue_pop(&ep->queue);
		struct reply *r = receiver->reply;
		if (ep->queue.head == NULL)
			ep->state = EP_IDLE;
		receiver->reply = NULL;
		if (r != NULL)
			r->receiver = NULL;
		transfer(sender, receiver, ep, badge, can_grant);
		sched_wake(receiver);
		if (is_call) {
			sched_remove(sender);
			setup_reply(sender, r);
		}
		return;
	}
	if (!blocking)
		return;
	sender->state = THREAD_BLOCKED_ON_SEND;
	sender->blocked_on = ep;
	sender->send_badge = badge;
	sender->send_is_call = is_call;
	sched_remove(sender);
	tcb_queue_push(&ep->queue, sender);
	ep->state = EP_SENDING;
}

/* A pending signal on the receiver's bound notification wins over IPC. */
static bool take_bound_signal(struct tcb *receiver)
{
	struct notification *n = receiver->bound_notification;

	if (n == NULL || n->state != NTFN_ACTIVE)
		return false;
	deliver(receiver, n->pending, 0);
	n->pending = 0;
	n->state = NTFN_IDLE;
	return true;
}

void endpoint_recv(struct tcb *receiver, struct endpoint *ep, struct reply *reply, bool blocking)
{
	if (take_bound_signal(receiver))
		return;
	take_reply_object(receiver, reply);
	if (ep->state == EP_SENDING) {
		struct tcb *sender = tcb_queue_pop(&ep->queue);
		if (ep->queue.head == NULL)
			ep->state = EP_IDLE;
		receiver->reply = NULL;
		transfer(sender, receiver, ep, sender->send_badge, sender->send_can_grant);
		if (sender->send_is_call)
			setup_reply(sender, reply);
		else if (sender->fault == WARD_FAULT_NONE)
			sched_wake(sender);
		return;
	}
	if (!blocking) {
		receiver->reply = NULL;
		deliver(receiver, 0, 0);
		return;
	}
	receiver->state = THREAD_BLOCKED_ON_RECV;
	receiver->blocked_on = ep;
	if (reply != NULL)
		reply->receiver = receiver;
	sched_remove(receiver);
	tcb_queue_push(&ep->queue, receiver);
	ep->state = EP_RECEIVING;
}

/* Applies a fault handler's reply: register writes (ward/object.h), resume or stop. */
static void fault_reply(struct tcb *replier, struct tcb *caller)
{
	ward_msginfo_t in = replier->ctx.rsi;
	struct ward_ipc_buffer *buf = tcb_ipc_buffer(replier);
	unsigned n = ward_msginfo_length(in);

	caller->fault = WARD_FAULT_NONE;
	if (ward_msginfo_label(in) == WARD_FAULT_REPLY_STOP) {
		caller->state = THREAD_INACTIVE;
		return;
	}
	if (n > WARD_FREG_COUNT)
		n = WARD_FREG_COUNT;
	for (unsigned i = 0; i < n; i++)
		if (!tcb_set_fault_register(caller, i, get_mr(replier, buf, i))) {
			kprintf("fault reply sets an invalid register %u for '%s': stopped", i,
			        caller->name);
			caller->state = THREAD_INACTIVE;
			return;
		}
	sched_wake(caller);
}

bool reply_send(struct tcb *replier, struct reply *r)
{
	struct tcb *caller = r->caller;

	if (caller == NULL)
		return false;
	r->caller = NULL;
	caller->reply = NULL;
	caller->blocked_on = NULL;
	if (caller->fault != WARD_FAULT_NONE) {
		fault_reply(replier, caller);
		return true;
	}
	transfer(replier, caller, NULL, 0, caller->send_can_grant);
	sched_wake(caller);
	return true;
}

void fault_deliver(struct tcb *t)
{
	struct cap *ep = &t->slots[TCB_SLOT_FAULT_EP].cap;

	if (ep->type != WARD_OBJ_ENDPOINT) {
		tcb_report_fault(t);
		if (t->is_root_task) {
			/* Nothing can restart the root task: the system is over. */
			kprintf("the root task faulted without a fault handler: halting");
			platform_halt(WARD_HALT_USER_FAULT);
		}
		t->fault = WARD_FAULT_NONE;
		sched_remove(t);
		t->state = THREAD_INACTIVE;
		return;
	}
	endpoint_send(t, (struct endpoint *)ep->obj, ep->word1, false, true, true, true);
}

void ipc_fail(struct tcb *t, uint64_t error)
{
	t->blocked_on = NULL;
	if (t->fault != WARD_FAULT_NONE) {
		/* A fault nobody will answer: the thread stays stopped. */
		kprintf("fault of '%s' cancelled: its handler went away; thread stopped", t->name);
		t->fault = WARD_FAULT_NONE;
		t->state = THREAD_INACTIVE;
		return;
	}
	deliver(t, 0, ward_msginfo(error, 0, 0, 0));
	sched_wake(t);
}

void ipc_cancel(struct tcb *t)
{
	switch (t->state) {
	case THREAD_BLOCKED_ON_SEND:
	case THREAD_BLOCKED_ON_RECV: {
		struct endpoint *ep = t->blocked_on;
		tcb_queue_remove(&ep->queue, t);
		if (ep->queue.head == NULL)
			ep->state = EP_IDLE;
		if (t->reply != NULL && t->state == THREAD_BLOCKED_ON_RECV)
			t->reply->receiver = NULL;
		t->reply = NULL;
		break;
	}
	case THREAD_BLOCKED_ON_REPLY:
		if (t->reply != NULL)
			t->reply->caller = NULL;
		t->reply = NULL;
		break;
	case THREAD_BLOCKED_ON_NOTIFICATION: {
		struct notification *n = t->blocked_on;
		tcb_queue_remove(&n->queue, t);
		if (n->queue.head == NULL)
			n->state = NTFN_IDLE;
		break;
	}
	default:
		break;
	}
	t->blocked_on = NULL;
}

void endpoint_finalise(struct endpoint *ep)
{
	struct tcb *t;

	while ((t = tcb_queue_pop(&ep->queue)) != NULL) {
		if (t->reply != NULL && t->state == THREAD_BLOCKED_ON_RECV)
			t->reply->receiver = NULL;
		t->reply = NULL;
		ipc_fail(t, WARD_ERR_CANCELLED);
	}
	ep->state = EP_IDLE;
}

void endpoint_cancel_badged_sends(struct endpoint *ep, uint64_t badge)
{
	struct tcb *t = ep->state == EP_SENDING ? ep->queue.head : NULL;

	while (t != NULL) {
		struct tcb *next = t->queue_next;
		if (t->send_badge == badge) {
			tcb_queue_remove(&ep->queue, t);
			ipc_fail(t, WARD_ERR_BADGE_REVOKED);
		}
		t = next;
	}
	if (ep->queue.head == NULL)
		ep->state = EP_IDLE;
}

void reply_finalise(struct reply *r)
{
	if (r->caller != NULL) {
		struct tcb *caller = r->caller;
		r->caller = NULL;
		caller->reply = NULL;
		ipc_fail(caller, WARD_ERR_CANCELLED);
	}
	if (r->receiver != NULL) {
		r->receiver->reply = NULL;
		r->receiver = NULL;
	}
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IPC fast path: the common server round trip, Call then ReplyRecv,
 * without the general decoder, transfer and scheduler. Every condition
 * that the general path would treat differently sends the call there
 * instead: capabilities, a long message without both IPC buffers, faults,
 * a missing reply object, another CPU, a bound notification with news, or
 * a ready thread of the same or higher priority (which the general path
 * would run first). What it does is exactly what the general path would
 * have done. Big kernel lock.
 */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/fastpath.h>
#include <kernel/ipc.h>
#include <kernel/sched.h>
#include <kernel/tcb_queue.h>
#include <ward/message.h>
#include <ward/syscall.h>

/*
 * The length of a message the fast path can carry (no capabilities, at
 * most the maximum length), or a value above WARD_MSG_MAX_LENGTH: extra
 * caps (bits 8..7) set make it at least 0x80, above any length.
 */
_Static_assert(WARD_MSG_MAX_LENGTH < 0x80, "a length below the extra-caps field");
__attribute__((always_inline)) static inline unsigned fast_length(ward_msginfo_t info)
{
	return info & 0x1ff;
}

/* A CSpace of more than one level: out of line, so that the flat case needs no stack. */
__attribute__((noinline)) static struct cte *lookup_deep(const struct tcb *t, uint64_t cptr)
{
	struct cte *slot;

	return cspace_lookup_slot(&t->slots[TCB_SLOT_CSPACE].cap, cptr, 64, &slot) == WARD_OK
	               ? slot
	               : NULL;
}

_Static_assert(offsetof(struct cap, type) == 0 && offsetof(struct cap, rights) == 1,
               "type and rights in one 16-bit word");

/* The cap at `cptr` in t's CSpace if it has `type` and every right in `rights`, else NULL. */
__attribute__((always_inline)) static inline const struct cap *
lookup(const struct tcb *t, uint64_t cptr, unsigned type, unsigned rights)
{
	const struct cap *root = &t->slots[TCB_SLOT_CSPACE].cap;
	struct cte *slot = cspace_lookup_flat(root, cptr);
	uint16_t type_rights;

	if (__builtin_expect(slot == NULL, 0) && (slot = lookup_deep(t, cptr)) == NULL)
		return NULL;
	/* Type (byte 0) and the rights asked for (byte 1) in one compare. */
	__builtin_memcpy(&type_rights, &slot->cap, sizeof(type_rights));
	if ((type_rights & (0xff | rights << 8)) != (type | rights << 8))
		return NULL;
	return &slot->cap;
}

/* Copies n words forward, as the general path's word-by-word loop does. */
static inline void copy_words(uint64_t *dst, const uint64_t *src, uint64_t n)
{
	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/*
 * Moves the `len` message registers, MR4.. and the message info from `from`
 * to `to`, the first change either thread sees. As ipc_copy_registers(),
 * the registers up to the length only: for a short message one range test
 * and one indexed jump into the fall-through. False, with nothing changed,
 * if a long message finds either thread without an IPC buffer (the general
 * path then cuts it to 4 words).
 */
__attribute__((always_inline)) static inline bool copy_message(struct tcb *from, struct tcb *to,
                                                               uint64_t badge, unsigned len)
{
	struct ward_ipc_buffer *src, *dst;

	switch (len) {
	case 4:
		to->ctx.r15 = from->ctx.r15;
		/* fall through */
	case 3:
		to->ctx.r9 = from->ctx.r9;
		/* fall through */
	case 2:
		to->ctx.r8 = from->ctx.r8;
		/* fall through */
	case 1:
		to->ctx.r10 = from->ctx.r10;
		/* fall through */
	case 0:
		to->ctx.rdi = badge;
		break;
	default:
		src = tcb_ipc_buffer(from);
		dst = tcb_ipc_buffer(to);
		if (src == NULL || dst == NULL)
			return false;
		ipc_copy_registers(from, to, WARD_MSG_REGISTERS);
		copy_words(&dst->msg[WARD_MSG_REGISTERS], &src->msg[WARD_MSG_REGISTERS],
		           len - WARD_MSG_REGISTERS);
		to->ctx.rdi = badge;
		break;
	}
	/* No capabilities on the fast path: label and length pass as they are. */
	to->ctx.rsi = from->ctx.rsi & ~WARD_MSGINFO_CAP_BITS;
	return true;
}

/* Takes the first receiver off `ep`'s queue. */
static inline void dequeue_receiver(struct endpoint *ep, struct tcb *server)
{
	struct tcb *next = server->queue_next;

	ep->queue.head = next;
	if (__builtin_expect(next != NULL, 0)) {
		next->queue_prev = NULL;
	} else {
		ep->queue.tail = NULL;
		ep->state = EP_IDLE;
	}
	server->queue_next = NULL;
}

static struct tcb *fast_call(struct tcb *caller, unsigned len, unsigned cpu,
                             const struct sched_cpu *sc)
{
	const struct cap *c = lookup(caller, caller->ctx.rdi, WARD_OBJ_ENDPOINT,
	                             WARD_RIGHT_WRITE | WARD_RIGHT_GRANT_REPLY);
	struct endpoint *ep;
	struct tcb *server;
	struct reply *r;

	if (c == NULL)
		return NULL;
	ep = (struct endpoint *)c->obj;
	if (ep->state != EP_RECEIVING)
		return NULL;
	server = ep->queue.head;
	r = server->reply;
	/* The caller blocks: the server may run if nothing ready outranks it. */
	if (r == NULL || server->cpu != cpu || !sched_may_switch_to(sc, server) ||
	    !copy_message(caller, server, c->word1, len))
		return NULL;
	dequeue_receiver(ep, server);
	server->reply = NULL;
	server->blocked_on = NULL;
	server->state = THREAD_RUNNABLE;
	r->receiver = NULL;
	r->caller = caller;
	caller->reply = r;
	caller->blocked_on = r;
	caller->send_can_grant = c->rights & WARD_RIGHT_GRANT; /* nonzero: true */
	caller->state = THREAD_BLOCKED_ON_REPLY;
	return server;
}

static struct tcb *fast_reply_recv(struct tcb *server, unsigned len, unsigned cpu,
                                   const struct sched_cpu *sc)
{
	const struct cap *rc = lookup(server, server->ctx.rdx, WARD_OBJ_REPLY, 0);
	struct notification *bound = server->bound_notification;
	const struct cap *ec;
	struct endpoint *ep;
	struct tcb *client;
	struct reply *r;

	if (rc == NULL)
		return NULL;
	ec = lookup(server, server->ctx.rdi, WARD_OBJ_ENDPOINT, WARD_RIGHT_READ);
	if (ec == NULL)
		return NULL;
	r = (struct reply *)rc->obj;
	ep = (struct endpoint *)ec->obj;
	client = r->caller;
	if (client == NULL || r->receiver != NULL || client->fault != WARD_FAULT_NONE ||
	    ep->state == EP_SENDING || client->cpu != cpu ||
	    (bound != NULL && bound->state == NTFN_ACTIVE))
		return NULL;
	if (!sched_may_switch_to(sc, client) || !copy_message(server, client, 0, len))
		return NULL;
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

/*
 * A message the fast path can carry (of length `len`), from a thread
 * whose affinity is the CPU it runs on (the general path moves one whose
 * affinity changed meanwhile).
 */
__attribute__((always_inline)) static inline bool fast_eligible(const struct tcb *t, unsigned len,
                                                                unsigned cpu)
{
	return len <= WARD_MSG_MAX_LENGTH && t->cpu == cpu;
}

/* As fastpath_try(), with `sc` the scheduling state of CPU `cpu`. */
static inline struct tcb *fast(struct tcb *t, int64_t number, unsigned cpu,
                               const struct sched_cpu *sc)
{
	unsigned len;

	/* The call number first: every other call goes straight on. */
	if (number == WARD_SYS_CALL) {
		len = fast_length(t->ctx.rsi);
		return fast_eligible(t, len, cpu) ? fast_call(t, len, cpu, sc) : NULL;
	}
	if (number == WARD_SYS_REPLY_RECV) {
		len = fast_length(t->ctx.rsi);
		return fast_eligible(t, len, cpu) ? fast_reply_recv(t, len, cpu, sc) : NULL;
	}
	return NULL;
}

/*
 * Flattened: the switch to user mode (platform_enter_user) is inlined
 * here, without its own call and stack frame.
 */
__attribute__((flatten)) void fastpath_try(struct tcb *t, int64_t number, unsigned cpu)
{
	struct sched_cpu *sc = &sched_cpus[cpu];
	struct tcb *next = fast(t, number, cpu, sc);

	if (next != NULL)
		sched_switch_to(sc, cpu, t, next);
}

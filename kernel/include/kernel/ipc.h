/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Synchronous IPC through endpoints, one-shot replies through reply
 * objects, and notifications (kernel/ipc.c, kernel/object/notification.c).
 */
#ifndef KERNEL_IPC_H
#define KERNEL_IPC_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/objects.h>
#include <kernel/tcb.h>

/* Message registers 0..3 live in these user registers. */
uint64_t *ipc_mr_reg(struct user_context *c, unsigned i);

/*
 * Copies message registers MR0..MR(n-1), n at most 4, from `from` to `to`;
 * the receiver's others keep their values (both paths, general and fast).
 */
__attribute__((always_inline)) static inline void ipc_copy_registers(const struct tcb *from,
                                                                     struct tcb *to, unsigned n)
{
	/* The whole set first: most messages fill it, and it costs one branch. */
	if (n >= 4) {
		to->ctx.r10 = from->ctx.r10;
		to->ctx.r8 = from->ctx.r8;
		to->ctx.r9 = from->ctx.r9;
		to->ctx.r15 = from->ctx.r15;
		return;
	}
	if (n >= 1)
		to->ctx.r10 = from->ctx.r10;
	if (n >= 2)
		to->ctx.r8 = from->ctx.r8;
	if (n == 3)
		to->ctx.r9 = from->ctx.r9;
}

/* Send through `ep` as `sender` (message info in its rsi). */
void endpoint_send(struct tcb *sender, struct endpoint *ep, uint64_t badge, bool can_grant,
                   bool can_grant_reply, bool is_call, bool blocking);

/* Receive on `ep`; `reply` (may be NULL) is bound to a caller taken. */
void endpoint_recv(struct tcb *receiver, struct endpoint *ep, struct reply *reply, bool blocking);

/* Answers the caller bound to `r` with `replier`'s message; false if none. */
bool reply_send(struct tcb *replier, struct reply *r);

void notification_signal(struct notification *n, uint64_t badge);
void notification_wait(struct tcb *t, struct notification *n, bool blocking);
void notification_bind(struct notification *n, struct tcb *t);
void notification_unbind(struct tcb *t);

/* Sends t's pending fault to its fault endpoint, or stops t. */
void fault_deliver(struct tcb *t);

/* Removes a blocked thread from whatever it waits on (for suspend and deletion). */
void ipc_cancel(struct tcb *t);

/* Finishes a thread's blocking call with an error (object deleted). */
void ipc_fail(struct tcb *t, uint64_t error);

#endif

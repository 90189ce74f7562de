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

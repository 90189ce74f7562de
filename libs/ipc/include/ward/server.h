/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The server loop: one thread receives IPC on an endpoint and signals on
 * the notification bound to its TCB, dispatches requests through a
 * protocol table (ward/protocol.h) and answers with ReplyRecv
 * (docs/ipc-protocols.md).
 *
 * The badge rule. With a bound notification, Recv returns a signal as an
 * empty message (badge = the signal bits, info = 0), so badges must say
 * which is which:
 *   - caps that signal the bound notification carry WARD_SERVER_EVENT
 *     (bit 63) in their badge: ward_server_event_badge(bits);
 *   - clients get endpoint caps minted with a badge in 1..2^63-1, which is
 *     all the authority a request brings;
 *   - the unbadged endpoint cap stays with whoever may stop the server.
 * Then what Recv returned is, unambiguously:
 *   badge bit 63 set   a notification signal: on_event(bits without bit 63)
 *   badge 0            not a client: the kernel reporting that the Recv
 *                      failed (label = the error, e.g. the endpoint was
 *                      deleted) or the unbadged cap's holder asking the
 *                      loop to stop. The loop answers a Call with WARD_OK
 *                      and returns the label.
 *   anything else      a request, answered through the protocol.
 * An endpoint cap minted with bit 63 breaks the rule: its messages are
 * taken for signals and its Calls fail with WARD_ERR_CANCELLED.
 */
#ifndef WARD_SERVER_H
#define WARD_SERVER_H

#include <stdint.h>
#include <ward/protocol.h>

#define WARD_SERVER_EVENT (1ULL << 63)

static inline uint64_t ward_server_event_badge(uint64_t bits)
{
	return WARD_SERVER_EVENT | bits;
}

struct ward_server {
	/* Set before ward_server_run; the caps are cptrs in the server thread's CSpace. */
	const struct ward_protocol *protocol;
	uint64_t endpoint;  /* with READ */
	uint64_t reply;     /* a reply object, used for every request */
	uint64_t cspace;    /* the CSpace root CNode, so that received caps have a place */
	uint64_t recv_slot; /* an empty slot (depth 64) for a received cap; 0: take none */
	/* Called for signals of the bound notification (may be NULL: they are counted only). */
	void (*on_event)(struct ward_server *s, uint64_t bits);
	void *ctx; /* handed to handlers as rq->ctx */

	/* Kept by the loop. */
	uint64_t requests; /* requests answered, errors included */
	uint64_t rejected; /* requests answered with an error */
	uint64_t events;   /* notification signals reported to on_event */
	/* The request's MRs, copied out of the IPC buffer: a handler's own calls reuse it. */
	uint64_t in[WARD_MSG_MAX_LENGTH];
	struct ward_reply out;
};

/*
 * Serves until Recv fails or the unbadged cap's holder stops it (see the
 * badge rule); returns that label (WARD_OK for a stop with label 0). The
 * notification, if any, must already be bound to the calling thread's TCB.
 * Handlers run on this thread and reply at once.
 */
uint64_t ward_server_run(struct ward_server *s);

#endif

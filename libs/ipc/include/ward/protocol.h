/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IPC protocols between user programs: what a request looks like to the
 * server that decodes it, the table a protocol is dispatched through, and
 * the client-side call the generated stubs make (docs/ipc-protocols.md).
 *
 * A protocol is written once, in a .protocol file, and tools/ward_protogen.py
 * turns it into two headers: NAME.h for clients (labels, error codes,
 * static inline stubs) and NAME_server.h for the server (typed handler
 * prototypes, decoders, and the table below). The conventions follow the
 * kernel's invocations (ward/syscall.h): a request's label names the
 * operation; a reply's label is WARD_OK or an error, and an error reply's
 * MR0 names what was wrong (an argument index or WARD_ARG_*), MR1/MR2 the
 * allowed range (for a capability: the type wanted and the type sent).
 *
 * The pure parts (dispatch.c, and this header but for the client's calls
 * at its end) make no system calls, so host tests run them with synthetic
 * messages.
 */
#ifndef WARD_PROTOCOL_H
#define WARD_PROTOCOL_H

#include <stdint.h>
#include <ward/errors.h>
#include <ward/message.h>
#include <ward/object.h>
#include <ward/sys.h>
#include <ward/syscall.h>

/* Protocol-specific error codes start here; below are the enum ward_error ones. */
#define WARD_PROTOCOL_FIRST_ERROR 0x100

/* What a server builds to answer one request. */
struct ward_reply {
	uint64_t label;                   /* WARD_OK or an error code */
	unsigned length;                  /* message registers used in mr[] */
	uint64_t mr[WARD_MSG_MAX_LENGTH]; /* MR0..MR(length - 1) */
};

/* One received message, as the dispatcher and the handlers see it. */
struct ward_request {
	uint64_t badge;     /* the sender's endpoint badge: the only authority it brings */
	uint64_t label;     /* the operation asked for */
	unsigned length;    /* message registers received: mr[0..length - 1] */
	unsigned caps;      /* extra capabilities received, unwrapped ones included */
	unsigned unwrapped; /* bit i: extra cap i arrived as a badge of this endpoint */
	const uint64_t *mr;
	uint64_t cap;       /* the receive slot (cptr), if a capability landed there; else 0 */
	unsigned cap_type;  /* the type of that capability (enum ward_object_type) */
	uint64_t cap_badge; /* extra cap 0 unwrapped (unwrapped bit 0): its badge */
	void *ctx;          /* the server's own state (struct ward_server.ctx) */
	struct ward_reply *reply;
};

/*
 * Serves one request that passed its table row's checks (label, length,
 * caps) and returns the reply's label. For a generated protocol this is
 * the operation's decoder, which checks and unpacks the arguments and
 * calls the server's typed handler. A handler that keeps `rq->cap` moves
 * it out of the receive slot; the server loop empties the slot afterwards.
 */
typedef enum ward_error (*ward_handler)(struct ward_request *rq);

/* One operation: a row of a protocol's table, indexed by label. */
struct ward_op {
	ward_handler handler; /* NULL: no operation has this label */
	uint8_t min_length;   /* message registers the request needs at least */
	uint8_t cap_type;     /* the capability it takes (enum ward_object_type), or none */
};

struct ward_protocol {
	const char *name;
	uint64_t first_label; /* ops[i] serves label first_label + i */
	unsigned count;
	const struct ward_op *ops;
};

/*
 * The object type of the cap a request brought into the receive slot, as
 * the kernel reported it in the IPC buffer's caps_or_badges[] (ward/message.h),
 * or WARD_OBJ_NULL if none arrived.
 */
unsigned ward_received_cap_type(const struct ward_request *rq, const uint64_t *caps_or_badges);

/*
 * An operation whose capability is declared `cap name:badge` takes extra
 * cap 0 as a cap to the server's own endpoint, which the kernel unwraps
 * into its badge: how a request names a second object of the same server
 * (a domain) by capability rather than by a number it could forge.
 */
#define WARD_CAP_UNWRAPPED 0xffu

/* The server loop's part: the badges and types the kernel reported. */
void ward_request_caps(struct ward_request *rq, const uint64_t *caps_or_badges);

/*
 * Fills `rq` from what Recv returned: badge, message info, and the message
 * registers (mr[0..length - 1], in one array). A capability that was not
 * unwrapped landed in `recv_slot` (the kernel copies at most one per
 * message); rq->cap names it then, and rq->cap_type is left WARD_OBJ_NULL
 * for the caller, who can look the type up, to fill in. Inline, as is
 * ward_dispatch(): every request passes through both.
 */
static inline void ward_request_init(struct ward_request *rq, uint64_t badge, ward_msginfo_t info,
                                     const uint64_t *mr, uint64_t recv_slot,
                                     struct ward_reply *reply)
{
	unsigned caps = ward_msginfo_extra_caps(info);
	unsigned all = (1U << caps) - 1;
	/* Only the first `caps` unwrapped bits mean anything. */
	unsigned unwrapped = ward_msginfo_unwrapped(info) & all;

	rq->badge = badge;
	rq->label = ward_msginfo_label(info);
	rq->length = ward_msginfo_length(info);
	if (rq->length > WARD_MSG_MAX_LENGTH)
		rq->length = WARD_MSG_MAX_LENGTH; /* the kernel clamps; so do we */
	rq->caps = caps;
	rq->unwrapped = unwrapped;
	rq->mr = mr;
	/* Every processed cap that was not unwrapped was copied to the one receive slot. */
	rq->cap = unwrapped != all ? recv_slot : 0;
	rq->cap_type = WARD_OBJ_NULL;
	rq->cap_badge = 0;
	rq->ctx = (void *)0;
	rq->reply = reply;
	reply->label = WARD_OK;
	reply->length = 0;
}

/*
 * ward_dispatch()'s checks of the label, the length and the capabilities
 * (dispatch.c): WARD_OK, or the error, with its reply filled in.
 */
enum ward_error ward_dispatch_check(const struct ward_protocol *p, const struct ward_op *op,
                                    struct ward_request *rq);

/* Makes a handler's result the reply's label, its length clamped; returns the label. */
static inline uint64_t ward_dispatch_done(struct ward_request *rq, enum ward_error err)
{
	struct ward_reply *rp = rq->reply;

	rp->label = err;
	if (rp->length > WARD_MSG_MAX_LENGTH)
		rp->length = WARD_MSG_MAX_LENGTH;
	return rp->label;
}

/*
 * Answers `rq` through protocol `p` into rq->reply; returns the reply's
 * label. Rejects, without calling any handler:
 *   an unknown label            WARD_ERR_ILLEGAL_OPERATION   MR0 WARD_ARG_LABEL
 *   too few message registers   WARD_ERR_TRUNCATED_MESSAGE   MR0 WARD_ARG_LENGTH
 *   a missing, unexpected, unwrapped or wrongly typed capability
 *                               WARD_ERR_INVALID_CAPABILITY  MR0 WARD_ARG_EXTRA_CAP0 + i
 * A request with a known label, its length, and no capability sent or
 * wanted passes every check at once; anything else is left to
 * ward_dispatch_check().
 */
static inline uint64_t ward_dispatch(const struct ward_protocol *p, struct ward_request *rq)
{
	/* Unsigned wrap-around sends labels below first_label out of range too. */
	uint64_t i = rq->label - p->first_label;
	const struct ward_op *op = i < p->count ? &p->ops[i] : (const struct ward_op *)0;
	struct ward_reply *rp = rq->reply;

	rp->length = 0;
	if (op == (const struct ward_op *)0 || op->handler == (ward_handler)0 ||
	    rq->length < op->min_length || (rq->caps | rq->unwrapped | op->cap_type) != 0)
		rp->label = ward_dispatch_check(p, op, rq);
	else
		rp->label = WARD_OK;
	if (rp->label == WARD_OK)
		rp->label = op->handler(rq);
	if (rp->length > WARD_MSG_MAX_LENGTH)
		rp->length = WARD_MSG_MAX_LENGTH;
	return rp->label;
}

/* Makes rq's reply an error naming argument `arg` and the range lo..hi; returns `err`. */
static inline enum ward_error ward_fail(struct ward_request *rq, enum ward_error err, uint64_t arg,
                                        uint64_t lo, uint64_t hi)
{
	rq->reply->mr[0] = arg;
	rq->reply->mr[1] = lo;
	rq->reply->mr[2] = hi;
	rq->reply->length = 3;
	return err;
}

/*
 * The client side (client.c): Calls `ep` with `label`, n_in MRs of `in`
 * followed by n_tail of `tail`, and extra cap `cap` (0: none). On WARD_OK
 * copies n_out result MRs into `out`; a shorter reply is
 * WARD_ERR_TRUNCATED_MESSAGE. On an error reply, ward_last_error() (ward/invoke.h)
 * holds its MR0..MR2 for this thread. Generated stubs call this.
 */
enum ward_error ward_rpc_call(uint64_t ep, uint64_t label, unsigned n_in, const uint64_t *in,
                              unsigned n_tail, const uint64_t *tail, uint64_t cap, unsigned n_out,
                              uint64_t *out);

/*
 * The error half of ward_rpc_call_regs(), given the reply's info and
 * MR0..MR2 as they arrived in registers: keeps an error reply's MR0..MR2
 * (those beyond its length as 0) for ward_last_error() and returns its
 * label, or WARD_ERR_TRUNCATED_MESSAGE for a WARD_OK reply with fewer than
 * n_out MRs.
 */
enum ward_error ward_rpc_failed(ward_msginfo_t info, unsigned n_out, uint64_t mr0, uint64_t mr1,
                                uint64_t mr2);

/*
 * ward_rpc_call() for an operation whose arguments and results all fit the
 * four register MRs and that sends no capability: mr[0..n_in) in, and on
 * WARD_OK mr[0..n_out) out. Nothing goes through the IPC buffer, so the
 * call is the system call and two tests.
 */
static inline enum ward_error ward_rpc_call_regs(uint64_t ep, uint64_t label, unsigned n_in,
                                                 uint64_t mr[WARD_MSG_REGISTERS], unsigned n_out)
{
	ward_msginfo_t info = ward_call(ep, ward_msginfo(label, 0, 0, n_in), mr);

	if (ward_msginfo_label(info) != WARD_OK || ward_msginfo_length(info) < n_out)
		return ward_rpc_failed(info, n_out, mr[0], mr[1], mr[2]);
	return WARD_OK;
}

/* ward_rpc_call_regs() sending one capability too (none if cap is 0). */
static inline enum ward_error ward_rpc_call_regs_cap(uint64_t ep, uint64_t label, unsigned n_in,
                                                     uint64_t mr[WARD_MSG_REGISTERS], uint64_t cap,
                                                     unsigned n_out)
{
	ward_msginfo_t info;

	if (cap != 0)
		ward_ipc_buffer()->caps_or_badges[0] = cap;
	info = ward_call(ep, ward_msginfo(label, 0, cap != 0, n_in), mr);
	if (ward_msginfo_label(info) != WARD_OK || ward_msginfo_length(info) < n_out)
		return ward_rpc_failed(info, n_out, mr[0], mr[1], mr[2]);
	return WARD_OK;
}

#endif

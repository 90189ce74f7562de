/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Request decoding and dispatch (ward/protocol.h). Everything a client
 * sends is untrusted: the label, the length, and the capabilities are
 * checked against the protocol's table before any handler runs, and each
 * mismatch becomes an error reply, never a fault in the server. No system
 * calls here: host tests drive this file with synthetic messages.
 */
#include <stddef.h>
#include <ward/protocol.h>

void ward_request_init(struct ward_request *rq, uint64_t badge, ward_msginfo_t info,
                       const uint64_t *mr, uint64_t recv_slot, struct ward_reply *reply)
{
	unsigned caps = ward_msginfo_extra_caps(info);
	/* Only the first `caps` unwrapped bits mean anything. */
	unsigned unwrapped = ward_msginfo_unwrapped(info) & ((1U << caps) - 1);

	rq->badge = badge;
	rq->label = ward_msginfo_label(info);
	rq->length = ward_msginfo_length(info);
	if (rq->length > WARD_MSG_MAX_LENGTH)
		rq->length = WARD_MSG_MAX_LENGTH; /* the kernel clamps; so do we */
	rq->caps = caps;
	rq->unwrapped = unwrapped;
	rq->mr = mr;
	/* Every processed cap that was not unwrapped was copied to the one receive slot. */
	rq->cap = caps > (unsigned)__builtin_popcount(unwrapped) ? recv_slot : 0;
	rq->cap_type = WARD_OBJ_NULL;
	rq->cap_badge = 0;
	rq->ctx = NULL;
	rq->reply = reply;
	reply->label = WARD_OK;
	reply->length = 0;
}

static const struct ward_op *find_op(const struct ward_protocol *p, uint64_t label)
{
	/* Unsigned wrap-around sends labels below first_label out of range too. */
	uint64_t i = label - p->first_label;

	if (label < p->first_label || i >= p->count || p->ops[i].handler == NULL)
		return NULL;
	return &p->ops[i];
}

/*
 * An operation takes no capability or exactly one, copied into the receive
 * slot. Unwrapped caps (badges of this very endpoint) are never what an
 * operation asks for: accepting one would let a client pass off its own
 * endpoint cap as the object the operation needs.
 */
static enum ward_error check_caps(const struct ward_op *op, struct ward_request *rq)
{
	unsigned want = op->cap_type != WARD_OBJ_NULL;

	if (op->cap_type == WARD_CAP_UNWRAPPED) {
		if (rq->caps == 1 && rq->unwrapped == 1)
			return WARD_OK;
		return ward_fail(rq, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0,
		                 WARD_OBJ_ENDPOINT, rq->caps == 0 ? WARD_OBJ_NULL : rq->cap_type);
	}
	if (rq->unwrapped != 0)
		return ward_fail(rq, WARD_ERR_INVALID_CAPABILITY,
		                 WARD_ARG_EXTRA_CAP0 + __builtin_ctz(rq->unwrapped), op->cap_type,
		                 WARD_OBJ_ENDPOINT);
	if (rq->caps > want)
		return ward_fail(rq, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0 + want,
		                 WARD_OBJ_NULL, want ? WARD_OBJ_NULL : rq->cap_type);
	if (want && rq->cap == 0)
		return ward_fail(rq, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0, op->cap_type,
		                 WARD_OBJ_NULL);
	if (want && rq->cap_type != op->cap_type)
		return ward_fail(rq, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0, op->cap_type,
		                 rq->cap_type);
	return WARD_OK;
}

uint64_t ward_dispatch(const struct ward_protocol *p, struct ward_request *rq)
{
	const struct ward_op *op = find_op(p, rq->label);
	struct ward_reply *rp = rq->reply;

	rp->length = 0;
	if (op == NULL)
		rp->label = ward_fail(rq, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL,
		                      p->first_label, p->first_label + p->count - 1);
	else if (rq->length < op->min_length)
		rp->label = ward_fail(rq, WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH,
		                      op->min_length, WARD_MSG_MAX_LENGTH);
	else if ((rp->label = check_caps(op, rq)) == WARD_OK)
		rp->label = op->handler(rq);
	if (rp->length > WARD_MSG_MAX_LENGTH)
		rp->length = WARD_MSG_MAX_LENGTH;
	return rp->label;
}

void ward_request_caps(struct ward_request *rq, const uint64_t *caps_or_badges)
{
	if (rq->cap != 0)
		rq->cap_type = ward_received_cap_type(rq, caps_or_badges);
	if (rq->unwrapped & 1U)
		rq->cap_badge = caps_or_badges[0];
}

unsigned ward_received_cap_type(const struct ward_request *rq, const uint64_t *caps_or_badges)
{
	/* The kernel copies at most one cap: the first processed one not unwrapped. */
	for (unsigned i = 0; i < rq->caps && i < WARD_MSG_MAX_EXTRA_CAPS; i++)
		if (!(rq->unwrapped & (1U << i)))
			return (unsigned)caps_or_badges[i];
	return WARD_OBJ_NULL;
}

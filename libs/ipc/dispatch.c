/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Request checks behind ward_dispatch() (inline in ward/protocol.h, with
 * the common case of a request that passes them all). Everything a client
 * sends is untrusted: the label, the length, and the capabilities are
 * checked against the protocol's table before any handler runs, and each
 * mismatch becomes an error reply, never a fault in the server. No system
 * calls here: host tests drive this file with synthetic messages.
 */
#include <stddef.h>
#include <ward/protocol.h>

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

enum ward_error ward_dispatch_check(const struct ward_protocol *p, const struct ward_op *op,
                                    struct ward_request *rq)
{
	if (op == NULL || op->handler == NULL)
		return ward_fail(rq, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, p->first_label,
		                 p->first_label + p->count - 1);
	if (rq->length < op->min_length)
		return ward_fail(rq, WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH, op->min_length,
		                 WARD_MSG_MAX_LENGTH);
	return check_caps(op, rq);
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

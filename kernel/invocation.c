/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the object decoders (see invocation.h). */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/invocation.h>
#include <kernel/ipc.h>
#include <ward/syscall.h>

uint64_t inv_mr(const struct invocation *inv, unsigned i)
{
	struct ward_ipc_buffer *buf;

	if (i >= inv->length)
		return 0;
	if (i < WARD_MSG_REGISTERS)
		return *ipc_mr_reg(&inv->caller->ctx, i);
	buf = tcb_ipc_buffer(inv->caller);
	return buf != NULL ? buf->msg[i] : 0;
}

enum ward_error inv_error(struct invocation *inv, enum ward_error err, uint64_t arg, uint64_t lo,
                          uint64_t hi)
{
	inv->error = err;
	inv->reply_length = 0;
	inv_reply_mr(inv, 0, arg);
	inv_reply_mr(inv, 1, lo);
	inv_reply_mr(inv, 2, hi);
	return err;
}

bool inv_need(struct invocation *inv, unsigned n)
{
	if (inv->length >= n)
		return true;
	inv_error(inv, WARD_ERR_TRUNCATED_MESSAGE, WARD_ARG_LENGTH, n, WARD_MSG_MAX_LENGTH);
	return false;
}

struct cte *inv_extra(struct invocation *inv, unsigned i, unsigned type)
{
	struct cte *c = i < inv->extra_count ? inv->extra[i] : NULL;

	if (c == NULL || (type != 0 && c->cap.type != type)) {
		inv_error(inv, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0 + i, type, 0);
		return NULL;
	}
	return c;
}

enum ward_error inv_lookup_dest(struct invocation *inv, struct cte *root, uint64_t index,
                                uint64_t depth, unsigned arg, struct cte **slot)
{
	if (depth > 64)
		return inv_error(inv, WARD_ERR_RANGE, arg + 1, 0, 64);
	if (cspace_lookup_slot(&root->cap, index, (unsigned)depth, slot) != WARD_OK)
		return inv_error(inv, WARD_ERR_FAILED_LOOKUP, arg, depth, 0);
	return WARD_OK;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CNode invocations: Copy, Mint, Move, Mutate, Delete, Revoke. The invoked
 * CNode is the destination root; the source root is extra cap 0. Copies
 * and mints join the MDB under their source, so revoking the source takes
 * them back. Big kernel lock.
 */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/invocation.h>
#include <ward/invocation.h>

/* Applies Mint/Mutate data: a badge for endpoints and notifications, a guard for CNodes. */
static bool apply_data(struct invocation *inv, struct cap *c, uint64_t data, unsigned arg)
{
	if (c->type == WARD_OBJ_ENDPOINT || c->type == WARD_OBJ_NOTIFICATION) {
		if (c->word1 != 0 && data != c->word1) {
			inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, arg, 0, 0); /* already badged */
			return false;
		}
		c->word1 = data;
		return true;
	}
	if (c->type == WARD_OBJ_CNODE) {
		uint64_t guard_bits = data & 0xff, guard = data >> 8;
		if (guard_bits + c->bits > 64 || (guard_bits < 64 && (guard >> guard_bits) != 0)) {
			inv_error(inv, WARD_ERR_RANGE, arg, 0, 64 - c->bits);
			return false;
		}
		c->guard_bits = (uint8_t)guard_bits;
		c->word1 = guard;
		c->flags &= ~CAP_FLAG_FLAT_CNODE;
		if (guard_bits + c->bits == 64)
			c->flags |= CAP_FLAG_FLAT_CNODE;
		return true;
	}
	if (data != 0) {
		inv_error(inv, WARD_ERR_INVALID_ARGUMENT, arg, 0, 0);
		return false;
	}
	return true;
}

/* Resolves the source (extra cap 0 root, MR2 index, MR3 depth): a non-empty slot. */
static struct cte *source_slot(struct invocation *inv)
{
	struct cte *root = inv_extra(inv, 0, WARD_OBJ_CNODE), *src;

	if (root == NULL ||
	    inv_lookup_dest(inv, root, inv_mr(inv, 2), inv_mr(inv, 3), 2, &src) != WARD_OK)
		return NULL;
	if (cap_is_null(&src->cap)) {
		inv_error(inv, WARD_ERR_FAILED_LOOKUP, 2, 0, 0);
		return NULL;
	}
	return src;
}

/* Resolves the destination (MR0 index, MR1 depth): an empty slot. */
static struct cte *dest_slot(struct invocation *inv)
{
	struct cte *dest;

	if (inv_lookup_dest(inv, inv->slot, inv_mr(inv, 0), inv_mr(inv, 1), 0, &dest) != WARD_OK)
		return NULL;
	if (!cap_is_null(&dest->cap)) {
		inv_error(inv, WARD_ERR_DELETE_FIRST, 0, 0, 0);
		return NULL;
	}
	return dest;
}

static void decode_copy_mint(struct invocation *inv, bool mint)
{
	struct cte *src, *dest;
	struct cap c;
	uint64_t flags = 0;

	if (!inv_need(inv, mint ? 6 : 5) || (dest = dest_slot(inv)) == NULL ||
	    (src = source_slot(inv)) == NULL)
		return;
	if (!cap_derive(&src->cap, &c)) {
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, 2, src->cap.type, 0);
		return;
	}
	c.rights &= (uint8_t)inv_mr(inv, 4);
	if (mint) {
		bool was_unbadged = c.word1 == 0;
		if (!apply_data(inv, &c, inv_mr(inv, 5), 5))
			return;
		/* A freshly badged cap is the revocable original of its badge. */
		if ((c.type == WARD_OBJ_ENDPOINT || c.type == WARD_OBJ_NOTIFICATION) &&
		    was_unbadged && c.word1 != 0)
			flags = MDB_REVOCABLE | MDB_FIRST_BADGED;
	}
	cspace_insert(src, dest, c, flags);
}

static void decode_move_mutate(struct invocation *inv, bool mutate)
{
	struct cte *src, *dest;
	struct cap c;

	if (!inv_need(inv, mutate ? 5 : 4) || (dest = dest_slot(inv)) == NULL ||
	    (src = source_slot(inv)) == NULL)
		return;
	c = src->cap;
	if (mutate) {
		if (cspace_has_children(src) && c.word1 == 0 &&
		    (c.type == WARD_OBJ_ENDPOINT || c.type == WARD_OBJ_NOTIFICATION)) {
			/* Badging a parent would orphan its unbadged children. */
			inv_error(inv, WARD_ERR_REVOKE_FIRST, 2, 0, 0);
			return;
		}
		if (!apply_data(inv, &c, inv_mr(inv, 4), 4))
			return;
	}
	cspace_move(src, dest, c);
}

static void decode_delete_revoke(struct invocation *inv, bool revoke)
{
	uint64_t flags = inv_mr(inv, 2);
	struct cte *slot;

	if (!inv_need(inv, 2) ||
	    inv_lookup_dest(inv, inv->slot, inv_mr(inv, 0), inv_mr(inv, 1), 0, &slot) != WARD_OK)
		return;
	if (revoke && (flags & ~(uint64_t)WARD_REVOKE_AND_DELETE) != 0) {
		inv_error(inv, WARD_ERR_INVALID_ARGUMENT, 2, 0, WARD_REVOKE_AND_DELETE);
		return;
	}
	if (revoke)
		cspace_revoke(slot);
	if (!revoke || (flags & WARD_REVOKE_AND_DELETE))
		cspace_delete(slot);
}

void decode_cnode(struct invocation *inv)
{
	switch (inv->label) {
	case WARD_CNODE_COPY:
		decode_copy_mint(inv, false);
		break;
	case WARD_CNODE_MINT:
		decode_copy_mint(inv, true);
		break;
	case WARD_CNODE_MOVE:
		decode_move_mutate(inv, false);
		break;
	case WARD_CNODE_MUTATE:
		decode_move_mutate(inv, true);
		break;
	case WARD_CNODE_DELETE:
		decode_delete_revoke(inv, false);
		break;
	case WARD_CNODE_REVOKE:
		decode_delete_revoke(inv, true);
		break;
	default:
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, 0, 0);
	}
}

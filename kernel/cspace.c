/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CSpace: lookup through guarded CNodes, the mapping database (MDB), and
 * delete/revoke. The MDB is seL4's: a doubly linked list of slots in
 * depth-first order of derivation, so a slot's descendants follow it
 * contiguously; revocable caps (untyped children, badged originals, IRQ
 * handlers) may have children, plain copies may not.
 *
 * Deleting the last cap of a CNode must empty that CNode, which may hold
 * the last caps of other CNodes. Instead of recursing (a chain of nested
 * CNodes would overflow the kernel stack), such CNodes join a queue
 * threaded through their slot 0 and are emptied one after another.
 * Everything here runs under the big kernel lock.
 */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/finalise.h>

static uint64_t low_bits(unsigned n)
{
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

enum ward_error cspace_lookup_slot(const struct cap *root, uint64_t cptr, unsigned depth,
                                   struct cte **slot)
{
	const struct cap *node = root;
	unsigned left = depth;

	if (depth < 1 || depth > 64)
		return WARD_ERR_FAILED_LOOKUP;
	/* A single-level CSpace resolves the whole address in one step, as the loop would. */
	if (depth == 64 && (*slot = cspace_lookup_flat(root, cptr)) != NULL)
		return WARD_OK;
	for (;;) {
		unsigned radix = node->bits, guard_bits = node->guard_bits,
		         level = radix + guard_bits;
		if (node->type != WARD_OBJ_CNODE || level > left || radix == 0)
			return WARD_ERR_FAILED_LOOKUP;
		/* The address bits not yet used; the guard is their top guard_bits. */
		uint64_t value = left == 64 ? cptr : cptr & ((1ULL << left) - 1);
		if (guard_bits != 0 && (value >> (left - guard_bits)) != node->word1)
			return WARD_ERR_FAILED_LOOKUP;
		left -= level;
		struct cte *s = (struct cte *)node->obj + ((value >> left) & low_bits(radix));
		if (left == 0) {
			*slot = s;
			return WARD_OK;
		}
		node = &s->cap;
	}
}

enum ward_error cspace_lookup_cap(const struct cap *root, uint64_t cptr, struct cte **slot)
{
	enum ward_error err = WARD_OK;

	if ((*slot = cspace_lookup_flat(root, cptr)) == NULL)
		err = cspace_lookup_slot(root, cptr, 64, slot);
	if (err == WARD_OK && cap_is_null(&(*slot)->cap))
		return WARD_ERR_INVALID_CAPABILITY;
	return err;
}

/* Bytes an object of this cap's type occupies (for untyped region checks). */
static uint64_t object_bytes(const struct cap *c)
{
	switch (c->type) {
	case WARD_OBJ_UNTYPED:
	case WARD_OBJ_FRAME:
	case WARD_OBJ_LARGE_FRAME:
		return 1ULL << c->bits;
	case WARD_OBJ_CNODE:
		return 1ULL << (c->bits + WARD_CNODE_SLOT_SIZE_BITS);
	case WARD_OBJ_TCB:
		return 1ULL << WARD_TCB_SIZE_BITS;
	case WARD_OBJ_ENDPOINT:
		return 1ULL << WARD_ENDPOINT_SIZE_BITS;
	case WARD_OBJ_NOTIFICATION:
		return 1ULL << WARD_NOTIFICATION_SIZE_BITS;
	case WARD_OBJ_REPLY:
		return 1ULL << WARD_REPLY_SIZE_BITS;
	case WARD_OBJ_PML4:
	case WARD_OBJ_PDPT:
		return 1ULL << WARD_PAGE_TABLE_SIZE_BITS;
	case WARD_OBJ_PD:
	case WARD_OBJ_PT:
		return 1ULL << WARD_LEAF_TABLE_SIZE_BITS;
	default:
		return 0;
	}
}

static bool is_memory_object(const struct cap *c)
{
	return c->type > WARD_OBJ_NULL && c->type < WARD_OBJ_RETYPE_COUNT;
}

/* seL4's sameRegionAs: could `b` have been derived from `a`? */
static bool same_region(const struct cap *a, const struct cap *b)
{
	if (a->type == WARD_OBJ_UNTYPED) {
		if (!is_memory_object(b))
			return false;
		uint64_t a_end = a->obj + object_bytes(a), b_end = b->obj + object_bytes(b);
		return b->obj >= a->obj && b_end <= a_end && b_end > b->obj;
	}
	switch (a->type) {
	case WARD_OBJ_IRQ_CONTROL:
		return b->type == WARD_OBJ_IRQ_CONTROL || b->type == WARD_OBJ_IRQ_HANDLER;
	case WARD_OBJ_IOPORT_CONTROL:
		return b->type == WARD_OBJ_IOPORT_CONTROL || b->type == WARD_OBJ_IOPORT;
	case WARD_OBJ_IRQ_HANDLER:
		return b->type == a->type && b->word1 == a->word1;
	case WARD_OBJ_IOPORT:
		return b->type == a->type && b->word1 == a->word1 && b->word2 == a->word2;
	default:
		return b->type == a->type && b->obj == a->obj;
	}
}

bool cap_same_object(const struct cap *a, const struct cap *b)
{
	if (a->type == WARD_OBJ_UNTYPED)
		return b->type == WARD_OBJ_UNTYPED && a->obj == b->obj && a->bits == b->bits;
	if (a->type == WARD_OBJ_IRQ_CONTROL || a->type == WARD_OBJ_IOPORT_CONTROL)
		return b->type == a->type;
	return same_region(a, b);
}

bool mdb_is_parent_of(const struct cte *parent, const struct cte *child)
{
	const struct cap *a = &parent->cap;

	if (!(parent->mdb_flags & MDB_REVOCABLE) || !same_region(a, &child->cap))
		return false;
	if (a->type == WARD_OBJ_ENDPOINT || a->type == WARD_OBJ_NOTIFICATION) {
		/* A badged original is parent only of copies with its badge. */
		if (a->word1 == 0)
			return true;
		return a->word1 == child->cap.word1 && !(child->mdb_flags & MDB_FIRST_BADGED);
	}
	return true;
}

void cspace_insert(struct cte *parent, struct cte *dest, struct cap cap, uint64_t mdb_flags)
{
	dest->cap = cap;
	dest->mdb_flags = mdb_flags;
	dest->mdb_prev = parent;
	dest->mdb_next = parent != NULL ? parent->mdb_next : NULL;
	if (dest->mdb_next != NULL)
		dest->mdb_next->mdb_prev = dest;
	if (parent != NULL)
		parent->mdb_next = dest;
}

void cspace_move(struct cte *src, struct cte *dest, struct cap cap)
{
	dest->cap = cap;
	dest->mdb_flags = src->mdb_flags;
	dest->mdb_prev = src->mdb_prev;
	dest->mdb_next = src->mdb_next;
	if (dest->mdb_prev != NULL)
		dest->mdb_prev->mdb_next = dest;
	if (dest->mdb_next != NULL)
		dest->mdb_next->mdb_prev = dest;
	src->cap = cap_null();
	src->mdb_prev = src->mdb_next = NULL;
	src->mdb_flags = 0;
	finalise_cap_moved(&cap, src, dest);
}

bool cspace_is_final(const struct cte *slot)
{
	const struct cte *p = slot->mdb_prev, *n = slot->mdb_next;

	return !(p != NULL && cap_same_object(&p->cap, &slot->cap)) &&
	       !(n != NULL && cap_same_object(&n->cap, &slot->cap));
}

bool cspace_has_children(const struct cte *slot)
{
	return slot->mdb_next != NULL && mdb_is_parent_of(slot, slot->mdb_next);
}

static void unlink(struct cte *slot)
{
	if (slot->mdb_prev != NULL)
		slot->mdb_prev->mdb_next = slot->mdb_next;
	if (slot->mdb_next != NULL)
		slot->mdb_next->mdb_prev = slot->mdb_prev;
	slot->mdb_prev = slot->mdb_next = NULL;
	slot->mdb_flags = 0;
	slot->cap = cap_null();
}

/*
 * CNodes whose last cap is gone and whose slots still hold caps. An entry
 * is the CNode's address with its radix in the low bits (a CNode is at
 * least 128-byte aligned); the link to the next entry lives in slot 0.
 */
static uint64_t dying_head, dying_tail;
static bool draining;

void cnode_schedule_destroy(struct cte *cnode, unsigned radix)
{
	uint64_t entry = (uint64_t)cnode | radix;

	cnode[0].dying_next = 0;
	if (dying_tail != 0)
		((struct cte *)(dying_tail & ~0x7fULL))[0].dying_next = entry;
	else
		dying_head = entry;
	dying_tail = entry;
}

/* Empties queued CNodes; deletions inside may queue more, never recurse. */
static void drain_dying(void)
{
	draining = true;
	while (dying_head != 0) {
		struct cte *cnode = (struct cte *)(dying_head & ~0x7fULL);
		unsigned radix = dying_head & 0x7f;
		for (uint64_t i = 0; i < (1ULL << radix); i++)
			cspace_delete(&cnode[i]);
		dying_head = cnode[0].dying_next;
		if (dying_head == 0)
			dying_tail = 0;
	}
	draining = false;
}

/* The cap Mint badged from an unbadged one: its badge's revocable original. */
static bool is_badged_original(const struct cte *slot)
{
	return (slot->mdb_flags & MDB_FIRST_BADGED) && slot->cap.type == WARD_OBJ_ENDPOINT &&
	       slot->cap.word1 != 0;
}

void cspace_delete(struct cte *slot)
{
	struct cap cap = slot->cap;
	bool final, badged_original;

	if (cap_is_null(&cap))
		return;
	final = cspace_is_final(slot);
	badged_original = is_badged_original(slot);
	unlink(slot);
	if (badged_original && !final) /* final: every queued message is cancelled anyway */
		endpoint_cancel_badged_sends((struct endpoint *)cap.obj, cap.word1);
	finalise_cap(slot, &cap, final);
	if (!draining)
		drain_dying();
}

void cspace_revoke(struct cte *slot)
{
	while (slot->mdb_next != NULL && mdb_is_parent_of(slot, slot->mdb_next))
		cspace_delete(slot->mdb_next);
	if (is_badged_original(slot))
		endpoint_cancel_badged_sends((struct endpoint *)slot->cap.obj, slot->cap.word1);
}

bool cap_derive(const struct cap *src, struct cap *out)
{
	*out = *src;
	switch (src->type) {
	case WARD_OBJ_NULL:
	case WARD_OBJ_UNTYPED: /* its free index lives in the cap: one cap per region */
	case WARD_OBJ_PDPT:
	case WARD_OBJ_PD:
	case WARD_OBJ_PT:
	case WARD_OBJ_REPLY:
		return false;
	case WARD_OBJ_FRAME:
	case WARD_OBJ_LARGE_FRAME:
		out->word1 = out->word2 = 0; /* a copy starts unmapped */
		return true;
	default:
		return true;
	}
}

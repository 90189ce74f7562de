/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Untyped memory and Retype, the only way objects come to exist. An
 * untyped cap records how much of its region is used (word1); when it has
 * no children left (after Revoke) the whole region is free again. Device
 * untyped (MMIO, firmware) can only become device frames or smaller
 * device untyped, and is never zeroed. Big kernel lock.
 */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/invocation.h>
#include <kernel/printf.h>
#include <kernel/tcb.h>
#include <kernel/untyped.h>
#include <kernel/vspace_objects.h>
#include <ward/invocation.h>
#include <ward/object.h>

#define RETYPE_MAX_OBJECTS 256

/* log2 size of one object, or 0 if the type/size pair is invalid. */
static unsigned object_size_bits(uint64_t type, uint64_t size_bits)
{
	switch (type) {
	case WARD_OBJ_UNTYPED:
		return size_bits >= WARD_UNTYPED_MIN_BITS && size_bits <= WARD_UNTYPED_MAX_BITS
		               ? size_bits
		               : 0;
	case WARD_OBJ_CNODE:
		return size_bits >= 1 && size_bits <= WARD_CNODE_MAX_RADIX
		               ? size_bits + WARD_CNODE_SLOT_SIZE_BITS
		               : 0;
	case WARD_OBJ_TCB:
		return WARD_TCB_SIZE_BITS;
	case WARD_OBJ_ENDPOINT:
		return WARD_ENDPOINT_SIZE_BITS;
	case WARD_OBJ_NOTIFICATION:
		return WARD_NOTIFICATION_SIZE_BITS;
	case WARD_OBJ_REPLY:
		return WARD_REPLY_SIZE_BITS;
	case WARD_OBJ_FRAME:
		return WARD_FRAME_SIZE_BITS;
	case WARD_OBJ_LARGE_FRAME:
		return WARD_LARGE_FRAME_SIZE_BITS;
	case WARD_OBJ_PML4:
	case WARD_OBJ_PDPT:
		return WARD_PAGE_TABLE_SIZE_BITS;
	case WARD_OBJ_PD:
	case WARD_OBJ_PT:
		return WARD_LEAF_TABLE_SIZE_BITS;
	default:
		return 0;
	}
}

static struct cap new_object_cap(uint64_t type, uint64_t obj, uint64_t size_bits, bool device)
{
	struct cap c = {.type = (uint8_t)type, .rights = WARD_RIGHTS_ALL, .obj = obj};

	if (type == WARD_OBJ_UNTYPED || type == WARD_OBJ_FRAME || type == WARD_OBJ_LARGE_FRAME)
		c.bits = (uint8_t)object_size_bits(type, size_bits);
	if (type == WARD_OBJ_CNODE)
		c.bits = (uint8_t)size_bits;
	if (device)
		c.flags = CAP_FLAG_DEVICE;
	return c;
}

static void init_object(uint64_t type, uint64_t obj, unsigned bits, bool device)
{
	if (!device)
		__builtin_memset((void *)obj, 0, 1ULL << bits);
	if (type == WARD_OBJ_TCB)
		tcb_init((struct tcb *)obj);
	if (type == WARD_OBJ_PML4)
		vspace_init_root(obj);
}

/* Checks the destination: slots [offset, offset + count) of a CNode, all empty. */
static struct cte *decode_dest(struct invocation *inv, uint64_t offset, uint64_t count)
{
	struct cte *root = inv_extra(inv, 0, WARD_OBJ_CNODE), *node;

	if (root == NULL)
		return NULL;
	node = root;
	if (inv_mr(inv, 3) != 0 &&
	    inv_lookup_dest(inv, root, inv_mr(inv, 2), inv_mr(inv, 3), 2, &node) != WARD_OK)
		return NULL;
	if (node->cap.type != WARD_OBJ_CNODE) {
		inv_error(inv, WARD_ERR_INVALID_CAPABILITY, 2, WARD_OBJ_CNODE, 0);
		return NULL;
	}
	uint64_t slots = 1ULL << node->cap.bits;
	if (offset >= slots || count > slots - offset) {
		inv_error(inv, WARD_ERR_RANGE, 4, 0, slots - 1);
		return NULL;
	}
	struct cte *base = (struct cte *)node->cap.obj + offset;
	for (uint64_t i = 0; i < count; i++)
		if (!cap_is_null(&base[i].cap)) {
			inv_error(inv, WARD_ERR_DELETE_FIRST, 4, offset + i, offset + i);
			return NULL;
		}
	return base;
}

void decode_untyped(struct invocation *inv)
{
	struct cap *ut = &inv->slot->cap;
	bool device = ut->flags & CAP_FLAG_DEVICE;
	uint64_t type, size_bits, count, used, start, room;
	unsigned bits;
	struct cte *dest;

	if (inv->label != WARD_UNTYPED_RETYPE) {
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, 0, 0);
		return;
	}
	if (!inv_need(inv, 6))
		return;
	type = inv_mr(inv, 0);
	size_bits = inv_mr(inv, 1);
	count = inv_mr(inv, 5);
	if (type == WARD_OBJ_NULL || type >= WARD_OBJ_RETYPE_COUNT) {
		inv_error(inv, WARD_ERR_INVALID_ARGUMENT, 0, 1, WARD_OBJ_RETYPE_COUNT - 1);
		return;
	}
	if ((bits = object_size_bits(type, size_bits)) == 0) {
		inv_error(inv, WARD_ERR_RANGE, 1,
		          type == WARD_OBJ_CNODE ? 1 : WARD_UNTYPED_MIN_BITS,
		          type == WARD_OBJ_CNODE ? WARD_CNODE_MAX_RADIX : WARD_UNTYPED_MAX_BITS);
		return;
	}
	if (device && type != WARD_OBJ_FRAME && type != WARD_OBJ_LARGE_FRAME &&
	    type != WARD_OBJ_UNTYPED) {
		inv_error(inv, WARD_ERR_INVALID_ARGUMENT, 0, WARD_OBJ_FRAME, WARD_OBJ_LARGE_FRAME);
		return;
	}
	if (count == 0 || count > RETYPE_MAX_OBJECTS) {
		inv_error(inv, WARD_ERR_RANGE, 5, 1, RETYPE_MAX_OBJECTS);
		return;
	}
	if ((dest = decode_dest(inv, inv_mr(inv, 4), count)) == NULL)
		return;
	if (type == WARD_OBJ_PML4 && !vspace_asids_available(count)) {
		inv_error(inv, WARD_ERR_NOT_ENOUGH_MEMORY, 5, 0, VSPACE_MAX_ASIDS);
		return;
	}
	/* No children left: the whole region is free again. */
	used = cspace_has_children(inv->slot) ? ut->word1 : 0;
	if (!untyped_fit(used, ut->bits, bits, count, &start, &room)) {
		inv_error(inv, WARD_ERR_NOT_ENOUGH_MEMORY, 5, 0, room);
		return;
	}
	for (uint64_t i = 0; i < count; i++) {
		uint64_t obj = ut->obj + start + (i << bits);
		struct cap cap = new_object_cap(type, obj, size_bits, device);
		init_object(type, obj, bits, device);
		if (type == WARD_OBJ_PML4)
			vspace_assign_asid(&cap);
		cspace_insert(inv->slot, &dest[i], cap, MDB_REVOCABLE | MDB_FIRST_BADGED);
	}
	ut->word1 = start + (count << bits);
}

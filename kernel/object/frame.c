/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Frames: 4 KiB and 2 MiB pages of RAM, or of MMIO when retyped from
 * device untyped (then mapped uncached, and never touched by the kernel).
 *
 * A frame cap maps at most once: Map records (ASID, virtual address) in the
 * cap's word1/word2, and mapping it again at the same place only changes
 * the rights. To map a frame twice, copy the cap: a copy starts unmapped.
 * Unmap, and deleting the cap, remove the mapping only if it is still the
 * one the cap made: the ASID's generation is current, the entry still
 * names this frame, and the entry's shadow names the cap's slot (a moved
 * cap takes its mapping along). Everything here runs under the big kernel
 * lock.
 */
#include <kernel/invocation.h>
#include <kernel/vspace_objects.h>
#include <ward/invocation.h>
#include <ward/syscall.h>
#include "memory_layout.h"
#include "pagetable.h"

#define FRAME_MAP_RIGHTS (WARD_RIGHT_READ | WARD_RIGHT_WRITE | WARD_RIGHT_EXECUTE)

static unsigned frame_level(const struct cap *frame)
{
	return frame->type == WARD_OBJ_LARGE_FRAME ? PT_LEVEL_PD : PT_LEVEL_PT;
}

static uint64_t frame_phys(const struct cap *frame)
{
	return pagetable_phys(frame->obj);
}

static bool frame_is_mapped(const struct cap *frame)
{
	return frame->word1 != 0; /* ASID words are never 0: ASID index 0 is never assigned */
}

/*
 * The entry the frame's record names, if it is still the mapping the cap in
 * `slot` made (pagetable.h: the shadow names the slot); NULL if the record
 * is stale, whatever maps there now.
 */
static pte_t *own_entry(const struct cap *frame, const struct cte *slot, uint64_t *root)
{
	unsigned level = frame_level(frame), at;
	pte_t *entry;

	if (!frame_is_mapped(frame) || (*root = vspace_asid_root(frame->word1)) == 0 ||
	    pagetable_find(*root, frame->word2, level, &entry, &at) != PAGETABLE_OK ||
	    !pte_is_page(*entry, level) || pte_address(*entry, level) != frame_phys(frame) ||
	    *pte_owner(entry) != (uint64_t)slot)
		return NULL;
	return entry;
}

void frame_unmap(struct cap *frame, const struct cte *slot)
{
	uint64_t root;
	pte_t *entry = own_entry(frame, slot, &root);

	if (entry != NULL) {
		pte_store(entry, 0);
		*pte_owner(entry) = 0;
		vspace_flush_tlb(root, frame->word2, false);
	}
	frame->word1 = frame->word2 = 0;
}

void frame_moved(const struct cap *frame, const struct cte *from, const struct cte *to)
{
	uint64_t root;
	pte_t *entry = own_entry(frame, from, &root);

	if (entry != NULL)
		*pte_owner(entry) = (uint64_t)to;
}

/*
 * The attributes Map asks for (MR1), masked by the cap's rights: write and
 * execute only if the cap has them too. x86 has no unreadable present page
 * (SDM Vol. 3A §4.6), so READ must be asked for and held.
 */
static bool decode_map_rights(struct invocation *inv, const struct cap *frame, unsigned *attrs)
{
	uint64_t asked = inv_mr(inv, 1);
	unsigned granted;

	if ((asked & ~(uint64_t)FRAME_MAP_RIGHTS) != 0 || !(asked & WARD_RIGHT_READ)) {
		inv_error(inv, WARD_ERR_INVALID_ARGUMENT, 1, WARD_RIGHT_READ, FRAME_MAP_RIGHTS);
		return false;
	}
	if (!(frame->rights & WARD_RIGHT_READ)) {
		inv_error(inv, WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_CAP, WARD_RIGHT_READ,
		          frame->rights);
		return false;
	}
	granted = (unsigned)asked & frame->rights;
	*attrs = PAGE_READ | ((granted & WARD_RIGHT_WRITE) ? PAGE_WRITE : 0) |
	         ((granted & WARD_RIGHT_EXECUTE) ? PAGE_EXEC : 0) |
	         ((frame->flags & CAP_FLAG_DEVICE) ? PAGE_UNCACHED : 0);
	return true;
}

/* Checks the address (MR0) against the frame's size and the user half. */
static bool decode_map_address(struct invocation *inv, const struct cap *frame, uint64_t va)
{
	uint64_t size = pagetable_page_size(frame_level(frame));

	if (va & (size - 1)) {
		inv_error(inv, WARD_ERR_ALIGNMENT, 0, size, 0);
		return false;
	}
	if (va > USER_TOP - size) {
		inv_error(inv, WARD_ERR_RANGE, 0, 0, USER_TOP - size);
		return false;
	}
	return true;
}

/* Writes the entry and its owner; a remap changes a live one, so translations of it go. */
static void invoke_frame_map(struct cte *slot, uint64_t root, pte_t *entry, uint64_t asid,
                             uint64_t va, unsigned attrs)
{
	struct cap *frame = &slot->cap;
	bool remap = pte_present(*entry);

	pte_store(entry, pte_make_page(frame_phys(frame), frame_level(frame), attrs));
	*pte_owner(entry) = (uint64_t)slot;
	if (remap)
		vspace_flush_tlb(root, va, false);
	frame->word1 = asid;
	frame->word2 = va;
}

static void decode_frame_map(struct invocation *inv)
{
	struct cap *frame = &inv->slot->cap;
	uint64_t va, asid, root;
	unsigned attrs, at;
	pte_t *entry;

	if (!inv_need(inv, 2) || !vspace_decode_root(inv, &asid, &root))
		return;
	va = inv_mr(inv, 0);
	if (!decode_map_rights(inv, frame, &attrs) || !decode_map_address(inv, frame, va))
		return;
	if (frame_is_mapped(frame) && (frame->word1 != asid || frame->word2 != va)) {
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_CAP, frame->word2, 0);
		return;
	}
	switch (pagetable_page_slot(root, va, frame_level(frame), frame_phys(frame), &entry, &at)) {
	case PAGETABLE_OK:
		break;
	case PAGETABLE_MISSING:
		inv_error(inv, WARD_ERR_FAILED_LOOKUP, 0, at, 0);
		return;
	default:
		inv_error(inv, WARD_ERR_DELETE_FIRST, 0, at, 0);
		return;
	}
	/*
	 * Only this cap's own mapping may be rewritten (to change its rights);
	 * another copy's mapping of the same frame here is not, even when this
	 * cap's record names the place but went stale (pagetable.h).
	 */
	if (pte_present(*entry) && *pte_owner(entry) != (uint64_t)inv->slot) {
		inv_error(inv, WARD_ERR_DELETE_FIRST, 0, at, 0);
		return;
	}
	invoke_frame_map(inv->slot, root, entry, asid, va, attrs);
}

void decode_frame(struct invocation *inv)
{
	switch (inv->label) {
	case WARD_FRAME_MAP:
		decode_frame_map(inv);
		break;
	case WARD_FRAME_UNMAP:
		frame_unmap(&inv->slot->cap, inv->slot);
		break;
	case WARD_FRAME_GET_ADDRESS:
		inv_reply_mr(inv, 0, frame_phys(&inv->slot->cap));
		break;
	default:
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, 0, 0);
		break;
	}
}

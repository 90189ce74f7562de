/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Frames: 4 KiB and 2 MiB pages of RAM, or of MMIO when retyped from
 * device untyped (then mapped uncached, and never touched by the kernel).
 *
 * A frame cap maps at most once: Map records (ASID, virtual address) in the
 * cap's word1/word2, and mapping it again at the same place only changes
 * the rights. To map a frame twice, copy the cap: a copy starts unmapped.
 * Unmap, and deleting the cap, remove the mapping only if it is still the
 * one the cap made: the ASID's generation is current and the entry still
 * names this frame. Everything here runs under the big kernel lock.
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

void frame_unmap(struct cap *frame)
{
	uint64_t root;

	if (!frame_is_mapped(frame))
		return;
	root = vspace_asid_root(frame->word1);
	if (root != 0 &&
	    pagetable_unmap_page(root, frame->word2, frame_level(frame), frame_phys(frame)))
		vspace_flush_tlb(root, frame->word2, false);
	frame->word1 = frame->word2 = 0;
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

/* Writes the entry; a remap changes a live one, so translations of it go. */
static void invoke_frame_map(struct cap *frame, uint64_t root, pte_t *entry, uint64_t asid,
                             uint64_t va, unsigned attrs)
{
	bool remap = pte_present(*entry);

	pte_store(entry, pte_make_page(frame_phys(frame), frame_level(frame), attrs));
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
	/* Another copy's mapping of this frame is not this cap's to change. */
	if (!frame_is_mapped(frame) && pte_present(*entry)) {
		inv_error(inv, WARD_ERR_DELETE_FIRST, 0, at, 0);
		return;
	}
	invoke_frame_map(frame, root, entry, asid, va, attrs);
}

void decode_frame(struct invocation *inv)
{
	switch (inv->label) {
	case WARD_FRAME_MAP:
		decode_frame_map(inv);
		break;
	case WARD_FRAME_UNMAP:
		frame_unmap(&inv->slot->cap);
		break;
	case WARD_FRAME_GET_ADDRESS:
		inv_reply_mr(inv, 0, frame_phys(&inv->slot->cap));
		break;
	default:
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, 0, 0);
		break;
	}
}

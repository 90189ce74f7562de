/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CNodes lent with buffers (BUFFER_CNODE): getting CPU access to a buffer
 * costs one round trip, not one per frame. The server copies every frame
 * cap of the buffer into a CNode of its own and replies with that CNode's
 * cap; the kernel gives the client a copy (a child of the server's cap).
 * The client copies the frames out of it into its own CSpace (CNode Copy
 * with the lent CNode as source root) and maps them.
 *
 * Revocation stays sound: every frame cap the client can reach descends
 * from the server's original (copied into the lent CNode, then out of
 * it), so FREE_BUFFER's Revoke of the originals takes them all, and their
 * CPU mappings. Each lent CNode is the only object made from a small
 * untyped of its own; taking it back revokes that untyped, which deletes
 * the CNode with everything in it (caps the client may have put there
 * too) and every copy of its cap, and leaves the untyped ready for the
 * next CNode. A client that dies loses only its copies: the memory and
 * the originals are the server's.
 */
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/startinfo.h>

#include "iommu_state.h"

#define LEND_MAX       16 /* CNodes lent at once, over all clients */
#define LEND_MIN_RADIX 4  /* 16 slots: a buffer of 2 MiB frames has at most 16 */
#define LEND_MAX_RADIX 9  /* 512 slots: a buffer of 4 KiB frames has at most 512 */

struct lend {
	uint64_t untyped; /* root slot: the untyped the CNode is made from, 0: not made */
	uint64_t cnode;   /* root slot of the CNode while lent */
	unsigned radix;
	bool busy;
};

static struct lend lends[LEND_MAX];

static unsigned radix_for(unsigned frames)
{
	unsigned r = LEND_MIN_RADIX;

	while ((1U << r) < frames && r < LEND_MAX_RADIX)
		r++;
	return r;
}

/* A free entry whose untyped holds a CNode of radix r (the smallest such), or a new one. */
static int lend_pick(unsigned r)
{
	int best = -1, fresh = -1;

	for (int i = 0; i < LEND_MAX; i++) {
		const struct lend *l = &lends[i];

		if (l->untyped == 0 && fresh < 0)
			fresh = i;
		if (l->untyped != 0 && !l->busy && l->radix >= r &&
		    (best < 0 || l->radix < lends[best].radix))
			best = i;
	}
	if (best >= 0 || fresh < 0)
		return best;
	lends[fresh].untyped = mem_root_slot();
	lends[fresh].cnode = mem_root_slot();
	lends[fresh].radix = r;
	if (lends[fresh].untyped == 0 || lends[fresh].cnode == 0 ||
	    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_UNTYPED,
	                        r + WARD_CNODE_SLOT_SIZE_BITS, WARD_PROC_CAP_CNODE, 0, 0,
	                        lends[fresh].untyped, 1) != WARD_OK) {
		lends[fresh].untyped = 0; /* the slots are leaked: never expected */
		return -1;
	}
	return fresh;
}

int lend_take(unsigned frames)
{
	int i = frames <= (1U << LEND_MAX_RADIX) ? lend_pick(radix_for(frames)) : -1;

	if (i < 0 || ward_untyped_retype(lends[i].untyped, WARD_OBJ_CNODE, lends[i].radix,
	                                 WARD_PROC_CAP_CNODE, 0, 0, lends[i].cnode, 1) != WARD_OK)
		return -1;
	lends[i].busy = true;
	return i;
}

bool lend_put(int l, unsigned i, uint32_t idx)
{
	return mem_copy_into(idx, lends[l].cnode, i, lends[l].radix);
}

uint64_t lend_cnode(unsigned l, unsigned *radix)
{
	*radix = lends[l].radix;
	return lends[l].cnode;
}

void lend_return(unsigned l)
{
	ward_cnode_revoke(WARD_PROC_CAP_CNODE, lends[l].untyped, 64);
	lends[l].busy = false;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CSpace: capability addressing, the mapping database, delete and revoke.
 *
 * Addressing is seL4's guarded radix tree: a CNode cap with radix r and a
 * guard of g bits consumes g + r bits of the address; the walk continues
 * through CNode caps until `depth` bits are used. Syscalls look caps up
 * with depth 64.
 */
#ifndef KERNEL_CSPACE_H
#define KERNEL_CSPACE_H

#include <stdint.h>
#include <kernel/cap.h>
#include <ward/errors.h>

/* Where a lookup failed: for the error reply (MR1 = bits left, MR2 = depth). */
struct lookup_fault {
	unsigned bits_left;
	unsigned depth;
};

/*
 * Resolves `cptr` (depth bits) from the CNode cap `root` to a slot.
 * Errors: WARD_ERR_FAILED_LOOKUP (guard mismatch, not a CNode on the way,
 * depth out of range). Nothing changes.
 */
enum ward_error cspace_lookup_slot(const struct cap *root, uint64_t cptr, unsigned depth,
                                   struct cte **slot);

/*
 * The common case, inline: a depth-64 address in a single-level CSpace
 * whose root guard and radix use all 64 bits. NULL means "not this case"
 * (the caller then takes cspace_lookup_slot), never a failed lookup.
 */
__attribute__((always_inline)) static inline struct cte *cspace_lookup_flat(const struct cap *root,
                                                                            uint64_t cptr)
{
	/* A CNode cap's radix is 1..WARD_CNODE_MAX_RADIX by construction (Retype). */
	unsigned radix = root->bits;

	if (!(root->flags & CAP_FLAG_FLAT_CNODE) || (cptr >> radix) != root->word1)
		return NULL;
	/* The guard matched: the index is what lies below it. */
	struct cte *slot = (struct cte *)root->obj + (cptr ^ (root->word1 << radix));
	/* A CNode lies in the kernel's half: callers' NULL tests fold away here. */
	if (slot == NULL)
		__builtin_unreachable();
	return slot;
}

/* As cspace_lookup_slot with depth 64, for a non-empty slot. */
enum ward_error cspace_lookup_cap(const struct cap *root, uint64_t cptr, struct cte **slot);

/* Inserts `cap` into the empty slot `dest` as a child of `parent` in the MDB. */
void cspace_insert(struct cte *parent, struct cte *dest, struct cap cap, uint64_t mdb_flags);

/* Moves a slot's cap and MDB position to the empty slot `dest`. */
void cspace_move(struct cte *src, struct cte *dest, struct cap cap);

/* True if no other capability names the same object as `slot`. */
bool cspace_is_final(const struct cte *slot);

/* True if the MDB shows children under `slot`. */
bool cspace_has_children(const struct cte *slot);

/*
 * Deletes the cap in `slot` (finalising its object when this was the last
 * cap). Never fails; nested CNodes are emptied iteratively, never by
 * unbounded recursion.
 */
void cspace_delete(struct cte *slot);

/* Deletes every descendant of `slot` in the MDB; the slot itself stays. */
void cspace_revoke(struct cte *slot);

/*
 * The cap a copy of `src` gets (CNode Copy, IPC transfer): frames lose
 * their mapping; untyped, PDPT/PD/PT and reply objects cannot be
 * copied (false).
 */
bool cap_derive(const struct cap *src, struct cap *out);

/* Same object (or same region, for untyped parents) as used by the MDB. */
bool cap_same_object(const struct cap *a, const struct cap *b);

/* For the host tests: is `child` a descendant-relation child of `parent`? */
bool mdb_is_parent_of(const struct cte *parent, const struct cte *child);

#endif

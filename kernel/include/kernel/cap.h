/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capabilities and the slots that hold them.
 *
 * A capability names one object (or a range of kernel-held authority) with
 * rights. Slots (struct cte) live in CNodes and TCBs; each also carries its
 * node in the mapping database (MDB), seL4's derivation tree stored as a
 * doubly linked list in depth-first order: a slot's descendants follow it
 * directly. Revoke deletes that run; a capability is final when neither
 * neighbour names the same object. All of it is guarded by the big kernel
 * lock.
 */
#ifndef KERNEL_CAP_H
#define KERNEL_CAP_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/object.h>

#define CAP_FLAG_DEVICE     0x1 /* untyped/frame: device memory (uncached, never zeroed) */
/*
 * CNode: radix + guard bits = 64, so a depth-64 address resolves in this one
 * node (cspace_lookup_flat). Set and cleared only where a CNode cap's guard
 * is set, so no cap of another type has it: the flag alone names the case.
 */
#define CAP_FLAG_FLAT_CNODE 0x2

struct cap {
	uint8_t type;       /* enum ward_object_type */
	uint8_t rights;     /* WARD_RIGHT_* */
	uint8_t bits;       /* untyped/object size bits; CNode radix */
	uint8_t guard_bits; /* CNode */
	uint32_t flags;     /* CAP_FLAG_* */
	uint64_t obj;       /* kernel virtual address of the object (0: none) */
	uint64_t word1;     /* badge; CNode guard; untyped used bytes; ASID; vector; first port */
	uint64_t word2;     /* mapped virtual address; last port; PML4: physical address */
};
_Static_assert(sizeof(struct cap) == 32, "cap is four words");

#define MDB_REVOCABLE    0x1 /* may have children (Retype/boot caps, badged originals, IRQ, ports) */
#define MDB_FIRST_BADGED 0x2 /* the first cap carrying its badge: parent of its copies */

struct cte {
	struct cap cap;
	struct cte *mdb_prev;
	struct cte *mdb_next;
	uint64_t mdb_flags;
	uint64_t dying_next; /* slot 0 of a CNode being emptied: the next one | its radix */
};
_Static_assert(sizeof(struct cte) == (1 << WARD_CNODE_SLOT_SIZE_BITS), "slot size");

static inline bool cap_is_null(const struct cap *c)
{
	return c->type == WARD_OBJ_NULL;
}

static inline struct cap cap_null(void)
{
	return (struct cap){0};
}

#endif

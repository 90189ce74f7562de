/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address spaces: PML4s (VSpace roots) with their address-space IDs, and
 * the paging structures below them (PDPT, PD, PT).
 *
 * Each PML4 gets an ASID when it is retyped: an index into asid_table and
 * the index's generation, together the word kept in cap word1. Mapped
 * frames and tables record (ASID, virtual address) in their caps, and
 * every later use of that record looks the ASID up first: when the PML4's
 * last cap goes, the generation moves on, so the records of everything
 * that was mapped into it go stale at once and never reach that memory
 * again, whatever it has become.
 *
 * A paging structure, like a frame, maps at most once. Unmapping it
 * through its cap unlinks it and empties it: frames mapped through it
 * would otherwise stay reachable wherever the table is mapped next, while
 * their caps' records point elsewhere and could no longer remove them.
 *
 * The kernel half (PML4 slots 256..511) is shared by every VSpace and is
 * supervisor-only; user mappings have U at every level. Everything here
 * runs under the big kernel lock.
 */
#include <kernel/invocation.h>
#include <kernel/platform.h>
#include <kernel/printf.h>
#include <kernel/vspace_objects.h>
#include <ward/invocation.h>
#include <ward/syscall.h>
#include "cpu.h"
#include "ipi.h"
#include "memory_layout.h"
#include "pagetable.h"
#include "vspace.h"

#define ASID_INDEX_BITS 16
#define ASID_INDEX_MASK ((1ULL << ASID_INDEX_BITS) - 1)

_Static_assert(VSPACE_MAX_ASIDS <= (1ULL << ASID_INDEX_BITS), "ASID index fits its field");

struct asid_entry {
	uint64_t pml4;       /* kernel VA of the PML4 holding this ASID; 0: free */
	uint64_t generation; /* bumped when the PML4 goes: older words are stale */
};

/* Index 0 is never assigned, so an ASID word is never 0 ("not mapped" in a cap). */
static struct asid_entry asid_table[VSPACE_MAX_ASIDS];
static uint64_t asids_used;
static unsigned asid_next = 1; /* where the search for a free index starts */

static struct asid_entry *asid_lookup(uint64_t asid)
{
	uint64_t index = asid & ASID_INDEX_MASK;
	struct asid_entry *e;

	if (index == 0 || index >= VSPACE_MAX_ASIDS)
		return NULL;
	e = &asid_table[index];
	if (e->pml4 == 0 || e->generation != asid >> ASID_INDEX_BITS)
		return NULL;
	return e;
}

uint64_t vspace_asid_root(uint64_t asid)
{
	struct asid_entry *e = asid_lookup(asid);

	return e != NULL ? pagetable_phys(e->pml4) : 0;
}

bool vspace_asids_available(uint64_t count)
{
	return count <= VSPACE_MAX_ASIDS - 1 - asids_used;
}

void vspace_assign_asid(struct cap *pml4_cap)
{
	for (unsigned n = 0; n < VSPACE_MAX_ASIDS; n++) {
		unsigned index = asid_next;
		asid_next = asid_next + 1 < VSPACE_MAX_ASIDS ? asid_next + 1 : 1;
		if (index == 0 || asid_table[index].pml4 != 0)
			continue;
		asid_table[index].pml4 = pml4_cap->obj;
		asids_used++;
		pml4_cap->word1 = (asid_table[index].generation << ASID_INDEX_BITS) | index;
		pml4_cap->word2 = pagetable_phys(pml4_cap->obj); /* for the exit to user mode */
		return;
	}
	panic("no free ASID: Retype must check vspace_asids_available() first");
}

/*
 * The last cap of a PML4 is gone: its ASID's generation moves on, so every
 * record of a mapping into it is stale from now on. The records can no
 * longer reach its TLB entries, so before the memory can be retyped (once
 * the big lock is released) every CPU still on the space leaves it, which
 * drops those entries with the CR3 switch.
 */
static void asid_release(const struct cap *pml4_cap)
{
	struct asid_entry *e = asid_lookup(pml4_cap->word1);

	if (e == NULL || e->pml4 != pml4_cap->obj)
		return;
	e->pml4 = 0;
	e->generation++;
	asids_used--;
}

void vspace_init_root(uint64_t pml4)
{
	pagetable_init_root(pagetable_phys(pml4), vspace_kernel_root());
}

uint64_t vspace_root_phys(const struct cap *vspace)
{
	struct asid_entry *e;

	if (vspace->type != WARD_OBJ_PML4 || (e = asid_lookup(vspace->word1)) == NULL ||
	    e->pml4 != vspace->obj)
		return 0;
	return pagetable_phys(vspace->obj);
}

void vspace_flush_tlb(uint64_t root, uint64_t va, bool all)
{
	/* Without PCIDs only CPUs on this VSpace hold its translations (ipi.c). */
	tlb_shootdown(~0ULL, root, va, all);
}

/* The level of the table a paging-structure cap names: 3 PDPT, 2 PD, 1 PT; 0 otherwise. */
static unsigned table_level(const struct cap *table)
{
	switch (table->type) {
	case WARD_OBJ_PDPT:
		return PT_LEVEL_PDPT;
	case WARD_OBJ_PD:
		return PT_LEVEL_PD;
	case WARD_OBJ_PT:
		return PT_LEVEL_PT;
	default:
		return 0;
	}
}

/*
 * Unlinks the table the cap records as mapped, if that link still exists,
 * and marks the cap unmapped. `empty` also clears the table's entries (for
 * Unmap; a table being destroyed is unreachable once unlinked).
 */
static void table_unmap(struct cap *table, bool empty)
{
	uint64_t root, phys = pagetable_phys(table->obj);

	if (table->word1 == 0)
		return;
	root = vspace_asid_root(table->word1);
	if (root != 0 && pagetable_unmap_table(root, table->word2, table_level(table), phys))
		vspace_flush_tlb(root, 0,
		                 true); /* a whole subtree: drop every translation (§4.10.4.1) */
	if (empty)
		pagetable_clear(phys);
	table->word1 = table->word2 = 0;
}

/* A link to a table that was not present needs no flush (SDM Vol. 3A §4.10.4.3). */
static void invoke_table_map(struct cap *table, pte_t *entry, uint64_t asid, uint64_t va)
{
	pte_store(entry, pte_make_table(pagetable_phys(table->obj)));
	table->word1 = asid;
	table->word2 = va;
}

bool vspace_decode_root(struct invocation *inv, uint64_t *asid, uint64_t *root)
{
	struct cte *vspace = inv_extra(inv, 0, WARD_OBJ_PML4);

	if (vspace == NULL)
		return false;
	*asid = vspace->cap.word1;
	if ((*root = vspace_asid_root(*asid)) == 0) {
		inv_error(inv, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0, WARD_OBJ_PML4, 0);
		return false;
	}
	return true;
}

static void decode_table_map(struct invocation *inv)
{
	struct cap *table = &inv->slot->cap;
	unsigned level = table_level(table), at;
	uint64_t va, asid, root;
	pte_t *entry;

	if (!inv_need(inv, 1) || !vspace_decode_root(inv, &asid, &root))
		return;
	va = inv_mr(inv, 0);
	if (va >= USER_TOP) {
		inv_error(inv, WARD_ERR_RANGE, 0, 0, USER_TOP - 1);
		return;
	}
	if (table->word1 != 0) {
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_CAP, table->word2, 0);
		return;
	}
	/* Any address the table will cover names it: a level-n table spans a level n+1 page. */
	va &= ~(pagetable_page_size(level + 1) - 1);
	switch (pagetable_table_slot(root, va, level, &entry, &at)) {
	case PAGETABLE_OK:
		invoke_table_map(table, entry, asid, va);
		break;
	case PAGETABLE_MISSING:
		inv_error(inv, WARD_ERR_FAILED_LOOKUP, 0, at, 0);
		break;
	default:
		inv_error(inv, WARD_ERR_DELETE_FIRST, 0, at, 0);
		break;
	}
}

void decode_page_table(struct invocation *inv)
{
	if (table_level(&inv->slot->cap) == 0) { /* a PML4 is mapped by nothing */
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_CAP, inv->slot->cap.type, 0);
		return;
	}
	switch (inv->label) {
	case WARD_PAGE_TABLE_MAP:
		decode_table_map(inv);
		break;
	case WARD_PAGE_TABLE_UNMAP:
		table_unmap(&inv->slot->cap, true);
		break;
	default:
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, 0, 0);
		break;
	}
}

void vspace_finalise_cap(const struct cte *slot, const struct cap *cap, bool final)
{
	struct cap c = *cap; /* already out of its slot: the record is ours to clear */

	switch (c.type) {
	case WARD_OBJ_FRAME:
	case WARD_OBJ_LARGE_FRAME:
		frame_unmap(&c, slot);
		break;
	case WARD_OBJ_PDPT:
	case WARD_OBJ_PD:
	case WARD_OBJ_PT:
		table_unmap(&c, false);
		break;
	case WARD_OBJ_PML4:
		/* Final: the space goes. Not final: it may have been a thread's VSpace slot. */
		if (final)
			asid_release(&c);
		platform_vspace_evict(pagetable_phys(c.obj), final);
		break;
	default:
		break;
	}
}

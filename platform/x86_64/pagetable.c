/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Walks and edits of x86_64 4-level page tables (SDM Vol. 3A §4.5). Pure
 * code, compiled into the kernel and into the host tests; the kernel calls
 * it under the big kernel lock, which is what keeps two editors apart. The
 * MMU of other CPUs may read the tables at any time, so each change is one
 * 64-bit store (pte_store()) and the caller flushes the TLBs afterwards.
 */
#include <stddef.h>
#include "pagetable.h"

#ifdef WARD_HOST_TEST
uint64_t pagetable_virt_offset = PHYS_MAP_BASE;
#endif

static unsigned level_index(uint64_t va, unsigned level)
{
	return (va >> (12 + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

enum pagetable_status pagetable_find(uint64_t root, uint64_t va, unsigned level, pte_t **entry,
                                     unsigned *at)
{
	pte_t *table = pagetable_virt(root);

	for (unsigned l = PT_LEVEL_PML4; l > level; l--) {
		pte_t e = table[level_index(va, l)];
		if (!pte_present(e)) {
			*at = l - 1;
			return PAGETABLE_MISSING;
		}
		if (pte_is_page(e, l)) {
			*at = l;
			return PAGETABLE_BLOCKED;
		}
		table = pagetable_virt(pte_address(e, l));
	}
	*entry = &table[level_index(va, level)];
	*at = level;
	return PAGETABLE_OK;
}

enum pagetable_status pagetable_page_slot(uint64_t root, uint64_t va, unsigned level, uint64_t phys,
                                          pte_t **entry, unsigned *at)
{
	enum pagetable_status s = pagetable_find(root, va, level, entry, at);
	pte_t e;

	if (s != PAGETABLE_OK)
		return s;
	e = **entry;
	if (pte_present(e) && !(pte_is_page(e, level) && pte_address(e, level) == phys))
		return PAGETABLE_OCCUPIED;
	return PAGETABLE_OK;
}

enum pagetable_status pagetable_table_slot(uint64_t root, uint64_t va, unsigned level,
                                           pte_t **entry, unsigned *at)
{
	enum pagetable_status s = pagetable_find(root, va, level + 1, entry, at);

	if (s == PAGETABLE_OK && pte_present(**entry))
		return PAGETABLE_OCCUPIED;
	return s;
}

bool pagetable_unmap_page(uint64_t root, uint64_t va, unsigned level, uint64_t phys)
{
	pte_t *entry;
	unsigned at;

	if (pagetable_find(root, va, level, &entry, &at) != PAGETABLE_OK ||
	    !pte_is_page(*entry, level) || pte_address(*entry, level) != phys)
		return false;
	pte_store(entry, 0);
	return true;
}

bool pagetable_unmap_table(uint64_t root, uint64_t va, unsigned level, uint64_t table)
{
	pte_t *entry;
	unsigned at;

	if (pagetable_find(root, va, level + 1, &entry, &at) != PAGETABLE_OK ||
	    !pte_present(*entry) || pte_is_page(*entry, level + 1) ||
	    pte_address(*entry, level + 1) != table)
		return false;
	pte_store(entry, 0);
	return true;
}

void pagetable_clear(uint64_t table)
{
	pte_t *t = pagetable_virt(table);

	for (unsigned i = 0; i < PT_ENTRIES; i++)
		pte_store(&t[i], 0);
}

void pagetable_init_root(uint64_t root, uint64_t kernel_root)
{
	pte_t *t = pagetable_virt(root), *k = pagetable_virt(kernel_root);

	for (unsigned i = 0; i < PML4_KERNEL_FIRST; i++)
		t[i] = 0;
	/* The kernel's entries have no U: ring 3 cannot reach what they map (§4.6.1). */
	for (unsigned i = PML4_KERNEL_FIRST; i < PT_ENTRIES; i++)
		t[i] = k[i];
}

enum pagetable_status pagetable_map_alloc(uint64_t root, uint64_t va, uint64_t phys, unsigned attrs,
                                          pagetable_alloc_fn alloc, void *ctx)
{
	pte_t *entry;
	unsigned at;
	enum pagetable_status s;

	while ((s = pagetable_page_slot(root, va, PT_LEVEL_PT, phys, &entry, &at)) ==
	       PAGETABLE_MISSING) {
		uint64_t table = alloc(ctx);
		pte_t *link;
		if (table == 0)
			return PAGETABLE_NO_MEMORY;
		pagetable_find(root, va, at + 1, &link, &at);
		pte_store(link, pte_make_table(table));
	}
	if (s != PAGETABLE_OK)
		return s;
	if (pte_present(*entry))
		return PAGETABLE_OCCUPIED; /* boot mappings are made once */
	pte_store(entry, pte_make_page(phys, PT_LEVEL_PT, attrs));
	return PAGETABLE_OK;
}

static bool canonical(uint64_t va)
{
	uint64_t top = va >> 47; /* bits 63:47 must all equal bit 47 (§3.3.7.1) */

	return top == 0 || top == 0x1ffffULL;
}

bool pagetable_translate(uint64_t root, uint64_t va, struct pagetable_translation *out)
{
	pte_t *table = pagetable_virt(root);
	bool user = true, write = true, exec = true;

	if (!canonical(va))
		return false;
	for (unsigned l = PT_LEVEL_PML4; l >= PT_LEVEL_PT; l--) {
		pte_t e = table[level_index(va, l)];
		if (!pte_present(e) || (l == PT_LEVEL_PML4 && (e & PTE_PS)))
			return false; /* not present, or a reserved bit set (§4.7) */
		user = user && (e & PTE_U);
		write = write && (e & PTE_W);
		exec = exec && !(e & PTE_NX);
		if (pte_is_page(e, l)) {
			out->page_size = pagetable_page_size(l);
			out->phys = pte_address(e, l) + (va & (out->page_size - 1));
			/* PCD selects UC or UC- under the power-on PAT (§11.12.3): uncached either
			 * way. */
			out->attrs = PAGE_READ | (write ? PAGE_WRITE : 0) | (exec ? PAGE_EXEC : 0) |
			             (user ? PAGE_USER : 0) | ((e & PTE_PCD) ? PAGE_UNCACHED : 0);
			return true;
		}
		table = pagetable_virt(pte_address(e, l));
	}
	return false; /* not reached: a level-1 entry that is present is a page */
}

bool pagetable_maps(uint64_t root, uint64_t va, uint64_t phys, unsigned attrs)
{
	struct pagetable_translation t;

	return pagetable_translate(root, va, &t) && t.phys == phys && t.attrs == attrs;
}

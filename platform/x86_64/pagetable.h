/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86_64 4-level page tables as Ward's address-space objects use them (SDM
 * Vol. 3A §4.5): entry encoders, walks, and a translation query. Nothing
 * here executes a privileged instruction or touches the TLB; callers flush.
 *
 * Levels are numbered as the tables: 4 PML4, 3 PDPT, 2 PD, 1 PT. A level-n
 * entry points to a level n-1 table, or (PS set, levels 3 and 2) maps a
 * 1 GiB or 2 MiB page; a level-1 entry maps a 4 KiB page. User mappings
 * have U at every level. Access rights combine across levels, the
 * strictest winning (§4.6.1), so intermediate entries are P|W|U and the
 * rights live in the leaf alone.
 *
 * Tables are reached at physical + pagetable_virt_offset: the kernel's
 * direct map; host tests move that window onto a buffer.
 */
#ifndef X86_PAGETABLE_H
#define X86_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>
#include "memory_layout.h"
#include "paging.h"

#define PT_LEVEL_PT   1
#define PT_LEVEL_PD   2
#define PT_LEVEL_PDPT 3
#define PT_LEVEL_PML4 4

/* Attributes of a mapping. READ is implied by presence: x86 has no write-only page. */
#define PAGE_READ     0x1
#define PAGE_WRITE    0x2
#define PAGE_EXEC     0x4  /* otherwise NX */
#define PAGE_UNCACHED 0x8  /* PCD|PWT: UC under the power-on PAT (SDM Vol. 3A §11.12.3) */
#define PAGE_USER     0x10 /* reported by pagetable_translate(): U at every level */

#ifdef WARD_HOST_TEST
extern uint64_t pagetable_virt_offset;
#else
#define pagetable_virt_offset ((uint64_t)PHYS_MAP_BASE)
#endif

static inline pte_t *pagetable_virt(uint64_t phys)
{
	return (pte_t *)(uintptr_t)(phys + pagetable_virt_offset);
}

/* The physical address of a table or frame given by its kernel virtual address. */
static inline uint64_t pagetable_phys(uint64_t kva)
{
	return kva - pagetable_virt_offset;
}

/* Bytes a leaf at `level` maps: 4 KiB, 2 MiB, 1 GiB. */
static inline uint64_t pagetable_page_size(unsigned level)
{
	return PAGE_SIZE << (9 * (level - 1));
}

/* Table 4-15, 4-17, 4-19: an entry that references a lower table. */
static inline pte_t pte_make_table(uint64_t phys)
{
	return (phys & PTE_ADDR_MASK) | PTE_P | PTE_W | PTE_U;
}

/* Table 4-20 (4 KiB PTE) and Table 4-18 (2 MiB PDE, PS): a user page. */
static inline pte_t pte_make_page(uint64_t phys, unsigned level, unsigned attrs)
{
	pte_t e = (phys & PTE_ADDR_MASK) | PTE_P | PTE_U;

	if (attrs & PAGE_WRITE)
		e |= PTE_W;
	if (!(attrs & PAGE_EXEC))
		e |= PTE_NX;
	if (attrs & PAGE_UNCACHED)
		e |= PTE_PCD | PTE_PWT;
	if (level > PT_LEVEL_PT)
		e |= PTE_PS;
	return e;
}

static inline bool pte_present(pte_t e)
{
	return (e & PTE_P) != 0;
}

/* A present entry that maps a page rather than referencing a table. */
static inline bool pte_is_page(pte_t e, unsigned level)
{
	return pte_present(e) && (level == PT_LEVEL_PT || (e & PTE_PS));
}

/* The physical address a present entry at `level` names (page or table). */
static inline uint64_t pte_address(pte_t e, unsigned level)
{
	if (level == PT_LEVEL_PD && (e & PTE_PS))
		return e & PTE_LARGE_ADDR_MASK;
	if (level == PT_LEVEL_PDPT && (e & PTE_PS))
		return e & PTE_HUGE_ADDR_MASK;
	return e & PTE_ADDR_MASK;
}

/*
 * Tables that can hold pages (PD, PT) are two pages: the table, then its
 * shadow, one word per entry naming the slot of the frame cap whose Map
 * made the entry (0 for none, and for mappings the kernel made at boot).
 * A frame cap records (ASID, address) of its mapping; the shadow tells
 * whether the entry found there is still that cap's own: a record left
 * stale (its table was emptied or unlinked) never matches a mapping that
 * another copy of the frame made at the same place afterwards.
 */
#define PAGETABLE_SHADOW_OFFSET PAGE_SIZE

static inline uint64_t *pte_owner(pte_t *entry)
{
	return (uint64_t *)((uintptr_t)entry + PAGETABLE_SHADOW_OFFSET);
}

/* One 64-bit store: another CPU's page walker may read the entry meanwhile (§4.10.5). */
static inline void pte_store(pte_t *entry, pte_t e)
{
	__atomic_store_n(entry, e, __ATOMIC_RELEASE);
}

enum pagetable_status {
	PAGETABLE_OK = 0,
	PAGETABLE_MISSING,   /* a table on the way is absent; *at is its level */
	PAGETABLE_BLOCKED,   /* a large page at level *at covers the address */
	PAGETABLE_OCCUPIED,  /* the entry (at level *at) already maps something else */
	PAGETABLE_NO_MEMORY, /* pagetable_map_alloc(): the allocator ran dry */
};

/*
 * Finds the entry of the level-`level` table that covers `va` in the tree
 * under the PML4 at `root` (physical). PAGETABLE_OK: *entry points to it,
 * present or not. MISSING / BLOCKED as in the enum. Changes nothing.
 */
enum pagetable_status pagetable_find(uint64_t root, uint64_t va, unsigned level, pte_t **entry,
                                     unsigned *at);

/*
 * Where a page of `level` (1: 4 KiB, 2: 2 MiB) at `va` would go. OK: *entry
 * is free, or already maps the page at `phys` (mapping again changes its
 * rights). OCCUPIED: it maps another page or references a table. MISSING,
 * BLOCKED: as pagetable_find(). Changes nothing.
 */
enum pagetable_status pagetable_page_slot(uint64_t root, uint64_t va, unsigned level, uint64_t phys,
                                          pte_t **entry, unsigned *at);

/*
 * Where a table of `level` (3 PDPT, 2 PD, 1 PT) covering `va` would be
 * linked: the entry one level up, which must be free (OCCUPIED otherwise,
 * also when a large page is there). Changes nothing.
 */
enum pagetable_status pagetable_table_slot(uint64_t root, uint64_t va, unsigned level,
                                           pte_t **entry, unsigned *at);

/* Clears the page entry for `va` at `level` if it maps `phys`; true if it did. */
bool pagetable_unmap_page(uint64_t root, uint64_t va, unsigned level, uint64_t phys);

/* Clears the link to the level-`level` table at `table` covering `va` if present; true if it did.
 */
bool pagetable_unmap_table(uint64_t root, uint64_t va, unsigned level, uint64_t table);

/* Empties a table (all 512 entries not present). */
void pagetable_clear(uint64_t table);

/* A new PML4: user half empty, kernel half (slots 256..511) copied from `kernel_root`. */
void pagetable_init_root(uint64_t root, uint64_t kernel_root);

/* A zeroed 4 KiB page's physical address, or 0 if none is left. */
typedef uint64_t (*pagetable_alloc_fn)(void *ctx);

/*
 * Boot-time mapping: maps the 4 KiB page `phys` at `va` with `attrs`,
 * making missing tables with `alloc`. OCCUPIED or BLOCKED if something is
 * mapped there; NO_MEMORY if `alloc` fails (tables made so far stay, empty).
 */
enum pagetable_status pagetable_map_alloc(uint64_t root, uint64_t va, uint64_t phys, unsigned attrs,
                                          pagetable_alloc_fn alloc, void *ctx);

struct pagetable_translation {
	uint64_t phys;      /* what `va` itself translates to */
	uint64_t page_size; /* 4 KiB, 2 MiB or 1 GiB */
	unsigned attrs;     /* PAGE_*: the effective rights over all levels */
};

/* Walks `va` as the MMU would (§4.5, §4.6); false if it is not mapped or not canonical. */
bool pagetable_translate(uint64_t root, uint64_t va, struct pagetable_translation *out);

/* Does `va` translate to `phys` with exactly `attrs` (PAGE_USER included)? For tests and checks. */
bool pagetable_maps(uint64_t root, uint64_t va, uint64_t phys, unsigned attrs);

#endif

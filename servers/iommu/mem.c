/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The server's own memory and CSpace. Its root CNode has 256 slots, too few
 * for the caps of a DMA pool in 4 KiB frames, so it makes a second CNode
 * (the big CNode, 4096 slots) from its untyped and keeps every frame there:
 * table pages and the pool's frames. A cap in the big CNode cannot be
 * invoked by cptr, so to map one the server moves it to a root slot, maps
 * it, and moves it back (Move keeps the cap's mapping and its place in the
 * derivation tree). Hardware table pages come from the server's untyped,
 * are mapped in the server at TABLE_VA plus their offset in the untyped (so
 * an entry's address becomes a pointer by a subtraction), and once freed (only after
 * the invalidation covering them completed) are kept on a free list.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "hw.h"
#include "iommu_state.h"

#define BIG_RADIX  12
#define BIG_SLOTS  (1U << BIG_RADIX)
#define TABLE_VA   0x300000000000ULL
#define MAX_FREE   256
#define MAX_PT     160 /* paging structures of the server's own mappings */
#define CACHE_LINE 64

static uint64_t big;              /* root slot of the big CNode */
static uint32_t big_next;         /* next unused index */
static uint64_t next_root_slot;   /* next unused root slot */
static uint64_t move_slot;        /* root slot a big cap visits to be invoked */
static uint64_t ut_base, ut_size; /* the server's untyped: where table pages come from */
static struct mem_page free_pages[MAX_FREE];
/* Which pages of the untyped are table pages (mapped at TABLE_VA + offset). */
#define UT_PAGES_MAX (1U << 12)
static uint64_t is_table[UT_PAGES_MAX / 64];
static unsigned free_count;

uint64_t mem_root_slot(void)
{
	const struct ward_startinfo *si = ward_startinfo;

	return next_root_slot < si->free_last ? next_root_slot++ : 0;
}

bool mem_init(void)
{
	const struct ward_startinfo *si = ward_startinfo;

	uint64_t probe, phys;

	next_root_slot = si->free_first;
	big = mem_root_slot();
	move_slot = mem_root_slot();
	probe = mem_root_slot();
	ut_size = 1ULL << si->untyped_bits;
	if (big == 0 || probe == 0 || ut_size > (uint64_t)UT_PAGES_MAX << 12 ||
	    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_CNODE, BIG_RADIX,
	                        WARD_PROC_CAP_CNODE, 0, 0, big, 1) != WARD_OK)
		return false;
	/* Untyped objects are naturally aligned: any frame from it names its base. */
	if (ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_FRAME, 0, WARD_PROC_CAP_CNODE, 0, 0,
	                        probe, 1) != WARD_OK ||
	    ward_frame_get_address(probe, &phys) != WARD_OK)
		return false;
	ut_base = phys & ~(ut_size - 1);
	return true;
}

bool mem_retype_big(uint64_t ut, bool ut_in_big, unsigned type, unsigned bits, unsigned count,
                    uint32_t *first)
{
	enum ward_error err;

	if (count == 0 || big_next + count > BIG_SLOTS)
		return false;
	if (ut_in_big &&
	    ward_cnode_move(WARD_PROC_CAP_CNODE, move_slot, 64, big, ut, BIG_RADIX) != WARD_OK)
		return false;
	err = ward_untyped_retype(ut_in_big ? move_slot : ut, type, bits, big, 0, 0, big_next,
	                          count);
	if (ut_in_big)
		ward_cnode_move(big, ut, BIG_RADIX, WARD_PROC_CAP_CNODE, move_slot, 64);
	if (err != WARD_OK)
		return false;
	*first = big_next;
	big_next += count;
	return true;
}

/* Maps root cptr `frame` at va, making the paging structures the kernel names as missing. */
static bool map_root(uint64_t frame, uint64_t va)
{
	static const unsigned level_type[4] = {0, WARD_OBJ_PT, WARD_OBJ_PD, WARD_OBJ_PDPT};
	static unsigned tables;
	enum ward_error err;

	while ((err = ward_frame_map(frame, WARD_PROC_CAP_VSPACE, va,
	                             WARD_RIGHT_READ | WARD_RIGHT_WRITE)) ==
	       WARD_ERR_FAILED_LOOKUP) {
		uint64_t level = ward_last_error().lo, slot = mem_root_slot();

		if (level < 1 || level > 3 || slot == 0 || ++tables > MAX_PT ||
		    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, level_type[level], 0,
		                        WARD_PROC_CAP_CNODE, 0, 0, slot, 1) != WARD_OK ||
		    ward_page_table_map(slot, WARD_PROC_CAP_VSPACE, va) != WARD_OK)
			return false;
	}
	return err == WARD_OK;
}

bool mem_map_big(uint32_t idx, uint64_t va, uint64_t *phys)
{
	bool ok;

	if (ward_cnode_move(WARD_PROC_CAP_CNODE, move_slot, 64, big, idx, BIG_RADIX) != WARD_OK)
		return false;
	ok = map_root(move_slot, va) && ward_frame_get_address(move_slot, phys) == WARD_OK;
	ward_cnode_move(big, idx, BIG_RADIX, WARD_PROC_CAP_CNODE, move_slot, 64);
	return ok;
}

bool mem_copy_out(uint32_t idx, uint64_t slot)
{
	return mem_copy_into(idx, WARD_PROC_CAP_CNODE, slot, 64);
}

bool mem_copy_into(uint32_t idx, uint64_t cnode, uint64_t index, unsigned depth)
{
	return ward_cnode_copy(cnode, index, depth, big, idx, BIG_RADIX,
	                       WARD_RIGHT_READ | WARD_RIGHT_WRITE) == WARD_OK;
}

/*
 * Table pages are mapped at TABLE_VA + their offset in the server's
 * untyped (naturally aligned, so the offset is phys modulo its size): the
 * walk turns an entry's address into a pointer with a mask, no lookup.
 */
void *mem_table_va(uint64_t phys)
{
	uint64_t off = phys - ut_base;

	if (phys < ut_base || off >= ut_size || !((is_table[off >> 18] >> ((off >> 12) & 63)) & 1))
		return NULL;
	return (void *)(TABLE_VA + off);
}

/* A new frame from the untyped, mapped at its place in the linear table window. */
static bool table_frame_new(struct mem_page *pg)
{
	pg->zero = false;
	uint32_t idx;
	uint64_t off;

	if (!mem_retype_big(WARD_PROC_CAP_UNTYPED, false, WARD_OBJ_FRAME, 0, 1, &idx) ||
	    ward_cnode_move(WARD_PROC_CAP_CNODE, move_slot, 64, big, idx, BIG_RADIX) != WARD_OK)
		return false;
	if (ward_frame_get_address(move_slot, &pg->phys) != WARD_OK ||
	    (off = pg->phys - ut_base) >= ut_size || !map_root(move_slot, TABLE_VA + off)) {
		ward_cnode_move(big, idx, BIG_RADIX, WARD_PROC_CAP_CNODE, move_slot, 64);
		return false;
	}
	ward_cnode_move(big, idx, BIG_RADIX, WARD_PROC_CAP_CNODE, move_slot, 64);
	pg->va = (void *)(TABLE_VA + off);
	is_table[off >> 18] |= 1ULL << ((off >> 12) & 63);
	return true;
}

void mem_revoke_big(uint32_t idx)
{
	ward_cnode_revoke(big, idx, BIG_RADIX);
}

void mem_flush(const void *p, uint64_t len)
{
	const uintptr_t end = (uintptr_t)p + len;

	/* VT-d §6.1 and ECAP.C: a page walk that does not snoop reads memory. */
	for (uintptr_t a = (uintptr_t)p & ~(uintptr_t)(CACHE_LINE - 1); a < end; a += CACHE_LINE)
		__asm__ volatile("clflush (%0)" ::"r"(a) : "memory");
	__asm__ volatile("sfence" ::: "memory");
}

bool mem_table_page(struct mem_page *pg)
{
	if (free_count > 0)
		*pg = free_pages[--free_count];
	else if (!table_frame_new(pg))
		return false;
	if (!pg->zero) {
		memset(pg->va, 0, IOMMU_PAGE);
		mem_flush(pg->va, IOMMU_PAGE);
	}
	pg->zero = true;
	return true;
}

unsigned mem_table_free_count(void)
{
	return free_count;
}

void mem_table_page_free(const struct mem_page *pg)
{
	/* A page that does not fit the list stays allocated: a leak, never a reuse too early. */
	if (free_count < MAX_FREE)
		free_pages[free_count++] = *pg;
}

bool mem_table_block(struct mem_page *pg)
{
	uint16_t chunk;

	if (!pool_alloc_large(1, &chunk))
		return false;
	pg->va = pool_frame_va(chunk, 0);
	pg->phys = pool_frame_phys(chunk, 0);
	memset(pg->va, 0, IOMMU_LARGE);
	mem_flush(pg->va, IOMMU_LARGE);
	pg->zero = true;
	return true;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86_64 page-table encoders and walks (platform/x86_64/pagetable.c) on
 * tables in a host buffer. Expected entries are typed from the Intel SDM
 * Vol. 3A §4.5 tables (4-15..4-20); outcomes are checked by translating
 * addresses, as the MMU would, not by inspecting calls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "pagetable.h"

#define POOL_PAGES 64
#define POOL_PHYS  0x200000ULL /* where the buffer "is" in physical memory */
#define MiB        (1ULL << 20)
#define GiB        (1ULL << 30)

#define RW_USER (PAGE_USER | PAGE_READ | PAGE_WRITE)
#define RO_USER (PAGE_USER | PAGE_READ)

static uint8_t *pool;
static unsigned pool_used;
static unsigned fail_at; /* the allocation that fails (1-based); 0: none */
static unsigned allocations;

/* A page of the pool as it was left: filled with 0xa5 by setup(). */
static uint64_t alloc_dirty(void)
{
	assert_true(pool_used < POOL_PAGES);
	return POOL_PHYS + pool_used++ * PAGE_SIZE;
}

static uint64_t alloc_table(void)
{
	uint64_t phys = alloc_dirty();

	memset(pagetable_virt(phys), 0, PAGE_SIZE);
	return phys;
}

static uint64_t alloc_counted(void *ctx)
{
	(void)ctx;
	if (++allocations == fail_at)
		return 0;
	return alloc_table();
}

static int setup(void **state)
{
	(void)state;
	pool = aligned_alloc(PAGE_SIZE, POOL_PAGES * PAGE_SIZE);
	assert_non_null(pool);
	memset(pool, 0xa5, POOL_PAGES * PAGE_SIZE); /* garbage: only alloc_table() zeroes */
	pagetable_virt_offset = (uint64_t)(uintptr_t)pool - POOL_PHYS;
	pool_used = 0;
	fail_at = 0;
	allocations = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(pool);
	return 0;
}

/* Links a fresh table of `level` covering `va` under `root`; returns it. */
static uint64_t link_table(uint64_t root, uint64_t va, unsigned level)
{
	uint64_t table = alloc_table();
	pte_t *entry;
	unsigned at;

	assert_int_equal(pagetable_table_slot(root, va, level, &entry, &at), PAGETABLE_OK);
	pte_store(entry, pte_make_table(table));
	return table;
}

/* A root with PDPT, PD and PT for `va`. */
static uint64_t root_with_tables(uint64_t va)
{
	uint64_t root = alloc_table();

	link_table(root, va, PT_LEVEL_PDPT);
	link_table(root, va, PT_LEVEL_PD);
	link_table(root, va, PT_LEVEL_PT);
	return root;
}

static void map_page(uint64_t root, uint64_t va, uint64_t phys, unsigned level, unsigned attrs)
{
	pte_t *entry;
	unsigned at;

	assert_int_equal(pagetable_page_slot(root, va, level, phys, &entry, &at), PAGETABLE_OK);
	pte_store(entry, pte_make_page(phys, level, attrs));
}

static void encodings_match_the_sdm(void **state)
{
	(void)state;
	/* Table 4-20: P, R/W, U/S and XD (bit 63) for a user read-write no-execute page. */
	assert_int_equal(pte_make_page(0x5000, PT_LEVEL_PT, PAGE_READ | PAGE_WRITE),
	                 0x8000000000005007ULL);
	/* Read-only executable: P and U/S only. */
	assert_int_equal(pte_make_page(0x5000, PT_LEVEL_PT, PAGE_READ | PAGE_EXEC), 0x5005ULL);
	/* Table 4-18: a 2 MiB device page: PS (bit 7), PCD (4), PWT (3), XD. */
	assert_int_equal(
	        pte_make_page(0x40000000, PT_LEVEL_PD, PAGE_READ | PAGE_WRITE | PAGE_UNCACHED),
	        0x800000004000009fULL);
	/* Tables 4-15, 4-17, 4-19: references to tables are P, R/W, U/S. */
	assert_int_equal(pte_make_table(0x123000), 0x123007ULL);
	/* Address bits above 51 or inside the page never leak into flags. */
	assert_int_equal(pte_make_page(0xfff0000000005fffULL, PT_LEVEL_PT, PAGE_READ | PAGE_EXEC),
	                 0x5005ULL);
	/* A 2 MiB page's address is bits 51:21; bit 12 is its PAT bit. */
	assert_int_equal(pte_address(0x40001081ULL, PT_LEVEL_PD), 0x40000000ULL);
	assert_int_equal(pte_address(0x40001081ULL, PT_LEVEL_PT), 0x40001000ULL);
	assert_int_equal(pagetable_page_size(PT_LEVEL_PT), 4096);
	assert_int_equal(pagetable_page_size(PT_LEVEL_PD), 2 * MiB);
	assert_int_equal(pagetable_page_size(PT_LEVEL_PDPT), GiB);
}

static void missing_levels_are_reported_from_the_top(void **state)
{
	(void)state;
	uint64_t root = alloc_table(), va = 0x400000;
	pte_t *entry;
	unsigned at;

	assert_int_equal(pagetable_page_slot(root, va, PT_LEVEL_PT, 0x9000, &entry, &at),
	                 PAGETABLE_MISSING);
	assert_int_equal(at, PT_LEVEL_PDPT);
	assert_int_equal(pagetable_table_slot(root, va, PT_LEVEL_PD, &entry, &at),
	                 PAGETABLE_MISSING);
	assert_int_equal(at, PT_LEVEL_PDPT);
	link_table(root, va, PT_LEVEL_PDPT);
	assert_int_equal(pagetable_page_slot(root, va, PT_LEVEL_PT, 0x9000, &entry, &at),
	                 PAGETABLE_MISSING);
	assert_int_equal(at, PT_LEVEL_PD);
	/* A 2 MiB page needs the PD level only. */
	assert_int_equal(pagetable_page_slot(root, va, PT_LEVEL_PD, 0x200000, &entry, &at),
	                 PAGETABLE_MISSING);
	assert_int_equal(at, PT_LEVEL_PD);
	link_table(root, va, PT_LEVEL_PD);
	assert_int_equal(pagetable_page_slot(root, va, PT_LEVEL_PD, 0x200000, &entry, &at),
	                 PAGETABLE_OK);
	assert_int_equal(pagetable_page_slot(root, va, PT_LEVEL_PT, 0x9000, &entry, &at),
	                 PAGETABLE_MISSING);
	assert_int_equal(at, PT_LEVEL_PT);
	link_table(root, va, PT_LEVEL_PT);
	assert_int_equal(pagetable_page_slot(root, va, PT_LEVEL_PT, 0x9000, &entry, &at),
	                 PAGETABLE_OK);
	assert_false(pte_present(*entry));
}

static void map_remap_unmap_a_4k_page(void **state)
{
	(void)state;
	uint64_t va = 0x7f0000123000ULL, root = root_with_tables(va);
	pte_t *entry;
	unsigned at;

	map_page(root, va, 0x9000, PT_LEVEL_PT, PAGE_READ | PAGE_WRITE);
	assert_true(pagetable_maps(root, va, 0x9000, RW_USER));
	assert_true(pagetable_maps(root, va + 0x123, 0x9123, RW_USER));
	assert_false(pagetable_maps(root, va + PAGE_SIZE, 0xa000, RW_USER));
	/* Remap: the slot holds this very page, so it may be rewritten with other rights. */
	map_page(root, va, 0x9000, PT_LEVEL_PT, PAGE_READ | PAGE_EXEC);
	assert_true(pagetable_maps(root, va, 0x9000, RO_USER | PAGE_EXEC));
	/* Another page at the same address is refused. */
	assert_int_equal(pagetable_page_slot(root, va, PT_LEVEL_PT, 0xa000, &entry, &at),
	                 PAGETABLE_OCCUPIED);
	assert_int_equal(at, PT_LEVEL_PT);
	/* Unmapping names the page: a stale record of another page changes nothing. */
	assert_false(pagetable_unmap_page(root, va, PT_LEVEL_PT, 0xa000));
	assert_true(pagetable_maps(root, va, 0x9000, RO_USER | PAGE_EXEC));
	assert_true(pagetable_unmap_page(root, va, PT_LEVEL_PT, 0x9000));
	assert_false(pagetable_maps(root, va, 0x9000, RO_USER | PAGE_EXEC));
	assert_false(pagetable_unmap_page(root, va, PT_LEVEL_PT, 0x9000));
}

static void large_device_page_is_uncached_and_blocks_a_page_table(void **state)
{
	(void)state;
	uint64_t root = alloc_table(), va = 0x40000000, phys = 0xfe000000;
	pte_t *entry;
	unsigned at;

	link_table(root, va, PT_LEVEL_PDPT);
	link_table(root, va, PT_LEVEL_PD);
	map_page(root, va, phys, PT_LEVEL_PD, PAGE_READ | PAGE_WRITE | PAGE_UNCACHED);
	assert_true(pagetable_maps(root, va + 0x12345, phys + 0x12345, RW_USER | PAGE_UNCACHED));
	struct pagetable_translation t;
	assert_true(pagetable_translate(root, va + 2 * MiB - 1, &t));
	assert_int_equal(t.page_size, 2 * MiB);
	/* No page table where a 2 MiB page is, and no 4 KiB page inside it. */
	assert_int_equal(pagetable_table_slot(root, va, PT_LEVEL_PT, &entry, &at),
	                 PAGETABLE_OCCUPIED);
	assert_int_equal(at, PT_LEVEL_PD);
	assert_int_equal(
	        pagetable_page_slot(root, va + PAGE_SIZE, PT_LEVEL_PT, 0x9000, &entry, &at),
	        PAGETABLE_BLOCKED);
	assert_int_equal(at, PT_LEVEL_PD);
	/* Neither a page table nor a 4 KiB frame at the same physical address is this page. */
	assert_false(pagetable_unmap_table(root, va, PT_LEVEL_PT, phys));
	assert_false(pagetable_unmap_page(root, va, PT_LEVEL_PT, phys));
	assert_true(pagetable_unmap_page(root, va, PT_LEVEL_PD, phys));
	assert_false(pagetable_translate(root, va, &t));
	assert_int_equal(pagetable_table_slot(root, va, PT_LEVEL_PT, &entry, &at), PAGETABLE_OK);
}

static void large_page_refused_where_a_page_table_is(void **state)
{
	(void)state;
	uint64_t va = 0x600000, root = root_with_tables(va);
	pte_t *entry;
	unsigned at;

	assert_int_equal(pagetable_page_slot(root, va, PT_LEVEL_PD, 0x400000, &entry, &at),
	                 PAGETABLE_OCCUPIED);
	assert_int_equal(at, PT_LEVEL_PD);
	/* The PD entry that links the PT cannot be mistaken for a 2 MiB page at its address. */
	pte_t pde = *entry;
	assert_int_equal(pagetable_page_slot(root, va, PT_LEVEL_PD, pte_address(pde, PT_LEVEL_PD),
	                                     &entry, &at),
	                 PAGETABLE_OCCUPIED);
	assert_false(pagetable_unmap_page(root, va, PT_LEVEL_PD, pte_address(pde, PT_LEVEL_PD)));
}

static void table_unmap_checks_the_link_and_clear_empties(void **state)
{
	(void)state;
	uint64_t va = 0x800000, root = alloc_table(), pd, pt;
	pte_t *entry;
	unsigned at;

	link_table(root, va, PT_LEVEL_PDPT);
	pd = link_table(root, va, PT_LEVEL_PD);
	pt = link_table(root, va, PT_LEVEL_PT);
	map_page(root, va, 0x9000, PT_LEVEL_PT, PAGE_READ);
	assert_int_equal(pagetable_table_slot(root, va, PT_LEVEL_PT, &entry, &at),
	                 PAGETABLE_OCCUPIED);
	assert_false(pagetable_unmap_table(root, va, PT_LEVEL_PT, pd)); /* not what is linked */
	assert_false(pagetable_unmap_table(root, va, PT_LEVEL_PD, pt)); /* wrong level */
	assert_true(pagetable_maps(root, va, 0x9000, RO_USER));
	assert_true(pagetable_unmap_table(root, va, PT_LEVEL_PT, pt));
	assert_false(pagetable_maps(root, va, 0x9000, RO_USER));
	assert_int_equal(pagetable_page_slot(root, va, PT_LEVEL_PT, 0x9000, &entry, &at),
	                 PAGETABLE_MISSING);
	assert_int_equal(at, PT_LEVEL_PT);
	/* The unlinked table still maps the page until it is emptied. */
	assert_true(pte_present(pagetable_virt(pt)[PT_INDEX(va)]));
	pagetable_clear(pt);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		assert_int_equal(pagetable_virt(pt)[i], 0);
}

/* A kernel root with the direct map's first 2 MiB page, as paging_init() builds it. */
static uint64_t fake_kernel_root(void)
{
	uint64_t kroot = alloc_table(), pdpt = alloc_table(), pd = alloc_table();

	pagetable_virt(kroot)[PML4_INDEX(PHYS_MAP_BASE)] = pdpt | PTE_P | PTE_W;
	pagetable_virt(pdpt)[0] = pd | PTE_P | PTE_W;
	pagetable_virt(pd)[0] = PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
	return kroot;
}

static void kernel_half_is_shared_and_supervisor_only(void **state)
{
	(void)state;
	uint64_t kroot = fake_kernel_root(), root = alloc_dirty();
	struct pagetable_translation t;

	pagetable_init_root(root, kroot);
	for (unsigned i = 0; i < PML4_KERNEL_FIRST; i++)
		assert_int_equal(pagetable_virt(root)[i], 0);
	for (unsigned i = PML4_KERNEL_FIRST; i < PT_ENTRIES; i++)
		assert_int_equal(pagetable_virt(root)[i], pagetable_virt(kroot)[i]);
	/* Mapped in the new VSpace, but without U: ring 3 cannot touch it. */
	assert_true(pagetable_translate(root, PHYS_MAP_BASE + 0x1234, &t));
	assert_int_equal(t.phys, 0x1234);
	assert_int_equal(t.attrs, PAGE_READ | PAGE_WRITE);
	assert_false(t.attrs & PAGE_USER);
	/* Non-canonical addresses translate to nothing. */
	assert_false(pagetable_translate(root, 0x0000800000000000ULL, &t));
	assert_false(pagetable_translate(root, 0xffff000000000000ULL, &t));
}

static void rights_combine_across_levels(void **state)
{
	(void)state;
	uint64_t va = 0x10000, root = root_with_tables(va);
	pte_t *pml4e = &pagetable_virt(root)[PML4_INDEX(va)];

	map_page(root, va, 0x9000, PT_LEVEL_PT, PAGE_READ | PAGE_WRITE | PAGE_EXEC);
	assert_true(pagetable_maps(root, va, 0x9000, RW_USER | PAGE_EXEC));
	/* SDM §4.6.1: any level without R/W, U/S, or with XD restricts the page. */
	*pml4e &= ~PTE_W;
	assert_true(pagetable_maps(root, va, 0x9000, RO_USER | PAGE_EXEC));
	*pml4e |= PTE_NX;
	assert_true(pagetable_maps(root, va, 0x9000, RO_USER));
	*pml4e &= ~PTE_U;
	assert_true(pagetable_maps(root, va, 0x9000, PAGE_READ));
}

static void boot_mapping_makes_missing_tables(void **state)
{
	(void)state;
	uint64_t root = alloc_table(), va = 0x7fffffff0000ULL;

	assert_int_equal(
	        pagetable_map_alloc(root, va, 0x9000, PAGE_READ | PAGE_WRITE, alloc_counted, NULL),
	        PAGETABLE_OK);
	assert_int_equal(allocations, 3);
	assert_true(pagetable_maps(root, va, 0x9000, RW_USER));
	/* The neighbour shares all three tables. */
	assert_int_equal(
	        pagetable_map_alloc(root, va + PAGE_SIZE, 0xa000, PAGE_READ, alloc_counted, NULL),
	        PAGETABLE_OK);
	assert_int_equal(allocations, 3);
	assert_true(pagetable_maps(root, va + PAGE_SIZE, 0xa000, RO_USER));
	/* Boot mappings are made once: a second one at the same place is refused. */
	assert_int_equal(pagetable_map_alloc(root, va, 0x9000, PAGE_READ, alloc_counted, NULL),
	                 PAGETABLE_OCCUPIED);
	assert_true(pagetable_maps(root, va, 0x9000, RW_USER));
}

/* Fails the n-th allocation for n = 1, 2, ... until a mapping completes. */
static void boot_mapping_survives_every_allocation_failure(void **state)
{
	(void)state;
	uint64_t va = 0x12345000ULL;
	unsigned n;

	for (n = 1;; n++) {
		uint64_t root = alloc_table();
		allocations = 0;
		fail_at = n;
		enum pagetable_status s =
		        pagetable_map_alloc(root, va, 0x9000, PAGE_READ, alloc_counted, NULL);
		if (s == PAGETABLE_OK) {
			assert_true(pagetable_maps(root, va, 0x9000, RO_USER));
			break;
		}
		assert_int_equal(s, PAGETABLE_NO_MEMORY);
		assert_false(pagetable_maps(root, va, 0x9000, RO_USER));
		/* Nothing half-made is mapped: retrying with memory completes. */
		fail_at = 0;
		assert_int_equal(
		        pagetable_map_alloc(root, va, 0x9000, PAGE_READ, alloc_counted, NULL),
		        PAGETABLE_OK);
		assert_true(pagetable_maps(root, va, 0x9000, RO_USER));
	}
	assert_int_equal(n, 4); /* three tables to make: failures 1..3 all seen */
}

static void boot_mapping_refuses_a_large_page_in_the_way(void **state)
{
	(void)state;
	uint64_t root = alloc_table(), va = 0x40000000;

	link_table(root, va, PT_LEVEL_PDPT);
	link_table(root, va, PT_LEVEL_PD);
	map_page(root, va, 0x80000000, PT_LEVEL_PD, PAGE_READ);
	assert_int_equal(
	        pagetable_map_alloc(root, va + PAGE_SIZE, 0x9000, PAGE_READ, alloc_counted, NULL),
	        PAGETABLE_BLOCKED);
	assert_int_equal(allocations, 0);
	assert_true(pagetable_maps(root, va + PAGE_SIZE, 0x80000000 + PAGE_SIZE, RO_USER));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(encodings_match_the_sdm, setup, teardown),
	        cmocka_unit_test_setup_teardown(missing_levels_are_reported_from_the_top, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(map_remap_unmap_a_4k_page, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                large_device_page_is_uncached_and_blocks_a_page_table, setup, teardown),
	        cmocka_unit_test_setup_teardown(large_page_refused_where_a_page_table_is, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(table_unmap_checks_the_link_and_clear_empties,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(kernel_half_is_shared_and_supervisor_only, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(rights_combine_across_levels, setup, teardown),
	        cmocka_unit_test_setup_teardown(boot_mapping_makes_missing_tables, setup, teardown),
	        cmocka_unit_test_setup_teardown(boot_mapping_survives_every_allocation_failure,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(boot_mapping_refuses_a_large_page_in_the_way, setup,
	                                        teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

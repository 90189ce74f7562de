/* SPDX-License-Identifier: BSD-2-Clause */
/* Boot memory planning: free ranges from a firmware map and kept ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <kernel/boot_memory.h>

#define MiB (1ULL << 20)

/* The map QEMU q35 reports for -m 256M (through SeaBIOS). */
static const struct ward_mem_region q35_map[] = {
        {0x0, 0x9fc00, WARD_MEM_FREE, 0},           {0x9fc00, 0x400, WARD_MEM_RESERVED, 0},
        {0xf0000, 0x10000, WARD_MEM_RESERVED, 0},   {0x100000, 0xfee0000, WARD_MEM_FREE, 0},
        {0xffe0000, 0x20000, WARD_MEM_RESERVED, 0}, {0xb0000000, 0x10000000, WARD_MEM_RESERVED, 0},
        {0xfed1c000, 0x4000, WARD_MEM_RESERVED, 0}, {0xfffc0000, 0x40000, WARD_MEM_RESERVED, 0},
};

static void q35_map_minus_kernel_and_modules(void **state)
{
	(void)state;
	struct phys_range keep[] = {{0, 0x116000}, {0x117000, 0x132000}};
	struct boot_memory m;

	assert_int_equal(boot_memory_plan(q35_map, 8, keep, 2, &m), BOOT_MEMORY_OK);
	assert_int_equal(m.free_count, 2);
	assert_int_equal(m.free[0].base, 0x116000);
	assert_int_equal(m.free[0].end, 0x117000);
	assert_int_equal(m.free[1].base, 0x132000);
	assert_int_equal(m.free[1].end, 0xffe0000);
	assert_int_equal(boot_memory_top(&m), 0xffe0000);
}

static void reserved_overlap_wins_and_pages_align_inward(void **state)
{
	(void)state;
	const struct ward_mem_region map[] = {
	        {0x100001, 0x400000, WARD_MEM_FREE, 0},   /* unaligned start */
	        {0x200800, 0x1000, WARD_MEM_RESERVED, 0}, /* inside, unaligned */
	        {0x300000, 0x200000, WARD_MEM_FREE, 0},   /* overlaps the first */
	};
	struct boot_memory m;

	assert_int_equal(boot_memory_plan(map, 3, NULL, 0, &m), BOOT_MEMORY_OK);
	assert_int_equal(m.free_count, 3);
	assert_int_equal(m.free[0].base, 0x101000);
	assert_int_equal(m.free[0].end, 0x200000);
	assert_int_equal(m.free[1].base, 0x202000);
	assert_int_equal(m.free[1].end, 0x300000);
	/* The overlapping FREE entry merges into one range without double counting. */
	assert_int_equal(m.free[2].base, 0x300000);
	assert_int_equal(m.free[2].end, 0x500000);
}

static void no_ram_left_is_an_error(void **state)
{
	(void)state;
	const struct ward_mem_region map[] = {{0, 0x100000, WARD_MEM_FREE, 0}};
	struct phys_range keep[] = {{0, 0x100000}};
	struct boot_memory m;

	assert_int_equal(boot_memory_plan(map, 1, keep, 1, &m), BOOT_MEMORY_NO_RAM);
	assert_int_equal(m.free_count, 0);
}

static void overflowing_region_is_clamped(void **state)
{
	(void)state;
	const struct ward_mem_region map[] = {{0xfffffffffffff000ULL, 0x10000, WARD_MEM_FREE, 0},
	                                      {0x100000, 0x1000, WARD_MEM_FREE, 0}};
	struct boot_memory m;

	assert_int_equal(boot_memory_plan(map, 2, NULL, 0, &m), BOOT_MEMORY_OK);
	assert_int_equal(m.free[0].base, 0x100000);
	assert_true(m.free[m.free_count - 1].end >= m.free[m.free_count - 1].base);
}

static void too_many_fragments_is_an_error(void **state)
{
	(void)state;
	struct ward_mem_region map[1] = {{0, 1ULL << 32, WARD_MEM_FREE, 0}};
	struct phys_range keep[BOOT_MEMORY_MAX_RANGES + 1];
	struct boot_memory m;

	for (size_t i = 0; i < BOOT_MEMORY_MAX_RANGES + 1; i++)
		keep[i] = (struct phys_range){(2 * i + 1) * MiB, (2 * i + 1) * MiB + 4096};
	assert_int_equal(boot_memory_plan(map, 1, keep, BOOT_MEMORY_MAX_RANGES + 1, &m),
	                 BOOT_MEMORY_TOO_MANY_RANGES);
	assert_int_equal(m.free_count, 0);
}

static void alloc_takes_lowest_page_and_counts(void **state)
{
	(void)state;
	const struct ward_mem_region map[] = {{0x200000, 0x2000, WARD_MEM_FREE, 0},
	                                      {0x100000, 0x1000, WARD_MEM_FREE, 0}};
	struct boot_memory m;

	assert_int_equal(boot_memory_plan(map, 2, NULL, 0, &m), BOOT_MEMORY_OK);
	assert_int_equal(boot_memory_alloc_page(&m), 0x100000);
	assert_int_equal(boot_memory_alloc_page(&m), 0x200000);
	assert_int_equal(boot_memory_alloc_page(&m), 0x201000);
	assert_int_equal(boot_memory_alloc_page(&m), 0);
	assert_int_equal(m.allocated, 3 * 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(q35_map_minus_kernel_and_modules),
	        cmocka_unit_test(reserved_overlap_wins_and_pages_align_inward),
	        cmocka_unit_test(no_ram_left_is_an_error),
	        cmocka_unit_test(overflowing_region_is_clamped),
	        cmocka_unit_test(too_many_fragments_is_an_error),
	        cmocka_unit_test(alloc_takes_lowest_page_and_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

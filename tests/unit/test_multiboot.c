/* SPDX-License-Identifier: BSD-2-Clause */
/* Multiboot information parsing on hand-built and corrupted structures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "multiboot.h"

#define MEM_SIZE 0x8000
#define INFO     0x1000
#define MMAP     0x2000
#define MODS     0x3000
#define STRINGS  0x4000

static uint8_t mem[MEM_SIZE];
static struct boot_description out;

static const void *map_mem(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys >= MEM_SIZE || len > MEM_SIZE - phys)
		return NULL;
	return mem + phys;
}

static struct mb_info *info(void)
{
	return (struct mb_info *)(mem + INFO);
}

static void put_mmap(unsigned i, uint64_t base, uint64_t len, uint32_t type)
{
	struct mb_mmap_entry e = {20, base, len, type};
	memcpy(mem + MMAP + i * sizeof(e), &e, sizeof(e));
}

static void put_module(unsigned i, uint32_t start, uint32_t end, const char *s)
{
	struct mb_module m = {start, end, STRINGS + i * 0x100, 0};
	memcpy(mem + MODS + i * sizeof(m), &m, sizeof(m));
	strcpy((char *)mem + STRINGS + i * 0x100, s);
}

/* A valid layout like QEMU's: two RAM regions, one hole, two modules. */
static int setup(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	*info() = (struct mb_info){
	        .flags = MB_INFO_MEMORY | MB_INFO_MODS | MB_INFO_MMAP,
	        .mods_count = 2,
	        .mods_addr = MODS,
	        .mmap_length = 3 * sizeof(struct mb_mmap_entry),
	        .mmap_addr = MMAP,
	};
	put_mmap(0, 0, 0x9fc00, MB_MMAP_AVAILABLE);
	put_mmap(1, 0x9fc00, 0x400, 2);
	put_mmap(2, 0x100000, 0xfee0000, MB_MMAP_AVAILABLE);
	put_module(0, 0x117000, 0x120000, "build/servers/root/root");
	put_module(1, 0x120000, 0x129000, "/x/iommu verbose=1 mode=strict");
	return 0;
}

static enum multiboot_error parse(void)
{
	return multiboot_parse(MULTIBOOT_LOADER_MAGIC, INFO, map_mem, NULL, &out);
}

static void valid_info_is_copied(void **state)
{
	(void)state;
	assert_int_equal(parse(), MB_OK);
	assert_int_equal(out.region_count, 3);
	assert_int_equal(out.regions[0].kind, WARD_MEM_FREE);
	assert_int_equal(out.regions[1].kind, WARD_MEM_RESERVED);
	assert_int_equal(out.regions[2].base, 0x100000);
	assert_int_equal(out.regions[2].size, 0xfee0000);
	assert_int_equal(out.module_count, 2);
	assert_string_equal(out.modules[0].name, "root");
	assert_string_equal(out.modules[0].args, "");
	assert_int_equal(out.modules[0].phys_base, 0x117000);
	assert_int_equal(out.modules[0].size, 0x9000);
	assert_string_equal(out.modules[1].name, "iommu");
	assert_string_equal(out.modules[1].args, "verbose=1 mode=strict");
}

static void bad_magic_is_refused(void **state)
{
	(void)state;
	assert_int_equal(multiboot_parse(0x1BADB002, INFO, map_mem, NULL, &out), MB_ERR_MAGIC);
}

static void info_outside_memory_is_refused(void **state)
{
	(void)state;
	assert_int_equal(multiboot_parse(MULTIBOOT_LOADER_MAGIC, MEM_SIZE - 8, map_mem, NULL, &out),
	                 MB_ERR_UNREADABLE);
}

static void missing_mmap_is_refused(void **state)
{
	(void)state;
	info()->flags &= ~MB_INFO_MMAP;
	assert_int_equal(parse(), MB_ERR_NO_MMAP);
}

static void short_mmap_entry_is_refused(void **state)
{
	(void)state;
	uint32_t bad_size = 8; /* would make the walk go backwards into the entry */
	memcpy(mem + MMAP + 24, &bad_size, 4);
	assert_int_equal(parse(), MB_ERR_MMAP_ENTRY);
}

static void mmap_entry_past_the_end_is_refused(void **state)
{
	(void)state;
	uint32_t big = 0x1000;
	memcpy(mem + MMAP + 48, &big, 4);
	assert_int_equal(parse(), MB_ERR_MMAP_ENTRY);
}

static void mmap_length_outside_memory_is_refused(void **state)
{
	(void)state;
	info()->mmap_addr = MEM_SIZE - 16;
	assert_int_equal(parse(), MB_ERR_UNREADABLE);
}

static void no_modules_is_refused(void **state)
{
	(void)state;
	info()->mods_count = 0;
	assert_int_equal(parse(), MB_ERR_NO_MODULES);
}

static void too_many_modules_is_refused(void **state)
{
	(void)state;
	info()->mods_count = WARD_MAX_MODULES + 1;
	assert_int_equal(parse(), MB_ERR_TOO_MANY_MODULES);
}

static void inverted_module_is_refused(void **state)
{
	(void)state;
	put_module(1, 0x129000, 0x120000, "iommu");
	assert_int_equal(parse(), MB_ERR_MODULE_RANGE);
}

static void unterminated_module_string_is_refused(void **state)
{
	(void)state;
	memset(mem + STRINGS + 0x100, 'A', MEM_SIZE - STRINGS - 0x100);
	assert_int_equal(parse(), MB_ERR_MODULE_STRING);
}

static void overlong_module_name_is_refused(void **state)
{
	(void)state;
	put_module(1, 0x120000, 0x129000, "a-module-name-much-longer-than-thirty-one-bytes");
	assert_int_equal(parse(), MB_ERR_MODULE_STRING);
}

static void every_error_has_a_message(void **state)
{
	(void)state;
	for (int e = MB_OK; e <= MB_ERR_MODULE_STRING; e++)
		assert_string_not_equal(multiboot_strerror(e), "unknown multiboot error");
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(valid_info_is_copied),
	        T(bad_magic_is_refused),
	        T(info_outside_memory_is_refused),
	        T(missing_mmap_is_refused),
	        T(short_mmap_entry_is_refused),
	        T(mmap_entry_past_the_end_is_refused),
	        T(mmap_length_outside_memory_is_refused),
	        T(no_modules_is_refused),
	        T(too_many_modules_is_refused),
	        T(inverted_module_is_refused),
	        T(unterminated_module_string_is_refused),
	        T(overlong_module_name_is_refused),
	        T(every_error_has_a_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

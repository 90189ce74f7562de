/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers for the ACPI library's host tests: loading the captured QEMU
 * tables (testdata/<machine>/manifest.txt lists each file with the
 * guest-physical address it was captured from), a fake physical memory
 * for the map callback, and a small builder for synthetic tables.
 */
#ifndef WARD_ACPI_TEST_UTIL_H
#define WARD_ACPI_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"

/* Directory holding the captured machines; set by main() from argv[1]. */
extern const char *test_data_dir;

/* One blob of fake physical memory; data is malloc()ed at exactly len
 * bytes so that AddressSanitizer catches any read past it. */
struct test_region {
	char name[32];
	uint64_t phys;
	size_t len;
	uint8_t *data;
};

#define TEST_MAX_REGIONS 32

struct test_mem {
	struct test_region r[TEST_MAX_REGIONS];
	size_t count;
	long maps;   /* map() calls that succeeded */
	long unmaps; /* unmap() calls */
	long fails;  /* map() calls refused */
	struct acpi_map_ops ops;
};

/* Loads testdata/<machine>/manifest.txt and every file it names; fails the
 * test (cmocka) on any problem. */
void test_mem_load(struct test_mem *m, const char *machine);

/* Initialises an empty memory. */
void test_mem_init(struct test_mem *m);

/* Adds a copy of data[0..len) at `phys`; returns the region. */
struct test_region *test_mem_add(struct test_mem *m, const char *name, uint64_t phys,
                                 const void *data, size_t len);

/* Returns the region loaded from file `name` (e.g. "dmar.dat"), or fails. */
struct test_region *test_mem_find(struct test_mem *m, const char *name);

void test_mem_free(struct test_mem *m);

/* Reads testdata/<machine>/<file> into a malloc()ed buffer of exactly its
 * size; fails the test if it cannot. */
uint8_t *test_load_file(const char *machine, const char *file, size_t *len);

/* Returns a malloc()ed copy of data[0..len). */
uint8_t *test_dup(const void *data, size_t len);

/* Recomputes the checksum byte of the table at t[0..size) so that its
 * first min(header length, size) bytes sum to zero. */
void test_fix_checksum(uint8_t *t, size_t size);

/* Sets the header length of the table at t[0..size) to `len` and fixes the
 * checksum. */
void test_set_length(uint8_t *t, size_t size, uint32_t len);

/* Little-endian stores into a buffer. */
void test_put16(uint8_t *p, uint16_t v);
void test_put32(uint8_t *p, uint32_t v);
void test_put64(uint8_t *p, uint64_t v);

/* Synthetic table builder. */
struct test_builder {
	uint8_t buf[8192];
	size_t len;
};

void tb_init(struct test_builder *b, const char *sig, uint8_t revision);
void tb_u8(struct test_builder *b, uint8_t v);
void tb_u16(struct test_builder *b, uint16_t v);
void tb_u32(struct test_builder *b, uint32_t v);
void tb_u64(struct test_builder *b, uint64_t v);
void tb_bytes(struct test_builder *b, const void *p, size_t n);
/* Starts a sub-structure; returns its offset for tb_end_sub(). */
size_t tb_mark(struct test_builder *b);
/* Stores the length of the sub-structure begun at `mark` into its 1-byte
 * (width 1) or 2-byte (width 2) field at mark + field_off. */
void tb_end_sub(struct test_builder *b, size_t mark, size_t field_off, int width);
/* Sets the header length and checksum; returns a malloc()ed copy of
 * exactly the table's size. */
uint8_t *tb_finish(struct test_builder *b, size_t *len);

/* Checks a table buffer with acpi_table_check() and fails the test unless
 * it is valid. */
struct acpi_table test_check(const uint8_t *buf, size_t len);

#endif /* WARD_ACPI_TEST_UTIL_H */

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Boot-time physical memory planning: from the firmware's memory map and
 * the ranges the kernel must keep (its image, boot modules, the first MiB),
 * derive the page-aligned, sorted, non-overlapping free RAM ranges, and
 * allocate the kernel's boot-time frames from them.
 */
#ifndef KERNEL_BOOT_MEMORY_H
#define KERNEL_BOOT_MEMORY_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <ward/bootinfo.h>
#include <ward/object.h>

#define BOOT_MEMORY_MAX_RANGES 64

struct phys_range {
	uint64_t base;
	uint64_t end; /* exclusive */
};

struct boot_memory {
	struct phys_range free[BOOT_MEMORY_MAX_RANGES];
	size_t free_count;
	uint64_t allocated; /* bytes handed out by boot_memory_alloc_page() */
};

enum boot_memory_error {
	BOOT_MEMORY_OK = 0,
	BOOT_MEMORY_TOO_MANY_RANGES, /* the map splits into more than the table holds */
	BOOT_MEMORY_NO_RAM,          /* nothing usable remains */
};

/*
 * Computes the free ranges: every WARD_MEM_FREE region of `map`, shrunk to
 * page boundaries, minus every other region of `map` (firmware maps may
 * overlap; reserved wins) and minus each of `keep`. On error `out` is
 * left empty.
 */
enum boot_memory_error boot_memory_plan(const struct ward_mem_region *map, size_t map_count,
                                        const struct phys_range *keep, size_t keep_count,
                                        struct boot_memory *out);

/* Takes one zeroed-by-caller 4 KiB frame from the lowest free range; 0 if none. */
uint64_t boot_memory_alloc_page(struct boot_memory *mem);

/*
 * Takes a 2^size_bits block aligned to its size from the lowest range that
 * has one (the skipped part before it stays free); 0 if none.
 */
uint64_t boot_memory_alloc(struct boot_memory *mem, unsigned size_bits);

/*
 * Splits [base, end) into the fewest blocks that are powers of two aligned
 * to their size, each at least 2^min_bits and at most 2^WARD_UNTYPED_MAX_BITS
 * (what untyped capabilities need); parts smaller than 2^min_bits at the
 * edges are dropped. Writes at most `cap` blocks; returns how many there are.
 */
size_t boot_untyped_blocks(uint64_t base, uint64_t end, unsigned min_bits, bool device,
                           struct ward_untyped_desc *out, size_t cap);

/* Highest end address of any FREE region, for sizing the direct map. */
uint64_t boot_memory_top(const struct boot_memory *mem);

#endif

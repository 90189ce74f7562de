/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Boot memory planning. Pure arithmetic over ranges, tested on the host.
 * Ranges are half-open [base, end) and every result is page aligned.
 */
#include <stdbool.h>
#include <kernel/boot_memory.h>

#define PAGE 4096ULL

static uint64_t align_up(uint64_t v)
{
	return v > UINT64_MAX - (PAGE - 1) ? UINT64_MAX & ~(PAGE - 1)
	                                   : (v + PAGE - 1) & ~(PAGE - 1);
}

static uint64_t align_down(uint64_t v)
{
	return v & ~(PAGE - 1);
}

static uint64_t region_end(const struct ward_mem_region *r)
{
	return r->size > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->size;
}

/* Removes [base, end) from the free list; false if a split overflowed it. */
static bool subtract(struct boot_memory *m, uint64_t base, uint64_t end)
{
	for (size_t i = 0; i < m->free_count; i++) {
		struct phys_range *r = &m->free[i];
		if (end <= r->base || base >= r->end)
			continue;
		if (base > r->base && end < r->end) {
			if (m->free_count == BOOT_MEMORY_MAX_RANGES)
				return false;
			m->free[m->free_count++] = (struct phys_range){end, r->end};
			r->end = base;
		} else if (base > r->base) {
			r->end = base;
		} else if (end < r->end) {
			r->base = end;
		} else {
			r->base = r->end = 0; /* emptied; compacted below */
		}
	}
	return true;
}

static void compact_and_sort(struct boot_memory *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->free_count; i++)
		if (m->free[i].end > m->free[i].base)
			m->free[n++] = m->free[i];
	m->free_count = n;
	for (size_t i = 1; i < n; i++) {
		struct phys_range r = m->free[i];
		size_t j = i;
		for (; j > 0 && m->free[j - 1].base > r.base; j--)
			m->free[j] = m->free[j - 1];
		m->free[j] = r;
	}
}

static bool add_free(struct boot_memory *m, uint64_t base, uint64_t end)
{
	base = align_up(base);
	end = align_down(end);
	if (end <= base)
		return true;
	/* Overlapping FREE entries: add only the part not yet present. */
	if (!subtract(m, base, end) || m->free_count == BOOT_MEMORY_MAX_RANGES)
		return false;
	m->free[m->free_count++] = (struct phys_range){base, end};
	return true;
}

enum boot_memory_error boot_memory_plan(const struct ward_mem_region *map, size_t map_count,
                                        const struct phys_range *keep, size_t keep_count,
                                        struct boot_memory *out)
{
	struct boot_memory m = {.free_count = 0, .allocated = 0};
	bool ok = true;

	for (size_t i = 0; i < map_count && ok; i++)
		if (map[i].kind == WARD_MEM_FREE)
			ok = add_free(&m, map[i].base, region_end(&map[i]));
	for (size_t i = 0; i < map_count && ok; i++)
		if (map[i].kind != WARD_MEM_FREE)
			ok = subtract(&m, align_down(map[i].base), align_up(region_end(&map[i])));
	for (size_t i = 0; i < keep_count && ok; i++)
		ok = subtract(&m, align_down(keep[i].base), align_up(keep[i].end));

	out->free_count = 0;
	out->allocated = 0;
	if (!ok)
		return BOOT_MEMORY_TOO_MANY_RANGES;
	compact_and_sort(&m);
	if (m.free_count == 0)
		return BOOT_MEMORY_NO_RAM;
	*out = m;
	return BOOT_MEMORY_OK;
}

uint64_t boot_memory_alloc_page(struct boot_memory *mem)
{
	return boot_memory_alloc(mem, 12);
}

uint64_t boot_memory_alloc(struct boot_memory *mem, unsigned size_bits)
{
	uint64_t size = 1ULL << size_bits;

	for (size_t i = 0; i < mem->free_count; i++) {
		struct phys_range *r = &mem->free[i];
		uint64_t at = (r->base + size - 1) & ~(size - 1);
		if (at < r->base || at > r->end || r->end - at < size)
			continue;
		if (at != r->base) {
			if (mem->free_count == BOOT_MEMORY_MAX_RANGES)
				continue;
			/* Keep the gap before the block; ranges stay sorted. */
			for (size_t j = mem->free_count; j > i; j--)
				mem->free[j] = mem->free[j - 1];
			mem->free_count++;
			mem->free[i].end = at;
			r = &mem->free[i + 1];
		}
		r->base = at + size;
		mem->allocated += size;
		return at;
	}
	return 0;
}

uint64_t boot_memory_top(const struct boot_memory *mem)
{
	return mem->free_count == 0 ? 0 : mem->free[mem->free_count - 1].end;
}

size_t boot_untyped_blocks(uint64_t base, uint64_t end, unsigned min_bits, bool device,
                           struct ward_untyped_desc *out, size_t cap)
{
	uint64_t min = 1ULL << min_bits;
	size_t n = 0;

	base = (base + min - 1) & ~(min - 1);
	end &= ~(min - 1);
	while (base < end) {
		unsigned bits = base == 0 ? WARD_UNTYPED_MAX_BITS : (unsigned)__builtin_ctzll(base);
		if (bits > WARD_UNTYPED_MAX_BITS)
			bits = WARD_UNTYPED_MAX_BITS;
		while ((1ULL << bits) > end - base)
			bits--;
		if (n < cap)
			out[n] = (struct ward_untyped_desc){
			        .phys_base = base, .size_bits = (uint8_t)bits, .is_device = device};
		n++;
		base += 1ULL << bits;
	}
	return n;
}

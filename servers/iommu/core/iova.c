/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IOVA allocator (the model is in iova.h). The busy ranges, allocated and
 * reserved, sit in one array sorted by start; they never overlap (reserved
 * ranges that meet are merged), so their ends are sorted too and a binary
 * search finds the first range that reaches past an address. Every call
 * makes room in the array before it changes anything, so an error leaves
 * the ranges as they were.
 */
#include <string.h>

#include "iova.h"

#define IOVA_INITIAL_CAPACITY 16u

static uint64_t range_end(const struct iova_range *r)
{
	return r->start + r->size;
}

/* Arrays this short are scanned: fewer steps than a binary search's. */
#define IOVA_SCAN_MAX 8u

/* Index of the first busy range ending after x (count if none). */
static unsigned first_ending_after(const struct iova_space *s, uint64_t x)
{
	unsigned lo = 0, hi = s->count;

	if (hi <= IOVA_SCAN_MAX) {
		while (lo < hi && range_end(&s->busy[lo]) <= x)
			lo++;
		return lo;
	}
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (range_end(&s->busy[mid]) > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Doubles the array (it is full). */
static enum iommu_err grow(struct iova_space *s)
{
	unsigned cap = s->capacity ? s->capacity * 2 : IOVA_INITIAL_CAPACITY;
	struct iova_range *busy;

	busy = s->mem->alloc_meta(s->mem->ctx, cap * sizeof(*busy));
	if (!busy)
		return IOMMU_ERR_NO_MEMORY;
	if (s->count)
		memcpy(busy, s->busy, s->count * sizeof(*busy));
	if (s->busy)
		s->mem->free_meta(s->mem->ctx, s->busy);
	s->busy = busy;
	s->capacity = cap;
	return IOMMU_OK;
}

/* Room for one more range. */
static inline enum iommu_err reserve_slot(struct iova_space *s)
{
	return s->count < s->capacity ? IOMMU_OK : grow(s);
}

/*
 * Moves busy[from, from+n) to busy[to, to+n), entry by entry: the arrays
 * are short, and a byte-wise backward memmove costs more than the loop.
 */
static inline void move_ranges(struct iova_space *s, unsigned to, unsigned from, unsigned n)
{
	if (to > from) {
		for (unsigned i = n; i-- > 0;)
			s->busy[to + i] = s->busy[from + i];
	} else {
		for (unsigned i = 0; i < n; i++)
			s->busy[to + i] = s->busy[from + i];
	}
}

/* Replace busy[lo, hi) by r; the caller made room when lo == hi. */
static inline void replace_ranges(struct iova_space *s, unsigned lo, unsigned hi,
                                  struct iova_range r)
{
	unsigned tail = s->count - hi;

	move_ranges(s, lo + 1, hi, tail);
	s->busy[lo] = r;
	s->count = lo + 1 + tail;
}

enum iommu_err iova_init(struct iova_space *s, unsigned width, const struct iommu_mem_ops *mem)
{
	uint64_t msi_end = IOVA_MSI_WINDOW_START + IOVA_MSI_WINDOW_SIZE;

	if (width <= IOMMU_PAGE_SHIFT || width >= IOMMU_MAX_WIDTH)
		return IOMMU_ERR_INVAL;
	s->end = 1ull << width;
	s->busy = NULL;
	s->count = 0;
	s->capacity = 0;
	s->mem = mem;
	if (s->end <= IOVA_MSI_WINDOW_START)
		return IOMMU_OK;
	if (iova_reserve(s, IOVA_MSI_WINDOW_START,
	                 (s->end < msi_end ? s->end : msi_end) - IOVA_MSI_WINDOW_START)) {
		iova_fini(s);
		return IOMMU_ERR_NO_MEMORY;
	}
	return IOMMU_OK;
}

void iova_fini(struct iova_space *s)
{
	if (s->busy)
		s->mem->free_meta(s->mem->ctx, s->busy);
	s->busy = NULL;
	s->count = 0;
	s->capacity = 0;
}

enum iommu_err iova_reserve(struct iova_space *s, uint64_t start, uint64_t size)
{
	uint64_t end = start + size;
	unsigned lo, hi;

	if ((start | size) & (IOMMU_PAGE_SIZE - 1))
		return IOMMU_ERR_ALIGNMENT;
	if (end < start || end > s->end)
		end = s->end; /* only the part inside the space matters */
	if (start >= end)
		return IOMMU_OK;
	lo = first_ending_after(s, start);
	for (hi = lo; hi < s->count && s->busy[hi].start < end; hi++) {
		if (!s->busy[hi].reserved)
			return IOMMU_ERR_OVERLAP;
	}
	if (lo == hi && reserve_slot(s))
		return IOMMU_ERR_NO_MEMORY;
	if (lo < hi) {
		start = s->busy[lo].start < start ? s->busy[lo].start : start;
		end = range_end(&s->busy[hi - 1]) > end ? range_end(&s->busy[hi - 1]) : end;
	}
	replace_ranges(s, lo, hi, (struct iova_range){start, end - start, true});
	return IOMMU_OK;
}

/* Lowest multiple of align at or above x, or false on overflow. */
static bool align_up(uint64_t x, uint64_t align, uint64_t *out)
{
	uint64_t down = x & ~(align - 1);

	if (down == x) {
		*out = x;
		return true;
	}
	if (down > UINT64_MAX - align)
		return false;
	*out = down + align;
	return true;
}

/* Whether [cursor, limit) holds size bytes at an aligned address (in *at). */
static bool gap_fits(uint64_t cursor, uint64_t limit, uint64_t size, uint64_t align, uint64_t *at)
{
	uint64_t cand;

	if (!align_up(cursor, align, &cand) || cand >= limit || limit - cand < size)
		return false;
	*at = cand;
	return true;
}

enum iommu_err iova_alloc(struct iova_space *s, uint64_t size, uint64_t align, uint64_t *iova)
{
	uint64_t cursor = 0, at;
	unsigned i;

	if (!size || align < IOMMU_PAGE_SIZE || (align & (align - 1)))
		return IOMMU_ERR_INVAL;
	if (size & (IOMMU_PAGE_SIZE - 1))
		return IOMMU_ERR_ALIGNMENT;
	for (i = 0; i < s->count; i++) {
		if (gap_fits(cursor, s->busy[i].start, size, align, &at))
			break;
		cursor = range_end(&s->busy[i]);
	}
	if (i == s->count && !gap_fits(cursor, s->end, size, align, &at))
		return IOMMU_ERR_EXHAUSTED;
	if (reserve_slot(s))
		return IOMMU_ERR_NO_MEMORY;
	replace_ranges(s, i, i, (struct iova_range){at, size, false});
	*iova = at;
	return IOMMU_OK;
}

enum iommu_err iova_claim(struct iova_space *s, uint64_t iova, uint64_t size)
{
	unsigned lo, i;
	bool overlap = false;

	if (!size)
		return IOMMU_ERR_INVAL;
	if ((iova | size) & (IOMMU_PAGE_SIZE - 1))
		return IOMMU_ERR_ALIGNMENT;
	if (size > s->end || iova > s->end - size)
		return IOMMU_ERR_RANGE;
	/* One search: a reserved range met anywhere outranks an allocated one. */
	lo = first_ending_after(s, iova);
	for (i = lo; i < s->count && s->busy[i].start < iova + size; i++) {
		if (s->busy[i].reserved)
			return IOMMU_ERR_RESERVED;
		overlap = true;
	}
	if (overlap)
		return IOMMU_ERR_OVERLAP;
	if (reserve_slot(s))
		return IOMMU_ERR_NO_MEMORY;
	replace_ranges(s, lo, lo, (struct iova_range){iova, size, false});
	return IOMMU_OK;
}

enum iommu_err iova_free(struct iova_space *s, uint64_t iova, uint64_t size)
{
	unsigned i = first_ending_after(s, iova);

	if (i == s->count || s->busy[i].start != iova || s->busy[i].size != size ||
	    s->busy[i].reserved)
		return IOMMU_ERR_NOT_ALLOCATED;
	move_ranges(s, i, i + 1, s->count - i - 1);
	s->count--;
	return IOMMU_OK;
}

bool iova_meets_reserved(const struct iova_space *s, uint64_t start, uint64_t size)
{
	uint64_t end = start + size < start ? UINT64_MAX : start + size;

	for (unsigned i = first_ending_after(s, start); i < s->count && s->busy[i].start < end;
	     i++) {
		if (s->busy[i].reserved)
			return true;
	}
	return false;
}

bool iova_first_busy(const struct iova_space *s, uint64_t start, uint64_t size,
                     struct iova_range *out)
{
	uint64_t end = start + size < start ? UINT64_MAX : start + size;
	unsigned i = first_ending_after(s, start);

	if (i == s->count || s->busy[i].start >= end)
		return false;
	*out = s->busy[i];
	return true;
}

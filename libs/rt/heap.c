/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * brk, mmap and munmap bookkeeping over one region of pages (ward/heap.h).
 * Arguments come from an untrusted program: every length and address is
 * checked against the region before any page changes.
 */
#include <errno.h>
#include <string.h>
#include <ward/heap.h>

#define PAGE WARD_HEAP_PAGE

static bool bit(const uint64_t *bits, uint64_t i)
{
	return (bits[i / 64] >> (i % 64)) & 1;
}

static void set_bit(uint64_t *bits, uint64_t i, bool on)
{
	if (on)
		bits[i / 64] |= 1ULL << (i % 64);
	else
		bits[i / 64] &= ~(1ULL << (i % 64));
}

void ward_heap_init(struct ward_heap *h, uint64_t base, uint64_t pages)
{
	memset(h, 0, sizeof(*h));
	h->base = base;
	h->pages = pages < WARD_HEAP_MAX_PAGES ? pages : WARD_HEAP_MAX_PAGES;
	h->brk = base;
}

/* Makes page i mapped and zeroed, whatever it was; false if no memory is left for it. */
static bool map_page(struct ward_heap *h, const struct ward_heap_ops *ops, uint64_t i)
{
	if (bit(h->mapped, i)) {
		ops->zero(ops->ctx, i);
		return true;
	}
	if (bit(h->backed, i)) {
		if (!ops->remap(ops->ctx, i))
			return false;
	} else {
		if (!ops->back(ops->ctx, i))
			return false;
		set_bit(h->backed, i, true);
	}
	set_bit(h->mapped, i, true);
	return true;
}

static void unmap_page(struct ward_heap *h, const struct ward_heap_ops *ops, uint64_t i)
{
	if (!bit(h->mapped, i))
		return;
	ops->unmap(ops->ctx, i);
	set_bit(h->mapped, i, false);
}

/* The first page index at or above the break (pages below it belong to brk). */
static uint64_t brk_end_page(const struct ward_heap *h)
{
	return (h->brk - h->base + PAGE - 1) / PAGE;
}

uint64_t ward_heap_brk(struct ward_heap *h, const struct ward_heap_ops *ops, uint64_t addr)
{
	uint64_t old_end = brk_end_page(h), new_end;

	if (addr < h->base || addr - h->base > h->pages * PAGE)
		return h->brk;
	new_end = (addr - h->base + PAGE - 1) / PAGE;
	for (uint64_t i = old_end; i < new_end; i++)
		if (bit(h->mapped, i))
			return h->brk; /* an mmap is in the way */
	for (uint64_t i = old_end; i < new_end; i++) {
		if (!map_page(h, ops, i)) {
			while (i-- > old_end)
				unmap_page(h, ops, i);
			return h->brk;
		}
	}
	for (uint64_t i = new_end; i < old_end; i++)
		unmap_page(h, ops, i);
	h->brk = addr;
	return addr;
}

/* The start of the highest run of n free pages above the break, or h->pages if none. */
static uint64_t find_free_run(const struct ward_heap *h, uint64_t n)
{
	uint64_t low = brk_end_page(h), run = 0;

	for (uint64_t i = h->pages; i > low; i--) {
		run = bit(h->mapped, i - 1) ? 0 : run + 1;
		if (run == n)
			return i - 1;
	}
	return h->pages;
}

int64_t ward_heap_mmap(struct ward_heap *h, const struct ward_heap_ops *ops, uint64_t addr,
                       uint64_t len, bool fixed)
{
	uint64_t n, first;

	if (len == 0 || len > h->pages * PAGE)
		return len == 0 ? -EINVAL : -ENOMEM;
	n = (len + PAGE - 1) / PAGE;
	if (fixed) {
		if (addr % PAGE != 0)
			return -EINVAL;
		if (addr < h->base || addr - h->base > (h->pages - n) * PAGE)
			return -ENOMEM; /* only this region can be mapped */
		first = (addr - h->base) / PAGE;
	} else if ((first = find_free_run(h, n)) == h->pages) {
		return -ENOMEM;
	}
	for (uint64_t i = first; i < first + n; i++) {
		if (map_page(h, ops, i))
			continue;
		/* Out of memory: give back what this call mapped (a fixed mapping stays zeroed). */
		while (!fixed && i-- > first)
			unmap_page(h, ops, i);
		return -ENOMEM;
	}
	return (int64_t)(h->base + first * PAGE);
}

int64_t ward_heap_munmap(struct ward_heap *h, const struct ward_heap_ops *ops, uint64_t addr,
                         uint64_t len)
{
	uint64_t end = addr + len, top = h->base + h->pages * PAGE;

	if (addr % PAGE != 0 || len == 0 || end < addr)
		return -EINVAL;
	/* Only the part inside the region can be mapped: walk that. */
	for (uint64_t va = addr < h->base ? h->base : addr; va < end && va < top; va += PAGE)
		unmap_page(h, ops, (va - h->base) / PAGE);
	return 0;
}

bool ward_heap_page_mapped(const struct ward_heap *h, uint64_t va)
{
	if (va < h->base || va - h->base >= h->pages * PAGE)
		return false;
	return bit(h->mapped, (va - h->base) / PAGE);
}

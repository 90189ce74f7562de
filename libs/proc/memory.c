/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A process's memory as the root task reaches it: which frame backs an
 * address (its regions and its heap), reading and writing through a
 * temporary mapping, and the heap's pages (proc/process.h). Addresses
 * come from the process and are checked page by page before any copy.
 */
#include <string.h>
#include <ward/invoke.h>
#include "proc_internal.h"

/* The bookkeeping slot of the page holding va; false if the process has no page there. */
static bool page_index(const struct proc *p, uint64_t va, uint32_t *index, bool *writable)
{
	for (unsigned i = 0; i < p->region_count; i++) {
		const struct proc_region *r = &p->regions[i];
		if (va >= r->va && (va - r->va) / PROC_PAGE < r->pages) {
			*index = r->first + (uint32_t)((va - r->va) / PROC_PAGE);
			*writable = r->writable;
			return true;
		}
	}
	if (ward_heap_page_mapped(&p->heap, va)) {
		*index = p->heap_first + (uint32_t)((va - p->heap.base) / PROC_PAGE);
		*writable = true;
		return true;
	}
	return false;
}

/* Every page of [va, va + len) is there (and writable by the process, if asked). */
static bool range_ok(const struct proc *p, uint64_t va, uint64_t len, bool need_write)
{
	uint64_t end = va + len;
	uint32_t index;
	bool writable;

	if (end < va)
		return false;
	for (uint64_t page = va & ~(PROC_PAGE - 1); page < end; page += PROC_PAGE)
		if (!page_index(p, page, &index, &writable) || (need_write && !writable))
			return false;
	return true;
}

/* Copies between buf and the process's [va, va + len), one page view at a time. */
static bool copy(const struct proc *p, uint64_t va, void *buf, uint64_t len, bool out)
{
	uint8_t *b = buf;

	while (len > 0) {
		uint64_t off = va % PROC_PAGE, n = PROC_PAGE - off < len ? PROC_PAGE - off : len;
		uint32_t index;
		bool writable;
		uint8_t *page;
		if (!page_index(p, va, &index, &writable) || (page = proc_view(p, index)) == NULL)
			return false;
		if (out)
			memcpy(page + off, b, n);
		else
			memcpy(b, page + off, n);
		proc_unview();
		va += n;
		b += n;
		len -= n;
	}
	return true;
}

bool proc_readable(const struct proc *p, uint64_t va, uint64_t len)
{
	return range_ok(p, va, len, false);
}

bool proc_copy_in(const struct proc *p, void *dst, uint64_t va, uint64_t len)
{
	return range_ok(p, va, len, false) && copy(p, va, dst, len, false);
}

bool proc_copy_out(const struct proc *p, uint64_t va, const void *src, uint64_t len)
{
	return range_ok(p, va, len, true) && copy(p, va, (void *)src, len, true);
}

bool proc_poke(const struct proc *p, uint64_t va, const void *src, uint64_t len)
{
	return range_ok(p, va, len, false) && copy(p, va, (void *)src, len, true);
}

/* --- The heap's pages (struct ward_heap_ops; ctx is the process) ------- */

static uint64_t heap_va(const struct proc *p, uint64_t i)
{
	return p->heap.base + i * PROC_PAGE;
}

static bool heap_back(void *ctx, uint64_t i)
{
	struct proc *p = ctx;

	return proc_book_frame(p, p->heap_first + (uint32_t)i, heap_va(p, i),
	                       WARD_RIGHT_READ | WARD_RIGHT_WRITE, NULL, 0) == WARD_OK;
}

static void heap_zero(void *ctx, uint64_t i)
{
	struct proc *p = ctx;
	void *page = proc_view(p, p->heap_first + (uint32_t)i);

	if (page != NULL) {
		memset(page, 0, PROC_PAGE);
		proc_unview();
	}
}

/* The frame is the page's own: zeroed, then mapped again where it was. */
static bool heap_remap(void *ctx, uint64_t i)
{
	struct proc *p = ctx;
	const struct proc_tables t = proc_book_tables(p);
	uint32_t index = p->heap_first + (uint32_t)i;
	bool ok;

	heap_zero(ctx, i);
	if (proc_book_take(p, index, proc_scratch_work) != WARD_OK)
		return false;
	ok = proc_map_frame(&t, proc_scratch_work, heap_va(p, i),
	                    WARD_RIGHT_READ | WARD_RIGHT_WRITE) == WARD_OK;
	return proc_book_put(p, index, proc_scratch_work) == WARD_OK && ok;
}

static void heap_unmap(void *ctx, uint64_t i)
{
	struct proc *p = ctx;
	uint32_t index = p->heap_first + (uint32_t)i;

	if (proc_book_take(p, index, proc_scratch_work) != WARD_OK)
		return;
	ward_frame_unmap(proc_scratch_work);
	proc_book_put(p, index, proc_scratch_work);
}

const struct ward_heap_ops proc_heap_ops = {heap_back, heap_remap, heap_zero, heap_unmap, NULL};

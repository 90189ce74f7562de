/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Anonymous memory of an emulated Linux process: the bookkeeping behind
 * brk, mmap and munmap over one region of pages (docs/userspace.md). The
 * program break grows up from the region's base; mmap takes the highest
 * free run of pages. What backs a page is the host's business, reached
 * through struct ward_heap_ops; this file only decides which pages.
 *
 * A page is "backed" once memory was given to it and stays backed: memory
 * cannot go back to an untyped object piecemeal, so an unmapped page keeps
 * its frame for the next mapping, which must then be zeroed.
 */
#ifndef WARD_HEAP_H
#define WARD_HEAP_H

#include <stdbool.h>
#include <stdint.h>

#define WARD_HEAP_PAGE      4096ULL
#define WARD_HEAP_MAX_PAGES 8192 /* 32 MiB */

struct ward_heap {
	uint64_t base;  /* page-aligned start of the region */
	uint64_t pages; /* its size in pages, <= WARD_HEAP_MAX_PAGES */
	uint64_t brk;   /* the program break: base <= brk <= base + pages * page */
	uint64_t mapped[WARD_HEAP_MAX_PAGES / 64]; /* page is accessible */
	uint64_t backed[WARD_HEAP_MAX_PAGES / 64]; /* page has memory (mapped or not) */
};

/* How the host makes page `index` (address base + index * page) real. */
struct ward_heap_ops {
	bool (*back)(void *ctx, uint64_t index);  /* new memory, mapped; false: none left */
	bool (*remap)(void *ctx, uint64_t index); /* map a backed page again, zeroed */
	void (*zero)(void *ctx, uint64_t index);  /* clear a mapped page */
	void (*unmap)(void *ctx, uint64_t index); /* make a mapped page inaccessible */
	void *ctx;
};

void ward_heap_init(struct ward_heap *h, uint64_t base, uint64_t pages);

/* brk(2): moves the break to addr if it can (0 or out of range: no change); returns the break. */
uint64_t ward_heap_brk(struct ward_heap *h, const struct ward_heap_ops *ops, uint64_t addr);

/*
 * mmap(2) of anonymous memory: len bytes, zeroed, anywhere (or at addr if
 * `fixed`, replacing what was there). Returns the address, or -errno.
 */
int64_t ward_heap_mmap(struct ward_heap *h, const struct ward_heap_ops *ops, uint64_t addr,
                       uint64_t len, bool fixed);

/* munmap(2): pages of [addr, addr + len) outside the region or unmapped are ignored. */
int64_t ward_heap_munmap(struct ward_heap *h, const struct ward_heap_ops *ops, uint64_t addr,
                         uint64_t len);

/* Is the page holding `va` a mapped page of this region? */
bool ward_heap_page_mapped(const struct ward_heap *h, uint64_t va);

#endif

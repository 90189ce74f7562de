/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The DMA pool: the untyped the root task set aside for lent DMA memory
 * (start information dma_untyped), cut into 2 MiB chunks. A chunk becomes,
 * the first time it is needed, either one 2 MiB frame (for buffers of 2 MiB
 * multiples) or 512 4 KiB frames (for smaller buffers), and stays so. The
 * server keeps the original cap of every frame, mapped in its own address
 * space at POOL_VA (for zeroing); clients only ever get copies, children of
 * those originals, so Revoke of an original takes every copy and every CPU
 * mapping made from it, wherever it went. Frames are never given back to
 * the untyped: memory a device may have reached is only reused by this
 * server, after its invalidation completed and it was zeroed.
 */
#include <string.h>
#include <ward/object.h>

#include "iommu_state.h"

#define POOL_VA     0x400000000000ULL
#define CHUNK_PAGES 512

enum chunk_kind { CHUNK_UNUSED, CHUNK_LARGE, CHUNK_SMALL };

struct chunk {
	enum chunk_kind kind;
	bool busy;                       /* large: lent */
	uint32_t untyped;                /* big-CNode index of its 2 MiB untyped */
	uint32_t frame0;                 /* big-CNode index of its first frame */
	uint64_t phys;                   /* of its first byte */
	uint64_t used[CHUNK_PAGES / 64]; /* small: lent pages */
	unsigned used_pages;
};

static struct chunk chunks[IOMMU_MAX_CHUNKS];
static unsigned nchunks;

bool pool_init(uint64_t untyped, unsigned bits)
{
	uint32_t first;

	if (bits < 21)
		return false;
	nchunks = 1U << (bits - 21);
	if (nchunks > IOMMU_MAX_CHUNKS)
		nchunks = IOMMU_MAX_CHUNKS;
	if (!mem_retype_big(untyped, false, WARD_OBJ_UNTYPED, 21, nchunks, &first))
		return false;
	for (unsigned i = 0; i < nchunks; i++)
		chunks[i] = (struct chunk){.untyped = first + i};
	return true;
}

static void *chunk_va(unsigned c)
{
	return (void *)(POOL_VA + (uint64_t)c * IOMMU_LARGE);
}

/* Makes an unused chunk into frames of the kind asked for, mapped in the server. */
static bool chunk_make(unsigned c, enum chunk_kind kind)
{
	struct chunk *ch = &chunks[c];
	uint64_t phys;

	if (kind == CHUNK_LARGE) {
		if (!mem_retype_big(ch->untyped, true, WARD_OBJ_LARGE_FRAME, 0, 1, &ch->frame0) ||
		    !mem_map_big(ch->frame0, (uint64_t)chunk_va(c), &ch->phys))
			return false;
	} else {
		uint32_t second;

		if (!mem_retype_big(ch->untyped, true, WARD_OBJ_FRAME, 0, 256, &ch->frame0) ||
		    !mem_retype_big(ch->untyped, true, WARD_OBJ_FRAME, 0, 256, &second) ||
		    second != ch->frame0 + 256)
			return false;
		for (unsigned i = 0; i < CHUNK_PAGES; i++) {
			if (!mem_map_big(ch->frame0 + i, (uint64_t)chunk_va(c) + i * IOMMU_PAGE,
			                 &phys))
				return false;
			if (i == 0)
				ch->phys = phys;
			else if (phys != ch->phys + i * IOMMU_PAGE)
				return false; /* retype lays frames out in order: never expected */
		}
	}
	memset(chunk_va(c), 0, IOMMU_LARGE);
	ch->kind = kind;
	return true;
}

unsigned pool_chunks_free(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nchunks; i++)
		n += chunks[i].kind == CHUNK_UNUSED ||
		     (chunks[i].kind == CHUNK_LARGE && !chunks[i].busy);
	return n;
}

bool pool_alloc_large(unsigned n, uint16_t *out)
{
	unsigned found = 0;

	/* Chunks made large before first, then unused ones: nothing changes unless all are found.
	 */
	for (unsigned pass = 0; pass < 2 && found < n; pass++)
		for (unsigned i = 0; i < nchunks && found < n; i++) {
			enum chunk_kind want = pass == 0 ? CHUNK_LARGE : CHUNK_UNUSED;
			if (chunks[i].kind == want && !chunks[i].busy)
				out[found++] = (uint16_t)i;
		}
	if (found < n)
		return false;
	for (unsigned k = 0; k < n; k++)
		if (chunks[out[k]].kind == CHUNK_UNUSED && !chunk_make(out[k], CHUNK_LARGE))
			return false; /* made ones stay made (large, free): nothing is lent */
	for (unsigned k = 0; k < n; k++)
		chunks[out[k]].busy = true;
	return true;
}

static bool page_used(const struct chunk *ch, unsigned p)
{
	return (ch->used[p / 64] >> (p % 64)) & 1;
}

static void pages_mark(struct chunk *ch, unsigned first, unsigned n, bool used)
{
	for (unsigned p = first; p < first + n; p++) {
		if (used)
			ch->used[p / 64] |= 1ULL << (p % 64);
		else
			ch->used[p / 64] &= ~(1ULL << (p % 64));
	}
	ch->used_pages = used ? ch->used_pages + n : ch->used_pages - n;
}

/* The first run of n free pages in a small chunk, or CHUNK_PAGES. */
static unsigned run_find(const struct chunk *ch, unsigned n)
{
	unsigned run = 0;

	for (unsigned p = 0; p < CHUNK_PAGES; p++) {
		run = page_used(ch, p) ? 0 : run + 1;
		if (run == n)
			return p + 1 - n;
	}
	return CHUNK_PAGES;
}

bool pool_alloc_small(unsigned n, uint16_t *chunk, uint16_t *first)
{
	unsigned p;

	if (n == 0 || n > CHUNK_PAGES)
		return false;
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < nchunks; i++) {
			struct chunk *ch = &chunks[i];
			if (pass == 0 && ch->kind != CHUNK_SMALL)
				continue;
			if (pass == 1 && (ch->kind != CHUNK_UNUSED || !chunk_make(i, CHUNK_SMALL)))
				continue;
			if ((p = run_find(ch, n)) == CHUNK_PAGES)
				continue;
			pages_mark(ch, p, n, true);
			*chunk = (uint16_t)i;
			*first = (uint16_t)p;
			return true;
		}
	return false;
}

void pool_free_large(unsigned n, const uint16_t *c)
{
	for (unsigned k = 0; k < n; k++)
		chunks[c[k]].busy = false;
}

void pool_free_small(uint16_t chunk, uint16_t first, unsigned n)
{
	pages_mark(&chunks[chunk], first, n, false);
}

uint32_t pool_frame_cap(uint16_t chunk, unsigned i)
{
	return chunks[chunk].frame0 + i;
}

uint64_t pool_frame_phys(uint16_t chunk, unsigned i)
{
	return chunks[chunk].phys + (uint64_t)i * IOMMU_PAGE;
}

void *pool_frame_va(uint16_t chunk, unsigned i)
{
	return (char *)chunk_va(chunk) + (uint64_t)i * IOMMU_PAGE;
}

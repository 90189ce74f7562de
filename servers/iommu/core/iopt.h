/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * I/O page tables: one radix tree per domain in the format a backend
 * describes (struct iommu_pte_ops), with 4 KiB, 2 MiB and 1 GiB leaves.
 *
 * Map places the largest leaf that the IOVA, the physical address, the
 * remaining size and the domain's largest leaf level allow. It refuses a
 * range that meets any existing mapping (IOMMU_ERR_OVERLAP): remapping is
 * unmap then map. Unmap requires the whole range mapped
 * (IOMMU_ERR_NOT_MAPPED) and splits a superpage that the range covers only
 * in part into a table of smaller leaves. When a map fills a table with
 * leaves that together form one aligned, physically contiguous superpage
 * of equal rights, the table is merged back into that superpage (upwards
 * as far as the format allows). A table left without entries is removed.
 *
 * Every call first checks the whole range and allocates every page it
 * will need, then commits; so on error nothing changed and nothing leaked.
 * Tables removed from the tree are not freed: they come back in
 * iopt_changes.freed for the deferred-free queue, because the hardware may
 * walk them until the invalidation that covers them completed. The IOVA
 * ranges whose cached translations changed come back too: unmap, split
 * and merge always; map (not-present to present) only in caching mode.
 *
 * Entries are written with single 64-bit stores in an order that keeps
 * every intermediate tree valid for a concurrent walk (a new table is
 * filled and flushed before the entry pointing at it). The tree belongs to
 * the server thread alone. Work is proportional to the pages of the range;
 * the server bounds the size of a request.
 */
#ifndef IOMMU_IOPT_H
#define IOMMU_IOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "deferred.h"

#define IOPT_INV_RANGES 4u /* more distinct ranges than this: invalidate the domain */

struct iopt_table; /* one page-table page and its bookkeeping (iopt.c) */

struct iopt_config {
	const struct iommu_pte_ops *pte;
	const struct iommu_mem_ops *mem;
	unsigned width;          /* IOVAs are below 2^width */
	unsigned levels;         /* depth, from iopt_levels_for_width(); never changes */
	unsigned max_leaf_level; /* largest leaf every unit of the domain supports */
	bool caching_mode;       /* a unit caches not-present entries (VT-d CM) */
	/* Flush written entries from the CPU cache; NULL when every walk is coherent. */
	void (*flush_entries)(void *ctx, const void *va, size_t len);
	void *flush_ctx;
};

struct iommu_range {
	uint64_t start;
	uint64_t size;
};

/* What one or more calls changed; the caller turns it into a flush. */
struct iopt_changes {
	struct deferred_list freed; /* tables dropped from the tree (struct deferred_item) */
	struct iommu_range inv[IOPT_INV_RANGES]; /* IOTLB ranges to invalidate, merged */
	unsigned inv_count;
	bool inv_all;              /* ranges overflowed: invalidate the whole domain */
	unsigned ptes_written;     /* entries stored, including table pointers */
	unsigned tables_allocated; /* table pages added to the tree */
};

struct iopt {
	struct iopt_config cfg;
	struct iopt_table *root;
	uint64_t mapped_bytes; /* bytes covered by leaves */
	unsigned tables;       /* table pages in the tree, root included */
	/*
	 * The table the short paths found last (NULL: none), of level
	 * last_level, holding the entries of [last_iova, +its span): the next
	 * map or unmap nearby skips the walk. Cleared whenever a table leaves
	 * the tree.
	 */
	struct iopt_table *last;
	uint64_t last_iova;
	unsigned last_level;
};

/*
 * Depth of a tree whose IOVAs are below 2^width: the fewest levels in
 * levels_mask (bit n: n levels supported) that cover width bits.
 * IOMMU_ERR_UNSUPPORTED if none does or width is below one table's reach.
 */
enum iommu_err iopt_levels_for_width(unsigned width, uint32_t levels_mask, unsigned *levels);

/* Start an empty tree (allocates the root). On error *pt is unusable. */
enum iommu_err iopt_init(struct iopt *pt, const struct iopt_config *cfg);

/*
 * Drop every table, root included, into c->freed; the whole domain must be
 * invalidated (c->inv_all) before they are released. *pt is unusable after.
 */
void iopt_destroy(struct iopt *pt, struct iopt_changes *c);

/* Physical address of the root table, for attach(). */
uint64_t iopt_root_phys(const struct iopt *pt);

void iopt_changes_init(struct iopt_changes *c);

/*
 * Map [iova, iova+size) to [phys, phys+size) with rights (IOMMU_READ and/or
 * IOMMU_WRITE). Errors, checked in this order: IOMMU_ERR_INVAL (no rights,
 * unknown rights bits, size 0), IOMMU_ERR_ALIGNMENT (iova, phys or size not
 * 4 KiB aligned), IOMMU_ERR_RANGE (beyond 2^width), IOMMU_ERR_OVERLAP,
 * IOMMU_ERR_NO_MEMORY. On error the tree and *c are unchanged.
 */
enum iommu_err iopt_map(struct iopt *pt, uint64_t iova, uint64_t phys, uint64_t size,
                        unsigned rights, struct iopt_changes *c);

/*
 * Unmap [iova, iova+size), splitting superpages it covers in part.
 * Errors: IOMMU_ERR_INVAL (size 0), IOMMU_ERR_ALIGNMENT, IOMMU_ERR_RANGE,
 * IOMMU_ERR_NOT_MAPPED (some page of the range is not mapped),
 * IOMMU_ERR_NO_MEMORY (a split needed a table). On error nothing changed.
 */
enum iommu_err iopt_unmap(struct iopt *pt, uint64_t iova, uint64_t size, struct iopt_changes *c);

/*
 * Translate iova: *phys (of iova itself, offset included), *rights and
 * *page_size of the leaf. IOMMU_ERR_RANGE beyond the width,
 * IOMMU_ERR_NOT_MAPPED when no leaf covers it. Reads the tree only.
 */
enum iommu_err iopt_lookup(const struct iopt *pt, uint64_t iova, uint64_t *phys, unsigned *rights,
                           uint64_t *page_size);

/*
 * Visit every leaf in IOVA order (for dump): fn(ctx, iova, phys, size,
 * rights). Stops early and returns false when fn returns false.
 */
typedef bool (*iopt_leaf_fn)(void *ctx, uint64_t iova, uint64_t phys, uint64_t size,
                             unsigned rights);
bool iopt_for_each_leaf(const struct iopt *pt, iopt_leaf_fn fn, void *ctx);

/* The first disagreement iopt_verify() found. */
struct iopt_problem {
	const char *what; /* static text */
	uint64_t iova;    /* first IOVA the faulty entry or table maps */
	unsigned level;   /* level of the entry */
};

/*
 * Check the tables in memory against the tree's bookkeeping (for dump and
 * tests): every entry's presence and target against the record of its
 * table, present-entry counts, no empty table below the root, leaves no
 * larger than the domain allows, aligned and with rights, and the totals
 * of mapped bytes and tables. Returns true if all agree, else false with
 * the first problem in *p. Reads only.
 */
bool iopt_verify(const struct iopt *pt, struct iopt_problem *p);

/* The deferred_item release function of the tables in iopt_changes.freed. */
void iopt_release_table(struct deferred_item *item, void *ctx);

#endif /* IOMMU_IOPT_H */

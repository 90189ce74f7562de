/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The shared test fixture (see fixture.h). The domain's tree uses the
 * mock unit's entry format and memory, with the unit's flush hook when
 * the mock walk is not coherent, exactly as the server wires a domain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define FIX_TEARDOWN_FLUSHES 2u

static void flush_hook(void *ctx, const void *va, size_t len)
{
	struct fixture *f = ctx;

	mock_unit_ops.flush_entries(mock_unit_handle(&f->unit), va, len);
}

struct fixture *fixture_new(unsigned width, unsigned max_leaf,
                            void (*tweak)(struct iommu_caps *caps))
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct iopt_config cfg;
	unsigned levels;
	uint16_t id;

	if (!f)
		abort();
	mock_mem_init(&f->mem, &f->fail);
	mock_unit_init(&f->unit, &f->mem, &f->fail);
	if (tweak)
		tweak(&f->unit.caps);
	mock_unit_ops.caps(mock_unit_handle(&f->unit), &f->caps);
	f->ref = (struct iommu_unit_ref){&mock_unit_ops, mock_unit_handle(&f->unit), &f->caps};
	deferred_init(&f->queue, NULL);
	iopt_changes_init(&f->changes);
	if (domain_id_init(&f->ids, FIX_IDS, &f->queue, &f->mem.ops) ||
	    domain_id_alloc(&f->ids, &id) || id != FIX_DOMAIN)
		abort();
	if (iopt_levels_for_width(width, f->caps.levels_mask, &levels))
		abort();
	cfg = (struct iopt_config){
	        .pte = &mock_pte_ops,
	        .mem = &f->mem.ops,
	        .width = width,
	        .levels = levels,
	        .max_leaf_level = max_leaf,
	        .caching_mode = f->caps.caching_mode,
	        .flush_entries = f->caps.coherent_walk ? NULL : flush_hook,
	        .flush_ctx = f,
	};
	if (iopt_init(&f->pt, &cfg) ||
	    mock_unit_ops.attach(f->ref.unit, FIX_SOURCE, FIX_DOMAIN, iopt_root_phys(&f->pt),
	                         levels) ||
	    mock_unit_ops.wait(f->ref.unit))
		abort();
	mock_unit_reset_counters(&f->unit);
	return f;
}

enum iommu_err fixture_flush(struct fixture *f)
{
	return iommu_inv_flush(&f->queue, &f->ref, 1, FIX_DOMAIN, &f->changes);
}

unsigned fixture_free(struct fixture *f)
{
	unsigned leaked;

	f->fail.nth = 0;
	f->unit.wait_times_out = false;
	if (f->pt.root) /* a test may have destroyed it */
		iopt_destroy(&f->pt, &f->changes);
	/* The first flush is global if a wait failed before; the second must finish it. */
	for (unsigned i = 0; i < FIX_TEARDOWN_FLUSHES; i++)
		fixture_flush(f);
	domain_id_fini(&f->ids);
	leaked = mock_mem_fini(&f->mem);
	free(f);
	return leaked;
}

static bool snap_leaf(void *ctx, uint64_t iova, uint64_t phys, uint64_t size, unsigned rights)
{
	struct snapshot *s = ctx;

	if (s->count == SNAP_LEAVES)
		return false;
	s->leaf[s->count++] = (struct snap_leaf){iova, phys, size, rights};
	return true;
}

void snapshot_take(struct fixture *f, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	if (f->pt.root && !iopt_for_each_leaf(&f->pt, snap_leaf, s))
		abort(); /* the test maps more leaves than a snapshot holds */
	s->tables = f->pt.tables;
	s->mapped_bytes = f->pt.mapped_bytes;
	s->pages_live = f->mem.pages_live;
	s->meta_live = f->mem.meta_live;
	s->ids_available = domain_id_available(&f->ids);
	s->held = deferred_pending(&f->queue) + f->changes.freed.count;
}

bool snapshot_equal(const struct snapshot *a, const struct snapshot *b)
{
	return a->count == b->count && a->tables == b->tables &&
	       a->mapped_bytes == b->mapped_bytes && a->pages_live == b->pages_live &&
	       a->meta_live == b->meta_live && a->ids_available == b->ids_available &&
	       a->held == b->held && !memcmp(a->leaf, b->leaf, a->count * sizeof(a->leaf[0]));
}

bool fixture_maps(struct fixture *f, uint64_t iova, uint64_t phys, uint64_t size, unsigned rights)
{
	for (uint64_t off = 0; off < size; off += IOMMU_PAGE_SIZE) {
		if (!mock_is_mapped(&f->unit, FIX_SOURCE, FIX_DOMAIN, iova + off, phys + off,
		                    rights))
			return false;
	}
	return true;
}

bool fixture_unmapped(struct fixture *f, uint64_t iova, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += IOMMU_PAGE_SIZE) {
		uint64_t p;
		unsigned r;

		if (mock_translate(&f->unit, FIX_SOURCE, iova + off, &p, &r, NULL) !=
		    IOMMU_ERR_NOT_MAPPED)
			return false;
	}
	return true;
}

bool fixture_verify(struct fixture *f)
{
	struct iopt_problem p;

	if (!f->pt.root || iopt_verify(&f->pt, &p))
		return true;
	fprintf(stderr, "iopt_verify: %s at IOVA %#llx, level %u\n", p.what,
	        (unsigned long long)p.iova, p.level);
	return false;
}

uint64_t *fixture_entry(struct fixture *f, uint64_t iova, unsigned level)
{
	uint64_t table = iopt_root_phys(&f->pt);

	for (unsigned l = f->pt.cfg.levels;; l--) {
		uint64_t *e =
		        (uint64_t *)mock_mem_page(&f->mem, table)->va + iommu_level_index(iova, l);

		if (l == level)
			return e;
		table = mock_pte_ops.addr(*e);
	}
}

/* One page as the tree and as the hardware see it. */
static bool page_agrees(struct fixture *f, uint64_t iova)
{
	uint64_t sw_phys, sw_size, hw_phys;
	unsigned sw_rights, hw_rights;
	enum iommu_err sw, hw;

	if (iova >> f->pt.cfg.width)
		return true;
	sw = iopt_lookup(&f->pt, iova, &sw_phys, &sw_rights, &sw_size);
	hw = mock_translate(&f->unit, FIX_SOURCE, iova, &hw_phys, &hw_rights, NULL);
	if (sw != hw)
		return false;
	return sw || (sw_phys == hw_phys && sw_rights == hw_rights);
}

static bool leaf_agrees(void *ctx, uint64_t iova, uint64_t phys, uint64_t size, unsigned rights)
{
	struct fixture *f = ctx;

	(void)phys;
	(void)rights;
	return page_agrees(f, iova) && page_agrees(f, iova + size - IOMMU_PAGE_SIZE) &&
	       (iova == 0 || page_agrees(f, iova - IOMMU_PAGE_SIZE)) && page_agrees(f, iova + size);
}

bool fixture_hw_agrees(struct fixture *f)
{
	if (!f->pt.root)
		return f->unit.walk_errors == 0;
	return iopt_for_each_leaf(&f->pt, leaf_agrees, f) && f->unit.walk_errors == 0;
}

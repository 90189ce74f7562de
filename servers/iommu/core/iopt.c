/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * I/O page tables (the model is in iopt.h). Each table page has a
 * bookkeeping record beside it: its count of present entries, so empty
 * tables are found without a scan, and for tables above level 1 the
 * records of its child tables, so the walk never has to turn a physical
 * address back into a pointer.
 *
 * Map and unmap run twice over the range. The dry pass reads the tree
 * only: it finds overlaps (map) or holes (unmap) and counts the tables the
 * commit will need per level. Those are allocated, and only then does the
 * commit pass write entries; it cannot fail. The common case of a server,
 * a run of leaves of one size inside one existing table that neither
 * fills (map) nor empties (unmap), takes a shorter path with the same
 * checks and the same stores (map_fast, unmap_fast). A table is filled and
 * flushed before the entry pointing at it is written, so a walk sees
 * either the old subtree or the complete new one.
 *
 * Invariants: every table except the root has at least one present entry,
 * so a table entry whose span a map range covers whole always overlaps.
 * An entry is either zero or one the format made (a leaf with rights, or a
 * table pointer), both present: so in these tables, and only in them, an
 * entry is present exactly when it is not zero (iopt_verify() checks it).
 */
#include <stddef.h>

#include "iopt.h"

/*
 * A build of the core with a preferred entry format (the server's,
 * compiled with -DIOPT_FORMAT_HEADER="that format's header") calls that
 * format's encoders and its flush inline instead of through cfg.pte and
 * cfg.flush_entries whenever a table's config names them (one compare of
 * a pointer the table holds anyway), and any other format through the
 * ops: the server's VT-d tables pay no indirect call, its AMD-Vi tables
 * one per entry operation. The host tests build the core without it, for
 * the mock and every backend.
 */
#ifdef IOPT_FORMAT_HEADER
#include IOPT_FORMAT_HEADER

#define FORMATTED(pt) ((pt)->cfg.pte == &IOPT_FORMAT_OPS)
#define FORMAT_CALL(pt, op, ...) \
	(FORMATTED(pt) ? iopt_format_##op(__VA_ARGS__) : (pt)->cfg.pte->op(__VA_ARGS__))
#define FLUSH_CALL(pt, ...) \
	(FORMATTED(pt) ? iopt_format_flush(__VA_ARGS__) : (pt)->cfg.flush_entries(__VA_ARGS__))
/* The fast paths run only for the preferred format: no test per entry there. */
#define FAST_PATH(pt)          __builtin_expect(FORMATTED(pt), 1)
#define FAST_CALL(pt, op, ...) ((void)(pt), iopt_format_##op(__VA_ARGS__))
#define FAST_FLUSH(pt, ...)    ((void)(pt), iopt_format_flush(__VA_ARGS__))
#define FORMAT_ACCEPTS(cf)                \
	((cf)->pte != &IOPT_FORMAT_OPS || \
	 (!(cf)->flush_entries || (cf)->flush_entries == IOPT_FORMAT_FLUSH))
#else
#define FORMAT_CALL(pt, op, ...) ((pt)->cfg.pte->op(__VA_ARGS__))
#define FLUSH_CALL(pt, ...)      ((pt)->cfg.flush_entries(__VA_ARGS__))
#define FAST_PATH(pt)            true
#define FAST_CALL                FORMAT_CALL
#define FAST_FLUSH               FLUSH_CALL
#define FORMAT_ACCEPTS(cf)       true
#endif
/*
 * In a function compiled twice (always inline, `inl` a constant): the
 * preferred format inline, or any format through its ops.
 */
#define PICK_CALL(inl, pt, op, ...) \
	((inl) ? FAST_CALL(pt, op, __VA_ARGS__) : (pt)->cfg.pte->op(__VA_ARGS__))
#define PICK_FLUSH(inl, pt, ...) \
	((inl) ? FAST_FLUSH(pt, __VA_ARGS__) : (pt)->cfg.flush_entries(__VA_ARGS__))

struct iopt_table {
	struct deferred_item item; /* first: the freed list links tables through it */
	struct iommu_page page;
	const struct iommu_mem_ops *mem;
	unsigned used;     /* present entries */
	bool live;         /* reachable by the hardware: stores must be flushed */
	unsigned dirty_lo; /* entries [dirty_lo, dirty_hi) stored, not yet flushed */
	unsigned dirty_hi;
	struct iopt_table *child[]; /* tables above level 1: child tables by index */
};

/* Tables allocated by the dry pass's count, handed out by the commit. */
struct iopt_prealloc {
	unsigned need[IOMMU_LEVELS_MAX + 1];
	struct iopt_table *list[IOMMU_LEVELS_MAX + 1];
};

static uint64_t *entries(const struct iopt_table *t)
{
	return t->page.va;
}

static uint64_t span_mask(unsigned level)
{
	return iommu_level_size(level) - 1;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* ---- tables ---- */

static size_t table_meta_size(unsigned level)
{
	size_t children = level > IOMMU_LEAF_4K ? IOMMU_PT_ENTRIES : 0;

	return sizeof(struct iopt_table) + children * sizeof(struct iopt_table *);
}

static enum iommu_err table_alloc(const struct iommu_mem_ops *mem, unsigned level,
                                  struct iopt_table **out)
{
	struct iopt_table *t = mem->alloc_meta(mem->ctx, table_meta_size(level));

	if (!t)
		return IOMMU_ERR_NO_MEMORY;
	if (mem->alloc_page(mem->ctx, &t->page)) {
		mem->free_meta(mem->ctx, t);
		return IOMMU_ERR_NO_MEMORY;
	}
	t->mem = mem;
	t->item.release = iopt_release_table;
	*out = t;
	return IOMMU_OK;
}

void iopt_release_table(struct deferred_item *item, void *ctx)
{
	struct iopt_table *t = (struct iopt_table *)item;
	const struct iommu_mem_ops *mem = t->mem;

	(void)ctx;
	/* No present entry: every entry was stored as zero and flushed (or never written). */
	t->page.zero = t->used == 0;
	mem->free_page(mem->ctx, t->page);
	mem->free_meta(mem->ctx, t);
}

static void prealloc_release(struct iopt_prealloc *pa)
{
	for (unsigned l = 0; l <= IOMMU_LEVELS_MAX; l++) {
		while (pa->list[l]) {
			struct iopt_table *t = pa->list[l];

			pa->list[l] = (struct iopt_table *)t->item.next;
			iopt_release_table(&t->item, NULL);
		}
	}
}

/* Allocate everything pa->need asks for, or nothing. */
static enum iommu_err prealloc_fill(const struct iopt *pt, struct iopt_prealloc *pa)
{
	for (unsigned l = 1; l <= IOMMU_LEVELS_MAX; l++) {
		for (unsigned i = 0; i < pa->need[l]; i++) {
			struct iopt_table *t;

			if (table_alloc(pt->cfg.mem, l, &t)) {
				prealloc_release(pa);
				return IOMMU_ERR_NO_MEMORY;
			}
			t->item.next = pa->list[l] ? &pa->list[l]->item : NULL;
			pa->list[l] = t;
		}
	}
	return IOMMU_OK;
}

static struct iopt_table *prealloc_take(struct iopt_prealloc *pa, unsigned level)
{
	struct iopt_table *t = pa->list[level];

	pa->list[level] = (struct iopt_table *)t->item.next;
	t->item.next = NULL;
	return t;
}

/* ---- entry stores ---- */

static void flush(const struct iopt *pt, const void *va, size_t len)
{
	if (pt->cfg.flush_entries)
		FLUSH_CALL(pt, pt->cfg.flush_ctx, va, len);
}

/*
 * One 64-bit store. In a table the hardware can reach, the entry joins the
 * table's dirty range, which flush_dirty() writes back once per table and
 * call rather than once per entry.
 */
static void pte_store(struct iopt_table *t, unsigned idx, uint64_t v, struct iopt_changes *c)
{
	__atomic_store_n(&entries(t)[idx], v, __ATOMIC_RELEASE);
	c->ptes_written++;
	if (!t->live)
		return;
	if (t->dirty_hi == 0 || idx < t->dirty_lo)
		t->dirty_lo = idx;
	if (idx >= t->dirty_hi)
		t->dirty_hi = idx + 1;
}

/* Flush the entries of t stored since its last flush. */
static void flush_dirty(const struct iopt *pt, struct iopt_table *t)
{
	if (!t->dirty_hi)
		return;
	flush(pt, &entries(t)[t->dirty_lo], (t->dirty_hi - t->dirty_lo) * sizeof(uint64_t));
	t->dirty_lo = 0;
	t->dirty_hi = 0;
}

/* Make a filled table reachable: flush it whole, then point the parent at it. */
static void link_table(struct iopt *pt, struct iopt_table *parent, unsigned idx,
                       struct iopt_table *child, unsigned level, struct iopt_changes *c)
{
	flush(pt, child->page.va, IOMMU_PAGE_SIZE);
	child->live = true;
	parent->child[idx] = child;
	pte_store(parent, idx, FORMAT_CALL(pt, make_table, child->page.phys, level), c);
	pt->tables++;
	c->tables_allocated++;
}

/* Take a table out of the tree; it goes to the caller's deferred list. */
static void unlink_table(struct iopt *pt, struct iopt_table *parent, unsigned idx,
                         struct iopt_changes *c)
{
	struct iopt_table *child = parent->child[idx];

	parent->child[idx] = NULL;
	deferred_list_push(&c->freed, &child->item);
	pt->tables--;
	pt->last = NULL; /* it may have been this table, or one below it */
}

/* ---- changes ---- */

void iopt_changes_init(struct iopt_changes *c)
{
	deferred_list_init(&c->freed);
	c->inv_count = 0;
	c->inv_all = false;
	c->ptes_written = 0;
	c->tables_allocated = 0;
}

/* Record [start, start+size) for invalidation, merged with a range it meets. */
static void changes_add_inv(struct iopt_changes *c, uint64_t start, uint64_t size)
{
	uint64_t end = start + size;

	if (c->inv_all)
		return;
	for (unsigned i = 0; i < c->inv_count; i++) {
		struct iommu_range *r = &c->inv[i];
		uint64_t r_end = r->start + r->size;

		if (start <= r_end && r->start <= end) {
			r->start = min_u64(r->start, start);
			r->size = (r_end > end ? r_end : end) - r->start;
			return;
		}
	}
	if (c->inv_count == IOPT_INV_RANGES) {
		c->inv_all = true;
		return;
	}
	c->inv[c->inv_count++] = (struct iommu_range){start, size};
}

/* ---- set-up ---- */

static unsigned reach_bits(unsigned levels)
{
	return IOMMU_PAGE_SHIFT + IOMMU_LEVEL_BITS * levels;
}

enum iommu_err iopt_levels_for_width(unsigned width, uint32_t levels_mask, unsigned *levels)
{
	if (width <= IOMMU_PAGE_SHIFT || width > IOMMU_MAX_WIDTH)
		return IOMMU_ERR_UNSUPPORTED;
	for (unsigned l = 1; l <= IOMMU_LEVELS_MAX; l++) {
		if ((levels_mask & (1u << l)) && reach_bits(l) >= width) {
			*levels = l;
			return IOMMU_OK;
		}
	}
	return IOMMU_ERR_UNSUPPORTED;
}

enum iommu_err iopt_init(struct iopt *pt, const struct iopt_config *cfg)
{
	if (cfg->levels < 1 || cfg->levels > IOMMU_LEVELS_MAX || cfg->width <= IOMMU_PAGE_SHIFT ||
	    cfg->width > reach_bits(cfg->levels) || cfg->max_leaf_level < IOMMU_LEAF_4K ||
	    cfg->max_leaf_level > IOMMU_LEAF_1G || cfg->max_leaf_level > cfg->levels ||
	    !FORMAT_ACCEPTS(cfg))
		return IOMMU_ERR_INVAL;
	pt->cfg = *cfg;
	pt->mapped_bytes = 0;
	pt->last = NULL;
	if (table_alloc(cfg->mem, cfg->levels, &pt->root))
		return IOMMU_ERR_NO_MEMORY;
	flush(pt, pt->root->page.va, IOMMU_PAGE_SIZE);
	pt->root->live = true;
	pt->tables = 1;
	return IOMMU_OK;
}

uint64_t iopt_root_phys(const struct iopt *pt)
{
	return pt->root->page.phys;
}

/* Push every table below t (post-order), then t, onto c->freed. */
static void destroy_level(struct iopt_table *t, unsigned level, struct iopt_changes *c)
{
	if (level > IOMMU_LEAF_4K) {
		for (unsigned i = 0; i < IOMMU_PT_ENTRIES; i++) {
			if (t->child[i])
				destroy_level(t->child[i], level - 1, c);
		}
	}
	deferred_list_push(&c->freed, &t->item);
}

void iopt_destroy(struct iopt *pt, struct iopt_changes *c)
{
	destroy_level(pt->root, pt->cfg.levels, c);
	c->inv_all = true;
	pt->root = NULL;
	pt->last = NULL;
	pt->tables = 0;
	pt->mapped_bytes = 0;
}

/* Common argument checks of map and unmap, in the documented order. */
static enum iommu_err check_range(const struct iopt *pt, uint64_t iova, uint64_t size)
{
	uint64_t limit = 1ull << pt->cfg.width; /* width < 64: see iopt_init */

	if (!size)
		return IOMMU_ERR_INVAL;
	if ((iova | size) & (IOMMU_PAGE_SIZE - 1))
		return IOMMU_ERR_ALIGNMENT;
	if (size > limit || iova > limit - size)
		return IOMMU_ERR_RANGE;
	return IOMMU_OK;
}

/* End of the entry of `level` that holds a, clipped to end. */
static uint64_t entry_stop(uint64_t a, unsigned level, uint64_t end)
{
	return min_u64((a | span_mask(level)) + 1, end);
}

/* ---- map ---- */

struct map_args {
	uint64_t delta; /* phys - iova, modulo 2^64 */
	unsigned rights;
};

/* Whether map places one leaf of `level` for [a, stop). */
static bool map_leaf_fits(const struct iopt *pt, unsigned level, uint64_t a, uint64_t stop,
                          const struct map_args *m)
{
	return level <= pt->cfg.max_leaf_level && !((a | (a + m->delta)) & span_mask(level)) &&
	       stop - a == iommu_level_size(level);
}

/*
 * Dry pass of map over [a, end) in table t of `level` (NULL: a table the
 * commit will create): IOMMU_ERR_OVERLAP, or counts in pa->need the
 * tables the commit will create.
 */
static enum iommu_err map_dry(const struct iopt *pt, const struct iopt_table *t, unsigned level,
                              uint64_t a, uint64_t end, const struct map_args *m,
                              struct iopt_prealloc *pa)
{

	for (uint64_t stop; a < end; a = stop) {
		unsigned idx = iommu_level_index(a, level);
		uint64_t pte = t ? entries(t)[idx] : 0;
		bool leaf;
		enum iommu_err err = IOMMU_OK;

		stop = entry_stop(a, level, end);
		leaf = map_leaf_fits(pt, level, a, stop, m);
		if (t && FORMAT_CALL(pt, present, pte)) {
			/* Non-root tables are never empty: a whole span always overlaps. */
			if (leaf || FORMAT_CALL(pt, is_leaf, pte, level))
				return IOMMU_ERR_OVERLAP;
			err = map_dry(pt, t->child[idx], level - 1, a, stop, m, pa);
		} else if (!leaf) {
			pa->need[level - 1]++;
			if (level - 1 > IOMMU_LEAF_4K)
				err = map_dry(pt, NULL, level - 1, a, stop, m, pa);
		}
		if (err)
			return err;
	}
	return IOMMU_OK;
}

/*
 * If the child table at t[idx] holds 512 leaves that form one aligned,
 * contiguous superpage of equal rights that the format allows, replace it
 * by that leaf. span_start is the IOVA t[idx] maps.
 */
static void try_merge(struct iopt *pt, struct iopt_table *t, unsigned idx, unsigned level,
                      uint64_t span_start, struct iopt_changes *c)
{
	const struct iopt_table *child = t->child[idx];
	const uint64_t *e = entries(child);
	uint64_t base, step = iommu_level_size(level - 1);
	unsigned rights;

	/* The common case, a table not full, costs one comparison. */
	if (child->used != IOMMU_PT_ENTRIES || level > pt->cfg.max_leaf_level)
		return;
	base = FORMAT_CALL(pt, addr, e[0]);
	rights = FORMAT_CALL(pt, rights, e[0]);
	if (base & span_mask(level))
		return;
	for (unsigned i = 0; i < IOMMU_PT_ENTRIES; i++) {
		if (!FORMAT_CALL(pt, is_leaf, e[i], level - 1) ||
		    FORMAT_CALL(pt, addr, e[i]) != base + i * step ||
		    FORMAT_CALL(pt, rights, e[i]) != rights)
			return;
	}
	pte_store(t, idx, FORMAT_CALL(pt, make_leaf, base, level, rights), c);
	unlink_table(pt, t, idx, c);
	changes_add_inv(c, span_start, iommu_level_size(level));
}

/* Commit pass of map over [a, end) in table t of `level`; cannot fail. */
static void map_commit(struct iopt *pt, struct iopt_table *t, unsigned level, uint64_t a,
                       uint64_t end, const struct map_args *m, struct iopt_prealloc *pa,
                       struct iopt_changes *c)
{
	for (uint64_t stop; a < end; a = stop) {
		unsigned idx = iommu_level_index(a, level);
		struct iopt_table *child = t->child[idx];

		stop = entry_stop(a, level, end);
		if (map_leaf_fits(pt, level, a, stop, m)) {
			pte_store(t, idx,
			          FORMAT_CALL(pt, make_leaf, a + m->delta, level, m->rights), c);
			t->used++;
		} else if (child) {
			map_commit(pt, child, level - 1, a, stop, m, pa, c);
			try_merge(pt, t, idx, level, a & ~span_mask(level), c);
		} else {
			child = prealloc_take(pa, level - 1);
			map_commit(pt, child, level - 1, a, stop, m, pa, c);
			link_table(pt, t, idx, child, level, c);
			t->used++;
		}
	}
	flush_dirty(pt, t);
}

/*
 * The level of the leaves for a range whose addresses and size are all
 * aligned as `bits` says: the largest the domain allows.
 */
static unsigned level_shift(unsigned level)
{
	return IOMMU_PAGE_SHIFT + IOMMU_LEVEL_BITS * (level - 1);
}

static unsigned run_level(const struct iopt *pt, uint64_t bits)
{
	/* bits is a non-zero multiple of 4 KiB (the callers checked): the lowest set bit decides.
	 */
	unsigned level = IOMMU_LEAF_4K +
	                 ((unsigned)__builtin_ctzll(bits) - IOMMU_PAGE_SHIFT) / IOMMU_LEVEL_BITS;

	return level < pt->cfg.max_leaf_level ? level : pt->cfg.max_leaf_level;
}

/*
 * The walk of run_table() from the root; remembers the table it finds. Out
 * of line, so that run_table()'s test of the remembered table is inline.
 */
static __attribute__((noinline)) struct iopt_table *
walk_to_table(struct iopt *pt, uint64_t iova, unsigned level, uint64_t table_iova)
{
	struct iopt_table *t = pt->root;

	for (unsigned l = pt->cfg.levels; t && l > level; l--) {
		unsigned idx = iommu_level_index(iova, l);
		uint64_t pte = entries(t)[idx];

		if (!FORMAT_CALL(pt, present, pte) || FORMAT_CALL(pt, is_leaf, pte, l))
			return NULL;
		t = t->child[idx];
	}
	pt->last = t;
	pt->last_iova = table_iova;
	pt->last_level = level;
	return t;
}

/*
 * The table of `level` that holds the entries of [iova, iova+size) whole,
 * if it is in the tree and the range stays inside it; else NULL. The one
 * found last is remembered (pt->last): tables never move, and one that
 * leaves the tree clears it.
 */
static struct iopt_table *run_table(struct iopt *pt, uint64_t iova, uint64_t size, unsigned level)
{
	unsigned first = iommu_level_index(iova, level);
	uint64_t table_iova = iova & ~((1ull << (level_shift(level) + IOMMU_LEVEL_BITS)) - 1);

	if (size > (uint64_t)(IOMMU_PT_ENTRIES - first) << level_shift(level))
		return NULL;
	if (pt->last && pt->last_level == level && pt->last_iova == table_iova)
		return pt->last;
	return walk_to_table(pt, iova, level, table_iova);
}

/*
 * Map's common case without the dry pass: the range is a run of entries
 * of one table that exists and stays short of full, each a leaf of the
 * largest size the alignment allows. Then the general path would store
 * exactly these leaves (no larger leaf fits a range inside one table, no
 * table is allocated, a table not full is not merged), and the only
 * possible error is an overlap, checked before any store. Returns false
 * when the case does not apply (nothing done).
 */
static inline __attribute__((always_inline)) bool map_fast(struct iopt *pt, uint64_t iova,
                                                           uint64_t phys, uint64_t size,
                                                           unsigned rights, struct iopt_changes *c,
                                                           enum iommu_err *err, bool inl)
{
	unsigned level = run_level(pt, iova | phys | size);
	struct iopt_table *t = run_table(pt, iova, size, level);
	unsigned shift = level_shift(level), n = (unsigned)(size >> shift);
	uint64_t *e, leaf;

	if (!t || t->used + n >= IOMMU_PT_ENTRIES)
		return false;
	e = &entries(t)[iommu_level_index(iova, level)];
	for (unsigned i = 0; i < n; i++) {
		if (e[i] != 0) { /* present: see the invariants above */
			*err = IOMMU_ERR_OVERLAP;
			return true;
		}
	}
	/*
	 * The first leaf outside the loop: a run is most often one leaf, which
	 * then needs no loop around the format's call. The run is flushed at
	 * once: it is all this call stores in t.
	 */
	leaf = PICK_CALL(inl, pt, make_leaf, phys, level, rights);
	__atomic_store_n(&e[0], leaf, __ATOMIC_RELEASE);
	for (unsigned i = 1; i < n; i++)
		__atomic_store_n(
		        &e[i],
		        PICK_CALL(inl, pt, make_leaf, phys + ((uint64_t)i << shift), level, rights),
		        __ATOMIC_RELEASE);
	c->ptes_written += n;
	t->used += n;
	if (pt->cfg.flush_entries)
		PICK_FLUSH(inl, pt, pt->cfg.flush_ctx, e, n * sizeof(*e));
	*err = IOMMU_OK;
	return true;
}

/* Map through the dry pass, the preallocation and the commit. */
static enum iommu_err map_general(struct iopt *pt, uint64_t iova, uint64_t phys, uint64_t size,
                                  unsigned rights, struct iopt_changes *c)
{
	struct iopt_prealloc pa = {0};
	struct map_args m = {phys - iova, rights};
	enum iommu_err err = map_dry(pt, pt->root, pt->cfg.levels, iova, iova + size, &m, &pa);

	if (!err)
		err = prealloc_fill(pt, &pa);
	if (err)
		return err;
	map_commit(pt, pt->root, pt->cfg.levels, iova, iova + size, &m, &pa, c);
	prealloc_release(&pa); /* empty: the dry pass counted exactly */
	return IOMMU_OK;
}

enum iommu_err iopt_map(struct iopt *pt, uint64_t iova, uint64_t phys, uint64_t size,
                        unsigned rights, struct iopt_changes *c)
{
	enum iommu_err err;

	if (!rights || (rights & ~IOMMU_RIGHTS_MASK) || !size)
		return IOMMU_ERR_INVAL;
	if (phys & (IOMMU_PAGE_SIZE - 1))
		return IOMMU_ERR_ALIGNMENT;
	err = check_range(pt, iova, size);
	if (err)
		return err;
	if (phys > UINT64_MAX - size)
		return IOMMU_ERR_RANGE;
	if (!(FAST_PATH(pt) ? map_fast(pt, iova, phys, size, rights, c, &err, true)
	                    : map_fast(pt, iova, phys, size, rights, c, &err, false)))
		err = map_general(pt, iova, phys, size, rights, c);
	if (err)
		return err;
	pt->mapped_bytes += size;
	if (pt->cfg.caching_mode)
		changes_add_inv(c, iova, size);
	return IOMMU_OK;
}

/* ---- unmap ---- */

/*
 * Count the tables that splitting a leaf of `level` needs so that [a, end)
 * (inside the leaf, not all of it) can be unmapped: one table of smaller
 * leaves, and again for each of its leaves the range covers in part.
 */
static void split_count(unsigned level, uint64_t a, uint64_t end, struct iopt_prealloc *pa)
{
	pa->need[level - 1]++;
	for (uint64_t stop; a < end; a = stop) {
		stop = entry_stop(a, level - 1, end);
		if (stop - a < iommu_level_size(level - 1))
			split_count(level - 1, a, stop, pa);
	}
}

/* Dry pass of unmap: IOMMU_ERR_NOT_MAPPED, or the splits' tables in pa->need. */
static enum iommu_err unmap_dry(const struct iopt *pt, const struct iopt_table *t, unsigned level,
                                uint64_t a, uint64_t end, struct iopt_prealloc *pa)
{

	for (uint64_t stop; a < end; a = stop) {
		uint64_t pte = entries(t)[iommu_level_index(a, level)];
		enum iommu_err err;

		stop = entry_stop(a, level, end);
		if (!FORMAT_CALL(pt, present, pte))
			return IOMMU_ERR_NOT_MAPPED;
		if (FORMAT_CALL(pt, is_leaf, pte, level)) {
			if (stop - a < iommu_level_size(level))
				split_count(level, a, stop, pa);
			continue;
		}
		err = unmap_dry(pt, t->child[iommu_level_index(a, level)], level - 1, a, stop, pa);
		if (err)
			return err;
	}
	return IOMMU_OK;
}

/* Replace the leaf t[idx] of `level` by a table of 512 leaves mapping the same. */
static void split_leaf(struct iopt *pt, struct iopt_table *t, unsigned idx, unsigned level,
                       struct iopt_prealloc *pa, struct iopt_changes *c)
{
	uint64_t pte = entries(t)[idx];
	uint64_t base = FORMAT_CALL(pt, addr, pte), step = iommu_level_size(level - 1);
	unsigned rights = FORMAT_CALL(pt, rights, pte);
	struct iopt_table *child = prealloc_take(pa, level - 1);

	for (unsigned i = 0; i < IOMMU_PT_ENTRIES; i++)
		pte_store(child, i, FORMAT_CALL(pt, make_leaf, base + i * step, level - 1, rights),
		          c);
	child->used = IOMMU_PT_ENTRIES;
	link_table(pt, t, idx, child, level, c);
}

/* Commit pass of unmap over [a, end) in table t of `level`; cannot fail. */
static void unmap_commit(struct iopt *pt, struct iopt_table *t, unsigned level, uint64_t a,
                         uint64_t end, struct iopt_prealloc *pa, struct iopt_changes *c)
{

	for (uint64_t stop; a < end; a = stop) {
		unsigned idx = iommu_level_index(a, level);

		stop = entry_stop(a, level, end);
		if (FORMAT_CALL(pt, is_leaf, entries(t)[idx], level)) {
			if (stop - a == iommu_level_size(level)) {
				pte_store(t, idx, 0, c);
				t->used--;
				continue;
			}
			split_leaf(pt, t, idx, level, pa, c);
		}
		unmap_commit(pt, t->child[idx], level - 1, a, stop, pa, c);
		if (!t->child[idx]->used) {
			pte_store(t, idx, 0, c);
			t->used--;
			unlink_table(pt, t, idx, c);
		}
	}
	flush_dirty(pt, t);
}

/*
 * Unmap's common case without the dry pass: the range is a run of leaves
 * of one table that keeps other entries (so it is not removed), each leaf
 * whole. Returns false when the case does not apply (nothing done).
 */
static inline __attribute__((always_inline)) bool unmap_fast(struct iopt *pt, uint64_t iova,
                                                             uint64_t size, struct iopt_changes *c,
                                                             enum iommu_err *err, bool inl)
{
	unsigned level = run_level(pt, iova | size);
	struct iopt_table *t = run_table(pt, iova, size, level);
	unsigned first = iommu_level_index(iova, level);
	unsigned n = (unsigned)(size >> level_shift(level));
	bool leaves = true;

	if (!t || t->used <= n)
		return false;
	for (unsigned i = first; i < first + n; i++) {
		if (!PICK_CALL(inl, pt, present, entries(t)[i])) {
			*err = IOMMU_ERR_NOT_MAPPED; /* as the general path finds it */
			return true;
		}
		leaves = leaves && PICK_CALL(inl, pt, is_leaf, entries(t)[i], level);
	}
	if (!leaves)
		return false; /* smaller leaves below: the general path */
	*err = IOMMU_OK;
	for (unsigned i = first; i < first + n; i++)
		pte_store(t, i, 0, c);
	t->used -= n;
	if (t->dirty_hi && pt->cfg.flush_entries) /* flush_dirty() with the format's own flush */
		PICK_FLUSH(inl, pt, pt->cfg.flush_ctx, &entries(t)[t->dirty_lo],
		           (t->dirty_hi - t->dirty_lo) * sizeof(uint64_t));
	t->dirty_lo = 0;
	t->dirty_hi = 0;
	return true;
}

enum iommu_err iopt_unmap(struct iopt *pt, uint64_t iova, uint64_t size, struct iopt_changes *c)
{
	struct iopt_prealloc pa = {0};
	enum iommu_err err = check_range(pt, iova, size);

	if (err)
		return err;
	if (FAST_PATH(pt) ? unmap_fast(pt, iova, size, c, &err, true)
	                  : unmap_fast(pt, iova, size, c, &err, false)) {
		if (err)
			return err;
	} else {
		err = unmap_dry(pt, pt->root, pt->cfg.levels, iova, iova + size, &pa);
		if (!err)
			err = prealloc_fill(pt, &pa);
		if (err)
			return err;
		unmap_commit(pt, pt->root, pt->cfg.levels, iova, iova + size, &pa, c);
		prealloc_release(&pa);
	}
	pt->mapped_bytes -= size;
	changes_add_inv(c, iova, size);
	return IOMMU_OK;
}

/* ---- reading ---- */

enum iommu_err iopt_lookup(const struct iopt *pt, uint64_t iova, uint64_t *phys, unsigned *rights,
                           uint64_t *page_size)
{
	const struct iopt_table *t = pt->root;

	if (iova >> pt->cfg.width)
		return IOMMU_ERR_RANGE;
	for (unsigned level = pt->cfg.levels;; level--) {
		unsigned idx = iommu_level_index(iova, level);
		uint64_t pte = entries(t)[idx];

		if (!FORMAT_CALL(pt, present, pte))
			return IOMMU_ERR_NOT_MAPPED;
		if (FORMAT_CALL(pt, is_leaf, pte, level)) {
			*phys = FORMAT_CALL(pt, addr, pte) + (iova & span_mask(level));
			*rights = FORMAT_CALL(pt, rights, pte);
			*page_size = iommu_level_size(level);
			return IOMMU_OK;
		}
		t = t->child[idx];
	}
}

static bool leaves_level(const struct iopt *pt, const struct iopt_table *t, unsigned level,
                         uint64_t base, iopt_leaf_fn fn, void *ctx)
{

	for (unsigned i = 0; i < IOMMU_PT_ENTRIES; i++) {
		uint64_t pte = entries(t)[i], iova = base + i * iommu_level_size(level);

		if (!FORMAT_CALL(pt, present, pte))
			continue;
		if (FORMAT_CALL(pt, is_leaf, pte, level)) {
			if (!fn(ctx, iova, FORMAT_CALL(pt, addr, pte), iommu_level_size(level),
			        FORMAT_CALL(pt, rights, pte)))
				return false;
		} else if (!leaves_level(pt, t->child[i], level - 1, iova, fn, ctx)) {
			return false;
		}
	}
	return true;
}

bool iopt_for_each_leaf(const struct iopt *pt, iopt_leaf_fn fn, void *ctx)
{
	return leaves_level(pt, pt->root, pt->cfg.levels, 0, fn, ctx);
}

/* ---- verification ---- */

struct verify {
	const struct iopt *pt;
	struct iopt_problem *p;
	uint64_t mapped;
	unsigned tables;
};

static bool problem(struct verify *v, const char *what, uint64_t iova, unsigned level)
{
	*v->p = (struct iopt_problem){what, iova, level};
	return false;
}

/* One present leaf entry of `level` mapping iova. */
static bool verify_leaf(struct verify *v, uint64_t pte, unsigned level, uint64_t iova)
{
	unsigned rights = FORMAT_CALL(v->pt, rights, pte);

	if (level > v->pt->cfg.max_leaf_level)
		return problem(v, "leaf larger than the domain allows", iova, level);
	if (FORMAT_CALL(v->pt, addr, pte) & span_mask(level))
		return problem(v, "leaf address not aligned to its size", iova, level);
	if (!rights || (rights & ~IOMMU_RIGHTS_MASK))
		return problem(v, "leaf without valid rights", iova, level);
	v->mapped += iommu_level_size(level);
	return true;
}

static bool verify_table(struct verify *v, const struct iopt_table *t, unsigned level,
                         uint64_t base);

/* Entry idx of table t (of `level`, mapping from base) against the record. */
static bool verify_entry(struct verify *v, const struct iopt_table *t, unsigned level,
                         uint64_t base, unsigned idx)
{
	uint64_t pte = entries(t)[idx], iova = base + idx * iommu_level_size(level);
	const struct iopt_table *child = level > IOMMU_LEAF_4K ? t->child[idx] : NULL;

	if (!FORMAT_CALL(v->pt, present, pte) && pte != 0)
		return problem(v, "entry neither present nor zero", iova, level);
	if (!FORMAT_CALL(v->pt, present, pte))
		return !child || problem(v, "record has a table the entry lacks", iova, level);
	if (FORMAT_CALL(v->pt, is_leaf, pte, level))
		return !child ? verify_leaf(v, pte, level, iova)
		              : problem(v, "leaf entry where the record has a table", iova, level);
	if (!child || child->page.phys != FORMAT_CALL(v->pt, addr, pte))
		return problem(v, "table entry disagrees with the record", iova, level);
	return verify_table(v, child, level - 1, iova);
}

static bool verify_table(struct verify *v, const struct iopt_table *t, unsigned level,
                         uint64_t base)
{
	unsigned present = 0;

	v->tables++;
	for (unsigned i = 0; i < IOMMU_PT_ENTRIES; i++) {
		if (!verify_entry(v, t, level, base, i))
			return false;
		present += FORMAT_CALL(v->pt, present, entries(t)[i]);
	}
	if (present != t->used)
		return problem(v, "count of present entries is wrong", base, level);
	if (!present && t != v->pt->root)
		return problem(v, "empty table left in the tree", base, level);
	return true;
}

bool iopt_verify(const struct iopt *pt, struct iopt_problem *p)
{
	struct verify v = {pt, p, 0, 0};

	if (!verify_table(&v, pt->root, pt->cfg.levels, 0))
		return false;
	if (v.mapped != pt->mapped_bytes)
		return problem(&v, "mapped bytes disagree with the leaves", 0, pt->cfg.levels);
	if (v.tables != pt->tables)
		return problem(&v, "table count disagrees with the tree", 0, pt->cfg.levels);
	return true;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * I/O page tables against a reference model: a long, seeded sequence of
 * random maps and unmaps (4 KiB to 1 GiB, physical offsets that allow
 * superpages and ones that do not, unmaps of parts of earlier maps so
 * that superpages split) over 2 GiB of IOVA, with every result compared
 * to a flat per-page array. After each call the pages around its range
 * are translated through the mock unit; at the end every page is, the
 * tree must be canonical (no table that could have been merged), and
 * unmapping everything must leave the root alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define REGION_START  GIB
#define REGION_SIZE   (2 * GIB)
#define REGION_PAGES  (REGION_SIZE / (4 * KIB))
#define OPS           3000u
#define MAX_RECORDS   256u
#define FLUSH_ONE_IN  4u   /* a request ends after about this many calls */
#define PROBES        512u /* pages a device touched since the last flush */
#define RANDOM_PROBES 4u   /* extra random pages touched per call */
#define VERIFY_EVERY  25u
#define MIN_EACH      100u /* the sequence must exercise each outcome */
#define SEED          0x9e3779b97f4a7c15ull

struct model {
	uint64_t phys[REGION_PAGES]; /* 0: not mapped */
	uint8_t rights[REGION_PAGES];
	struct iommu_range rec[MAX_RECORDS]; /* maps that succeeded, to unmap parts of */
	unsigned records;
	uint64_t rng;
	unsigned maps, unmaps, merges, splits, refused; /* what the sequence exercised */
	uint64_t probe[PROBES]; /* IOVAs a device used since the last flush */
	unsigned probes;
	unsigned stale_seen; /* DMA that hit a stale translation before a flush */
};

static uint64_t rnd(struct model *m, uint64_t n)
{
	m->rng ^= m->rng << 13;
	m->rng ^= m->rng >> 7;
	m->rng ^= m->rng << 17;
	return m->rng % n;
}

static uint64_t page_of(uint64_t iova)
{
	return (iova - REGION_START) / (4 * KIB);
}

static bool model_any_mapped(const struct model *m, uint64_t iova, uint64_t size)
{
	for (uint64_t p = page_of(iova); p < page_of(iova + size); p++) {
		if (m->phys[p])
			return true;
	}
	return false;
}

static bool model_all_mapped(const struct model *m, uint64_t iova, uint64_t size)
{
	for (uint64_t p = page_of(iova); p < page_of(iova + size); p++) {
		if (!m->phys[p])
			return false;
	}
	return true;
}

/* A size of 4 KiB..64 KiB, 2 MiB..8 MiB or 1 GiB, and an IOVA aligned to it in the region. */
static void random_range(struct model *m, uint64_t *iova, uint64_t *size)
{
	uint64_t r = rnd(m, 100), granule;

	if (r < 60) {
		granule = 4 * KIB;
		*size = granule * (1 + rnd(m, 16));
	} else if (r < 95) {
		granule = 2 * MIB;
		*size = granule * (1 + rnd(m, 4));
	} else {
		granule = GIB;
		*size = GIB;
	}
	*iova = REGION_START + granule * rnd(m, (REGION_SIZE - *size) / granule + 1);
}

/* A device touches iova (filling the mock's IOTLB); remembered for the next flush. */
static void touch(struct fixture *f, struct model *m, uint64_t iova)
{
	uint64_t phys, p = page_of(iova);
	unsigned rights;
	enum iommu_err err;

	if (iova < REGION_START || iova >= REGION_START + REGION_SIZE)
		return;
	err = mock_dma(&f->unit, FIX_SOURCE, iova, &phys, &rights);
	if (m->phys[p] ? err || phys != m->phys[p] : err != IOMMU_ERR_NOT_MAPPED)
		m->stale_seen++;
	if (m->probes < PROBES)
		m->probe[m->probes++] = iova;
}

/* Touch both ends of a call's range and a few random pages. */
static void touch_around(struct fixture *f, struct model *m, uint64_t iova, uint64_t size)
{
	touch(f, m, iova);
	touch(f, m, iova + size - 4 * KIB);
	for (unsigned i = 0; i < RANDOM_PROBES; i++)
		touch(f, m, REGION_START + rnd(m, REGION_PAGES) * 4 * KIB);
}

/* After a flush every page a device touched translates as the model says. */
static void flush_and_check_dma(struct fixture *f, struct model *m)
{
	assert_int_equal(fixture_flush(f), IOMMU_OK);
	for (unsigned i = 0; i < m->probes; i++) {
		uint64_t phys, p = page_of(m->probe[i]);
		unsigned rights;
		enum iommu_err err = mock_dma(&f->unit, FIX_SOURCE, m->probe[i], &phys, &rights);

		if (m->phys[p]) {
			assert_int_equal(err, IOMMU_OK);
			assert_int_equal(phys, m->phys[p]);
			assert_int_equal(rights, m->rights[p]);
		} else {
			assert_int_equal(err, IOMMU_ERR_NOT_MAPPED);
		}
	}
	m->probes = 0;
}

static void check_pages(struct fixture *f, const struct model *m, uint64_t from, uint64_t to)
{
	if (from < REGION_START)
		from = REGION_START;
	if (to > REGION_START + REGION_SIZE)
		to = REGION_START + REGION_SIZE;
	for (uint64_t iova = from; iova < to; iova += 4 * KIB) {
		uint64_t p = page_of(iova);

		if (m->phys[p])
			assert_true(mock_is_mapped(&f->unit, FIX_SOURCE, FIX_DOMAIN, iova,
			                           m->phys[p], m->rights[p]));
		else
			assert_true(fixture_unmapped(f, iova, 4 * KIB));
	}
}

static void do_map(struct fixture *f, struct model *m)
{
	uint64_t iova, size, phys;
	unsigned rights = rnd(m, 2) ? FIX_RW : 1 + (unsigned)rnd(m, IOMMU_RIGHTS_MASK);
	unsigned freed = f->changes.freed.count;
	enum iommu_err err;

	random_range(m, &iova, &size);
	/* Half the time superpage-compatible, else off by one page. */
	phys = FIX_PHYS + (iova - REGION_START) + (rnd(m, 2) ? 0 : 4 * KIB);
	err = iopt_map(&f->pt, iova, phys, size, rights, &f->changes);
	if (model_any_mapped(m, iova, size)) {
		assert_int_equal(err, IOMMU_ERR_OVERLAP);
		m->refused++;
		return;
	}
	assert_int_equal(err, IOMMU_OK);
	m->maps++;
	m->merges += f->changes.freed.count - freed;
	for (uint64_t off = 0; off < size; off += 4 * KIB) {
		m->phys[page_of(iova + off)] = phys + off;
		m->rights[page_of(iova + off)] = (uint8_t)rights;
	}
	if (m->records < MAX_RECORDS)
		m->rec[m->records++] = (struct iommu_range){iova, size};
	check_pages(f, m, iova - 2 * MIB, iova + size + 2 * MIB);
	touch_around(f, m, iova, size);
}

/* Unmap a random page-aligned part of an earlier map (which may be gone in part). */
static void do_unmap(struct fixture *f, struct model *m)
{
	struct iommu_range *r;
	uint64_t pages, first, count, iova, size;
	unsigned allocated = f->changes.tables_allocated;
	enum iommu_err err;

	if (!m->records)
		return;
	r = &m->rec[rnd(m, m->records)];
	pages = r->size / (4 * KIB);
	first = rnd(m, pages);
	count = 1 + rnd(m, pages - first);
	iova = r->start + first * 4 * KIB;
	size = count * 4 * KIB;
	err = iopt_unmap(&f->pt, iova, size, &f->changes);
	if (!model_all_mapped(m, iova, size)) {
		assert_int_equal(err, IOMMU_ERR_NOT_MAPPED);
		m->refused++;
		return;
	}
	assert_int_equal(err, IOMMU_OK);
	m->unmaps++;
	m->splits += f->changes.tables_allocated - allocated;
	for (uint64_t p = page_of(iova); p < page_of(iova + size); p++)
		m->phys[p] = 0;
	check_pages(f, m, iova - 2 * MIB, iova + size + 2 * MIB);
	touch_around(f, m, iova, size);
}

/* Map [iova, iova+size) as do_map would, superpage-compatible and read-write. */
static void map_run(struct fixture *f, struct model *m, uint64_t iova, uint64_t size)
{
	uint64_t phys = FIX_PHYS + (iova - REGION_START);
	unsigned freed = f->changes.freed.count;

	assert_int_equal(iopt_map(&f->pt, iova, phys, size, FIX_RW, &f->changes), IOMMU_OK);
	for (uint64_t off = 0; off < size; off += 4 * KIB) {
		m->phys[page_of(iova + off)] = phys + off;
		m->rights[page_of(iova + off)] = FIX_RW;
	}
	m->maps++;
	m->merges += f->changes.freed.count - freed;
}

/*
 * Fill every hole of the 2 MiB block (sometimes the 1 GiB block) around an
 * earlier map, a run at a time: when the pages already there are
 * compatible, the last run completes a table that must merge.
 */
static void do_fill(struct fixture *f, struct model *m)
{
	uint64_t block = rnd(m, 8) ? 2 * MIB : GIB, start, end;

	if (!m->records)
		return;
	start = m->rec[rnd(m, m->records)].start & ~(block - 1);
	end = start + block;
	for (uint64_t iova = start; iova < end;) {
		uint64_t run = iova;

		if (m->phys[page_of(iova)]) {
			iova += 4 * KIB;
			continue;
		}
		while (run < end && !m->phys[page_of(run)])
			run += 4 * KIB;
		map_run(f, m, iova, run - iova);
		iova = run;
	}
	check_pages(f, m, start - 2 * MIB, end + 2 * MIB);
	touch_around(f, m, start, end - start);
}

/* Whether 512 consecutive leaves starting at l[i] could have been one larger leaf. */
static bool mergeable_at(const struct snap_leaf *l, unsigned n, unsigned i, unsigned max_leaf)
{
	uint64_t big = l[i].size * IOMMU_PT_ENTRIES;

	if (i + IOMMU_PT_ENTRIES > n || big > iommu_level_size(max_leaf) ||
	    (l[i].iova & (big - 1)) || (l[i].phys & (big - 1)))
		return false;
	for (unsigned k = 1; k < IOMMU_PT_ENTRIES; k++) {
		const struct snap_leaf *a = &l[i + k];

		if (a->size != l[i].size || a->rights != l[i].rights ||
		    a->iova != l[i].iova + k * l[i].size || a->phys != l[i].phys + k * l[i].size)
			return false;
	}
	return true;
}

struct leaves {
	struct snap_leaf *l;
	unsigned n, cap;
};

static bool collect(void *ctx, uint64_t iova, uint64_t phys, uint64_t size, unsigned rights)
{
	struct leaves *v = ctx;

	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 1024;
		v->l = realloc(v->l, v->cap * sizeof(*v->l));
		assert_non_null(v->l);
	}
	v->l[v->n++] = (struct snap_leaf){iova, phys, size, rights};
	return true;
}

static void check_canonical(struct fixture *f)
{
	struct leaves v = {0};
	uint64_t mapped = 0;

	assert_true(iopt_for_each_leaf(&f->pt, collect, &v));
	for (unsigned i = 0; i < v.n; i++) {
		assert_false(mergeable_at(v.l, v.n, i, f->pt.cfg.max_leaf_level));
		mapped += v.l[i].size;
	}
	assert_int_equal(mapped, f->pt.mapped_bytes);
	free(v.l);
}

/* Unmap every maximal run of mapped pages; the tree must shrink to its root. */
static void unmap_everything(struct fixture *f, struct model *m)
{
	for (uint64_t p = 0; p < REGION_PAGES;) {
		uint64_t q = p;

		if (!m->phys[p]) {
			p++;
			continue;
		}
		while (q < REGION_PAGES && m->phys[q])
			q++;
		assert_int_equal(iopt_unmap(&f->pt, REGION_START + p * 4 * KIB, (q - p) * 4 * KIB,
		                            &f->changes),
		                 IOMMU_OK);
		memset(&m->phys[p], 0, (q - p) * sizeof(m->phys[0]));
		p = q;
	}
	assert_int_equal(f->pt.mapped_bytes, 0);
	assert_int_equal(f->pt.tables, 1);
}

static void run_model(unsigned max_leaf, void (*tweak)(struct iommu_caps *caps))
{
	struct fixture *f = fixture_new(39, max_leaf, tweak);
	struct model *m = calloc(1, sizeof(*m));
	uint64_t mapped = 0;

	assert_non_null(m);
	m->rng = SEED;
	for (unsigned i = 0; i < OPS; i++) {
		uint64_t r = rnd(m, 20);

		if (r < 11)
			do_map(f, m);
		else if (r < 19)
			do_unmap(f, m);
		else
			do_fill(f, m);
		if (rnd(m, FLUSH_ONE_IN) == 0)
			flush_and_check_dma(f, m);
		if (i % VERIFY_EVERY == 0)
			assert_true(fixture_verify(f));
	}
	print_message("maps %u, unmaps %u, refused %u, merged tables %u, split tables %u, "
	              "stale DMA before a flush %u\n",
	              m->maps, m->unmaps, m->refused, m->merges, m->splits, m->stale_seen);
	assert_true(m->maps >= MIN_EACH && m->unmaps >= MIN_EACH && m->refused >= MIN_EACH);
	assert_true(m->merges > 0 && m->splits > 0);
	assert_true(m->stale_seen > 0); /* the IOTLB did hold stale entries to invalidate */
	for (uint64_t p = 0; p < REGION_PAGES; p++)
		mapped += m->phys[p] ? 4 * KIB : 0;
	assert_int_equal(f->pt.mapped_bytes, mapped);
	check_pages(f, m, REGION_START, REGION_START + REGION_SIZE);
	assert_true(fixture_verify(f));
	check_canonical(f);
	unmap_everything(f, m);
	assert_true(fixture_verify(f));
	assert_int_equal(f->unit.walk_errors, 0);
	free(m);
	assert_int_equal(fixture_free(f), 0);
}

static void non_coherent(struct iommu_caps *caps)
{
	caps->coherent_walk = false;
}

static void test_model_1g(void **state)
{
	(void)state;
	run_model(IOMMU_LEAF_1G, NULL);
}

static void test_model_2m_non_coherent(void **state)
{
	(void)state;
	run_model(IOMMU_LEAF_2M, non_coherent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_model_1g),
	        cmocka_unit_test(test_model_2m_non_coherent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

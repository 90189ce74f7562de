/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mock unit and page allocator (the model is in mock_backend.h).
 * Physical addresses are MOCK_PHYS_BASE plus 4 KiB times the allocation
 * index, never reused, so a stale pointer to a freed table is caught
 * rather than aliased. Freed pages are poisoned and kept until
 * mock_mem_fini() so the walker can tell a use-after-free.
 */
#include <stdlib.h>
#include <string.h>

#include "mock_backend.h"

#define MOCK_POISON     0xa5
#define MOCK_CACHE_LINE 64u

bool mock_fail_step(struct mock_fail *f)
{
	if (!f)
		return false;
	f->count++;
	if (f->nth && f->count == f->nth) {
		f->fired = true;
		return true;
	}
	return false;
}

/* ---- entry format ---- */

static uint64_t mock_make_leaf(uint64_t phys, unsigned level, unsigned rights)
{
	(void)level;
	return (phys & MOCK_PTE_ADDR) | MOCK_PTE_P | MOCK_PTE_LEAF |
	       ((rights & IOMMU_READ) ? MOCK_PTE_R : 0) | ((rights & IOMMU_WRITE) ? MOCK_PTE_W : 0);
}

static uint64_t mock_make_table(uint64_t table_phys, unsigned level)
{
	(void)level;
	return (table_phys & MOCK_PTE_ADDR) | MOCK_PTE_P;
}

static bool mock_present(uint64_t pte)
{
	return pte & MOCK_PTE_P;
}

static bool mock_is_leaf(uint64_t pte, unsigned level)
{
	return level == IOMMU_LEAF_4K || (pte & MOCK_PTE_LEAF);
}

static uint64_t mock_addr(uint64_t pte)
{
	return pte & MOCK_PTE_ADDR;
}

static unsigned mock_rights(uint64_t pte)
{
	return ((pte & MOCK_PTE_R) ? IOMMU_READ : 0) | ((pte & MOCK_PTE_W) ? IOMMU_WRITE : 0);
}

const struct iommu_pte_ops mock_pte_ops = {
        .make_leaf = mock_make_leaf,
        .make_table = mock_make_table,
        .present = mock_present,
        .is_leaf = mock_is_leaf,
        .addr = mock_addr,
        .rights = mock_rights,
};

/* ---- memory ---- */

static enum iommu_err mem_alloc_page(void *ctx, struct iommu_page *out)
{
	struct mock_mem *m = ctx;
	struct mock_page *p;

	if (m->next == MOCK_MAX_PAGES || mock_fail_step(m->fail))
		return IOMMU_ERR_NO_MEMORY;
	p = &m->pages[m->next];
	p->va = aligned_alloc(IOMMU_PAGE_SIZE, IOMMU_PAGE_SIZE);
	p->hw = calloc(1, IOMMU_PAGE_SIZE);
	if (!p->va || !p->hw) {
		free(p->va);
		free(p->hw);
		return IOMMU_ERR_NO_MEMORY;
	}
	memset(p->va, 0, IOMMU_PAGE_SIZE);
	p->live = true;
	out->va = p->va;
	out->phys = MOCK_PHYS_BASE + (uint64_t)m->next * IOMMU_PAGE_SIZE;
	m->next++;
	m->pages_live++;
	return IOMMU_OK;
}

struct mock_page *mock_mem_page(struct mock_mem *m, uint64_t phys)
{
	uint64_t idx;

	if (phys < MOCK_PHYS_BASE || (phys & (IOMMU_PAGE_SIZE - 1)))
		return NULL;
	idx = (phys - MOCK_PHYS_BASE) / IOMMU_PAGE_SIZE;
	return idx < m->next ? &m->pages[idx] : NULL;
}

static void mem_free_page(void *ctx, struct iommu_page page)
{
	struct mock_mem *m = ctx;
	struct mock_page *p = mock_mem_page(m, page.phys);

	if (!p || !p->live || p->va != page.va)
		abort(); /* double free or a page the mock never gave */
	memset(p->va, MOCK_POISON, IOMMU_PAGE_SIZE);
	memset(p->hw, MOCK_POISON, IOMMU_PAGE_SIZE);
	p->live = false;
	m->pages_live--;
	m->page_frees++;
}

static void *mem_alloc_meta(void *ctx, size_t size)
{
	struct mock_mem *m = ctx;
	void *p;

	if (mock_fail_step(m->fail))
		return NULL;
	p = calloc(1, size);
	if (p)
		m->meta_live++;
	return p;
}

static void mem_free_meta(void *ctx, void *p)
{
	struct mock_mem *m = ctx;

	if (!p)
		return;
	m->meta_live--;
	free(p);
}

void mock_mem_init(struct mock_mem *m, struct mock_fail *fail)
{
	memset(m, 0, sizeof(*m));
	m->ops = (struct iommu_mem_ops){
	        .alloc_page = mem_alloc_page,
	        .free_page = mem_free_page,
	        .alloc_meta = mem_alloc_meta,
	        .free_meta = mem_free_meta,
	        .ctx = m,
	};
	m->fail = fail;
}

unsigned mock_mem_fini(struct mock_mem *m)
{
	unsigned leaked = m->pages_live + m->meta_live;

	for (unsigned i = 0; i < m->next; i++) {
		free(m->pages[i].va);
		free(m->pages[i].hw);
	}
	m->next = 0;
	return leaked;
}

/* ---- unit ---- */

static struct mock_unit *unit_of(struct iommu_unit *u)
{
	return (struct mock_unit *)u;
}

struct iommu_unit *mock_unit_handle(struct mock_unit *u)
{
	return (struct iommu_unit *)u;
}

static void unit_caps(const struct iommu_unit *u, struct iommu_caps *out)
{
	*out = ((const struct mock_unit *)u)->caps;
}

/* Count and log one queued descriptor; false if fail-nth fires. */
static bool unit_queue(struct mock_unit *m, enum mock_inv_kind kind, uint16_t did, uint64_t iova,
                       unsigned order)
{
	if (mock_fail_step(m->fail))
		return false;
	m->inv[kind]++;
	m->queued++;
	if (m->log_count < MOCK_LOG_ENTRIES)
		m->log[m->log_count++] = (struct mock_inv){kind, did, iova, order};
	return true;
}

static struct mock_context *context_of(struct mock_unit *m, uint16_t source_id, bool create)
{
	struct mock_context *free_slot = NULL;

	for (unsigned i = 0; i < MOCK_MAX_DEVICES; i++) {
		if (m->ctx[i].used && m->ctx[i].source_id == source_id)
			return &m->ctx[i];
		if (!m->ctx[i].used && !free_slot)
			free_slot = &m->ctx[i];
	}
	if (!create || !free_slot)
		return NULL;
	*free_slot = (struct mock_context){.used = true, .source_id = source_id};
	return free_slot;
}

static enum iommu_err unit_attach(struct iommu_unit *u, uint16_t source_id, uint16_t domain_id,
                                  uint64_t root_phys, unsigned levels)
{
	struct mock_unit *m = unit_of(u);
	struct mock_context *c = context_of(m, source_id, true);

	if (!c || mock_fail_step(m->fail))
		return IOMMU_ERR_HARDWARE;
	c->attached = true;
	c->domain_id = domain_id;
	c->root = root_phys;
	c->levels = levels;
	return unit_queue(m, MOCK_INV_CONTEXT_DEVICE, domain_id, 0, 0) ? IOMMU_OK
	                                                               : IOMMU_ERR_HARDWARE;
}

static enum iommu_err unit_block(struct iommu_unit *u, uint16_t source_id)
{
	struct mock_unit *m = unit_of(u);
	struct mock_context *c = context_of(m, source_id, true);
	uint16_t did;

	if (!c || mock_fail_step(m->fail))
		return IOMMU_ERR_HARDWARE;
	did = c->domain_id;
	c->attached = false;
	return unit_queue(m, MOCK_INV_CONTEXT_DEVICE, did, 0, 0) ? IOMMU_OK : IOMMU_ERR_HARDWARE;
}

static enum iommu_err queue_result(bool ok)
{
	return ok ? IOMMU_OK : IOMMU_ERR_HARDWARE;
}

static enum iommu_err unit_inv_pages(struct iommu_unit *u, uint16_t did, uint64_t iova,
                                     unsigned order)
{
	return queue_result(unit_queue(unit_of(u), MOCK_INV_IOTLB_PAGES, did, iova, order));
}

static enum iommu_err unit_inv_domain(struct iommu_unit *u, uint16_t did)
{
	return queue_result(unit_queue(unit_of(u), MOCK_INV_IOTLB_DOMAIN, did, 0, 0));
}

static enum iommu_err unit_inv_global(struct iommu_unit *u)
{
	return queue_result(unit_queue(unit_of(u), MOCK_INV_IOTLB_GLOBAL, 0, 0, 0));
}

static enum iommu_err unit_ctx_device(struct iommu_unit *u, uint16_t did, uint16_t source_id)
{
	return queue_result(unit_queue(unit_of(u), MOCK_INV_CONTEXT_DEVICE, did, source_id, 0));
}

static enum iommu_err unit_ctx_domain(struct iommu_unit *u, uint16_t did)
{
	return queue_result(unit_queue(unit_of(u), MOCK_INV_CONTEXT_DOMAIN, did, 0, 0));
}

static enum iommu_err unit_ctx_global(struct iommu_unit *u)
{
	return queue_result(unit_queue(unit_of(u), MOCK_INV_CONTEXT_GLOBAL, 0, 0, 0));
}

static enum iommu_err unit_wait(struct iommu_unit *u)
{
	struct mock_unit *m = unit_of(u);

	if (m->wait_times_out || mock_fail_step(m->fail)) {
		m->waits_failed++;
		return IOMMU_ERR_TIMEOUT;
	}
	m->waits++;
	m->queued = 0;
	return IOMMU_OK;
}

/* The page holding va, searched from the newest (most often flushed). */
static struct mock_page *page_of_va(struct mock_mem *mem, const void *va)
{
	const uint8_t *b = va;

	for (unsigned i = mem->next; i-- > 0;) {
		const uint8_t *p = mem->pages[i].va;

		if (mem->pages[i].live && b >= p && b < p + IOMMU_PAGE_SIZE)
			return &mem->pages[i];
	}
	return NULL;
}

/* Copy the cache lines of [va, va+len) to what the walk sees. */
static void unit_flush(struct iommu_unit *u, const void *va, size_t len)
{
	struct mock_unit *m = unit_of(u);
	struct mock_page *p = page_of_va(m->mem, va);
	size_t off, end;

	m->flushes++;
	if (!p) {
		m->walk_errors++;
		return;
	}
	off = (size_t)((const uint8_t *)va - (const uint8_t *)p->va);
	end = off + len;
	off &= ~(size_t)(MOCK_CACHE_LINE - 1);
	end = (end + MOCK_CACHE_LINE - 1) & ~(size_t)(MOCK_CACHE_LINE - 1);
	memcpy(p->hw + off, (const uint8_t *)p->va + off, end - off);
}

static void unit_drain(struct iommu_unit *u, struct iommu_fault *out, unsigned max, unsigned *count,
                       bool *overflowed)
{
	struct mock_unit *m = unit_of(u);
	unsigned n = m->fault_count < max ? m->fault_count : max;

	memcpy(out, m->faults, n * sizeof(*out));
	memmove(m->faults, m->faults + n, (m->fault_count - n) * sizeof(*out));
	m->fault_count -= n;
	*count = n;
	*overflowed = m->fault_overflow;
	m->fault_overflow = false;
}

const struct iommu_unit_ops mock_unit_ops = {
        .pte = &mock_pte_ops,
        .caps = unit_caps,
        .attach = unit_attach,
        .block = unit_block,
        .inv_iotlb_pages = unit_inv_pages,
        .inv_iotlb_domain = unit_inv_domain,
        .inv_iotlb_global = unit_inv_global,
        .inv_context_device = unit_ctx_device,
        .inv_context_domain = unit_ctx_domain,
        .inv_context_global = unit_ctx_global,
        .wait = unit_wait,
        .flush_entries = unit_flush,
        .drain_faults = unit_drain,
};

void mock_unit_init(struct mock_unit *u, struct mock_mem *mem, struct mock_fail *fail)
{
	memset(u, 0, sizeof(*u));
	u->caps = (struct iommu_caps){
	        .levels_mask = MOCK_LEVELS_MASK,
	        .max_width = MOCK_MAX_WIDTH,
	        .max_leaf_level = IOMMU_LEAF_1G,
	        .domain_ids = MOCK_DOMAIN_IDS,
	        .max_inv_order = MOCK_MAX_INV_ORDER,
	        .page_selective = true,
	        .caching_mode = false,
	        .coherent_walk = true,
	};
	u->mem = mem;
	u->fail = fail;
}

unsigned mock_unit_invalidations(const struct mock_unit *u)
{
	unsigned n = 0;

	for (unsigned k = 0; k < MOCK_INV_KINDS; k++)
		n += u->inv[k];
	return n;
}

void mock_unit_reset_counters(struct mock_unit *u)
{
	memset(u->inv, 0, sizeof(u->inv));
	u->queued = 0;
	u->waits = 0;
	u->waits_failed = 0;
	u->flushes = 0;
	u->log_count = 0;
}

void mock_unit_raise_fault(struct mock_unit *u, const struct iommu_fault *f)
{
	if (u->fault_count == MOCK_MAX_FAULTS) {
		u->fault_overflow = true;
		return;
	}
	u->faults[u->fault_count++] = *f;
}

/* ---- the hardware's view ---- */

/* Entries of the table at phys as the walk sees them; NULL (and counted) if freed. */
static const uint64_t *walk_table(struct mock_unit *u, uint64_t phys)
{
	struct mock_page *p = mock_mem_page(u->mem, phys);

	if (!p || !p->live) {
		u->walk_errors++;
		return NULL;
	}
	return (const uint64_t *)(u->caps.coherent_walk ? p->va : p->hw);
}

enum iommu_err mock_walk(struct mock_unit *u, uint64_t root, unsigned levels, uint64_t iova,
                         uint64_t *phys, unsigned *rights)
{
	uint64_t table = root;

	for (unsigned level = levels; level >= IOMMU_LEAF_4K; level--) {
		const uint64_t *e = walk_table(u, table);
		uint64_t pte, size = iommu_level_size(level);

		if (!e)
			return IOMMU_ERR_HARDWARE;
		pte = e[iommu_level_index(iova, level)];
		if (!mock_present(pte))
			return IOMMU_ERR_NOT_MAPPED;
		if (mock_is_leaf(pte, level)) {
			if (level > u->caps.max_leaf_level || (mock_addr(pte) & (size - 1))) {
				u->walk_errors++;
				return IOMMU_ERR_HARDWARE;
			}
			*phys = mock_addr(pte) + (iova & (size - 1));
			*rights = mock_rights(pte);
			return IOMMU_OK;
		}
		table = mock_addr(pte);
	}
	return IOMMU_ERR_HARDWARE;
}

enum iommu_err mock_translate(struct mock_unit *u, uint16_t source_id, uint64_t iova,
                              uint64_t *phys, unsigned *rights, uint16_t *domain_id)
{
	struct mock_context *c = context_of(u, source_id, false);

	if (!c || !c->attached)
		return IOMMU_ERR_NOT_MAPPED;
	if (domain_id)
		*domain_id = c->domain_id;
	return mock_walk(u, c->root, c->levels, iova, phys, rights);
}

bool mock_is_mapped(struct mock_unit *u, uint16_t source_id, uint16_t domain_id, uint64_t iova,
                    uint64_t phys, unsigned rights)
{
	uint64_t p;
	unsigned r;
	uint16_t did;

	return mock_translate(u, source_id, iova, &p, &r, &did) == IOMMU_OK && p == phys &&
	       r == rights && did == domain_id;
}

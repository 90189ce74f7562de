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
	for (size_t i = 0; page.zero && i < IOMMU_PAGE_SIZE; i++)
		if (((const uint8_t *)p->va)[i] != 0 || ((const uint8_t *)p->hw)[i] != 0)
			abort(); /* said to be zero (and written back) but is not */
	m->zero_frees += page.zero;
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
	if (m->pending_count < MOCK_PENDING)
		m->pending[m->pending_count++] = (struct mock_inv){kind, did, iova, order};
	else
		m->pending_overflow = true;
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

/* ---- interrupt remapping ---- */

static enum iommu_err irq_check_index(const struct mock_unit *m, uint32_t index)
{
	if (m->caps.irq_entries == 0)
		return IOMMU_ERR_UNSUPPORTED;
	return index < m->caps.irq_entries && index < MOCK_IRQ_ENTRIES ? IOMMU_OK : IOMMU_ERR_RANGE;
}

static enum iommu_err unit_irq_set(struct iommu_unit *u, uint32_t index,
                                   const struct iommu_irq_entry *e)
{
	struct mock_unit *m = unit_of(u);
	enum iommu_err err = irq_check_index(m, index);

	if (err)
		return err;
	if (!e || e->vector < 0x10 || e->apic_id > 0xff ||
	    (e->check != IOMMU_IRQ_CHECK_SOURCE &&
	     (e->check != IOMMU_IRQ_CHECK_BUSES || e->first_bus > e->last_bus)))
		return IOMMU_ERR_INVAL;
	if (mock_fail_step(m->fail))
		return IOMMU_ERR_HARDWARE;
	m->irq[index] = *e;
	m->irq_present[index] = true;
	return queue_result(unit_queue(m, MOCK_INV_IRQ_INDEX, 0, index, 0));
}

static enum iommu_err unit_irq_clear(struct iommu_unit *u, uint32_t index)
{
	struct mock_unit *m = unit_of(u);
	enum iommu_err err = irq_check_index(m, index);

	if (err)
		return err;
	if (mock_fail_step(m->fail))
		return IOMMU_ERR_HARDWARE;
	m->irq_present[index] = false;
	return queue_result(unit_queue(m, MOCK_INV_IRQ_INDEX, 0, index, 0));
}

static enum iommu_err unit_inv_irq(struct iommu_unit *u)
{
	struct mock_unit *m = unit_of(u);

	if (m->caps.irq_entries == 0)
		return IOMMU_ERR_UNSUPPORTED;
	return queue_result(unit_queue(m, MOCK_INV_IRQ_GLOBAL, 0, 0, 0));
}

/* The mock's own message format: the index in the address, nothing in the data. */
static enum iommu_err unit_irq_msi(const struct iommu_unit *u, uint32_t index, uint64_t *address,
                                   uint32_t *data)
{
	enum iommu_err err = irq_check_index((const struct mock_unit *)u, index);

	if (err)
		return err;
	*address = 0xfee00000ull | ((uint64_t)index << 4);
	*data = 0;
	return IOMMU_OK;
}

static enum iommu_err unit_irq_get(const struct iommu_unit *u, uint32_t index,
                                   struct iommu_irq_entry *out, bool *present)
{
	const struct mock_unit *m = (const struct mock_unit *)u;
	enum iommu_err err = irq_check_index(m, index);

	if (err)
		return err;
	*present = m->irq_present[index];
	if (*present)
		*out = m->irq[index];
	return IOMMU_OK;
}

static void apply_pending_irq(struct mock_unit *m)
{
	for (unsigned k = 0; k < m->pending_count; k++) {
		const struct mock_inv *inv = &m->pending[k];

		if (inv->kind == MOCK_INV_IRQ_GLOBAL)
			memset(m->irq_cached, 0, sizeof(m->irq_cached));
		else if (inv->kind == MOCK_INV_IRQ_INDEX && inv->iova < MOCK_IRQ_ENTRIES)
			m->irq_cached[inv->iova] = false;
	}
	if (m->pending_overflow)
		memset(m->irq_cached, 0, sizeof(m->irq_cached));
}

enum iommu_err mock_irq_deliver(struct mock_unit *u, uint16_t source_id, uint32_t index,
                                uint8_t *vector, uint32_t *apic_id)
{
	const struct iommu_irq_entry *e;
	uint8_t bus = (uint8_t)(source_id >> 8);

	if (irq_check_index(u, index) != IOMMU_OK)
		return IOMMU_ERR_RANGE;
	if (!u->irq_cached[index]) {
		if (!u->irq_present[index])
			return IOMMU_ERR_NOT_MAPPED; /* not-present entries are not cached */
		u->irq_cache[index] = u->irq[index];
		u->irq_cached[index] = true;
	}
	e = &u->irq_cache[index];
	if (e->check == IOMMU_IRQ_CHECK_SOURCE ? e->source_id != source_id
	                                       : bus < e->first_bus || bus > e->last_bus)
		return IOMMU_ERR_INVAL;
	*vector = e->vector;
	*apic_id = e->apic_id;
	return IOMMU_OK;
}

/* Whether a completed invalidation drops cached entry e. */
static bool inv_covers(const struct mock_inv *inv, const struct mock_iotlb_entry *e)
{
	uint64_t size = IOMMU_PAGE_SIZE << inv->order;

	switch (inv->kind) {
	case MOCK_INV_IOTLB_GLOBAL:
		return true;
	case MOCK_INV_IOTLB_DOMAIN:
		return e->domain_id == inv->domain_id;
	case MOCK_INV_IOTLB_PAGES:
		return e->domain_id == inv->domain_id && e->iova < inv->iova + size &&
		       inv->iova < e->iova + e->size;
	default:
		return false; /* context-cache kinds: the mock caches no context entries */
	}
}

/* Whether a completed invalidation drops cached table pointer e (IH = 0 semantics). */
static bool inv_covers_psc(const struct mock_inv *inv, const struct mock_psc_entry *e)
{
	struct mock_iotlb_entry span = {.domain_id = e->domain_id,
	                                .iova = e->iova,
	                                .size = iommu_level_size(IOMMU_LEAF_2M)};

	return inv_covers(inv, &span);
}

static void apply_pending_psc(struct mock_unit *m)
{
	for (unsigned i = 0; i < MOCK_PSC; i++) {
		struct mock_psc_entry *e = &m->psc[i];

		if (m->pending_overflow)
			e->valid = false;
		for (unsigned k = 0; e->valid && k < m->pending_count; k++) {
			if (inv_covers_psc(&m->pending[k], e))
				e->valid = false;
		}
	}
}

/* Apply every queued invalidation to the caches (all of them after an overflow). */
static void apply_pending(struct mock_unit *m)
{
	apply_pending_psc(m);
	apply_pending_irq(m);
	for (unsigned i = 0; i < MOCK_IOTLB; i++) {
		struct mock_iotlb_entry *e = &m->iotlb[i];

		if (m->pending_overflow)
			e->valid = false;
		for (unsigned k = 0; e->valid && k < m->pending_count; k++) {
			if (inv_covers(&m->pending[k], e))
				e->valid = false;
		}
	}
	m->pending_count = 0;
	m->pending_overflow = false;
}

static enum iommu_err unit_wait(struct iommu_unit *u)
{
	struct mock_unit *m = unit_of(u);

	if (m->wait_times_out || mock_fail_step(m->fail)) {
		m->waits_failed++;
		m->pending_count = 0; /* discarded, never applied */
		m->pending_overflow = false;
		return IOMMU_ERR_TIMEOUT;
	}
	apply_pending(m);
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
        .irq_set = unit_irq_set,
        .irq_clear = unit_irq_clear,
        .inv_irq_entries = unit_inv_irq,
        .irq_msi = unit_irq_msi,
        .irq_get = unit_irq_get,
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
	        .irq_entries = MOCK_IRQ_ENTRIES,
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

/* The walk; *size_out receives the leaf's size, *l1 the level-1 table passed (or 0). */
static enum iommu_err walk(struct mock_unit *u, uint64_t root, unsigned levels, uint64_t iova,
                           uint64_t *phys, unsigned *rights, uint64_t *size_out, uint64_t *l1)
{
	uint64_t table = root;

	*l1 = 0;
	for (unsigned level = levels; level >= IOMMU_LEAF_4K; level--) {
		const uint64_t *e = walk_table(u, table);

		if (level == IOMMU_LEAF_4K)
			*l1 = table;
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
			*size_out = size;
			return IOMMU_OK;
		}
		table = mock_addr(pte);
	}
	return IOMMU_ERR_HARDWARE;
}

enum iommu_err mock_walk(struct mock_unit *u, uint64_t root, unsigned levels, uint64_t iova,
                         uint64_t *phys, unsigned *rights)
{
	uint64_t size, l1;

	return walk(u, root, levels, iova, phys, rights, &size, &l1);
}

static struct mock_iotlb_entry *iotlb_lookup(struct mock_unit *u, uint16_t did, uint64_t iova)
{
	for (unsigned i = 0; i < MOCK_IOTLB; i++) {
		struct mock_iotlb_entry *e = &u->iotlb[i];

		if (e->valid && e->domain_id == did && iova - e->iova < e->size)
			return e;
	}
	return NULL;
}

static void iotlb_insert(struct mock_unit *u, const struct mock_iotlb_entry *e)
{
	u->iotlb[u->iotlb_victim] = *e;
	u->iotlb_victim = (u->iotlb_victim + 1) % MOCK_IOTLB;
}

/* Cache what a walk found: the leaf, or in caching mode the miss. */
static void iotlb_fill(struct mock_unit *u, uint16_t did, uint64_t iova, enum iommu_err err,
                       uint64_t phys, unsigned rights, uint64_t size)
{
	struct mock_iotlb_entry e = {.valid = true, .domain_id = did};

	if (err == IOMMU_OK) {
		e.present = true;
		e.iova = iova & ~(size - 1);
		e.size = size;
		e.phys = phys - (iova - e.iova);
		e.rights = rights;
	} else if (err == IOMMU_ERR_NOT_MAPPED && u->caps.caching_mode) {
		e.iova = iova & ~(IOMMU_PAGE_SIZE - 1);
		e.size = IOMMU_PAGE_SIZE;
	} else {
		return;
	}
	iotlb_insert(u, &e);
}

static struct mock_psc_entry *psc_lookup(struct mock_unit *u, uint16_t did, uint64_t iova)
{
	uint64_t span = iova & ~(iommu_level_size(IOMMU_LEAF_2M) - 1);

	for (unsigned i = 0; i < MOCK_PSC; i++) {
		if (u->psc[i].valid && u->psc[i].domain_id == did && u->psc[i].iova == span)
			return &u->psc[i];
	}
	return NULL;
}

static void psc_fill(struct mock_unit *u, uint16_t did, uint64_t iova, uint64_t table)
{
	u->psc[u->psc_victim] = (struct mock_psc_entry){
	        true, did, iova & ~(iommu_level_size(IOMMU_LEAF_2M) - 1), table};
	u->psc_victim = (u->psc_victim + 1) % MOCK_PSC;
}

/* The walk a DMA miss does: from a cached level-1 table if there is one. */
static enum iommu_err dma_walk(struct mock_unit *u, const struct mock_context *c, uint64_t iova,
                               uint64_t *phys, unsigned *rights, uint64_t *size)
{
	struct mock_psc_entry *p = psc_lookup(u, c->domain_id, iova);
	uint64_t l1;
	enum iommu_err err;

	if (p)
		return walk(u, p->table, IOMMU_LEAF_4K, iova, phys, rights, size, &l1);
	err = walk(u, c->root, c->levels, iova, phys, rights, size, &l1);
	if (l1 && err != IOMMU_ERR_HARDWARE)
		psc_fill(u, c->domain_id, iova, l1);
	return err;
}

enum iommu_err mock_dma(struct mock_unit *u, uint16_t source_id, uint64_t iova, uint64_t *phys,
                        unsigned *rights)
{
	struct mock_context *c = context_of(u, source_id, false);
	struct mock_iotlb_entry *e;
	uint64_t size = 0;
	enum iommu_err err;

	if (!c || !c->attached)
		return IOMMU_ERR_NOT_MAPPED;
	e = iotlb_lookup(u, c->domain_id, iova);
	if (e && !e->present)
		return IOMMU_ERR_NOT_MAPPED;
	if (e) {
		*phys = e->phys + (iova - e->iova);
		*rights = e->rights;
		return IOMMU_OK;
	}
	err = dma_walk(u, c, iova, phys, rights, &size);
	iotlb_fill(u, c->domain_id, iova, err, *phys, *rights, size);
	return err;
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

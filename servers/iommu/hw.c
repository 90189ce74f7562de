/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The remapping hardware, as the rest of the server sees it (hw.h), over
 * one vendor's backend and the vendor-neutral core. The vendor is what the
 * firmware describes: the root task's windows are DMAR DRHDs (VT-d,
 * hw_vtd.c) or IVRS IVHDs (AMD-Vi, hw_amdvi.c); a machine has one kind.
 * Neither: bare mode (hw_bare.c), no unit, so every loop over the units
 * below does nothing and DMA is unprotected.
 * Each unit is brought up through its vendor's glue (hw_unit.h: probe,
 * prepare; every device placed; enable) and then driven through
 * core/backend.h's unit operations, which queue invalidation descriptors
 * or commands and submit them with one wait; each domain's
 * I/O page table is a core iopt (split and merge of superpages, tables
 * freed through its change list). Table pages the hardware may still walk
 * are released only after the next wait completed (deferred free,
 * SEEDS.md §3): a failed wait keeps them out of use until a global
 * invalidation completed. The same deferred-free queue holds the domain
 * IDs the core's allocator (domain_id.h) gets back and, through
 * hw_defer(), the lent memory of freed buffers. Each table carries the
 * core's IOVA space of its domain (iova.h).
 *
 * One set of tables serves every unit: a domain's root goes into each
 * unit's context entry for its devices; invalidations go to every unit.
 * Only hw.c includes the core's headers (their IOMMU_ERR_* overlap the
 * protocol's names).
 */
#include <stdlib.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "backend.h"
#include "domain_id.h"
#include "hw.h"
#include "inv.h"
#include "iopt.h"
#include "iova.h"
#include "hw_unit.h"
#include "irq_index.h"

#define HW_MAX_TABLES 80 /* domains plus the RMRR quarantine */
#define DRAIN_CHUNK   16
#define DID_MAX       1024 /* IDs the server hands out at most; the units may allow more */

struct hw_table {
	bool used;
	struct iopt pt;
	struct iopt_changes changes; /* since the last hw_inv_table() */
	struct iova_space iova;
};

static const struct hw_vendor *vendor;
static struct iommu_unit *units[HW_MAX_UNITS];
static uint64_t fault_ntfn[HW_MAX_UNITS]; /* what hw_irq_bind() named, for faults_pending() */
static struct iommu_caps unit_caps[HW_MAX_UNITS];
static struct iommu_unit_ref unit_refs[HW_MAX_UNITS];
static struct domain_id_alloc dids;
static uint64_t irq_slots[HW_MAX_UNITS];
static unsigned nunits;
static struct iommu_hw_caps hw_caps;
static struct iommu_caps common; /* what every unit allows */
static struct hw_table tables[HW_MAX_TABLES];
static struct deferred_queue dq; /* tables dropped, released after a completed wait */
static uint64_t inv_descriptors, inv_waits;

/* --- what the backend and the core need from the server ------------------- */

static enum iommu_err core_alloc_page(void *ctx, struct iommu_page *out)
{
	struct mem_page pg;

	(void)ctx;
	if (!mem_table_page(&pg))
		return IOMMU_ERR_NO_MEMORY;
	*out = (struct iommu_page){pg.va, pg.phys, true};
	return IOMMU_OK;
}

static void core_free_page(void *ctx, struct iommu_page page)
{
	const struct mem_page pg = {page.va, page.phys, page.zero};

	(void)ctx;
	mem_table_page_free(&pg);
}

/*
 * The core's bookkeeping of a table: a small block for a leaf table, one
 * of 4 KiB and a little more (a child pointer per entry) above. Kept on
 * free lists of blocks in static memory: musl's malloc would map and unmap
 * blocks of that size through the root task, thousands of instructions a
 * map. calloc only when the lists' memory runs out.
 */
#define META_SMALL 128
#define META_BIG   (4096 + 128)
#define META_COUNT 256

union meta_block {
	union meta_block *next;
	uint64_t align;
};

struct meta_pool {
	size_t size;
	unsigned used; /* blocks handed out from `memory` so far */
	union meta_block *free;
	char *memory;
};

static char meta_small_memory[META_COUNT][META_SMALL] __attribute__((aligned(16)));
static char meta_big_memory[META_COUNT][META_BIG] __attribute__((aligned(16)));
static struct meta_pool meta_pools[2] = {
        {META_SMALL, 0, NULL, &meta_small_memory[0][0]},
        {META_BIG, 0, NULL, &meta_big_memory[0][0]},
};

static struct meta_pool *meta_pool_of(const void *p)
{
	for (unsigned i = 0; i < 2; i++) {
		const char *m = meta_pools[i].memory;
		if ((const char *)p >= m && (const char *)p < m + META_COUNT * meta_pools[i].size)
			return &meta_pools[i];
	}
	return NULL;
}

static void *core_alloc_meta(void *ctx, size_t size)
{
	struct meta_pool *mp = &meta_pools[size <= META_SMALL ? 0 : 1];
	void *p = NULL;

	(void)ctx;
	if (size > META_BIG)
		return calloc(1, size);
	if (mp->free != NULL) {
		p = mp->free;
		mp->free = mp->free->next;
	} else if (mp->used < META_COUNT) {
		p = mp->memory + (size_t)mp->used++ * mp->size;
	} else {
		return calloc(1, size);
	}
	memset(p, 0, size);
	return p;
}

static void core_free_meta(void *ctx, void *p)
{
	struct meta_pool *mp = meta_pool_of(p);
	union meta_block *b = p;

	(void)ctx;
	if (mp == NULL) {
		free(p);
		return;
	}
	b->next = mp->free;
	mp->free = b;
}

static const struct iommu_mem_ops mem_ops = {core_alloc_page, core_free_page, core_alloc_meta,
                                             core_free_meta, NULL};

/* --- units ---------------------------------------------------------------- */

/* Intersects unit u's capabilities into `common`. */
static void caps_merge(const struct iommu_caps *c)
{
	if (nunits == 0) {
		common = *c;
		return;
	}
	common.levels_mask &= c->levels_mask;
	common.max_width = c->max_width < common.max_width ? c->max_width : common.max_width;
	common.max_leaf_level = c->max_leaf_level < common.max_leaf_level ? c->max_leaf_level
	                                                                  : common.max_leaf_level;
	common.domain_ids = c->domain_ids < common.domain_ids ? c->domain_ids : common.domain_ids;
	common.caching_mode |= c->caching_mode;
	common.coherent_walk &= c->coherent_walk;
}

/* Probes and prepares one unit; a refused one is reported and left as firmware left it. */
static void unit_add(const struct ward_startinfo *si, const struct ward_device_window *w)
{
	const struct ward_irq_grant *irq = w->irq != WARD_WINDOW_NO_IRQ ? &si->irqs[w->irq] : NULL;
	struct iommu_unit *u = vendor->add(nunits, w, irq);
	struct iommu_caps c;

	if (u == NULL)
		return;
	units[nunits] = u;
	irq_slots[nunits] = irq != NULL ? irq->slot : 0;
	vendor->ops->caps(u, &c);
	caps_merge(&c);
	unit_caps[nunits] = c;
	unit_refs[nunits] = (struct iommu_unit_ref){vendor->ops, u, &unit_caps[nunits]};
	nunits++;
}

/*
 * The vendor of the first IOMMU window: a machine has DMAR or IVRS, not
 * both; neither: no remapping unit at all (hw_bare.c).
 */
static const struct hw_vendor *vendor_of(const struct ward_startinfo *si)
{
	for (unsigned i = 0; i < si->window_count; i++) {
		if (si->windows[i].kind == WARD_WINDOW_VTD)
			return &hw_vtd_vendor;
		if (si->windows[i].kind == WARD_WINDOW_AMDVI)
			return &hw_amdvi_vendor;
	}
	return &hw_bare_vendor;
}

/* Whether the server's arguments hold the word `bare`: an unprotected machine is asked for. */
static bool bare_asked(const char *args)
{
	for (const char *at = strstr(args, "bare"); at != NULL; at = strstr(at + 1, "bare"))
		if ((at == args || at[-1] == ' ') && (at[4] == '\0' || at[4] == ' '))
			return true;
	return false;
}

bool hw_bare(void)
{
	return vendor == &hw_bare_vendor;
}

bool hw_init(const struct iommu_hw_caps **out)
{
	const struct ward_startinfo *si = ward_startinfo;
	unsigned levels;

	vendor = vendor_of(si);
	if (hw_bare() && !bare_asked(si->args)) {
		/* Firmware that names no unit (or tables lost) must not silently unprotect DMA. */
		ward_printf(
		        "iommu: the firmware describes no remapping unit and the server was not "
		        "started with `bare`: refusing to run with DMA unprotected\n");
		return false;
	}
	for (unsigned i = 0; i < si->window_count && nunits < HW_MAX_UNITS; i++)
		if (si->windows[i].kind == vendor->window_kind)
			unit_add(si, &si->windows[i]);
	if (hw_bare())
		vendor->ops->caps(NULL, &common); /* the tables' format and widths; no unit */
	else if (nunits == 0)
		return false;
	hw_caps.units = nunits;
	hw_caps.widths = (iopt_levels_for_width(39, common.levels_mask, &levels) == IOMMU_OK &&
	                                  common.max_width >= 39
	                          ? 1
	                          : 0) |
	                 (iopt_levels_for_width(48, common.levels_mask, &levels) == IOMMU_OK &&
	                                  common.max_width >= 48
	                          ? 2
	                          : 0);
	hw_caps.caching_mode = common.caching_mode;
	hw_caps.domain_ids = common.domain_ids;
	deferred_init(&dq, NULL);
	*out = &hw_caps;
	return hw_caps.widths != 0;
}

bool hw_enable(void)
{
	bool ok = true;

	for (unsigned i = 0; i < nunits; i++)
		ok = vendor->enable(units[i]) && ok;
	return ok;
}

unsigned hw_unit_count(void)
{
	return nunits;
}

void hw_print(void)
{
	if (hw_bare())
		vendor->print(0, NULL);
	for (unsigned i = 0; i < nunits; i++)
		vendor->print(i, units[i]);
}

/* --- tables ----------------------------------------------------------------- */

struct hw_table *hw_table_new(unsigned width)
{
	struct hw_table *t = NULL;
	struct iopt_config cfg = {
	        .pte = vendor->ops->pte,
	        .mem = &mem_ops,
	        .width = width,
	        .max_leaf_level = common.max_leaf_level > IOMMU_LEAF_2M ? IOMMU_LEAF_2M
	                                                                : common.max_leaf_level,
	        .caching_mode = common.caching_mode,
	        .flush_entries = common.coherent_walk ? NULL : vendor->flush_entries,
	        .flush_ctx = units[0],
	};

	for (unsigned i = 0; i < HW_MAX_TABLES && t == NULL; i++)
		if (!tables[i].used)
			t = &tables[i];
	if (t == NULL ||
	    iopt_levels_for_width(width, common.levels_mask, &cfg.levels) != IOMMU_OK ||
	    iova_init(&t->iova, width, &mem_ops) != IOMMU_OK)
		return NULL;
	if (iopt_init(&t->pt, &cfg) != IOMMU_OK) {
		iova_fini(&t->iova);
		return NULL;
	}
	t->used = true;
	iopt_changes_init(&t->changes);
	return t;
}

unsigned hw_table_levels(const struct hw_table *t)
{
	return t->pt.cfg.levels;
}

uint64_t hw_table_root(const struct hw_table *t)
{
	return iopt_root_phys(&t->pt);
}

bool hw_map(struct hw_table *t, uint64_t iova, uint64_t phys, uint64_t size, unsigned rights)
{
	return iopt_map(&t->pt, iova, phys, size, rights, &t->changes) == IOMMU_OK;
}

bool hw_unmap(struct hw_table *t, uint64_t iova, uint64_t size)
{
	return iopt_unmap(&t->pt, iova, size, &t->changes) == IOMMU_OK;
}

/* Queues the invalidations of c on every unit (out of line: most maps have none). */
static __attribute__((noinline)) void inv_queue_changes(const struct iopt_changes *c, unsigned did)
{
	for (unsigned u = 0; u < nunits; u++)
		iommu_inv_queue(&unit_refs[u], (uint16_t)did, c);
	inv_descriptors += c->inv_all ? 1 : c->inv_count;
}

/* The core's page-selective (or domain) IOTLB invalidations for the changes, on every unit. */
void hw_inv_table(struct hw_table *t, unsigned did)
{
	struct iopt_changes *c = &t->changes;

	if (c->inv_all || c->inv_count != 0)
		inv_queue_changes(c, did);
	deferred_add_list(&dq, &c->freed);
	iopt_changes_init(c);
}

uint64_t hw_lookup(const struct hw_table *t, uint64_t iova, unsigned *rights, uint64_t *size)
{
	uint64_t phys;

	if (iopt_lookup(&t->pt, iova, &phys, rights, size) != IOMMU_OK) {
		*rights = 0;
		*size = 0;
		return 0;
	}
	return phys;
}

uint64_t hw_mapped_bytes(const struct hw_table *t)
{
	return t->pt.mapped_bytes;
}

bool hw_table_verify(const struct hw_table *t, const char **what, uint64_t *iova)
{
	struct iopt_problem p;

	if (iopt_verify(&t->pt, &p))
		return true;
	*what = p.what;
	*iova = p.iova;
	return false;
}

void hw_table_free(struct hw_table *t, unsigned did)
{
	iova_fini(&t->iova);
	iopt_destroy(&t->pt, &t->changes);
	hw_inv_domain(did);
	deferred_add_list(&dq, &t->changes.freed);
	t->used = false;
}

/* --- IOVA spaces ----------------------------------------------------------- */

static enum hw_iova iova_result(const struct hw_table *t, enum iommu_err err, uint64_t iova,
                                uint64_t size, uint64_t *lo, uint64_t *hi)
{
	struct iova_range r = {0, 0, false};

	switch (err) {
	case IOMMU_OK:
		return HW_IOVA_OK;
	case IOMMU_ERR_RESERVED:
	case IOMMU_ERR_OVERLAP:
		iova_first_busy(&t->iova, iova, size, &r);
		*lo = r.start;
		*hi = r.start + r.size - 1;
		return err == IOMMU_ERR_RESERVED ? HW_IOVA_RESERVED : HW_IOVA_OVERLAP;
	case IOMMU_ERR_EXHAUSTED:
		return HW_IOVA_EXHAUSTED;
	case IOMMU_ERR_NO_MEMORY:
		return HW_IOVA_NO_MEMORY;
	default:
		return HW_IOVA_RANGE;
	}
}

bool hw_iova_reserve(struct hw_table *t, uint64_t base, uint64_t size)
{
	return iova_reserve(&t->iova, base, size) == IOMMU_OK;
}

enum hw_iova hw_iova_claim(struct hw_table *t, uint64_t iova, uint64_t size, uint64_t *lo,
                           uint64_t *hi)
{
	enum iommu_err err = iova_claim(&t->iova, iova, size);

	return err == IOMMU_OK ? HW_IOVA_OK : iova_result(t, err, iova, size, lo, hi);
}

enum hw_iova hw_iova_alloc(struct hw_table *t, uint64_t size, uint64_t align, uint64_t *iova)
{
	uint64_t lo, hi;

	return iova_result(t, iova_alloc(&t->iova, size, align, iova), 0, 0, &lo, &hi);
}

void hw_iova_free(struct hw_table *t, uint64_t iova, uint64_t size)
{
	iova_free(&t->iova, iova, size);
}

/* --- domain IDs and deferred free -------------------------------------------- */

bool hw_did_init(unsigned limit)
{
	uint32_t count = common.domain_ids < DID_MAX ? common.domain_ids : DID_MAX;

	if (limit >= 3 && limit - 1 < count)
		count = limit - 1;
	return domain_id_init(&dids, count, &dq, &mem_ops) == IOMMU_OK;
}

bool hw_did_alloc(unsigned *did)
{
	uint16_t id;

	if (domain_id_alloc(&dids, &id) != IOMMU_OK)
		return false;
	*did = id;
	return true;
}

void hw_did_free(unsigned did)
{
	domain_id_free(&dids, (uint16_t)did);
}

void hw_defer(struct deferred_item *item)
{
	deferred_add(&dq, item);
}

unsigned hw_deferred_pending(void)
{
	return deferred_pending(&dq);
}

void hw_inject_timeout(void)
{
	for (unsigned u = 0; u < nunits; u++)
		vendor->inject_timeout(units[u]);
}

/* --- context entries ---------------------------------------------------------- */

bool hw_attach(uint16_t sid, const struct hw_table *t, unsigned did)
{
	bool ok = true;

	for (unsigned u = 0; u < nunits; u++)
		ok = vendor->ops->attach(units[u], sid, (uint16_t)did, iopt_root_phys(&t->pt),
		                         t->pt.cfg.levels) == IOMMU_OK &&
		     ok;
	inv_descriptors += 2;
	return ok;
}

bool hw_block(uint16_t sid)
{
	bool ok = true;

	for (unsigned u = 0; u < nunits; u++)
		ok = vendor->ops->block(units[u], sid) == IOMMU_OK && ok;
	inv_descriptors += 2;
	return ok;
}

bool hw_context_get(uint16_t sid, uint64_t *table, unsigned *levels, unsigned *did)
{
	return nunits != 0 && vendor->context_get(units[0], sid, table, levels, did);
}

void hw_quarantine(uint64_t *table, unsigned *did)
{
	vendor->quarantine(units[0], table, did); /* bare: units[0] is NULL, unused */
}

/* --- invalidation ------------------------------------------------------------- */

void hw_inv_domain(unsigned did)
{
	for (unsigned u = 0; u < nunits; u++)
		vendor->ops->inv_iotlb_domain(units[u], (uint16_t)did);
	inv_descriptors++;
}

/* Signals the fault notification of each unit with records no interrupt announced. */
static void faults_check(void)
{
	if (vendor->faults_pending == NULL)
		return;
	for (unsigned u = 0; u < nunits; u++)
		if (fault_ntfn[u] != 0 && vendor->faults_pending(units[u]))
			ward_signal(fault_ntfn[u]);
}

/*
 * One wait per unit for everything queued. Only a completed wait covers
 * the tables dropped before it (XSA-346); after a failed one the core's
 * queue asks for global invalidations until one completes.
 */
bool hw_inv_wait(void)
{
	bool global, ok = true;
	uint64_t seq = deferred_flush_begin(&dq, &global);

	for (unsigned u = 0; u < nunits; u++) {
		if (global) {
			vendor->ops->inv_context_global(units[u]);
			vendor->ops->inv_iotlb_global(units[u]);
			if (unit_caps[u].irq_entries != 0)
				vendor->ops->inv_irq_entries(units[u]);
		}
		ok = vendor->ops->wait(units[u]) == IOMMU_OK && ok;
	}
	faults_check();
	inv_waits++;
	if (ok)
		deferred_flush_done(&dq, seq);
	else
		deferred_flush_failed(&dq, seq);
	return ok;
}

void hw_inv_counts(uint64_t *descriptors, uint64_t *waits)
{
	*descriptors = inv_descriptors;
	*waits = inv_waits;
}

/* --- faults --------------------------------------------------------------------- */

unsigned hw_fault_drain(unsigned unit, struct iommu_fault_record *out, unsigned max, bool *overflow)
{
	struct iommu_fault f[DRAIN_CHUNK];
	unsigned n = 0;

	if (max > DRAIN_CHUNK)
		max = DRAIN_CHUNK;
	vendor->ops->drain_faults(units[unit], f, max, &n, overflow);
	for (unsigned i = 0; i < n; i++)
		out[i] = (struct iommu_fault_record){.sid = f[i].source_id,
		                                     .reason = f[i].reason,
		                                     .read = !f[i].write,
		                                     .iova = f[i].iova};
	return n;
}

/*
 * A unit whose fault interrupt is not programmed (AMD-Vi's is the IOMMU
 * function's MSI) has its records noticed here instead: its notification
 * is signalled as the interrupt would, so fault.c drains them the same way.
 */
bool hw_irq_bind(unsigned unit, uint64_t ntfn)
{
	fault_ntfn[unit] = ntfn;
	if (vendor->faults_pending != NULL)
		return true;
	return irq_slots[unit] != 0 &&
	       ward_irq_handler_set_notification(irq_slots[unit], ntfn) == WARD_OK;
}

void hw_fault_ack(unsigned unit)
{
	if (vendor->faults_pending == NULL)
		ward_irq_handler_ack(irq_slots[unit]);
	else if (vendor->faults_pending(units[unit]))
		ward_signal(fault_ntfn[unit]); /* more than one drain's worth: come back */
}

/* --- interrupt remapping ---------------------------------------------------------- */

static struct irq_index_alloc irq_indexes;
static bool irq_indexes_ready;

unsigned hw_irq_entries(void)
{
	uint32_t n = nunits != 0 ? unit_caps[0].irq_entries : 0;

	for (unsigned u = 1; u < nunits; u++)
		n = unit_caps[u].irq_entries < n ? unit_caps[u].irq_entries : n;
	return n < IRQ_INDEX_MAX ? n : IRQ_INDEX_MAX;
}

bool hw_irq_supported(void)
{
	return hw_irq_entries() != 0;
}

/* The allocator over the deferred queue, set up at first use (after hw_init()). */
static bool irq_ready(void)
{
	if (!irq_indexes_ready && hw_irq_supported())
		irq_indexes_ready = irq_index_init(&irq_indexes, hw_irq_entries(), &dq) == IOMMU_OK;
	return irq_indexes_ready;
}

static enum hw_irq irq_result(enum iommu_err err)
{
	switch (err) {
	case IOMMU_OK:
		return HW_IRQ_OK;
	case IOMMU_ERR_INVAL:
		return HW_IRQ_INVAL;
	case IOMMU_ERR_RANGE:
		return HW_IRQ_RANGE;
	case IOMMU_ERR_UNSUPPORTED:
		return HW_IRQ_UNSUPPORTED;
	case IOMMU_ERR_EXHAUSTED:
		return HW_IRQ_EXHAUSTED;
	case IOMMU_ERR_NOT_ALLOCATED:
		return HW_IRQ_NOT_ALLOCATED;
	default:
		return HW_IRQ_HARDWARE;
	}
}

static struct iommu_irq_entry irq_entry_of(const struct hw_irq_source *src, unsigned vector,
                                           unsigned apic_id)
{
	return (struct iommu_irq_entry){
	        .vector = (uint8_t)vector,
	        .apic_id = apic_id,
	        .check = src->bus_range ? IOMMU_IRQ_CHECK_BUSES : IOMMU_IRQ_CHECK_SOURCE,
	        .source_id = src->sid,
	        .first_bus = src->first_bus,
	        .last_bus = src->last_bus,
	};
}

/* Clears `index` on units [0, count) and queues their invalidations. */
static void irq_clear_units(unsigned index, unsigned count)
{
	for (unsigned u = 0; u < count; u++)
		vendor->ops->irq_clear(units[u], index);
	inv_descriptors += count;
}

enum hw_irq hw_irq_alloc(const struct hw_irq_source *src, unsigned vector, unsigned apic_id,
                         unsigned *index, uint64_t *msi_address, uint32_t *msi_data)
{
	struct iommu_irq_entry e;
	enum iommu_err err = IOMMU_OK;
	uint32_t i;
	unsigned u;

	if (!irq_ready())
		return HW_IRQ_UNSUPPORTED;
	if (src == NULL || vector > 0xff || vector < 0x10 || apic_id > 0xff ||
	    (src->bus_range && src->first_bus > src->last_bus))
		return HW_IRQ_INVAL;
	e = irq_entry_of(src, vector, apic_id);
	if ((err = irq_index_alloc(&irq_indexes, &i)) != IOMMU_OK)
		return irq_result(err);
	for (u = 0; u < nunits && err == IOMMU_OK; u++)
		err = vendor->ops->irq_set(units[u], i, &e);
	inv_descriptors += u;
	if (err == IOMMU_OK)
		err = vendor->ops->irq_msi(units[0], i, msi_address, msi_data);
	if (err != IOMMU_OK) {
		irq_clear_units(i, u);
		irq_index_free(&irq_indexes, i);
		return irq_result(err);
	}
	*index = i;
	return HW_IRQ_OK;
}

enum hw_irq hw_irq_free(unsigned index)
{
	enum iommu_err err;

	if (!irq_ready())
		return HW_IRQ_UNSUPPORTED;
	if (index >= irq_indexes.count)
		return HW_IRQ_RANGE;
	if (irq_index_state(&irq_indexes, index) != IRQ_INDEX_IN_USE)
		return HW_IRQ_NOT_ALLOCATED;
	irq_clear_units(index, nunits);
	err = irq_index_free(&irq_indexes, index);
	return irq_result(err);
}

bool hw_irq_allocated(unsigned index)
{
	return irq_ready() && irq_index_state(&irq_indexes, index) == IRQ_INDEX_IN_USE;
}

static bool irq_entries_equal(const struct iommu_irq_entry *a, const struct iommu_irq_entry *b)
{
	if (a->vector != b->vector || a->apic_id != b->apic_id || a->check != b->check)
		return false;
	return a->check == IOMMU_IRQ_CHECK_SOURCE
	               ? a->source_id == b->source_id
	               : a->first_bus == b->first_bus && a->last_bus == b->last_bus;
}

enum hw_irq hw_irq_entry_get(unsigned index, struct hw_irq_entry *out)
{
	struct iommu_irq_entry first = {0}, e = {0};
	bool present0 = false, present;
	enum iommu_err err;

	if (!hw_irq_supported())
		return HW_IRQ_UNSUPPORTED;
	if (index >= hw_irq_entries())
		return HW_IRQ_RANGE;
	for (unsigned u = 0; u < nunits; u++) {
		if ((err = vendor->ops->irq_get(units[u], index, u == 0 ? &first : &e,
		                                u == 0 ? &present0 : &present)) != IOMMU_OK)
			return irq_result(err);
		if (u != 0 && (present != present0 || (present && !irq_entries_equal(&first, &e))))
			return HW_IRQ_HARDWARE;
	}
	*out = (struct hw_irq_entry){
	        .present = present0,
	        .vector = first.vector,
	        .apic_id = first.apic_id,
	        .src = {.bus_range = first.check == IOMMU_IRQ_CHECK_BUSES,
	                .sid = first.source_id,
	                .first_bus = first.first_bus,
	                .last_bus = first.last_bus},
	};
	return HW_IRQ_OK;
}

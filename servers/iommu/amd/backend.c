/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * core/backend.h for AMD-Vi. Queue operations only append commands to the
 * unit's pending list and never touch the hardware; wait() submits them
 * in batches, each ended by one COMPLETION_WAIT (amdvi_cmd_submit()). If
 * more were queued than the list holds, or a global invalidation was
 * asked for, wait() flushes every cache instead (INVALIDATE_IOMMU_ALL, or
 * every device table entry and domain without EFR.IASup): more is
 * invalidated, never less. After a failed wait nothing queued may be
 * assumed done; the list is emptied either way and the core's deferred
 * free queue decides what to retry. A refused attach leaves the device
 * blocked.
 *
 * What VT-d calls the context cache is the device table entry cache here:
 * context invalidations become INVALIDATE_DEVTAB_ENTRY. A device table
 * change also invalidates the old domain's IOTLB (amdvi_dte_set()).
 */
#include "amdvi_backend.h"

static uint64_t pte_rights(unsigned rights)
{
	return ((rights & IOMMU_READ) ? AMDVI_PTE_IR : 0) |
	       ((rights & IOMMU_WRITE) ? AMDVI_PTE_IW : 0);
}

static uint64_t make_leaf(uint64_t phys, unsigned level, unsigned rights)
{
	(void)level; /* NextLevel 0: the level's own page size */
	return amdvi_pte_leaf(phys, pte_rights(rights));
}

static uint64_t make_table(uint64_t table_phys, unsigned level)
{
	return amdvi_pde(table_phys, level);
}

static bool present(uint64_t pte)
{
	return (pte & AMDVI_PTE_PR) != 0;
}

static uint64_t addr(uint64_t pte)
{
	return pte & AMDVI_PTE_ADDR;
}

static unsigned leaf_rights(uint64_t pte)
{
	return ((pte & AMDVI_PTE_IR) ? IOMMU_READ : 0) | ((pte & AMDVI_PTE_IW) ? IOMMU_WRITE : 0);
}

const struct iommu_pte_ops amdvi_pte_ops = {
        .make_leaf = make_leaf,
        .make_table = make_table,
        .present = present,
        .is_leaf = amdvi_pte_is_leaf,
        .addr = addr,
        .rights = leaf_rights,
};

enum iommu_err amdvi_iommu_err(enum amdvi_status s)
{
	switch (s) {
	case AMDVI_OK:
		return IOMMU_OK;
	case AMDVI_E_ARG:
		return IOMMU_ERR_INVAL;
	case AMDVI_E_NO_MEMORY:
		return IOMMU_ERR_NO_MEMORY;
	case AMDVI_E_WIDTH:
		return IOMMU_ERR_UNSUPPORTED;
	case AMDVI_E_TIMEOUT:
		return IOMMU_ERR_TIMEOUT;
	default:
		return IOMMU_ERR_HARDWARE;
	}
}

/* Ward builds 3- to 5-level tables; the unit walks up to 4 + EFR.HATS. */
#define LEVELS_MIN 3u

static void caps(const struct iommu_unit *u, struct iommu_caps *out)
{
	unsigned top = u->amd.max_levels < IOMMU_LEVELS_MAX ? u->amd.max_levels : IOMMU_LEVELS_MAX;

	out->levels_mask = 0;
	for (unsigned l = LEVELS_MIN; l <= top; l++)
		out->levels_mask |= 1u << l;
	out->max_width = IOMMU_PAGE_SHIFT + IOMMU_LEVEL_BITS * top;
	out->max_leaf_level = IOMMU_LEAF_1G; /* NextLevel 0 at any level is a leaf (§2.2.3) */
	out->domain_ids = AMDVI_DOMAIN_IDS;
	out->max_inv_order = AMDVI_INV_ORDER_MAX;
	out->page_selective = true;
	out->caching_mode = !u->no_np_cache;
	out->coherent_walk = false; /* not assumed: entries are flushed (docs/amdvi.md) */
	out->write_buffer_flush = false;
	out->irq_entries = u->no_intremap ? 0 : AMDVI_IRQ_ENTRIES;
}

static enum iommu_err queue(struct iommu_unit *u, const struct amdvi_cmd *c, size_t n)
{
	if (u->flush_all || u->npending + n > AMDVI_BACKEND_PENDING) {
		u->flush_all = true;
		return IOMMU_OK;
	}
	for (size_t i = 0; i < n; i++)
		u->pending[u->npending++] = c[i];
	return IOMMU_OK;
}

static enum iommu_err queue1(struct iommu_unit *u, struct amdvi_cmd c)
{
	return queue(u, &c, 1);
}

static enum iommu_err block(struct iommu_unit *u, uint16_t source_id)
{
	struct amdvi_cmd inv[AMDVI_DTE_INV_MAX];
	size_t n;
	enum amdvi_status st = amdvi_dte_block(&u->amd, source_id, inv, &n);

	queue(u, inv, n);
	return amdvi_iommu_err(st);
}

static enum iommu_err attach(struct iommu_unit *u, uint16_t source_id, uint16_t domain_id,
                             uint64_t root_phys, unsigned levels)
{
	struct amdvi_cmd inv[AMDVI_DTE_INV_MAX];
	size_t n;
	enum amdvi_status st =
	        amdvi_dte_set(&u->amd, source_id, domain_id, root_phys, levels, inv, &n);

	queue(u, inv, n);
	if (st != AMDVI_OK && st != AMDVI_E_STATE)
		block(u,
		      source_id); /* core/backend.h: a refused attach leaves the device blocked */
	return amdvi_iommu_err(st);
}

static enum iommu_err inv_iotlb_pages(struct iommu_unit *u, uint16_t domain_id, uint64_t iova,
                                      unsigned order)
{
	return queue1(u, amdvi_cmd_inv_pages(domain_id, iova, order));
}

static enum iommu_err inv_iotlb_domain(struct iommu_unit *u, uint16_t domain_id)
{
	return queue1(u, amdvi_cmd_inv_domain(domain_id));
}

static enum iommu_err inv_iotlb_global(struct iommu_unit *u)
{
	u->flush_all = true;
	return IOMMU_OK;
}

static enum iommu_err inv_context_device(struct iommu_unit *u, uint16_t domain_id,
                                         uint16_t source_id)
{
	(void)domain_id; /* the device table cache is indexed by DeviceID alone */
	return queue1(u, amdvi_cmd_inv_devtab(source_id));
}

/* Every entry tagged domain_id: found in the table itself (the unit keeps no other index). */
static enum iommu_err inv_context_domain(struct iommu_unit *u, uint16_t domain_id)
{
	const struct amdvi_dte *t = u->amd.devtab.va;

	if (t == NULL)
		return IOMMU_OK;
	for (uint32_t id = 0; id < AMDVI_DEVICE_IDS && !u->flush_all; id++)
		if ((t[id].q[1] & AMDVI_DTE_DOMAIN_MASK) == domain_id)
			queue1(u, amdvi_cmd_inv_devtab((uint16_t)id));
	return IOMMU_OK;
}

static enum iommu_err inv_context_global(struct iommu_unit *u)
{
	u->flush_all = true;
	return IOMMU_OK;
}

static enum iommu_err wait(struct iommu_unit *u)
{
	enum amdvi_status st = AMDVI_OK;

	if (u->flush_all) {
		st = amdvi_invalidate_all(&u->amd);
	} else {
		for (unsigned i = 0; i < u->npending && st == AMDVI_OK; i += AMDVI_CMD_MAX_BATCH) {
			unsigned n = u->npending - i;

			st = amdvi_cmd_submit(&u->amd, &u->pending[i],
			                      n < AMDVI_CMD_MAX_BATCH ? n : AMDVI_CMD_MAX_BATCH);
		}
	}
	u->npending = 0;
	u->flush_all = false;
	return amdvi_iommu_err(st);
}

static void flush_entries(struct iommu_unit *u, const void *va, size_t len)
{
	amdvi_entries_written(&u->amd, va, len);
}

void amdvi_iopt_flush(void *unit, const void *va, size_t len)
{
	flush_entries(unit, va, len);
}

struct iommu_fault amdvi_fault_from_event(const struct amdvi_event *e)
{
	bool gn = (e->flags & AMDVI_EVT_FLAG_GN) != 0;

	return (struct iommu_fault){.source_id = e->devid,
	                            .iova = e->address & AMDVI_PAGE_MASK,
	                            .write = (e->flags & AMDVI_EVT_FLAG_RW) != 0,
	                            .reason = e->code,
	                            .pasid_valid = gn,
	                            .pasid = gn ? e->pasid : 0};
}

/* Records converted per round: bounds the stack, not the work (`max` does). */
#define AMDVI_DRAIN_CHUNK 16

static void drain_faults(struct iommu_unit *u, struct iommu_fault *out, unsigned max,
                         unsigned *count, bool *overflowed)
{
	struct amdvi_event e[AMDVI_DRAIN_CHUNK];
	bool more = true, ovf;
	unsigned done = 0;

	*overflowed = false;
	while (more && done < max) {
		unsigned want = max - done < AMDVI_DRAIN_CHUNK ? max - done : AMDVI_DRAIN_CHUNK;
		size_t n = amdvi_event_drain(&u->amd, e, want, &ovf, &more);

		*overflowed |= ovf;
		for (size_t i = 0; i < n; i++)
			out[done++] = amdvi_fault_from_event(&e[i]);
		if (n == 0)
			break;
	}
	*count = done;
}

/* ---- interrupt remapping ---- */

static enum iommu_err irq_check(const struct iommu_unit *u, uint32_t index)
{
	if (u->no_intremap)
		return IOMMU_ERR_UNSUPPORTED;
	return index < AMDVI_IRQ_ENTRIES ? IOMMU_OK : IOMMU_ERR_RANGE;
}

#define IRQ_VECTOR_MIN 0x10
#define IRQ_APIC_MAX   0xff /* the 32-bit entry's 8-bit destination (no x2APIC mode) */

static enum iommu_err irq_set(struct iommu_unit *u, uint32_t index, const struct iommu_irq_entry *e)
{
	struct amdvi_cmd inv[AMDVI_IRTE_INV_MAX];
	enum iommu_err err = irq_check(u, index);
	enum amdvi_status st;
	size_t n;

	if (err != IOMMU_OK)
		return err;
	if (e == NULL || e->vector < IRQ_VECTOR_MIN || e->apic_id > IRQ_APIC_MAX)
		return IOMMU_ERR_INVAL;
	if (e->check == IOMMU_IRQ_CHECK_BUSES)
		return e->first_bus > e->last_bus ? IOMMU_ERR_INVAL : IOMMU_ERR_UNSUPPORTED;
	if (e->check != IOMMU_IRQ_CHECK_SOURCE)
		return IOMMU_ERR_INVAL;
	st = amdvi_irte_set(&u->amd, index, e->source_id,
	                    amdvi_irte(e->vector, (uint8_t)e->apic_id), inv, &n);
	queue(u, inv, n);
	return amdvi_iommu_err(st);
}

static enum iommu_err irq_clear(struct iommu_unit *u, uint32_t index)
{
	struct amdvi_cmd inv[AMDVI_IRTE_INV_MAX];
	enum iommu_err err = irq_check(u, index);
	size_t n;

	if (err != IOMMU_OK)
		return err;
	err = amdvi_iommu_err(amdvi_irte_clear(&u->amd, index, inv, &n));
	queue(u, inv, n);
	return err;
}

static enum iommu_err inv_irq_entries(struct iommu_unit *u)
{
	if (u->no_intremap)
		return IOMMU_ERR_UNSUPPORTED;
	for (unsigned i = 0; i < AMDVI_IRQ_TABLES; i++)
		if (u->amd.irq_tables[i].used)
			queue1(u, amdvi_cmd_inv_interrupt_table(u->amd.irq_tables[i].devid));
	return IOMMU_OK;
}

static enum iommu_err irq_msi(const struct iommu_unit *u, uint32_t index, uint64_t *address,
                              uint32_t *data)
{
	enum iommu_err err = irq_check(u, index);

	if (err != IOMMU_OK)
		return err;
	*address = AMDVI_MSI_ADDRESS;
	*data = index; /* bits 7:0 index the table; 10:8 (fixed delivery) stay 0 */
	return IOMMU_OK;
}

/* What irq_set() writes: RemapEn, IntType fixed, physical destination; nothing else. */
#define IRTE_WRITTEN_MASK                                         \
	(AMDVI_IRTE_REMAP_EN | (0xffu << AMDVI_IRTE_DEST_SHIFT) | \
	 (0xffu << AMDVI_IRTE_VECTOR_SHIFT))

static enum iommu_err irq_get(const struct iommu_unit *u, uint32_t index,
                              struct iommu_irq_entry *out, bool *present)
{
	enum iommu_err err = irq_check(u, index);
	uint16_t devid;
	uint32_t irte;

	if (err != IOMMU_OK)
		return err;
	*present = amdvi_irte_get(&u->amd, index, &devid, &irte) && (irte & AMDVI_IRTE_REMAP_EN);
	if (!*present)
		return IOMMU_OK;
	if (irte & ~IRTE_WRITTEN_MASK)
		return IOMMU_ERR_HARDWARE;
	*out = (struct iommu_irq_entry){
	        .vector = (uint8_t)(irte >> AMDVI_IRTE_VECTOR_SHIFT),
	        .apic_id = (irte >> AMDVI_IRTE_DEST_SHIFT) & 0xff,
	        .check = IOMMU_IRQ_CHECK_SOURCE,
	        .source_id = devid,
	};
	return IOMMU_OK;
}

const struct iommu_unit_ops amdvi_unit_ops = {
        .pte = &amdvi_pte_ops,
        .caps = caps,
        .attach = attach,
        .block = block,
        .inv_iotlb_pages = inv_iotlb_pages,
        .inv_iotlb_domain = inv_iotlb_domain,
        .inv_iotlb_global = inv_iotlb_global,
        .inv_context_device = inv_context_device,
        .inv_context_domain = inv_context_domain,
        .inv_context_global = inv_context_global,
        .wait = wait,
        .flush_entries = flush_entries,
        .drain_faults = drain_faults,
        .irq_set = irq_set,
        .irq_clear = irq_clear,
        .inv_irq_entries = inv_irq_entries,
        .irq_msi = irq_msi,
        .irq_get = irq_get,
};

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * core/backend.h for VT-d. Queue operations only append descriptors to
 * the unit's pending list and never touch the hardware; wait() submits
 * them all with a single invalidation wait (vtd_qi_submit()), so a
 * request pays for one wait however many invalidations it queued. If more
 * were queued than one submission carries, the list is replaced by a
 * global context-cache and IOTLB invalidation: more is invalidated, never
 * less. After a failed wait nothing queued may be assumed done; the
 * pending list is emptied either way and the core's deferred-free queue
 * decides what to retry. A refused attach points the device at quarantine
 * (NO_MEMORY: its bus has no context table, so it is blocked already).
 */
#include "vtd_iopt_format.h"

const struct iommu_pte_ops vtd_pte_ops = VTD_FORMAT_OPS;

enum iommu_err vtd_iommu_err(enum vtd_status s)
{
	switch (s) {
	case VTD_OK:
		return IOMMU_OK;
	case VTD_E_ARG:
		return IOMMU_ERR_INVAL;
	case VTD_E_NO_MEMORY:
		return IOMMU_ERR_NO_MEMORY;
	case VTD_E_WIDTH:
	case VTD_E_NO_DEPTH:
		return IOMMU_ERR_UNSUPPORTED;
	case VTD_E_TIMEOUT:
	case VTD_E_WEDGED:
	case VTD_E_QUEUE_ITE:
		return IOMMU_ERR_TIMEOUT;
	default:
		return IOMMU_ERR_HARDWARE;
	}
}

static void caps(const struct iommu_unit *u, struct iommu_caps *out)
{
	const struct vtd_caps *c = &u->vtd.caps;

	out->levels_mask = c->levels;
	out->max_width = vtd_caps_max_width(c);
	out->max_leaf_level = !c->sp_2m ? IOMMU_LEAF_4K : c->sp_1g ? IOMMU_LEAF_1G : IOMMU_LEAF_2M;
	out->domain_ids = vtd_domain_ids(c);
	out->max_inv_order = c->mamv;
	out->page_selective = c->psi;
	out->caching_mode = c->cm;
	out->coherent_walk = c->coherent;
	out->write_buffer_flush = c->rwbf;
	out->irq_entries = u->vtd.irt_entries;
}

/* Appends d[0..n) to the pending list, or marks it overflowed. */
static enum iommu_err queue(struct iommu_unit *u, const struct vtd_desc *d, size_t n)
{
	if (u->overflowed || u->npending + n > VTD_BACKEND_PENDING) {
		u->overflowed = true;
		return IOMMU_OK;
	}
	for (size_t i = 0; i < n; i++)
		u->pending[u->npending++] = d[i];
	return IOMMU_OK;
}

static enum iommu_err queue1(struct iommu_unit *u, struct vtd_desc d)
{
	return queue(u, &d, 1);
}

static enum iommu_err attach(struct iommu_unit *u, uint16_t source_id, uint16_t domain_id,
                             uint64_t root_phys, unsigned levels)
{
	struct vtd_desc d[VTD_CTX_INV_MAX];
	enum vtd_status st;
	size_t n;

	st = vtd_context_set(&u->vtd, source_id, domain_id, root_phys, levels, d, &n);
	queue(u, d, n);
	if (st != VTD_OK && st != VTD_E_NO_MEMORY && domain_id != u->vtd.quarantine_did) {
		/* core/backend.h: a refused attach leaves the device blocked */
		vtd_context_set(&u->vtd, source_id, u->vtd.quarantine_did, u->vtd.quarantine.pa,
		                u->vtd.quarantine_levels, d, &n);
		queue(u, d, n);
	}
	return vtd_iommu_err(st);
}

static enum iommu_err block(struct iommu_unit *u, uint16_t source_id)
{
	return attach(u, source_id, u->vtd.quarantine_did, u->vtd.quarantine.pa,
	              u->vtd.quarantine_levels);
}

static enum iommu_err inv_iotlb_pages(struct iommu_unit *u, uint16_t domain_id, uint64_t iova,
                                      unsigned order)
{
	const struct vtd_caps *c = &u->vtd.caps;

	if (!c->psi || order > c->mamv)
		return queue1(u, vtd_desc_iotlb_domain(domain_id, vtd_iotlb_drain(c)));
	/* §6.5.2.3: the address is aligned to the 2^AM pages it names */
	iova &= ~((VTD_PAGE_SIZE << order) - 1);
	return queue1(u, vtd_desc_iotlb_page(domain_id, iova, order, false, vtd_iotlb_drain(c)));
}

static enum iommu_err inv_iotlb_domain(struct iommu_unit *u, uint16_t domain_id)
{
	return queue1(u, vtd_desc_iotlb_domain(domain_id, vtd_iotlb_drain(&u->vtd.caps)));
}

static enum iommu_err inv_iotlb_global(struct iommu_unit *u)
{
	return queue1(u, vtd_desc_iotlb_global(vtd_iotlb_drain(&u->vtd.caps)));
}

static enum iommu_err inv_context_device(struct iommu_unit *u, uint16_t domain_id,
                                         uint16_t source_id)
{
	return queue1(u, vtd_desc_cc_device(domain_id, source_id));
}

static enum iommu_err inv_context_domain(struct iommu_unit *u, uint16_t domain_id)
{
	return queue1(u, vtd_desc_cc_domain(domain_id));
}

static enum iommu_err inv_context_global(struct iommu_unit *u)
{
	return queue1(u, vtd_desc_cc_global());
}

static enum iommu_err wait(struct iommu_unit *u)
{
	struct vtd_desc all[3];
	enum vtd_status st;

	if (u->overflowed) {
		all[0] = vtd_desc_cc_global();
		all[1] = vtd_desc_iotlb_global(vtd_iotlb_drain(&u->vtd.caps));
		all[2] = vtd_desc_iec_global();
		st = vtd_qi_submit(&u->vtd, all, u->vtd.irt_entries != 0 ? 3 : 2);
	} else if (u->npending != 0) {
		st = vtd_qi_submit(&u->vtd, u->pending, u->npending);
	} else {
		return IOMMU_OK;
	}
	u->npending = 0;
	u->overflowed = false;
	return vtd_iommu_err(st);
}

/* Entries written by the core: out of the CPU cache, and the write buffer flushed if RWBF. */
static void flush_entries(struct iommu_unit *u, const void *va, size_t len)
{
	vtd_entries_written(&u->vtd, va, len);
	vtd_write_buffer_flush(&u->vtd);
}

void vtd_iopt_flush(void *unit, const void *va, size_t len)
{
	flush_entries(unit, va, len);
}

/* Records converted per round: bounds the stack, not the work (`max` does). */
#define VTD_DRAIN_CHUNK 16

static void drain_faults(struct iommu_unit *u, struct iommu_fault *out, unsigned max,
                         unsigned *count, bool *overflowed)
{
	struct vtd_fault f[VTD_DRAIN_CHUNK];
	bool more = true, ovf;
	unsigned done = 0;

	*overflowed = false;
	while (more && done < max) {
		unsigned want = max - done < VTD_DRAIN_CHUNK ? max - done : VTD_DRAIN_CHUNK;
		size_t n = vtd_fault_drain(&u->vtd, f, want, &ovf, &more);

		*overflowed |= ovf;
		for (size_t i = 0; i < n; i++, done++) {
			out[done] = (struct iommu_fault){.source_id = f[i].sid,
			                                 .iova = f[i].addr,
			                                 .write = f[i].write,
			                                 .reason = f[i].reason};
		}
		if (n == 0)
			break;
	}
	*count = done;
}

/* ---- interrupt remapping ---- */

static enum iommu_err irq_index_check(const struct iommu_unit *u, uint32_t index)
{
	if (u->vtd.irt_entries == 0)
		return IOMMU_ERR_UNSUPPORTED;
	return index < u->vtd.irt_entries ? IOMMU_OK : IOMMU_ERR_RANGE;
}

/* The IRTE for e, or false if e asks for what the format (xAPIC mode) cannot hold. */
static bool irte_from(const struct iommu_irq_entry *e, struct vtd_irte *out)
{
	uint64_t sv;

	if (e->vector < VTD_IRT_MIN_VECTOR || e->apic_id > VTD_IRTE_XAPIC_MAX_ID)
		return false;
	if (e->check == IOMMU_IRQ_CHECK_SOURCE)
		sv = vtd_irte_sid_exact(e->source_id);
	else if (e->check == IOMMU_IRQ_CHECK_BUSES && e->first_bus <= e->last_bus)
		sv = vtd_irte_sid_bus(e->first_bus, e->last_bus);
	else
		return false;
	*out = vtd_irte_remapped(e->vector, (uint8_t)e->apic_id, sv);
	return true;
}

static enum iommu_err irq_set(struct iommu_unit *u, uint32_t index, const struct iommu_irq_entry *e)
{
	struct vtd_irte irte;
	struct vtd_desc d;
	enum iommu_err err;
	enum vtd_status st;

	if ((err = irq_index_check(u, index)) != IOMMU_OK)
		return err;
	if (e == NULL || !irte_from(e, &irte))
		return IOMMU_ERR_INVAL;
	st = vtd_irte_set(&u->vtd, (uint16_t)index, irte, &d);
	if (st != VTD_OK && st != VTD_E_TIMEOUT)
		return vtd_iommu_err(st);
	queue1(u, d); /* a write-buffer flush that timed out still wrote the entry */
	return vtd_iommu_err(st);
}

static enum iommu_err irq_clear(struct iommu_unit *u, uint32_t index)
{
	struct vtd_desc d;
	enum iommu_err err;
	enum vtd_status st;

	if ((err = irq_index_check(u, index)) != IOMMU_OK)
		return err;
	st = vtd_irte_clear(&u->vtd, (uint16_t)index, &d);
	if (st != VTD_OK && st != VTD_E_TIMEOUT)
		return vtd_iommu_err(st);
	queue1(u, d);
	return vtd_iommu_err(st);
}

static enum iommu_err inv_irq_entries(struct iommu_unit *u)
{
	if (u->vtd.irt_entries == 0)
		return IOMMU_ERR_UNSUPPORTED;
	return queue1(u, vtd_desc_iec_global());
}

static enum iommu_err irq_msi(const struct iommu_unit *u, uint32_t index, uint64_t *address,
                              uint32_t *data)
{
	enum iommu_err err;

	if ((err = irq_index_check(u, index)) != IOMMU_OK)
		return err;
	/* §5.1.5.2: handle = index, SHV set, subhandle 0 (one vector per entry) */
	*address = vtd_msi_remap_address((uint16_t)index);
	*data = 0;
	return IOMMU_OK;
}

/* The source check of a present entry, decoded; false for one irq_set never writes. */
static bool irq_check_of(struct vtd_irte e, struct iommu_irq_entry *out)
{
	uint16_t sid = (uint16_t)(e.hi & VTD_IRTE_SID_MASK);

	switch (e.hi & VTD_IRTE_SVT_MASK) {
	case VTD_IRTE_SVT_SID:
		out->check = IOMMU_IRQ_CHECK_SOURCE;
		out->source_id = sid;
		return (e.hi & VTD_IRTE_SQ_MASK) == VTD_IRTE_SQ_ALL;
	case VTD_IRTE_SVT_BUS:
		out->check = IOMMU_IRQ_CHECK_BUSES;
		out->first_bus = (uint8_t)(sid >> 8);
		out->last_bus = (uint8_t)sid;
		return true;
	default:
		return false;
	}
}

static enum iommu_err irq_get(const struct iommu_unit *u, uint32_t index,
                              struct iommu_irq_entry *out, bool *present)
{
	struct vtd_irte e;
	enum iommu_err err;
	uint64_t fixed = VTD_IRTE_P | VTD_IRTE_FPD | VTD_IRTE_DM_LOGICAL | VTD_IRTE_RH |
	                 VTD_IRTE_TM_LEVEL | VTD_IRTE_DLM_MASK | VTD_IRTE_IM;

	if ((err = irq_index_check(u, index)) != IOMMU_OK)
		return err;
	vtd_irte_read(&u->vtd, (uint16_t)index, &e);
	*present = (e.lo & VTD_IRTE_P) != 0;
	if (!*present)
		return IOMMU_OK;
	*out = (struct iommu_irq_entry){.vector = vtd_irte_vector(e),
	                                .apic_id = vtd_irte_xapic_id(e)};
	/* irq_set writes P, fixed delivery, edge, physical, remapped format, nothing reserved */
	if ((e.lo & fixed) != VTD_IRTE_P || (e.lo & VTD_IRTE_LO_RSVD_XAPIC) ||
	    (e.hi & VTD_IRTE_HI_RSVD) || !irq_check_of(e, out))
		return IOMMU_ERR_HARDWARE;
	return IOMMU_OK;
}

const struct iommu_unit_ops vtd_unit_ops = {
        .pte = &vtd_pte_ops,
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

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
#include "vtd_backend.h"

static uint64_t pte_rights(unsigned rights)
{
	return ((rights & IOMMU_READ) ? VTD_PTE_R : 0) | ((rights & IOMMU_WRITE) ? VTD_PTE_W : 0);
}

static uint64_t make_leaf(uint64_t phys, unsigned level, unsigned rights)
{
	return vtd_pte_leaf(phys, level, pte_rights(rights));
}

static uint64_t make_table(uint64_t table_phys, unsigned level)
{
	(void)level;
	return vtd_pte_table(table_phys);
}

static unsigned leaf_rights(uint64_t pte)
{
	return ((pte & VTD_PTE_R) ? IOMMU_READ : 0) | ((pte & VTD_PTE_W) ? IOMMU_WRITE : 0);
}

const struct iommu_pte_ops vtd_pte_ops = {
        .make_leaf = make_leaf,
        .make_table = make_table,
        .present = vtd_pte_present,
        .is_leaf = vtd_pte_is_leaf,
        .addr = vtd_pte_addr,
        .rights = leaf_rights,
};

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
	struct vtd_desc all[2];
	enum vtd_status st;

	if (u->overflowed) {
		all[0] = vtd_desc_cc_global();
		all[1] = vtd_desc_iotlb_global(vtd_iotlb_drain(&u->vtd.caps));
		st = vtd_qi_submit(&u->vtd, all, 2);
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
};

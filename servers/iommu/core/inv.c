/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Invalidation at the end of a request (the model is in inv.h). The one
 * rule that matters for safety: the deferred queue hears "done" only when
 * every unit's wait succeeded, so nothing is released on a timeout.
 */
#include "inv.h"

unsigned iommu_inv_order(uint64_t start, uint64_t size)
{
	uint64_t first = start >> IOMMU_PAGE_SHIFT;
	uint64_t last = (start + size - 1) >> IOMMU_PAGE_SHIFT;
	unsigned order = 0;

	while ((first >> order) != (last >> order))
		order++;
	return order;
}

/* Whether the changes fit page-selective invalidations on this unit. */
static bool fits_page_selective(const struct iommu_unit_ref *u, const struct iopt_changes *c)
{
	if (c->inv_all || !u->caps->page_selective)
		return false;
	for (unsigned i = 0; i < c->inv_count; i++) {
		if (iommu_inv_order(c->inv[i].start, c->inv[i].size) > u->caps->max_inv_order)
			return false;
	}
	return true;
}

enum iommu_err iommu_inv_queue(const struct iommu_unit_ref *u, uint16_t domain_id,
                               const struct iopt_changes *c)
{
	if (!fits_page_selective(u, c))
		return u->ops->inv_iotlb_domain(u->unit, domain_id);
	for (unsigned i = 0; i < c->inv_count; i++) {
		unsigned order = iommu_inv_order(c->inv[i].start, c->inv[i].size);
		uint64_t block = (IOMMU_PAGE_SIZE << order) - 1;
		enum iommu_err err = u->ops->inv_iotlb_pages(u->unit, domain_id,
		                                             c->inv[i].start & ~block, order);

		if (err)
			return err;
	}
	return IOMMU_OK;
}

static enum iommu_err queue_global(const struct iommu_unit_ref *u)
{
	enum iommu_err err = u->ops->inv_context_global(u->unit);

	return err ? err : u->ops->inv_iotlb_global(u->unit);
}

/* Whether this request needs a flush at all. */
static bool flush_needed(const struct deferred_queue *q, const struct iopt_changes *c)
{
	return c->inv_all || c->inv_count || c->freed.count || q->poisoned;
}

enum iommu_err iommu_inv_flush(struct deferred_queue *q, const struct iommu_unit_ref *units,
                               unsigned n, uint16_t domain_id, struct iopt_changes *c)
{
	enum iommu_err first = IOMMU_OK;
	bool global;
	uint64_t seq;

	if (!flush_needed(q, c)) {
		iopt_changes_init(c);
		return IOMMU_OK;
	}
	deferred_add_list(q, &c->freed);
	seq = deferred_flush_begin(q, &global);
	for (unsigned i = 0; i < n; i++) {
		enum iommu_err err =
		        global ? queue_global(&units[i]) : iommu_inv_queue(&units[i], domain_id, c);

		if (!err)
			err = units[i].ops->wait(units[i].unit);
		if (err && !first)
			first = err;
	}
	if (first)
		deferred_flush_failed(q, seq);
	else
		deferred_flush_done(q, seq);
	iopt_changes_init(c);
	return first;
}

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

/* Queue the invalidations of domain_id that changes ask for. */
struct flush_plan {
	uint16_t domain_id;
	const struct iopt_changes *changes; /* NULL: the domain is gone, invalidate all of it */
};

static enum iommu_err queue_planned(const struct iommu_unit_ref *u, const struct flush_plan *p)
{
	enum iommu_err err;

	if (p->changes)
		return iommu_inv_queue(u, p->domain_id, p->changes);
	err = u->ops->inv_context_domain(u->unit, p->domain_id);
	return err ? err : u->ops->inv_iotlb_domain(u->unit, p->domain_id);
}

/*
 * Number a flush, queue on every unit (globally when q asks), wait on
 * every unit, and report the outcome to q. Returns the first error.
 */
static enum iommu_err run_flush(struct deferred_queue *q, const struct iommu_unit_ref *units,
                                unsigned n, const struct flush_plan *plan)
{
	enum iommu_err first = IOMMU_OK;
	bool global;
	uint64_t seq = deferred_flush_begin(q, &global);

	for (unsigned i = 0; i < n; i++) {
		enum iommu_err err =
		        global ? queue_global(&units[i]) : queue_planned(&units[i], plan);

		if (!err)
			err = units[i].ops->wait(units[i].unit);
		if (err && !first)
			first = err;
	}
	if (first)
		deferred_flush_failed(q, seq);
	else
		deferred_flush_done(q, seq);
	return first;
}

/* Whether this request needs a flush at all. */
static bool flush_needed(const struct deferred_queue *q, const struct iopt_changes *c)
{
	return c->inv_all || c->inv_count || c->freed.count || q->poisoned;
}

enum iommu_err iommu_inv_flush(struct deferred_queue *q, const struct iommu_unit_ref *units,
                               unsigned n, uint16_t domain_id, struct iopt_changes *c)
{
	const struct flush_plan plan = {domain_id, c};
	enum iommu_err err = IOMMU_OK;

	if (flush_needed(q, c)) {
		deferred_add_list(q, &c->freed);
		err = run_flush(q, units, n, &plan);
	}
	iopt_changes_init(c);
	return err;
}

enum iommu_err iommu_inv_flush_domain_gone(struct deferred_queue *q,
                                           const struct iommu_unit_ref *units, unsigned n,
                                           uint16_t domain_id, struct iopt_changes *c)
{
	const struct flush_plan plan = {domain_id, NULL};
	enum iommu_err err;

	deferred_add_list(q, &c->freed);
	err = run_flush(q, units, n, &plan);
	iopt_changes_init(c);
	return err;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The end of a request: turn what iopt calls changed (struct iopt_changes)
 * into invalidations on every unit the domain spans, wait once per unit,
 * and tell the deferred-free queue whether the flush completed.
 *
 * A range becomes one page-selective IOTLB invalidation: the smallest
 * naturally aligned block of 2^order pages that covers it (invalidating
 * more than asked is always safe). When the block would exceed the unit's
 * largest order, when the unit has no page-selective invalidation, or when
 * the changes overflowed their ranges, the domain is invalidated instead.
 * A page-selective invalidation also drops the paging-structure cache
 * entries for the block, which covers every table the changes freed: a
 * table is freed only when an unmapped range emptied it or a merge
 * replaced it by a superpage whose range is recorded, so a range meets it.
 *
 * Nothing to invalidate and nothing freed means no descriptor and no wait:
 * mapping not-present to present outside caching mode is free. The
 * server thread alone calls this.
 */
#ifndef IOMMU_INV_H
#define IOMMU_INV_H

#include <stdint.h>

#include "backend.h"
#include "deferred.h"
#include "iopt.h"

struct iommu_unit_ref {
	const struct iommu_unit_ops *ops;
	struct iommu_unit *unit;
	const struct iommu_caps *caps;
};

/* Order of the smallest aligned block of 2^order pages holding [start, start+size). */
unsigned iommu_inv_order(uint64_t start, uint64_t size);

/*
 * Queue on one unit the IOTLB invalidations of domain_id that c asks for.
 * Returns the first queueing error; what was queued before it stays queued.
 */
enum iommu_err iommu_inv_queue(const struct iommu_unit_ref *u, uint16_t domain_id,
                               const struct iopt_changes *c);

/*
 * Flush for one request: move c->freed into q, and if anything needs it,
 * number a flush, queue c's invalidations on each of units[0..n) (or a
 * global IOTLB and context-cache invalidation when q asks for one), wait
 * once per unit, and report the outcome to q (which releases what is now
 * safe). Every unit is waited on even after an error. Returns IOMMU_OK or
 * the first error (IOMMU_ERR_TIMEOUT, IOMMU_ERR_HARDWARE); on error
 * nothing is released and the next flush is global. c is reset in all
 * cases.
 */
enum iommu_err iommu_inv_flush(struct deferred_queue *q, const struct iommu_unit_ref *units,
                               unsigned n, uint16_t domain_id, struct iopt_changes *c);

/*
 * The flush that ends a domain's life: after iopt_destroy() (its tables in
 * c->freed) and domain_id_free(), invalidate every context-cache and IOTLB
 * entry tagged domain_id on units[0..n) -- every unit the domain was ever
 * attached to, not only those it is attached to now -- wait once per
 * unit, and report to q. Only then are the tables and the ID released.
 * Always flushes, even with n == 0. Errors and the reset of c as for
 * iommu_inv_flush().
 */
enum iommu_err iommu_inv_flush_domain_gone(struct deferred_queue *q,
                                           const struct iommu_unit_ref *units, unsigned n,
                                           uint16_t domain_id, struct iopt_changes *c);

#endif /* IOMMU_INV_H */

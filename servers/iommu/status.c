/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a console monitor shows (docs/iommu.md §18): DEVICE_STATUS and
 * DOMAIN_STATUS walk the ledger's devices and the live domains with a
 * cursor, one record per request, so each request is bounded work and the
 * server thread is never held by a reader. Only the privileged badge may
 * look; nothing here changes state.
 */
#include <ward/rt.h>

#include "iommu_server.h"
#include "iommu_state.h"

static unsigned domain_mappings(const struct iommu_domain *d)
{
	return d->buffers + d->maps;
}

enum ward_error iommu_serve_device_status(struct ward_request *rq, uint64_t cursor, uint64_t *next,
                                          uint64_t *sbdf, uint64_t *id, uint64_t *class,
                                          uint64_t *group, uint64_t *owner, uint64_t *owner_pid,
                                          uint64_t *mappings, uint64_t *faults, uint64_t *irqs)
{
	uint64_t i = cursor;

	if (!iommu_badge_is_privileged(rq->badge))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	while (i < IOMMU_MAX_DEVICES && !iommu_ledger.dev[i].used)
		i++;
	if (i >= IOMMU_MAX_DEVICES)
		return ward_fail(rq, IOMMU_ERR_NO_DEVICE, 0, 0, 0);
	const struct iommu_device *dv = &iommu_devices[i];
	const struct ledger_group *gr = &iommu_ledger.grp[iommu_ledger.dev[i].group];
	*next = i + 1;
	*sbdf = dv->sbdf;
	*id = dv->id;
	*class = dv->class_rev >> 8;
	*group = gr->id;
	*owner = gr->owner == LEDGER_QUARANTINE ? 0 : gr->owner + 1u;
	*owner_pid = gr->owner == LEDGER_QUARANTINE ? 0 : iommu_domains[gr->owner].owner;
	*mappings = gr->owner == LEDGER_QUARANTINE ? 0 : domain_mappings(&iommu_domains[gr->owner]);
	*faults = dv->faults;
	*irqs = device_irq_delivered(dv);
	return WARD_OK;
}

enum ward_error iommu_serve_domain_status(struct ward_request *rq, uint64_t cursor, uint64_t *next,
                                          uint64_t *domain, uint64_t *owner_pid, uint64_t *width,
                                          uint64_t *did, uint64_t *devices, uint64_t *buffers,
                                          uint64_t *mappings, uint64_t *faults)
{
	uint64_t i = cursor;

	if (!iommu_badge_is_privileged(rq->badge))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	while (i < IOMMU_MAX_DOMAINS && !iommu_domains[i].used)
		i++;
	if (i >= IOMMU_MAX_DOMAINS)
		return ward_fail(rq, IOMMU_ERR_NO_DOMAIN, 0, 0, 0);
	const struct iommu_domain *d = &iommu_domains[i];
	*next = i + 1;
	*domain = i + 1;
	*owner_pid = d->owner;
	*width = d->width;
	*did = d->did;
	*devices = d->devices;
	*buffers = d->buffers;
	*mappings = domain_mappings(d);
	*faults = d->faults.count;
	return WARD_OK;
}

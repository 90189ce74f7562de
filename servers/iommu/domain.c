/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domains: an I/O address space with its own page table and domain ID,
 * owned by the client that created it. A domain is named by a badge on the
 * server's endpoint, minted for its creator: the slot index and the slot's
 * generation, which moves on when the domain is destroyed, so an old badge
 * is refused (STALE) and never names a later domain in the same slot.
 *
 * The depth of a domain's table is chosen from its width when it is
 * created (39 bits: 3 levels, 48 bits: 4, as the core's
 * iopt_levels_for_width() picks from what every unit supports) and never
 * changes (SEEDS.md §5).
 * A domain ID is reused only after the invalidation that removed its
 * translations completed: destroy invalidates and waits before the ID goes
 * back to the free set (SEEDS.md §3). The `did-limit=N` server option
 * lowers the number of IDs so that tests force reuse.
 */
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "iommu_server.h"
#include "iommu_state.h"

#define DID_MAX 1024 /* IDs the server tracks; the units may allow more */

struct iommu_domain iommu_domains[IOMMU_MAX_DOMAINS];
struct hw_table *iommu_rmrr_quarantine;
static bool did_used[DID_MAX];
static unsigned did_limit;
static unsigned widths; /* bit 0: 39, bit 1: 48 */

bool domain_init(unsigned limit)
{
	const struct iommu_hw_caps *caps;

	if (!hw_init(&caps))
		return false;
	widths = caps->widths;
	iommu_caching_mode = caps->caching_mode;
	/* IDs 1 .. domain_ids are ours; the backend's quarantine has the highest. */
	did_limit = caps->domain_ids + 1 < DID_MAX ? caps->domain_ids + 1 : DID_MAX;
	if (limit >= 3 && limit < did_limit)
		did_limit = limit;
	/* ID 0 is reserved under caching mode (VT-d §6.2.3.1); 1 is the RMRR quarantine's. */
	did_used[0] = did_used[IOMMU_RMRR_QUARANTINE_DID] = true;
	iommu_rmrr_quarantine = hw_table_new(widths & 2 ? 48 : 39);
	return iommu_rmrr_quarantine != NULL;
}

uint64_t domain_badge(const struct iommu_domain *d)
{
	return iommu_badge_domain((uint32_t)(d - iommu_domains), d->generation);
}

struct iommu_domain *domain_by_badge(uint64_t badge)
{
	unsigned i = (unsigned)(badge & IOMMU_BADGE_INDEX_MASK);

	if (!iommu_badge_is_domain(badge) || i >= IOMMU_MAX_DOMAINS || !iommu_domains[i].used ||
	    domain_badge(&iommu_domains[i]) != badge)
		return NULL;
	return &iommu_domains[i];
}

enum ward_error domain_of(struct ward_request *rq, struct iommu_domain **d)
{
	if (!iommu_badge_is_domain(rq->badge))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	if ((*d = domain_by_badge(rq->badge)) == NULL)
		return ward_fail(rq, IOMMU_ERR_STALE, WARD_ARG_CAP, 0, 0);
	return WARD_OK;
}

static unsigned did_alloc(void)
{
	for (unsigned did = 2; did < did_limit; did++)
		if (!did_used[did]) {
			did_used[did] = true;
			return did;
		}
	return 0;
}

static unsigned client_domains(uint32_t pid)
{
	unsigned n = 0;

	for (unsigned i = 0; i < IOMMU_MAX_DOMAINS; i++)
		n += iommu_domains[i].used && iommu_domains[i].owner == pid;
	return n;
}

/* The width asked for, checked against what every unit supports; 0 if unsupported. */
static unsigned width_pick(uint64_t width)
{
	if (width == 0)
		return widths & 2 ? 48 : 39;
	if ((width == 39 && (widths & 1)) || (width == 48 && (widths & 2)))
		return (unsigned)width;
	return 0;
}

/* Mints the domain's badged cap into the reply slot. */
static bool domain_cap(const struct iommu_domain *d)
{
	ward_cnode_delete(WARD_PROC_CAP_CNODE, iommu_reply_slot, 64);
	if (ward_cnode_mint(WARD_PROC_CAP_CNODE, iommu_reply_slot, 64, WARD_PROC_CAP_CNODE,
	                    iommu_endpoint, 64,
	                    WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY,
	                    domain_badge(d)) != WARD_OK)
		return false;
	iommu_reply_cap = iommu_reply_slot;
	return true;
}

enum ward_error iommu_serve_create_domain(struct ward_request *rq, uint64_t width, uint64_t *domain,
                                          uint64_t *width_used)
{
	uint32_t pid = (uint32_t)(rq->badge & IOMMU_BADGE_PID_MASK);
	struct iommu_domain *d = NULL;
	unsigned w;

	if (!iommu_badge_is_client(rq->badge))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	if ((w = width_pick(width)) == 0)
		return ward_fail(rq, IOMMU_ERR_WIDTH, 0, 39, widths & 2 ? 48 : 39);
	if (client_domains(pid) >= IOMMU_DOMAINS_PER_CLIENT)
		return ward_fail(rq, IOMMU_ERR_QUOTA, WARD_ARG_CAP, 0, IOMMU_DOMAINS_PER_CLIENT);
	for (unsigned i = 0; i < IOMMU_MAX_DOMAINS && d == NULL; i++)
		if (!iommu_domains[i].used)
			d = &iommu_domains[i];
	if (d == NULL || (d->did = did_alloc()) == 0)
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, WARD_ARG_CAP, 0, 0);
	if ((d->table = hw_table_new(w)) == NULL) {
		did_used[d->did] = false;
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, WARD_ARG_CAP, 0, 0);
	}
	d->used = true;
	d->owner = pid;
	d->width = w;
	d->generation++;
	d->devices = d->buffers = d->maps = 0;
	d->rmrr_mapped = false;
	d->notify = 0;
	d->faults = (struct iommu_fault_queue){0};
	if (!domain_cap(d)) {
		domain_teardown(d);
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, WARD_ARG_CAP, 0, 0);
	}
	*domain = domain_badge(d);
	*width_used = w;
	return WARD_OK;
}

bool domain_teardown(struct iommu_domain *d)
{
	bool ok;

	/* No device uses the ID any more; flush what the hardware cached under it. */
	hw_table_free(d->table, d->did);
	d->table = NULL;
	ok = hw_inv_wait();
	d->used = false;
	d->generation++; /* the badge goes stale at once */
	if (d->notify != 0) {
		ward_cnode_delete(WARD_PROC_CAP_CNODE, d->notify, 64);
		d->notify = 0; /* the slot is leaked: slots are few, domains come back */
	}
	if (!ok)
		return false; /* table pages and the ID stay out of use: never reused unflushed */
	did_used[d->did] = false;
	return true;
}

enum ward_error iommu_serve_destroy_domain(struct ward_request *rq)
{
	struct iommu_domain *d;
	enum ward_error err;

	if ((err = domain_of(rq, &d)) != WARD_OK)
		return err;
	if (d->devices != 0 || d->buffers != 0 || d->maps != 0)
		return ward_fail(rq, IOMMU_ERR_BUSY, WARD_ARG_CAP, d->devices,
		                 d->buffers + d->maps);
	if (!domain_teardown(d))
		return ward_fail(rq, IOMMU_ERR_HARDWARE, WARD_ARG_CAP, 0, 0);
	return WARD_OK;
}

enum ward_error iommu_serve_set_notify(struct ward_request *rq, uint64_t notification)
{
	struct iommu_domain *d;
	enum ward_error err;
	uint64_t slot;

	if ((err = domain_of(rq, &d)) != WARD_OK)
		return err;
	slot = d->notify != 0 ? d->notify : mem_root_slot();
	if (slot == 0)
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, WARD_ARG_EXTRA_CAP0, 0, 0);
	ward_cnode_delete(WARD_PROC_CAP_CNODE, slot, 64);
	if (ward_cnode_move(WARD_PROC_CAP_CNODE, slot, 64, WARD_PROC_CAP_CNODE, notification, 64) !=
	    WARD_OK)
		return ward_fail(rq, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0, 0, 0);
	d->notify = slot;
	return WARD_OK;
}

void domain_client_gone(uint32_t pid)
{
	for (unsigned i = 0; i < IOMMU_MAX_DOMAINS; i++) {
		struct iommu_domain *d = &iommu_domains[i];

		if (d->used && d->owner == pid && d->devices == 0 && d->buffers == 0 &&
		    d->maps == 0)
			domain_teardown(d);
	}
}

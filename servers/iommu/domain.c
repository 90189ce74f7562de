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
 * translations completed (SEEDS.md §3): the core's allocator (hw.h) gets
 * a destroyed domain's ID back through the deferred-free queue, released
 * by the wait that covers it, and hands out the least recently freed ID
 * first. The `did-limit=N` server option keeps IDs below N so that tests
 * force reuse. Each domain's table carries its IOVA space, in which the
 * interrupt window and every RMRR are reserved (never mappable).
 */
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "iommu_server.h"
#include "iommu_state.h"

struct iommu_domain iommu_domains[IOMMU_MAX_DOMAINS];
struct hw_table *iommu_rmrr_quarantine;
static unsigned widths; /* bit 0: 39, bit 1: 48 */

bool domain_init(unsigned limit)
{
	const struct iommu_hw_caps *caps;

	if (!hw_init(&caps))
		return false;
	unsigned did;

	widths = caps->widths;
	iommu_caching_mode = caps->caching_mode;
	/* The first ID (1) is the RMRR quarantine's; the backend's quarantine has its own. */
	if (!hw_did_init(limit) || !hw_did_alloc(&did) || did != IOMMU_RMRR_QUARANTINE_DID)
		return false;
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

/* A new table for the domain with the interrupt window and every RMRR kept out of its IOVAs. */
static struct hw_table *domain_table(unsigned width)
{
	struct hw_table *t = hw_table_new(width);

	for (unsigned i = 0; t != NULL && i < iommu_rmrr_count; i++) {
		uint64_t base = iommu_rmrrs[i].base & ~(IOMMU_PAGE - 1);

		if (!hw_iova_reserve(t, base, (iommu_rmrrs[i].end | (IOMMU_PAGE - 1)) + 1 - base)) {
			hw_table_free(t, 0);
			t = NULL;
		}
	}
	return t;
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

/*
 * Mints the domain's badged cap into a slot of its own, whose copy the
 * reply carries. The original stays there until the domain is destroyed:
 * deleting a badged original cancels the sends queued under its badge, so
 * it must never share a slot that another request's reply reuses (a
 * client's request already queued on another CPU would fail). A destroyed
 * domain's original stays until its slot makes the next domain: the
 * client's copies answer STALE meanwhile.
 */
static bool domain_cap(struct iommu_domain *d)
{
	if (d->cap_slot == 0 && (d->cap_slot = mem_root_slot()) == 0)
		return false;
	ward_cnode_delete(WARD_PROC_CAP_CNODE, d->cap_slot, 64); /* a destroyed one's, if any */
	if (ward_cnode_mint(WARD_PROC_CAP_CNODE, d->cap_slot, 64, WARD_PROC_CAP_CNODE,
	                    iommu_endpoint, 64,
	                    WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY,
	                    domain_badge(d)) != WARD_OK)
		return false;
	iommu_reply_cap = d->cap_slot;
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
	if (d == NULL || !hw_did_alloc(&d->did))
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, WARD_ARG_CAP, 0, 0);
	if ((d->table = domain_table(w)) == NULL) {
		hw_did_free(d->did); /* never used: back after the next wait, as any other */
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

	/*
	 * No device uses the ID any more; flush what the hardware cached under
	 * it. The tables and the ID come back only after that flush completed.
	 */
	hw_table_free(d->table, d->did);
	hw_did_free(d->did);
	d->table = NULL;
	ok = hw_inv_wait();
	d->used = false;
	d->generation++; /* the badge goes stale at once */
	if (d->notify != 0) {
		ward_cnode_delete(WARD_PROC_CAP_CNODE, d->notify, 64);
		d->notify = 0; /* the slot is leaked: slots are few, domains come back */
	}
	return ok; /* failed: tables and ID stay queued until a global flush completes */
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

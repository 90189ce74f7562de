/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ledger's requests: authority is a capability at every step.
 *
 *   ASSIGNMENT  the privileged badge gets a group's assignment cap (minted
 *               once per group, kept in iommu_group_caps: the root task
 *               hands copies to whoever may place that group);
 *   ASSIGN      through the assignment cap, with a domain cap as extra
 *               cap 0 (unwrapped by the kernel into its badge): the group
 *               moves there; the reply carries the group's new device cap;
 *   RELEASE     through the assignment cap: the group to quarantine;
 *   QUERY       the ledger's view of one device;
 *   DEVICE_*    through the device cap: what the owner of a device may do
 *               with it, until the group moves and the cap dies.
 *
 * Each move is one device_move() (device.c), done to completion before
 * the next request is read: two requests moving devices in opposite
 * directions are simply served one after the other (SEEDS.md §1).
 */
#include <ward/invoke.h>
#include <ward/rt.h>

#include "iommu_server.h"
#include "iommu_state.h"
#include "pci_service.h"

/* The group an assignment or device badge names, checked against its generation. */
enum ward_error group_of(struct ward_request *rq, uint64_t kind, uint16_t *group)
{
	uint32_t g = iommu_badge_index(rq->badge), gen = iommu_badge_generation(rq->badge);
	const struct ledger_group *gr;

	if (!iommu_badge_is(rq->badge, kind))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	gr = g < IOMMU_MAX_DEVICES ? &iommu_ledger.grp[g] : NULL;
	if (gr == NULL || !gr->used ||
	    (kind == IOMMU_BADGE_ASSIGN ? iommu_group_caps[g].assign_generation : gr->generation) !=
	            gen ||
	    (kind == IOMMU_BADGE_DEVICE && gr->owner == LEDGER_QUARANTINE))
		return ward_fail(rq, IOMMU_ERR_STALE, WARD_ARG_CAP, 0, 0);
	*group = (uint16_t)g;
	return WARD_OK;
}

/* The member of `group` with this SBDF (argument 0), or an error: a walk of the group only. */
enum ward_error member_of(struct ward_request *rq, uint16_t group, uint64_t sbdf,
                          struct iommu_device **dv)
{
	for (uint16_t i = iommu_ledger.grp[group].first; i != LEDGER_NONE;
	     i = iommu_ledger.dev[i].next)
		if (iommu_ledger.dev[i].sbdf == sbdf) {
			*dv = &iommu_devices[i];
			return WARD_OK;
		}
	return ward_fail(rq, IOMMU_ERR_NO_DEVICE, 0, 0, 0);
}

enum ward_error iommu_serve_assignment(struct ward_request *rq, uint64_t sbdf, uint64_t *group,
                                       uint64_t *members)
{
	struct iommu_device *dv;
	struct iommu_group_caps *gc;
	uint16_t g;

	if (!iommu_badge_is_privileged(rq->badge))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	if ((dv = device_by_sbdf(sbdf)) == NULL)
		return ward_fail(rq, IOMMU_ERR_NO_DEVICE, 0, 0, 0);
	g = device_ledger(dv)->group;
	gc = &iommu_group_caps[g];
	if (gc->assign_slot == 0) {
		uint64_t slot = mem_root_slot();
		if (slot == 0 ||
		    ward_cnode_mint(WARD_PROC_CAP_CNODE, slot, 64, WARD_PROC_CAP_CNODE,
		                    iommu_endpoint, 64,
		                    WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY,
		                    iommu_badge_slot(IOMMU_BADGE_ASSIGN, g,
		                                     gc->assign_generation)) != WARD_OK)
			return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 0, 0, 0);
		gc->assign_slot = slot;
	}
	*group = iommu_ledger.grp[g].id;
	*members = iommu_ledger.grp[g].count;
	iommu_reply_cap = gc->assign_slot;
	return WARD_OK;
}

/*
 * A refused or failed move as the protocol's error, with what the
 * journal knows in MR0..MR2 (all a client sees of an error reply).
 */
static enum ward_error move_error(struct ward_request *rq, enum ledger_err err,
                                  const struct ledger_result *r)
{
	uint64_t other[2] = {0};
	unsigned n = 0;

	switch (err) {
	case LEDGER_OK:
		return WARD_OK;
	case LEDGER_ERR_SAME_OWNER:
		return ward_fail(rq, IOMMU_ERR_ATTACHED, 0, 0, 0);
	case LEDGER_ERR_GROUP:
		for (uint16_t i = iommu_ledger.grp[r->group].first; i != LEDGER_NONE;
		     i = iommu_ledger.dev[i].next)
			if (iommu_ledger.dev[i].sbdf != r->sbdf && n++ < 2)
				other[n - 1] = iommu_ledger.dev[i].sbdf;
		return ward_fail(rq, IOMMU_ERR_GROUP, n, other[0], other[1]);
	case LEDGER_ERR_VF_ASSIGNED:
		return ward_fail(rq, IOMMU_ERR_VF_ASSIGNED, 0, iommu_ledger.dev[r->other].sbdf, 0);
	case LEDGER_ERR_BROKEN:
		return ward_fail(rq, IOMMU_ERR_HARDWARE, LEDGER_STEP_CHECK, LEDGER_ROLLBACK_BROKEN,
		                 0);
	case LEDGER_ERR_STEP:
		return ward_fail(rq,
		                 r->failed == LEDGER_STEP_INVALIDATE ||
		                                 r->rollback == LEDGER_ROLLBACK_BROKEN
		                         ? IOMMU_ERR_HARDWARE
		                         : IOMMU_ERR_MOVE_FAILED,
		                 r->failed, r->rollback, (uint64_t)r->cause);
	default:
		return ward_fail(rq, IOMMU_ERR_NO_DEVICE, 0, 0, 0);
	}
}

/*
 * ASSIGN and RELEASE: the assignment badge's group, the member it names,
 * the flags, then one move of the group to `to` (LEDGER_QUARANTINE or a
 * domain slot; `to_known` false: ASSIGN's domain cap named no live domain).
 */
static enum ward_error move_request(struct ward_request *rq, uint64_t sbdf, uint64_t flags,
                                    bool to_known, uint16_t to, uint16_t *group, uint64_t *moved)
{
	struct iommu_device *dv;
	struct ledger_result r;
	enum ward_error err;

	if ((err = group_of(rq, IOMMU_BADGE_ASSIGN, group)) != WARD_OK ||
	    (err = member_of(rq, *group, sbdf, &dv)) != WARD_OK)
		return err;
	if (!to_known)
		return ward_fail(rq, IOMMU_ERR_NO_DOMAIN, WARD_ARG_EXTRA_CAP0, 0, 0);
	if (flags & ~(uint64_t)IOMMU_ASSIGN_GROUP)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 1, 0, IOMMU_ASSIGN_GROUP);
	err = move_error(rq, device_move(dv, to, (unsigned)flags, &r), &r);
	if (err == WARD_OK)
		*moved = r.moved; /* results share the reply's registers with an error's */
	return err;
}

enum ward_error iommu_serve_assign(struct ward_request *rq, uint64_t sbdf, uint64_t flags,
                                   uint64_t domain, uint64_t *moved, uint64_t *generation)
{
	struct iommu_domain *d = domain_by_badge(domain);
	enum ward_error err;
	uint16_t g;

	err = move_request(rq, sbdf, flags, d != NULL,
	                   d != NULL ? (uint16_t)(d - iommu_domains) : 0, &g, moved);
	if (err != WARD_OK)
		return err;
	*generation = iommu_ledger.grp[g].generation;
	iommu_reply_cap = iommu_group_caps[g].device_slot;
	return WARD_OK;
}

enum ward_error iommu_serve_release(struct ward_request *rq, uint64_t sbdf, uint64_t flags,
                                    uint64_t *moved)
{
	uint16_t g;

	return move_request(rq, sbdf, flags, true, LEDGER_QUARANTINE, &g, moved);
}

/* The device `sbdf` if the caller may ask about it: privileged, or its group's assignment or device
 * cap. */
static enum ward_error queried_device(struct ward_request *rq, uint64_t sbdf,
                                      struct iommu_device **out)
{
	struct iommu_device *dv;
	enum ward_error err;
	uint16_t g;

	if ((dv = device_by_sbdf(sbdf)) == NULL)
		return ward_fail(rq, IOMMU_ERR_NO_DEVICE, 0, 0, 0);
	if (!iommu_badge_is_privileged(rq->badge)) {
		uint64_t kind = iommu_badge_is(rq->badge, IOMMU_BADGE_DEVICE) ? IOMMU_BADGE_DEVICE
		                                                              : IOMMU_BADGE_ASSIGN;
		if ((err = group_of(rq, kind, &g)) != WARD_OK)
			return err;
		if (g != device_ledger(dv)->group)
			return ward_fail(rq, IOMMU_ERR_NO_DEVICE, 0, 0, 0);
	}
	*out = dv;
	return WARD_OK;
}

enum ward_error iommu_serve_identify(struct ward_request *rq, uint64_t sbdf, uint64_t *id,
                                     uint64_t *class_rev)
{
	struct iommu_device *dv;
	enum ward_error err;

	if ((err = queried_device(rq, sbdf, &dv)) != WARD_OK)
		return err;
	*id = dv->id;
	*class_rev = dv->class_rev;
	return WARD_OK;
}

enum ward_error iommu_serve_query(struct ward_request *rq, uint64_t sbdf, uint64_t *owner,
                                  uint64_t *owner_pid, uint64_t *group, uint64_t *members,
                                  uint64_t *nalias, uint64_t *pf, uint64_t *vfs_out,
                                  uint64_t *generation)
{
	const struct ledger_device *ld;
	const struct ledger_group *gr;
	struct iommu_device *dv;
	enum ward_error err;

	if ((err = queried_device(rq, sbdf, &dv)) != WARD_OK)
		return err;
	ld = device_ledger(dv);
	gr = &iommu_ledger.grp[ld->group];
	*owner = gr->owner == LEDGER_QUARANTINE ? 0 : gr->owner + 1u;
	*owner_pid = gr->owner == LEDGER_QUARANTINE ? 0 : iommu_domains[gr->owner].owner;
	*group = gr->id;
	*members = gr->count;
	*nalias = ld->nalias;
	*pf = ld->pf == LEDGER_NONE ? PCI_LIST_END : iommu_ledger.dev[ld->pf].sbdf;
	*vfs_out = ld->vfs_out;
	*generation = gr->generation;
	return WARD_OK;
}

enum ward_error iommu_serve_device_bar(struct ward_request *rq, uint64_t sbdf, uint64_t bar,
                                       uint64_t offset, uint64_t *phys, uint64_t *size)
{
	struct iommu_device *dv;
	enum ward_error err;
	uint64_t slot;
	uint16_t g;

	if ((err = group_of(rq, IOMMU_BADGE_DEVICE, &g)) != WARD_OK ||
	    (err = member_of(rq, g, sbdf, &dv)) != WARD_OK)
		return err;
	/* The PCI server's frame cap lands in the reply slot; its revoke takes every copy. */
	slot = iommu_reply_slot;
	ward_cnode_delete(WARD_PROC_CAP_CNODE, slot, 64);
	err = pci_map_bar_into(iommu_pci_ep, WARD_PROC_CAP_CNODE, slot, sbdf, bar, offset, phys,
	                       size);
	if (err == PCI_ERR_UNSUPPORTED || err == PCI_ERR_PROTECTED)
		return ward_fail(rq, IOMMU_ERR_UNSUPPORTED, 1, 0, 0);
	if (err == WARD_ERR_RANGE || err == WARD_ERR_ALIGNMENT)
		return ward_fail(rq, err, err == WARD_ERR_RANGE ? 1 : 2, 0, 0);
	if (err != WARD_OK)
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 0, 0, 0);
	iommu_reply_cap = slot;
	return WARD_OK;
}

enum ward_error iommu_serve_device_bus_master(struct ward_request *rq, uint64_t sbdf,
                                              uint64_t enable, uint64_t *command)
{
	struct iommu_device *dv;
	enum ward_error err;
	uint64_t before;
	uint16_t g;

	if ((err = group_of(rq, IOMMU_BADGE_DEVICE, &g)) != WARD_OK ||
	    (err = member_of(rq, g, sbdf, &dv)) != WARD_OK)
		return err;
	if (enable > 1)
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 1, 0, 1);
	if (pci_bus_master(iommu_pci_ep, sbdf, enable, command, &before) != WARD_OK)
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 0, 0, 0);
	return WARD_OK;
}

enum ward_error iommu_serve_journal(struct ward_request *rq, uint64_t back, uint64_t *seq,
                                    uint64_t *sbdf, uint64_t *from, uint64_t *to, uint64_t *owner,
                                    uint64_t *result, uint64_t *steps, uint64_t *failed,
                                    uint64_t *rollback, uint64_t *cause, uint64_t *c0, uint64_t *c1,
                                    uint64_t *c2, uint64_t *c3, uint64_t *c4, uint64_t *c5,
                                    uint64_t *c6, uint64_t *c7)
{
	uint64_t *cost[LEDGER_STEPS] = {c0, c1, c2, c3, c4, c5, c6, c7};
	const struct ledger_result *r;

	if (!iommu_badge_is_privileged(rq->badge))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	if ((r = ledger_journal(&iommu_ledger,
	                        back > LEDGER_JOURNAL ? LEDGER_JOURNAL : (unsigned)back)) == NULL)
		return ward_fail(rq, WARD_ERR_RANGE, 0, 0, LEDGER_JOURNAL - 1);
	*seq = r->seq;
	*sbdf = r->sbdf;
	*from = r->from == LEDGER_QUARANTINE ? 0 : r->from + 1u;
	*to = r->to == LEDGER_QUARANTINE ? 0 : r->to + 1u;
	*owner = r->owner == LEDGER_QUARANTINE ? 0 : r->owner + 1u;
	*result = r->err;
	*steps = r->steps | (uint64_t)r->skipped << 16;
	*failed = r->failed;
	*rollback = r->rollback;
	*cause = (uint64_t)(uint32_t)r->cause;
	for (unsigned s = 0; s < LEDGER_STEPS; s++)
		*cost[s] = r->cost[s];
	return WARD_OK;
}

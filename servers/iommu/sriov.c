/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SR-IOV through the ledger. The owner of a PF enables and disables its
 * VFs through the PF's device cap; the server asks the PCI server, which
 * owns the SR-IOV capability, and keeps the ledger in step:
 *
 *   SRIOV_ENABLE   the PCI server enables the VFs (quiesced); the server
 *                  reads each VF's SBDF, group and DMA aliases from the
 *                  PCI server's table (VF, DESCRIBE, ALIAS: never computed
 *                  from First VF Offset and VF Stride here), and
 *                  ledger_add_vfs() records them in quarantine, linked to
 *                  the PF, every requester ID pointed at quarantine and
 *                  invalidated, one wait, before the reply. Whoever holds
 *                  the privileged badge hands out their assignment caps.
 *   SRIOV_DISABLE  refused (VF_ASSIGNED, naming the VF) while any VF is
 *                  out of quarantine; else the PCI server disables them
 *                  (it revokes their BAR frames and PCI caps), then they
 *                  leave the ledger and their groups' assignment caps are
 *                  revoked, every copy, at a new generation (STALE).
 *
 * Until the PCI server sets VF Enable no VF exists, and once it has, a
 * VF's requester ID has no context entry (blocked) or one pointing at
 * quarantine (left there by an earlier disable): a VF is never able to
 * reach a domain it was not assigned to. A failed enable is undone: the
 * VFs are disabled again and forgotten; if even that fails they stay in
 * the ledger, blocked and broken (docs/iommu.md §13).
 */
#include <ward/invoke.h>
#include <ward/rt.h>

#include "iommu_server.h"
#include "iommu_state.h"
#include "pci_service.h"

static struct ledger_vf vf_table[IOMMU_MAX_DEVICES];
static uint32_t vf_id[IOMMU_MAX_DEVICES], vf_class_rev[IOMMU_MAX_DEVICES]; /* as DESCRIBE says */

/* The PF the request names: a member of the group of the device cap it came through. */
static enum ward_error pf_of(struct ward_request *rq, uint64_t sbdf, uint16_t *pf)
{
	struct iommu_device *dv;
	enum ward_error err;
	uint16_t g;

	if ((err = group_of(rq, IOMMU_BADGE_DEVICE, &g)) != WARD_OK ||
	    (err = member_of(rq, g, sbdf, &dv)) != WARD_OK)
		return err;
	*pf = (uint16_t)(dv - iommu_devices);
	return WARD_OK;
}

/* The group's assignment cap goes, with every copy; the next group in the slot gets a new one. */
static void assignment_retire(uint16_t group)
{
	struct iommu_group_caps *gc = &iommu_group_caps[group];

	gc->assign_generation++;
	if (gc->assign_slot == 0)
		return; /* never minted: ASSIGNMENT mints at the new generation */
	ward_cnode_revoke(WARD_PROC_CAP_CNODE, gc->assign_slot, 64);
	ward_cnode_delete(WARD_PROC_CAP_CNODE, gc->assign_slot, 64);
	/* The slot keeps a cap at the new generation, as ASSIGNMENT would mint it. */
	if (ward_cnode_mint(
	            WARD_PROC_CAP_CNODE, gc->assign_slot, 64, WARD_PROC_CAP_CNODE, iommu_endpoint,
	            64, WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY,
	            iommu_badge_slot(IOMMU_BADGE_ASSIGN, group, gc->assign_generation)) != WARD_OK)
		gc->assign_slot = 0; /* the slot is lost; ASSIGNMENT takes another */
}

/* Forgets the PF's VFs (all in quarantine): ledger, devices, the caps of groups that went. */
static void vfs_forget(uint16_t pf)
{
	uint16_t groups[IOMMU_MAX_DEVICES], vfs[IOMMU_MAX_DEVICES], other;
	unsigned n = 0, ngroups = 0, removed, k;

	for (unsigned i = 0; i < IOMMU_MAX_DEVICES; i++) {
		const struct ledger_device *d = &iommu_ledger.dev[i];
		if (!d->used || d->pf != pf)
			continue;
		vfs[n++] = (uint16_t)i;
		for (k = 0; k < ngroups && groups[k] != d->group; k++)
			;
		if (k == ngroups)
			groups[ngroups++] = d->group;
	}
	if (ledger_remove_vfs(&iommu_ledger, pf, &other, &removed) != LEDGER_OK)
		return; /* callers checked: every VF is in quarantine */
	for (k = 0; k < n; k++)
		iommu_devices[vfs[k]] = (struct iommu_device){0};
	for (k = 0; k < ngroups; k++)
		if (!iommu_ledger.grp[groups[k]].used)
			assignment_retire(groups[k]);
}

/* VF i of the PF as the PCI server's table lists it; false if the table did not answer. */
static bool vf_read(uint64_t pf_sbdf, unsigned i, struct ledger_vf *v, uint32_t *id,
                    uint32_t *class_rev_out)
{
	uint64_t sbdf, vendor, device, class_rev, header, type, flags, command, group, nalias,
	        buses, a;

	if (pci_vf(iommu_pci_ep, pf_sbdf, i, &sbdf) != WARD_OK ||
	    pci_describe(iommu_pci_ep, sbdf, &vendor, &device, &class_rev, &header, &type, &flags,
	                 &command, &group, &nalias, &buses) != WARD_OK ||
	    sbdf > UINT32_MAX || group > UINT32_MAX || nalias > LEDGER_MAX_ALIASES)
		return false;
	*v = (struct ledger_vf){.sbdf = (uint32_t)sbdf, .group_id = (uint32_t)group};
	*id = (uint32_t)(vendor << 16 | device);
	*class_rev_out = (uint32_t)class_rev;
	for (uint64_t k = 0; k < nalias; k++) {
		if (pci_alias(iommu_pci_ep, sbdf, k, &a) != WARD_OK)
			return false;
		if (a != sbdf)
			v->alias[v->nalias++] = (uint16_t)a;
	}
	return true;
}

/* How many VFs of the PF the ledger holds. */
static unsigned vfs_recorded(uint16_t pf)
{
	unsigned n = 0;

	for (unsigned i = 0; i < IOMMU_MAX_DEVICES; i++)
		n += iommu_ledger.dev[i].used && iommu_ledger.dev[i].pf == pf;
	return n;
}

/*
 * The VFs enabled by the PCI server enter the ledger; on any failure they
 * are disabled again and forgotten (or, if the disable fails, left
 * blocked and broken). Returns the reply's error.
 */
static enum ward_error vfs_record(struct ward_request *rq, uint16_t pf, uint64_t pf_sbdf,
                                  unsigned n)
{
	struct ledger_result r = {.err = LEDGER_ERR_NO_DEVICE};
	unsigned i;

	for (i = 0; i < n && vf_read(pf_sbdf, i, &vf_table[i], &vf_id[i], &vf_class_rev[i]); i++)
		;
	if (i == n)
		ledger_add_vfs(&iommu_ledger, pf, vf_table, n, &r);
	for (i = 0; i < n && r.err != LEDGER_ERR_NO_DEVICE; i++) {
		uint16_t d = ledger_find(&iommu_ledger, vf_table[i].sbdf);
		if (d != LEDGER_NONE && iommu_ledger.dev[d].pf == pf)
			iommu_devices[d] = (struct iommu_device){.sbdf = vf_table[i].sbdf,
			                                         .id = vf_id[i],
			                                         .class_rev = vf_class_rev[i]};
	}
	if (r.err == LEDGER_OK)
		return WARD_OK;
	if (pci_sriov_disable(iommu_pci_ep, pf_sbdf) == WARD_OK)
		vfs_forget(pf);
	else if (vfs_recorded(pf) == 0)
		ward_printf("VFs of %llx enabled, not recorded, not disabled\n",
		            (unsigned long long)pf_sbdf);
	if (r.err == LEDGER_ERR_STEP)
		return ward_fail(rq, IOMMU_ERR_HARDWARE, r.failed,
		                 vfs_recorded(pf) != 0 ? LEDGER_ROLLBACK_BROKEN
		                                       : LEDGER_ROLLBACK_QUARANTINED,
		                 (uint64_t)r.cause);
	if (r.err == LEDGER_ERR_GROUP)
		return ward_fail(rq, IOMMU_ERR_GROUP, 1, iommu_ledger.dev[r.other].sbdf, 0);
	return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 1, 0, 0);
}

enum ward_error iommu_serve_sriov_enable(struct ward_request *rq, uint64_t sbdf, uint64_t num_vfs,
                                         uint64_t *first_vf, uint64_t *vf_stride)
{
	uint64_t pf_sbdf, vf_index, total, enabled, first, stride;
	enum ward_error err;
	uint16_t pf;

	if ((err = pf_of(rq, sbdf, &pf)) != WARD_OK)
		return err;
	if (pci_sriov_info(iommu_pci_ep, sbdf, &pf_sbdf, &vf_index, &total, &enabled, &first,
	                   &stride) != WARD_OK ||
	    vf_index != PCI_LIST_END)
		return ward_fail(rq, IOMMU_ERR_UNSUPPORTED, 0, 0, 0);
	if (enabled != 0 || vfs_recorded(pf) != 0)
		return ward_fail(rq, IOMMU_ERR_BUSY, 0, enabled, 0);
	if (num_vfs == 0 || num_vfs > total)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 1, total);
	if (num_vfs > IOMMU_MAX_DEVICES)
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 1, 0, 0);
	if ((err = pci_sriov_enable(iommu_pci_ep, sbdf, num_vfs, first_vf)) != WARD_OK)
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 1, err, 0);
	if ((err = vfs_record(rq, pf, sbdf, (unsigned)num_vfs)) != WARD_OK)
		return err;
	/* First VF Offset and VF Stride may depend on NumVFs: the PCI server's values now. */
	if (pci_sriov_info(iommu_pci_ep, sbdf, &pf_sbdf, &vf_index, &total, &enabled, &first,
	                   vf_stride) != WARD_OK)
		*vf_stride = 0;
	return WARD_OK;
}

enum ward_error iommu_serve_sriov_disable(struct ward_request *rq, uint64_t sbdf)
{
	enum ward_error err;
	uint16_t pf, vf;

	if ((err = pf_of(rq, sbdf, &pf)) != WARD_OK)
		return err;
	if ((vf = ledger_vf_assigned(&iommu_ledger, pf)) != LEDGER_NONE)
		return ward_fail(rq, IOMMU_ERR_VF_ASSIGNED, 0, iommu_ledger.dev[vf].sbdf, 0);
	err = pci_sriov_disable(iommu_pci_ep, sbdf);
	if (err == PCI_ERR_UNSUPPORTED)
		return ward_fail(rq, IOMMU_ERR_UNSUPPORTED, 0, 0, 0);
	if (err != WARD_OK)
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 0, 0, err);
	vfs_forget(pf);
	return WARD_OK;
}

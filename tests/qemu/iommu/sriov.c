/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SR-IOV through the IOMMU server (the `pci` preset: QEMU's nvme PF with
 * four VFs possible). Driver A owns the PF and enables two VFs through its
 * device cap; the server puts them in the ledger, in quarantine, linked to
 * the PF, with the requester IDs the PCI server's table gives. One VF goes
 * to driver B's domain; while it is there the PF's VFs cannot be disabled
 * and the PF cannot be released or moved (each refusal names the VF), but
 * with every VF back in quarantine the PF moves (its reset is skipped: a
 * PF with VFs enabled is not reset) and its new owner disables them: they
 * leave the ledger and the PCI server's table, and the VF's old assignment
 * cap is dead. DUMP reads every context entry back against the ledger at
 * each step.
 */
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../proc/ptap.h"
#include "iommu_badge.h"
#include "iommu_test.h"
#include "pci_service.h"

#define NVME_VENDOR 0x1b36
#define NVME_DEVICE 0x0010
#define NVME_CLASS  0x010802 /* mass storage, NVM, NVMe */
#define VFS         2

/* A function the test moves: its SBDF, assignment cap, and its owner's device cap. */
struct fn {
	uint64_t sbdf, assign, device;
};

static bool nvme_pf(struct fn *pf)
{
	uint64_t next, count, s[PCI_LIST_BATCH];

	if (pci_list(t_pci, 0, PCI_LIST_KEY(0, NVME_DEVICE, NVME_VENDOR), PCI_LIST_KEY_ID_MASK, 0,
	             0, &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
	             &s[7]) != WARD_OK ||
	    count == 0)
		return false;
	*pf = (struct fn){.sbdf = s[0], .assign = t_slot(), .device = t_slot()};
	return true;
}

/* ASSIGNMENT (privileged) once, then ASSIGN to domain cap dom: f->device is the new owner's. */
static enum ward_error assign(struct fn *f, uint64_t dom)
{
	uint64_t group, members, moved, gen;
	enum ward_error err = WARD_OK;

	if (ward_debug_cap_type(f->assign) == 0)
		err = iommu_assignment_into(t_ep, WARD_PROC_CAP_CNODE, f->assign, f->sbdf, &group,
		                            &members);
	if (err != WARD_OK)
		return err;
	ward_cnode_delete(WARD_PROC_CAP_CNODE, f->device, 64);
	return iommu_assign_into(f->assign, WARD_PROC_CAP_CNODE, f->device, f->sbdf, 0, dom, &moved,
	                         &gen);
}

struct where {
	uint64_t owner, group, members, pf, vfs_out, generation;
};

static bool query(uint64_t sbdf, struct where *w)
{
	uint64_t pid, nalias;

	return iommu_query(t_ep, sbdf, &w->owner, &pid, &w->group, &w->members, &nalias, &w->pf,
	                   &w->vfs_out, &w->generation) == WARD_OK;
}

/* The refusal named `vf` (MR1), as VF_ASSIGNED does. */
static bool names(uint64_t vf)
{
	return ward_last_error().lo == vf;
}

static bool dump_agrees(void)
{
	uint64_t d, c, p;

	return t_dump(&d, &c, &p) == WARD_OK;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t dom_a = t_slot(), dom_b = t_slot(), did_a, did_b, width, first = 0, stride = 0, s,
	         moved, id = 0, class_rev = 0;
	struct fn pf, vf[VFS];
	struct where w[VFS], wp;
	bool ok;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	ptap_plan(14);
	ok = nvme_pf(&pf) &&
	     iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom_a, 0, &did_a, &width) ==
	             WARD_OK &&
	     iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom_b, 0, &did_b, &width) ==
	             WARD_OK &&
	     assign(&pf, dom_a) == WARD_OK;
	ptap_ok(ok, "driver A owns the nvme PF %#llx (ASSIGN through its assignment cap)",
	        (unsigned long long)pf.sbdf);

	/* Refusals first: nothing enabled by them. */
	ok = iommu_sriov_enable(pf.device, pf.sbdf, 0, &first, &stride) == WARD_ERR_RANGE &&
	     iommu_sriov_enable(pf.device, pf.sbdf, 5, &first, &stride) == WARD_ERR_RANGE &&
	     ward_last_error().hi == 4 &&
	     iommu_sriov_enable(pf.assign, pf.sbdf, VFS, &first, &stride) == IOMMU_ERR_DENIED &&
	     pci_vf(t_pci, pf.sbdf, 0, &s) == WARD_ERR_RANGE;
	ptap_ok(ok, "SRIOV_ENABLE of 0 or 5 VFs: RANGE (1..4); through the assignment cap: "
	            "DENIED; no VF enabled");

	ok = iommu_sriov_enable(pf.device, pf.sbdf, VFS, &first, &stride) == WARD_OK;
	for (unsigned i = 0; i < VFS && ok; i++) {
		ok = pci_vf(t_pci, pf.sbdf, i, &vf[i].sbdf) == WARD_OK && query(vf[i].sbdf, &w[i]);
		vf[i].assign = t_slot();
		vf[i].device = t_slot();
	}
	ok = ok && vf[0].sbdf == first && vf[1].sbdf != vf[0].sbdf;
	ptap_ok(ok,
	        "SRIOV_ENABLE of %u VFs through the PF's device cap: first VF %#llx, stride "
	        "%llu (the PCI server's table: %#llx, %#llx)",
	        VFS, (unsigned long long)first, (unsigned long long)stride,
	        (unsigned long long)vf[0].sbdf, (unsigned long long)vf[1].sbdf);
	ok = ok && query(pf.sbdf, &wp);
	for (unsigned i = 0; i < VFS && ok; i++)
		ok = w[i].owner == 0 && w[i].pf == pf.sbdf && w[i].group == vf[i].sbdf &&
		     w[i].members == 1;
	ok = ok && wp.owner != 0 && wp.vfs_out == 0 && dump_agrees() &&
	     iommu_sriov_enable(pf.device, pf.sbdf, VFS, &first, &stride) == IOMMU_ERR_BUSY;
	ptap_ok(ok,
	        "QUERY: both VFs in quarantine, each alone in its group, PF %#llx; DUMP "
	        "agrees (their context entries point at quarantine); enabling again: BUSY",
	        (unsigned long long)w[0].pf);

	ok = assign(&vf[0], dom_b) == WARD_OK && query(vf[0].sbdf, &w[0]) && w[0].owner != 0 &&
	     query(pf.sbdf, &wp) && wp.vfs_out == 1 && dump_agrees();
	ptap_ok(ok,
	        "ASSIGNMENT + ASSIGN of VF %#llx to driver B's domain; the PF counts 1 VF out; "
	        "DUMP agrees",
	        (unsigned long long)vf[0].sbdf);

	/* IDENTIFY: a VF's IDs and class are its PF's SR-IOV capability's; only its own group's. */
	ok = iommu_identify(vf[0].device, vf[0].sbdf, &id, &class_rev) == WARD_OK &&
	     id == ((uint64_t)NVME_VENDOR << 16 | NVME_DEVICE) && class_rev >> 8 == NVME_CLASS &&
	     iommu_identify(vf[0].assign, vf[0].sbdf, &s, &s) == WARD_OK &&
	     iommu_identify(vf[0].device, pf.sbdf, &s, &s) == IOMMU_ERR_NO_DEVICE &&
	     iommu_identify(pf.device, vf[0].sbdf, &s, &s) == IOMMU_ERR_NO_DEVICE &&
	     iommu_identify(t_ep, pf.sbdf, &s, &class_rev) == WARD_OK &&
	     class_rev >> 8 == NVME_CLASS;
	ptap_ok(ok,
	        "IDENTIFY of the VF through its device and assignment caps: %#llx, class %#llx; "
	        "of the PF through the VF's cap and of the VF through the PF's: NO_DEVICE",
	        (unsigned long long)id, (unsigned long long)(class_rev >> 8));

	ok = iommu_sriov_disable(pf.device, pf.sbdf) == IOMMU_ERR_VF_ASSIGNED &&
	     names(vf[0].sbdf) && pci_vf(t_pci, pf.sbdf, 1, &s) == WARD_OK &&
	     query(vf[1].sbdf, &w[1]) && w[1].owner == 0;
	ptap_ok(ok, "SRIOV_DISABLE: VF_ASSIGNED naming %#llx; both VFs still enabled",
	        (unsigned long long)ward_last_error().lo);

	ok = iommu_release(pf.assign, pf.sbdf, 0, &moved) == IOMMU_ERR_VF_ASSIGNED &&
	     names(vf[0].sbdf) && assign(&pf, dom_b) == IOMMU_ERR_VF_ASSIGNED && names(vf[0].sbdf);
	ok = ok && query(pf.sbdf, &wp) && wp.owner == iommu_badge_index(did_a) + 1 && dump_agrees();
	ptap_ok(ok, "RELEASE and ASSIGN of the PF elsewhere: VF_ASSIGNED naming the VF; the PF "
	            "stays with driver A; DUMP agrees");

	ok = iommu_release(vf[0].assign, vf[0].sbdf, 0, &moved) == WARD_OK && query(pf.sbdf, &wp) &&
	     wp.vfs_out == 0 && dump_agrees();
	ptap_ok(ok, "the VF released to quarantine; the PF counts none out; DUMP agrees");

	/* A PF whose VFs are all in quarantine moves (its reset skipped: VFs enabled). */
	ok = assign(&pf, dom_b) == WARD_OK && query(pf.sbdf, &wp) &&
	     wp.owner == iommu_badge_index(did_b) + 1 && pci_vf(t_pci, pf.sbdf, 1, &s) == WARD_OK &&
	     dump_agrees();
	ptap_ok(ok, "with both VFs in quarantine the PF moves to driver B's domain, VFs still "
	            "enabled; DUMP agrees");

	ok = iommu_sriov_disable(pf.device, pf.sbdf) == WARD_OK &&
	     pci_vf(t_pci, pf.sbdf, 0, &s) == WARD_ERR_RANGE &&
	     iommu_query(t_ep, vf[0].sbdf, &s, &s, &s, &s, &s, &s, &s, &s) == IOMMU_ERR_NO_DEVICE &&
	     iommu_query(t_ep, vf[1].sbdf, &s, &s, &s, &s, &s, &s, &s, &s) == IOMMU_ERR_NO_DEVICE;
	ptap_ok(ok, "SRIOV_DISABLE through B's device cap: the VFs are gone from the PCI server's "
	            "table and the ledger (QUERY: NO_DEVICE)");

	/* Enabled again: the VFs come back in quarantine, in the group slots they had. */
	ok = iommu_sriov_enable(pf.device, pf.sbdf, VFS, &first, &stride) == WARD_OK &&
	     query(first, &w[0]) && w[0].owner == 0 && w[0].pf == pf.sbdf && dump_agrees();
	ptap_ok(ok, "enabled again: VF %#llx in quarantine, linked to the PF; DUMP agrees",
	        (unsigned long long)first);

	/* The old assignment cap must not move the new VF (same SBDF, same group slot). */
	ok = (ward_debug_cap_type(vf[0].assign) == 0 ||
	      iommu_assign_into(vf[0].assign, WARD_PROC_CAP_CNODE, vf[0].device, first, 0, dom_b,
	                        &moved, &s) == IOMMU_ERR_STALE) &&
	     query(first, &w[0]) && w[0].owner == 0;
	ptap_ok(ok,
	        "the first VF's old assignment cap is dead (%s); the new VF stays in quarantine",
	        ward_debug_cap_type(vf[0].assign) == 0 ? "revoked" : "STALE");

	ok = iommu_sriov_disable(pf.device, pf.sbdf) == WARD_OK && dump_agrees();
	ptap_ok(ok, "disabled again; DUMP agrees");
	return ptap_exit_status();
}

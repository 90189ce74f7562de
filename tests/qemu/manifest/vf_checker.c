/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The checker of the manifest-vf scenario (vf.toml): "VF 2 of nvme0"
 * found and assigned at boot. The PF had no VF enabled; the root task
 * enabled them through the PF owner's device cap. The IOMMU server, asked
 * with the root task's authority (`iommu-admin`), must say the PF is
 * pf-owner's and VF 2 (the PCI server's VF 1, counting from 0) vf-owner's,
 * linked to its PF; each owner must have found its grants as written
 * (owner.c with `nodma`).
 */
#include <ward/invoke.h>
#include <ward/manifest.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../iommu/iommu_test.h"
#include "../tap.h"
#include "pci_service.h"
#include "probe.h"
#include "root.h"

#define NVME_CLASS 0x010802u

static uint64_t ask(const char *endpoint, uint64_t label, uint64_t *pid, uint64_t *bits)
{
	const struct ward_cap_grant *g = ward_grant(WARD_GRANT_ENDPOINT, endpoint);
	uint64_t mr[4] = {0};

	if (g == NULL)
		return ~0ULL;
	ward_call(g->slot, ward_msginfo(label, 0, 0, 0), mr);
	*pid = mr[0];
	*bits = mr[1];
	return 0;
}

static uint64_t owner_pid(uint64_t sbdf, uint64_t *pf)
{
	uint64_t owner, pid = 0, group, members, nalias, vfs, gen;

	if (iommu_query(t_ep, sbdf, &owner, &pid, &group, &members, &nalias, pf, &vfs, &gen) !=
	            WARD_OK ||
	    owner == 0)
		return 0;
	return pid;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t next, count = 0, s[PCI_LIST_BATCH] = {0}, vf = 0, pf_of_vf = 0, pf_of_pf = 0,
	               running;
	uint64_t pids[2] = {0, 0}, pid = 0, bits = 0, state = 0, errors = 1, programs = 0;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	tap_plan(8);
	tap_ok(root_manifest_status(WARD_PROC_CAP_SERVICE, &state, &errors, &programs) == WARD_OK &&
	               state == WARD_MANIFEST_STATE_APPLIED && errors == 0,
	       "the root task applied the manifest without errors");
	root_manifest_program(WARD_PROC_CAP_SERVICE, 0, &pids[0], &running);
	root_manifest_program(WARD_PROC_CAP_SERVICE, 1, &pids[1], &running);
	tap_ok(pci_list(t_pci, 0, PCI_LIST_KEY(NVME_CLASS, 0, 0), PCI_LIST_KEY_CLASS_MASK, 0, 0,
	                &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
	                &s[7]) == WARD_OK &&
	               count == 3 && pci_vf(t_pci, s[0], 1, &vf) == WARD_OK,
	       "the NVMe PF has two VFs enabled (the PF and both VFs on the class list), VF 2 "
	       "among them");
	tap_ok(pids[0] != 0 && owner_pid(s[0], &pf_of_pf) == pids[0],
	       "the IOMMU server: the PF is pf-owner's");
	tap_ok(pids[1] != 0 && owner_pid(vf, &pf_of_vf) == pids[1] && pf_of_vf == s[0],
	       "the IOMMU server: VF 2, linked to the PF, is vf-owner's");
	tap_ok(ask("pf-owner.probe", PROBE_ASK, &pid, &bits) == 0 && pid == pids[0] &&
	               bits == (PROBE_GRANTS | PROBE_OWNER | PROBE_UNTYPED),
	       "pf-owner found its grants as written, owns its device and has its untyped");
	tap_ok(ask("vf-owner.probe", PROBE_ASK, &pid, &bits) == 0 && pid == pids[1] &&
	               bits == (PROBE_GRANTS | PROBE_OWNER | PROBE_UNTYPED),
	       "vf-owner found its grants as written (the VF's SBDF), owns its device and has "
	       "its untyped");
	tap_ok(ward_grant(WARD_GRANT_ENDPOINT, "vf-owner.probe") != NULL && si->grant_count == 2,
	       "the checker's grants: the two endpoints, nothing else");
	ask("vf-owner.probe", PROBE_EXIT, &pid, &bits);
	ask("pf-owner.probe", PROBE_EXIT, &pid, &bits);
	tap_ok(pf_of_pf == PCI_LIST_END, "QUERY: the PF has no PF of its own");
	return tap_exit_status();
}

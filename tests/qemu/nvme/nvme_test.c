/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers of the NVMe QEMU tests (nvme_test.h), over the IOMMU tests'
 * (tests/qemu/iommu/iommu_test.h: t_ep, t_pci, t_slot).
 */
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../iommu/iommu_test.h"
#include "nvme_test.h"
#include "pci_service.h"

bool nt_find_pf(struct nt_fn *pf)
{
	uint64_t next, count, s[PCI_LIST_BATCH];

	if (pci_list(t_pci, 0, PCI_LIST_KEY(0, NVME_DEVICE, NVME_VENDOR), PCI_LIST_KEY_ID_MASK, 0,
	             0, &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
	             &s[7]) != WARD_OK ||
	    count == 0)
		return false;
	*pf = (struct nt_fn){.sbdf = s[0], .assign = t_slot(), .device = t_slot()};
	return true;
}

enum ward_error nt_assign(struct nt_fn *f, uint64_t dom)
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

uint64_t nt_domain(void)
{
	uint64_t dom = t_slot(), id, width;

	if (iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &id, &width) != WARD_OK)
		return 0;
	return dom;
}

bool nt_driver_up(struct nvme_ward *w, const struct nt_fn *f, uint64_t dom, uint64_t va,
                  uint32_t data_pages, uint32_t nsid)
{
	enum nvme_err err;

	*w = (struct nvme_ward){.sbdf = (uint32_t)f->sbdf,
	                        .device = f->device,
	                        .domain = dom,
	                        .va = va,
	                        .data_pages = data_pages,
	                        .use_irq = true};
	if (nvme_ward_attach(w) != WARD_OK) {
		ward_printf("nvme %#llx: %s failed, error %#x\n", (unsigned long long)f->sbdf,
		            w->failed_step, w->failed_step_error);
		return false;
	}
	if ((err = nvme_start(&w->ctrl)) != NVME_OK ||
	    (err = nvme_namespace(&w->ctrl, nsid)) != NVME_OK) {
		ward_printf("nvme %#llx: %s (status %#x: %s, CSTS %#x)\n",
		            (unsigned long long)f->sbdf, nvme_err_name(err), w->ctrl.last_status,
		            nvme_status_name(w->ctrl.last_status), w->ctrl.last_csts);
		return false;
	}
	return true;
}

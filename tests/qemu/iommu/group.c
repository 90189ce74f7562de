/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Groups (the `pci` preset): two conventional edu devices behind a
 * PCIe-to-PCI bridge share the bridge's requester ID, so the IOMMU cannot
 * tell their DMA apart and the PCI server puts them in one group. Moving
 * one alone is refused, naming the other; with IOMMU_ASSIGN_GROUP the
 * whole group (the bridge too) moves in one request, both devices' DMA
 * (which reaches the IOMMU with the bridge's requester ID) then lands in
 * the domain's buffer, and RELEASE takes it back whole.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../proc/ptap.h"
#include "iommu_test.h"
#include "pci_service.h"

#define VA_BUF  0x600000000000ULL
#define MAX_EDU 8

/* Two edu devices in one group: their indexes among the edus; false if none. */
static bool find_pair(struct edu *edu, unsigned n, unsigned *a, unsigned *b, uint64_t *group)
{
	uint64_t g[MAX_EDU], v, d, cr, h, t, f, c, na, bu;

	for (unsigned i = 0; i < n; i++)
		if (pci_describe(t_pci, edu[i].sbdf, &v, &d, &cr, &h, &t, &f, &c, &g[i], &na,
		                 &bu) != WARD_OK)
			return false;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (g[i] == g[j]) {
				*a = i;
				*b = j;
				*group = g[i];
				return true;
			}
	return false;
}

/*
 * Each device copies its own pattern from the buffer's first half into
 * its memory and back into the second half: both directions of DMA with
 * the bridge's requester ID, through the context entries of the move.
 */
static bool dma_through_group(struct edu *x, struct edu *y, volatile uint8_t *buf, uint64_t iova)
{
	struct edu *dev[2] = {x, y};
	uint64_t w;

	/* x was mapped and enabled by t_attach(); y's BAR frame came with the group. */
	if (!t_map(y->frame, (uint64_t)y->bar) ||
	    iommu_device_bus_master(y->device, y->sbdf, 1, &w) != WARD_OK)
		return false;
	for (unsigned k = 0; k < 2; k++) {
		uint8_t pattern = (uint8_t)(0x5a + k);

		memset((void *)buf, pattern, EDU_XFER);
		memset((void *)(buf + EDU_XFER), 0, EDU_XFER);
		if (!t_edu_dma(dev[k], iova, EDU_BUFFER, EDU_XFER, false) ||
		    !t_edu_dma(dev[k], EDU_BUFFER, iova + EDU_XFER, EDU_XFER, true) ||
		    !t_bytes_are((const void *)(buf + EDU_XFER), pattern, EDU_XFER))
			return false;
	}
	return true;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t dom = t_slot(), did, w, buf, iova, group = 0, moved = 0, gen, owner = 0;
	struct ward_error_detail other;
	struct edu edu[MAX_EDU];
	unsigned n = 0, a = 0, b = 0;
	bool ok;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	ptap_plan(8);
	while (n < MAX_EDU && t_edu(n, &edu[n]))
		n++;
	ok = find_pair(edu, n, &a, &b, &group);
	ptap_ok(ok,
	        "of %u edu devices, %#x and %#x share group %#llx (behind a PCIe-to-PCI bridge)", n,
	        edu[a].sbdf, edu[b].sbdf, (unsigned long long)group);
	ok = iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &did, &w) == WARD_OK &&
	     t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_BUF, &buf, &iova, NULL) ==
	             WARD_OK;
	ptap_ok(ok, "a domain with a buffer at IOVA %#llx", (unsigned long long)iova);
	/* Alone: refused, and the reply names the other member (MR1..). */
	ok = t_attach(dom, &edu[a], 0) == IOMMU_ERR_GROUP;
	other = ward_last_error();
	ptap_ok(ok, "ASSIGN of one member alone: GROUP");
	/* The group: the bridge and the two devices behind it. */
	ptap_ok(ok && other.arg == 2 && (other.lo == edu[b].sbdf || other.hi == edu[b].sbdf),
	        "the refusal names the other member (%llu others: %#llx)",
	        (unsigned long long)other.arg, (unsigned long long)other.lo);
	ok = t_attach(dom, &edu[a], IOMMU_ASSIGN_GROUP) == WARD_OK;
	edu[b].assign = edu[a].assign;
	edu[b].device = edu[a].device;
	ok = ok &&
	     iommu_query(t_ep, edu[b].sbdf, &owner, &w, &w, &moved, &w, &w, &w, &gen) == WARD_OK &&
	     owner != 0 && moved == 3 &&
	     iommu_device_bus_master(edu[a].device, (uint32_t)group, 1, &w) == WARD_OK &&
	     iommu_device_bar_into(edu[b].device, WARD_PROC_CAP_CNODE, edu[b].frame, edu[b].sbdf, 0,
	                           0, &w, &w) == WARD_OK;
	ptap_ok(ok,
	        "ASSIGN with IOMMU_ASSIGN_GROUP: the group (%llu functions) moved in one "
	        "request; the bridge forwards DMA again",
	        (unsigned long long)moved);
	if (strstr(si->args, "bridge-devid=0") == NULL)
		ptap_ok(dma_through_group(&edu[a], &edu[b], (volatile uint8_t *)VA_BUF, iova),
		        "both devices behind the bridge DMA through the group's domain: each one's "
		        "bytes went to the device and back into the buffer at IOVA %#llx",
		        (unsigned long long)iova);
	else /* the model's device ID 0 is the host bridge's: blocked, and nothing lands */
		ptap_ok(!dma_through_group(&edu[a], &edu[b], (volatile uint8_t *)VA_BUF, iova) &&
		                t_bytes_are((const void *)(VA_BUF + EDU_XFER), 0, EDU_XFER),
		        "DMA from behind the bridge, which this IOMMU model gives device ID 0 (the "
		        "host bridge's, blocked), wrote nothing into the group's domain");
	ok = iommu_query(t_ep, edu[a].sbdf, &w, &w, &w, &w, &w, &w, &w, &gen) == WARD_OK &&
	     iommu_query(t_ep, (uint32_t)group, &owner, &w, &w, &w, &w, &w, &w, &gen) == WARD_OK &&
	     owner != 0 && t_dump(&w, &w, &w) == WARD_OK;
	ptap_ok(ok, "the bridge is in the domain with both devices; DUMP agrees (generation %llu)",
	        (unsigned long long)gen);
	ok = iommu_release(edu[a].assign, edu[a].sbdf, 0, &moved) == IOMMU_ERR_GROUP &&
	     iommu_release(edu[a].assign, edu[b].sbdf, IOMMU_ASSIGN_GROUP, &moved) == WARD_OK &&
	     moved == 3 && t_dump(&w, &w, &w) == WARD_OK;
	ptap_ok(ok, "RELEASE: alone refused, the group released whole; DUMP agrees");
	return ptap_exit_status();
}

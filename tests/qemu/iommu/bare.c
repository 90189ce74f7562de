/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IOMMU server's bare mode (docs/iommu.md §17): QEMU q35 without an
 * IOMMU (the `bare` preset) and an edu device. The server starts without
 * a remapping unit and lends memory with IOVA = physical address; DMA is
 * unprotected. Checked on what the device did and what the server
 * answers:
 *   - DUMP reports no unit, and records and tables agree;
 *   - a lent buffer's IOVA is its frame's physical address (Frame_GetAddress
 *     of the copy the server handed out), for ALLOC_BUFFER and MAP_BUFFER;
 *     a different IOVA is refused with BARE_IOVA and lends nothing;
 *   - edu DMA to and from those IOVAs moves the bytes, byte for byte;
 *   - ASSIGN and RELEASE move the device; after RELEASE bus mastering is
 *     off, and a DMA the device is asked for (BAR mapped again through
 *     the privileged PCI cap) does not reach the buffer.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../proc/ptap.h"
#include "iommu_test.h"
#include "pci_service.h"

#define VA_A     0x600000000000ULL
#define VA_B     0x600000200000ULL
#define OTHER_VA 0x600000400000ULL

static struct edu edu0;
static uint64_t dom, dom2;

static void fill_pattern(uint8_t *b, unsigned seed)
{
	for (unsigned i = 0; i < 4096; i++)
		b[i] = (uint8_t)(i < EDU_XFER ? i * 7 + seed : 0);
}

static bool is_pattern(const uint8_t *b, unsigned seed)
{
	for (unsigned i = 0; i < 4096; i++)
		if (b[i] != (uint8_t)(i < EDU_XFER ? i * 7 + seed : 0))
			return false;
	return true;
}

static uint64_t phys_of(uint64_t frame_slot)
{
	uint64_t phys = 0;

	return ward_frame_get_address(frame_slot, &phys) == WARD_OK ? phys : 0;
}

static bool master_on(void)
{
	uint64_t vendor, device, class_rev, header, pcie, flags, command = 0, group, nalias, buses;

	return pci_describe(t_pci, edu0.sbdf, &vendor, &device, &class_rev, &header, &pcie, &flags,
	                    &command, &group, &nalias, &buses) == WARD_OK &&
	       (command & PCI_COMMAND_MASTER);
}

static uint64_t buffers_lent(void)
{
	uint64_t domains, buffers = 0, bytes, faults, invs, waits;

	iommu_stats(dom, &domains, &buffers, &bytes, &faults, &invs, &waits);
	return buffers;
}

static void no_unit(void)
{
	uint64_t units = 1, domains, contexts, ptes;
	bool ok = iommu_dump(t_ep, IOMMU_DUMP_QUIET, &units, &domains, &contexts, &ptes) == WARD_OK;

	ptap_ok(ok && units == 0, "DUMP: %llu remapping units, records and tables agree",
	        (unsigned long long)units);
}

static uint64_t buf_a, buf_b, iova_a, iova_b, frame_a, frame_b;

static void lend(void)
{
	uint64_t buf, iova, width, did, before;
	enum ward_error err;

	ptap_ok(iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &did, &width) ==
	                        WARD_OK &&
	                iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom2, 0, &did,
	                                         &width) == WARD_OK,
	        "CREATE_DOMAIN twice: domains exist as bookkeeping");
	ptap_ok(t_attach(dom, &edu0, 0) == WARD_OK, "ASSIGN edu into the first domain");
	ptap_ok(t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_A, &buf_a, &iova_a,
	                 &frame_a) == WARD_OK &&
	                t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_B, &buf_b, &iova_b,
	                         &frame_b) == WARD_OK,
	        "ALLOC_BUFFER twice");
	ptap_ok(iova_a != 0 && iova_a == phys_of(frame_a) && iova_b == phys_of(frame_b),
	        "each IOVA is its frame's physical address (%#llx, %#llx)",
	        (unsigned long long)iova_a, (unsigned long long)iova_b);
	before = buffers_lent();
	/* The second buffer's address: never the new buffer's. */
	err = iommu_alloc_buffer(dom, 4096, 0, iova_b, IOMMU_RIGHTS_ALL, &buf, &iova, &width, &did);
	ptap_ok(err == IOMMU_ERR_BARE_IOVA && buffers_lent() == before,
	        "ALLOC_BUFFER at another buffer's address: BARE_IOVA (%#x), nothing lent", err);
	err = iommu_map_buffer(dom2, buf_a, iova_a + 0x200000, IOMMU_RIGHTS_ALL, &iova);
	ptap_ok(err == IOMMU_ERR_BARE_IOVA, "MAP_BUFFER at another IOVA: BARE_IOVA (%#x)", err);
	ptap_ok(iommu_map_buffer(dom2, buf_a, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, &iova) == WARD_OK &&
	                iova == iova_a && iommu_unmap_buffer(dom2, buf_a) == WARD_OK,
	        "MAP_BUFFER into the second domain: IOVA = physical address; UNMAP_BUFFER");
}

static void dma(void)
{
	uint8_t *a = (uint8_t *)VA_A, *b = (uint8_t *)VA_B;

	fill_pattern(a, 3);
	memset(b, 0, 4096);
	ptap_ok(t_edu_dma(&edu0, iova_a, EDU_BUFFER, EDU_XFER, false) &&
	                t_edu_dma(&edu0, EDU_BUFFER, iova_b, EDU_XFER, true) && is_pattern(b, 3),
	        "edu read %u bytes at the first IOVA and wrote them at the second: they landed in "
	        "the lent buffer, byte for byte",
	        EDU_XFER);
}

static void release(void)
{
	uint8_t *b = (uint8_t *)VA_B;
	uint64_t phys, size;

	ptap_ok(t_detach(&edu0, 0) == WARD_OK, "RELEASE edu to quarantine");
	ptap_ok(!master_on(), "bus mastering is off after RELEASE (the only quarantine here)");
	/* The device itself asked for a DMA into the buffer: nothing may land. */
	ward_cnode_delete(WARD_PROC_CAP_CNODE, edu0.frame, 64);
	memset(b, 0, 4096);
	ptap_ok(pci_map_bar_into(t_pci, WARD_PROC_CAP_CNODE, edu0.frame, edu0.sbdf, 0, 0, &phys,
	                         &size) == WARD_OK &&
	                t_map(edu0.frame, (uint64_t)edu0.bar) &&
	                t_edu_dma(&edu0, EDU_BUFFER, iova_b, EDU_XFER, true) &&
	                t_bytes_are(b, 0, 4096),
	        "a DMA edu runs after RELEASE does not reach the buffer");
	ptap_ok(t_attach(dom, &edu0, 0) == WARD_OK && master_on() &&
	                t_edu_dma(&edu0, EDU_BUFFER, iova_b, EDU_XFER, true) && is_pattern(b, 3),
	        "ASSIGN again: bus mastering on, DMA lands again");
	ptap_ok(t_detach(&edu0, 0) == WARD_OK && iommu_free_buffer(dom, buf_a) == WARD_OK &&
	                iommu_free_buffer(dom, buf_b) == WARD_OK,
	        "RELEASE, FREE_BUFFER twice");
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;

	ptap_plan(16);
	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	dom = t_slot();
	dom2 = t_slot();
	ptap_ok(t_edu_find(0, &edu0), "edu 0 found");
	no_unit();
	lend();
	dma();
	release();
	no_unit();
	return ptap_exit_status();
}

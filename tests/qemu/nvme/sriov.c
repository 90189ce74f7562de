/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SR-IOV with the NVMe driver (the `pci` preset's nvme PF; namespace 1 on
 * the first stamped image, namespace 2, created detached, on the second).
 * The test plays three drivers in three domains: the PF's (A), the VF's
 * (B) and the VF's next owner (C).
 *
 *  - A enables a VF through the IOMMU server (SRIOV_ENABLE on its device
 *    cap), finds the VF's secondary controller (Identify, Secondary
 *    Controller List), gives it two queues and an interrupt and brings it
 *    online (Virtualization Management), and attaches namespace 2 to it;
 *  - B takes the VF (ASSIGN into its domain), brings its controller up
 *    through the VF's device cap (BAR, MSI-X through remapping, lent
 *    memory) and works on namespace 2 while A works on namespace 1: each
 *    writes, reads back and reads runner stamps byte-exact;
 *  - B puts four writes of a pattern of its own in flight and, without
 *    waiting for them, the VF is moved to C's domain. C's driver comes up
 *    on the VF, writes its stamps over those blocks, flushes and reads
 *    them back; later they still hold C's data. The host check after QEMU
 *    exits finds C's stamps there, byte for byte: no write of B landed
 *    after the move. B's device cap died with the move.
 */
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../iommu/iommu_test.h"
#include "../lib/wtest.h"
#include "../tap.h"
#include "nvme_test.h"
#include "pci_service.h"
#include "stamp.h"

#define VA_A        0x0000610000000000ULL
#define VA_B        0x0000620000000000ULL
#define VA_C        0x0000630000000000ULL
#define DATA_PAGES  8
/* Blocks written (the scenario's disk check lists the same). */
#define PF_LBA      300
#define PF_COUNT    16
#define VF_LBA      500
#define VF_COUNT    16
#define MOVE_LBA    1000
#define MOVE_WRITES 4 /* of 8 blocks (one page) each */

static struct nvme_ward a, b, c;

static bool rw_check(struct nvme_ward *w, uint64_t lba, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++)
		stamp_make(w->data.va + i * STAMP_BLOCK, lba + i, true);
	if (nvme_rw(&w->ctrl, true, lba, (uint32_t)count, w->data.iova) != NVME_OK ||
	    nvme_flush(&w->ctrl) != NVME_OK)
		return false;
	for (uint64_t i = 0; i < count * STAMP_BLOCK; i++)
		w->data.va[i] = 0;
	return nvme_rw(&w->ctrl, false, lba, (uint32_t)count, w->data.iova) == NVME_OK &&
	       stamps_are(w->data.va, lba, count, true) &&
	       nvme_rw(&w->ctrl, false, lba + count, 8, w->data.iova) == NVME_OK &&
	       stamps_are(w->data.va, lba + count, 8, false);
}

/* B's writes in flight: each page of B's data a pattern of B's own. */
static bool writes_in_flight(struct nvme_ward *w)
{
	for (unsigned i = 0; i < MOVE_WRITES * NVME_PAGE; i++)
		w->data.va[i] = 0xbb;
	for (unsigned k = 0; k < MOVE_WRITES; k++)
		if (nvme_rw_submit(&w->ctrl, true, MOVE_LBA + 8 * k, 8,
		                   w->data.iova + k * NVME_PAGE) != NVME_OK)
			return false;
	return true;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t dom_a, dom_b, dom_c, first = 0, stride = 0, old_device;
	struct nt_fn pf, vf;
	uint16_t scid = 0;
	unsigned landed = 0;
	bool ok, online = false;
	enum nvme_err err = NVME_OK;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	wt_init();
	tap_plan(8);
	ok = nt_find_pf(&pf) && (dom_a = nt_domain()) != 0 && (dom_b = nt_domain()) != 0 &&
	     (dom_c = nt_domain()) != 0 && nt_assign(&pf, dom_a) == WARD_OK &&
	     nt_driver_up(&a, &pf, dom_a, VA_A, DATA_PAGES, 1);
	ok = ok && iommu_sriov_enable(pf.device, pf.sbdf, 1, &first, &stride) == WARD_OK;
	tap_ok(ok,
	       "A: PF %#llx up (namespace 1, %llu blocks); SRIOV_ENABLE through its device "
	       "cap: VF %#llx",
	       (unsigned long long)pf.sbdf, (unsigned long long)a.ctrl.blocks,
	       (unsigned long long)first);
	if (!ok)
		return tap_exit_status();

	ok = (err = nvme_secondary_of_vf(&a.ctrl, 1, &scid, &online)) == NVME_OK && !online &&
	     (err = nvme_secondary_online(&a.ctrl, scid, 2, 1)) == NVME_OK &&
	     (err = nvme_secondary_of_vf(&a.ctrl, 1, &scid, &online)) == NVME_OK && online &&
	     (err = nvme_ns_attach(&a.ctrl, 2, scid, true)) == NVME_OK;
	tap_ok(ok,
	       "A: VF 1's secondary controller %u was offline; 2 queues and 1 interrupt "
	       "assigned, online; namespace 2 attached to it (%s, status %#x)",
	       scid, nvme_err_name(err), a.ctrl.last_status);

	vf = (struct nt_fn){.sbdf = first, .assign = t_slot(), .device = t_slot()};
	ok = ok && nt_assign(&vf, dom_b) == WARD_OK &&
	     nt_driver_up(&b, &vf, dom_b, VA_B, DATA_PAGES, 2);
	tap_ok(ok && b.ctrl.cntlid == scid && b.interrupts > 0,
	       "B: the VF in B's domain; its controller %u up through the VF's device cap, "
	       "namespace 2 (%llu blocks), %llu interrupts",
	       b.ctrl.cntlid, (unsigned long long)b.ctrl.blocks, (unsigned long long)b.interrupts);
	if (!ok)
		return tap_exit_status();

	ok = rw_check(&a, PF_LBA, PF_COUNT) && rw_check(&b, VF_LBA, VF_COUNT) &&
	     rw_check(&a, PF_LBA + PF_COUNT + 8, 8) && rw_check(&b, VF_LBA + VF_COUNT + 8, 8);
	tap_ok(ok, "A on namespace 1 and B on namespace 2, interleaved: each wrote, flushed, read "
	           "back its blocks and the runner's next to them");

	old_device = wt_copy(vf.device, WARD_RIGHT_READ | WARD_RIGHT_WRITE); /* B's, kept */
	ok = old_device != 0 && writes_in_flight(&b) && nt_assign(&vf, dom_c) == WARD_OK;
	tap_ok(ok && ward_debug_cap_type(old_device) == 0,
	       "B put %u writes in flight; the VF moved to C's domain without waiting for them; "
	       "B's device cap is gone",
	       MOVE_WRITES);

	ok = ok && nt_driver_up(&c, &vf, dom_c, VA_C, DATA_PAGES, 2) &&
	     nvme_rw(&c.ctrl, false, MOVE_LBA, MOVE_WRITES * 8, c.data.iova) == NVME_OK;
	for (unsigned k = 0; ok && k < MOVE_WRITES; k++)
		landed += c.data.va[k * NVME_PAGE] == 0xbb;
	for (unsigned i = 0; ok && i < MOVE_WRITES * 8; i++)
		stamp_make(c.data.va + i * STAMP_BLOCK, MOVE_LBA + i, true);
	ok = ok && nvme_rw(&c.ctrl, true, MOVE_LBA, MOVE_WRITES * 8, c.data.iova) == NVME_OK &&
	     nvme_flush(&c.ctrl) == NVME_OK;
	tap_ok(ok,
	       "C: the VF's controller up again in C's domain (of B's writes, %u had landed "
	       "before the move); C wrote its stamps over the blocks B aimed at",
	       landed);

	t_sleep_ms(500); /* a late write of B's would land meanwhile */
	for (unsigned i = 0; ok && i < MOVE_WRITES * NVME_PAGE; i++)
		c.data.va[i] = 0;
	ok = ok && nvme_rw(&c.ctrl, false, MOVE_LBA, MOVE_WRITES * 8, c.data.iova) == NVME_OK &&
	     stamps_are(c.data.va, MOVE_LBA, MOVE_WRITES * 8, true);
	tap_ok(ok, "C: half a second later the blocks still hold C's stamps, none of B's pattern");

	ok = rw_check(&a, PF_LBA + PF_COUNT + 24, 8) && nvme_disable(&c.ctrl) == NVME_OK &&
	     nvme_disable(&a.ctrl) == NVME_OK;
	tap_ok(ok, "A's I/O still works after the VF's move; both controllers disabled");
	return tap_exit_status();
}

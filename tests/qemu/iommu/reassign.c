/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reassignment between two drivers, two processes on two CPUs (module
 * arguments `role=a cpu=1`, `role=b cpu=2`). Driver A takes edu 0 into
 * its domain, reaches its BAR through its device cap and lends two
 * buffers at IOVAs 0x10000 and 0x11000, filled with 0xa1. Then it takes
 * edu 1 too: that is its "ready" flag, which B sees through QUERY (the
 * processes share nothing else). B then pulls edu 0 into its own domain
 * with one ASSIGN through the group's assignment cap: the ledger, the
 * context entries, A's caps and the PCI server's state change together.
 *
 * A checks what it lost: its device cap answers STALE, its BAR frame cap
 * is gone (the PCI server's revoke), and, once B has exited, its buffers
 * still hold 0xa1: B's DMA to the very same IOVAs landed in B's buffer
 * (B's mapping works) or nowhere (unmapped in B's domain: a fault B's
 * domain receives). A prints the plan for both.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../proc/ptap.h"
#include "iommu_test.h"
#include "root.h"

#define IOVA_X  0x10000ULL
#define IOVA_Y  0x11000ULL
#define VA_X    0x600000000000ULL
#define VA_Y    0x600000200000ULL
#define VA_B    0x600000400000ULL
#define POLLS   400 /* QUERY polls, 25 ms apart: a limit for hangs only */
#define A_TESTS 9
#define B_TESTS 6

static uint64_t query_owner_pid(uint32_t sbdf, uint64_t *generation)
{
	uint64_t owner, pid = 0, group, members, nalias, pf, vfs;

	if (iommu_query(t_ep, sbdf, &owner, &pid, &group, &members, &nalias, &pf, &vfs,
	                generation) != WARD_OK)
		return 0;
	return pid;
}

static int driver_a(void)
{
	uint64_t dom = t_slot(), did, w, bx, by, ix, iy, deaths = t_notification(), gen;
	uint64_t pid = 0, reason = 0, code = 1, lost, owner, opid, group, members, nalias, pf, vfs,
	         p, s;
	struct edu e0, e1;
	bool ok;

	ptap_plan(A_TESTS + B_TESTS);
	ok = root_subscribe_deaths(WARD_PROC_CAP_SERVICE, deaths) == WARD_OK && t_edu(0, &e0) &&
	     t_edu(1, &e1) &&
	     iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &did, &w) == WARD_OK &&
	     t_attach(dom, &e0, 0) == WARD_OK;
	ptap_ok(ok && (*(volatile uint32_t *)(e0.bar + EDU_ID) & 0xff) == 0xed,
	        "A: edu 0 assigned to A's domain; its BAR through A's device cap answers");
	ok = t_buffer(dom, 4096, IOVA_X, IOMMU_RIGHTS_ALL, VA_X, &bx, &ix, NULL) == WARD_OK &&
	     t_buffer(dom, 4096, IOVA_Y, IOMMU_RIGHTS_ALL, VA_Y, &by, &iy, NULL) == WARD_OK;
	memset((void *)VA_X, 0xa1, 4096);
	memset((void *)VA_Y, 0xa1, 4096);
	ok = ok && t_edu_dma(&e0, IOVA_X, EDU_BUFFER, EDU_XFER, false) &&
	     t_edu_dma(&e0, EDU_BUFFER, IOVA_Y, EDU_XFER, true) &&
	     t_bytes_are((void *)VA_Y, 0xa1, 4096);
	ptap_ok(ok, "A: buffers at IOVA %#llx and %#llx; edu DMA through A's domain works",
	        (unsigned long long)ix, (unsigned long long)iy);
	ptap_ok(t_attach(dom, &e1, 0) == WARD_OK, "A: edu 1 assigned too (A is ready)");
	for (unsigned i = 0; i < POLLS && ward_debug_cap_type(e0.device) != 0; i++)
		t_sleep_ms(25);
	ptap_ok(ward_debug_cap_type(e0.device) == 0 &&
	                iommu_query(e0.device, e0.sbdf, &owner, &opid, &group, &members, &nalias,
	                            &pf, &vfs, &gen) != WARD_OK,
	        "A: after B's ASSIGN, A's device cap for edu 0 is gone (revoked): QUERY fails");
	ptap_ok(ward_debug_cap_type(e0.frame) == 0,
	        "A: A's BAR frame cap of edu 0 is gone (revoked by the PCI server)");
	ptap_ok(iommu_device_bar(e0.device, e0.sbdf, 0, 0, &p, &s) != WARD_OK &&
	                iommu_device_bus_master(e0.device, e0.sbdf, 1, &p) != WARD_OK,
	        "A: DEVICE_BAR and DEVICE_BUS_MASTER through it fail");
	for (unsigned i = 0; i < POLLS && pid == 0; i++) {
		t_wait_signal(deaths, 25);
		root_next_death(WARD_PROC_CAP_SERVICE, &pid, &reason, &code, &lost);
	}
	ptap_ok(pid != 0 && code == 0, "A: B (pid %llu) finished", (unsigned long long)pid);
	ptap_ok(t_bytes_are((void *)VA_X, 0xa1, 4096) && t_bytes_are((void *)VA_Y, 0xa1, 4096),
	        "A: A's buffers were never written after the move (all 0xa1)");
	ptap_ok(t_dump(&p, &s, &w) == WARD_OK, "A: DUMP: ledger, context entries and caps agree");
	return ptap_exit_status();
}

static int driver_b(void)
{
	uint64_t dom = t_slot(), did, w, bx, ix, gen, owner_a = 0, me = ward_startinfo->pid;
	uint64_t before, after;
	struct edu e0, e1;
	bool ok;

	/* B touches no BAR before it owns the device: A's moves revoke BAR frames. */
	ok = t_edu_find(0, &e0) && t_edu_find(1, &e1) &&
	     iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &did, &w) == WARD_OK &&
	     t_buffer(dom, 4096, IOVA_X, IOMMU_RIGHTS_ALL, VA_B, &bx, &ix, NULL) == WARD_OK;
	if (ok)
		memset((void *)VA_B, 0xb2, 4096);
	ptap_ok(ok, "B: a domain with a buffer at the same IOVA %#llx as A's",
	        (unsigned long long)ix);
	for (unsigned i = 0; i < POLLS && owner_a == 0; i++) {
		owner_a = query_owner_pid(e1.sbdf, &gen);
		t_sleep_ms(owner_a == 0 ? 25 : 0);
	}
	ptap_ok(owner_a != 0 && owner_a != me && query_owner_pid(e0.sbdf, &gen) == owner_a,
	        "B: A (pid %llu) owns edu 0 and is ready", (unsigned long long)owner_a);
	ptap_ok(t_attach(dom, &e0, 0) == WARD_OK && query_owner_pid(e0.sbdf, &gen) == me,
	        "B: one ASSIGN took edu 0 from A's domain into B's (generation %llu)",
	        (unsigned long long)gen);
	ok = t_edu_dma(&e0, EDU_BUFFER, IOVA_X, EDU_XFER, true) &&
	     !t_bytes_are((void *)VA_B, 0xb2, EDU_XFER);
	ptap_ok(ok, "B: edu's DMA to IOVA %#llx lands in B's buffer", (unsigned long long)IOVA_X);
	before = t_faults_taken(dom);
	ok = t_edu_dma(&e0, EDU_BUFFER, IOVA_Y, EDU_XFER, true) &&
	     t_wait_faults(dom, before + 1, 5000);
	after = t_faults_taken(dom);
	if (!t_skip_unlogged("B: edu's DMA to A's other IOVA is blocked (its fault recorded)"))
		ptap_ok(ok, "B: edu's DMA to A's other IOVA %#llx is blocked (faults %llu -> %llu)",
		        (unsigned long long)IOVA_Y, (unsigned long long)before,
		        (unsigned long long)after);
	ptap_ok(t_detach(&e0, 0) == WARD_OK, "B: edu 0 released to quarantine");
	return ptap_exit_status();
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	if (strstr(si->args, "role=a") != NULL)
		return driver_a();
	return driver_b();
}

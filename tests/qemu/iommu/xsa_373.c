/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * XSA-373: an invalidation that times out during a reassignment. edu is
 * in domain A; A and B map a buffer each at IOVA X. With the server option
 * `inject`, DUMP arms a time-out of the next wait, and ASSIGN moves edu
 * from A to B: the wait of the move's invalidate step fails. The move must
 * answer HARDWARE, name the step and the rollback in its error detail
 * (the journal's entry: invalidate failed, quarantined), leave the group
 * in quarantine (QUERY owner 0, DUMP agrees with the context entries), so
 * that edu's DMA to X reaches neither A's buffer nor B's and is recorded
 * as a fault; a later ASSIGN to B works and the DMA lands in B.
 *
 * The injection arms one time-out per unit (vtd_qi_inject is one-shot), so
 * a move whose quarantine wait fails as well (the group marked broken)
 * cannot be reached from here; the core's host test
 * (test_broken_when_every_wait_fails) covers it.
 */
#include <ward/invoke.h>

#include "../proc/ptap.h"
#include "xsa.h"

#define IOVA_X               0x10000ULL
#define VA_A                 0x600000000000ULL
#define VA_B                 0x600000200000ULL
/* A failed move's error detail: MR0 the step, MR1 the rollback (core/ledger.h's numbers). */
#define STEP_INVALIDATE      5
#define ROLLBACK_QUARANTINED 2

int main(void)
{
	struct xsa_domain a, b;
	struct xsa_buffer ba, bb;
	struct ward_error_detail why;
	struct edu edu;
	uint64_t u, d, c, p, moved, gen, before, dev = t_slot();
	enum ward_error err;
	bool ok;

	xsa_init();
	ptap_plan(7);
	ok = t_edu(0, &edu) && xsa_domain(&a, 0) && xsa_domain(&b, 0) &&
	     xsa_buffer(&a, IOVA_X, VA_A, 0xaa, &ba) && xsa_buffer(&b, IOVA_X, VA_B, 0xbb, &bb) &&
	     t_attach(a.cap, &edu, 0) == WARD_OK;
	ptap_ok(ok, "edu in domain A; A and B map a buffer each at IOVA %#llx",
	        (unsigned long long)IOVA_X);
	ok = iommu_dump(t_ep, IOMMU_DUMP_QUIET | IOMMU_DUMP_INJECT_TIMEOUT, &u, &d, &c, &p) ==
	     WARD_OK;
	err = iommu_assign_into(edu.assign, WARD_PROC_CAP_CNODE, dev, edu.sbdf, 0, b.cap, &moved,
	                        &gen);
	why = ward_last_error();
	ptap_ok(ok && err == IOMMU_ERR_HARDWARE && why.arg == STEP_INVALIDATE &&
	                why.lo == ROLLBACK_QUARANTINED,
	        "ASSIGN A -> B with the wait timing out: HARDWARE (error %#x), step %llu, rollback "
	        "%llu (invalidate failed, quarantined)",
	        err, (unsigned long long)why.arg, (unsigned long long)why.lo);
	ptap_ok(xsa_owner(&edu) == 0 && ward_debug_cap_type(dev) == 0,
	        "QUERY: edu is in quarantine; no device cap was handed out");
	ptap_ok(xsa_dump_ok(), "DUMP: the ledger and the context entries agree (quarantine)");
	before = xsa_faults(&a);
	ok = t_edu_privileged(&edu) && t_edu_dma(&edu, EDU_BUFFER, IOVA_X, EDU_XFER, true) &&
	     t_wait_faults(a.cap, before + 1, 5000) &&
	     t_bytes_are((const void *)ba.va, 0xaa, 4096) &&
	     t_bytes_are((const void *)bb.va, 0xbb, 4096);
	ptap_ok(ok,
	        "edu's DMA to IOVA %#llx is blocked and recorded; A's and B's buffers unchanged",
	        (unsigned long long)IOVA_X);
	ok = t_attach(b.cap, &edu, 0) == WARD_OK &&
	     t_edu_dma(&edu, EDU_BUFFER, IOVA_X, EDU_XFER, true) &&
	     !t_bytes_are((const void *)bb.va, 0xbb, EDU_XFER) &&
	     t_bytes_are((const void *)ba.va, 0xaa, 4096);
	ptap_ok(ok, "a later ASSIGN to B works: the DMA lands in B's buffer, A's stays unchanged");
	ptap_ok(xsa_dump_ok(), "DUMP agrees at the end");
	return ptap_exit_status();
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * XSA-386: a context entry left pointing at page tables that were freed,
 * the original case being a device an RMRR names. The scenario gives edu
 * 1 an RMRR (a second DMAR, dmar_rmrr.dsl) or, on AMD-Vi, an IVMD (a
 * second IVRS, ivrs_ivmd.dsl); edu 0 has none. Both go into
 * domain A, which maps a buffer at IOVA X; both are released, the buffer
 * freed and A destroyed: A's table pages return to the free list (DUMP
 * with IOMMU_DUMP_PAGES counts them) and domain C, made next, is built
 * from them, with its own buffer at the same IOVA X. If either device's
 * context entry still pointed at A's old root, its DMA to X would now be
 * translated by C's tables into C's buffer. It must instead be blocked
 * (recorded as faults where the unit logs them), C's buffer untouched;
 * QUERY says quarantine and
 * DUMP finds every context entry at quarantine's tables (edu 1 at the
 * RMRR quarantine's, which maps nothing but the RMRR).
 */
#include "../proc/ptap.h"
#include "xsa.h"

#define IOVA_X 0x10000ULL
#define VA_A   0x600000000000ULL
#define VA_C   0x600000200000ULL

static struct edu edu[2];

/* edu n's DMA to IOVA X (through the privileged cap: it is in quarantine) is recorded. */
static bool dma_blocked(unsigned n, const struct xsa_domain *c)
{
	uint64_t before = xsa_faults(c);

	return t_edu_privileged(&edu[n]) &&
	       t_edu_dma(&edu[n], EDU_BUFFER, IOVA_X, EDU_XFER, true) &&
	       t_wait_faults(c->cap, before + 1, 5000);
}

int main(void)
{
	struct xsa_domain a, c;
	struct xsa_buffer ba, bc;
	uint64_t free1 = 0, free2 = 0, free3 = 0, waiting, u, d;
	bool ok;

	xsa_init();
	ptap_plan(6);
	ok = t_edu_find(0, &edu[0]) && t_edu_find(1, &edu[1]) && xsa_domain(&a, 0) &&
	     xsa_buffer(&a, IOVA_X, VA_A, 0, &ba) && t_attach(a.cap, &edu[0], 0) == WARD_OK &&
	     t_attach(a.cap, &edu[1], 0) == WARD_OK &&
	     t_edu_dma(&edu[0], EDU_BUFFER, IOVA_X, EDU_XFER, true) &&
	     t_edu_dma(&edu[1], EDU_BUFFER, IOVA_X, EDU_XFER, true);
	ptap_ok(ok, "edu 0 and edu 1 (an RMRR names it) in domain A, DMA through A's tables");
	ok = iommu_dump(t_ep, IOMMU_DUMP_QUIET | IOMMU_DUMP_PAGES, &u, &d, &free1, &waiting) ==
	             WARD_OK &&
	     t_detach(&edu[0], 0) == WARD_OK && t_detach(&edu[1], 0) == WARD_OK &&
	     iommu_free_buffer(a.cap, ba.id) == WARD_OK && iommu_destroy_domain(a.cap) == WARD_OK &&
	     iommu_dump(t_ep, IOMMU_DUMP_QUIET | IOMMU_DUMP_PAGES, &u, &d, &free2, &waiting) ==
	             WARD_OK;
	ptap_ok(ok && free2 > free1,
	        "both released, the buffer freed, A destroyed: its table pages are free (%llu -> "
	        "%llu)",
	        (unsigned long long)free1, (unsigned long long)free2);
	ok = xsa_domain(&c, a.width) && xsa_buffer(&c, IOVA_X, VA_C, 0xcc, &bc) &&
	     iommu_dump(t_ep, IOMMU_DUMP_QUIET | IOMMU_DUMP_PAGES, &u, &d, &free3, &waiting) ==
	             WARD_OK;
	ptap_ok(ok && free3 < free2,
	        "domain C, built from freed table pages (%llu -> %llu), maps a buffer at the same "
	        "IOVA %#llx",
	        (unsigned long long)free2, (unsigned long long)free3, (unsigned long long)IOVA_X);
	ptap_ok(xsa_owner(&edu[0]) == 0 && xsa_owner(&edu[1]) == 0 && xsa_dump_ok(),
	        "QUERY: both in quarantine; DUMP finds their context entries at quarantine's "
	        "tables");
	ptap_ok(dma_blocked(0, &c) && dma_blocked(1, &c) &&
	                t_bytes_are((const void *)bc.va, 0xcc, 4096),
	        "both devices' DMA to IOVA %#llx is blocked and recorded; C's buffer unchanged",
	        (unsigned long long)IOVA_X);
	ptap_ok(xsa_dump_ok(), "DUMP agrees at the end");
	return ptap_exit_status();
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domain-ID reuse without stale translations (SEEDS.md §3). The IOMMU
 * server runs with did-limit=3, so client domains get domain ID 2 and no
 * other: domain A maps a buffer at IOVA 0x200000 and edu's DMA through it
 * puts the translation in the IOMMU's IOTLB (QEMU's model caches it, tagged
 * with the domain ID); A is destroyed, and domain B, necessarily with the
 * same ID, maps another buffer at the same IOVA. edu's DMA to that IOVA
 * must land in B's buffer, not in A's old frame.
 */
#include <string.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../proc/ptap.h"
#include "iommu_test.h"

#define IOVA  0x200000ULL
#define VA_A  0x600000000000ULL
#define VA_B  0x600000200000ULL
#define VA_C  0x600000400000ULL
#define VA_A2 0x600000600000ULL

/*
 * The fault queue of a domain is bounded: QUEUE + 1 blocked DMAs leave
 * QUEUE records and one counted as lost, and the owner is never waited for.
 */
#define QUEUE 16 /* IOMMU_FAULT_QUEUE */

static void fault_overflow(uint64_t dom, struct edu *e)
{
	uint64_t left = 0, lost = 0, sbdf, iova = 0, reason, flags, tsc, first = 0, got = 0, l, n;
	uint64_t before = t_faults_taken(dom);
	bool ok = true;

	if (t_skip_unlogged("the domain's fault queue is bounded and counts what it lost"))
		return;
	for (unsigned i = 0; i <= QUEUE && ok; i++)
		ok = t_edu_dma(e, EDU_BUFFER, 0x0f000000ULL + i * 4096ULL, EDU_XFER, true);
	/* The server takes the last fault when it gets to run: on a busy host, later. */
	t_wait_faults(dom, before + QUEUE + 1, 2000);
	ok = ok && iommu_fault(dom, &left, &lost, &sbdf, &first, &reason, &flags, &tsc) == WARD_OK;
	for (got = left > 0; ok && got < left; got++)
		ok = iommu_fault(dom, &l, &n, &sbdf, &iova, &reason, &flags, &tsc) == WARD_OK &&
		     l > 0;
	ptap_ok(ok && left == QUEUE && lost == 1 && first == 0x0f000000ULL &&
	                iova == 0x0f000000ULL + (QUEUE - 1) * 4096ULL,
	        "%u blocked DMAs: the domain's queue kept the first %llu records (from %#llx), "
	        "counted %llu lost",
	        QUEUE + 1, (unsigned long long)left, (unsigned long long)first,
	        (unsigned long long)lost);
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t a = t_slot(), b = t_slot(), extra = t_slot(), da, db, dx, w, ba, bb, bc, ia = 0,
	         ib, ic = 0;
	uint64_t pa = 0, pb = 0, pa2 = 0, size, d, c, p, ba2, ia2;
	bool ok;
	struct edu e;

	ptap_plan(10);
	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	ok = t_edu(0, &e) &&
	     iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, a, 0, &da, &w) == WARD_OK &&
	     t_attach(a, &e, 0) == WARD_OK &&
	     t_buffer(a, 4096, IOVA, IOMMU_RIGHTS_ALL, VA_A, &ba, &ia, NULL) == WARD_OK &&
	     iommu_buffer_frame(a, ba, 0, &pa, &size) == WARD_OK;
	ptap_ok(ok, "domain A with edu attached and a buffer at IOVA %#llx",
	        (unsigned long long)ia);
	memset((void *)VA_A, 0xaa, 4096);
	ptap_ok(t_edu_dma(&e, IOVA, EDU_BUFFER, EDU_XFER, false) &&
	                t_edu_dma(&e, EDU_BUFFER, IOVA, EDU_XFER, true) &&
	                t_bytes_are((void *)VA_A, 0xaa, 4096),
	        "edu DMA through A both ways: the translation is in the IOTLB under A's ID");
	ptap_ok(iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, extra, 0, &dx, &w) ==
	                IOMMU_ERR_NO_MEMORY,
	        "a second domain is refused: did-limit=3 leaves one domain ID for clients");
	ptap_ok(iommu_free_buffer(a, ba) == WARD_OK && t_detach(&e, 0) == WARD_OK &&
	                iommu_destroy_domain(a) == WARD_OK,
	        "A's buffer freed, edu detached, A destroyed");
	ok = iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, b, 0, &db, &w) == WARD_OK &&
	     t_attach(b, &e, 0) == WARD_OK &&
	     t_buffer(b, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_A2, &ba2, &ia2, NULL) ==
	             WARD_OK &&
	     iommu_buffer_frame(b, ba2, 0, &pa2, &size) == WARD_OK;
	/* The pool lends A's freed frame first: it must come back zeroed. */
	ptap_ok(ok && pa2 == pa && t_bytes_are((void *)VA_A2, 0, 4096),
	        "domain B (the same domain ID); A's old frame %#llx lent again to B, all zero",
	        (unsigned long long)pa2);
	ok = t_buffer(b, 4096, IOVA, IOMMU_RIGHTS_ALL, VA_B, &bb, &ib, NULL) == WARD_OK &&
	     t_buffer(b, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_C, &bc, &ic, NULL) == WARD_OK &&
	     iommu_buffer_frame(b, bb, 0, &pb, &size) == WARD_OK;
	ptap_ok(ok && pb != pa, "B's buffer at IOVA %#llx is another frame (%#llx)",
	        (unsigned long long)IOVA, (unsigned long long)pb);
	memset((void *)VA_B, 0, 4096);
	memset((void *)VA_C, 0x5c, 4096);
	ptap_ok(t_edu_dma(&e, ic, EDU_BUFFER, EDU_XFER, false) &&
	                t_edu_dma(&e, EDU_BUFFER, IOVA, EDU_XFER, true) &&
	                t_bytes_are((void *)VA_B, 0x5c, EDU_XFER) &&
	                t_bytes_are((uint8_t *)VA_B + EDU_XFER, 0, 4096 - EDU_XFER),
	        "edu DMA to IOVA %#llx landed in B's buffer (%#llx), not A's old frame (%#llx)",
	        (unsigned long long)IOVA, (unsigned long long)pb, (unsigned long long)pa);
	ptap_ok(t_bytes_are((void *)VA_A2, 0, 4096),
	        "no byte of A's old frame changed: no stale translation was used");
	fault_overflow(b, &e);
	ptap_ok(t_dump(&d, &c, &p) == WARD_OK, "DUMP: records and tables agree");
	return ptap_exit_status();
}

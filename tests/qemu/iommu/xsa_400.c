/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * XSA-400: an RMRR's identity map must survive every move of the device
 * it names, quarantine included, and stay out of clients' reach. QEMU
 * builds no RMRR, so the scenario adds a second DMAR (dmar_rmrr.dsl, given
 * to QEMU with -acpitable; the root task appends its RMRRs to the copy of
 * QEMU's DMAR): one page at RMRR_BASE, firmware-reserved memory below edu's
 * 28-bit DMA mask, naming edu 1 (00:02.0). On amd-iommu the same page is
 * an IVMD of a second IVRS (ivrs_ivmd.dsl), naming edu 1 at its address
 * there, which the scenario gives as `rmrr-sbdf=`; the server keeps
 * IVMDs as it keeps RMRRs, and this test calls both RMRRs.
 *
 * edu carries bytes from one place to the next: a pattern loaded in one
 * domain is written to the RMRR range from quarantine, read back from
 * there in domain B, a new pattern written there from B is read back in
 * domain A after a move B -> A. Each read-back lands in an ordinary
 * buffer, so the CPU sees that the RMRR range was reachable, in the same
 * place, from quarantine and from both domains; a missing identity map
 * would fault and the buffer would keep its fill. DUMP checks that each
 * RMRR page is mapped to itself. ALLOC_BUFFER and MAP_BUFFER at the RMRR
 * answer RESERVED in every domain.
 */
#include <stdlib.h>
#include <string.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../proc/ptap.h"
#include "xsa.h"

#define RMRR_BASE 0xffe0000ULL /* dmar_rmrr.dsl */
#define RMRR_SBDF 0x10u        /* 00:02.0, unless `rmrr-sbdf=` says otherwise */
#define IOVA_S    0x10000ULL
#define IOVA_T    0x11000ULL
#define VA_A      0x600000000000ULL
#define VA_B      0x600000200000ULL
#define VA_T      0x600000400000ULL
#define VA_ZA     0x600000600000ULL
#define VA_O      0x600000800000ULL

static struct edu edu;

/* The requester ID the scenario's table names. */
static uint32_t rmrr_sbdf(void)
{
	const char *at = strstr(ward_startinfo->args, "rmrr-sbdf=");

	return at != NULL ? (uint32_t)strtoul(at + strlen("rmrr-sbdf="), NULL, 0) : RMRR_SBDF;
}

/* Copies the RMRR range's first bytes into buffer t, after clearing edu's buffer with z. */
static bool rmrr_to(const struct xsa_buffer *z, const struct xsa_buffer *t)
{
	return t_edu_dma(&edu, z->iova, EDU_BUFFER, EDU_XFER, false) &&
	       t_edu_dma(&edu, RMRR_BASE, EDU_BUFFER, EDU_XFER, false) &&
	       t_edu_dma(&edu, EDU_BUFFER, t->iova, EDU_XFER, true);
}

/* ALLOC_BUFFER, and MAP_BUFFER of b (another domain's), at the RMRR range: RESERVED. */
static bool reserved_in(const struct xsa_domain *d, const struct xsa_buffer *b)
{
	uint64_t id, iova, frames, fsize, used;

	return iommu_alloc_buffer(d->cap, 4096, 0, RMRR_BASE, IOMMU_RIGHTS_ALL, &id, &iova, &frames,
	                          &fsize) == IOMMU_ERR_RESERVED &&
	       iommu_map_buffer(d->cap, b->id, RMRR_BASE, IOMMU_RIGHTS_ALL, &used) ==
	               IOMMU_ERR_RESERVED;
}

int main(void)
{
	struct xsa_domain a, b, other;
	struct xsa_buffer sa, za, zb, tb, ob;
	uint64_t before;
	bool ok;

	xsa_init();
	ptap_plan(8);
	ok = t_edu_find(1, &edu) && edu.sbdf == rmrr_sbdf() && xsa_domain(&a, 0) &&
	     xsa_domain(&b, 0) && xsa_domain(&other, 0) &&
	     xsa_buffer(&a, IOVA_S, VA_A, 0x41, &sa) && xsa_buffer(&b, IOVA_S, VA_B, 0, &zb) &&
	     xsa_buffer(&b, IOVA_T, VA_T, 0xee, &tb) && xsa_buffer(&other, IOVA_S, VA_O, 0, &ob);
	ptap_ok(ok,
	        "edu 1 (requester ID %#x, named by the RMRR at %#llx); domains A, B and another",
	        rmrr_sbdf(), (unsigned long long)RMRR_BASE);
	ptap_ok(ok && reserved_in(&a, &ob) && reserved_in(&b, &ob) && reserved_in(&other, &sa),
	        "ALLOC_BUFFER and MAP_BUFFER at the RMRR: RESERVED in every domain");
	ok = t_attach(a.cap, &edu, 0) == WARD_OK &&
	     t_edu_dma(&edu, IOVA_S, EDU_BUFFER, EDU_XFER, false) && t_detach(&edu, 0) == WARD_OK &&
	     xsa_owner(&edu) == 0;
	ptap_ok(ok, "edu loaded 0x41 in A, then released to quarantine");
	before = xsa_faults(&a);
	ok = t_edu_privileged(&edu) && t_edu_dma(&edu, EDU_BUFFER, RMRR_BASE, EDU_XFER, true);
	t_sleep_ms(50);
	ptap_ok(ok && xsa_faults(&a) == before,
	        "in quarantine edu writes 0x41 to the RMRR range, no fault");
	ok = t_attach(b.cap, &edu, 0) == WARD_OK && rmrr_to(&zb, &tb) &&
	     t_bytes_are((const void *)tb.va, 0x41, EDU_XFER);
	ptap_ok(ok, "in domain B edu reads the RMRR range back: 0x41, written from quarantine");
	memset((void *)zb.va, 0x42, 4096);
	ok = t_edu_dma(&edu, zb.iova, EDU_BUFFER, EDU_XFER, false) &&
	     t_edu_dma(&edu, EDU_BUFFER, RMRR_BASE, EDU_XFER, true) &&
	     t_attach(a.cap, &edu, 0) == WARD_OK && xsa_buffer(&a, IOVA_T, VA_ZA, 0, &za) &&
	     rmrr_to(&za, &sa) && t_bytes_are((const void *)sa.va, 0x42, EDU_XFER);
	ptap_ok(ok, "B writes 0x42 there; moved B -> A, edu reads 0x42 back in A");
	ptap_ok(xsa_faults(&a) == before, "no fault in all of it (%llu)",
	        (unsigned long long)xsa_faults(&a));
	ptap_ok(xsa_dump_ok(), "DUMP: the RMRR identity maps are where the records say");
	return ptap_exit_status();
}

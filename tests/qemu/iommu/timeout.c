/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An invalidation that does not complete (XSA-373), through the server:
 * the IOMMU server runs with the option `inject`, so DUMP's
 * IOMMU_DUMP_INJECT_TIMEOUT makes the next invalidation wait time out (the
 * VT-d backend's vtd_qi_inject: the wait's status write goes elsewhere).
 * Each request that meets it must answer HARDWARE within the bound, leave
 * its device in quarantine, and reuse nothing the invalidation covered
 * until a later one completed; the server goes on serving.
 */
#include <string.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../proc/ptap.h"
#include "iommu_test.h"

#define VA_A    0x600000000000ULL
#define VA_B    0x600000200000ULL
#define VA_C    0x600000400000ULL
#define VA_F    0x600000600000ULL
#define BOUND_S 5 /* the backend polls 100 ms; anything near this bound is a hang */

static uint64_t dom, did;
static struct edu edu;

static uint64_t now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static bool inject(void)
{
	uint64_t u, d, c, p;

	return iommu_dump(t_ep, IOMMU_DUMP_QUIET | IOMMU_DUMP_INJECT_TIMEOUT, &u, &d, &c, &p) ==
	       WARD_OK;
}

static uint64_t phys_of(uint64_t buf)
{
	uint64_t phys = 0, size;

	iommu_buffer_frame(dom, buf, 0, &phys, &size);
	return phys;
}

/* FREE_BUFFER whose wait times out: HARDWARE, caps gone, memory kept until a wait completes. */
static void free_timeout(void)
{
	uint64_t a, ia, fa, b, ib, c, ic, pa, t0, t1;
	enum ward_error err;
	bool ok = t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_A, &a, &ia, &fa) ==
	          WARD_OK;

	memset((void *)VA_A, 0x77, 4096);
	ok = ok && t_edu_dma(&edu, ia, EDU_BUFFER, EDU_XFER, false);
	memset((void *)VA_A, 0, 4096);
	ok = ok && t_edu_dma(&edu, EDU_BUFFER, ia, EDU_XFER, true) &&
	     t_bytes_are((void *)VA_A, 0x77, EDU_XFER);
	pa = phys_of(a);
	ptap_ok(ok, "edu wrote buffer A (frame %#llx) at IOVA %#llx", (unsigned long long)pa,
	        (unsigned long long)ia);
	ptap_ok(inject(), "DUMP armed a time-out of the next invalidation wait");
	t0 = now();
	err = iommu_free_buffer(dom, a);
	t1 = now();
	ptap_ok(err == IOMMU_ERR_HARDWARE && t1 - t0 < ward_startinfo->tsc_hz * BOUND_S,
	        "FREE_BUFFER A: HARDWARE (error %#x) after %llu ms, the server did not hang", err,
	        (unsigned long long)((t1 - t0) / (ward_startinfo->tsc_hz / 1000)));
	ptap_ok(ward_debug_cap_type(fa) == 0, "A's frame cap is gone from the client all the same");
	ok = t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_B, &b, &ib, NULL) == WARD_OK;
	ptap_ok(ok && phys_of(b) != pa,
	        "buffer B lent next is another frame (%#llx): A's memory, covered by the failed "
	        "invalidation, is not reused",
	        (unsigned long long)phys_of(b));
	ok = iommu_free_buffer(dom, b) == WARD_OK &&
	     t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_C, &c, &ic, NULL) == WARD_OK;
	ptap_ok(ok && phys_of(c) == pa && t_bytes_are((void *)VA_C, 0, 4096),
	        "after B's free (a global invalidation that completed) A's frame is lent again as "
	        "C, all zero");
	iommu_free_buffer(dom, c);
}

/* ASSIGN whose wait times out: HARDWARE, and the device stays in quarantine. */
static void attach_timeout(void)
{
	uint64_t f, fi;
	bool ok = t_buffer(dom, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, VA_F, &f, &fi, NULL) ==
	                  WARD_OK &&
	          t_detach(&edu, 0) == WARD_OK;

	memset((void *)VA_F, 0x33, 4096);
	ptap_ok(ok && inject(), "edu detached, a buffer F at IOVA %#llx, a time-out armed",
	        (unsigned long long)fi);
	ptap_ok(t_attach(dom, &edu, 0) == IOMMU_ERR_HARDWARE,
	        "ASSIGN edu: HARDWARE (the context invalidation timed out)");
	ptap_ok(t_detach(&edu, 0) == IOMMU_ERR_ATTACHED,
	        "edu is in quarantine (RELEASE: already there)");
	ok = t_edu_privileged(&edu) && t_edu_dma(&edu, EDU_BUFFER, fi, EDU_XFER, true) &&
	     t_bytes_are((void *)VA_F, 0x33, 4096);
	ptap_ok(ok, "edu DMA to F's IOVA blocked: F unchanged");
	ptap_ok(t_attach(dom, &edu, 0) == WARD_OK &&
	                t_edu_dma(&edu, EDU_BUFFER, fi, EDU_XFER, true) &&
	                !t_bytes_are((void *)VA_F, 0x33, EDU_XFER),
	        "ASSIGN again works and edu's DMA lands in F");
	iommu_free_buffer(dom, f);
}

/* DESTROY_DOMAIN whose wait times out: HARDWARE, the domain is gone. */
static void destroy_timeout(void)
{
	uint64_t g = t_slot(), gd, w, a, b, c, e;

	ptap_ok(iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, g, 0, &gd, &w) == WARD_OK &&
	                inject() && iommu_destroy_domain(g) == IOMMU_ERR_HARDWARE,
	        "DESTROY_DOMAIN of an empty domain: HARDWARE (its ID and tables stay out of use)");
	ptap_ok(iommu_alloc_buffer(g, 4096, 0, IOMMU_IOVA_ANY, 3, &a, &b, &c, &e) ==
	                IOMMU_ERR_STALE,
	        "its badge is stale");
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t w, u = 0, d = 0, c = 0, p = 0;

	ptap_plan(15);
	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	dom = t_slot();
	ptap_ok(t_edu(0, &edu) &&
	                iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &did, &w) ==
	                        WARD_OK &&
	                t_attach(dom, &edu, 0) == WARD_OK,
	        "a domain with edu attached");
	free_timeout();
	attach_timeout();
	destroy_timeout();
	ptap_ok(iommu_dump(t_ep, 0, &u, &d, &c, &p) == WARD_OK,
	        "DUMP: records and tables agree after every time-out (%llu PTEs)",
	        (unsigned long long)p);
	return ptap_exit_status();
}

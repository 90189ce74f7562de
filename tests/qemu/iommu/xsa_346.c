/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * XSA-346: a page-table page freed before the invalidation that covers it
 * completed. (Lent memory, the other half of the advisory, is
 * iommu-timeout's: a freed frame is lent again only after a later
 * invalidation completed.) Domains B and C are 39 bits wide (3 levels);
 * B maps one buffer at IOVA X, which makes its level-2 and level-1 tables,
 * and edu in B writes through it. FREE_BUFFER of it, with the wait timing
 * out (server option `inject`), empties and drops those tables: they must
 * wait in the deferred-free queue, not go to the free list, while hardware
 * may still hold what it read from them. DUMP with IOMMU_DUMP_PAGES says
 * how many table pages are free and how many items wait. C then maps a
 * buffer at the same X: the waiting items stay waiting unless a wait of
 * that request completed (caching mode: a map waits too, and a completed
 * wait legitimately releases them), and edu's DMA from B to X is blocked,
 * C's buffer untouched. A later request whose wait completes releases
 * everything: the tables reach the free list only then.
 */
#include "../proc/ptap.h"
#include "xsa.h"

#define IOVA_X 0x8000000ULL /* 128 MiB: below edu's 28-bit DMA mask, its own tables */
#define VA_B   0x600000000000ULL
#define VA_C   0x600000200000ULL
#define LEVELS 3 /* of a 39-bit domain: the root and two tables below it */

static bool inject(void)
{
	uint64_t u, d, c, p;

	return iommu_dump(t_ep, IOMMU_DUMP_QUIET | IOMMU_DUMP_INJECT_TIMEOUT, &u, &d, &c, &p) ==
	       WARD_OK;
}

/* Table pages on the free list and items in the deferred-free queue. */
static bool pages(uint64_t *free, uint64_t *waiting)
{
	uint64_t u, d;

	return iommu_dump(t_ep, IOMMU_DUMP_QUIET | IOMMU_DUMP_PAGES, &u, &d, free, waiting) ==
	       WARD_OK;
}

static uint64_t waits(const struct xsa_domain *d)
{
	uint64_t dm, b, by, f, i, w = 0;

	iommu_stats(d->cap, &dm, &b, &by, &f, &i, &w);
	return w;
}

int main(void)
{
	struct xsa_domain b, c;
	struct xsa_buffer bb, cb;
	struct edu edu;
	uint64_t free1 = 0, wait1 = 0, free2 = 0, wait2 = 0, free3 = 0, wait3 = 0, free4 = 0,
	         wait4 = 0, w0, before;
	enum ward_error err;
	bool ok;

	xsa_init();
	ptap_plan(8);
	ok = t_edu(0, &edu) && xsa_domain(&b, 39) && xsa_domain(&c, 39) &&
	     t_attach(b.cap, &edu, 0) == WARD_OK && xsa_buffer(&b, IOVA_X, VA_B, 0, &bb) &&
	     t_edu_dma(&edu, EDU_BUFFER, IOVA_X, EDU_XFER, true) && pages(&free1, &wait1);
	ptap_ok(ok,
	        "edu in B wrote through B's tables for IOVA %#llx (free table pages %llu, "
	        "waiting items %llu)",
	        (unsigned long long)IOVA_X, (unsigned long long)free1, (unsigned long long)wait1);
	err = inject() ? iommu_free_buffer(b.cap, bb.id) : WARD_ERR_FAILED_LOOKUP;
	ok = pages(&free2, &wait2);
	ptap_ok(err == IOMMU_ERR_HARDWARE, "FREE_BUFFER with the wait timing out: HARDWARE");
	ptap_ok(ok && free2 == free1 && wait2 >= wait1 + (LEVELS - 1) + 1,
	        "B's emptied tables (%d) and the buffer's memory wait for an invalidation: waiting "
	        "%llu -> %llu, free table pages unchanged (%llu)",
	        LEVELS - 1, (unsigned long long)wait1, (unsigned long long)wait2,
	        (unsigned long long)free2);
	w0 = waits(&c);
	ok = xsa_buffer(&c, IOVA_X, VA_C, 0xcc, &cb) && pages(&free3, &wait3);
	ptap_ok(ok && (waits(&c) == w0 ? wait3 == wait2 : wait3 == 0),
	        "C maps a buffer at the same IOVA: %s (waiting %llu, free table pages %llu)",
	        waits(&c) == w0 ? "no wait completed, nothing was released or reused"
	                        : "its map's wait completed (caching mode) and released them",
	        (unsigned long long)wait3, (unsigned long long)free3);
	before = xsa_faults(&b);
	ok = t_edu_dma(&edu, EDU_BUFFER, IOVA_X, EDU_XFER, true) &&
	     t_wait_faults(b.cap, before + 1, 5000) && t_bytes_are((const void *)cb.va, 0xcc, 4096);
	ptap_ok(ok, "edu's DMA from B to the freed IOVA is blocked; C's buffer there unchanged");
	ok = iommu_free_buffer(c.cap, cb.id) == WARD_OK && pages(&free4, &wait4);
	ptap_ok(ok && wait4 == 0 && free4 >= free3 + (LEVELS - 1),
	        "a later FREE_BUFFER whose wait completed released everything: waiting %llu, free "
	        "table pages %llu -> %llu",
	        (unsigned long long)wait4, (unsigned long long)free3, (unsigned long long)free4);
	ok = t_attach(c.cap, &edu, 0) == WARD_OK && xsa_buffer(&c, IOVA_X, VA_C, 0xcc, &cb) &&
	     t_edu_dma(&edu, EDU_BUFFER, IOVA_X, EDU_XFER, true) &&
	     !t_bytes_are((const void *)cb.va, 0xcc, EDU_XFER);
	ptap_ok(ok, "edu moved to C writes through C's tables (pages reused only now)");
	ptap_ok(xsa_dump_ok(), "DUMP agrees");
	return ptap_exit_status();
}

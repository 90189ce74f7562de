/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IOMMU server benchmark: a client process of the real IOMMU server (with
 * the PCI server and the root task) under `qemu -icount shift=0`, where the
 * TSC advances one tick per guest instruction. Every figure is guest
 * instructions per client round trip, all included (stub, kernel, server,
 * page-table writes, invalidation and its wait): a request refused after
 * its badge and buffer lookups (the floor: IPC, loop, decoding), MAP_BUFFER + UNMAP_BUFFER
 * of a 4 KiB and a 2 MiB buffer into a second domain, the same for a
 * buffer of 512 4 KiB pages (a batch: one request), ALLOC_BUFFER +
 * FREE_BUFFER, and a fault: from the server taking the fault interrupt to
 * the owner running after its notification. edu's 100 ms DMA timer is
 * outside every timing: the fault figure starts when the DMA has already
 * been blocked. STATS counts the invalidation descriptors and waits each
 * operation cost. tools/bench iommu runs it on each vendor's IOMMU;
 * docs/performance.md has the figures. With `faults=unlogged` (QEMU 7.2's
 * amd-iommu, which never writes its event log) the fault row is "-".
 */
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../qemu/iommu/iommu_test.h"
#include "bench.h"

#define ROUNDS   200
#define WARMUP   10
#define FAULTS   5
#define IOVA_B   0x40000000ULL
#define UNMAPPED 0x0f000000ULL
#define BUF_VA   0x600000000000ULL
#define RESIDENT (IOVA_B + (8ULL << 20)) /* a mapping that keeps its tables in place */
#define PAGE_4K  4096ULL

static uint64_t dom_a, dom_b, ntfn;
static struct edu edu;

/* Invalidation descriptors and waits the server issued so far. */
static void inv_counts(uint64_t *desc, uint64_t *waits)
{
	uint64_t d, b, by, f;

	check(iommu_stats(dom_a, &d, &b, &by, &f, desc, waits), "STATS");
}

struct result {
	uint64_t map, unmap, desc_map, waits_map, desc_unmap, waits_unmap;
};

/* MAP_BUFFER then UNMAP_BUFFER of `buf` into domain B at `at`, ROUNDS times. */
static struct result map_unmap(uint64_t buf, uint64_t at)
{
	struct result r = {0};
	uint64_t iova, t0, t1, t2, d0, w0, d1, w1, d2, w2;

	for (int i = 0; i < WARMUP; i++) {
		check(iommu_map_buffer(dom_b, buf, at, IOMMU_RIGHTS_ALL, &iova), "MAP_BUFFER");
		check(iommu_unmap_buffer(dom_b, buf), "UNMAP_BUFFER");
	}
	for (int i = 0; i < ROUNDS; i++) {
		inv_counts(&d0, &w0);
		t0 = rdtsc();
		check(iommu_map_buffer(dom_b, buf, at, IOMMU_RIGHTS_ALL, &iova), "MAP_BUFFER");
		t1 = rdtsc();
		inv_counts(&d1, &w1);
		t2 = rdtsc();
		check(iommu_unmap_buffer(dom_b, buf), "UNMAP_BUFFER");
		r.unmap += rdtsc() - t2;
		r.map += t1 - t0;
		inv_counts(&d2, &w2);
		r.desc_map += d1 - d0;
		r.waits_map += w1 - w0;
		r.desc_unmap += d2 - d1;
		r.waits_unmap += w2 - w1;
	}
	return r;
}

static void print_pair(const char *what, const struct result *r, unsigned pages)
{
	ward_printf("bench iommu: %-40s %8llu %8llu %6llu/%llu %6llu/%llu\n", what,
	            (unsigned long long)(r->map / ROUNDS / pages),
	            (unsigned long long)(r->unmap / ROUNDS / pages),
	            (unsigned long long)(r->desc_map / ROUNDS),
	            (unsigned long long)(r->waits_map / ROUNDS),
	            (unsigned long long)(r->desc_unmap / ROUNDS),
	            (unsigned long long)(r->waits_unmap / ROUNDS));
}

/* The cheapest request (STATS): what the IPC and the server's loop cost. */
static uint64_t null_request(void)
{
	uint64_t d, b, by, f, i1, w1, total = 0, t0;

	for (int i = 0; i < WARMUP + ROUNDS; i++) {
		t0 = rdtsc();
		check(iommu_stats(dom_a, &d, &b, &by, &f, &i1, &w1), "STATS");
		if (i >= WARMUP)
			total += rdtsc() - t0;
	}
	return total / ROUNDS;
}

/* A request refused after its lookups (UNMAP_BUFFER of a home mapping): the floor of a round trip.
 */
static uint64_t refused_request(uint64_t buf)
{
	uint64_t total = 0, t0;

	for (int i = 0; i < WARMUP + ROUNDS; i++) {
		t0 = rdtsc();
		if (iommu_unmap_buffer(dom_a, buf) != IOMMU_ERR_MAPPED)
			check(WARD_ERR_INVALID_ARGUMENT, "UNMAP_BUFFER of a home mapping");
		if (i >= WARMUP)
			total += rdtsc() - t0;
	}
	return total / ROUNDS;
}

static uint64_t alloc_free(void)
{
	uint64_t buf, iova, n, fs, total = 0, t0;

	for (int i = 0; i < WARMUP + ROUNDS; i++) {
		t0 = rdtsc();
		check(iommu_alloc_buffer(dom_a, 4096, 0, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, &buf,
		                         &iova, &n, &fs),
		      "ALLOC_BUFFER");
		check(iommu_free_buffer(dom_a, buf), "FREE_BUFFER");
		if (i >= WARMUP)
			total += rdtsc() - t0;
	}
	return total / ROUNDS;
}

/* From the server's TSC at the fault interrupt to the owner woken by its notification. */
static uint64_t fault_path(void)
{
	uint64_t total = 0, left, lost, sbdf, iova, reason, flags, tsc, badge, now;

	for (int i = 0; i < FAULTS; i++) {
		*(volatile uint64_t *)(edu.bar + EDU_DMA_SRC) = EDU_BUFFER;
		*(volatile uint64_t *)(edu.bar + EDU_DMA_DST) = UNMAPPED;
		*(volatile uint64_t *)(edu.bar + EDU_DMA_COUNT) = EDU_XFER;
		*(volatile uint64_t *)(edu.bar + EDU_DMA_CMD) = EDU_CMD_START | EDU_CMD_TO_RAM;
		ward_wait(ntfn, &badge);
		now = rdtsc();
		check(iommu_fault(dom_a, &left, &lost, &sbdf, &iova, &reason, &flags, &tsc),
		      "FAULT");
		if (left == 0 || iova != UNMAPPED) {
			ward_printf("bench: no fault record for the blocked DMA\n");
			ward_exit(1);
		}
		total += now - tsc;
	}
	return total / FAULTS;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t did_a, did_b, w, buf4, buf2, buf512, resident, iova, frame;
	struct result r;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	dom_a = t_slot();
	dom_b = t_slot();
	ntfn = t_notification();
	if (!t_edu(0, &edu))
		check(WARD_ERR_FAILED_LOOKUP, "edu");
	check(iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom_a, 0, &did_a, &w),
	      "CREATE A");
	check(iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom_b, 0, &did_b, &w),
	      "CREATE B");
	check(t_attach(dom_a, &edu, 0), "ASSIGN");
	check(iommu_set_notify(dom_a, ntfn), "SET_NOTIFY");
	check(t_buffer(dom_a, 4096, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, BUF_VA, &buf4, &iova, &frame),
	      "4 KiB buffer");
	check(iommu_alloc_buffer(dom_a, 2ULL << 20, 0, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, &buf2,
	                         &iova, &w, &w),
	      "2 MiB buffer");
	check(iommu_alloc_buffer(dom_a, 2ULL << 20, 0, IOMMU_IOVA_ANY,
	                         IOMMU_RIGHTS_ALL | IOMMU_ALLOC_SMALL, &buf512, &iova, &w, &w),
	      "512-page buffer");
	check(iommu_alloc_buffer(dom_a, 4096, 0, IOMMU_IOVA_ANY, IOMMU_RIGHTS_ALL, &resident, &iova,
	                         &w, &w),
	      "resident buffer");
	check(iommu_map_buffer(dom_b, resident, RESIDENT, IOMMU_RIGHTS_ALL, &iova), "resident map");
	ward_printf("bench iommu: guest instructions per operation (rdtsc under -icount shift=0), "
	            "%s\n",
	            si->args);
	ward_printf("bench iommu: %-40s %8s %8s %8s %8s\n", "client round trip", "map", "unmap",
	            "inv/wait", "inv/wait");
	ward_printf("bench iommu: %-40s %8llu\n", "STATS (a 6-word reply)",
	            (unsigned long long)null_request());
	ward_printf("bench iommu: %-40s %8llu\n", "UNMAP_BUFFER refused after its lookups",
	            (unsigned long long)refused_request(buf4));
	r = map_unmap(buf4, RESIDENT + PAGE_4K);
	print_pair("MAP+UNMAP 4 KiB, tables in place", &r, 1);
	r = map_unmap(buf4, IOVA_B);
	print_pair("MAP+UNMAP 4 KiB, tables built and freed", &r, 1);
	r = map_unmap(buf2, IOVA_B);
	print_pair("MAP+UNMAP 2 MiB (one 2 MiB page)", &r, 1);
	r = map_unmap(buf512, IOVA_B);
	print_pair("MAP+UNMAP 512 pages, per page", &r, 512);
	ward_printf("bench iommu: %-40s %8llu\n", "ALLOC_BUFFER+FREE_BUFFER 4 KiB",
	            (unsigned long long)alloc_free());
	if (t_faults_logged())
		ward_printf("bench iommu: %-40s %8llu\n", "fault interrupt -> owner notified",
		            (unsigned long long)fault_path());
	else /* faults=unlogged: the IOMMU model never writes a fault record */
		ward_printf("bench iommu: %-40s %8s\n", "fault interrupt -> owner notified", "-");
	return 0;
}

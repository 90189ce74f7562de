/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM monitor's benchmark (docs/vmm.md, docs/performance.md): a client
 * of servers/vmm started by tests/bench/vmm.toml, under `qemu -icount
 * shift=0` (one TSC tick per guest instruction), times through
 * vmm.protocol
 *   - CREATE_GUEST of an idle guest with 2 MiB and with 8 MiB of memory
 *     (domain, one ALLOC_BUFFER of 2 MiB frames, BUFFER_CNODE, the process
 *     with its image copy, the mappings), and DESTROY_GUEST of it;
 *   - MOVE_DEVICE of edu 0 between two idle guests: the IOMMU server's
 *     move (ASSIGN) and the monitor's unplug and plug (DEVICE_BAR, the
 *     quiesce, which finds no DMA, DEVICE_IRQ, the mappings, bus
 *     mastering), less the move's reset step as the IOMMU server's journal
 *     records it (edu has none: docs/iommu.md §13).
 * With the root task's IOMMU authority (`iommu-admin`) for JOURNAL.
 */
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "bench.h"
#include "iommu.h"
#include "iommu_client.h"
#include "vmm.h"
#include "vmm_guest.h"

#define ROUNDS 10
#define WARMUP 1
#define MIB    (1ULL << 20)
#define GPA    0x1000000ULL
#define STEPS  8
#define RESET  6 /* the journal's reset step */

static uint64_t ep;

static void create_destroy(uint64_t memory)
{
	uint64_t create = 0, destroy = 0;

	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		uint64_t g, phys, t0, t1, t2, busy;

		t0 = rdtsc();
		check(vmm_create_guest(ep, memory, GPA, 1, VMM_PROGRAM_IDLE, 0, &g, &phys),
		      "CREATE_GUEST");
		t1 = rdtsc();
		check(vmm_destroy_guest(ep, g, &busy), "DESTROY_GUEST");
		t2 = rdtsc();
		if (i < WARMUP)
			continue;
		create += t1 - t0;
		destroy += t2 - t1;
	}
	ward_printf("bench vmm: %-44s %10llu\n",
	            memory == 2 * MIB ? "CREATE_GUEST, 2 MiB (1 frame)"
	                              : "CREATE_GUEST, 8 MiB (4 frames)",
	            (unsigned long long)(create / ROUNDS));
	ward_printf("bench vmm: %-44s %10llu\n",
	            memory == 2 * MIB ? "DESTROY_GUEST, 2 MiB" : "DESTROY_GUEST, 8 MiB",
	            (unsigned long long)(destroy / ROUNDS));
}

static void move(void)
{
	uint64_t g[2], phys, sbdf, group, members, granted, holder, from, total = 0, assign = 0;
	uint64_t reset = 0, bar, busy, admin = ward_startinfo->iommu_endpoint;

	check(vmm_devices(ep, 0, &sbdf, &group, &members, &granted, &holder), "DEVICES");
	for (unsigned k = 0; k < 2; k++)
		check(vmm_create_guest(ep, 2 * MIB, GPA, 1, VMM_PROGRAM_IDLE, 0, &g[k], &phys),
		      "CREATE_GUEST");
	check(vmm_assign_device(ep, g[0], sbdf, &bar), "ASSIGN_DEVICE");
	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		uint64_t t0, t1, c[STEPS], seq, s, f, to, owner, result, steps, failed, rb, cause;

		t0 = rdtsc();
		check(vmm_move_device(ep, sbdf, g[(i + 1) % 2], &from), "MOVE_DEVICE");
		t1 = rdtsc();
		check(iommu_journal(admin, 0, &seq, &s, &f, &to, &owner, &result, &steps, &failed,
		                    &rb, &cause, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6],
		                    &c[7]),
		      "JOURNAL");
		if (i < WARMUP)
			continue;
		total += t1 - t0;
		reset += c[RESET];
		for (unsigned k = 0; k < STEPS; k++)
			assign += c[k];
	}
	ward_printf("bench vmm: %-44s %10llu\n", "MOVE_DEVICE between two guests",
	            (unsigned long long)(total / ROUNDS));
	ward_printf("bench vmm: %-44s %10llu\n", "the same less the reset step",
	            (unsigned long long)((total - reset) / ROUNDS));
	ward_printf("bench vmm: %-44s %10llu\n", "  of it the IOMMU server's move (journal)",
	            (unsigned long long)((assign - reset) / ROUNDS));
	for (unsigned k = 0; k < 2; k++)
		check(vmm_destroy_guest(ep, g[k], &busy), "DESTROY_GUEST");
}

int main(void)
{
	const struct ward_cap_grant *vmm = ward_grant(WARD_GRANT_ENDPOINT, "vmm.vmm");

	if (vmm == NULL)
		check(WARD_ERR_FAILED_LOOKUP, "the ENDPOINT grant vmm.vmm");
	ep = vmm->slot;
	ward_printf("bench vmm: guest instructions per request of the VM monitor (%u rounds)\n",
	            ROUNDS);
	create_destroy(2 * MIB);
	create_destroy(8 * MIB);
	move();
	ward_exit(0);
}

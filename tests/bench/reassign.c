/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reassignment benchmark: a client of the real IOMMU and PCI servers under
 * `qemu -icount shift=0` (one TSC tick per guest instruction) moves one
 * edu device between two of its domains, ASSIGN after ASSIGN: each is a
 * reassign (A -> B, then B -> A), the whole ledger move with every PCI
 * server call it makes. edu has no reset method, so the figure excludes a
 * reset wait by construction (docs/iommu.md §13). The client times the
 * round trip; the server's journal (JOURNAL) gives the ticks of each step
 * of the same move. The module argument `last` moves the edu device the
 * PCI server lists last instead of the first. tools/bench reassign runs it
 * with 8 and with 66 edu devices on the machine.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../qemu/iommu/iommu_test.h"
#include "bench.h"
#include "pci_service.h"

#define ROUNDS 100
#define WARMUP 4
#define STEPS  8

static const char *const step_names[STEPS] = {
        "check",
        "bus mastering off + PCI revoke",
        "revoke (the device cap)",
        "interrupt teardown",
        "point",
        "invalidate + wait",
        "reset (none, or the bus reset's wait)",
        "grant (device cap)",
};

/* The edu devices the PCI server lists (LIST pages 8 at a time), and the last one's SBDF. */
static unsigned edu_count(uint64_t *last)
{
	uint64_t cursor = 0, next, count, s[PCI_LIST_BATCH];
	unsigned n = 0;

	while (cursor != PCI_LIST_END &&
	       pci_list(t_pci, cursor, PCI_LIST_KEY(0, 0x11e8, 0x1234), PCI_LIST_KEY_ID_MASK, 0, 0,
	                &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4], &s[5], &s[6],
	                &s[7]) == WARD_OK) {
		if (count != 0)
			*last = s[count - 1];
		n += (unsigned)count;
		cursor = next;
	}
	return n;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t dom[2] = {t_slot(), t_slot()}, did, w, moved, gen, total = 0, sum[STEPS] = {0};
	uint64_t seq, sbdf, from, to, owner, result, steps, failed, rollback, cause, c[STEPS];
	uint64_t assign = t_slot(), device = t_slot(), group, members, last = 0;
	unsigned devices;
	struct edu e;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	devices = edu_count(&last);
	if (!t_edu_find(0, &e))
		check(WARD_ERR_FAILED_LOOKUP, "edu");
	/* `last`: the device listed last, the far end of every table a lookup might walk. */
	e.sbdf = strstr(si->args, "last") != NULL ? (uint32_t)last : e.sbdf;
	for (unsigned k = 0; k < 2; k++)
		check(iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom[k], 0, &did, &w),
		      "CREATE_DOMAIN");
	check(iommu_assignment_into(t_ep, WARD_PROC_CAP_CNODE, assign, e.sbdf, &group, &members),
	      "ASSIGNMENT");
	e.assign = assign;
	e.device = device;
	check(iommu_assign_into(assign, WARD_PROC_CAP_CNODE, device, e.sbdf, 0, dom[0], &moved,
	                        &gen),
	      "first ASSIGN");
	for (unsigned i = 0; i < WARMUP + ROUNDS; i++) {
		uint64_t t0, t1;

		ward_cnode_delete(WARD_PROC_CAP_CNODE, e.device, 64);
		iommu_arm_receive(WARD_PROC_CAP_CNODE, e.device);
		t0 = rdtsc();
		check(iommu_assign(e.assign, e.sbdf, 0, dom[(i + 1) % 2], &moved, &gen), "ASSIGN");
		t1 = rdtsc();
		iommu_arm_receive(0, 0);
		check(iommu_journal(t_ep, 0, &seq, &sbdf, &from, &to, &owner, &result, &steps,
		                    &failed, &rollback, &cause, &c[0], &c[1], &c[2], &c[3], &c[4],
		                    &c[5], &c[6], &c[7]),
		      "JOURNAL");
		if (i < WARMUP)
			continue;
		total += t1 - t0;
		for (unsigned s = 0; s < STEPS; s++)
			sum[s] += c[s];
	}
	ward_printf("bench reassign: guest instructions per ASSIGN that moves edu %#x between two "
	            "domains, %u edu devices on the machine (%s)\n",
	            e.sbdf, devices, si->args);
	ward_printf("bench reassign: %-40s %8llu\n", "client round trip",
	            (unsigned long long)(total / ROUNDS));
	ward_printf("bench reassign: %-40s %8llu\n", "the same less the reset step",
	            (unsigned long long)((total - sum[6]) / ROUNDS));
	for (unsigned s = 0; s < STEPS; s++)
		ward_printf("bench reassign:   %-38s %8llu\n", step_names[s],
		            (unsigned long long)(sum[s] / ROUNDS));
	ward_exit(0);
}

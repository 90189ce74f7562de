/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CVE-2025-58149: a device's BAR must leave its owner's reach when the
 * device leaves. A driver owns edu through its device cap, maps BAR 0
 * (DEVICE_BAR) at one address and a copy of the frame cap it made itself
 * at another, and reads edu's identification register through both. Then
 * the device moves: RELEASE to quarantine, and in a second round ASSIGN
 * to another domain. After each move both frame caps are gone and a CPU
 * access through either old mapping faults (a probe thread whose faults
 * come to this process: tests/qemu/lib's wt_probe), reading and writing;
 * the device cap answers no more.
 */
#include "../lib/wtest.h"
#include "../proc/ptap.h"
#include "xsa.h"

#define VA_COPY 0x600000800000ULL

static struct edu edu;
static uint64_t copy;

/* BAR 0 through the device cap, plus a copy of its frame cap mapped at VA_COPY. */
static bool map_twice(void)
{
	copy = wt_copy(edu.frame, WT_RIGHTS_RW);
	return copy != 0 && wt_map(copy, VA_COPY, WT_RIGHTS_RW) == WARD_OK &&
	       wt_probe(wt_read_byte, (uint64_t)edu.bar + EDU_ID, NULL) == WT_PROBE_DONE &&
	       wt_probe(wt_read_byte, VA_COPY + EDU_ID, NULL) == WT_PROBE_DONE &&
	       (*(volatile uint32_t *)(VA_COPY + EDU_ID) & 0xff) == 0xed;
}

/* Everything the old owner had of the BAR is gone, and touching it faults. */
static bool bar_gone(uint64_t old_device)
{
	uint64_t phys, size;

	return ward_debug_cap_type(edu.frame) == 0 && ward_debug_cap_type(copy) == 0 &&
	       wt_probe(wt_read_byte, (uint64_t)edu.bar + EDU_ID, NULL) != WT_PROBE_DONE &&
	       wt_probe(wt_write_byte, (uint64_t)edu.bar + EDU_ID, NULL) != WT_PROBE_DONE &&
	       wt_probe(wt_read_byte, VA_COPY + EDU_ID, NULL) != WT_PROBE_DONE &&
	       iommu_device_bar(old_device, edu.sbdf, 0, 0, &phys, &size) != WARD_OK;
}

int main(void)
{
	struct xsa_domain a, b;
	uint64_t moved, gen, owner_a, dev_b = t_slot();

	xsa_init();
	ptap_plan(6);
	ptap_ok(t_edu_find(0, &edu) && xsa_domain(&a, 0) && xsa_domain(&b, 0) &&
	                t_attach(a.cap, &edu, 0) == WARD_OK && map_twice(),
	        "A owns edu: BAR 0 through its device cap and through a copy of the frame cap");
	ptap_ok(t_detach(&edu, 0) == WARD_OK && xsa_owner(&edu) == 0, "RELEASE: edu in quarantine");
	ptap_ok(bar_gone(edu.device), "after RELEASE both frame caps are gone, reads and writes "
	                              "through both old mappings "
	                              "fault, DEVICE_BAR through the old device cap fails");
	ptap_ok(t_attach(a.cap, &edu, 0) == WARD_OK && map_twice() &&
	                (owner_a = xsa_owner(&edu)) != 0 &&
	                iommu_assign_into(edu.assign, WARD_PROC_CAP_CNODE, dev_b, edu.sbdf, 0,
	                                  b.cap, &moved, &gen) == WARD_OK &&
	                xsa_owner(&edu) != owner_a && xsa_owner(&edu) != 0,
	        "A owns edu again with both mappings; ASSIGN moves it to B");
	ptap_ok(bar_gone(edu.device), "after the ASSIGN to B, A's frame caps are gone and both old "
	                              "mappings fault");
	ptap_ok(xsa_dump_ok(), "DUMP agrees");
	return ptap_exit_status();
}

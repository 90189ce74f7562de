/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IOMMU server (docs/iommu.md). Start-up, in order: its memory and the
 * DMA pool; the DMAR table's RMRRs; the remapping units taken over (queued
 * invalidation on, translation still off); every PCI function and alias
 * pointed at the quarantine domain; then translation on. Then one thread
 * serves requests, the units' fault interrupts and the root task's death
 * notifications, all through one bound notification, each to completion.
 *
 * Arguments: `did-limit=N` uses domain IDs below N only (tests force ID
 * reuse with it); `storm=N` quarantines a device after more than N faults
 * in IOMMU_STORM_WINDOW_MS (default IOMMU_STORM_FAULTS); `inject` lets DUMP
 * arm an invalidation time-out (tests of the XSA-373 path); `dma=MiB` is the
 * root task's (the pool's size).
 *
 * When the firmware describes no remapping unit (hw_bare.c) the server
 * starts anyway and says loudly that DMA is unprotected: domains, lent
 * buffers (IOVA = physical address) and moves are kept as always, every
 * hardware step but the PCI server's is a no-op.
 */
#include <stdlib.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/server.h>
#include <ward/startinfo.h>

#include "iommu_state.h"

#define DEATH_BIT (1ULL << 16)

uint64_t iommu_endpoint, iommu_reply_slot, iommu_tsc_hz;
bool iommu_caching_mode, iommu_inject_allowed;

uint64_t iommu_tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void on_event(uint64_t bits)
{
	if (bits & DEATH_BIT)
		death_event();
	if (bits & (DEATH_BIT - 1))
		fault_event(bits & (DEATH_BIT - 1));
}

/* The notification everything arrives on, bound to the thread; a badged cap per signaller. */
static bool events_init(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t ntfn = mem_root_slot(), cap;

	if (ntfn == 0 || si->tcb == 0 ||
	    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_NOTIFICATION, 0,
	                        WARD_PROC_CAP_CNODE, 0, 0, ntfn, 1) != WARD_OK ||
	    ward_tcb_bind_notification(si->tcb, ntfn) != WARD_OK)
		return false;
	for (unsigned u = 0; u <= hw_unit_count(); u++) {
		uint64_t bit = u < hw_unit_count() ? 1ULL << u : DEATH_BIT;

		if ((cap = mem_root_slot()) == 0 ||
		    ward_cnode_mint(WARD_PROC_CAP_CNODE, cap, 64, WARD_PROC_CAP_CNODE, ntfn, 64,
		                    WARD_RIGHT_WRITE, ward_server_event_badge(bit)) != WARD_OK)
			return false;
		if (u < hw_unit_count() ? !hw_irq_bind(u, cap) : !death_init(cap))
			return false;
	}
	return true;
}

static const char *start(uint64_t *reply)
{
	const struct ward_startinfo *si = ward_startinfo;

	iommu_tsc_hz = si->tsc_hz;
	iommu_endpoint = si->iommu_endpoint;
	iommu_pci_ep = si->pci_endpoint;
	if (iommu_endpoint == 0 || si->dma_untyped == 0 || !mem_init())
		return "no IOMMU endpoint, DMA pool or CNode";
	if (!pool_init(si->dma_untyped, si->dma_bits))
		return "cannot cut the DMA pool";
	reserved_read();
	iommu_storm_faults = (unsigned)ward_arg(si->args, "storm", IOMMU_STORM_FAULTS);
	iommu_inject_allowed = strstr(si->args, "inject") != NULL;
	if (!domain_init((unsigned)ward_arg(si->args, "did-limit", 0)))
		return "no usable remapping unit";
	if (!device_init())
		return "cannot point every device at quarantine";
	if (!hw_enable())
		return "cannot enable translation";
	if ((iommu_reply_slot = mem_root_slot()) == 0 || (*reply = mem_root_slot()) == 0 ||
	    ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_REPLY, 0, WARD_PROC_CAP_CNODE, 0, 0,
	                        *reply, 1) != WARD_OK)
		return "no reply object";
	if (!events_init())
		return "cannot bind the fault interrupts and death notifications";
	return NULL;
}

int main(void)
{
	uint64_t reply = 0, recv_slot;
	const char *why = start(&reply);

	if (why != NULL || (recv_slot = mem_root_slot()) == 0) {
		ward_printf("iommu: %s\n", why != NULL ? why : "no receive slot");
		return 1;
	}
	if (hw_bare())
		ward_printf("iommu: WARNING: NO REMAPPING UNIT: DMA IS UNPROTECTED; %u devices, "
		            "bus mastering off is their only quarantine; IOVA = physical address; "
		            "serving\n",
		            device_count());
	else
		ward_printf(
		        "iommu: %u unit(s), %u devices in quarantine, translation on; serving\n",
		        hw_unit_count(), device_count());
	iommu_server_run(iommu_endpoint, reply, recv_slot, on_event);
	return 0;
}

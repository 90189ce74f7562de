/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Devices' interrupts: DEVICE_IRQ, DEVICE_IRQ_FREE, the ledger's
 * irq-teardown step and DUMP's check of them.
 *
 * An MSI is a memory write whose address and data the device was given,
 * so whoever programs them decides where it lands. Here the server does,
 * for the current owner of the device (authority: its device cap), and
 * the client never names a vector or an address: the server takes a
 * kernel vector (irq.c: an IRQHandler in a slot of its own), writes an
 * interrupt remapping entry on every unit that delivers that vector only
 * to requests carrying the device's requester ID (hw.h), waits for the
 * entry's cache invalidation, and only then has the PCI server program
 * the device's MSI in remappable format naming the entry. The client
 * gets a copy of the IRQHandler: a child of the server's original, so
 * revoking the original takes every copy the client made.
 *
 * Teardown (DEVICE_IRQ_FREE, and every ledger move of the group: a
 * reassignment, a release, a death, a fault storm) runs in the order
 * that leaves no window: MSI off at the device, the entry cleared and
 * its invalidation waited for (the unit no longer delivers the vector),
 * then the handler revoked and deleted (the kernel frees the vector). The
 * wait is made here rather than left to the move's invalidate step: the
 * vector must not go back to the kernel while a unit may still hold the
 * cached entry aiming at it. A device in quarantine therefore has no
 * entry: its MSI, whatever it writes, is blocked (docs/iommu.md §13).
 *
 * One interrupt per device: its MSI (one vector; edu has one) or one entry
 * of its MSI-X table (DEVICE_IRQ_MSIX; nvme has MSI-X only). Multi-vector
 * MSI and several MSI-X entries are not handed out yet (docs/iommu.md §12).
 */
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/sys.h>

#include "device_irq.h"
#include "iommu_server.h"
#include "iommu_state.h"
#include "irq.h"
#include "pci_service.h"

/* A device's interrupt, by device index (the ledger's). */
struct device_irq {
	bool live;
	unsigned index;   /* the remapping entry, the same on every unit */
	unsigned vector;  /* the kernel's vector it delivers */
	unsigned apic_id; /* and where */
	struct hw_irq_source src;
	uint64_t slot; /* the IRQHandler's original (a root slot), kept for the next one */
};

static struct device_irq device_irqs[IOMMU_MAX_DEVICES];

static uint16_t device_index(const struct iommu_device *dv)
{
	return (uint16_t)(dv - iommu_devices);
}

/*
 * The requester ID the device's MSI reaches the units with: its own, or,
 * behind bridges that take ownership of its requests, what the topmost
 * of them forwards (the last DMA alias the PCI server lists is that
 * bridge's own ID; a PCIe-to-PCI bridge forwards (secondary bus, devfn 0):
 * PCI Express to PCI/PCI-X Bridge spec r1.0 §2.3). An exact ID, never a
 * bus range (SVT 10b): QEMU 7.2 reads ranges backwards (docs/vtd.md).
 */
static bool irq_source(const struct ledger_device *ld, struct hw_irq_source *src)
{
	uint64_t vendor, device, class_rev, header, type, flags, command, group, nalias, buses;
	uint16_t top;

	*src = (struct hw_irq_source){.sid = (uint16_t)ld->sbdf};
	if (ld->nalias == 0)
		return true;
	top = ld->alias[ld->nalias - 1];
	if (pci_describe(iommu_pci_ep, top, &vendor, &device, &class_rev, &header, &type, &flags,
	                 &command, &group, &nalias, &buses) != WARD_OK)
		return false;
	src->sid = top;
	if ((flags & PCI_DESC_PCIE) && type == PCI_EXP_TYPE_PCI_BRIDGE)
		src->sid = (uint16_t)(((buses >> 8) & 0xff) << 8);
	return true;
}

/* The interrupt's vector back to the kernel: every copy of its handler first. */
static void handler_delete(struct device_irq *di)
{
	ward_cnode_revoke(WARD_PROC_CAP_CNODE, di->slot, 64);
	ward_cnode_delete(WARD_PROC_CAP_CNODE, di->slot, 64);
}

/*
 * MSI off, entry cleared, its invalidation waited for, the handler's
 * copies revoked; the vector freed only after a completed wait (after a
 * failed one the server keeps the original, in a slot it never reuses,
 * so no one else gets the vector a stale entry may still name).
 */
static int irq_release(uint32_t sbdf, struct device_irq *di)
{
	int cause = (int)pci_irq_disable(iommu_pci_ep, sbdf); /* first: the device stops */
	enum hw_irq freed = hw_irq_free(di->index);

	di->live = false;
	if (freed == HW_IRQ_OK && !hw_inv_wait()) {
		ward_cnode_revoke(WARD_PROC_CAP_CNODE, di->slot, 64);
		di->slot = 0;
		return (int)IOMMU_ERR_HARDWARE;
	}
	handler_delete(di);
	if (cause == 0 && freed != HW_IRQ_OK)
		cause = (int)IOMMU_ERR_HARDWARE;
	return cause;
}

int device_irq_teardown(uint16_t device)
{
	struct device_irq *di = &device_irqs[device];

	if (!di->live)
		return 0;
	return irq_release(iommu_devices[device].sbdf, di);
}

/* The vector, the entry and its source check, waited for; on error nothing is kept. */
static enum ward_error irq_make(struct ward_request *rq, struct iommu_device *dv,
                                struct device_irq *di, uint64_t *msi_address, uint32_t *msi_data)
{
	enum hw_irq err;

	if (!irq_source(device_ledger(dv), &di->src))
		return ward_fail(rq, IOMMU_ERR_UNSUPPORTED, 0, 2, 0);
	if (!irq_vector_alloc(di->slot, &di->vector, &di->apic_id))
		return ward_fail(rq, IOMMU_ERR_EXHAUSTED, 0, 0, 0);
	err = hw_irq_alloc(&di->src, di->vector, di->apic_id, &di->index, msi_address, msi_data);
	if (err != HW_IRQ_OK) {
		handler_delete(di);
		if (err == HW_IRQ_EXHAUSTED)
			return ward_fail(rq, IOMMU_ERR_EXHAUSTED, 0, 1, 0);
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 0, 0, 0);
	}
	/* The device is programmed only once no unit can hold an older entry at this index. */
	if (!hw_inv_wait()) {
		hw_irq_free(di->index);
		ward_cnode_revoke(WARD_PROC_CAP_CNODE, di->slot, 64);
		di->slot = 0; /* kept out of use: see irq_release() */
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 0, 0, 0);
	}
	return WARD_OK;
}

/* The checks of DEVICE_IRQ (and, with `msix`, DEVICE_IRQ_MSIX) before anything changes. */
static enum ward_error irq_may(struct ward_request *rq, struct iommu_device *dv,
                               struct device_irq *di, bool use_msix)
{
	uint64_t present, reset, pm, msi = 0, msix = 0, pcie, aer, acs, ari, sriov;

	if (!hw_irq_supported())
		return ward_fail(rq, IOMMU_ERR_UNSUPPORTED, 0, 0, 0);
	if (pci_capabilities(iommu_pci_ep, dv->sbdf, &present, &reset, &pm, &msi, &msix, &pcie,
	                     &aer, &acs, &ari, &sriov) != WARD_OK ||
	    (use_msix ? msix : msi) == 0)
		return ward_fail(rq, IOMMU_ERR_UNSUPPORTED, 0, 1, 0);
	if (di->live)
		return ward_fail(rq, IOMMU_ERR_BUSY, 0, di->index, 0);
	if (di->slot == 0 && (di->slot = mem_root_slot()) == 0)
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 0, 0, 0);
	return WARD_OK;
}

/* DEVICE_IRQ (msix_entry < 0: MSI) and DEVICE_IRQ_MSIX (that table entry). */
static enum ward_error device_irq_give(struct ward_request *rq, uint64_t sbdf, int64_t msix_entry,
                                       uint64_t *vector, uint64_t *index)
{
	struct iommu_device *dv;
	struct device_irq *di;
	enum ward_error err;
	uint64_t address;
	uint32_t data;
	uint16_t g;

	if ((err = group_of(rq, IOMMU_BADGE_DEVICE, &g)) != WARD_OK ||
	    (err = member_of(rq, g, sbdf, &dv)) != WARD_OK)
		return err;
	di = &device_irqs[device_index(dv)];
	if ((err = irq_may(rq, dv, di, msix_entry >= 0)) != WARD_OK ||
	    (err = irq_make(rq, dv, di, &address, &data)) != WARD_OK)
		return err;
	if (msix_entry >= 0)
		err = pci_msix_set(iommu_pci_ep, dv->sbdf, (uint64_t)msix_entry, address, data, 0);
	else
		err = pci_msi_set(iommu_pci_ep, dv->sbdf, address, data, 1);
	if (err != WARD_OK) {
		di->live = true;
		irq_release(dv->sbdf, di);
		return ward_fail(rq, IOMMU_ERR_UNSUPPORTED, 0, 2, err);
	}
	di->live = true;
	*vector = di->vector;
	*index = di->index;
	iommu_reply_cap = di->slot;
	return WARD_OK;
}

enum ward_error iommu_serve_device_irq(struct ward_request *rq, uint64_t sbdf, uint64_t *vector,
                                       uint64_t *index)
{
	return device_irq_give(rq, sbdf, -1, vector, index);
}

enum ward_error iommu_serve_device_irq_msix(struct ward_request *rq, uint64_t sbdf, uint64_t entry,
                                            uint64_t *vector, uint64_t *index)
{
	/* The PCI server checks the entry against the table size (RANGE, as MR2). */
	if (entry > 2047) /* MSI-X tables have at most 2048 entries (PCI Local Bus 3.0 §6.8.2.3) */
		return ward_fail(rq, IOMMU_ERR_UNSUPPORTED, 0, 2, WARD_ERR_RANGE);
	return device_irq_give(rq, sbdf, (int64_t)entry, vector, index);
}

enum ward_error iommu_serve_device_irq_free(struct ward_request *rq, uint64_t sbdf, uint64_t index)
{
	struct iommu_device *dv;
	struct device_irq *di;
	enum ward_error err;
	uint16_t g;

	if ((err = group_of(rq, IOMMU_BADGE_DEVICE, &g)) != WARD_OK ||
	    (err = member_of(rq, g, sbdf, &dv)) != WARD_OK)
		return err;
	di = &device_irqs[device_index(dv)];
	if (!di->live || di->index != index)
		return ward_fail(rq, WARD_ERR_RANGE, 1, di->live ? di->index : ~0ULL, 0);
	if (irq_release(dv->sbdf, di) == (int)IOMMU_ERR_HARDWARE)
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 1, 0, 0);
	return WARD_OK;
}

/* --- DUMP ------------------------------------------------------------------ */

static bool same_source(const struct hw_irq_source *a, const struct hw_irq_source *b)
{
	return a->bus_range == b->bus_range && a->sid == b->sid &&
	       (!a->bus_range || (a->first_bus == b->first_bus && a->last_bus == b->last_bus));
}

/* One device's interrupt against the units and the ledger; true if they agree. */
static bool irq_agrees(unsigned i, const struct device_irq *di, const char **why)
{
	struct hw_irq_entry e;

	*why = NULL;
	if (device_owner(&iommu_devices[i]) == LEDGER_QUARANTINE)
		*why = "an interrupt of a device in quarantine";
	else if (!hw_irq_allocated(di->index) || hw_irq_entry_get(di->index, &e) != HW_IRQ_OK ||
	         !e.present)
		*why = "its entry is not present";
	else if (e.vector != di->vector || e.apic_id != di->apic_id ||
	         !same_source(&e.src, &di->src))
		*why = "its entry holds another vector, destination or source";
	else if (ward_debug_cap_type(di->slot) != WARD_OBJ_IRQ_HANDLER)
		*why = "no IRQHandler behind it";
	return *why == NULL;
}

/* The device whose interrupt uses entry `index`, or IOMMU_MAX_DEVICES. */
static unsigned irq_owner(unsigned index)
{
	for (unsigned i = 0; i < IOMMU_MAX_DEVICES; i++)
		if (device_irqs[i].live && device_irqs[i].index == index)
			return i;
	return IOMMU_MAX_DEVICES;
}

unsigned device_irq_check(bool quiet)
{
	unsigned bad = 0, entries = hw_irq_entries();
	struct hw_irq_entry e;
	const char *why;

	if (!quiet && entries != 0)
		ward_printf("interrupt entry device    vector APIC source\n");
	for (unsigned i = 0; i < IOMMU_MAX_DEVICES; i++) {
		const struct device_irq *di = &device_irqs[i];
		uint32_t sbdf = iommu_devices[i].sbdf;

		if (!di->live)
			continue;
		if (!quiet)
			ward_printf("%-15u %02x:%02x.%u   %#-6x %-4u %04x\n", di->index,
			            PCI_SBDF_BUS(sbdf), PCI_SBDF_DEV(sbdf), PCI_SBDF_FN(sbdf),
			            di->vector, di->apic_id, di->src.sid);
		if (!irq_agrees(i, di, &why)) {
			bad++;
			ward_printf("MISMATCH interrupt %u of %02x:%02x.%u: %s\n", di->index,
			            PCI_SBDF_BUS(sbdf), PCI_SBDF_DEV(sbdf), PCI_SBDF_FN(sbdf), why);
		}
	}
	/* Every present entry must be one of those: none left behind by a teardown. */
	for (unsigned k = 0; k < entries; k++)
		if (hw_irq_entry_get(k, &e) != HW_IRQ_OK ||
		    (e.present && irq_owner(k) == IOMMU_MAX_DEVICES)) {
			bad++;
			ward_printf(
			        "MISMATCH interrupt entry %u: present (or unreadable), no device "
			        "has it\n",
			        k);
		}
	return bad;
}

uint64_t device_irq_delivered(const struct iommu_device *dv)
{
	const struct device_irq *di = &device_irqs[device_index(dv)];
	uint64_t count = 0;

	if (di->slot != 0 && ward_irq_handler_count(di->slot, &count) != WARD_OK)
		count = 0;
	return count;
}

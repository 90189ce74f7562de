/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Started as the module "pci", this program checks what the root task gives
 * the PCI server: the MCFG's ECAM window mapped as device memory and listed
 * in the start information, the service endpoint, the PCI endpoint
 * (unbadged), the device untyped of the PCI MMIO window, a 1 MiB untyped
 * with its VSpace cap, and no interrupts. It reads the host bridge's IDs
 * through the window. Prints TAP.
 */
#include <stdint.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/sys.h>
#include "../ptap.h"

#define PLAN    6
#define MMIO_LO 0xc0000000ULL /* roles.c: the PCI MMIO window */
#define MMIO_HI 0xfec00000ULL

static uint32_t config_read32(const struct ward_device_window *w, unsigned bus, unsigned dev,
                              unsigned fn, unsigned reg)
{
	uint64_t off = ((uint64_t)(bus - w->first_bus) << 20) | (dev << 15) | (fn << 12) | reg;
	return *(volatile uint32_t *)(w->vaddr + off);
}

/* Every grant a device untyped inside the MMIO window, in the slot it names. */
static bool mmio_given(const struct ward_startinfo *si)
{
	for (unsigned i = 0; i < si->devmem_count; i++) {
		const struct ward_devmem_grant *g = &si->devmem[i];
		if (ward_debug_cap_type(g->slot) != WARD_OBJ_UNTYPED || g->phys < MMIO_LO ||
		    g->phys + (1ULL << g->bits) > MMIO_HI)
			return false;
	}
	return si->devmem_count > 0;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	const struct ward_device_window *w = &si->windows[0];
	unsigned devices = 0;

	ptap_plan(PLAN);
	ptap_ok(si->window_count == 1 && w->kind == WARD_WINDOW_ECAM &&
	                w->size == (uint64_t)(w->last_bus - w->first_bus + 1) << 20 &&
	                w->vaddr >= WARD_PROC_DEVICE_BASE,
	        "one ECAM window: segment %u, buses %u-%u, 0x%llx at 0x%llx", w->segment,
	        w->first_bus, w->last_bus, (unsigned long long)w->phys,
	        (unsigned long long)w->vaddr);
	if (si->window_count == 0)
		return 1;
	uint32_t id = config_read32(w, w->first_bus, 0, 0, 0);
	ptap_ok((id & 0xffff) == 0x8086, "00:00.0 through the window: vendor 0x%04x device 0x%04x",
	        id & 0xffff, id >> 16);
	for (unsigned dev = 0; dev < 32; dev++)
		devices += (config_read32(w, w->first_bus, dev, 0, 0) & 0xffff) != 0xffff;
	ptap_ok(devices >= 2, "%u devices answer on bus %u", devices, w->first_bus);
	ptap_ok(ward_debug_cap_type(WARD_PROC_CAP_SERVICE) == WARD_OBJ_ENDPOINT &&
	                ward_debug_cap_type(WARD_PROC_CAP_CNODE) == WARD_OBJ_CNODE,
	        "slots 1 and 2: the service endpoint and its own CNode");
	ptap_ok(si->pci_endpoint >= WARD_PROC_CAP_FIRST_ROLE &&
	                ward_debug_cap_type(si->pci_endpoint) == WARD_OBJ_ENDPOINT &&
	                mmio_given(si),
	        "the PCI endpoint in slot %u and %u device untyped of the MMIO window",
	        si->pci_endpoint, si->devmem_count);
	ptap_ok(si->untyped_bits == 20 && si->irq_count == 0 &&
	                ward_debug_cap_type(WARD_PROC_CAP_VSPACE) == WARD_OBJ_PML4 &&
	                ward_debug_cap_type(WARD_PROC_CAP_UNTYPED) == WARD_OBJ_UNTYPED,
	        "a 1 MiB untyped and its VSpace cap, no interrupts");
	return ptap_exit_status();
}

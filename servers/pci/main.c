/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PCI server as a process started by the root task (module "pci").
 * Everything it does is in the library (pci_service.h); this file turns
 * the start information (ward/startinfo.h) into a struct pci_server_config.
 *
 * What the root task grants the "pci" role today (servers/root/roles.c):
 * every MCFG ECAM window, mapped, and the root service endpoint; with
 * `untyped=BITS` in the module's arguments also an untyped and its VSpace
 * cap. That is enough to build the device table, quiesce every endpoint,
 * enable ACS, compute the groups and print the listing at boot. It is not
 * yet enough to serve: the protocol endpoint must be one the root task
 * also hands (badged PCI_BADGE_PRIVILEGED) to the IOMMU server, and
 * MAP_BAR and MSIX_SET need the device untyped covering the PCI MMIO
 * windows. The start information has no field for either yet, so after
 * start-up this process says what it lacks and exits; the hardware stays
 * in the safe state start-up left it in. tests/qemu/pci_server.c runs the
 * same library as a thread with the complete configuration.
 */
#include <string.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "pci_service.h"

/* Above the device windows (WARD_PROC_DEVICE_BASE) the root task maps. */
#define PCI_PROC_OWN_VA 0x0000300000000000ULL

static void pci_config_from_startinfo(const struct ward_startinfo *si,
                                      struct pci_server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cspace = WARD_PROC_CAP_CNODE;
	cfg->slot_first = si->free_first;
	cfg->slot_count = si->free_last > si->free_first ? si->free_last - si->free_first : 0;
	cfg->tsc_hz = si->tsc_hz;
	cfg->va_base = PCI_PROC_OWN_VA;
	cfg->print_listing = true;
	if (si->untyped_bits != 0) {
		cfg->vspace = WARD_PROC_CAP_VSPACE;
		cfg->ram_untyped = WARD_PROC_CAP_UNTYPED;
	}
	for (unsigned i = 0; i < si->window_count && i < WARD_STARTINFO_WINDOWS; i++) {
		const struct ward_device_window *w = &si->windows[i];
		struct pci_ecam_mapping *m = &cfg->ecam[cfg->necam];

		if (w->kind != WARD_WINDOW_ECAM || cfg->necam == PCI_ECAM_MAX)
			continue;
		/* MCFG's base is where bus 0 would be; the window starts at first_bus. */
		m->window.base = w->phys - ((uint64_t)w->first_bus << PCI_ECAM_BUS_SHIFT);
		m->window.segment = w->segment;
		m->window.start_bus = w->first_bus;
		m->window.end_bus = w->last_bus;
		m->va = (volatile void *)w->vaddr;
		cfg->necam++;
	}
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	struct pci_server_config cfg;

	if (si == NULL || si->magic != WARD_STARTINFO_MAGIC) {
		ward_printf("PCI server: no start information\n");
		return 1;
	}
	pci_config_from_startinfo(si, &cfg);
	if (pci_server_init(&cfg) == NULL)
		return 1;
	ward_printf("PCI server: device table built, endpoints quiesced; the start information "
	            "grants no protocol endpoint or MMIO untyped yet, so nothing to serve\n");
	return 0;
}

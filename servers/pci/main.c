/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PCI server as a process started by the root task (module "pci").
 * Everything it does is in the library (pci_service.h); this file turns
 * the start information (ward/startinfo.h) into a struct pci_server_config.
 *
 * What the root task grants the "pci" role (servers/root/roles.c): every
 * MCFG ECAM window, mapped; the PCI endpoint, unbadged with all rights (it
 * receives on it and mints device caps from it); the device untyped of the
 * PCI MMIO window (for MAP_BAR and MSIX_SET); an untyped with its VSpace
 * cap, from which it makes its reply object and its page tables. With all
 * of that it builds the device table, quiesces every endpoint, prints the
 * listing and serves for as long as the system runs (the module is started
 * with `server`). Without an endpoint (started by something that grants
 * none) it stops after the listing, leaving the hardware in the safe state
 * start-up left it in.
 */
#include <string.h>
#include <ward/invoke.h>
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
	cfg->endpoint = si->pci_endpoint;
	for (unsigned i = 0; i < si->devmem_count && i < WARD_STARTINFO_DEVMEM; i++) {
		if (cfg->ndevmem == PCI_DEVMEM_MAX)
			break;
		cfg->devmem[cfg->ndevmem++] = (struct pci_devmem_region){
		        .cap = si->devmem[i].slot,
		        .base = si->devmem[i].phys,
		        .bits = si->devmem[i].bits,
		};
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

/* The reply object the server answers through, made in the first free slot. */
static bool pci_make_reply(struct pci_server_config *cfg)
{
	if (cfg->ram_untyped == 0 || cfg->slot_count < 2 ||
	    ward_untyped_retype(cfg->ram_untyped, WARD_OBJ_REPLY, 0, cfg->cspace, 0, 0,
	                        cfg->slot_first, 1) != WARD_OK)
		return false;
	cfg->reply = cfg->slot_first++;
	cfg->slot_count--;
	return true;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	struct pci_server_config cfg;
	struct pci_server *s;

	if (si == NULL || si->magic != WARD_STARTINFO_MAGIC) {
		ward_printf("PCI server: no start information\n");
		return 1;
	}
	pci_config_from_startinfo(si, &cfg);
	if (cfg.endpoint != 0 && !pci_make_reply(&cfg)) {
		ward_printf("PCI server: no memory for a reply object\n");
		return 1;
	}
	if ((s = pci_server_init(&cfg)) == NULL)
		return 1;
	if (cfg.endpoint == 0) {
		ward_printf("PCI server: no endpoint granted, nothing to serve\n");
		return 0;
	}
	ward_printf("PCI server: serving (%u MMIO untyped)\n", cfg.ndevmem);
	/* Returns only if Recv fails: the endpoint is gone. */
	ward_printf("PCI server: stopped serving (%llu)\n", (unsigned long long)pci_server_run(s));
	return 1;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Started as the module "iommu" next to the real PCI server (module "pci
 * server"), this program is a client of the pci *process*: through the
 * privileged cap the root task gives the iommu role it lists the functions
 * (default q35: the host bridge 00:00.0 8086:29c0 and the ICH9 functions),
 * asks for a device-badged cap to one function, and checks that this cap
 * describes its own function and is refused for another. Prints TAP.
 */
#include <stdint.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include "../../ptap.h"
#include "pci_service.h"

#define PLAN      7
#define MAX_FUNCS 64
#define HOST      PCI_SBDF(0, 0, 0, 0)

struct desc {
	uint64_t vendor, device, class_rev, header, type, flags, command, group, nalias, buses;
};

static uint32_t funcs[MAX_FUNCS];
static unsigned nfuncs;

static enum ward_error describe(uint64_t ep, uint64_t sbdf, struct desc *d)
{
	return pci_describe(ep, sbdf, &d->vendor, &d->device, &d->class_rev, &d->header, &d->type,
	                    &d->flags, &d->command, &d->group, &d->nalias, &d->buses);
}

/* Every function LIST reports, in funcs[]; false if a request failed. */
static bool list_all(uint64_t ep)
{
	uint64_t cursor = 0, next, count, s[PCI_LIST_BATCH];

	while (cursor != PCI_LIST_END) {
		if (pci_list(ep, cursor, 0, 0, 0, 0, &next, &count, &s[0], &s[1], &s[2], &s[3],
		             &s[4], &s[5], &s[6], &s[7]) != WARD_OK ||
		    count > PCI_LIST_BATCH)
			return false;
		for (uint64_t i = 0; i < count && nfuncs < MAX_FUNCS; i++)
			funcs[nfuncs++] = (uint32_t)s[i];
		cursor = next;
	}
	return true;
}

static bool listed(uint32_t sbdf)
{
	for (unsigned i = 0; i < nfuncs; i++)
		if (funcs[i] == sbdf)
			return true;
	return false;
}

/* The first function that is not the platform's: one a driver could own. */
static uint32_t first_device(uint64_t ep)
{
	struct desc d;

	for (unsigned i = 0; i < nfuncs; i++)
		if (describe(ep, funcs[i], &d) == WARD_OK && !(d.flags & PCI_DESC_PLATFORM))
			return funcs[i];
	return HOST;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t priv = si->pci_endpoint, dev_cap = si->free_first, badge = 0, lspci = 0;
	struct desc host = {0}, mine = {0}, other;
	uint64_t next, count, s[PCI_LIST_BATCH];
	uint32_t target;
	bool ok;

	ptap_plan(PLAN);
	ptap_ok(priv != 0 && ward_debug_cap_type(priv) == WARD_OBJ_ENDPOINT,
	        "the PCI endpoint (privileged) in slot %llu", (unsigned long long)priv);
	ok = list_all(priv) && pci_lspci(priv, &lspci) == WARD_OK;
	ptap_ok(ok && nfuncs == lspci && nfuncs >= 4,
	        "LIST from the pci process: %u functions, as LSPCI counts (%llu)", nfuncs,
	        (unsigned long long)lspci);
	ok = listed(HOST) && describe(priv, HOST, &host) == WARD_OK;
	ptap_ok(ok && host.vendor == 0x8086 && host.device == 0x29c0,
	        "00:00.0 is listed: %04llx:%04llx", (unsigned long long)host.vendor,
	        (unsigned long long)host.device);
	target = first_device(priv);
	ok = target != HOST &&
	     pci_device_cap_into(priv, WARD_PROC_CAP_CNODE, dev_cap, target, &badge) == WARD_OK;
	ptap_ok(ok && pci_badge_is_device(badge), "DEVICE_CAP for %02x:%02x.%u: badge 0x%llx",
	        PCI_SBDF_BUS(target), PCI_SBDF_DEV(target), PCI_SBDF_FN(target),
	        (unsigned long long)badge);
	ok = describe(dev_cap, target, &mine) == WARD_OK &&
	     describe(priv, target, &other) == WARD_OK;
	ptap_ok(ok && mine.vendor == other.vendor && mine.device == other.device,
	        "the device cap describes its own function: %04llx:%04llx",
	        (unsigned long long)mine.vendor, (unsigned long long)mine.device);
	ptap_ok(describe(dev_cap, HOST, &other) == PCI_ERR_WRONG_DEVICE,
	        "the device cap is refused for 00:00.0 (WRONG_DEVICE)");
	ptap_ok(pci_list(dev_cap, 0, 0, 0, 0, 0, &next, &count, &s[0], &s[1], &s[2], &s[3], &s[4],
	                 &s[5], &s[6], &s[7]) == PCI_ERR_DENIED,
	        "the device cap is refused LIST (DENIED)");
	return ptap_exit_status();
}

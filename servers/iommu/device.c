/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Devices: every PCI function the PCI server lists (but host bridges and
 * IOMMUs) is in exactly one place, quarantine or a client's domain; it is
 * never unowned. At start every function and each of its DMA aliases
 * points at the quarantine domain (no mappings but RMRR identity maps:
 * DMA is blocked) before translation is enabled. ATTACH moves a device
 * from quarantine into a domain, DETACH back; both rewrite the context
 * entries of the device and its aliases, invalidate the context cache and
 * the IOTLB of the domain it left, and wait.
 *
 * RMRRs (DMAR): their ranges are never mappable, and a device an RMRR
 * names keeps the identity map in quarantine and in every domain it joins
 * (XSA-400). Only scopes of one hop below a bus are resolved.
 */
#include <string.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "acpi.h"
#include "iommu_server.h"
#include "iommu_state.h"
#include "pci_service.h"

struct iommu_device iommu_devices[IOMMU_MAX_DEVICES];
unsigned iommu_device_count;
uint64_t iommu_pci_ep;
struct iommu_rmrr iommu_rmrrs[IOMMU_MAX_RMRR];
unsigned iommu_rmrr_count;
static uint16_t rmrr_sids[IOMMU_MAX_RMRR];
static unsigned rmrr_sid_count;

static void rmrr_scopes(struct acpi_dmar_unit *u)
{
	struct acpi_dmar_scope sc;

	while (acpi_dmar_scope_next(&u->scopes, &sc))
		if (sc.path_len == 1 && rmrr_sid_count < IOMMU_MAX_RMRR)
			rmrr_sids[rmrr_sid_count++] =
			        (uint16_t)(sc.start_bus << 8 | sc.path[0].device << 3 |
			                   sc.path[0].function);
}

void dmar_read(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	struct acpi_table t;
	struct acpi_dmar dmar;
	struct acpi_dmar_unit u;

	if (si->dmar_length == 0 || acpi_table_check(si->dmar, si->dmar_length, &t) != ACPI_OK ||
	    acpi_dmar_parse(&t, &dmar, NULL) != ACPI_OK) {
		ward_printf("no usable DMAR table: no RMRRs known\n");
		return;
	}
	while (acpi_dmar_next(&dmar.units, &u))
		if (u.known && u.type == ACPI_DMAR_TYPE_RMRR && iommu_rmrr_count < IOMMU_MAX_RMRR) {
			iommu_rmrrs[iommu_rmrr_count++] = (struct iommu_rmrr){u.base, u.limit};
			rmrr_scopes(&u);
		}
}

static bool rmrr_names(uint16_t sid)
{
	for (unsigned i = 0; i < rmrr_sid_count; i++)
		if (rmrr_sids[i] == sid)
			return true;
	return false;
}

/* Identity-maps every RMRR not mapped yet into a table (read and write). */
static bool rmrr_map(struct hw_table *t)
{
	unsigned rights;
	uint64_t size;

	for (unsigned i = 0; i < iommu_rmrr_count; i++) {
		uint64_t a = iommu_rmrrs[i].base & ~(IOMMU_PAGE - 1);
		uint64_t end = (iommu_rmrrs[i].end | (IOMMU_PAGE - 1)) + 1;

		if (hw_lookup(t, a, &rights, &size) == a && rights != 0)
			continue;
		if (!hw_map(t, a, a, end - a, IOMMU_RIGHTS_ALL))
			return false;
	}
	return true;
}

struct iommu_device *device_by_sid(uint16_t sid)
{
	for (unsigned i = 0; i < iommu_device_count; i++) {
		struct iommu_device *dv = &iommu_devices[i];
		if ((dv->sbdf & 0xffff) == sid)
			return dv;
		for (unsigned k = 0; k < dv->nalias; k++)
			if (dv->alias[k] == sid)
				return dv;
	}
	return NULL;
}

static struct iommu_device *device_by_sbdf(uint64_t sbdf)
{
	for (unsigned i = 0; i < iommu_device_count; i++)
		if (iommu_devices[i].sbdf == sbdf)
			return &iommu_devices[i];
	return NULL;
}

/* Points one source ID at a domain's table, or (d NULL) at quarantine. */
static bool sid_point(const struct iommu_device *dv, uint16_t sid, const struct iommu_domain *d)
{
	if (d != NULL)
		return hw_attach(sid, d->table, d->did);
	if (dv->rmrr)
		return hw_attach(sid, iommu_rmrr_quarantine, IOMMU_RMRR_QUARANTINE_DID);
	return hw_block(sid);
}

/*
 * Points the device and its aliases at a domain or quarantine; the
 * backend queues the context-cache and IOTLB invalidations each change
 * needs, the caller waits.
 */
static bool device_point(struct iommu_device *dv, const struct iommu_domain *d)
{
	bool ok = sid_point(dv, (uint16_t)dv->sbdf, d);

	for (unsigned k = 0; k < dv->nalias; k++)
		ok = sid_point(dv, dv->alias[k], d) && ok;
	return ok;
}

/* Adds one listed function with its aliases; false if the table is full. */
static bool device_add(uint64_t sbdf)
{
	uint64_t vendor, device, class_rev, header, type, flags, command, group, nalias, buses, a;
	struct iommu_device *dv;

	if (pci_describe(iommu_pci_ep, sbdf, &vendor, &device, &class_rev, &header, &type, &flags,
	                 &command, &group, &nalias, &buses) != WARD_OK ||
	    (flags & PCI_DESC_PLATFORM))
		return true;
	if (iommu_device_count == IOMMU_MAX_DEVICES)
		return false;
	dv = &iommu_devices[iommu_device_count++];
	*dv = (struct iommu_device){.sbdf = (uint32_t)sbdf, .domain = IOMMU_NO_DOMAIN};
	for (uint64_t k = 0; k < nalias && dv->nalias < 4; k++)
		if (pci_alias(iommu_pci_ep, sbdf, k, &a) == WARD_OK && a != sbdf)
			dv->alias[dv->nalias++] = (uint16_t)a;
	dv->rmrr = rmrr_names((uint16_t)sbdf);
	return true;
}

bool device_init(void)
{
	uint64_t cursor = 0, next, count, s[PCI_LIST_BATCH];

	if (iommu_pci_ep == 0 || !rmrr_map(iommu_rmrr_quarantine))
		return false;
	while (cursor != PCI_LIST_END) {
		if (pci_list(iommu_pci_ep, cursor, 0, 0, 0, 0, &next, &count, &s[0], &s[1], &s[2],
		             &s[3], &s[4], &s[5], &s[6], &s[7]) != WARD_OK)
			return false;
		for (uint64_t i = 0; i < count && i < PCI_LIST_BATCH; i++)
			if (!device_add(s[i]))
				return false;
		cursor = next;
	}
	for (unsigned i = 0; i < iommu_device_count; i++)
		if (!device_point(&iommu_devices[i], NULL))
			return false;
	return true;
}

/* Back to quarantine, invalidated and waited for; false if the wait failed. */
bool device_quarantine_domain_one(struct iommu_device *dv)
{
	struct iommu_domain *d = &iommu_domains[dv->domain];
	bool ok = device_point(dv, NULL);

	hw_inv_domain(d->did);
	ok = hw_inv_wait() && ok;
	d->devices--;
	dv->domain = IOMMU_NO_DOMAIN;
	return ok;
}

bool device_quarantine_domain(unsigned di)
{
	bool ok = true;

	for (unsigned i = 0; i < iommu_device_count; i++)
		if (iommu_devices[i].domain == di)
			ok = device_quarantine_domain_one(&iommu_devices[i]) && ok;
	return ok;
}

enum ward_error iommu_serve_attach(struct ward_request *rq, uint64_t domain, uint64_t sbdf)
{
	struct iommu_domain *d;
	struct iommu_device *dv;

	if (!iommu_badge_is_privileged(rq->badge))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	if ((d = domain_by_badge(domain)) == NULL)
		return ward_fail(rq, IOMMU_ERR_NO_DOMAIN, 0, 0, 0);
	if ((dv = device_by_sbdf(sbdf)) == NULL)
		return ward_fail(rq, IOMMU_ERR_NO_DEVICE, 1, 0, 0);
	if (dv->domain != IOMMU_NO_DOMAIN)
		return ward_fail(rq, IOMMU_ERR_ATTACHED, 1, 0, 0);
	if (dv->rmrr && !rmrr_map(d->table))
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 0, 0, 0);
	d->rmrr_mapped |= dv->rmrr;
	dv->domain = (uint16_t)(d - iommu_domains);
	d->devices++;
	if (!device_point(dv, d)) {
		hw_inv_wait();
		device_quarantine_domain_one(dv);
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 1, 0, 0);
	}
	if (!hw_inv_wait()) {
		device_quarantine_domain_one(dv);
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 1, 0, 0);
	}
	return WARD_OK;
}

enum ward_error iommu_serve_detach(struct ward_request *rq, uint64_t sbdf)
{
	struct iommu_device *dv;

	if (!iommu_badge_is_privileged(rq->badge))
		return ward_fail(rq, IOMMU_ERR_DENIED, WARD_ARG_CAP, 0, 0);
	if ((dv = device_by_sbdf(sbdf)) == NULL)
		return ward_fail(rq, IOMMU_ERR_NO_DEVICE, 0, 0, 0);
	if (dv->domain == IOMMU_NO_DOMAIN)
		return ward_fail(rq, IOMMU_ERR_ATTACHED, 0, 0, 0);
	if (!device_quarantine_domain_one(dv))
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 0, 0, 0);
	return WARD_OK;
}

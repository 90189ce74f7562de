/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Devices and the steps that move them. Every PCI function the PCI server
 * lists (but host bridges and IOMMUs) is in the ledger (core/ledger.h),
 * in the group the PCI server names, owned by quarantine or by one client
 * domain. At start every function and each of its DMA aliases points at
 * quarantine (no mappings but RMRR identity maps: DMA blocked) before
 * translation is enabled. Every later change of owner (ASSIGN, RELEASE,
 * a fault storm, a client's death) is one ledger_move(), whose steps are
 * this file's: bus mastering and revocation through the PCI server, the
 * group's device cap, context entries and invalidation through hw.c, the
 * reset through the PCI server.
 *
 * RMRRs (DMAR) and IVMDs (IVRS), both called RMRRs here: their ranges
 * are never mappable, and a device one names keeps the identity map in
 * quarantine and in every domain it joins (XSA-400). Only RMRR scopes of
 * one hop below a bus are resolved; IVMDs name DeviceIDs (requester IDs).
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "acpi.h"
#include "amdvi.h"
#include "device_irq.h"
#include "iommu_server.h"
#include "iommu_state.h"
#include "pci_service.h"

struct iommu_device iommu_devices[IOMMU_MAX_DEVICES];
struct iommu_group_caps iommu_group_caps[IOMMU_MAX_DEVICES];
struct ledger iommu_ledger;
uint64_t iommu_pci_ep;
struct iommu_rmrr iommu_rmrrs[IOMMU_MAX_RMRR];
unsigned iommu_rmrr_count;
static struct ledger_device ledger_devices[IOMMU_MAX_DEVICES];
static struct ledger_group ledger_groups[IOMMU_MAX_DEVICES];
/* The requester IDs reserved memory is named for: [first, last] each. */
static struct {
	uint16_t first, last;
} rmrr_sids[IOMMU_MAX_RMRR];
static unsigned rmrr_sid_count;

static void rmrr_name(uint16_t first, uint16_t last)
{
	if (rmrr_sid_count < IOMMU_MAX_RMRR) {
		rmrr_sids[rmrr_sid_count].first = first;
		rmrr_sids[rmrr_sid_count++].last = last;
	}
}

static void rmrr_scopes(struct acpi_dmar_unit *u)
{
	struct acpi_dmar_scope sc;

	while (acpi_dmar_scope_next(&u->scopes, &sc))
		if (sc.path_len == 1) {
			uint16_t sid = (uint16_t)(sc.start_bus << 8 | sc.path[0].device << 3 |
			                          sc.path[0].function);
			rmrr_name(sid, sid);
		}
}

/* The RMRRs (Intel VT-d 4.1, §8.4) of the DMAR copy the root task gave; false: none given. */
static bool dmar_read(const struct ward_startinfo *si)
{
	struct acpi_table t;
	struct acpi_dmar dmar;
	struct acpi_dmar_unit u;

	if (si->dmar_length == 0 || acpi_table_check(si->dmar, si->dmar_length, &t) != ACPI_OK ||
	    acpi_dmar_parse(&t, &dmar, NULL) != ACPI_OK)
		return false;
	while (acpi_dmar_next(&dmar.units, &u))
		if (u.known && u.type == ACPI_DMAR_TYPE_RMRR && iommu_rmrr_count < IOMMU_MAX_RMRR) {
			iommu_rmrrs[iommu_rmrr_count++] =
			        (struct iommu_rmrr){u.base, u.limit, IOMMU_RIGHTS_ALL};
			rmrr_scopes(&u);
		}
	return true;
}

/*
 * An IVMD's rights (AMD IOMMU 48882, §5.2.3, IVMD flags): a Unity range
 * with its IR and IW; an exclusion range, which the hardware would let
 * through untranslated, read and write; neither: nothing to keep.
 */
static unsigned ivmd_rights(uint8_t flags)
{
	if (flags & AMDVI_IVMD_EXCLUSION)
		return IOMMU_RIGHTS_ALL;
	if (!(flags & AMDVI_IVMD_UNITY))
		return 0;
	return (flags & AMDVI_IVMD_READ ? IOMMU_READ : 0) |
	       (flags & AMDVI_IVMD_WRITE ? IOMMU_WRITE : 0);
}

/*
 * The IVMDs (48882 §5.2.3, types 20h all devices, 21h one, 22h a range
 * of DeviceIDs) of the IVRS copy the root task gave: kept like RMRRs, a
 * DeviceID being the requester ID. false: none given.
 */
static bool ivrs_read(const struct ward_startinfo *si)
{
	struct acpi_table t;
	struct acpi_ivrs ivrs;
	struct acpi_ivrs_block b;
	unsigned rights;

	if (si->ivrs_length == 0 || acpi_table_check(si->ivrs, si->ivrs_length, &t) != ACPI_OK ||
	    acpi_ivrs_parse(&t, &ivrs, NULL) != ACPI_OK)
		return false;
	while (acpi_ivrs_next(&ivrs.blocks, &b))
		if (b.is_ivmd && b.mem_length != 0 && (rights = ivmd_rights(b.flags)) != 0 &&
		    iommu_rmrr_count < IOMMU_MAX_RMRR) {
			iommu_rmrrs[iommu_rmrr_count++] =
			        (struct iommu_rmrr){b.start, b.start + b.mem_length - 1, rights};
			rmrr_name(b.device_id, b.last_device_id);
		}
	return true;
}

void reserved_read(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	bool dmar = dmar_read(si), ivrs = ivrs_read(si);

	if (!dmar && !ivrs)
		ward_printf("no usable DMAR or IVRS table: no reserved memory known\n");
}

static bool rmrr_names(uint16_t sid)
{
	for (unsigned i = 0; i < rmrr_sid_count; i++)
		if (sid >= rmrr_sids[i].first && sid <= rmrr_sids[i].last)
			return true;
	return false;
}

/* Identity-maps every RMRR (and IVMD) not mapped yet into a table, with its rights. */
static bool rmrr_map(struct hw_table *t)
{
	unsigned rights;
	uint64_t size;

	for (unsigned i = 0; i < iommu_rmrr_count; i++) {
		uint64_t a = iommu_rmrrs[i].base & ~(IOMMU_PAGE - 1);
		uint64_t end = (iommu_rmrrs[i].end | (IOMMU_PAGE - 1)) + 1;

		if (hw_lookup(t, a, &rights, &size) == a && rights != 0)
			continue;
		if (!hw_map(t, a, a, end - a, iommu_rmrrs[i].rights))
			return false;
	}
	return true;
}

uint16_t device_owner(const struct iommu_device *dv)
{
	return ledger_owner(&iommu_ledger, (uint16_t)(dv - iommu_devices));
}

const struct ledger_device *device_ledger(const struct iommu_device *dv)
{
	return &iommu_ledger.dev[dv - iommu_devices];
}

struct iommu_device *device_by_sid(uint16_t sid)
{
	uint16_t i = ledger_find_sid(&iommu_ledger, sid);

	return i == LEDGER_NONE ? NULL : &iommu_devices[i];
}

struct iommu_device *device_by_sbdf(uint64_t sbdf)
{
	uint16_t i = sbdf > UINT32_MAX ? LEDGER_NONE : ledger_find(&iommu_ledger, (uint32_t)sbdf);

	return i == LEDGER_NONE ? NULL : &iommu_devices[i];
}

/* --- the steps of a move (struct ledger_ops) ------------------------------ */

/*
 * Bus mastering off and the old owner's BAR frames and device-badged PCI
 * caps revoked in one PCI request (QUIESCE), so the REVOKE step below has
 * no PCI call of its own. Should a later member refuse, restore() turns
 * bus mastering back on for the earlier ones: they keep their owner and
 * device cap, which maps their BARs again (docs/iommu.md §13).
 */
static int step_bus_master(void *ctx, uint32_t sbdf, bool on, bool *was_on)
{
	uint64_t before = 0, after;
	enum ward_error err;

	(void)ctx;
	if (on)
		err = pci_bus_master(iommu_pci_ep, sbdf, true, &after, &before);
	else
		err = pci_quiesce(iommu_pci_ep, sbdf, &after, &before);
	*was_on = (before & PCI_COMMAND_MASTER) != 0;
	return (int)err;
}

/* The group's device cap: every copy goes, the slot is kept for the next owner's. */
static int step_retire(void *ctx, uint16_t group)
{
	struct iommu_group_caps *gc = &iommu_group_caps[group];

	(void)ctx;
	if (gc->device_slot != 0) {
		ward_cnode_revoke_delete(WARD_PROC_CAP_CNODE, gc->device_slot, 64);
	}
	return 0;
}

/* The PCI side of REVOKE was done by QUIESCE (step_bus_master). */
static int step_revoke(void *ctx, uint32_t sbdf)
{
	(void)ctx;
	(void)sbdf;
	return 0;
}

/* The device's interrupts (device_irq.c): MSI off, entry cleared and waited for, handler gone. */
static int step_irq_teardown(void *ctx, uint16_t device)
{
	(void)ctx;
	return device_irq_teardown(device);
}

static int step_point(void *ctx, uint16_t device, uint16_t sid, uint16_t domain)
{
	const struct iommu_device *dv = &iommu_devices[device];
	struct iommu_domain *d;

	(void)ctx;
	if (domain == LEDGER_QUARANTINE) {
		if (dv->rmrr)
			return hw_attach(sid, iommu_rmrr_quarantine, IOMMU_RMRR_QUARANTINE_DID)
			               ? 0
			               : IOMMU_ERR_NO_MEMORY;
		return hw_block(sid) ? 0 : IOMMU_ERR_HARDWARE;
	}
	d = &iommu_domains[domain];
	if (dv->rmrr && !rmrr_map(d->table))
		return IOMMU_ERR_NO_MEMORY;
	d->rmrr_mapped |= dv->rmrr;
	return hw_attach(sid, d->table, d->did) ? 0 : IOMMU_ERR_HARDWARE;
}

/*
 * hw_attach()/hw_block() queued each device's context-cache invalidation;
 * the old domain's IOTLB goes too, then one wait covers all of it.
 */
static int step_flush(void *ctx, uint16_t from, uint16_t to)
{
	(void)ctx;
	(void)to;
	if (from != LEDGER_QUARANTINE)
		hw_inv_domain(iommu_domains[from].did);
	return hw_inv_wait() ? 0 : IOMMU_ERR_HARDWARE;
}

/*
 * No reset method (edu: conventional PCI, no FLR, no PM) is not a failure:
 * the device moves with bus mastering off, so nothing it was told to do
 * by its old owner reaches memory until the new owner turns it on; a PF
 * with VFs enabled is not reset either (the reset would end its VFs).
 * docs/iommu.md says what that leaves to the new owner.
 */
static int step_reset(void *ctx, uint16_t device, uint32_t sbdf)
{
	uint64_t method;
	enum ward_error err;

	(void)ctx;
	if (iommu_devices[device].no_reset)
		return LEDGER_SKIPPED; /* known at start: no call to be refused */
	err = pci_reset(iommu_pci_ep, sbdf, &method);
	if (err == PCI_ERR_UNSUPPORTED || err == PCI_ERR_IN_USE)
		return LEDGER_SKIPPED;
	return (int)err;
}

static int step_grant(void *ctx, uint16_t group, uint16_t domain)
{
	struct iommu_group_caps *gc = &iommu_group_caps[group];
	uint32_t generation = iommu_ledger.grp[group].generation + 1; /* after the move */

	(void)ctx;
	(void)domain;
	/* The slot is empty: the revoke step's retire deleted the last owner's cap. */
	if (gc->device_slot == 0 && (gc->device_slot = mem_root_slot()) == 0)
		return IOMMU_ERR_NO_MEMORY;
	if (ward_cnode_mint(WARD_PROC_CAP_CNODE, gc->device_slot, 64, WARD_PROC_CAP_CNODE,
	                    iommu_endpoint, 64,
	                    WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY,
	                    iommu_badge_slot(IOMMU_BADGE_DEVICE, group, generation)) != WARD_OK)
		return IOMMU_ERR_NO_MEMORY;
	return 0;
}

static uint64_t step_clock(void *ctx)
{
	(void)ctx;
	return iommu_tsc();
}

static const struct ledger_ops device_steps = {
        .clock = step_clock,
        .bus_master = step_bus_master,
        .retire = step_retire,
        .revoke = step_revoke,
        .irq_teardown = step_irq_teardown,
        .point = step_point,
        .flush = step_flush,
        .reset = step_reset,
        .grant = step_grant,
};

/* Keeps each domain's count of devices in step with a move's outcome. */
static void account(const struct ledger_result *r)
{
	unsigned n = iommu_ledger.grp[r->group].count;

	if (r->owner == r->from)
		return;
	if (r->from != LEDGER_QUARANTINE)
		iommu_domains[r->from].devices -= n;
	if (r->owner != LEDGER_QUARANTINE)
		iommu_domains[r->owner].devices += n;
}

enum ledger_err device_move(struct iommu_device *dv, uint16_t to, unsigned flags,
                            struct ledger_result *r)
{
	enum ledger_err err =
	        ledger_move(&iommu_ledger, (uint16_t)(dv - iommu_devices), to, flags, r);

	account(r);
	if (r->rollback == LEDGER_ROLLBACK_BROKEN)
		ward_printf("group %02x:%02x.%u: quarantine's invalidation failed: broken\n",
		            PCI_SBDF_BUS(r->group_id), PCI_SBDF_DEV(r->group_id),
		            PCI_SBDF_FN(r->group_id));
	return err;
}

bool device_release_domain(unsigned di)
{
	bool ok = true;

	for (unsigned g = 0; g < IOMMU_MAX_DEVICES; g++) {
		const struct ledger_group *gr = &iommu_ledger.grp[g];
		struct ledger_result r;

		if (gr->used && gr->owner == di)
			ok = device_move(&iommu_devices[gr->first], LEDGER_QUARANTINE,
			                 LEDGER_MOVE_GROUP | LEDGER_MOVE_FORCE, &r) == LEDGER_OK &&
			     ok;
	}
	return ok;
}

/* --- start ------------------------------------------------------------------- */

/* Adds one listed function with its aliases, in quarantine; false if the table is full. */
static bool device_add(uint64_t sbdf)
{
	uint64_t vendor, device, class_rev, header, type, flags, command, group, nalias, buses, a;
	uint64_t present, reset, k;
	uint16_t alias[LEDGER_MAX_ALIASES], index;
	unsigned n = 0;

	if (pci_describe(iommu_pci_ep, sbdf, &vendor, &device, &class_rev, &header, &type, &flags,
	                 &command, &group, &nalias, &buses) != WARD_OK ||
	    (flags & PCI_DESC_PLATFORM))
		return true;
	for (uint64_t k = 0; k < nalias && n < LEDGER_MAX_ALIASES; k++)
		if (pci_alias(iommu_pci_ep, sbdf, k, &a) == WARD_OK && a != sbdf)
			alias[n++] = (uint16_t)a;
	if (ledger_add(&iommu_ledger, (uint32_t)sbdf, (uint32_t)group, LEDGER_NONE, alias, n,
	               &index) != LEDGER_OK)
		return false;
	iommu_devices[index] = (struct iommu_device){.sbdf = (uint32_t)sbdf,
	                                             .rmrr = rmrr_names((uint16_t)sbdf),
	                                             .id = (uint32_t)(vendor << 16 | device),
	                                             .class_rev = (uint32_t)class_rev};
	if (pci_capabilities(iommu_pci_ep, sbdf, &present, &reset, &k, &k, &k, &k, &k, &k, &k,
	                     &k) == WARD_OK)
		iommu_devices[index].no_reset = reset == PCI_RESET_NONE;
	return true;
}

bool device_init(void)
{
	uint64_t cursor = 0, next, count, s[PCI_LIST_BATCH];

	ledger_init(&iommu_ledger, ledger_devices, IOMMU_MAX_DEVICES, ledger_groups,
	            IOMMU_MAX_DEVICES, &device_steps);
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
	for (unsigned i = 0; i < IOMMU_MAX_DEVICES; i++) {
		const struct ledger_device *d = &iommu_ledger.dev[i];
		if (!d->used)
			continue;
		if (step_point(NULL, (uint16_t)i, (uint16_t)d->sbdf, LEDGER_QUARANTINE) != 0)
			return false;
		for (unsigned k = 0; k < d->nalias; k++)
			if (step_point(NULL, (uint16_t)i, d->alias[k], LEDGER_QUARANTINE) != 0)
				return false;
	}
	return true;
}

unsigned device_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < IOMMU_MAX_DEVICES; i++)
		n += iommu_ledger.dev[i].used;
	return n;
}

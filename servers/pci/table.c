/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The device table. Built once at start-up from an enumeration of every
 * ECAM window (servers/pci/core does the walking, BAR sizing and
 * capability parsing); afterwards only SR-IOV changes it, by turning the
 * entries reserved behind a PF on and off. Entries never move, because a
 * device badge names its function by table index.
 *
 * Also here, the start-up rules that hold before any driver exists:
 * every endpoint is quiesced (no DMA, no interrupts) and ACS is enabled
 * on every root and downstream port, so the groups computed afterwards
 * are the smallest the hardware can isolate.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>

#include "pci_state.h"

/* Base class << 8 | subclass (PCI Code and ID Assignment 1.x, §1.7 and §1.9). */
#define PCI_CLASS_BRIDGE_HOST  0x0600u
#define PCI_CLASS_SYSTEM_IOMMU 0x0806u

static void pci_entry_init(struct pci_entry *e, const struct pci_dev *d)
{
	unsigned cls = d->class_code >> 8;

	memset(e, 0, sizeof(*e));
	e->dev = *d;
	e->present = true;
	e->generation = 1;
	e->parent = PCI_IDX_NONE;
	e->group = d->sbdf;
	e->pf = PCI_IDX_NONE;
	e->first_vf = PCI_IDX_NONE;
	e->cfg_size = d->is_pcie ? PCI_CFG_SPACE_EXP_SIZE : PCI_CFG_SPACE_SIZE;
	/*
	 * A host bridge is no DMA initiator a driver could own, and an IOMMU's
	 * table walks are its own bus-master traffic: turning that off would
	 * disable DMA remapping. Both belong to the platform, not to drivers.
	 */
	e->platform = d->header_type == PCI_HEADER_TYPE_NORMAL &&
	              (cls == PCI_CLASS_BRIDGE_HOST || cls == PCI_CLASS_SYSTEM_IOMMU);
}

static void pci_table_enumerate(struct pci_server *s)
{
	size_t total = 0;

	for (unsigned i = 0; i < s->cfg.necam; i++) {
		const struct pci_ecam_window *w = &s->cfg.ecam[i].window;
		struct pci_enum_params p = {w->segment, w->start_bus, w->end_bus};
		size_t count = 0;
		enum pci_err err = pci_enumerate(&pci_ecam_ops, s, &p, s->scratch + total,
		                                 PCI_TABLE_MAX - total, &count);

		/* Both errors leave valid records: use them, but say so. */
		if (err != PCI_OK)
			ward_printf("enumerating segment %u: %s\n", w->segment, pci_strerror(err));
		total += count;
	}
	for (size_t k = 0; k < total; k++)
		pci_entry_init(&s->e[k], &s->scratch[k]);
	s->n = (unsigned)total;
}

/*
 * No DMA and no interrupts until the IOMMU server assigns the function:
 * Bus Master Enable off (it gates both DMA and MSI writes, PCIe Base
 * §7.5.1.1.3), INTx disabled, MSI and MSI-X disabled. Bridges keep their
 * Bus Master Enable: on a bridge it only forwards what the functions below
 * send, and those are quiet now.
 */
void pci_entry_quiesce(struct pci_server *s, struct pci_entry *e)
{
	uint32_t sbdf = e->dev.sbdf;
	uint16_t cmd;

	if (e->dev.header_type != PCI_HEADER_TYPE_NORMAL || e->platform)
		return;
	cmd = pci_rd16(s, sbdf, PCI_COMMAND);
	pci_wr16(s, sbdf, PCI_COMMAND,
	         (uint16_t)((cmd & ~PCI_COMMAND_MASTER) | PCI_COMMAND_INTX_DISABLE));
	pci_msi_off(s, e);
}

/*
 * QEMU's pcie-root-port (and real ports) implement ACS but reset its
 * controls to 0; without Source Validation, P2P Redirect and Upstream
 * Forwarding a port does not isolate the functions below it (PCIe Base
 * §6.12), and every function under it would share one group.
 */
static void pci_table_enable_acs(struct pci_server *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct pci_dev *d = &s->e[i].dev;

		if (d->caps.acs == 0 || !d->is_pcie ||
		    (d->pcie_type != PCI_EXP_TYPE_ROOT_PORT &&
		     d->pcie_type != PCI_EXP_TYPE_DOWNSTREAM))
			continue;
		pci_acs_enable(&pci_ecam_ops, s, d->sbdf, d->caps.acs, &d->acs_cap, &d->acs_ctrl);
	}
}

enum ward_error pci_table_build(struct pci_server *s)
{
	unsigned enumerated;

	pci_table_enumerate(s);
	enumerated = s->n;
	for (unsigned i = 0; i < enumerated; i++)
		pci_entry_quiesce(s, &s->e[i]);
	pci_table_enable_acs(s);
	for (unsigned i = 0; i < enumerated; i++) {
		if (s->e[i].dev.caps.sriov != 0)
			pci_sriov_setup(s, &s->e[i]);
	}
	pci_table_regroup(s);
	return s->n > 0 ? WARD_OK : WARD_ERR_FAILED_LOOKUP;
}

struct pci_entry *pci_table_find(struct pci_server *s, uint64_t sbdf)
{
	unsigned h = sbdf <= 0xffff ? s->hint[sbdf] : 0;

	if (sbdf > UINT32_MAX)
		return NULL;
	if (h != 0 && h <= s->n && s->e[h - 1].present && s->e[h - 1].dev.sbdf == sbdf)
		return &s->e[h - 1];
	for (unsigned i = 0; i < s->n; i++) {
		if (s->e[i].present && s->e[i].dev.sbdf == sbdf) {
			if (sbdf <= 0xffff)
				s->hint[sbdf] = (uint16_t)(i + 1);
			return &s->e[i];
		}
	}
	return NULL;
}

uint32_t pci_table_index(const struct pci_server *s, const struct pci_entry *e)
{
	return (uint32_t)(e - s->e);
}

/* Copies what pci_group_compute() found for one function back into its entry. */
static void pci_regroup_entry(struct pci_server *s, const struct pci_dev *d, const uint32_t *leader)
{
	struct pci_entry *e = pci_table_find(s, d->sbdf);

	e->dev.group = d->group;
	e->dev.nalias = d->nalias;
	e->dev.alias_overflow = d->alias_overflow;
	memcpy(e->dev.alias, d->alias, sizeof(d->alias));
	e->group = leader[d->group];
	e->parent = PCI_IDX_NONE;
	if (d->parent != PCI_IDX_NONE)
		e->parent = pci_table_index(s, pci_table_find(s, s->scratch[d->parent].sbdf));
}

/*
 * Recomputes parents, DMA aliases and groups of every present function
 * (after start-up and after each SR-IOV change). The core numbers groups
 * densely, which would renumber them whenever VFs come or go; the group a
 * reply names is instead its lowest SBDF, which adding or removing VFs
 * does not change for any other group.
 */
void pci_table_regroup(struct pci_server *s)
{
	uint32_t leader[PCI_TABLE_MAX], ngroups = 0;
	size_t n = 0;

	for (unsigned i = 0; i < s->n; i++) {
		if (s->e[i].present)
			s->scratch[n++] = s->e[i].dev;
	}
	if (pci_group_compute(s->scratch, n, &ngroups) != PCI_OK)
		ward_printf("some function has more DMA aliases than %u\n", PCI_MAX_ALIASES);
	/* The table is sorted: a group's first record is its lowest SBDF. */
	for (size_t k = n; k-- > 0;)
		leader[s->scratch[k].group] = s->scratch[k].sbdf;
	for (size_t k = 0; k < n; k++)
		pci_regroup_entry(s, &s->scratch[k], leader);
	for (unsigned i = 0; i < s->n; i++) {
		if (s->e[i].present)
			pci_reset_choose(s, &s->e[i]);
	}
}

bool pci_entry_in_subtree(const struct pci_server *s, const struct pci_entry *e, uint32_t bridge)
{
	/* Parent links strictly decrease the bus number, so this ends. */
	for (uint32_t p = e->parent; p != PCI_IDX_NONE; p = s->e[p].parent) {
		if (p == bridge)
			return true;
	}
	return false;
}

uint64_t pci_entry_badge(const struct pci_server *s, const struct pci_entry *e)
{
	return pci_badge_device(pci_table_index(s, e), e->generation);
}

/*
 * Takes back everything handed out for a function: the DEVICE_CAP original
 * (Revoke deletes every copy, in every CSpace), the BAR frames (the same),
 * and moves it to a new generation so that caps some holder of the
 * unbadged endpoint cap minted with the old badge are refused too.
 */
void pci_entry_revoke(struct pci_server *s, struct pci_entry *e)
{
	if (e->device_cap != 0) {
		ward_cnode_revoke(s->cfg.cspace, e->device_cap, 64);
		ward_cnode_delete(s->cfg.cspace, e->device_cap, 64);
		pci_slot_free(s, e->device_cap, 1);
		e->device_cap = 0;
	}
	pci_bar_frames_revoke(s, e);
	/* 0 is never a generation, so a zero-filled badge field never matches. */
	if (++e->generation == 0)
		e->generation = 1;
}

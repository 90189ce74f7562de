/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Function reset, for handing a function from one owner to the next.
 * Methods, in order of preference (chosen per function, pci_reset_choose):
 *
 *  FLR  Function Level Reset (PCIe Base §6.6.2), if Device Capabilities
 *       advertises it: set Initiate FLR, then wait 100 ms before the
 *       function must answer configuration requests again.
 *  PM   D3hot -> D0 (PCI Bus Power Management 1.2 §5.6.1, §5.8), if the
 *       function has the PM capability without No_Soft_Reset: the D0
 *       transition then resets its state. 10 ms recovery after each
 *       transition (§5.6.1, Table 5-4 "D3hot -> D0").
 *  BUS  Secondary Bus Reset (PCI-to-PCI Bridge 1.2 §3.2.5.17) of the bridge
 *       directly above, only if every function below that bridge is in the
 *       function's IOMMU group: a group is assigned as a whole, so the reset
 *       touches nothing another owner holds. Held 2 ms (Trst >= 1 ms,
 *       PCI Local Bus 3.0 §4.3.2), then 100 ms (PCIe Base §6.6.1).
 *
 * A reset clears what firmware and the server programmed: BARs, Command,
 * bridge windows, the SR-IOV page size and VF BARs. They are saved before
 * and written back after (last the Command register, so nothing decodes
 * before its BARs are back). Bus mastering, INTx, MSI and MSI-X stay off:
 * the function returns in the state start-up left it in. Functions whose
 * configuration reads still fail 1 s after the reset are reported as
 * PCI_ERR_TIMEOUT.
 */
#include "pci_handlers.h"
#include "pci_state.h"

#define PCI_PM_STATE_D0    0u
#define PCI_PM_STATE_D3HOT 3u
#define PCI_HEADER_DWORDS  (PCI_STD_HEADER_SIZEOF / 4)
#define PCI_READY_MS       1000u

/* What a reset would lose. */
struct pci_saved {
	uint32_t hdr[PCI_HEADER_DWORDS];
	uint16_t devctl, lnkctl, devctl2, acs_ctrl;
	uint32_t sriov_pgsize;
	uint32_t vf_bar[PCI_SRIOV_NUM_BARS];
};

static struct pci_saved pci_saved[PCI_TABLE_MAX];

const char *pci_reset_name(unsigned method)
{
	static const char *const names[] = {"none", "FLR", "D3hot->D0", "secondary bus reset"};

	return method < sizeof(names) / sizeof(names[0]) ? names[method] : "?";
}

static bool pci_bus_reset_ok(const struct pci_server *s, const struct pci_entry *e)
{
	if (e->parent == PCI_IDX_NONE || s->e[e->parent].dev.header_type != PCI_HEADER_TYPE_BRIDGE)
		return false;
	for (unsigned i = 0; i < s->n; i++) {
		if (s->e[i].present && pci_entry_in_subtree(s, &s->e[i], e->parent) &&
		    s->e[i].group != e->group)
			return false;
	}
	return true;
}

void pci_reset_choose(struct pci_server *s, struct pci_entry *e)
{
	const struct pci_caps *c = &e->dev.caps;
	uint32_t sbdf = e->dev.sbdf;

	e->reset_method = PCI_RESET_NONE;
	if (e->dev.header_type != PCI_HEADER_TYPE_NORMAL || e->platform)
		return;
	if (c->pcie != 0 &&
	    (pci_rd32(s, sbdf, (uint16_t)(c->pcie + PCI_EXP_DEVCAP)) & PCI_EXP_DEVCAP_FLR))
		e->reset_method = PCI_RESET_FLR;
	else if (c->pm != 0 &&
	         !(pci_rd16(s, sbdf, (uint16_t)(c->pm + PCI_PM_CTRL)) & PCI_PM_CTRL_NO_SOFT_RESET))
		e->reset_method = PCI_RESET_PM;
	else if (pci_bus_reset_ok(s, e))
		e->reset_method = PCI_RESET_BUS;
}

static void pci_save(struct pci_server *s, const struct pci_entry *e, struct pci_saved *v)
{
	const struct pci_caps *c = &e->dev.caps;
	uint32_t f = e->dev.sbdf;

	for (unsigned i = 0; i < PCI_HEADER_DWORDS; i++)
		v->hdr[i] = pci_rd32(s, f, (uint16_t)(i * 4));
	if (c->pcie != 0) {
		v->devctl = pci_rd16(s, f, c->pcie + PCI_EXP_DEVCTL);
		v->lnkctl = pci_rd16(s, f, c->pcie + PCI_EXP_LNKCTL);
		v->devctl2 = pci_rd16(s, f, c->pcie + PCI_EXP_DEVCTL2);
	}
	if (c->acs != 0)
		v->acs_ctrl = pci_rd16(s, f, c->acs + PCI_ACS_CTRL);
	if (c->sriov != 0) {
		v->sriov_pgsize = pci_rd32(s, f, c->sriov + PCI_SRIOV_SYS_PGSIZE);
		for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS; i++)
			v->vf_bar[i] = pci_rd32(s, f, (uint16_t)(c->sriov + PCI_SRIOV_BAR + 4 * i));
	}
}

/* Header registers other than Command, by header type; Status (RW1C) never. */
static void pci_restore_header(struct pci_server *s, const struct pci_entry *e,
                               const struct pci_saved *v)
{
	uint32_t f = e->dev.sbdf;

	for (unsigned i = 0; i < e->dev.nbars; i++)
		pci_wr32(s, f, (uint16_t)(PCI_BASE_ADDRESS_0 + 4 * i),
		         v->hdr[PCI_BASE_ADDRESS_0 / 4 + i]);
	pci_wr8(s, f, PCI_CACHE_LINE_SIZE, (uint8_t)v->hdr[PCI_CACHE_LINE_SIZE / 4]);
	pci_wr8(s, f, PCI_LATENCY_TIMER, (uint8_t)(v->hdr[PCI_CACHE_LINE_SIZE / 4] >> 8));
	pci_wr8(s, f, PCI_INTERRUPT_LINE, (uint8_t)v->hdr[PCI_INTERRUPT_LINE / 4]);
	if (e->dev.header_type == PCI_HEADER_TYPE_NORMAL) {
		pci_wr32(s, f, PCI_ROM_ADDRESS, v->hdr[PCI_ROM_ADDRESS / 4]);
		return;
	}
	/* Type 1: bus numbers, windows and bridge control (PCI-to-PCI Bridge 1.2 §3.2). */
	pci_wr32(s, f, PCI_PRIMARY_BUS, v->hdr[PCI_PRIMARY_BUS / 4]);
	pci_wr16(s, f, PCI_IO_BASE, (uint16_t)v->hdr[PCI_IO_BASE / 4]);
	for (uint16_t off = PCI_MEMORY_BASE; off < PCI_CAPABILITY_LIST; off += 4)
		pci_wr32(s, f, off, v->hdr[off / 4]);
	pci_wr32(s, f, PCI_ROM_ADDRESS1, v->hdr[PCI_ROM_ADDRESS1 / 4]);
	pci_wr16(s, f, PCI_BRIDGE_CONTROL, (uint16_t)(v->hdr[PCI_BRIDGE_CONTROL / 4] >> 16));
}

static void pci_restore(struct pci_server *s, struct pci_entry *e, const struct pci_saved *v)
{
	const struct pci_caps *c = &e->dev.caps;
	uint32_t f = e->dev.sbdf;
	uint16_t cmd = (uint16_t)v->hdr[PCI_COMMAND / 4];

	pci_restore_header(s, e, v);
	if (c->pcie != 0) {
		pci_wr16(s, f, c->pcie + PCI_EXP_DEVCTL,
		         v->devctl & (uint16_t)~PCI_EXP_DEVCTL_BCR_FLR);
		pci_wr16(s, f, c->pcie + PCI_EXP_LNKCTL, v->lnkctl);
		pci_wr16(s, f, c->pcie + PCI_EXP_DEVCTL2, v->devctl2);
	}
	if (c->acs != 0)
		pci_wr16(s, f, c->acs + PCI_ACS_CTRL, v->acs_ctrl);
	if (c->sriov != 0) {
		pci_wr32(s, f, c->sriov + PCI_SRIOV_SYS_PGSIZE, v->sriov_pgsize);
		for (unsigned i = 0; i < PCI_SRIOV_NUM_BARS; i++)
			pci_wr32(s, f, (uint16_t)(c->sriov + PCI_SRIOV_BAR + 4 * i), v->vf_bar[i]);
	}
	if (e->dev.header_type == PCI_HEADER_TYPE_NORMAL)
		cmd = (uint16_t)((cmd & ~PCI_COMMAND_MASTER) | PCI_COMMAND_INTX_DISABLE);
	pci_wr16(s, f, PCI_COMMAND, cmd);
	pci_msi_off(s, e);
}

/* Polls until configuration reads answer again (Command not all-ones), as Linux's pci_dev_wait. */
static bool pci_wait_ready(struct pci_server *s, uint32_t sbdf, uint64_t start)
{
	while (pci_rd16(s, sbdf, PCI_COMMAND) == 0xffff) {
		if (pci_clock_ms(s) - start > PCI_READY_MS)
			return false;
		pci_delay_ms(s, 10);
	}
	return true;
}

static void pci_flr(struct pci_server *s, const struct pci_entry *e)
{
	uint16_t pcie = e->dev.caps.pcie;
	uint32_t f = e->dev.sbdf;

	/*
	 * PCIe Base §6.6.2 implementation note: stop new requests (Bus Master
	 * Enable off) and give outstanding ones up to 100 ms to complete
	 * (Transactions Pending) before the reset discards them.
	 */
	pci_wr16(s, f, PCI_COMMAND, (uint16_t)(pci_rd16(s, f, PCI_COMMAND) & ~PCI_COMMAND_MASTER));
	for (unsigned t = 0;
	     t < 10 && (pci_rd16(s, f, pcie + PCI_EXP_DEVSTA) & PCI_EXP_DEVSTA_TRPND); t++)
		pci_delay_ms(s, 10);
	pci_wr16(s, f, pcie + PCI_EXP_DEVCTL,
	         (uint16_t)(pci_rd16(s, f, pcie + PCI_EXP_DEVCTL) | PCI_EXP_DEVCTL_BCR_FLR));
	pci_delay_ms(s, 100);
}

static void pci_pm_reset(struct pci_server *s, const struct pci_entry *e)
{
	uint16_t ctrl = (uint16_t)(e->dev.caps.pm + PCI_PM_CTRL);
	uint16_t pmcsr = pci_rd16(s, e->dev.sbdf, ctrl) & (uint16_t)~PCI_PM_CTRL_STATE_MASK;

	pci_wr16(s, e->dev.sbdf, ctrl, pmcsr | PCI_PM_STATE_D3HOT);
	pci_delay_ms(s, 10);
	pci_wr16(s, e->dev.sbdf, ctrl, pmcsr | PCI_PM_STATE_D0);
	pci_delay_ms(s, 10);
}

static void pci_bus_reset(struct pci_server *s, const struct pci_entry *bridge)
{
	uint32_t f = bridge->dev.sbdf;
	uint16_t ctl = pci_rd16(s, f, PCI_BRIDGE_CONTROL);

	pci_wr16(s, f, PCI_BRIDGE_CONTROL, ctl | PCI_BRIDGE_CTL_BUS_RESET);
	pci_delay_ms(s, 2);
	pci_wr16(s, f, PCI_BRIDGE_CONTROL, ctl & (uint16_t)~PCI_BRIDGE_CTL_BUS_RESET);
	pci_delay_ms(s, 100);
}

/* The functions a reset of e touches: e alone, or everything below its bridge. */
static bool pci_reset_touches(const struct pci_server *s, const struct pci_entry *e,
                              const struct pci_entry *x)
{
	if (e->reset_method == PCI_RESET_BUS)
		return x->present && pci_entry_in_subtree(s, x, e->parent);
	return x == e;
}

/* Resets e with its method; false if a function touched did not come back. */
static bool pci_reset_function(struct pci_server *s, struct pci_entry *e)
{
	uint64_t start;
	bool ok = true;

	for (unsigned i = 0; i < s->n; i++) {
		if (pci_reset_touches(s, e, &s->e[i]))
			pci_save(s, &s->e[i], &pci_saved[i]);
	}
	start = pci_clock_ms(s);
	if (e->reset_method == PCI_RESET_FLR)
		pci_flr(s, e);
	else if (e->reset_method == PCI_RESET_PM)
		pci_pm_reset(s, e);
	else
		pci_bus_reset(s, &s->e[e->parent]);
	for (unsigned i = 0; i < s->n; i++) {
		if (!pci_reset_touches(s, e, &s->e[i]))
			continue;
		if (!pci_wait_ready(s, s->e[i].dev.sbdf, start))
			ok = false;
		else
			pci_restore(s, &s->e[i], &pci_saved[i]);
	}
	return ok;
}

enum ward_error pci_serve_reset(struct ward_request *rq, uint64_t sbdf, uint64_t *method)
{
	struct pci_server *s = rq->ctx;
	struct pci_entry *e;
	enum ward_error err;

	if ((err = pci_authorize(rq, sbdf, 0, true, &e)) != WARD_OK)
		return err;
	if (e->platform)
		return ward_fail(rq, PCI_ERR_PROTECTED, 0, 0, 0);
	if (e->reset_method == PCI_RESET_NONE)
		return ward_fail(rq, PCI_ERR_UNSUPPORTED, 0, 0, 0);
	/* A PF's reset would tear its VFs down under their owners: disable them first. */
	for (unsigned i = 0; i < s->n; i++) {
		if (pci_reset_touches(s, e, &s->e[i]) && s->e[i].vf_enabled != 0)
			return ward_fail(rq, PCI_ERR_IN_USE, 0, s->e[i].dev.sbdf, s->e[i].dev.sbdf);
	}
	if (!pci_reset_function(s, e))
		return ward_fail(rq, PCI_ERR_TIMEOUT, 0, 0, PCI_READY_MS);
	*method = e->reset_method;
	return WARD_OK;
}

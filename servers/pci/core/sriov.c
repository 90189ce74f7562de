/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SR-IOV Routing ID and VF BAR arithmetic (PCIe Base §9.3.3). VF RIDs are
 * computed in 64-bit arithmetic so that no combination of the 16-bit
 * register values can wrap around into a valid-looking RID; the result
 * must stay within bus 255 and within the bus range the caller allows.
 */
#include "pci_sriov.h"

/* Extent of the SR-IOV capability: header through the VF Migration State register. */
#define PCI_SRIOV_CAP_SIZE (PCI_SRIOV_VFM + 4u)
#define PCI_RID_MAX        0xffffu

static bool pci_ext_off_ok(uint16_t off, uint16_t size)
{
	return off >= PCI_CFG_SPACE_SIZE && off % 4 == 0 &&
	       (uint32_t)off + size <= PCI_CFG_SPACE_EXP_SIZE;
}

enum pci_err pci_sriov_read(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                            uint16_t sriov_off, struct pci_sriov_info *info)
{
	if (!pci_ext_off_ok(sriov_off, PCI_SRIOV_CAP_SIZE))
		return PCI_ERR_INVAL;
	info->ctrl = pci_cfg_read16(ops, ctx, sbdf, (uint16_t)(sriov_off + PCI_SRIOV_CTRL));
	info->initial_vfs =
	        pci_cfg_read16(ops, ctx, sbdf, (uint16_t)(sriov_off + PCI_SRIOV_INITIAL_VF));
	info->total_vfs =
	        pci_cfg_read16(ops, ctx, sbdf, (uint16_t)(sriov_off + PCI_SRIOV_TOTAL_VF));
	info->num_vfs = pci_cfg_read16(ops, ctx, sbdf, (uint16_t)(sriov_off + PCI_SRIOV_NUM_VF));
	info->vf_offset =
	        pci_cfg_read16(ops, ctx, sbdf, (uint16_t)(sriov_off + PCI_SRIOV_VF_OFFSET));
	info->vf_stride =
	        pci_cfg_read16(ops, ctx, sbdf, (uint16_t)(sriov_off + PCI_SRIOV_VF_STRIDE));
	info->vf_device_id =
	        pci_cfg_read16(ops, ctx, sbdf, (uint16_t)(sriov_off + PCI_SRIOV_VF_DID));
	info->sup_pgsize =
	        pci_cfg_read32(ops, ctx, sbdf, (uint16_t)(sriov_off + PCI_SRIOV_SUP_PGSIZE));
	info->sys_pgsize =
	        pci_cfg_read32(ops, ctx, sbdf, (uint16_t)(sriov_off + PCI_SRIOV_SYS_PGSIZE));
	return PCI_OK;
}

/* Offset 0 would give VF 0 the PF's RID; stride 0 would stack VFs on one RID. */
static bool pci_sriov_layout_ok(uint16_t vf_offset, uint16_t vf_stride, uint16_t num_vfs)
{
	return vf_offset != 0 && (vf_stride != 0 || num_vfs <= 1);
}

enum pci_err pci_sriov_vf_rid(uint16_t pf_rid, uint16_t vf_offset, uint16_t vf_stride,
                              uint16_t num_vfs, uint16_t n, uint8_t max_bus, uint16_t *rid)
{
	uint64_t r;

	if (n >= num_vfs)
		return PCI_ERR_RANGE;
	if (!pci_sriov_layout_ok(vf_offset, vf_stride, num_vfs))
		return PCI_ERR_INVAL;
	r = (uint64_t)pf_rid + vf_offset + (uint64_t)n * vf_stride;
	if (r > PCI_RID_MAX || PCI_SBDF_BUS(r) > max_bus)
		return PCI_ERR_RANGE;
	*rid = (uint16_t)r;
	return PCI_OK;
}

enum pci_err pci_sriov_vf_sbdf(uint32_t pf_sbdf, const struct pci_sriov_info *info, uint16_t n,
                               uint8_t max_bus, uint32_t *vf_sbdf)
{
	uint16_t rid;
	enum pci_err err = pci_sriov_vf_rid(PCI_SBDF_RID(pf_sbdf), info->vf_offset, info->vf_stride,
	                                    info->num_vfs, n, max_bus, &rid);

	if (err == PCI_OK)
		*vf_sbdf = PCI_SBDF_FROM_RID(PCI_SBDF_SEG(pf_sbdf), rid);
	return err;
}

enum pci_err pci_sriov_last_bus(uint16_t pf_rid, uint16_t vf_offset, uint16_t vf_stride,
                                uint16_t num_vfs, uint8_t *bus)
{
	uint16_t rid;
	enum pci_err err;

	if (num_vfs == 0) {
		*bus = PCI_SBDF_BUS(pf_rid);
		return PCI_OK;
	}
	/* RIDs grow with n, so the last VF has the highest bus. */
	err = pci_sriov_vf_rid(pf_rid, vf_offset, vf_stride, num_vfs, (uint16_t)(num_vfs - 1),
	                       PCI_MAX_BUS, &rid);
	if (err == PCI_OK)
		*bus = PCI_SBDF_BUS(rid);
	return err;
}

enum pci_err pci_sriov_vf_bar_addr(const struct pci_bar *vf_bar, uint16_t num_vfs, uint16_t n,
                                   uint64_t *addr)
{
	uint64_t off;

	if (vf_bar->size == 0 || (vf_bar->flags & PCI_BAR_F_UPPER))
		return PCI_ERR_NOT_FOUND;
	if (n >= num_vfs)
		return PCI_ERR_RANGE;
	/* n < 2^16, so n * size overflows only if size > UINT64_MAX / n. */
	if (n != 0 && vf_bar->size > UINT64_MAX / n)
		return PCI_ERR_RANGE;
	off = (uint64_t)n * vf_bar->size;
	if (vf_bar->base > UINT64_MAX - off || vf_bar->base + off > UINT64_MAX - (vf_bar->size - 1))
		return PCI_ERR_RANGE;
	*addr = vf_bar->base + off;
	return PCI_OK;
}

enum pci_err pci_sriov_vf_bars_probe(const struct pci_cfg_ops *ops, void *ctx, uint32_t sbdf,
                                     uint16_t sriov_off, struct pci_bar bars[PCI_SRIOV_NUM_BARS])
{
	uint16_t ctrl_off = (uint16_t)(sriov_off + PCI_SRIOV_CTRL);
	uint16_t ctrl;
	enum pci_err err;

	if (!pci_ext_off_ok(sriov_off, PCI_SRIOV_CAP_SIZE))
		return PCI_ERR_INVAL;
	ctrl = pci_cfg_read16(ops, ctx, sbdf, ctrl_off);
	if (ctrl & PCI_SRIOV_CTRL_VFE)
		return PCI_ERR_BUSY;
	/* VF MSE plays the Command register's role for VF BARs (§9.3.3.3). */
	if (ctrl & PCI_SRIOV_CTRL_MSE)
		pci_cfg_write16(ops, ctx, sbdf, ctrl_off, ctrl & (uint16_t)~PCI_SRIOV_CTRL_MSE);
	err = pci_bar_probe_slots(ops, ctx, sbdf, (uint16_t)(sriov_off + PCI_SRIOV_BAR),
	                          PCI_SRIOV_NUM_BARS, bars);
	if (ctrl & PCI_SRIOV_CTRL_MSE)
		pci_cfg_write16(ops, ctx, sbdf, ctrl_off, ctrl);
	return err;
}

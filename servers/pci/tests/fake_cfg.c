/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Synthetic configuration space (see fake_cfg.h). Writes apply per byte:
 * new = (old & ~wmask) | (val & wmask), then RW1C bits written as one are
 * cleared. That is enough to model BAR sizing, Command/Status and
 * read-only registers the way real functions implement them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_cfg.h"

#define FAKE_BYTE_BITS  8
#define FAKE_ALL_ONES   0xffffffffu
#define FAKE_STATUS_W1C 0xff00u
#define FAKE_CMD_WMASK  (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)

struct fake_cfg *fake_new(void)
{
	struct fake_cfg *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		perror("calloc");
		abort();
	}
	return f;
}

void fake_free(struct fake_cfg *f)
{
	free(f);
}

struct fake_fn *fake_find(struct fake_cfg *f, uint32_t sbdf)
{
	unsigned i;

	for (i = 0; i < f->nfns; i++) {
		if (f->fns[i].sbdf == sbdf)
			return &f->fns[i];
	}
	return NULL;
}

void fake_set(struct fake_fn *fn, uint16_t off, uint32_t val, int width)
{
	int i;

	for (i = 0; i < width; i++)
		fn->cfg[off + i] = (uint8_t)(val >> (FAKE_BYTE_BITS * i));
}

uint32_t fake_get(const struct fake_fn *fn, uint16_t off, int width)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < width; i++)
		v |= (uint32_t)fn->cfg[off + i] << (FAKE_BYTE_BITS * i);
	return v;
}

void fake_set_wmask(struct fake_fn *fn, uint16_t off, uint32_t mask, int width)
{
	int i;

	for (i = 0; i < width; i++)
		fn->wmask[off + i] = (uint8_t)(mask >> (FAKE_BYTE_BITS * i));
}

struct fake_fn *fake_add(struct fake_cfg *f, uint32_t sbdf, uint16_t vendor, uint16_t device,
                         uint8_t header_type, uint32_t class_code)
{
	struct fake_fn *fn;

	if (f->nfns == FAKE_MAX_FNS)
		abort();
	fn = &f->fns[f->nfns++];
	memset(fn, 0, sizeof(*fn));
	fn->sbdf = sbdf;
	fake_set(fn, PCI_VENDOR_ID, vendor, 2);
	fake_set(fn, PCI_DEVICE_ID, device, 2);
	fake_set(fn, PCI_CLASS_REVISION, class_code << 8 | 0x01, 4);
	fake_set(fn, PCI_HEADER_TYPE, header_type, 1);
	fake_set_wmask(fn, PCI_COMMAND, FAKE_CMD_WMASK, 2);
	fn->w1c[PCI_STATUS + 1] = FAKE_STATUS_W1C >> FAKE_BYTE_BITS;
	return fn;
}

void fake_bar(struct fake_fn *fn, uint16_t off, uint64_t size, uint32_t type, uint64_t base)
{
	uint32_t low_bits = (type & PCI_BASE_ADDRESS_SPACE_IO) ? 0x3u : 0xfu;
	uint64_t mask = size ? ~(size - 1) : 0;
	bool is64 = !(type & PCI_BASE_ADDRESS_SPACE_IO) &&
	            (type & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64;

	if (size == 0) {
		fake_set(fn, off, 0, 4);
		fake_set_wmask(fn, off, 0, 4);
		return;
	}
	fake_set(fn, off, ((uint32_t)base & ~low_bits) | type, 4);
	fake_set_wmask(fn, off, (uint32_t)mask & ~low_bits, 4);
	if (is64) {
		fake_set(fn, (uint16_t)(off + 4), (uint32_t)(base >> 32), 4);
		fake_set_wmask(fn, (uint16_t)(off + 4), (uint32_t)(mask >> 32), 4);
	}
}

void fake_cap_start(struct fake_fn *fn, uint8_t first)
{
	fake_set(fn, PCI_STATUS, fake_get(fn, PCI_STATUS, 2) | PCI_STATUS_CAP_LIST, 2);
	fake_set(fn, PCI_CAPABILITY_LIST, first, 1);
}

void fake_cap(struct fake_fn *fn, uint8_t off, uint8_t id, uint8_t next)
{
	fake_set(fn, off, id, 1);
	fake_set(fn, (uint16_t)(off + 1), next, 1);
}

void fake_ext_cap(struct fake_fn *fn, uint16_t off, uint16_t id, uint16_t next)
{
	fake_set(fn, off, (uint32_t)next << 20 | 1u << 16 | id, 4);
}

void fake_pcie_cap(struct fake_fn *fn, uint8_t off, uint8_t type, uint8_t next)
{
	fake_cap(fn, off, PCI_CAP_ID_EXP, next);
	fake_set(fn, (uint16_t)(off + PCI_EXP_FLAGS), (uint32_t)type << 4 | 2u, 2);
}

void fake_bridge_buses(struct fake_fn *fn, uint8_t pri, uint8_t sec, uint8_t sub)
{
	fake_set(fn, PCI_PRIMARY_BUS, pri, 1);
	fake_set(fn, PCI_SECONDARY_BUS, sec, 1);
	fake_set(fn, PCI_SUBORDINATE_BUS, sub, 1);
}

static bool fake_access_ok(struct fake_cfg *f, uint16_t off, int width)
{
	if ((width != 1 && width != 2 && width != 4) || off % width != 0 ||
	    off + width > PCI_CFG_SPACE_EXP_SIZE) {
		f->bad_access = true;
		return false;
	}
	return true;
}

static uint32_t fake_read(void *ctx, uint32_t sbdf, uint16_t off, int width)
{
	struct fake_cfg *f = ctx;
	struct fake_fn *fn = fake_find(f, sbdf);

	f->reads++;
	if (!fake_access_ok(f, off, width) || fn == NULL)
		return width == 4 ? FAKE_ALL_ONES : (1u << (FAKE_BYTE_BITS * width)) - 1;
	return fake_get(fn, off, width);
}

/* Is `off` a BAR register of fn that is currently decoded? */
static bool fake_bar_live(const struct fake_fn *fn, uint16_t off)
{
	uint16_t cmd = (uint16_t)fake_get(fn, PCI_COMMAND, 2);
	uint8_t type = fn->cfg[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK;
	uint16_t end = type == PCI_HEADER_TYPE_BRIDGE ? PCI_BASE_ADDRESS_2 : PCI_BASE_ADDRESS_5 + 4;

	if (off >= PCI_BASE_ADDRESS_0 && off < end)
		return cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	if (off == PCI_ROM_ADDRESS || off == PCI_ROM_ADDRESS1)
		return cmd & PCI_COMMAND_MEMORY;
	if (fn->sriov && off >= fn->sriov + PCI_SRIOV_BAR &&
	    off < fn->sriov + PCI_SRIOV_BAR + 4 * PCI_SRIOV_NUM_BARS)
		return fake_get(fn, (uint16_t)(fn->sriov + PCI_SRIOV_CTRL), 2) &
		       (PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	return false;
}

static void fake_write(void *ctx, uint32_t sbdf, uint16_t off, uint32_t val, int width)
{
	struct fake_cfg *f = ctx;
	struct fake_fn *fn = fake_find(f, sbdf);
	uint16_t vfe_before = 0;
	int i;

	f->writes++;
	if (!fake_access_ok(f, off, width) || fn == NULL)
		return;
	fn->nwrites[off]++;
	if (off < PCI_STATUS + 2 && off + width > PCI_STATUS)
		f->status_written = true;
	if (width == 4 && (val | 0x7ffu) == FAKE_ALL_ONES && fake_bar_live(fn, off))
		f->sized_decoding = true;
	if (fn->sriov)
		vfe_before = fake_get(fn, (uint16_t)(fn->sriov + PCI_SRIOV_CTRL), 2) &
		             PCI_SRIOV_CTRL_VFE;
	for (i = 0; i < width; i++) {
		uint8_t b = (uint8_t)(val >> (FAKE_BYTE_BITS * i));
		uint8_t *p = &fn->cfg[off + i];

		*p = (uint8_t)((*p & ~fn->wmask[off + i]) | (b & fn->wmask[off + i]));
		*p = (uint8_t)(*p & ~(b & fn->w1c[off + i]));
	}
	if (vfe_before &&
	    !(fake_get(fn, (uint16_t)(fn->sriov + PCI_SRIOV_CTRL), 2) & PCI_SRIOV_CTRL_VFE))
		f->vfe_cleared = true;
}

const struct pci_cfg_ops fake_cfg_ops = {
        .read = fake_read,
        .write = fake_write,
};

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SR-IOV arithmetic: VF Routing IDs from First VF Offset and VF Stride,
 * bus spill-over and overflow checks, VF BAR addresses, reading the
 * capability and sizing VF BARs with VF MSE cleared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fake_cfg.h"

#define PF        PCI_SBDF(0, 1, 0, 0)
#define SRIOV_OFF 0x160
#define KIB       0x400ull

static void test_vf_rid(void **state)
{
	uint16_t rid = 0;

	(void)state;
	/* PF 01:00.0, offset 0x80, stride 2: VFs at 01:10.0, 01:10.2, ... */
	assert_int_equal(pci_sriov_vf_rid(0x0100, 0x80, 2, 4, 0, 1, &rid), PCI_OK);
	assert_int_equal(rid, 0x0180);
	assert_int_equal(pci_sriov_vf_rid(0x0100, 0x80, 2, 4, 3, 1, &rid), PCI_OK);
	assert_int_equal(rid, 0x0186);
	/* Typical ARI layout: offset 1, stride 1. */
	assert_int_equal(pci_sriov_vf_rid(0x0100, 1, 1, 7, 6, 1, &rid), PCI_OK);
	assert_int_equal(rid, 0x0107);
	/* A single VF needs no stride. */
	assert_int_equal(pci_sriov_vf_rid(0x0100, 8, 0, 1, 0, 1, &rid), PCI_OK);
	assert_int_equal(rid, 0x0108);
}

static void test_vf_rid_bus_range(void **state)
{
	uint16_t rid = 0x5a5a;

	(void)state;
	/* VFs may spill onto the next bus if the bridge above reserves it. */
	assert_int_equal(pci_sriov_vf_rid(0x0100, 0xff, 1, 8, 1, 2, &rid), PCI_OK);
	assert_int_equal(rid, 0x0200);
	rid = 0x5a5a;
	assert_int_equal(pci_sriov_vf_rid(0x0100, 0xff, 1, 8, 1, 1, &rid), PCI_ERR_RANGE);
	/* Beyond bus 255. */
	assert_int_equal(pci_sriov_vf_rid(0xff00, 0x100, 1, 1, 0, 0xff, &rid), PCI_ERR_RANGE);
	assert_int_equal(pci_sriov_vf_rid(0xffff, 0xffff, 0xffff, 0xffff, 0xfffe, 0xff, &rid),
	                 PCI_ERR_RANGE);
	/* n must name an enabled VF. */
	assert_int_equal(pci_sriov_vf_rid(0x0100, 0x80, 2, 4, 4, 1, &rid), PCI_ERR_RANGE);
	assert_int_equal(pci_sriov_vf_rid(0x0100, 0x80, 2, 0, 0, 1, &rid), PCI_ERR_RANGE);
	/* Layouts that alias the PF or stack VFs on one RID. */
	assert_int_equal(pci_sriov_vf_rid(0x0100, 0, 1, 4, 0, 1, &rid), PCI_ERR_INVAL);
	assert_int_equal(pci_sriov_vf_rid(0x0100, 1, 0, 2, 0, 1, &rid), PCI_ERR_INVAL);
	assert_int_equal(rid, 0x5a5a);
}

static void test_vf_sbdf_and_last_bus(void **state)
{
	struct pci_sriov_info info = {.num_vfs = 16, .vf_offset = 0x80, .vf_stride = 0x10};
	uint32_t sbdf = 0;
	uint8_t bus = 0;

	(void)state;
	assert_int_equal(pci_sriov_vf_sbdf(PCI_SBDF(3, 1, 0, 0), &info, 15, 3, &sbdf), PCI_OK);
	/* 0x0100 + 0x80 + 15 * 0x10 = 0x0270: segment kept, bus 2. */
	assert_int_equal(sbdf, PCI_SBDF_FROM_RID(3, 0x0270));
	assert_int_equal(pci_sriov_vf_sbdf(PCI_SBDF(3, 1, 0, 0), &info, 15, 1, &sbdf),
	                 PCI_ERR_RANGE);
	assert_int_equal(pci_sriov_last_bus(0x0100, 0x80, 0x10, 16, &bus), PCI_OK);
	assert_int_equal(bus, 2);
	assert_int_equal(pci_sriov_last_bus(0x0100, 0x80, 0x10, 0, &bus), PCI_OK);
	assert_int_equal(bus, 1);
	assert_int_equal(pci_sriov_last_bus(0xfe00, 0x100, 0x100, 3, &bus), PCI_ERR_RANGE);
	assert_int_equal(pci_sriov_last_bus(0x0100, 0, 1, 3, &bus), PCI_ERR_INVAL);
}

static void test_vf_bar_addr(void **state)
{
	struct pci_bar bar = {.base = 0xfe000000, .size = 16 * KIB, .flags = PCI_BAR_F_MEM64};
	uint64_t addr = 0;

	(void)state;
	assert_int_equal(pci_sriov_vf_bar_addr(&bar, 4, 0, &addr), PCI_OK);
	assert_int_equal(addr, 0xfe000000);
	assert_int_equal(pci_sriov_vf_bar_addr(&bar, 4, 3, &addr), PCI_OK);
	assert_int_equal(addr, 0xfe00c000);
	addr = 1;
	assert_int_equal(pci_sriov_vf_bar_addr(&bar, 4, 4, &addr), PCI_ERR_RANGE);
	bar.base = UINT64_MAX - 0xffff;
	bar.size = 0x10000;
	assert_int_equal(pci_sriov_vf_bar_addr(&bar, 2, 0, &addr), PCI_OK);
	assert_int_equal(pci_sriov_vf_bar_addr(&bar, 2, 1, &addr), PCI_ERR_RANGE);
	bar.base = 0;
	bar.size = 1ull << 63;
	assert_int_equal(pci_sriov_vf_bar_addr(&bar, 3, 2, &addr), PCI_ERR_RANGE);
	bar.size = 0;
	assert_int_equal(pci_sriov_vf_bar_addr(&bar, 4, 0, &addr), PCI_ERR_NOT_FOUND);
	bar.size = 4 * KIB;
	bar.flags = PCI_BAR_F_UPPER;
	assert_int_equal(pci_sriov_vf_bar_addr(&bar, 4, 0, &addr), PCI_ERR_NOT_FOUND);
}

/* An igb-like PF: SR-IOV at 0x160 with 8 VFs, VF BAR0 64-bit 16K, VF BAR3 32-bit 16K. */
static struct fake_fn *add_pf(struct fake_cfg *f, uint16_t ctrl)
{
	struct fake_fn *fn = fake_add(f, PF, 0x8086, 0x10c9, 0, 0x020000);
	uint16_t bar = SRIOV_OFF + PCI_SRIOV_BAR;

	fn->sriov = SRIOV_OFF;
	fake_ext_cap(fn, SRIOV_OFF, PCI_EXT_CAP_ID_SRIOV, 0);
	fake_set(fn, SRIOV_OFF + PCI_SRIOV_CTRL, ctrl, 2);
	fake_set_wmask(fn, SRIOV_OFF + PCI_SRIOV_CTRL, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE, 2);
	fake_set(fn, SRIOV_OFF + PCI_SRIOV_INITIAL_VF, 8, 2);
	fake_set(fn, SRIOV_OFF + PCI_SRIOV_TOTAL_VF, 8, 2);
	fake_set(fn, SRIOV_OFF + PCI_SRIOV_NUM_VF, 8, 2);
	fake_set(fn, SRIOV_OFF + PCI_SRIOV_VF_OFFSET, 0x80, 2);
	fake_set(fn, SRIOV_OFF + PCI_SRIOV_VF_STRIDE, 2, 2);
	fake_set(fn, SRIOV_OFF + PCI_SRIOV_VF_DID, 0x10ca, 2);
	fake_set(fn, SRIOV_OFF + PCI_SRIOV_SUP_PGSIZE, 0x553, 4);
	fake_set(fn, SRIOV_OFF + PCI_SRIOV_SYS_PGSIZE, 1, 4);
	fake_bar(fn, bar, 16 * KIB, PCI_BASE_ADDRESS_MEM_TYPE_64, 0xfe000000);
	fake_bar(fn, (uint16_t)(bar + 12), 16 * KIB, 0, 0xfd000000);
	return fn;
}

static void test_sriov_read(void **state)
{
	struct fake_cfg *f = fake_new();
	struct pci_sriov_info info;

	(void)state;
	add_pf(f, 0);
	assert_int_equal(pci_sriov_read(&fake_cfg_ops, f, PF, SRIOV_OFF, &info), PCI_OK);
	assert_int_equal(info.total_vfs, 8);
	assert_int_equal(info.num_vfs, 8);
	assert_int_equal(info.initial_vfs, 8);
	assert_int_equal(info.vf_offset, 0x80);
	assert_int_equal(info.vf_stride, 2);
	assert_int_equal(info.vf_device_id, 0x10ca);
	assert_int_equal(info.sup_pgsize, 0x553);
	assert_int_equal(info.sys_pgsize, 1);
	assert_int_equal(pci_sriov_read(&fake_cfg_ops, f, PF, 0x40, &info), PCI_ERR_INVAL);
	/* The capability must end inside the 4 KiB: 0xfc0 fits exactly, 0xfc4 does not. */
	assert_int_equal(pci_sriov_read(&fake_cfg_ops, f, PF, 0xfc0, &info), PCI_OK);
	assert_int_equal(pci_sriov_read(&fake_cfg_ops, f, PF, 0xfc4, &info), PCI_ERR_INVAL);
	assert_false(f->bad_access);
	fake_free(f);
}

static void test_vf_bars_probe(void **state)
{
	struct fake_cfg *f = fake_new();
	struct fake_fn *fn = add_pf(f, PCI_SRIOV_CTRL_MSE);
	struct pci_bar bars[PCI_SRIOV_NUM_BARS];
	uint64_t addr = 0;

	(void)state;
	assert_int_equal(pci_sriov_vf_bars_probe(&fake_cfg_ops, f, PF, SRIOV_OFF, bars), PCI_OK);
	assert_int_equal(bars[0].size, 16 * KIB);
	assert_int_equal(bars[0].base, 0xfe000000);
	assert_int_equal(bars[0].flags, PCI_BAR_F_MEM64);
	assert_int_equal(bars[1].flags, PCI_BAR_F_UPPER);
	assert_int_equal(bars[2].size, 0);
	assert_int_equal(bars[3].size, 16 * KIB);
	assert_int_equal(bars[3].base, 0xfd000000);
	/* VF MSE was off while sizing and is back on. */
	assert_false(f->sized_decoding);
	assert_int_equal(fake_get(fn, SRIOV_OFF + PCI_SRIOV_CTRL, 2), PCI_SRIOV_CTRL_MSE);
	/* VF 5's copy of VF BAR0. */
	assert_int_equal(pci_sriov_vf_bar_addr(&bars[0], 8, 5, &addr), PCI_OK);
	assert_int_equal(addr, 0xfe000000 + 5 * 16 * KIB);
	assert_false(f->bad_access);
	fake_free(f);
}

static void test_vf_bars_probe_refused(void **state)
{
	struct fake_cfg *f = fake_new();
	struct fake_fn *fn = add_pf(f, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	struct pci_bar bars[PCI_SRIOV_NUM_BARS];
	unsigned writes = f->writes;

	(void)state;
	/* Live VFs: clearing VF Enable would destroy them, so nothing is done. */
	assert_int_equal(pci_sriov_vf_bars_probe(&fake_cfg_ops, f, PF, SRIOV_OFF, bars),
	                 PCI_ERR_BUSY);
	assert_int_equal(f->writes, writes);
	assert_false(f->vfe_cleared);
	assert_int_equal(fake_get(fn, SRIOV_OFF + PCI_SRIOV_CTRL, 2),
	                 PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	assert_int_equal(pci_sriov_vf_bars_probe(&fake_cfg_ops, f, PF, 0x162, bars), PCI_ERR_INVAL);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_vf_rid),
	        cmocka_unit_test(test_vf_rid_bus_range),
	        cmocka_unit_test(test_vf_sbdf_and_last_bus),
	        cmocka_unit_test(test_vf_bar_addr),
	        cmocka_unit_test(test_sriov_read),
	        cmocka_unit_test(test_vf_bars_probe),
	        cmocka_unit_test(test_vf_bars_probe_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

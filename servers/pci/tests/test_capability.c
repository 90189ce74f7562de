/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Capability-list walks against hostile lists: loops between two entries,
 * self-loops, pointers into the standard header or below 0x100, reserved
 * pointer bits, all-ones entries, aliased extended space; plus the
 * recording scan and ACS enabling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fake_cfg.h"

#define DEV         PCI_SBDF(0, 1, 0, 0)
#define CAP_ID_NONE 0x09 /* vendor-specific: never placed in these lists */
#define ACS_OFF     0x148
#define QEMU_RP_ACS (PCI_ACS_SV | PCI_ACS_TB | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF | PCI_ACS_DT)

static int setup(void **state)
{
	struct fake_cfg *f = fake_new();

	fake_add(f, DEV, 0x8086, 0x10d3, 0, 0x020000);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake_cfg *f = *state;

	assert_false(f->bad_access);
	fake_free(f);
	return 0;
}

static struct fake_fn *fn_of(void **state)
{
	return fake_find(*state, DEV);
}

static enum pci_err find(void **state, uint8_t id, uint8_t *off)
{
	return pci_find_capability(&fake_cfg_ops, *state, DEV, id, off);
}

static enum pci_err find_ext(void **state, uint16_t id, uint16_t *off)
{
	return pci_find_ext_capability(&fake_cfg_ops, *state, DEV, id, off);
}

/* PM@0x40 -> MSI@0x50 -> PCIe@0x60 -> MSI-X@0x70; extended AER, ACS, ARI, SR-IOV. */
static void build_good_lists(struct fake_fn *fn)
{
	fake_cap_start(fn, 0x40);
	fake_cap(fn, 0x40, PCI_CAP_ID_PM, 0x50);
	fake_cap(fn, 0x50, PCI_CAP_ID_MSI, 0x60);
	fake_pcie_cap(fn, 0x60, PCI_EXP_TYPE_ENDPOINT, 0x70);
	fake_cap(fn, 0x70, PCI_CAP_ID_MSIX, 0);
	fake_ext_cap(fn, 0x100, PCI_EXT_CAP_ID_ERR, ACS_OFF);
	fake_ext_cap(fn, ACS_OFF, PCI_EXT_CAP_ID_ACS, 0x150);
	fake_ext_cap(fn, 0x150, PCI_EXT_CAP_ID_ARI, 0x160);
	fake_ext_cap(fn, 0x160, PCI_EXT_CAP_ID_SRIOV, 0);
}

static void test_legacy_find(void **state)
{
	uint8_t off = 0;

	build_good_lists(fn_of(state));
	assert_int_equal(find(state, PCI_CAP_ID_PM, &off), PCI_OK);
	assert_int_equal(off, 0x40);
	assert_int_equal(find(state, PCI_CAP_ID_MSI, &off), PCI_OK);
	assert_int_equal(off, 0x50);
	assert_int_equal(find(state, PCI_CAP_ID_EXP, &off), PCI_OK);
	assert_int_equal(off, 0x60);
	assert_int_equal(find(state, PCI_CAP_ID_MSIX, &off), PCI_OK);
	assert_int_equal(off, 0x70);
	off = 0xaa;
	assert_int_equal(find(state, CAP_ID_NONE, &off), PCI_ERR_NOT_FOUND);
	assert_int_equal(off, 0xaa);
}

static void test_legacy_no_list(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint8_t off = 0;

	/* A pointer without Status.Capabilities List is not followed. */
	fake_set(fn, PCI_CAPABILITY_LIST, 0x40, 1);
	fake_cap(fn, 0x40, PCI_CAP_ID_PM, 0);
	assert_int_equal(find(state, PCI_CAP_ID_PM, &off), PCI_ERR_NOT_FOUND);
	/* Absent function: not found rather than malformed. */
	assert_int_equal(pci_find_capability(&fake_cfg_ops, *state, PCI_SBDF(0, 9, 0, 0),
	                                     PCI_CAP_ID_PM, &off),
	                 PCI_ERR_NOT_FOUND);
	/* Empty list: the pointer is 0. */
	fake_cap_start(fn, 0);
	assert_int_equal(find(state, PCI_CAP_ID_PM, &off), PCI_ERR_NOT_FOUND);
}

static void test_legacy_two_cap_loop(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint8_t off = 0;

	fake_cap_start(fn, 0x40);
	fake_cap(fn, 0x40, PCI_CAP_ID_PM, 0x50);
	fake_cap(fn, 0x50, PCI_CAP_ID_MSI, 0x40);
	assert_int_equal(find(state, CAP_ID_NONE, &off), PCI_ERR_MALFORMED_LIST);
	/* A match before the loop is found is still reported. */
	assert_int_equal(find(state, PCI_CAP_ID_MSI, &off), PCI_OK);
	assert_int_equal(off, 0x50);
}

static void test_legacy_self_loop(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint8_t off = 0;

	fake_cap_start(fn, 0x40);
	fake_cap(fn, 0x40, PCI_CAP_ID_PM, 0x40);
	assert_int_equal(find(state, PCI_CAP_ID_MSI, &off), PCI_ERR_MALFORMED_LIST);
	/* Reserved bits do not hide a self-loop: 0x43 masks to 0x40. */
	fake_cap(fn, 0x40, PCI_CAP_ID_PM, 0x43);
	assert_int_equal(find(state, PCI_CAP_ID_MSI, &off), PCI_ERR_MALFORMED_LIST);
}

static void test_legacy_out_of_range(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint8_t off = 0;

	/* First pointer into the standard header. */
	fake_cap_start(fn, 0x20);
	assert_int_equal(find(state, PCI_CAP_ID_PM, &off), PCI_ERR_MALFORMED_LIST);
	/* Next pointer into the standard header. */
	fake_cap_start(fn, 0x40);
	fake_cap(fn, 0x40, PCI_CAP_ID_PM, 0x3c);
	assert_int_equal(find(state, PCI_CAP_ID_MSI, &off), PCI_ERR_MALFORMED_LIST);
	/* An entry reading all-ones. */
	fake_cap(fn, 0x40, PCI_CAP_ID_PM, 0x80);
	fake_cap(fn, 0x80, 0xff, 0xff);
	assert_int_equal(find(state, PCI_CAP_ID_MSI, &off), PCI_ERR_MALFORMED_LIST);
}

static void test_legacy_misaligned(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint8_t off = 0;

	/* Bits 1:0 of capability pointers are reserved and masked (PCI 3.0 §6.7). */
	fake_cap_start(fn, 0x43);
	fake_cap(fn, 0x40, PCI_CAP_ID_PM, 0x52);
	fake_cap(fn, 0x50, PCI_CAP_ID_MSI, 0);
	assert_int_equal(find(state, PCI_CAP_ID_PM, &off), PCI_OK);
	assert_int_equal(off, 0x40);
	assert_int_equal(find(state, PCI_CAP_ID_MSI, &off), PCI_OK);
	assert_int_equal(off, 0x50);
}

static void test_legacy_longest_list(void **state)
{
	struct fake_fn *fn = fn_of(state);
	unsigned p;
	uint8_t off = 0;

	/* 48 entries, one per dword of 0x40-0xff: long but legal. */
	fake_cap_start(fn, 0x40);
	for (p = 0x40; p < 0x100; p += 4)
		fake_cap(fn, (uint8_t)p, 0x00, (uint8_t)(p + 4 < 0x100 ? p + 4 : 0));
	fake_cap(fn, 0xfc, PCI_CAP_ID_MSIX, 0);
	assert_int_equal(find(state, PCI_CAP_ID_MSIX, &off), PCI_OK);
	assert_int_equal(off, 0xfc);
	assert_int_equal(find(state, CAP_ID_NONE, &off), PCI_ERR_NOT_FOUND);
}

static void test_ext_find(void **state)
{
	uint16_t off = 0;

	build_good_lists(fn_of(state));
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ERR, &off), PCI_OK);
	assert_int_equal(off, 0x100);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ACS, &off), PCI_OK);
	assert_int_equal(off, ACS_OFF);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ARI, &off), PCI_OK);
	assert_int_equal(off, 0x150);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_SRIOV, &off), PCI_OK);
	assert_int_equal(off, 0x160);
	off = 0xaaaa;
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ATS, &off), PCI_ERR_NOT_FOUND);
	assert_int_equal(off, 0xaaaa);
}

static void test_ext_none(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint16_t off = 0;

	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ERR, &off), PCI_ERR_NOT_FOUND);
	fake_set(fn, 0x100, 0xffffffff, 4);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ERR, &off), PCI_ERR_NOT_FOUND);
}

static void test_ext_loops(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint16_t off = 0;

	fake_ext_cap(fn, 0x100, PCI_EXT_CAP_ID_ERR, ACS_OFF);
	fake_ext_cap(fn, ACS_OFF, PCI_EXT_CAP_ID_ACS, 0x100);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_SRIOV, &off), PCI_ERR_MALFORMED_LIST);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ACS, &off), PCI_OK);
	fake_ext_cap(fn, 0x100, PCI_EXT_CAP_ID_ERR, 0x100);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ACS, &off), PCI_ERR_MALFORMED_LIST);
	/* A longer cycle that does not return to the head. */
	fake_ext_cap(fn, 0x100, PCI_EXT_CAP_ID_ERR, 0x200);
	fake_ext_cap(fn, 0x200, PCI_EXT_CAP_ID_ARI, 0x300);
	fake_ext_cap(fn, 0x300, PCI_EXT_CAP_ID_ATS, 0x200);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_SRIOV, &off), PCI_ERR_MALFORMED_LIST);
}

static void test_ext_out_of_range(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint16_t off = 0;

	/* Next pointer into conventional space. */
	fake_ext_cap(fn, 0x100, PCI_EXT_CAP_ID_ERR, 0xfc);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ACS, &off), PCI_ERR_MALFORMED_LIST);
	/* Mid-list all-ones header. */
	fake_ext_cap(fn, 0x100, PCI_EXT_CAP_ID_ERR, 0x200);
	fake_set(fn, 0x200, 0xffffffff, 4);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ACS, &off), PCI_ERR_MALFORMED_LIST);
	/* Highest possible pointer is fine. */
	fake_ext_cap(fn, 0x100, PCI_EXT_CAP_ID_ERR, 0xffc);
	fake_ext_cap(fn, 0xffc, PCI_EXT_CAP_ID_ACS, 0);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ACS, &off), PCI_OK);
	assert_int_equal(off, 0xffc);
}

static void test_ext_misaligned(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint16_t off = 0;

	/* Bits 21:20 of the header (pointer bits 1:0) are reserved and masked. */
	fake_ext_cap(fn, 0x100, PCI_EXT_CAP_ID_ERR, ACS_OFF + 2);
	fake_ext_cap(fn, ACS_OFF, PCI_EXT_CAP_ID_ACS, 0);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ACS, &off), PCI_OK);
	assert_int_equal(off, ACS_OFF);
}

static void test_ext_aliased(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint16_t off = 0;

	/* Conventional function decoding 8 address bits: 0x100 mirrors 0x000. */
	memcpy(&fn->cfg[PCI_CFG_SPACE_SIZE], fn->cfg, PCI_CFG_SPACE_SIZE);
	assert_int_equal(find_ext(state, PCI_EXT_CAP_ID_ERR, &off), PCI_ERR_NOT_FOUND);
	assert_int_equal(find_ext(state, 0x8086, &off), PCI_ERR_NOT_FOUND);
	/* Matching the ID dword alone is not aliasing. */
	fn->cfg[PCI_CFG_SPACE_SIZE + 0x40] ^= 1;
	assert_int_equal(find_ext(state, 0x8086, &off), PCI_OK);
	assert_int_equal(off, 0x100);
}

static bool stop_at_second(void *arg, uint16_t id, uint16_t off)
{
	unsigned *n = arg;

	(void)id;
	(void)off;
	return ++*n == 2;
}

static void test_walk_early_stop(void **state)
{
	unsigned n = 0;

	build_good_lists(fn_of(state));
	assert_int_equal(pci_cap_walk(&fake_cfg_ops, *state, DEV, stop_at_second, &n), PCI_OK);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(pci_ext_cap_walk(&fake_cfg_ops, *state, DEV, stop_at_second, &n), PCI_OK);
	assert_int_equal(n, 2);
}

static bool count_visits(void *arg, uint16_t id, uint16_t off)
{
	unsigned *n = arg;

	(void)id;
	(void)off;
	++*n;
	return false;
}

static void test_loop_fails_fast(void **state)
{
	struct fake_fn *fn = fn_of(state);
	unsigned n = 0;

	/* A loop is reported at the first revisit, not after the length bound. */
	fake_cap_start(fn, 0x40);
	fake_cap(fn, 0x40, PCI_CAP_ID_PM, 0x50);
	fake_cap(fn, 0x50, PCI_CAP_ID_MSI, 0x40);
	assert_int_equal(pci_cap_walk(&fake_cfg_ops, *state, DEV, count_visits, &n),
	                 PCI_ERR_MALFORMED_LIST);
	assert_int_equal(n, 2);
	n = 0;
	fake_ext_cap(fn, 0x100, PCI_EXT_CAP_ID_ERR, 0x200);
	fake_ext_cap(fn, 0x200, PCI_EXT_CAP_ID_ARI, 0x300);
	fake_ext_cap(fn, 0x300, PCI_EXT_CAP_ID_ATS, 0x200);
	assert_int_equal(pci_ext_cap_walk(&fake_cfg_ops, *state, DEV, count_visits, &n),
	                 PCI_ERR_MALFORMED_LIST);
	assert_int_equal(n, 3);
}

static void test_caps_scan(void **state)
{
	struct fake_fn *fn = fn_of(state);
	struct pci_caps c;

	build_good_lists(fn);
	assert_int_equal(pci_caps_scan(&fake_cfg_ops, *state, DEV, &c), PCI_OK);
	assert_int_equal(c.pm, 0x40);
	assert_int_equal(c.msi, 0x50);
	assert_int_equal(c.pcie, 0x60);
	assert_int_equal(c.msix, 0x70);
	assert_int_equal(c.aer, 0x100);
	assert_int_equal(c.acs, ACS_OFF);
	assert_int_equal(c.ari, 0x150);
	assert_int_equal(c.sriov, 0x160);
	assert_int_equal(c.ats, 0);
	assert_false(c.legacy_malformed);
	assert_false(c.ext_malformed);

	/* Without a PCIe capability the extended list is not consulted. */
	fake_cap(fn, 0x50, PCI_CAP_ID_MSI, 0x70);
	assert_int_equal(pci_caps_scan(&fake_cfg_ops, *state, DEV, &c), PCI_OK);
	assert_int_equal(c.pcie, 0);
	assert_int_equal(c.acs, 0);

	/* Malformed legacy list: what came before the loop is kept. */
	fake_cap(fn, 0x50, PCI_CAP_ID_MSI, 0x40);
	assert_int_equal(pci_caps_scan(&fake_cfg_ops, *state, DEV, &c), PCI_ERR_MALFORMED_LIST);
	assert_true(c.legacy_malformed);
	assert_int_equal(c.pm, 0x40);
	assert_int_equal(c.msi, 0x50);

	/* Malformed extended list after a good legacy one. */
	fake_cap(fn, 0x50, PCI_CAP_ID_MSI, 0x60);
	fake_ext_cap(fn, 0x150, PCI_EXT_CAP_ID_ARI, 0x100);
	assert_int_equal(pci_caps_scan(&fake_cfg_ops, *state, DEV, &c), PCI_ERR_MALFORMED_LIST);
	assert_false(c.legacy_malformed);
	assert_true(c.ext_malformed);
	assert_int_equal(c.ari, 0x150);
	assert_int_equal(c.sriov, 0);
}

static void test_acs_enable(void **state)
{
	struct fake_fn *fn = fn_of(state);
	uint16_t cap = 0, ctrl = 0;

	/* Like QEMU's pcie-root-port: ACS implemented, control reset to 0. */
	fake_ext_cap(fn, ACS_OFF, PCI_EXT_CAP_ID_ACS, 0);
	fake_set(fn, ACS_OFF + PCI_ACS_CAP, QEMU_RP_ACS, 2);
	fake_set_wmask(fn, ACS_OFF + PCI_ACS_CTRL, QEMU_RP_ACS, 2);
	assert_int_equal(pci_acs_enable(&fake_cfg_ops, *state, DEV, ACS_OFF, &cap, &ctrl), PCI_OK);
	assert_int_equal(cap, QEMU_RP_ACS);
	assert_int_equal(ctrl, PCI_ACS_ISOLATION_FLAGS);
	assert_int_equal(fake_get(fn, ACS_OFF + PCI_ACS_CTRL, 2), PCI_ACS_ISOLATION_FLAGS);
	/* Already enabled: no second write. */
	assert_int_equal(pci_acs_enable(&fake_cfg_ops, *state, DEV, ACS_OFF, &cap, &ctrl), PCI_OK);
	assert_int_equal(fn->nwrites[ACS_OFF + PCI_ACS_CTRL], 1);
	assert_int_equal(pci_acs_ctrl_wanted(PCI_ACS_SV | PCI_ACS_EC, PCI_ACS_EC),
	                 PCI_ACS_SV | PCI_ACS_EC);
	assert_int_equal(pci_acs_ctrl_wanted(0, 0), 0);
	assert_int_equal(pci_acs_enable(&fake_cfg_ops, *state, DEV, 0x40, &cap, &ctrl),
	                 PCI_ERR_INVAL);
	assert_int_equal(pci_acs_enable(&fake_cfg_ops, *state, DEV, ACS_OFF + 2, &cap, &ctrl),
	                 PCI_ERR_INVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_legacy_find),
	        T(test_legacy_no_list),
	        T(test_legacy_two_cap_loop),
	        T(test_legacy_self_loop),
	        T(test_legacy_out_of_range),
	        T(test_legacy_misaligned),
	        T(test_legacy_longest_list),
	        T(test_ext_find),
	        T(test_ext_none),
	        T(test_ext_loops),
	        T(test_ext_out_of_range),
	        T(test_ext_misaligned),
	        T(test_ext_aliased),
	        T(test_walk_early_stop),
	        T(test_loop_fails_fast),
	        T(test_caps_scan),
	        T(test_acs_enable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

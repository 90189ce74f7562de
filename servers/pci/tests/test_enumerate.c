/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Enumeration of synthetic trees: a root port with ACS, a multi-function
 * endpoint, a PCIe-to-PCI bridge with conventional devices behind it;
 * then bridges whose bus numbers loop, repeat or leave the parent's
 * range, and a table too small for the tree. The first tree is also
 * grouped end to end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "fake_cfg.h"

#define KIB        0x400ull
#define CAP        16
#define ACS_OFF    0x148
#define QEMU_ACS   (PCI_ACS_SV | PCI_ACS_TB | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF | PCI_ACS_DT)
#define CLASS_HOST 0x060000
#define CLASS_P2P  0x060400
#define CLASS_NIC  0x020000
#define CMD_ON     (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)

struct ctx {
	struct fake_cfg *f;
	struct pci_dev devs[CAP];
	size_t n;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->f = fake_new();
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	assert_false(c->f->bad_access);
	assert_false(c->f->sized_decoding);
	assert_false(c->f->status_written);
	fake_free(c->f);
	free(c);
	return 0;
}

static struct fake_fn *add_bridge(struct fake_cfg *f, uint8_t bus, uint8_t dev, int type,
                                  uint8_t sec, uint8_t sub)
{
	struct fake_fn *fn = fake_add(f, PCI_SBDF(0, bus, dev, 0), 0x1b36, 0x000c,
	                              PCI_HEADER_TYPE_BRIDGE, CLASS_P2P);

	fake_bridge_buses(fn, bus, sec, sub);
	if (type >= 0) {
		fake_cap_start(fn, 0x40);
		fake_pcie_cap(fn, 0x40, (uint8_t)type, 0);
	}
	return fn;
}

/*
 * 00:00.0 host bridge; 00:01.0 root port (ACS) -> bus 1..2;
 * 00:02.0/.1 multi-function endpoint (bit 7 only on function 0);
 * 00:04.1 without function 0 (must be ignored);
 * 01:00.0 PCIe-to-PCI bridge -> bus 2; 02:01.0, 02:02.0 conventional;
 * 05:00.0 on a bus no bridge leads to (must not be found).
 */
static void build_tree(struct fake_cfg *f)
{
	struct fake_fn *fn;

	fake_add(f, PCI_SBDF(0, 0, 0, 0), 0x8086, 0x29c0, 0, CLASS_HOST);
	fn = add_bridge(f, 0, 1, PCI_EXP_TYPE_ROOT_PORT, 1, 2);
	fake_ext_cap(fn, 0x100, PCI_EXT_CAP_ID_ERR, ACS_OFF);
	fake_ext_cap(fn, ACS_OFF, PCI_EXT_CAP_ID_ACS, 0);
	fake_set(fn, ACS_OFF + PCI_ACS_CAP, QEMU_ACS, 2);
	fake_set_wmask(fn, ACS_OFF + PCI_ACS_CTRL, QEMU_ACS, 2);
	fake_set(fn, ACS_OFF + PCI_ACS_CTRL, PCI_ACS_ISOLATION_FLAGS, 2);
	fn = fake_add(f, PCI_SBDF(0, 0, 2, 0), 0x8086, 0x10c9, 0x80, CLASS_NIC);
	fake_cap_start(fn, 0x40);
	fake_pcie_cap(fn, 0x40, PCI_EXP_TYPE_RC_END, 0);
	fake_bar(fn, PCI_BASE_ADDRESS_0, 4 * KIB, 0, 0xfebf0000);
	fake_set(fn, PCI_COMMAND, CMD_ON, 2);
	fn = fake_add(f, PCI_SBDF(0, 0, 2, 1), 0x8086, 0x10c9, 0x00, CLASS_NIC);
	fake_cap_start(fn, 0x40);
	fake_pcie_cap(fn, 0x40, PCI_EXP_TYPE_RC_END, 0);
	fake_bar(fn, PCI_BASE_ADDRESS_0, 4 * KIB, 0, 0xfebf1000);
	fake_add(f, PCI_SBDF(0, 0, 4, 1), 0x1234, 0x1111, 0, CLASS_NIC);
	add_bridge(f, 1, 0, PCI_EXP_TYPE_PCI_BRIDGE, 2, 2);
	fn = fake_add(f, PCI_SBDF(0, 2, 1, 0), 0x10ec, 0x8029, 0, CLASS_NIC);
	fake_bar(fn, PCI_BASE_ADDRESS_0, 32, PCI_BASE_ADDRESS_SPACE_IO, 0xc000);
	fake_set(fn, PCI_COMMAND, PCI_COMMAND_IO, 2);
	fake_add(f, PCI_SBDF(0, 2, 2, 0), 0x10ec, 0x8029, 0, CLASS_NIC);
	fake_add(f, PCI_SBDF(0, 5, 0, 0), 0x10ec, 0x8029, 0, CLASS_NIC);
}

static const uint32_t tree_sbdfs[] = {
        PCI_SBDF(0, 0, 0, 0), PCI_SBDF(0, 0, 1, 0), PCI_SBDF(0, 0, 2, 0), PCI_SBDF(0, 0, 2, 1),
        PCI_SBDF(0, 1, 0, 0), PCI_SBDF(0, 2, 1, 0), PCI_SBDF(0, 2, 2, 0),
};
#define TREE_N (sizeof(tree_sbdfs) / sizeof(tree_sbdfs[0]))

static enum pci_err enumerate(struct ctx *c, size_t cap, uint8_t start, uint8_t end)
{
	struct pci_enum_params p = {.segment = 0, .start_bus = start, .end_bus = end};

	return pci_enumerate(&fake_cfg_ops, c->f, &p, c->devs, cap, &c->n);
}

static void test_tree(void **state)
{
	struct ctx *c = *state;
	size_t i;

	build_tree(c->f);
	assert_int_equal(enumerate(c, CAP, 0, 0xff), PCI_OK);
	assert_int_equal(c->n, TREE_N);
	for (i = 0; i < TREE_N; i++)
		assert_int_equal(c->devs[i].sbdf, tree_sbdfs[i]);

	assert_int_equal(c->devs[0].class_code, CLASS_HOST);
	assert_int_equal(c->devs[0].vendor_id, 0x8086);
	assert_int_equal(c->devs[0].device_id, 0x29c0);
	assert_false(c->devs[0].is_pcie);

	assert_int_equal(c->devs[1].header_type, PCI_HEADER_TYPE_BRIDGE);
	assert_true(c->devs[1].is_pcie);
	assert_int_equal(c->devs[1].pcie_type, PCI_EXP_TYPE_ROOT_PORT);
	assert_int_equal(c->devs[1].sec_bus, 1);
	assert_int_equal(c->devs[1].sub_bus, 2);
	assert_int_equal(c->devs[1].caps.acs, ACS_OFF);
	assert_int_equal(c->devs[1].caps.aer, 0x100);
	assert_int_equal(c->devs[1].acs_cap, QEMU_ACS);
	assert_int_equal(c->devs[1].acs_ctrl, PCI_ACS_ISOLATION_FLAGS);
	assert_int_equal(c->devs[1].nbars, 2);

	/* Bit 7 of function 0 marks every function of the device. */
	assert_true(c->devs[2].multifunction);
	assert_true(c->devs[3].multifunction);
	assert_int_equal(c->devs[2].bars[0].size, 4 * KIB);
	assert_int_equal(c->devs[3].bars[0].base, 0xfebf1000);

	assert_int_equal(c->devs[4].pcie_type, PCI_EXP_TYPE_PCI_BRIDGE);
	assert_false(c->devs[5].is_pcie);
	assert_int_equal(c->devs[5].bars[0].size, 32);
	assert_int_equal(c->devs[5].bars[0].flags, PCI_BAR_F_IO);
	assert_int_equal(fake_get(fake_find(c->f, PCI_SBDF(0, 2, 1, 0)), PCI_COMMAND, 2),
	                 PCI_COMMAND_IO);
	for (i = 0; i < TREE_N; i++)
		assert_false(c->devs[i].bus_range_bad);
}

static void test_tree_groups(void **state)
{
	struct ctx *c = *state;
	uint32_t ng = 0;

	build_tree(c->f);
	assert_int_equal(enumerate(c, CAP, 0, 0xff), PCI_OK);
	assert_int_equal(pci_group_compute(c->devs, c->n, &ng), PCI_OK);
	assert_int_equal(ng, 4);
	assert_int_equal(c->devs[0].group, 0); /* host bridge */
	assert_int_equal(c->devs[1].group, 1); /* root port */
	assert_int_equal(c->devs[2].group, 2); /* 00:02.x, no ACS */
	assert_int_equal(c->devs[3].group, 2);
	assert_int_equal(c->devs[4].group, 3); /* bridge and devices behind it */
	assert_int_equal(c->devs[5].group, 3);
	assert_int_equal(c->devs[6].group, 3);
	assert_int_equal(c->devs[6].parent, 4);
	assert_int_equal(c->devs[4].parent, 1);
}

static void test_bus_loops(void **state)
{
	struct ctx *c = *state;
	struct fake_fn *fn;

	fake_add(c->f, PCI_SBDF(0, 0, 0, 0), 0x8086, 0x29c0, 0, CLASS_HOST);
	add_bridge(c->f, 0, 1, PCI_EXP_TYPE_ROOT_PORT, 1, 1);
	/* Points back up to bus 0. */
	add_bridge(c->f, 1, 0, -1, 0, 0);
	/* Claims bus 1 again. */
	add_bridge(c->f, 0, 2, PCI_EXP_TYPE_ROOT_PORT, 1, 1);
	/* Subordinate beyond the window. */
	add_bridge(c->f, 0, 3, PCI_EXP_TYPE_ROOT_PORT, 6, 9);
	/* A bridge whose child bridge names its own bus as secondary. */
	add_bridge(c->f, 0, 4, PCI_EXP_TYPE_ROOT_PORT, 4, 5);
	add_bridge(c->f, 4, 0, -1, 4, 4);
	/* A child range that leaves its parent's range. */
	add_bridge(c->f, 4, 1, -1, 5, 7);
	fn = fake_add(c->f, PCI_SBDF(0, 6, 0, 0), 0x10ec, 0x8029, 0, CLASS_NIC);
	(void)fn;

	assert_int_equal(enumerate(c, CAP, 0, 7), PCI_ERR_BUS_TOPOLOGY);
	assert_int_equal(c->n, 8);
	assert_false(c->devs[0].bus_range_bad); /* 00:00.0 */
	assert_false(c->devs[1].bus_range_bad); /* 00:01.0 */
	assert_true(c->devs[2].bus_range_bad);  /* 00:02.0 */
	assert_true(c->devs[3].bus_range_bad);  /* 00:03.0 */
	assert_false(c->devs[4].bus_range_bad); /* 00:04.0 */
	assert_int_equal(c->devs[5].sbdf, PCI_SBDF(0, 1, 0, 0));
	assert_true(c->devs[5].bus_range_bad);
	assert_int_equal(c->devs[6].sbdf, PCI_SBDF(0, 4, 0, 0));
	assert_true(c->devs[6].bus_range_bad);
	assert_int_equal(c->devs[7].sbdf, PCI_SBDF(0, 4, 1, 0));
	assert_true(c->devs[7].bus_range_bad);
}

static void test_table_full(void **state)
{
	struct ctx *c = *state;
	size_t i;

	build_tree(c->f);
	assert_int_equal(enumerate(c, 3, 0, 0xff), PCI_ERR_TABLE_FULL);
	assert_int_equal(c->n, 3);
	/* Depth-first: the root port's subtree comes before 00:02.0. */
	assert_int_equal(c->devs[0].sbdf, PCI_SBDF(0, 0, 0, 0));
	assert_int_equal(c->devs[1].sbdf, PCI_SBDF(0, 0, 1, 0));
	assert_int_equal(c->devs[2].sbdf, PCI_SBDF(0, 1, 0, 0));
	for (i = 0; i < 3; i++)
		assert_int_not_equal(c->devs[i].vendor_id, 0);
	assert_int_equal(enumerate(c, 0, 0, 0xff), PCI_ERR_TABLE_FULL);
	assert_int_equal(c->n, 0);
}

static void test_params(void **state)
{
	struct ctx *c = *state;
	struct pci_enum_params p = {.segment = 0, .start_bus = 1, .end_bus = 0};

	build_tree(c->f);
	c->n = 99;
	assert_int_equal(pci_enumerate(&fake_cfg_ops, c->f, &p, c->devs, CAP, &c->n),
	                 PCI_ERR_INVAL);
	assert_int_equal(c->n, 0);
	p.end_bus = 1;
	assert_int_equal(pci_enumerate(&fake_cfg_ops, c->f, &p, NULL, 1, &c->n), PCI_ERR_INVAL);
	/* A scan rooted at bus 1 sees only that subtree. */
	assert_int_equal(enumerate(c, CAP, 1, 2), PCI_OK);
	assert_int_equal(c->n, 3);
	/* An empty segment. */
	p.segment = 7;
	p.end_bus = 0xff;
	assert_int_equal(pci_enumerate(&fake_cfg_ops, c->f, &p, c->devs, CAP, &c->n), PCI_OK);
	assert_int_equal(c->n, 0);
}

static void test_dev_probe(void **state)
{
	struct ctx *c = *state;
	struct pci_dev d;

	build_tree(c->f);
	assert_int_equal(pci_dev_probe(&fake_cfg_ops, c->f, PCI_SBDF(0, 0, 2, 1), &d), PCI_OK);
	/* Alone, function 1 reports its own header bit, which is clear. */
	assert_false(d.multifunction);
	assert_int_equal(d.pcie_type, PCI_EXP_TYPE_RC_END);
	assert_int_equal(d.parent, PCI_IDX_NONE);
	assert_int_equal(d.group, PCI_GROUP_NONE);
	assert_int_equal(pci_dev_probe(&fake_cfg_ops, c->f, PCI_SBDF(0, 9, 0, 0), &d),
	                 PCI_ERR_NOT_FOUND);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_tree),       T(test_tree_groups), T(test_bus_loops),
	        T(test_table_full), T(test_params),      T(test_dev_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

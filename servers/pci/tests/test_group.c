/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IOMMU group computation on hand-built device tables: PCIe-to-PCI
 * bridges and their aliases, multi-function devices with and without
 * ACS, root ports with and without (enabled) ACS, switches, functions on
 * the root bus, determinism under reordering, alias overflow and hostile
 * bridge bus numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pci_core.h"

#define CONV     (-1) /* conventional PCI: no PCIe capability */
#define MAXDEVS  16
#define ACS_FULL PCI_ACS_ISOLATION_FLAGS
#define QEMU_ACS (PCI_ACS_SV | PCI_ACS_TB | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF | PCI_ACS_DT)
#define ACS_OFF  0x148

struct table {
	struct pci_dev d[MAXDEVS];
	size_t n;
	uint32_t ngroups;
};

static struct pci_dev *add(struct table *t, uint8_t bus, uint8_t dev, uint8_t fn, int type, bool mf)
{
	struct pci_dev *d = &t->d[t->n++];

	memset(d, 0, sizeof(*d));
	d->sbdf = PCI_SBDF(0, bus, dev, fn);
	d->multifunction = mf;
	d->is_pcie = type != CONV;
	d->pcie_type = type == CONV ? 0 : (uint8_t)type;
	d->caps.pcie = type == CONV ? 0 : 0x40;
	return d;
}

static struct pci_dev *add_bridge(struct table *t, uint8_t bus, uint8_t dev, uint8_t fn, int type,
                                  uint8_t sec, uint8_t sub)
{
	struct pci_dev *d = add(t, bus, dev, fn, type, false);

	d->header_type = PCI_HEADER_TYPE_BRIDGE;
	d->sec_bus = sec;
	d->sub_bus = sub;
	return d;
}

static void set_acs(struct pci_dev *d, uint16_t cap, uint16_t ctrl)
{
	d->caps.acs = ACS_OFF;
	d->acs_cap = cap;
	d->acs_ctrl = ctrl;
}

static const struct pci_dev *get(const struct table *t, uint8_t bus, uint8_t dev, uint8_t fn)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->d[i].sbdf == PCI_SBDF(0, bus, dev, fn))
			return &t->d[i];
	}
	fail_msg("%02x:%02x.%x not in table", bus, dev, fn);
	return NULL;
}

static uint32_t grp(const struct table *t, uint8_t bus, uint8_t dev, uint8_t fn)
{
	return get(t, bus, dev, fn)->group;
}

static void compute(struct table *t)
{
	assert_int_equal(pci_group_compute(t->d, t->n, &t->ngroups), PCI_OK);
}

static bool has_alias(const struct pci_dev *d, uint32_t sbdf)
{
	unsigned k;

	for (k = 0; k < d->nalias; k++) {
		if (d->alias[k] == sbdf)
			return true;
	}
	return false;
}

/* Root port (ACS enabled) -> PCIe-to-PCI bridge -> two conventional devices. */
static void build_pci_bridge(struct table *t)
{
	struct pci_dev *rp = add_bridge(t, 0, 1, 0, PCI_EXP_TYPE_ROOT_PORT, 1, 2);

	set_acs(rp, QEMU_ACS, ACS_FULL);
	add(t, 0, 2, 0, PCI_EXP_TYPE_RC_END, false);
	add_bridge(t, 1, 0, 0, PCI_EXP_TYPE_PCI_BRIDGE, 2, 2);
	add(t, 2, 1, 0, CONV, false);
	add(t, 2, 2, 0, CONV, false);
}

static void test_pcie_to_pci_bridge(void **state)
{
	struct table t = {.n = 0};
	const struct pci_dev *c1;

	(void)state;
	build_pci_bridge(&t);
	compute(&t);
	assert_int_equal(t.ngroups, 3);
	assert_int_equal(grp(&t, 0, 1, 0), 0);
	assert_int_equal(grp(&t, 0, 2, 0), 1);
	/* The bridge and both devices behind it share one group. */
	assert_int_equal(grp(&t, 1, 0, 0), 2);
	assert_int_equal(grp(&t, 2, 1, 0), 2);
	assert_int_equal(grp(&t, 2, 2, 0), 2);
	/* Own RID, (secondary bus, devfn 0) and the bridge's own RID. */
	c1 = get(&t, 2, 1, 0);
	assert_int_equal(c1->nalias, 3);
	assert_true(has_alias(c1, PCI_SBDF(0, 2, 1, 0)));
	assert_true(has_alias(c1, PCI_SBDF(0, 2, 0, 0)));
	assert_true(has_alias(c1, PCI_SBDF(0, 1, 0, 0)));
	assert_false(c1->alias_overflow);
	assert_int_equal(c1->parent, get(&t, 1, 0, 0) - t.d);
	assert_int_equal(get(&t, 1, 0, 0)->nalias, 1);
	assert_int_equal(get(&t, 0, 1, 0)->parent, PCI_IDX_NONE);
}

/* Root port with ACS enabled and a two-function endpoint below it. */
static void build_mf(struct table *t, bool with_acs, uint16_t cap, uint16_t ctrl)
{
	struct pci_dev *rp = add_bridge(t, 0, 1, 0, PCI_EXP_TYPE_ROOT_PORT, 1, 1);
	struct pci_dev *f0 = add(t, 1, 0, 0, PCI_EXP_TYPE_ENDPOINT, true);
	struct pci_dev *f1 = add(t, 1, 0, 1, PCI_EXP_TYPE_ENDPOINT, true);

	set_acs(rp, QEMU_ACS, ACS_FULL);
	if (with_acs) {
		set_acs(f0, cap, ctrl);
		set_acs(f1, cap, ctrl);
	}
}

static void test_multifunction_no_acs(void **state)
{
	struct table t = {.n = 0};

	(void)state;
	build_mf(&t, false, 0, 0);
	compute(&t);
	assert_int_equal(t.ngroups, 2);
	assert_int_equal(grp(&t, 1, 0, 0), grp(&t, 1, 0, 1));
	assert_int_not_equal(grp(&t, 0, 1, 0), grp(&t, 1, 0, 0));
}

static void test_multifunction_acs(void **state)
{
	struct table t = {.n = 0};

	(void)state;
	build_mf(&t, true, ACS_FULL, ACS_FULL);
	compute(&t);
	assert_int_equal(t.ngroups, 3);
	assert_int_not_equal(grp(&t, 1, 0, 0), grp(&t, 1, 0, 1));

	/* ACS present but P2P Request Redirect not enabled: not isolated. */
	t.n = 0;
	build_mf(&t, true, ACS_FULL, ACS_FULL & ~PCI_ACS_RR);
	compute(&t);
	assert_int_equal(grp(&t, 1, 0, 0), grp(&t, 1, 0, 1));

	/* ACS capability with no controls: no internal P2P to block. */
	t.n = 0;
	build_mf(&t, true, 0, 0);
	compute(&t);
	assert_int_not_equal(grp(&t, 1, 0, 0), grp(&t, 1, 0, 1));
}

static void test_separate_root_ports(void **state)
{
	struct table t = {.n = 0};

	(void)state;
	set_acs(add_bridge(&t, 0, 1, 0, PCI_EXP_TYPE_ROOT_PORT, 1, 1), QEMU_ACS, ACS_FULL);
	set_acs(add_bridge(&t, 0, 2, 0, PCI_EXP_TYPE_ROOT_PORT, 2, 2), QEMU_ACS, ACS_FULL);
	add(&t, 1, 0, 0, PCI_EXP_TYPE_ENDPOINT, false);
	add(&t, 2, 0, 0, PCI_EXP_TYPE_ENDPOINT, false);
	compute(&t);
	assert_int_equal(t.ngroups, 4);
	assert_int_equal(grp(&t, 0, 1, 0), 0);
	assert_int_equal(grp(&t, 0, 2, 0), 1);
	assert_int_equal(grp(&t, 1, 0, 0), 2);
	assert_int_equal(grp(&t, 2, 0, 0), 3);
	assert_int_equal(get(&t, 1, 0, 0)->nalias, 1);
}

static void test_root_port_without_acs(void **state)
{
	struct table t = {.n = 0};

	(void)state;
	/* Like ioh3420: no ACS capability at all. */
	add_bridge(&t, 0, 1, 0, PCI_EXP_TYPE_ROOT_PORT, 1, 1);
	/* Like QEMU's pcie-root-port before the server enables ACS. */
	set_acs(add_bridge(&t, 0, 2, 0, PCI_EXP_TYPE_ROOT_PORT, 2, 2), QEMU_ACS, 0);
	set_acs(add_bridge(&t, 0, 3, 0, PCI_EXP_TYPE_ROOT_PORT, 3, 3), QEMU_ACS, ACS_FULL);
	add(&t, 1, 0, 0, PCI_EXP_TYPE_ENDPOINT, false);
	add(&t, 2, 0, 0, PCI_EXP_TYPE_ENDPOINT, false);
	add(&t, 3, 0, 0, PCI_EXP_TYPE_ENDPOINT, false);
	compute(&t);
	assert_int_equal(t.ngroups, 4);
	assert_int_equal(grp(&t, 0, 1, 0), grp(&t, 1, 0, 0));
	assert_int_equal(grp(&t, 0, 2, 0), grp(&t, 2, 0, 0));
	assert_int_not_equal(grp(&t, 0, 1, 0), grp(&t, 0, 2, 0));
	assert_int_not_equal(grp(&t, 0, 3, 0), grp(&t, 3, 0, 0));
}

static void test_multifunction_root_ports(void **state)
{
	struct table t = {.n = 0};

	(void)state;
	/* Two root ports as functions of one device, no ACS (PCH style). */
	add_bridge(&t, 0, 0x1c, 0, PCI_EXP_TYPE_ROOT_PORT, 1, 1)->multifunction = true;
	add_bridge(&t, 0, 0x1c, 1, PCI_EXP_TYPE_ROOT_PORT, 2, 2)->multifunction = true;
	add(&t, 1, 0, 0, PCI_EXP_TYPE_ENDPOINT, false);
	add(&t, 2, 0, 0, PCI_EXP_TYPE_ENDPOINT, false);
	compute(&t);
	assert_int_equal(t.ngroups, 1);

	set_acs(&t.d[0], QEMU_ACS, ACS_FULL);
	set_acs(&t.d[1], QEMU_ACS, ACS_FULL);
	compute(&t);
	assert_int_equal(t.ngroups, 4);
}

/* Root port -> switch upstream port -> two downstream ports -> endpoints. */
static void build_switch(struct table *t, uint16_t rp_ctrl, uint16_t dp_ctrl)
{
	set_acs(add_bridge(t, 0, 1, 0, PCI_EXP_TYPE_ROOT_PORT, 1, 4), QEMU_ACS, rp_ctrl);
	add_bridge(t, 1, 0, 0, PCI_EXP_TYPE_UPSTREAM, 2, 4);
	set_acs(add_bridge(t, 2, 0, 0, PCI_EXP_TYPE_DOWNSTREAM, 3, 3), QEMU_ACS, dp_ctrl);
	set_acs(add_bridge(t, 2, 1, 0, PCI_EXP_TYPE_DOWNSTREAM, 4, 4), QEMU_ACS, dp_ctrl);
	add(t, 3, 0, 0, PCI_EXP_TYPE_ENDPOINT, false);
	add(t, 4, 0, 0, PCI_EXP_TYPE_ENDPOINT, false);
}

static void test_switch(void **state)
{
	struct table t = {.n = 0};

	(void)state;
	/* Downstream ports without ACS: each endpoint joins its port. */
	build_switch(&t, ACS_FULL, 0);
	compute(&t);
	assert_int_equal(t.ngroups, 4);
	assert_int_equal(grp(&t, 2, 0, 0), grp(&t, 3, 0, 0));
	assert_int_equal(grp(&t, 2, 1, 0), grp(&t, 4, 0, 0));
	assert_int_not_equal(grp(&t, 3, 0, 0), grp(&t, 4, 0, 0));
	assert_int_not_equal(grp(&t, 1, 0, 0), grp(&t, 3, 0, 0));

	/* Full ACS everywhere: every function alone. */
	t.n = 0;
	build_switch(&t, ACS_FULL, ACS_FULL);
	compute(&t);
	assert_int_equal(t.ngroups, 6);

	/* Root port not isolating: the whole hierarchy is one group. */
	t.n = 0;
	build_switch(&t, 0, ACS_FULL);
	compute(&t);
	assert_int_equal(t.ngroups, 1);
}

static void test_root_bus_functions(void **state)
{
	struct table t = {.n = 0};

	(void)state;
	add(&t, 0, 0, 0, CONV, false);                /* host bridge */
	add(&t, 0, 2, 0, PCI_EXP_TYPE_RC_END, false); /* RCiEP */
	add(&t, 0, 3, 0, PCI_EXP_TYPE_RC_END, true);  /* multi-function RCiEP, no ACS */
	add(&t, 0, 3, 1, PCI_EXP_TYPE_RC_END, true);
	add(&t, 0, 0x1f, 0, CONV, true); /* ICH9-style functions */
	add(&t, 0, 0x1f, 2, CONV, true);
	add(&t, 0, 0x1f, 3, CONV, true);
	compute(&t);
	assert_int_equal(t.ngroups, 4);
	assert_int_equal(grp(&t, 0, 0, 0), 0);
	assert_int_equal(grp(&t, 0, 2, 0), 1);
	assert_int_equal(grp(&t, 0, 3, 0), 2);
	assert_int_equal(grp(&t, 0, 3, 1), 2);
	assert_int_equal(grp(&t, 0, 0x1f, 0), 3);
	assert_int_equal(grp(&t, 0, 0x1f, 3), 3);
}

static void test_deterministic(void **state)
{
	struct table a = {.n = 0}, b = {.n = 0};
	size_t i;

	(void)state;
	build_switch(&a, ACS_FULL, 0);
	/* Same devices, reversed. */
	for (i = 0; i < a.n; i++)
		b.d[i] = a.d[a.n - 1 - i];
	b.n = a.n;
	compute(&a);
	compute(&b);
	assert_int_equal(a.ngroups, b.ngroups);
	for (i = 0; i < a.n; i++) {
		assert_int_equal(a.d[i].sbdf, b.d[i].sbdf);
		assert_int_equal(a.d[i].group, b.d[i].group);
		assert_int_equal(a.d[i].parent, b.d[i].parent);
	}
	/* IDs appear in SBDF order: each new ID is the next integer. */
	{
		uint32_t next = 0;

		for (i = 0; i < a.n; i++) {
			assert_true(a.d[i].group <= next);
			if (a.d[i].group == next)
				next++;
		}
		assert_int_equal(next, a.ngroups);
	}
}

static void test_alias_overflow(void **state)
{
	struct table t = {.n = 0};
	const struct pci_dev *leaf;
	uint32_t ng = 0;
	uint8_t b;

	(void)state;
	/* PCIe-to-PCI bridge, then seven conventional bridges in a chain. */
	add_bridge(&t, 0, 1, 0, PCI_EXP_TYPE_PCI_BRIDGE, 1, 8);
	for (b = 1; b < 8; b++)
		add_bridge(&t, b, 0, 0, CONV, (uint8_t)(b + 1), 8);
	add(&t, 8, 0, 0, CONV, false);
	assert_int_equal(pci_group_compute(t.d, t.n, &ng), PCI_ERR_TABLE_FULL);
	leaf = get(&t, 8, 0, 0);
	assert_true(leaf->alias_overflow);
	assert_int_equal(leaf->nalias, PCI_MAX_ALIASES);
	/* Groups are complete regardless. */
	assert_int_equal(ng, 1);
	assert_false(get(&t, 1, 0, 0)->alias_overflow);
}

static void test_hostile_bridges(void **state)
{
	struct table t = {.n = 0};
	struct pci_dev *bad;

	(void)state;
	/* Two bridges pointing at each other's bus: neither may loop. */
	add_bridge(&t, 1, 0, 0, PCI_EXP_TYPE_PCI_BRIDGE, 2, 2);
	add_bridge(&t, 2, 0, 0, PCI_EXP_TYPE_PCI_BRIDGE, 1, 1);
	/* A bridge whose secondary bus is its own. */
	add_bridge(&t, 5, 0, 0, CONV, 5, 5);
	add(&t, 5, 1, 0, CONV, false);
	/* A bridge rejected by enumeration is never a parent. */
	bad = add_bridge(&t, 0, 9, 0, PCI_EXP_TYPE_ROOT_PORT, 9, 9);
	bad->bus_range_bad = true;
	add(&t, 9, 0, 0, PCI_EXP_TYPE_ENDPOINT, false);
	compute(&t);
	assert_int_equal(get(&t, 2, 0, 0)->parent, get(&t, 1, 0, 0) - t.d);
	assert_int_equal(get(&t, 1, 0, 0)->parent, PCI_IDX_NONE);
	assert_int_equal(get(&t, 5, 1, 0)->parent, PCI_IDX_NONE);
	assert_int_equal(get(&t, 9, 0, 0)->parent, PCI_IDX_NONE);
	assert_int_not_equal(grp(&t, 9, 0, 0), grp(&t, 0, 9, 0));
}

static void test_segments_and_empty(void **state)
{
	struct table t = {.n = 0};
	uint32_t ng = 99;

	(void)state;
	assert_int_equal(pci_group_compute(t.d, 0, &ng), PCI_OK);
	assert_int_equal(ng, 0);
	add_bridge(&t, 0, 1, 0, PCI_EXP_TYPE_ROOT_PORT, 1, 1);
	add(&t, 1, 0, 0, PCI_EXP_TYPE_ENDPOINT, false)->sbdf = PCI_SBDF(1, 1, 0, 0);
	compute(&t);
	/* Bus 1 of segment 1 is not below segment 0's root port. */
	assert_int_equal(t.d[1].sbdf, PCI_SBDF(1, 1, 0, 0));
	assert_int_equal(t.d[1].parent, PCI_IDX_NONE);
	assert_int_equal(t.ngroups, 2);
}

static void test_acs_isolated_types(void **state)
{
	struct pci_dev d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_false(pci_acs_isolated(&d)); /* conventional */
	d.is_pcie = true;
	d.pcie_type = PCI_EXP_TYPE_ENDPOINT;
	assert_true(pci_acs_isolated(&d));
	d.multifunction = true;
	assert_false(pci_acs_isolated(&d));
	d.pcie_type = PCI_EXP_TYPE_PCI_BRIDGE;
	d.multifunction = false;
	set_acs(&d, ACS_FULL, ACS_FULL);
	assert_false(pci_acs_isolated(&d));
	d.pcie_type = PCI_EXP_TYPE_RC_EC;
	assert_false(pci_acs_isolated(&d));
	d.pcie_type = PCI_EXP_TYPE_DOWNSTREAM;
	assert_true(pci_acs_isolated(&d));
	d.acs_ctrl = ACS_FULL & ~PCI_ACS_SV;
	assert_false(pci_acs_isolated(&d));
	/* Controls not implemented are not required. */
	d.acs_cap = ACS_FULL & ~PCI_ACS_SV;
	assert_true(pci_acs_isolated(&d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_pcie_to_pci_bridge),
	        cmocka_unit_test(test_multifunction_no_acs),
	        cmocka_unit_test(test_multifunction_acs),
	        cmocka_unit_test(test_separate_root_ports),
	        cmocka_unit_test(test_root_port_without_acs),
	        cmocka_unit_test(test_multifunction_root_ports),
	        cmocka_unit_test(test_switch),
	        cmocka_unit_test(test_root_bus_functions),
	        cmocka_unit_test(test_deterministic),
	        cmocka_unit_test(test_alias_overflow),
	        cmocka_unit_test(test_hostile_bridges),
	        cmocka_unit_test(test_segments_and_empty),
	        cmocka_unit_test(test_acs_isolated_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

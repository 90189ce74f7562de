/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The DMAR reduced to units, scopes and RMRRs, and the questions asked of
 * it: which unit translates a requester, which reserved ranges it must
 * keep. Against QEMU 7.2's own table (libs/acpi/testdata, explicit scopes
 * and an ATSR because device-iotlb=on) and a synthetic table with an
 * INCLUDE_PCI_ALL unit and an RMRR naming a device behind a bridge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <string.h>

#include <acpi.h>

#include "vtd.h"

static struct vtd_dmar dmar;

/* Bridges of the test machines: 00:01.0 → bus 1, 00:02.0 → bus 2, 00:1c.0 → buses 3-4. */
static bool bridge_buses(void *ctx, uint16_t seg, uint8_t bus, uint8_t devfn, uint8_t *secondary,
                         uint8_t *subordinate)
{
	(void)ctx;
	if (seg != 0 || bus != 0)
		return false;
	if (devfn == VTD_DEVFN(1, 0) || devfn == VTD_DEVFN(2, 0)) {
		*secondary = *subordinate = VTD_DEVFN_DEV(devfn);
		return true;
	}
	if (devfn == VTD_DEVFN(0x1c, 0)) {
		*secondary = 3;
		*subordinate = 4;
		return true;
	}
	return false;
}

static const struct vtd_bus_ops ops = {bridge_buses, NULL};

static void parse(const uint8_t *buf, size_t len)
{
	struct acpi_table t;
	struct acpi_dmar d;

	assert_int_equal(acpi_table_check(buf, len, &t), ACPI_OK);
	assert_int_equal(acpi_dmar_parse(&t, &d, NULL), ACPI_OK);
	assert_int_equal(vtd_dmar_collect(&d, &dmar), VTD_OK);
}

static void test_qemu_table(void **state)
{
	static uint8_t buf[4096];
	FILE *f = fopen(VTD_TESTDATA "/q35-intel-iommu/dmar.dat", "rb");
	size_t len;

	(void)state;
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	parse(buf, len);
	assert_int_equal(dmar.haw, 39);
	assert_int_equal(dmar.unit_count, 1);
	assert_int_equal(dmar.units[0].base, 0xfed90000ULL);
	assert_int_equal(vtd_dmar_unit_at(&dmar, 0xfed90000ULL), 0);
	assert_int_equal(vtd_dmar_unit_at(&dmar, 0xfed91000ULL), -1);
	assert_int_equal(dmar.units[0].flags, 0);
	assert_int_equal(dmar.units[0].scope_count, 7);
	assert_int_equal(dmar.atsr_count, 1);
	assert_int_equal(dmar.rmrr_count, 0);
	assert_false(dmar.truncated);
	assert_int_equal(vtd_dmar_unit_for(&dmar, &ops, 0, VTD_SID(0, VTD_DEVFN(0x1f, 2))), 0);
	assert_int_equal(vtd_dmar_unit_for(&dmar, &ops, 0, VTD_SID(1, VTD_DEVFN(0, 0))), 0);
	assert_int_equal(vtd_dmar_unit_for(&dmar, &ops, 0, VTD_SID(2, VTD_DEVFN(0, 3))), 0);
	assert_int_equal(vtd_dmar_unit_for(&dmar, &ops, 0, VTD_SID(0, VTD_DEVFN(3, 0))), -1);
	assert_int_equal(vtd_dmar_unit_for(&dmar, &ops, 0, VTD_SID(5, 0)), -1);
	assert_int_equal(vtd_dmar_unit_for(&dmar, &ops, 1, VTD_SID(0, VTD_DEVFN(0x1f, 2))), -1);
}

static size_t put(uint8_t *b, size_t at, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		b[at + i] = (uint8_t)(v >> (8 * i));
	return at + bytes;
}

/* DMAR: INCLUDE_PCI_ALL unit at 0xfed90000; RMRR [0x7c000000, 0x7c0fffff] for 00:1c.0 → 00.0 */
static size_t synthetic(uint8_t *b)
{
	size_t at = 0, len;
	uint8_t sum = 0;

	memset(b, 0, 256);
	memcpy(b, "DMAR", 4);
	b[8] = 1;   /* revision */
	b[36] = 38; /* host address width - 1 */
	at = 48;
	at = put(b, at, 0, 2);  /* DRHD */
	at = put(b, at, 16, 2); /* length */
	at = put(b, at, 1, 1);  /* INCLUDE_PCI_ALL */
	at = put(b, at, 0, 1);
	at = put(b, at, 0, 2); /* segment */
	at = put(b, at, 0xfed90000ULL, 8);
	at = put(b, at, 1, 2);  /* RMRR */
	at = put(b, at, 34, 2); /* 24 + one scope of 10 */
	at = put(b, at, 0, 2);
	at = put(b, at, 0, 2);
	at = put(b, at, 0x7c000000ULL, 8);
	at = put(b, at, 0x7c0fffffULL, 8);
	at = put(b, at, 1, 1);  /* endpoint */
	at = put(b, at, 10, 1); /* scope length */
	at = put(b, at, 0, 2);
	at = put(b, at, 0, 1); /* enumeration ID */
	at = put(b, at, 0, 1); /* start bus */
	at = put(b, at, 0x1c, 1);
	at = put(b, at, 0, 1);
	at = put(b, at, 0, 1);
	at = put(b, at, 0, 1);
	len = at;
	put(b, 4, len, 4);
	for (size_t i = 0; i < len; i++)
		sum += b[i];
	b[9] = (uint8_t)(0x100 - sum);
	return len;
}

static void test_rmrr_behind_bridge(void **state)
{
	static uint8_t buf[256];
	const struct vtd_rmrr *r[2];

	(void)state;
	parse(buf, synthetic(buf));
	assert_int_equal(dmar.unit_count, 1);
	assert_int_equal(dmar.rmrr_count, 1);
	assert_int_equal(vtd_dmar_unit_for(&dmar, &ops, 0, VTD_SID(3, 0)), 0);
	assert_int_equal(vtd_dmar_unit_for(&dmar, &ops, 0, VTD_SID(0x40, 0)), 0);
	assert_int_equal(vtd_dmar_rmrrs_for(&dmar, &ops, 0, VTD_SID(3, 0), r, 2), 1);
	assert_int_equal(r[0]->base, 0x7c000000ULL);
	assert_int_equal(r[0]->limit, 0x7c0fffffULL);
	assert_int_equal(vtd_dmar_rmrrs_for(&dmar, &ops, 0, VTD_SID(3, 1), r, 2), 0);
	assert_int_equal(vtd_dmar_rmrrs_for(&dmar, &ops, 0, VTD_SID(0, VTD_DEVFN(0x1c, 0)), r, 2),
	                 0);
	/* the bridge itself is unknown to the callback: nothing resolves */
	assert_int_equal(vtd_dmar_rmrrs_for(&dmar, NULL, 0, VTD_SID(3, 0), r, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_qemu_table),
	        cmocka_unit_test(test_rmrr_behind_bridge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IVRS collection: QEMU 7.2's captured table (libs/acpi/testdata; its
 * contents are listed in docs/acpi.md) and a table built here with what
 * QEMU's lacks: one IOMMU described by both an IVHD 10h and an 11h (only
 * the 11h may be used), a range, alias entries (the DeviceID to program
 * is the alias), and IVMD blocks of each type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <acpi.h>
#include <acpi_tables.h>

#include "amdvi.h"

static struct amdvi_ivrs ivrs;

static void collect(const uint8_t *buf, size_t len)
{
	struct acpi_table t;
	struct acpi_ivrs parsed;

	assert_int_equal(acpi_table_check(buf, len, &t), ACPI_OK);
	assert_int_equal(acpi_ivrs_parse(&t, &parsed, NULL), ACPI_OK);
	assert_int_equal(amdvi_ivrs_collect(&parsed, &ivrs), AMDVI_OK);
}

static void test_qemu_table(void **state)
{
	static uint8_t buf[4096];
	FILE *f = fopen(AMDVI_TESTDATA "/q35-amd-iommu/ivrs.dat", "rb");
	size_t len;

	(void)state;
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	collect(buf, len);
	assert_int_equal(ivrs.unit_count, 1);
	assert_int_equal(ivrs.units[0].base, 0xfed80000ULL);
	assert_int_equal(ivrs.units[0].devid, 0x0008); /* 00:01.0, the IOMMU itself */
	assert_int_equal(ivrs.units[0].type, 0x10);
	assert_int_equal(ivrs.units[0].efr_image, 0);
	assert_false(ivrs.truncated);
	assert_int_equal(ivrs.ivmd_count, 0);
	/* select entries on bus 0, the bridge's range 01:00.0-01:1f.7, the IOAPIC as 00:14.0 */
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 0, 0x0010), 0);
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 0, 0x00fa), 0);
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 0, 0x0100), 0);
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 0, 0x01ff), 0);
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 0, 0x0200), -1);
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 1, 0x0010), -1);
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 0, 0x00a0), 0);
	assert_int_equal(amdvi_ivrs_unit_at(&ivrs, 0xfed80000ULL), 0);
	assert_int_equal(amdvi_ivrs_unit_at(&ivrs, 0xfed90000ULL), -1);
	assert_int_equal(amdvi_ivrs_alias(&ivrs, 0, 0x0010), 0x0010);
}

/* Appends n bytes at *off. */
static void put(uint8_t *buf, size_t *off, const void *p, size_t n)
{
	memcpy(buf + *off, p, n);
	*off += n;
}

static void dev4(uint8_t *buf, size_t *off, uint8_t type, uint16_t id)
{
	struct acpi_raw_ivhd_dev4 d = {type, id, 0};

	put(buf, off, &d, sizeof(d));
}

static void alias(uint8_t *buf, size_t *off, uint8_t type, uint16_t id, uint16_t source)
{
	struct acpi_raw_ivhd_dev8 d = {0};

	d.type = type;
	d.device_id = id;
	d.u.alias.source_id = source;
	put(buf, off, &d, sizeof(d));
}

static void ivmd(uint8_t *buf, size_t *off, uint8_t type, uint8_t flags, uint16_t first,
                 uint16_t aux, uint64_t start, uint64_t len)
{
	struct acpi_raw_ivmd m = {type, flags, sizeof(m), first, aux, 0, start, len};

	put(buf, off, &m, sizeof(m));
}

static size_t build(uint8_t *buf)
{
	struct acpi_raw_ivhd_10 h10 = {0};
	struct acpi_raw_ivhd_11 h11 = {0};
	size_t off = sizeof(struct acpi_raw_ivrs), start;
	struct acpi_raw_ivrs *hdr = (struct acpi_raw_ivrs *)buf;
	uint8_t sum = 0;

	memset(buf, 0, 1024);
	/* the legacy block: an IOMMU at 0xfeb00000 covering only 00:05.0 */
	start = off;
	h10 = (struct acpi_raw_ivhd_10){0x10, 0, 0, 0x0002, 0x40, 0xfeb00000ULL, 0, 0, 0};
	put(buf, &off, &h10, sizeof(h10));
	dev4(buf, &off, ACPI_IVHD_SELECT, 0x0028);
	((struct acpi_raw_ivhd_10 *)(buf + start))->length = (uint16_t)(off - start);
	/* the same IOMMU as 11h: a range on bus 2, an alias select and an alias range */
	start = off;
	h11 = (struct acpi_raw_ivhd_11){0x11, 0, 0, 0x0002, 0x40, 0xfeb00000ULL,
	                                0,    0, 0, 0x29d3, 0};
	put(buf, &off, &h11, sizeof(h11));
	dev4(buf, &off, ACPI_IVHD_START, 0x0200);
	dev4(buf, &off, ACPI_IVHD_END, 0x02ff);
	alias(buf, &off, ACPI_IVHD_ALIAS_SELECT, 0x0300, 0x0210);
	alias(buf, &off, ACPI_IVHD_ALIAS_START, 0x0400, 0x0218);
	dev4(buf, &off, ACPI_IVHD_END, 0x0407);
	((struct acpi_raw_ivhd_11 *)(buf + start))->length = (uint16_t)(off - start);
	ivmd(buf, &off, 0x21, AMDVI_IVMD_UNITY | AMDVI_IVMD_READ, 0x0200, 0, 0xe0000, 0x20000);
	ivmd(buf, &off, 0x22, AMDVI_IVMD_UNITY | AMDVI_IVMD_READ | AMDVI_IVMD_WRITE, 0x0400, 0x0403,
	     0x100000, 0x1000);
	ivmd(buf, &off, 0x20, AMDVI_IVMD_EXCLUSION, 0, 0, 0x200000, 0x1000);
	memcpy(hdr->header.signature, "IVRS", 4);
	hdr->header.length = (uint32_t)off;
	hdr->header.revision = 2;
	hdr->iv_info = 0x2800;
	for (size_t i = 0; i < off; i++)
		sum = (uint8_t)(sum + buf[i]);
	hdr->header.checksum = (uint8_t)-sum;
	return off;
}

static void test_types_aliases_ivmds(void **state)
{
	static uint8_t buf[1024];
	const struct amdvi_ivmd *m[4];

	(void)state;
	collect(buf, build(buf));
	assert_int_equal(ivrs.iv_info, 0x2800);
	/* one IOMMU, described by its 11h block only */
	assert_int_equal(ivrs.unit_count, 1);
	assert_int_equal(ivrs.units[0].type, 0x11);
	assert_int_equal(ivrs.units[0].efr_image, 0x29d3);
	assert_int_equal(ivrs.units[0].entry_count, 3);
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 0, 0x0028), -1); /* only in the 10h block */
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 0, 0x02ff), 0);
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 0, 0x0407), 0);
	assert_int_equal(amdvi_ivrs_unit_for(&ivrs, 0, 0x0408), -1);
	/* aliases: 03:00.0 reaches the IOMMU as 02:02.0, 04:00.0-04:00.7 as 02:03.0 */
	assert_int_equal(amdvi_ivrs_alias(&ivrs, 0, 0x0300), 0x0210);
	assert_int_equal(amdvi_ivrs_alias(&ivrs, 0, 0x0405), 0x0218);
	assert_int_equal(amdvi_ivrs_alias(&ivrs, 0, 0x0250), 0x0250);
	/* IVMD: 02:00.0 has its select block and the all-devices one */
	assert_int_equal(ivrs.ivmd_count, 3);
	assert_int_equal(amdvi_ivrs_ivmds_for(&ivrs, 0x0200, m, 4), 2);
	assert_int_equal(m[0]->start, 0xe0000);
	assert_int_equal(m[0]->length, 0x20000);
	assert_int_equal(m[0]->flags, AMDVI_IVMD_UNITY | AMDVI_IVMD_READ);
	assert_int_equal(m[1]->flags, AMDVI_IVMD_EXCLUSION);
	assert_int_equal(amdvi_ivrs_ivmds_for(&ivrs, 0x0402, m, 1), 2); /* array too small */
	assert_int_equal(m[0]->start, 0x100000);
	assert_int_equal(amdvi_ivrs_ivmds_for(&ivrs, 0x0404, m, 4), 1);
	assert_int_equal(amdvi_ivrs_collect(NULL, &ivrs), AMDVI_E_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_qemu_table),
	        cmocka_unit_test(test_types_aliases_ivmds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

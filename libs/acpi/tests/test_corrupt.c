/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Corrupted copies of the captured QEMU tables: every corruption must be
 * rejected with its specific error code and the offset of the offending
 * structure (checksums are fixed after each edit so that the parser gets
 * past them). Then exhaustive truncation and byte-mutation runs, and a
 * seeded random one, over every table and over the RSDP/RSDT walk: built
 * with AddressSanitizer and UBSan, they show that no input makes the parser
 * read out of bounds, and that whatever a *_parse() accepts its iterators
 * walk to the exact end. Usage: test-acpi-corrupt TESTDATA_DIR
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acpi.h"
#include "acpi_tables.h"
#include "test_util.h"

#define INTEL "q35-intel-iommu"
#define AMD   "q35-amd-iommu"

/* Runs the parser for t's signature and, if it accepts, every iterator to
 * the end (checking it ends exactly at the end of its range). Returns the
 * parser's status and stores the error offset in *off. */
static enum acpi_status parse_any(const struct acpi_table *t, uint32_t *off)
{
	struct acpi_madt madt;
	struct acpi_madt_entry me;
	struct acpi_dmar dmar;
	struct acpi_dmar_unit du;
	struct acpi_dmar_scope ds;
	struct acpi_ivrs ivrs;
	struct acpi_ivrs_block ib;
	struct acpi_ivhd_entry ie;
	struct acpi_mcfg_window w[2];
	struct acpi_root root;
	struct acpi_fadt fadt;
	size_t n;
	enum acpi_status st = ACPI_OK;

	if (acpi_table_is(t, "APIC")) {
		st = acpi_madt_parse(t, &madt, off);
		if (st == ACPI_OK) {
			while (acpi_madt_next(&madt.entries, &me))
				;
			assert_int_equal(madt.entries.off, t->length);
			acpi_madt_cpus(&madt, NULL, 0);
		}
	} else if (acpi_table_is(t, "DMAR")) {
		st = acpi_dmar_parse(t, &dmar, off);
		while (st == ACPI_OK && acpi_dmar_next(&dmar.units, &du)) {
			while (acpi_dmar_scope_next(&du.scopes, &ds))
				;
			assert_int_equal(du.scopes.off, du.scopes.end);
		}
		if (st == ACPI_OK)
			assert_int_equal(dmar.units.off, t->length);
	} else if (acpi_table_is(t, "IVRS")) {
		st = acpi_ivrs_parse(t, &ivrs, off);
		while (st == ACPI_OK && acpi_ivrs_next(&ivrs.blocks, &ib)) {
			while (acpi_ivhd_next(&ib.entries, &ie))
				;
			assert_int_equal(ib.entries.off, ib.entries.end);
		}
		if (st == ACPI_OK)
			assert_int_equal(ivrs.blocks.off, t->length);
	} else if (acpi_table_is(t, "MCFG")) {
		st = acpi_mcfg_parse(t, w, 2, &n, off);
	} else if (acpi_table_is(t, "RSDT") || acpi_table_is(t, "XSDT")) {
		st = acpi_root_parse(t, &root, off);
		for (uint32_t i = 0; st == ACPI_OK && i <= root.count; i++)
			acpi_root_entry(&root, i);
	} else if (acpi_table_is(t, "FACP")) {
		st = acpi_fadt_parse(t, &fadt, off);
	}
	return st;
}

/* One edit of a captured table and the error it must produce. */
struct corruption {
	const char *what;
	const char *machine;
	const char *file;
	uint32_t length; /* new header length (buffer cut to it); 0: keep */
	uint32_t at;     /* where to write `value`... */
	uint8_t width;   /* ...as this many little-endian bytes; 0: no write */
	uint64_t value;
	enum acpi_status want;
	uint32_t want_off;
};

static const struct corruption corruptions[] = {
        {"MCFG partial entry", INTEL, "mcfg.dat", 59, 0, 0, 0, ACPI_E_MCFG_PARTIAL, 44},
        {"MCFG start > end bus", INTEL, "mcfg.dat", 0, 0x36, 2, 0x1020, ACPI_E_MCFG_BUS_RANGE,
         0x2c},
        {"MCFG shorter than fixed part", INTEL, "mcfg.dat", 40, 0, 0, 0, ACPI_E_TABLE_LENGTH, 0},
        {"MADT entry length 0", INTEL, "apic.dat", 0, 0x2d, 1, 0, ACPI_E_SUB_LENGTH, 0x2c},
        {"MADT entry length 1", INTEL, "apic.dat", 0, 0x2d, 1, 1, ACPI_E_SUB_LENGTH, 0x2c},
        {"MADT LAPIC entry too short", INTEL, "apic.dat", 0, 0x2d, 1, 6, ACPI_E_SUB_LENGTH, 0x2c},
        {"MADT entry past the end", INTEL, "apic.dat", 0, 0x3d, 1, 0xff, ACPI_E_SUB_OVERRUN, 0x3c},
        {"MADT last entry cut", INTEL, "apic.dat", 0x7d, 0, 0, 0, ACPI_E_SUB_OVERRUN, 0x7a},
        {"MADT one stray byte", INTEL, "apic.dat", 0x7b, 0, 0, 0, ACPI_E_SUB_OVERRUN, 0x7a},
        {"MADT shorter than fixed part", INTEL, "apic.dat", 43, 0, 0, 0, ACPI_E_TABLE_LENGTH, 0},
        {"DMAR DRHD length 0", INTEL, "dmar.dat", 0, 0x32, 2, 0, ACPI_E_SUB_LENGTH, 0x30},
        {"DMAR DRHD length 0xffff", INTEL, "dmar.dat", 0, 0x32, 2, 0xffff, ACPI_E_SUB_OVERRUN,
         0x30},
        {"DMAR DRHD length 12", INTEL, "dmar.dat", 0, 0x32, 2, 12, ACPI_E_SUB_LENGTH, 0x30},
        {"DMAR scope length 0", INTEL, "dmar.dat", 0, 0x41, 1, 0, ACPI_E_SCOPE_LENGTH, 0x40},
        {"DMAR scope length odd", INTEL, "dmar.dat", 0, 0x41, 1, 7, ACPI_E_SCOPE_LENGTH, 0x40},
        {"DMAR scope without path", INTEL, "dmar.dat", 0, 0x41, 1, 6, ACPI_E_SCOPE_LENGTH, 0x40},
        {"DMAR scope past DRHD", INTEL, "dmar.dat", 0, 0x71, 1, 0xfe, ACPI_E_SCOPE_OVERRUN, 0x70},
        {"DMAR DRHD cuts a scope", INTEL, "dmar.dat", 0, 0x32, 2, 0x46, ACPI_E_SCOPE_OVERRUN, 0x70},
        {"DMAR register base 0", INTEL, "dmar.dat", 0, 0x38, 8, 0, ACPI_E_DMAR_REGISTER_BASE, 0x30},
        {"DMAR register base unaligned", INTEL, "dmar.dat", 0, 0x38, 8, 0xfed90800,
         ACPI_E_DMAR_REGISTER_BASE, 0x30},
        {"DMAR ATSR past the end", INTEL, "dmar.dat", 0, 0x7a, 2, 0x10, ACPI_E_SUB_OVERRUN, 0x78},
        {"DMAR partial header", INTEL, "dmar.dat", 0x7a, 0, 0, 0, ACPI_E_SUB_OVERRUN, 0x78},
        {"DMAR shorter than fixed part", INTEL, "dmar.dat", 47, 0, 0, 0, ACPI_E_TABLE_LENGTH, 0},
        {"DMAR unknown type is skipped", INTEL, "dmar.dat", 0, 0x78, 2, 0x55, ACPI_OK, 0},
        {"IVRS block length 0", AMD, "ivrs.dat", 0, 0x32, 2, 0, ACPI_E_SUB_LENGTH, 0x30},
        {"IVRS block length 0xffff", AMD, "ivrs.dat", 0, 0x32, 2, 0xffff, ACPI_E_SUB_OVERRUN, 0x30},
        {"IVHD shorter than header", AMD, "ivrs.dat", 0, 0x32, 2, 20, ACPI_E_SUB_LENGTH, 0x30},
        {"IVHD IOMMU base 0", AMD, "ivrs.dat", 0, 0x38, 8, 0, ACPI_E_IVHD_IOMMU_BASE, 0x30},
        {"IVHD IOMMU base unaligned", AMD, "ivrs.dat", 0, 0x38, 8, 0xfed80010,
         ACPI_E_IVHD_IOMMU_BASE, 0x30},
        {"IVHD entry cut by block end", AMD, "ivrs.dat", 0, 0x32, 2, 0x3c,
         ACPI_E_IVHD_ENTRY_OVERRUN, 0x68},
        {"IVHD entry type 80h", AMD, "ivrs.dat", 0, 0x48, 1, 0x80, ACPI_E_IVHD_ENTRY_TYPE, 0x48},
        {"IVHD HID entry UID overrun", AMD, "ivrs.dat", 0, 0x48, 1, 0xf0, ACPI_E_IVHD_ENTRY_OVERRUN,
         0x48},
        {"IVHD start without end", AMD, "ivrs.dat", 0, 0x58, 1, ACPI_IVHD_SELECT, ACPI_E_IVHD_RANGE,
         0x54},
        {"IVHD end without start", AMD, "ivrs.dat", 0, 0x54, 1, ACPI_IVHD_SELECT, ACPI_E_IVHD_RANGE,
         0x58},
        {"IVHD reversed range", AMD, "ivrs.dat", 0, 0x59, 2, 0x00ff, ACPI_E_IVHD_RANGE, 0x54},
        {"IVHD start at block end", AMD, "ivrs.dat", 0, 0x32, 2, 0x28, ACPI_E_IVHD_RANGE, 0x54},
        {"IVRS unknown block skipped", AMD, "ivrs.dat", 0, 0x30, 1, 0x77, ACPI_OK, 0},
        {"IVHD unknown 4-byte entry", AMD, "ivrs.dat", 0, 0x48, 1, 0x05, ACPI_OK, 0},
        {"IVRS shorter than fixed part", AMD, "ivrs.dat", 47, 0, 0, 0, ACPI_E_TABLE_LENGTH, 0},
        {"RSDT partial entry", INTEL, "rsdt.dat", 58, 0, 0, 0, ACPI_E_ROOT_ENTRIES, 56},
        {"FADT shorter than ACPI 1.0", INTEL, "facp.dat", 100, 0, 0, 0, ACPI_E_TABLE_LENGTH, 0},
};

static void apply_corruption(const struct corruption *c)
{
	size_t len;
	uint8_t *orig = test_load_file(c->machine, c->file, &len);
	uint32_t n = c->length ? c->length : (uint32_t)len;
	uint8_t *buf = test_dup(orig, n);
	uint32_t off = 0xdeadbeef;

	test_put32(buf + 4, n);
	for (uint8_t i = 0; i < c->width; i++)
		buf[c->at + i] = (uint8_t)(c->value >> (8 * i));
	test_fix_checksum(buf, n);
	struct acpi_table t = test_check(buf, n);
	enum acpi_status st = parse_any(&t, &off);
	if (st != c->want || (st != ACPI_OK && off != c->want_off))
		fail_msg("%s: got %s at 0x%x, want %s at 0x%x", c->what, acpi_strerror(st), off,
		         acpi_strerror(c->want), c->want_off);
	free(buf);
	free(orig);
}

static void test_specific_corruptions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(corruptions) / sizeof(corruptions[0]); i++)
		apply_corruption(&corruptions[i]);
}

static const char *const all_tables[] = {"rsdt.dat", "facp.dat", "apic.dat", "hpet.dat",
                                         "mcfg.dat", "waet.dat", "dsdt.dat"};

/* Header-level damage on every captured table. */
static void check_header_damage(const char *machine, const char *file)
{
	size_t len;
	uint8_t *orig = test_load_file(machine, file, &len);
	struct acpi_table t;
	uint8_t *buf = test_dup(orig, len);

	buf[len / 2] ^= 0x01;
	assert_int_equal(acpi_table_check(buf, len, &t), ACPI_E_CHECKSUM);
	free(buf);
	buf = test_dup(orig, len - 1);
	assert_int_equal(acpi_table_check(buf, len - 1, &t), ACPI_E_LENGTH_PAST_BUFFER);
	free(buf);
	buf = test_dup(orig, 35);
	assert_int_equal(acpi_table_check(buf, 35, &t), ACPI_E_SHORT_BUFFER);
	free(buf);
	buf = test_dup(orig, len);
	test_set_length(buf, len, 35);
	assert_int_equal(acpi_table_check(buf, len, &t), ACPI_E_TABLE_LENGTH);
	test_put32(buf + 4, 0xffffffff);
	assert_int_equal(acpi_table_check(buf, len, &t), ACPI_E_LENGTH_PAST_BUFFER);
	free(buf);
	free(orig);
}

static void test_header_damage(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(all_tables) / sizeof(all_tables[0]); i++) {
		check_header_damage(INTEL, all_tables[i]);
		check_header_damage(AMD, all_tables[i]);
	}
	check_header_damage(INTEL, "dmar.dat");
	check_header_damage(AMD, "ivrs.dat");
}

static void test_rsdp_damage(void **state)
{
	size_t len;
	uint8_t *orig = test_load_file(INTEL, "rsdp.dat", &len);
	struct acpi_rsdp r;
	(void)state;

	assert_int_equal(len, ACPI_RSDP_V1_SIZE);
	uint8_t *buf = test_dup(orig, len);
	buf[8] ^= 1;
	assert_int_equal(acpi_rsdp_parse(buf, len, &r), ACPI_E_CHECKSUM);
	buf[8] ^= 1;
	buf[0] = 'X';
	assert_int_equal(acpi_rsdp_parse(buf, len, &r), ACPI_E_SIGNATURE);
	free(buf);
	buf = test_dup(orig, 19);
	assert_int_equal(acpi_rsdp_parse(buf, 19, &r), ACPI_E_SHORT_BUFFER);
	free(buf);
	/* Revision 2 claims 36 bytes that the 20-byte file does not have. */
	buf = test_dup(orig, len);
	buf[15] = 2;
	buf[8] = (uint8_t)(buf[8] - 2);
	assert_int_equal(acpi_rsdp_parse(buf, len, &r), ACPI_E_SHORT_BUFFER);
	free(buf);
	free(orig);
}

/* Every prefix of every table, both as a short buffer and with the header
 * length cut to it. */
static void truncate_all(const char *machine, const char *file)
{
	size_t len;
	uint8_t *orig = test_load_file(machine, file, &len);
	struct acpi_table t;
	uint32_t off;

	if (len > 512)
		len = 512; /* the DSDT: its header is what matters here */
	for (size_t l = 0; l <= len; l++) {
		uint8_t *buf = test_dup(orig, l);
		enum acpi_status st = acpi_table_check(buf, l, &t);
		assert_true(st != ACPI_OK || l >= t.length);
		if (l >= 36) {
			test_set_length(buf, l, (uint32_t)l);
			if (acpi_table_check(buf, l, &t) == ACPI_OK)
				parse_any(&t, &off);
		}
		free(buf);
	}
	free(orig);
}

/* Every byte after the signature set to a few interesting values, with the
 * checksum fixed so that the structure parsers see the edit. */
static void mutate_all(const char *machine, const char *file)
{
	static const uint8_t values[] = {0x00, 0x01, 0x02, 0x04, 0x7f, 0x80, 0xf0, 0xfe, 0xff};
	size_t len;
	uint8_t *orig = test_load_file(machine, file, &len);
	struct acpi_table t;
	uint32_t off;

	for (size_t at = 4; at < len && at < 512; at++) {
		for (size_t v = 0; v <= sizeof(values); v++) {
			uint8_t *buf = test_dup(orig, len);
			buf[at] = v < sizeof(values) ? values[v] : (uint8_t)(orig[at] ^ 0x55);
			if (at != 9)
				test_fix_checksum(buf, len);
			if (acpi_table_check(buf, len, &t) == ACPI_OK)
				parse_any(&t, &off);
			free(buf);
		}
	}
	free(orig);
}

static void test_truncate_and_mutate(void **state)
{
	static const char *const intel[] = {"rsdt.dat", "facp.dat", "apic.dat",
	                                    "mcfg.dat", "dmar.dat", "dsdt.dat"};
	static const char *const amd[] = {"apic.dat", "ivrs.dat"};
	(void)state;

	for (size_t i = 0; i < sizeof(intel) / sizeof(intel[0]); i++) {
		truncate_all(INTEL, intel[i]);
		mutate_all(INTEL, intel[i]);
	}
	for (size_t i = 0; i < sizeof(amd) / sizeof(amd[0]); i++) {
		truncate_all(AMD, amd[i]);
		mutate_all(AMD, amd[i]);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* Seeded random multi-byte edits (checksum fixed) of the decoded tables. */
static void test_random_mutations(void **state)
{
	static const struct {
		const char *machine, *file;
	} targets[] = {
	        {INTEL, "dmar.dat"}, {AMD, "ivrs.dat"}, {AMD, "apic.dat"}, {INTEL, "mcfg.dat"}};
	struct acpi_table t;
	uint32_t off;
	(void)state;

	for (size_t k = 0; k < sizeof(targets) / sizeof(targets[0]); k++) {
		size_t len;
		uint8_t *orig = test_load_file(targets[k].machine, targets[k].file, &len);
		for (int iter = 0; iter < 20000; iter++) {
			uint8_t *buf = test_dup(orig, len);
			int edits = 1 + (int)(rng() % 4);
			for (int e = 0; e < edits; e++)
				buf[36 + rng() % (len - 36)] = (uint8_t)rng();
			test_fix_checksum(buf, len);
			if (acpi_table_check(buf, len, &t) == ACPI_OK)
				parse_any(&t, &off);
			free(buf);
		}
		free(orig);
	}
}

static bool count_visit(void *arg, uint64_t phys, enum acpi_status status,
                        const struct acpi_table *t)
{
	(void)phys;
	(void)status;
	(void)t;
	(*(int *)arg)++;
	return true;
}

/* Damaged RSDP and RSDT bytes (checksums fixed or not) in the walk: it
 * never crashes, and every mapping it makes is released. */
static void test_walk_mutations(void **state)
{
	struct test_mem m;
	(void)state;

	test_mem_load(&m, INTEL);
	struct test_region *rsdp = test_mem_find(&m, "rsdp.dat");
	struct test_region *rsdt = test_mem_find(&m, "rsdt.dat");
	uint8_t *rsdp0 = test_dup(rsdp->data, rsdp->len);
	uint8_t *rsdt0 = test_dup(rsdt->data, rsdt->len);
	for (int iter = 0; iter < 20000; iter++) {
		int visits = 0;
		memcpy(rsdp->data, rsdp0, rsdp->len);
		memcpy(rsdt->data, rsdt0, rsdt->len);
		struct test_region *r = rng() % 2 ? rsdp : rsdt;
		r->data[rng() % r->len] = (uint8_t)rng();
		if (rng() % 2)
			r->data[rng() % r->len] = (uint8_t)(rng() % 3);
		if (r == rsdt && rng() % 4)
			test_fix_checksum(rsdt->data, rsdt->len);
		m.maps = m.unmaps = 0;
		acpi_walk(&m.ops, rsdp->phys, count_visit, &visits);
		assert_int_equal(m.maps, m.unmaps);
	}
	free(rsdp0);
	free(rsdt0);
	test_mem_free(&m);
}

/* Walk-level failures: an unmappable RSDP or table, an address that wraps,
 * an entry pointing at garbage, a huge length. */
struct status_log {
	enum acpi_status st[16];
	uint64_t phys[16];
	int n;
};

static bool status_visit(void *arg, uint64_t phys, enum acpi_status status,
                         const struct acpi_table *t)
{
	struct status_log *log = arg;

	(void)t;
	if (log->n < 16) {
		log->st[log->n] = status;
		log->phys[log->n++] = phys;
	}
	return true;
}

static void test_walk_failures(void **state)
{
	struct test_mem m;
	struct status_log log = {0};
	static const uint8_t garbage[64] = {'D', 'M', 'A', 'R', 64};
	uint8_t huge[36] = {'H', 'U', 'G', 'E', 0xff, 0xff, 0xff, 0x7f};
	(void)state;

	test_mem_load(&m, INTEL);
	struct test_region *rsdp = test_mem_find(&m, "rsdp.dat");
	struct test_region *rsdt = test_mem_find(&m, "rsdt.dat");
	test_mem_add(&m, "garbage", 0x100000, garbage, sizeof(garbage));
	test_mem_add(&m, "huge", 0x200000, huge, sizeof(huge));
	/* RSDT entries 3-5 (MCFG, DMAR, WAET) now point at bad tables. */
	test_put32(rsdt->data + 36 + 3 * 4, 0xfffffff0);
	test_put32(rsdt->data + 36 + 4 * 4, 0x100000);
	test_put32(rsdt->data + 36 + 5 * 4, 0x200000);
	test_fix_checksum(rsdt->data, rsdt->len);
	assert_int_equal(acpi_walk(&m.ops, rsdp->phys, status_visit, &log), ACPI_OK);
	assert_int_equal(log.n, 8); /* RSDT FACP DSDT APIC HPET + 3 bad */
	for (int i = 0; i < 5; i++)
		assert_int_equal(log.st[i], ACPI_OK);
	assert_int_equal(log.st[5], ACPI_E_MAP); /* nothing at 0xfffffff0 */
	assert_int_equal(log.phys[5], 0xfffffff0);
	assert_int_equal(log.st[6], ACPI_E_CHECKSUM);
	assert_int_equal(log.st[7], ACPI_E_TABLE_TOO_LARGE);
	assert_int_equal(m.maps, m.unmaps);

	/* The RSDP pointing nowhere, and a wrapping address. */
	test_put32(rsdp->data + 16, 0x300000);
	rsdp->data[8] = 0;
	uint8_t sum = 0;
	for (int i = 0; i < 20; i++)
		sum = (uint8_t)(sum + rsdp->data[i]);
	rsdp->data[8] = (uint8_t)(0x100 - sum);
	assert_int_equal(acpi_walk(&m.ops, rsdp->phys, status_visit, &log), ACPI_E_MAP);
	assert_int_equal(acpi_walk(&m.ops, UINT64_MAX - 4, status_visit, &log),
	                 ACPI_E_ADDRESS_OVERFLOW);
	assert_int_equal(acpi_walk(&m.ops, 0x500000, status_visit, &log), ACPI_E_MAP);
	assert_int_equal(m.maps, m.unmaps);
	test_mem_free(&m);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_specific_corruptions),
	        cmocka_unit_test(test_header_damage),
	        cmocka_unit_test(test_rsdp_damage),
	        cmocka_unit_test(test_truncate_and_mutate),
	        cmocka_unit_test(test_random_mutations),
	        cmocka_unit_test(test_walk_mutations),
	        cmocka_unit_test(test_walk_failures),
	};

	if (argc > 1)
		test_data_dir = argv[1];
	return cmocka_run_group_tests_name("acpi-corrupt", tests, NULL, NULL);
}

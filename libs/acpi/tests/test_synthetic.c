/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Synthetic tables for what QEMU's do not contain but real machines do:
 * an ACPI 2.0 RSDP with XSDT (and the fallback to the RSDT when the XSDT is
 * bad), x2APIC and online-capable CPUs, DMAR units with INCLUDE_PCI_ALL,
 * RMRRs, multi-hop device scope paths, RHSA/ANDD/SATC/SIDP, IVHD types 11h and
 * 40h with alias, extended, HPET and ACPI HID entries, IVMD blocks, and
 * unknown sub-table types that must be skipped. Also the API contracts:
 * argument checks, truncation reporting, outputs unchanged on error.
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

/* An ACPI 2.0 RSDP of `length` bytes (>= 36) in buf. */
static void make_rsdp2(uint8_t *buf, uint32_t length, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t sum = 0;

	memset(buf, 0, length);
	memcpy(buf, ACPI_RSDP_SIGNATURE, 8);
	memcpy(buf + 9, "WARD  ", 6);
	buf[15] = 2;
	test_put32(buf + 16, rsdt);
	test_put32(buf + 20, length);
	test_put64(buf + 24, xsdt);
	for (int i = 0; i < 20; i++)
		sum = (uint8_t)(sum + buf[i]);
	buf[8] = (uint8_t)(0x100 - sum);
	sum = 0;
	for (uint32_t i = 0; i < length; i++)
		sum = (uint8_t)(sum + buf[i]);
	buf[32] = (uint8_t)(0x100 - sum);
}

/* A root table (RSDT or XSDT) listing addrs[0..n). */
static uint8_t *make_root(const char *sig, const uint64_t *addrs, size_t n, size_t *len)
{
	struct test_builder b;

	tb_init(&b, sig, 1);
	for (size_t i = 0; i < n; i++) {
		if (sig[0] == 'X')
			tb_u64(&b, addrs[i]);
		else
			tb_u32(&b, (uint32_t)addrs[i]);
	}
	return tb_finish(&b, len);
}

static uint8_t *make_mcfg(size_t windows, size_t *len)
{
	struct test_builder b;

	tb_init(&b, "MCFG", 1);
	tb_u64(&b, 0);
	for (size_t i = 0; i < windows; i++) {
		tb_u64(&b, 0xe0000000ull + i * 0x10000000ull);
		tb_u16(&b, (uint16_t)i);
		tb_u8(&b, 0);
		tb_u8(&b, 0xff);
		tb_u32(&b, 0);
	}
	return tb_finish(&b, len);
}

static void add_table(struct test_mem *m, const char *name, uint64_t phys, uint8_t *t, size_t len)
{
	test_mem_add(m, name, phys, t, len);
	free(t);
}

struct visits {
	enum acpi_status st[16];
	uint64_t phys[16];
	char sig[16][5];
	int n;
	int stop_after;
};

static bool record(void *arg, uint64_t phys, enum acpi_status status, const struct acpi_table *t)
{
	struct visits *v = arg;

	assert_true(v->n < 16);
	v->st[v->n] = status;
	v->phys[v->n] = phys;
	memcpy(v->sig[v->n], t ? t->signature : "----", 5);
	v->n++;
	return v->stop_after == 0 || v->n < v->stop_after;
}

static void test_xsdt_walk(void **state)
{
	struct test_mem m;
	struct visits v = {0};
	uint8_t rsdp[36];
	size_t len;
	const uint64_t addrs[] = {0x2000, 0, 0x9000, 0xffffffffffffffe0ull, 0x100002000ull};
	(void)state;

	test_mem_init(&m);
	make_rsdp2(rsdp, sizeof(rsdp), 0, 0x1000);
	test_mem_add(&m, "rsdp", 0xf0000, rsdp, sizeof(rsdp));
	uint8_t *x = make_root("XSDT", addrs, 5, &len);
	add_table(&m, "xsdt", 0x1000, x, len);
	uint8_t *mcfg = make_mcfg(2, &len);
	test_mem_add(&m, "mcfg-high", 0x100002000ull, mcfg, len);
	add_table(&m, "mcfg", 0x2000, mcfg, len);

	assert_int_equal(acpi_walk(&m.ops, 0xf0000, record, &v), ACPI_OK);
	assert_int_equal(v.n, 5); /* XSDT, MCFG, unmapped, wrapping, MCFG above 4 GiB */
	assert_string_equal(v.sig[0], "XSDT");
	assert_string_equal(v.sig[1], "MCFG");
	assert_int_equal(v.st[2], ACPI_E_MAP);
	assert_int_equal(v.phys[2], 0x9000);
	assert_int_equal(v.st[3], ACPI_E_ADDRESS_OVERFLOW);
	assert_string_equal(v.sig[4], "MCFG");
	assert_int_equal(v.phys[4], 0x100002000ull);
	assert_int_equal(m.maps, m.unmaps);

	struct acpi_table t;
	assert_int_equal(acpi_find_table(&m.ops, 0xf0000, "MCFG", 1, &t), ACPI_OK);
	assert_int_equal(t.phys, 0x100002000ull);
	acpi_table_unmap(&m.ops, &t);
	assert_int_equal(m.maps, m.unmaps);
	test_mem_free(&m);
}

/* A bad XSDT is reported and the RSDT used instead; a visitor can stop. */
static void test_xsdt_fallback(void **state)
{
	struct test_mem m;
	struct visits v = {0};
	uint8_t rsdp[40];
	size_t len;
	const uint64_t addrs[] = {0x2000};
	(void)state;

	test_mem_init(&m);
	make_rsdp2(rsdp, sizeof(rsdp), 0x4000, 0x1000); /* 40 bytes: longer than 2.0's */
	test_mem_add(&m, "rsdp", 0xf0000, rsdp, sizeof(rsdp));
	uint8_t *x = make_root("XSDT", addrs, 1, &len);
	x[9] ^= 0xff;
	add_table(&m, "xsdt", 0x1000, x, len);
	uint8_t *r = make_root("RSDT", addrs, 1, &len);
	add_table(&m, "rsdt", 0x4000, r, len);
	uint8_t *mcfg = make_mcfg(1, &len);
	add_table(&m, "mcfg", 0x2000, mcfg, len);

	assert_int_equal(acpi_walk(&m.ops, 0xf0000, record, &v), ACPI_OK);
	assert_int_equal(v.n, 3);
	assert_int_equal(v.st[0], ACPI_E_CHECKSUM);
	assert_int_equal(v.phys[0], 0x1000);
	assert_string_equal(v.sig[1], "RSDT");
	assert_string_equal(v.sig[2], "MCFG");

	struct visits stop = {.stop_after = 1};
	assert_int_equal(acpi_walk(&m.ops, 0xf0000, record, &stop), ACPI_OK);
	assert_int_equal(stop.n, 1);
	assert_int_equal(m.maps, m.unmaps);
	test_mem_free(&m);
}

/* An RSDP that names no root table. */
static void test_no_root(void **state)
{
	struct test_mem m;
	struct visits v = {0};
	uint8_t rsdp[36];
	(void)state;

	test_mem_init(&m);
	make_rsdp2(rsdp, sizeof(rsdp), 0, 0);
	test_mem_add(&m, "rsdp", 0xf0000, rsdp, sizeof(rsdp));
	assert_int_equal(acpi_walk(&m.ops, 0xf0000, record, &v), ACPI_E_NOT_FOUND);
	assert_int_equal(v.n, 0);
	test_mem_free(&m);
}

/* A map callback whose second look at a table shows another length (the
 * memory changed, or the callback is inconsistent). */
struct two_views {
	uint8_t header[36];
	uint8_t *full;
};

static const void *two_views_map(void *ctx, uint64_t phys, size_t len)
{
	struct two_views *tv = ctx;

	(void)phys;
	return len == sizeof(tv->header) ? tv->header : tv->full;
}

static void test_table_changed(void **state)
{
	size_t len;
	struct two_views tv;
	struct acpi_table t;
	struct acpi_map_ops ops = {.map = two_views_map, .ctx = &tv};
	(void)state;

	uint8_t *shorter = make_mcfg(1, &len); /* 60 bytes */
	uint8_t *longer = make_mcfg(2, &len);  /* 76 bytes */
	memcpy(tv.header, longer, sizeof(tv.header));
	tv.full = test_dup(longer, len); /* 76 readable bytes... */
	memcpy(tv.full, shorter, 60);    /* ...of a valid 60-byte table */
	assert_int_equal(acpi_table_map(&ops, 0x1000, &t), ACPI_E_TABLE_CHANGED);
	memcpy(tv.full, longer, len);
	assert_int_equal(acpi_table_map(&ops, 0x1000, &t), ACPI_OK);
	assert_int_equal(t.length, 76);
	assert_int_equal(t.phys, 0x1000);
	free(tv.full);
	free(shorter);
	free(longer);
}

static void test_rsdp_v2(void **state)
{
	uint8_t buf[48];
	struct acpi_rsdp r, keep;
	(void)state;

	make_rsdp2(buf, 40, 0x1234, 0x123456789ull);
	assert_int_equal(acpi_rsdp_parse(buf, 40, &r), ACPI_OK);
	assert_int_equal(r.revision, 2);
	assert_int_equal(r.length, 40);
	assert_int_equal(r.rsdt, 0x1234);
	assert_int_equal(r.xsdt, 0x123456789ull);
	assert_string_equal(r.oem_id, "WARD  ");
	memset(&keep, 0xaa, sizeof(keep));
	r = keep;
	assert_int_equal(acpi_rsdp_parse(buf, 39, &r), ACPI_E_RSDP_LENGTH);
	buf[35] ^= 1;
	assert_int_equal(acpi_rsdp_parse(buf, 40, &r), ACPI_E_EXT_CHECKSUM);
	make_rsdp2(buf, 36, 0, 0x1000);
	test_put32(buf + 20, 30);
	assert_int_equal(acpi_rsdp_parse(buf, 36, &r), ACPI_E_RSDP_LENGTH);
	assert_memory_equal(&r, &keep, sizeof(r)); /* unchanged on error */
}

static void test_rsdp_find(void **state)
{
	uint8_t *area = calloc(1, 0x400);
	size_t off = 0;
	(void)state;

	assert_non_null(area);
	assert_int_equal(acpi_rsdp_find(area, 0x400, &off), ACPI_E_NOT_FOUND);
	make_rsdp2(area + 0x20, 36, 0, 0x1000);
	area[0x28] ^= 1;                        /* bad checksum: skipped */
	make_rsdp2(area + 0x48, 36, 0, 0x1000); /* not 16-byte aligned */
	assert_int_equal(acpi_rsdp_find(area, 0x400, &off), ACPI_E_NOT_FOUND);
	make_rsdp2(area + 0x100, 36, 0, 0x1000);
	assert_int_equal(acpi_rsdp_find(area, 0x400, &off), ACPI_OK);
	assert_int_equal(off, 0x100);
	/* A 2.0 RSDP cut by the end of the area is not accepted (nor read past). */
	uint8_t cut[36];
	make_rsdp2(cut, sizeof(cut), 0, 0x1000);
	memcpy(area + 0x3e0, cut, 0x20);
	assert_int_equal(acpi_rsdp_find(area + 0x200, 0x200, &off), ACPI_E_NOT_FOUND);
	free(area);
}

static void madt_cpu(struct test_builder *b, bool x2, uint32_t id, uint32_t uid, uint32_t flags)
{
	size_t m = tb_mark(b);

	tb_u8(b, x2 ? ACPI_MADT_TYPE_X2APIC : ACPI_MADT_TYPE_LAPIC);
	tb_u8(b, 0);
	if (x2) {
		tb_u16(b, 0);
		tb_u32(b, id);
		tb_u32(b, flags);
		tb_u32(b, uid);
	} else {
		tb_u8(b, (uint8_t)uid);
		tb_u8(b, (uint8_t)id);
		tb_u32(b, flags);
	}
	tb_end_sub(b, m, 1, 1);
}

/* A MADT of a large x2APIC machine with hot-pluggable CPUs. */
static uint8_t *make_x2apic_madt(size_t *len, bool second_override)
{
	struct test_builder b;
	size_t m;

	tb_init(&b, "APIC", 5);
	tb_u32(&b, 0xfee00000);
	tb_u32(&b, 0);
	madt_cpu(&b, false, 0, 0, ACPI_MADT_CPU_ENABLED);
	madt_cpu(&b, true, 256, 256, ACPI_MADT_CPU_ENABLED);
	madt_cpu(&b, true, 300, 300, ACPI_MADT_CPU_ONLINE_CAPABLE);
	madt_cpu(&b, false, 1, 1, 0);
	m = tb_mark(&b); /* x2APIC NMI for all processors */
	tb_u8(&b, ACPI_MADT_TYPE_X2APIC_NMI);
	tb_u8(&b, 12);
	tb_u16(&b, 5);
	tb_u32(&b, 0xffffffff);
	tb_u8(&b, 1);
	tb_bytes(&b, "\0\0\0", 3);
	m = tb_mark(&b); /* NMI source */
	tb_bytes(&b, (const uint8_t[]){ACPI_MADT_TYPE_NMI_SOURCE, 8, 0xd, 0}, 4);
	tb_u32(&b, 23);
	for (int i = 0; i < (second_override ? 2 : 1); i++) {
		tb_bytes(&b, (const uint8_t[]){ACPI_MADT_TYPE_LAPIC_OVERRIDE, 12, 0, 0}, 4);
		tb_u64(&b, 0xfee00000ull + 0x1000ull * (unsigned)i);
	}
	tb_bytes(&b, (const uint8_t[]){0x7f, 5, 1, 2, 3}, 5); /* unknown type */
	m = tb_mark(&b); /* a LAPIC entry longer than 8 bytes (a newer revision) */
	madt_cpu(&b, false, 2, 2, ACPI_MADT_CPU_ENABLED);
	tb_u16(&b, 0);
	tb_end_sub(&b, m, 1, 1);
	return tb_finish(&b, len);
}

static void test_x2apic_madt(void **state)
{
	size_t len;
	uint8_t *buf = make_x2apic_madt(&len, false);
	struct acpi_table t = test_check(buf, len);
	struct acpi_madt madt;
	struct acpi_cpu cpus[3];
	struct acpi_madt_entry e;
	int unknown = 0, nmi = 0, nmi_src = 0;
	(void)state;

	assert_int_equal(acpi_madt_parse(&t, &madt, NULL), ACPI_OK);
	assert_int_equal(madt.lapic_address, 0xfee00000);
	memset(cpus, 0xaa, sizeof(cpus));
	assert_int_equal(acpi_madt_cpus(&madt, cpus, 2), 5); /* truncated to 2 */
	assert_int_equal(cpus[2].apic_id, 0xaaaaaaaa);       /* untouched */
	assert_int_equal(acpi_madt_cpus(&madt, cpus, 3), 5);
	assert_true(cpus[0].enabled && !cpus[0].x2apic);
	assert_int_equal(cpus[1].apic_id, 256);
	assert_true(cpus[1].enabled && cpus[1].x2apic);
	assert_int_equal(cpus[2].uid, 300);
	assert_true(!cpus[2].enabled && cpus[2].online_capable);
	assert_int_equal(acpi_madt_ioapics(&madt, NULL, 0), 0);
	while (acpi_madt_next(&madt.entries, &e)) {
		if (!e.known) {
			assert_int_equal(e.type, 0x7f);
			assert_int_equal(e.length, 5);
			unknown++;
		} else if (e.type == ACPI_MADT_TYPE_X2APIC_NMI) {
			assert_int_equal(e.u.nmi.uid, 0xffffffff);
			assert_int_equal(e.u.nmi.flags, 5);
			nmi++;
		} else if (e.type == ACPI_MADT_TYPE_NMI_SOURCE) {
			assert_int_equal(e.u.nmi_source.gsi, 23);
			assert_int_equal(e.u.nmi_source.flags, 0xd);
			nmi_src++;
		}
	}
	assert_true(unknown == 1 && nmi == 1 && nmi_src == 1);
	free(buf);
}

static void test_madt_duplicate_override(void **state)
{
	size_t len;
	uint8_t *buf = make_x2apic_madt(&len, true);
	struct acpi_table t = test_check(buf, len);
	struct acpi_madt madt, keep;
	uint32_t off = 0;
	(void)state;

	memset(&keep, 0x5a, sizeof(keep));
	madt = keep;
	assert_int_equal(acpi_madt_parse(&t, &madt, &off), ACPI_E_MADT_DUPLICATE);
	assert_int_equal(off, 44 + 8 + 16 + 16 + 8 + 12 + 8 + 12);
	assert_memory_equal(&madt, &keep, sizeof(madt));
	free(buf);
}

/* Appends a device scope with `hops` (device, function) pairs. */
static void dmar_scope(struct test_builder *b, uint8_t type, uint8_t enum_id, uint8_t bus,
                       const uint8_t *hops, size_t n)
{
	size_t m = tb_mark(b);

	tb_bytes(b, (const uint8_t[]){type, 0, 0, 0, enum_id, bus}, 6);
	tb_bytes(b, hops, 2 * n);
	tb_end_sub(b, m, 1, 1);
}

/* A DMAR like a two-segment server's; rmrr_limit lets tests break it. */
static uint8_t *make_dmar(size_t *len, uint64_t rmrr_limit, uint64_t rhsa_base)
{
	struct test_builder b;
	size_t m;

	tb_init(&b, "DMAR", 1);
	tb_bytes(&b, (const uint8_t[]){45, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 12);
	m = tb_mark(&b); /* DRHD: everything else on segment 0 */
	tb_bytes(&b, (const uint8_t[]){0, 0, 0, 0, ACPI_DMAR_DRHD_INCLUDE_PCI_ALL, 1, 0, 0}, 8);
	tb_u64(&b, 0xfed91000);
	dmar_scope(&b, ACPI_DMAR_SCOPE_IOAPIC, 2, 0xf0, (const uint8_t[]){0x1f, 0}, 1);
	dmar_scope(&b, ACPI_DMAR_SCOPE_HPET, 0, 0x00, (const uint8_t[]){0x1f, 7}, 1);
	tb_end_sub(&b, m, 2, 2);
	m = tb_mark(&b); /* DRHD: segment 1, explicit devices */
	tb_bytes(&b, (const uint8_t[]){0, 0, 0, 0, 0, 0, 1, 0}, 8);
	tb_u64(&b, 0xfed90000);
	dmar_scope(&b, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0x80,
	           (const uint8_t[]){0x1c, 0, 0x00, 0, 0x02, 1}, 3);
	dmar_scope(&b, ACPI_DMAR_SCOPE_BRIDGE, 0, 0x80, (const uint8_t[]){3, 0}, 1);
	tb_end_sub(&b, m, 2, 2);
	m = tb_mark(&b); /* RMRR for USB legacy emulation */
	tb_bytes(&b, (const uint8_t[]){1, 0, 0, 0, 0, 0, 0, 0}, 8);
	tb_u64(&b, 0x7c000000);
	tb_u64(&b, rmrr_limit);
	dmar_scope(&b, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, (const uint8_t[]){0x14, 0}, 1);
	dmar_scope(&b, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, (const uint8_t[]){0x1a, 0}, 1);
	tb_end_sub(&b, m, 2, 2);
	m = tb_mark(&b); /* ATSR on segment 1 */
	tb_bytes(&b, (const uint8_t[]){2, 0, 0, 0, 0, 0, 1, 0}, 8);
	dmar_scope(&b, ACPI_DMAR_SCOPE_BRIDGE, 0, 0x80, (const uint8_t[]){3, 0}, 1);
	tb_end_sub(&b, m, 2, 2);
	tb_bytes(&b, (const uint8_t[]){3, 0, 20, 0, 0, 0, 0, 0}, 8); /* RHSA */
	tb_u64(&b, rhsa_base);
	tb_u32(&b, 1);
	m = tb_mark(&b); /* ANDD */
	tb_bytes(&b, (const uint8_t[]){4, 0, 0, 0, 0, 0, 0, 7}, 8);
	tb_bytes(&b, "\\_SB.PCI0.SDMA", 15);
	tb_end_sub(&b, m, 2, 2);
	m = tb_mark(&b); /* SATC */
	tb_bytes(&b, (const uint8_t[]){5, 0, 0, 0, ACPI_DMAR_SATC_ATC_REQUIRED, 0, 0, 0}, 8);
	dmar_scope(&b, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, (const uint8_t[]){2, 0}, 1);
	tb_end_sub(&b, m, 2, 2);
	m = tb_mark(&b); /* SIDP (VT-d 4.1) */
	tb_bytes(&b, (const uint8_t[]){6, 0, 0, 0, 0, 0, 1, 0}, 8);
	dmar_scope(&b, ACPI_DMAR_SCOPE_ENDPOINT, 0, 0x80, (const uint8_t[]){5, 0}, 1);
	tb_end_sub(&b, m, 2, 2);
	tb_bytes(&b, (const uint8_t[]){0x99, 0, 12, 0, 1, 2, 3, 4, 5, 6, 7, 8}, 12); /* unknown */
	return tb_finish(&b, len);
}

static void expect_scope(struct acpi_iter *it, uint8_t type, uint8_t bus, uint8_t hops,
                         uint8_t last_dev, uint8_t last_fn)
{
	struct acpi_dmar_scope s;

	assert_true(acpi_dmar_scope_next(it, &s));
	assert_int_equal(s.type, type);
	assert_int_equal(s.start_bus, bus);
	assert_int_equal(s.path_len, hops);
	assert_int_equal(s.path[hops - 1].device, last_dev);
	assert_int_equal(s.path[hops - 1].function, last_fn);
}

static void check_dmar_units(struct acpi_dmar *dmar)
{
	struct acpi_dmar_unit u;

	assert_true(acpi_dmar_next(&dmar->units, &u));
	assert_true(u.type == ACPI_DMAR_TYPE_DRHD && u.flags == ACPI_DMAR_DRHD_INCLUDE_PCI_ALL);
	assert_true(u.base == 0xfed91000 && u.size == 1 && u.segment == 0);
	expect_scope(&u.scopes, ACPI_DMAR_SCOPE_IOAPIC, 0xf0, 1, 0x1f, 0);
	expect_scope(&u.scopes, ACPI_DMAR_SCOPE_HPET, 0, 1, 0x1f, 7);
	assert_true(acpi_dmar_next(&dmar->units, &u));
	assert_true(u.type == ACPI_DMAR_TYPE_DRHD && u.flags == 0 && u.segment == 1);
	expect_scope(&u.scopes, ACPI_DMAR_SCOPE_ENDPOINT, 0x80, 3, 2, 1);
	expect_scope(&u.scopes, ACPI_DMAR_SCOPE_BRIDGE, 0x80, 1, 3, 0);
	assert_true(acpi_dmar_next(&dmar->units, &u));
	assert_true(u.type == ACPI_DMAR_TYPE_RMRR && u.base == 0x7c000000);
	assert_int_equal(u.limit, 0x7c7fffff);
	expect_scope(&u.scopes, ACPI_DMAR_SCOPE_ENDPOINT, 0, 1, 0x14, 0);
	expect_scope(&u.scopes, ACPI_DMAR_SCOPE_ENDPOINT, 0, 1, 0x1a, 0);
	assert_true(acpi_dmar_next(&dmar->units, &u));
	assert_true(u.type == ACPI_DMAR_TYPE_ATSR && u.flags == 0 && u.segment == 1);
	expect_scope(&u.scopes, ACPI_DMAR_SCOPE_BRIDGE, 0x80, 1, 3, 0);
	assert_true(acpi_dmar_next(&dmar->units, &u));
	assert_true(u.type == ACPI_DMAR_TYPE_RHSA && u.base == 0xfed91000);
	assert_int_equal(u.proximity_domain, 1);
	assert_true(acpi_dmar_next(&dmar->units, &u));
	assert_true(u.type == ACPI_DMAR_TYPE_ANDD && u.acpi_device_number == 7);
	assert_int_equal(u.name_len, 14);
	assert_memory_equal(u.name, "\\_SB.PCI0.SDMA", 14);
	assert_true(acpi_dmar_next(&dmar->units, &u));
	assert_true(u.type == ACPI_DMAR_TYPE_SATC && u.flags == ACPI_DMAR_SATC_ATC_REQUIRED);
	expect_scope(&u.scopes, ACPI_DMAR_SCOPE_ENDPOINT, 0, 1, 2, 0);
	assert_true(acpi_dmar_next(&dmar->units, &u));
	assert_true(u.type == ACPI_DMAR_TYPE_SIDP && u.segment == 1);
	expect_scope(&u.scopes, ACPI_DMAR_SCOPE_ENDPOINT, 0x80, 1, 5, 0);
	assert_true(acpi_dmar_next(&dmar->units, &u));
	assert_true(u.type == 0x99 && !u.known && u.length == 12);
	assert_int_equal(u.scopes.off, u.scopes.end);
	assert_false(acpi_dmar_next(&dmar->units, &u));
}

static void test_dmar_server(void **state)
{
	size_t len;
	uint8_t *buf = make_dmar(&len, 0x7c7fffff, 0xfed91000);
	struct acpi_table t = test_check(buf, len);
	struct acpi_dmar dmar;
	(void)state;

	assert_int_equal(acpi_dmar_parse(&t, &dmar, NULL), ACPI_OK);
	assert_int_equal(dmar.host_address_width, 46);
	assert_int_equal(dmar.flags, ACPI_DMAR_FLAG_INTR_REMAP | ACPI_DMAR_FLAG_X2APIC_OPT_OUT);
	check_dmar_units(&dmar);
	free(buf);
}

static void test_dmar_bad_ranges(void **state)
{
	size_t len;
	uint32_t off = 0;
	struct acpi_dmar dmar;
	(void)state;

	uint8_t *buf = make_dmar(&len, 0x7bffffff, 0xfed91000);
	struct acpi_table t = test_check(buf, len);
	assert_int_equal(acpi_dmar_parse(&t, &dmar, &off), ACPI_E_DMAR_RMRR_RANGE);
	assert_int_equal(off, 48 + 32 + 36); /* after the two DRHDs */
	free(buf);
	buf = make_dmar(&len, 0x7c7fffff, 0);
	t = test_check(buf, len);
	assert_int_equal(acpi_dmar_parse(&t, &dmar, &off), ACPI_E_DMAR_REGISTER_BASE);
	assert_int_equal(off, 48 + 32 + 36 + 40 + 16); /* after RMRR, ATSR */
	free(buf);
}

/* Appends a 4-byte IVHD device entry. */
static void ivhd4(struct test_builder *b, uint8_t type, uint16_t devid, uint8_t data)
{
	tb_u8(b, type);
	tb_u16(b, devid);
	tb_u8(b, data);
}

/* Appends an 8-byte IVHD device entry with its trailing four bytes. */
static void ivhd8(struct test_builder *b, uint8_t type, uint16_t devid, uint8_t data, uint8_t b4,
                  uint16_t b5, uint8_t b7)
{
	ivhd4(b, type, devid, data);
	tb_u8(b, b4);
	tb_u16(b, b5);
	tb_u8(b, b7);
}

static size_t ivhd_header(struct test_builder *b, uint8_t type)
{
	size_t m = tb_mark(b);

	tb_bytes(b, (const uint8_t[]){type, 0xb0, 0, 0}, 4);
	tb_u16(b, 0x0002);     /* the IOMMU is 00:00.2 */
	tb_u16(b, 0x40);       /* capability offset */
	tb_u64(b, 0xfeb80000); /* base */
	tb_u16(b, 0);          /* segment */
	tb_u16(b, 0x1300);     /* info */
	tb_u32(b, 0x80048f6e); /* features / attributes */
	if (type != ACPI_IVRS_TYPE_IVHD_10) {
		tb_u64(b, 0x246577efa2254afaull);
		tb_u64(b, 0);
	}
	return m;
}

static void ivhd_entries_10(struct test_builder *b)
{
	ivhd4(b, ACPI_IVHD_SELECT, 0x0000, 0);
	ivhd4(b, ACPI_IVHD_PAD4, 0, 0);
	ivhd4(b, ACPI_IVHD_ALL, 0, 0xd7);
	ivhd4(b, ACPI_IVHD_START, 0x0008, 0);
	ivhd4(b, ACPI_IVHD_END, 0x00fe, 0);
	ivhd8(b, ACPI_IVHD_ALIAS_SELECT, 0x0300, 0, 0, 0x0208, 0);
	ivhd8(b, ACPI_IVHD_ALIAS_START, 0x0400, 0, 0, 0x0410, 0);
	ivhd4(b, ACPI_IVHD_END, 0x04ff, 0);
	ivhd8(b, ACPI_IVHD_EXT_SELECT, 0x0500, 0, 0, 0, 0x80);
	ivhd8(b, ACPI_IVHD_EXT_START, 0x0600, 0, 0, 0, 0x80);
	ivhd4(b, ACPI_IVHD_END, 0x06ff, 0);
	ivhd8(b, ACPI_IVHD_SPECIAL, 0, 0xd7, 0x21, 0x00a0, ACPI_IVHD_VARIETY_IOAPIC);
	ivhd8(b, ACPI_IVHD_SPECIAL, 0, 0, 0x00, 0x00a5, ACPI_IVHD_VARIETY_HPET);
	ivhd4(b, 0x05, 0x1234, 0);          /* reserved 4-byte type */
	ivhd8(b, 0x41, 0x1234, 0, 0, 0, 0); /* reserved 8-byte type */
	ivhd8(b, ACPI_IVHD_PAD8, 0, 0, 0, 0, 0);
}

static void ivhd_hid(struct test_builder *b, uint16_t devid, const char *hid, uint8_t fmt,
                     const char *uid, uint8_t uid_len)
{
	ivhd4(b, ACPI_IVHD_HID, devid, 0x40);
	tb_bytes(b, hid, 8);
	tb_u64(b, 0);
	tb_u8(b, fmt);
	tb_u8(b, uid_len);
	tb_bytes(b, uid, strlen(uid));
}

static void ivmd(struct test_builder *b, uint8_t type, uint16_t first, uint16_t aux, uint64_t start,
                 uint64_t length)
{
	tb_bytes(b, (const uint8_t[]){type, 0x07, 32, 0}, 4);
	tb_u16(b, first);
	tb_u16(b, aux);
	tb_u64(b, 0);
	tb_u64(b, start);
	tb_u64(b, length);
}

/* An IVRS as recent AMD firmware writes it: the same IOMMU as types 10h,
 * 11h and 40h, then IVMDs and an unknown block. hid_uid_len breaks the
 * HID entry if larger than the UID; ivmd_len the last IVMD. */
static uint8_t *make_ivrs(size_t *len, uint8_t hid_uid_len, uint64_t ivmd_len)
{
	struct test_builder b;
	size_t m;

	tb_init(&b, "IVRS", 2);
	tb_u32(&b, 0x00203041);
	tb_u64(&b, 0);
	m = ivhd_header(&b, ACPI_IVRS_TYPE_IVHD_10);
	ivhd_entries_10(&b);
	tb_end_sub(&b, m, 2, 2);
	m = ivhd_header(&b, ACPI_IVRS_TYPE_IVHD_11);
	ivhd4(&b, ACPI_IVHD_ALL, 0, 0);
	tb_end_sub(&b, m, 2, 2);
	m = ivhd_header(&b, ACPI_IVRS_TYPE_IVHD_40);
	ivhd_hid(&b, 0x00a5, "AMDI0020", 2, "ID00", 4);
	ivhd_hid(&b, 0x00a6, "\x41\xd0\x05\x01\0\0\0\0", 1, "\x05", hid_uid_len);
	tb_end_sub(&b, m, 2, 2);
	ivmd(&b, ACPI_IVRS_TYPE_IVMD_ALL, 0, 0, 0xa0000, 0x20000);
	ivmd(&b, ACPI_IVRS_TYPE_IVMD_SELECT, 0x0010, 0, 0xc0000000, 0x1000);
	ivmd(&b, ACPI_IVRS_TYPE_IVMD_RANGE, 0x0100, 0x01ff, 0xfffffffffffff000ull, ivmd_len);
	tb_bytes(&b, (const uint8_t[]){0x30, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 12);
	return tb_finish(&b, len);
}

static void expect_entry(struct acpi_iter *it, enum acpi_ivhd_kind kind, uint16_t first,
                         uint16_t last, uint16_t source)
{
	struct acpi_ivhd_entry e;

	assert_true(acpi_ivhd_next(it, &e));
	assert_int_equal(e.kind, kind);
	assert_int_equal(e.first, first);
	assert_int_equal(e.last, last);
	if (kind == ACPI_IVHD_KIND_ALIAS_SELECT || kind == ACPI_IVHD_KIND_ALIAS_RANGE ||
	    kind == ACPI_IVHD_KIND_SPECIAL)
		assert_int_equal(e.source_id, source);
	if (kind == ACPI_IVHD_KIND_EXT_SELECT || kind == ACPI_IVHD_KIND_EXT_RANGE)
		assert_int_equal(e.ext_data, 0x80000000);
}

static void check_ivhd_10(struct acpi_ivrs_block *b)
{
	struct acpi_iter *it = &b->entries;

	assert_true(b->is_ivhd && b->type == ACPI_IVRS_TYPE_IVHD_10);
	assert_true(b->device_id == 0x0002 && b->iommu_base == 0xfeb80000);
	assert_true(b->iommu_info == 0x1300 && b->features == 0x80048f6e);
	expect_entry(it, ACPI_IVHD_KIND_SELECT, 0, 0, 0);
	expect_entry(it, ACPI_IVHD_KIND_PAD, 0, 0, 0);
	expect_entry(it, ACPI_IVHD_KIND_ALL, 0, 0xffff, 0);
	expect_entry(it, ACPI_IVHD_KIND_RANGE, 0x0008, 0x00fe, 0);
	expect_entry(it, ACPI_IVHD_KIND_ALIAS_SELECT, 0x0300, 0x0300, 0x0208);
	expect_entry(it, ACPI_IVHD_KIND_ALIAS_RANGE, 0x0400, 0x04ff, 0x0410);
	expect_entry(it, ACPI_IVHD_KIND_EXT_SELECT, 0x0500, 0x0500, 0);
	expect_entry(it, ACPI_IVHD_KIND_EXT_RANGE, 0x0600, 0x06ff, 0);
	expect_entry(it, ACPI_IVHD_KIND_SPECIAL, 0x00a0, 0x00a0, 0x00a0);
	expect_entry(it, ACPI_IVHD_KIND_SPECIAL, 0x00a5, 0x00a5, 0x00a5);
	expect_entry(it, ACPI_IVHD_KIND_UNKNOWN, 0x1234, 0x1234, 0);
	expect_entry(it, ACPI_IVHD_KIND_UNKNOWN, 0x1234, 0x1234, 0);
	expect_entry(it, ACPI_IVHD_KIND_PAD, 0, 0, 0);
	assert_int_equal(it->off, it->end);
}

static void check_ivhd_40(struct acpi_ivrs_block *b)
{
	struct acpi_ivhd_entry e;

	assert_true(b->is_ivhd && b->type == ACPI_IVRS_TYPE_IVHD_40);
	assert_int_equal(b->efr_image, 0x246577efa2254afaull);
	assert_true(acpi_ivhd_next(&b->entries, &e));
	assert_true(e.kind == ACPI_IVHD_KIND_HID && e.first == 0x00a5 && e.data == 0x40);
	assert_memory_equal(e.hid, "AMDI0020", 8);
	assert_true(e.uid_format == 2 && e.uid_length == 4 && e.length == 26);
	assert_memory_equal(e.uid, "ID00", 4);
	assert_true(acpi_ivhd_next(&b->entries, &e));
	assert_true(e.kind == ACPI_IVHD_KIND_HID && e.uid_length == 1 && e.uid[0] == 5);
	assert_false(acpi_ivhd_next(&b->entries, &e));
}

static void test_ivrs_modern(void **state)
{
	size_t len;
	uint8_t *buf = make_ivrs(&len, 1, 0x1000);
	struct acpi_table t = test_check(buf, len);
	struct acpi_ivrs ivrs;
	struct acpi_ivrs_block b;
	(void)state;

	assert_int_equal(acpi_ivrs_parse(&t, &ivrs, NULL), ACPI_OK);
	assert_int_equal(ivrs.iv_info, 0x00203041);
	assert_true(acpi_ivrs_next(&ivrs.blocks, &b));
	check_ivhd_10(&b);
	assert_true(acpi_ivrs_next(&ivrs.blocks, &b));
	assert_true(b.type == ACPI_IVRS_TYPE_IVHD_11 && b.iommu_base == 0xfeb80000);
	expect_entry(&b.entries, ACPI_IVHD_KIND_ALL, 0, 0xffff, 0);
	assert_true(acpi_ivrs_next(&ivrs.blocks, &b));
	check_ivhd_40(&b);
	assert_true(acpi_ivrs_next(&ivrs.blocks, &b));
	assert_true(b.is_ivmd && b.device_id == 0 && b.last_device_id == 0xffff);
	assert_true(b.start == 0xa0000 && b.mem_length == 0x20000 && b.flags == 7);
	assert_true(acpi_ivrs_next(&ivrs.blocks, &b));
	assert_true(b.is_ivmd && b.device_id == 0x0010 && b.last_device_id == 0x0010);
	assert_true(acpi_ivrs_next(&ivrs.blocks, &b));
	assert_true(b.is_ivmd && b.device_id == 0x0100 && b.last_device_id == 0x01ff);
	assert_true(acpi_ivrs_next(&ivrs.blocks, &b));
	assert_true(!b.known && b.type == 0x30 && b.length == 12);
	assert_int_equal(b.entries.off, b.entries.end);
	assert_false(acpi_ivrs_next(&ivrs.blocks, &b));
	free(buf);
}

static void test_ivrs_bad(void **state)
{
	size_t len;
	uint32_t off = 0;
	struct acpi_ivrs ivrs;
	(void)state;

	uint8_t *buf = make_ivrs(&len, 9, 0x1000); /* UID runs past the 40h block */
	struct acpi_table t = test_check(buf, len);
	assert_int_equal(acpi_ivrs_parse(&t, &ivrs, &off), ACPI_E_IVHD_ENTRY_OVERRUN);
	assert_int_equal(off, 48 + 120 + 44 + 40 + 26); /* second HID entry */
	free(buf);
	buf = make_ivrs(&len, 1, 0x1001); /* wraps past 2^64 */
	t = test_check(buf, len);
	assert_int_equal(acpi_ivrs_parse(&t, &ivrs, &off), ACPI_E_IVMD_RANGE);
	free(buf);
	buf = make_ivrs(&len, 1, 0x1000);
	uint32_t ivmd_range = 48 + 120 + 44 + 40 + 26 + 23 + 32 + 32;
	test_put16(buf + ivmd_range + 6, 0x00ff); /* last device below first */
	test_fix_checksum(buf, len);
	t = test_check(buf, len);
	assert_int_equal(acpi_ivrs_parse(&t, &ivrs, &off), ACPI_E_IVMD_RANGE);
	assert_int_equal(off, ivmd_range);
	test_put16(buf + ivmd_range + 2, 31); /* IVMD shorter than 32 */
	test_fix_checksum(buf, len);
	t = test_check(buf, len);
	assert_int_equal(acpi_ivrs_parse(&t, &ivrs, &off), ACPI_E_SUB_LENGTH);
	free(buf);
}

static void test_mcfg_truncation(void **state)
{
	size_t len, n = 0;
	uint8_t *buf = make_mcfg(3, &len);
	struct acpi_table t = test_check(buf, len);
	struct acpi_mcfg_window w[3];
	(void)state;

	memset(w, 0xaa, sizeof(w));
	assert_int_equal(acpi_mcfg_parse(&t, w, 2, &n, NULL), ACPI_OK);
	assert_int_equal(n, 3);
	assert_int_equal(w[1].segment, 1);
	assert_int_equal(w[1].base, 0xf0000000);
	assert_int_equal(w[2].segment, 0xaaaa); /* beyond the capacity: untouched */
	assert_int_equal(acpi_mcfg_parse(&t, NULL, 0, &n, NULL), ACPI_OK);
	assert_int_equal(acpi_mcfg_parse(&t, NULL, 1, &n, NULL), ACPI_E_ARG);
	free(buf);
	buf = make_mcfg(0, &len);
	t = test_check(buf, len);
	assert_int_equal(acpi_mcfg_parse(&t, w, 3, &n, NULL), ACPI_OK);
	assert_int_equal(n, 0);
	free(buf);
}

static void test_arguments(void **state)
{
	struct acpi_table t = {0};
	struct acpi_madt madt;
	struct acpi_iter it = {0};
	struct acpi_madt_entry e;
	struct acpi_map_ops none = {0};
	size_t off;
	(void)state;

	assert_int_equal(acpi_table_check(NULL, 100, &t), ACPI_E_ARG);
	assert_int_equal(acpi_rsdp_parse(NULL, 100, NULL), ACPI_E_ARG);
	assert_int_equal(acpi_rsdp_find(NULL, 100, &off), ACPI_E_ARG);
	assert_int_equal(acpi_madt_parse(NULL, &madt, NULL), ACPI_E_ARG);
	assert_int_equal(acpi_dmar_parse(&t, NULL, NULL), ACPI_E_ARG);
	assert_int_equal(acpi_ivrs_parse(NULL, NULL, NULL), ACPI_E_ARG);
	assert_int_equal(acpi_fadt_parse(NULL, NULL, NULL), ACPI_E_ARG);
	assert_int_equal(acpi_root_parse(NULL, NULL, NULL), ACPI_E_ARG);
	assert_int_equal(acpi_walk(&none, 0, NULL, NULL), ACPI_E_ARG);
	assert_int_equal(acpi_table_map(&none, 0, &t), ACPI_E_ARG);
	assert_false(acpi_madt_next(&it, &e));
	assert_false(acpi_madt_next(NULL, &e));
	assert_false(acpi_dmar_next(&it, NULL));
	assert_int_equal(acpi_root_entry(NULL, 0), 0);
	assert_int_equal(acpi_madt_cpus(NULL, NULL, 0), 0);
	assert_false(acpi_table_is(NULL, "APIC"));
}

static void test_strerror(void **state)
{
	(void)state;
	for (int i = 0; i < ACPI_E_COUNT; i++) {
		const char *s = acpi_strerror((enum acpi_status)i);
		assert_non_null(s);
		assert_string_not_equal(s, "unknown error");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(s, acpi_strerror((enum acpi_status)j));
	}
	assert_string_equal(acpi_strerror(ACPI_E_COUNT), "unknown error");
	assert_string_equal(acpi_strerror((enum acpi_status) - 1), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_xsdt_walk),
	        cmocka_unit_test(test_xsdt_fallback),
	        cmocka_unit_test(test_no_root),
	        cmocka_unit_test(test_table_changed),
	        cmocka_unit_test(test_rsdp_v2),
	        cmocka_unit_test(test_rsdp_find),
	        cmocka_unit_test(test_x2apic_madt),
	        cmocka_unit_test(test_madt_duplicate_override),
	        cmocka_unit_test(test_dmar_server),
	        cmocka_unit_test(test_dmar_bad_ranges),
	        cmocka_unit_test(test_ivrs_modern),
	        cmocka_unit_test(test_ivrs_bad),
	        cmocka_unit_test(test_mcfg_truncation),
	        cmocka_unit_test(test_arguments),
	        cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests_name("acpi-synthetic", tests, NULL, NULL);
}

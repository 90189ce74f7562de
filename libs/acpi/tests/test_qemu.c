/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Parses the ACPI tables QEMU 7.2 builds for q35 (captured from guest
 * memory, see docs/acpi.md) and checks the values against the machine's
 * known facts, as QEMU defines them:
 *   MCFG base 0xb0000000        MCH_HOST_BRIDGE_PCIEXBAR_DEFAULT (q35.h)
 *   IOAPIC 0xfec00000, LAPIC 0xfee00000  IO_APIC/APIC_DEFAULT_ADDRESS
 *   DRHD base 0xfed90000        Q35_HOST_BRIDGE_IOMMU_ADDR
 *   DRHD IOAPIC scope bus 0xff  Q35_PSEUDO_BUS_PLATFORM, devfn 0
 *   IVHD base 0xfed80000        AMDVI_BASE_ADDR (amd_iommu.h)
 *   IVHD IOAPIC devid 00:14.0   IOAPIC_SB_DEVID (amd_iommu.h)
 * and build_dmar_q35() / build_amd_iommu() in hw/i386/acpi-build.c for the
 * layout. Usage: test-acpi-qemu TESTDATA_DIR
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

static const char *const intel_files[] = {"rsdp.dat", "rsdt.dat", "facp.dat", "apic.dat",
                                          "hpet.dat", "mcfg.dat", "dmar.dat", "waet.dat",
                                          "dsdt.dat", "facs.dat"};
static const char *const amd_files[] = {"rsdp.dat", "rsdt.dat", "facp.dat", "apic.dat", "hpet.dat",
                                        "mcfg.dat", "ivrs.dat", "waet.dat", "dsdt.dat", "facs.dat"};

/* Returns the captured table `file` of `machine`, checked; the caller frees
 * t->data. */
static struct acpi_table load_table(const char *machine, const char *file)
{
	size_t len;
	uint8_t *buf = test_load_file(machine, file, &len);
	return test_check(buf, len);
}

static void check_files_valid(const char *machine, const char *const *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *buf = test_load_file(machine, files[i], &len);
		struct acpi_rsdp rsdp;
		struct acpi_table t;
		if (strcmp(files[i], "rsdp.dat") == 0) {
			assert_int_equal(acpi_rsdp_parse(buf, len, &rsdp), ACPI_OK);
			assert_int_equal(rsdp.revision, 0); /* QEMU's x86 RSDP is ACPI 1.0 */
			assert_int_equal(rsdp.xsdt, 0);
		} else if (strcmp(files[i], "facs.dat") == 0) {
			assert_int_equal(acpi_facs_check(buf, len, NULL), ACPI_OK);
		} else {
			assert_int_equal(acpi_table_check(buf, len, &t), ACPI_OK);
			assert_int_equal(t.length, len);
			assert_string_equal(t.oem_id, "BOCHS ");
		}
		free(buf);
	}
}

static void test_intel_files_valid(void **state)
{
	(void)state;
	check_files_valid(INTEL, intel_files, sizeof(intel_files) / sizeof(intel_files[0]));
}

static void test_amd_files_valid(void **state)
{
	(void)state;
	check_files_valid(AMD, amd_files, sizeof(amd_files) / sizeof(amd_files[0]));
}

struct walk_log {
	char sigs[16][5];
	uint64_t phys[16];
	size_t count;
	size_t errors;
};

static bool log_visit(void *arg, uint64_t phys, enum acpi_status status, const struct acpi_table *t)
{
	struct walk_log *log = arg;

	if (status != ACPI_OK) {
		log->errors++;
		return true;
	}
	assert_true(log->count < 16);
	memcpy(log->sigs[log->count], t->signature, 5);
	log->phys[log->count++] = phys;
	return true;
}

/* Walks the captured machine from its RSDP, found by scanning a fake BIOS
 * area, and checks the visit order and the addresses. */
static void check_walk(const char *machine, const char *const *order, size_t n)
{
	struct test_mem m;
	struct walk_log log = {0};
	size_t off;

	test_mem_load(&m, machine);
	struct test_region *rsdp = test_mem_find(&m, "rsdp.dat");
	uint8_t *bios = calloc(1, 0x20000);
	assert_non_null(bios);
	assert_true(rsdp->phys >= 0xe0000 && rsdp->phys < 0x100000 - rsdp->len);
	memcpy(bios + (rsdp->phys - 0xe0000), rsdp->data, rsdp->len);
	assert_int_equal(acpi_rsdp_find(bios, 0x20000, &off), ACPI_OK);
	assert_int_equal(0xe0000 + off, rsdp->phys);
	free(bios);

	assert_int_equal(acpi_walk(&m.ops, rsdp->phys, log_visit, &log), ACPI_OK);
	assert_int_equal(log.errors, 0);
	assert_int_equal(log.count, n);
	for (size_t i = 0; i < n; i++) {
		char file[16];
		for (size_t j = 0; j < 4; j++)
			file[j] = (char)(order[i][j] | 0x20);
		strcpy(file + 4, ".dat");
		assert_string_equal(log.sigs[i], order[i]);
		assert_int_equal(log.phys[i], test_mem_find(&m, file)->phys);
	}
	assert_int_equal(m.maps, m.unmaps);
	test_mem_free(&m);
}

static void test_intel_walk(void **state)
{
	static const char *const order[] = {"RSDT", "FACP", "DSDT", "APIC",
	                                    "HPET", "MCFG", "DMAR", "WAET"};
	(void)state;
	check_walk(INTEL, order, 8);
}

static void test_amd_walk(void **state)
{
	static const char *const order[] = {"RSDT", "FACP", "DSDT", "APIC",
	                                    "HPET", "MCFG", "IVRS", "WAET"};
	(void)state;
	check_walk(AMD, order, 8);
}

static void test_find_table(void **state)
{
	struct test_mem m;
	struct acpi_table t;
	(void)state;

	test_mem_load(&m, INTEL);
	uint64_t rsdp = test_mem_find(&m, "rsdp.dat")->phys;
	struct test_region *dmar = test_mem_find(&m, "dmar.dat");
	assert_int_equal(acpi_find_table(&m.ops, rsdp, "DMAR", 0, &t), ACPI_OK);
	assert_int_equal(t.phys, dmar->phys);
	assert_int_equal(t.length, dmar->len);
	assert_memory_equal(t.data, dmar->data, dmar->len);
	acpi_table_unmap(&m.ops, &t);
	assert_int_equal(acpi_find_table(&m.ops, rsdp, "DSDT", 0, &t), ACPI_OK);
	assert_int_equal(t.phys, test_mem_find(&m, "dsdt.dat")->phys);
	acpi_table_unmap(&m.ops, &t);
	assert_int_equal(acpi_find_table(&m.ops, rsdp, "DMAR", 1, &t), ACPI_E_NOT_FOUND);
	assert_int_equal(acpi_find_table(&m.ops, rsdp, "IVRS", 0, &t), ACPI_E_NOT_FOUND);
	assert_int_equal(m.maps, m.unmaps);
	test_mem_free(&m);
}

static void check_mcfg(const char *machine)
{
	struct acpi_table t = load_table(machine, "mcfg.dat");
	struct acpi_mcfg_window w[4];
	size_t n = 0;

	assert_int_equal(acpi_mcfg_parse(&t, w, 4, &n, NULL), ACPI_OK);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].base, 0xb0000000);
	assert_int_equal(w[0].segment, 0);
	assert_int_equal(w[0].start_bus, 0);
	assert_int_equal(w[0].end_bus, 255);
	free((void *)t.data);
}

static void test_mcfg(void **state)
{
	(void)state;
	check_mcfg(INTEL);
	check_mcfg(AMD);
}

/* QEMU's MADT: one entry per possible CPU (APIC ID == UID == index, enabled
 * if present), IOAPIC 0, overrides IRQ0->GSI2 and level/high for the PCI
 * IRQs 5, 9, 10, 11, and one local APIC NMI on LINT1 for all CPUs. */
static void check_madt(const char *machine, unsigned possible, unsigned present)
{
	static const uint8_t iso_src[] = {0, 5, 9, 10, 11};
	struct acpi_table t = load_table(machine, "apic.dat");
	struct acpi_madt madt;
	struct acpi_madt_entry e;
	struct acpi_cpu cpus[8];
	struct acpi_ioapic io[2];
	unsigned isos = 0, nmis = 0;

	assert_int_equal(acpi_madt_parse(&t, &madt, NULL), ACPI_OK);
	assert_int_equal(madt.lapic_address, 0xfee00000);
	assert_int_equal(madt.flags, ACPI_MADT_PCAT_COMPAT);
	assert_int_equal(acpi_madt_cpus(&madt, cpus, 8), possible);
	for (unsigned i = 0; i < possible; i++) {
		assert_int_equal(cpus[i].apic_id, i);
		assert_int_equal(cpus[i].uid, i);
		assert_int_equal(cpus[i].enabled, i < present);
		assert_false(cpus[i].online_capable);
		assert_false(cpus[i].x2apic);
	}
	assert_int_equal(acpi_madt_ioapics(&madt, io, 2), 1);
	assert_int_equal(io[0].id, 0);
	assert_int_equal(io[0].address, 0xfec00000);
	assert_int_equal(io[0].gsi_base, 0);
	struct acpi_iter it = madt.entries;
	while (acpi_madt_next(&it, &e)) {
		assert_true(e.known);
		if (e.type == ACPI_MADT_TYPE_ISO) {
			assert_true(isos < 5);
			assert_int_equal(e.u.iso.bus, 0);
			assert_int_equal(e.u.iso.source, iso_src[isos]);
			assert_int_equal(e.u.iso.gsi, isos == 0 ? 2 : iso_src[isos]);
			assert_int_equal(e.u.iso.flags, isos == 0 ? 0 : 0xd);
			isos++;
		} else if (e.type == ACPI_MADT_TYPE_LAPIC_NMI) {
			assert_int_equal(e.u.nmi.uid, 0xff);
			assert_int_equal(e.u.nmi.lint, 1);
			nmis++;
		}
	}
	assert_int_equal(it.off, t.length);
	assert_int_equal(isos, 5);
	assert_int_equal(nmis, 1);
	free((void *)t.data);
}

static void test_intel_madt(void **state)
{
	(void)state;
	check_madt(INTEL, 2, 2); /* -smp 2 */
}

static void test_amd_madt(void **state)
{
	(void)state;
	check_madt(AMD, 4, 2); /* -smp 2,maxcpus=4: two hot-pluggable, disabled */
}

static void check_fadt(const char *machine)
{
	struct test_mem m;
	struct acpi_fadt f;

	test_mem_load(&m, machine);
	struct test_region *r = test_mem_find(&m, "facp.dat");
	struct acpi_table t = test_check(r->data, r->len);
	assert_int_equal(acpi_fadt_parse(&t, &f, NULL), ACPI_OK);
	assert_int_equal(f.dsdt, test_mem_find(&m, "dsdt.dat")->phys);
	assert_int_equal(f.facs, test_mem_find(&m, "facs.dat")->phys);
	assert_int_equal(f.sci_int, 9);
	assert_false(f.iapc_boot_arch & ACPI_FADT_BOOT_NO_MSI);
	test_mem_free(&m);
}

static void test_fadt(void **state)
{
	(void)state;
	check_fadt(INTEL);
	check_fadt(AMD);
}

struct want_scope {
	uint8_t type, enumeration_id, bus, dev, fn;
};

/* QEMU (since its 2021 bypass_iommu work) lists devices explicitly, with
 * no INCLUDE_PCI_ALL, so that buses with bypass_iommu can be left out;
 * with intremap (default on) the first scope is the IOAPIC. Root ports
 * rp0/rp1 sit at 00:01.0 and 00:02.0. */
static const struct want_scope intel_scopes[] = {
        {ACPI_DMAR_SCOPE_IOAPIC, 0, 0xff, 0, 0},   {ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0, 0},
        {ACPI_DMAR_SCOPE_BRIDGE, 0, 0, 1, 0},      {ACPI_DMAR_SCOPE_BRIDGE, 0, 0, 2, 0},
        {ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0x1f, 0}, {ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0x1f, 2},
        {ACPI_DMAR_SCOPE_ENDPOINT, 0, 0, 0x1f, 3},
};

static void check_intel_drhd(struct acpi_dmar_unit *u)
{
	struct acpi_dmar_scope s;
	size_t n = 0;

	assert_int_equal(u->type, ACPI_DMAR_TYPE_DRHD);
	assert_int_equal(u->base, 0xfed90000);
	assert_int_equal(u->segment, 0);
	assert_int_equal(u->flags & ACPI_DMAR_DRHD_INCLUDE_PCI_ALL, 0);
	while (acpi_dmar_scope_next(&u->scopes, &s)) {
		const struct want_scope *w = &intel_scopes[n++];
		assert_true(n <= sizeof(intel_scopes) / sizeof(intel_scopes[0]));
		assert_int_equal(s.type, w->type);
		assert_int_equal(s.length, 8);
		assert_int_equal(s.enumeration_id, w->enumeration_id);
		assert_int_equal(s.start_bus, w->bus);
		assert_int_equal(s.path_len, 1);
		assert_int_equal(s.path[0].device, w->dev);
		assert_int_equal(s.path[0].function, w->fn);
	}
	assert_int_equal(n, sizeof(intel_scopes) / sizeof(intel_scopes[0]));
}

static void test_intel_dmar(void **state)
{
	struct acpi_table t = load_table(INTEL, "dmar.dat");
	struct acpi_dmar dmar;
	struct acpi_dmar_unit u;
	struct acpi_dmar_scope s;
	(void)state;

	assert_int_equal(acpi_dmar_parse(&t, &dmar, NULL), ACPI_OK);
	assert_int_equal(dmar.host_address_width, 39); /* aw-bits=39 default */
	assert_int_equal(dmar.flags, ACPI_DMAR_FLAG_INTR_REMAP);
	assert_true(acpi_dmar_next(&dmar.units, &u));
	check_intel_drhd(&u);
	assert_true(acpi_dmar_next(&dmar.units, &u)); /* device-iotlb=on */
	assert_int_equal(u.type, ACPI_DMAR_TYPE_ATSR);
	assert_int_equal(u.flags, ACPI_DMAR_ATSR_ALL_PORTS);
	assert_int_equal(u.segment, 0);
	assert_false(acpi_dmar_scope_next(&u.scopes, &s));
	assert_false(acpi_dmar_next(&dmar.units, &u));
	free((void *)t.data);
}

struct want_entry {
	enum acpi_ivhd_kind kind;
	uint16_t first, last;
};

/* build_amd_iommu(): a select entry per device on bus 0, a start/end range
 * for the root port's secondary bus, and the IOAPIC special entry. */
static const struct want_entry amd_entries[] = {
        {ACPI_IVHD_KIND_SELECT, 0x0000, 0x0000},  /* 00:00.0 host bridge */
        {ACPI_IVHD_KIND_SELECT, 0x0008, 0x0008},  /* 00:01.0 amd-iommu */
        {ACPI_IVHD_KIND_SELECT, 0x0010, 0x0010},  /* 00:02.0 root port */
        {ACPI_IVHD_KIND_RANGE, 0x0100, 0x01ff},   /* bus 1 behind it */
        {ACPI_IVHD_KIND_SELECT, 0x00f8, 0x00f8},  /* 00:1f.0 LPC */
        {ACPI_IVHD_KIND_SELECT, 0x00fa, 0x00fa},  /* 00:1f.2 SATA */
        {ACPI_IVHD_KIND_SELECT, 0x00fb, 0x00fb},  /* 00:1f.3 SMBus */
        {ACPI_IVHD_KIND_SPECIAL, 0x00a0, 0x00a0}, /* IOAPIC as 00:14.0 */
};

static void check_amd_ivhd(struct acpi_ivrs_block *b)
{
	struct acpi_ivhd_entry e;
	size_t n = 0;

	assert_true(b->is_ivhd);
	assert_int_equal(b->type, ACPI_IVRS_TYPE_IVHD_10); /* QEMU 7.2: only 10h */
	assert_int_equal(b->flags, 0xd1);                  /* HtTunEn, IotlbSup, PrefSup, PPRSup */
	assert_int_equal(b->device_id, 0x0008);
	assert_int_equal(b->capability_offset, 0x40);
	assert_int_equal(b->iommu_base, 0xfed80000);
	assert_int_equal(b->segment, 0);
	assert_int_equal(b->features, 0x44); /* GTSup | GASup */
	while (acpi_ivhd_next(&b->entries, &e)) {
		const struct want_entry *w = &amd_entries[n++];
		assert_true(n <= sizeof(amd_entries) / sizeof(amd_entries[0]));
		assert_int_equal(e.kind, w->kind);
		assert_int_equal(e.first, w->first);
		assert_int_equal(e.last, w->last);
		assert_int_equal(e.data, 0);
		if (e.kind == ACPI_IVHD_KIND_SPECIAL) {
			assert_int_equal(e.variety, ACPI_IVHD_VARIETY_IOAPIC);
			assert_int_equal(e.handle, 0); /* the MADT's IOAPIC ID */
			assert_int_equal(e.source_id, 0x00a0);
		}
	}
	assert_int_equal(n, sizeof(amd_entries) / sizeof(amd_entries[0]));
	assert_int_equal(b->entries.off, b->entries.end);
}

static void test_amd_ivrs(void **state)
{
	struct acpi_table t = load_table(AMD, "ivrs.dat");
	struct acpi_ivrs ivrs;
	struct acpi_ivrs_block b;
	(void)state;

	assert_int_equal(acpi_ivrs_parse(&t, &ivrs, NULL), ACPI_OK);
	assert_int_equal(ivrs.iv_info, 40u << 8); /* PASize 40 */
	assert_true(acpi_ivrs_next(&ivrs.blocks, &b));
	check_amd_ivhd(&b);
	assert_false(acpi_ivrs_next(&ivrs.blocks, &b));
	free((void *)t.data);
}

/* Tables of one machine are rejected by the other table's parser. */
static void test_signature_mismatch(void **state)
{
	struct acpi_table t = load_table(INTEL, "dmar.dat");
	struct acpi_ivrs ivrs;
	struct acpi_madt madt;
	uint32_t off = 7;
	(void)state;

	assert_int_equal(acpi_ivrs_parse(&t, &ivrs, &off), ACPI_E_SIGNATURE);
	assert_int_equal(off, 0);
	assert_int_equal(acpi_madt_parse(&t, &madt, NULL), ACPI_E_SIGNATURE);
	free((void *)t.data);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_intel_files_valid),
	        cmocka_unit_test(test_amd_files_valid),
	        cmocka_unit_test(test_intel_walk),
	        cmocka_unit_test(test_amd_walk),
	        cmocka_unit_test(test_find_table),
	        cmocka_unit_test(test_mcfg),
	        cmocka_unit_test(test_intel_madt),
	        cmocka_unit_test(test_amd_madt),
	        cmocka_unit_test(test_fadt),
	        cmocka_unit_test(test_intel_dmar),
	        cmocka_unit_test(test_amd_ivrs),
	        cmocka_unit_test(test_signature_mismatch),
	};

	if (argc > 1)
		test_data_dir = argv[1];
	return cmocka_run_group_tests_name("acpi-qemu", tests, NULL, NULL);
}

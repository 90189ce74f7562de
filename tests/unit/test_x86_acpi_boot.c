/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ACPI discovery at boot on the tables QEMU 7.2 gave two q35 machines
 * (libs/acpi/testdata, placed at their captured physical addresses), and on
 * hand-built MADTs: the RSDP search, CPUs, IOAPICs, ISA overrides, and the
 * one-CPU fallback for a missing or bad table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include "acpi_boot.h"

#define LOW_BYTES 0x100000 /* real-mode memory: BDA, EBDA, BIOS area */
#define MAX_BLOBS 16
#define EBDA_PHYS 0x9fc00
#define QEMU_RSDP 0xf59d0
#define BSP_APIC  0

static const char *data_dir;

static struct fake_memory {
	uint8_t low[LOW_BYTES];
	struct {
		uint64_t phys;
		size_t len;
		uint8_t *data;
	} blob[MAX_BLOBS];
	unsigned blobs;
} mem;

static const void *map_fake(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (phys < LOW_BYTES && len <= LOW_BYTES - phys)
		return mem.low + phys;
	for (unsigned i = 0; i < mem.blobs; i++)
		if (phys >= mem.blob[i].phys && len <= mem.blob[i].len &&
		    phys - mem.blob[i].phys <= mem.blob[i].len - len)
			return mem.blob[i].data + (phys - mem.blob[i].phys);
	return NULL;
}

static const struct acpi_map_ops ops = {.map = map_fake};

static uint8_t *load_file(const char *machine, const char *file, size_t len)
{
	char path[512];
	uint8_t *data = malloc(len);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", data_dir, machine, file);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, len, f), len);
	fclose(f);
	return data;
}

/* Puts every table of the manifest where QEMU had it. */
static void load_machine(const char *machine)
{
	char path[512], line[256], file[64];
	unsigned long long phys;
	size_t len;
	FILE *f;

	for (unsigned i = 0; i < mem.blobs; i++)
		free(mem.blob[i].data);
	memset(&mem, 0, sizeof(mem));
	snprintf(path, sizeof(path), "%s/%s/manifest.txt", data_dir, machine);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || sscanf(line, "%63s %llx %zu", file, &phys, &len) != 3)
			continue;
		uint8_t *data = load_file(machine, file, len);
		if (phys < LOW_BYTES) {
			memcpy(mem.low + phys, data, len);
			free(data);
			continue;
		}
		assert_true(mem.blobs < MAX_BLOBS);
		mem.blob[mem.blobs].phys = phys;
		mem.blob[mem.blobs].len = len;
		mem.blob[mem.blobs++].data = data;
	}
	fclose(f);
}

static uint8_t *blob_at(uint64_t phys)
{
	for (unsigned i = 0; i < mem.blobs; i++)
		if (mem.blob[i].phys == phys)
			return mem.blob[i].data;
	fail_msg("no table at %llx", (unsigned long long)phys);
	return NULL;
}

static void q35_two_cpus_one_ioapic_five_overrides(void **state)
{
	struct platform_desc p;

	(void)state;
	load_machine("q35-intel-iommu");
	assert_null(acpi_boot_discover(&ops, BSP_APIC, &p));
	assert_true(p.rsdp_phys == QEMU_RSDP);
	assert_true(p.lapic_phys == 0xfee00000ULL);
	assert_int_equal(p.cpu_count, 2);
	assert_int_equal(p.cpu_apic_ids[0], 0);
	assert_int_equal(p.cpu_apic_ids[1], 1);
	assert_int_equal(p.ioapic_count, 1);
	assert_int_equal(p.ioapics[0].id, 0);
	assert_int_equal(p.ioapics[0].phys, 0xfec00000);
	assert_int_equal(p.ioapics[0].gsi_base, 0);
	assert_int_equal(p.ioapics[0].entries, 0); /* read from the hardware later */
	assert_int_equal(p.override_count, 5);
	assert_int_equal(p.entries_ignored, 0);
}

/* -smp 2,maxcpus=4: four LAPIC entries, two of them disabled. */
static void disabled_cpus_are_left_out(void **state)
{
	struct platform_desc p;

	(void)state;
	load_machine("q35-amd-iommu");
	assert_null(acpi_boot_discover(&ops, 1, &p));
	assert_int_equal(p.cpu_count, 2);
	assert_int_equal(p.cpu_apic_ids[0], 1); /* the boot CPU comes first */
	assert_int_equal(p.cpu_apic_ids[1], 0);
	assert_int_equal(p.entries_ignored, 0);
}

static void isa_irqs_follow_qemus_overrides(void **state)
{
	struct platform_desc p;
	uint32_t gsi = 99;
	bool level = true, low = true;

	(void)state;
	load_machine("q35-intel-iommu");
	assert_null(acpi_boot_discover(&ops, BSP_APIC, &p));
	assert_int_equal(acpi_boot_isa_irq(&p, 0, &gsi, &level, &low), WARD_OK);
	assert_true(gsi == 2 && !level && !low); /* PIT: flags 0, ISA defaults */
	assert_int_equal(acpi_boot_isa_irq(&p, 9, &gsi, &level, &low), WARD_OK);
	assert_true(gsi == 9 && level && !low); /* SCI: flags 0x0d */
	assert_int_equal(acpi_boot_isa_irq(&p, 1, &gsi, &level, &low), WARD_OK);
	assert_true(gsi == 1 && !level && !low); /* no override: identity */
	gsi = 99;
	assert_int_equal(acpi_boot_isa_irq(&p, 2, &gsi, &level, &low), WARD_ERR_INVALID_ARGUMENT);
	assert_int_equal(acpi_boot_isa_irq(&p, 16, &gsi, &level, &low), WARD_ERR_RANGE);
	assert_int_equal(gsi, 99);
}

/* ACPI §5.2.5.1: the EBDA's first KiB is searched before the BIOS area. */
static void rsdp_found_in_the_ebda_first(void **state)
{
	(void)state;
	load_machine("q35-intel-iommu");
	assert_true(acpi_boot_find_rsdp(&ops) == QEMU_RSDP); /* BDA says no EBDA */
	mem.low[0x40e] = (EBDA_PHYS >> 4) & 0xff;
	mem.low[0x40f] = EBDA_PHYS >> 12;
	memcpy(mem.low + EBDA_PHYS + 0x30, mem.low + QEMU_RSDP, 20);
	assert_true(acpi_boot_find_rsdp(&ops) == EBDA_PHYS + 0x30);
	memcpy(mem.low + EBDA_PHYS + 0x400, mem.low + QEMU_RSDP, 20); /* past the first KiB */
	memset(mem.low + EBDA_PHYS + 0x30, 0, 20);
	assert_true(acpi_boot_find_rsdp(&ops) == QEMU_RSDP);
}

static void no_rsdp_or_bad_madt_means_one_cpu(void **state)
{
	struct platform_desc p;
	const char *why;

	(void)state;
	load_machine("q35-intel-iommu");
	memset(mem.low + QEMU_RSDP, 0, 20);
	why = acpi_boot_discover(&ops, 5, &p);
	assert_non_null(why);
	assert_true(p.rsdp_phys == 0 && p.cpu_count == 1 && p.cpu_apic_ids[0] == 5);

	load_machine("q35-intel-iommu");
	blob_at(0xffe22bb)[50] ^= 1; /* the MADT's checksum no longer holds */
	why = acpi_boot_discover(&ops, BSP_APIC, &p);
	assert_non_null(why);
	assert_non_null(strstr(why, "MADT"));
	assert_true(p.rsdp_phys == QEMU_RSDP); /* the RSDP itself is fine */
	assert_true(p.cpu_count == 1 && p.ioapic_count == 0 && p.override_count == 0);

	load_machine("q35-intel-iommu");
	why = acpi_boot_discover(&ops, 7, &p); /* a boot CPU the MADT does not know */
	assert_non_null(why);
	assert_non_null(strstr(why, "boot CPU"));
	assert_true(p.cpu_count == 1 && p.cpu_apic_ids[0] == 7 && p.ioapic_count == 0);
}

/* A hand-built MADT: header, then entries appended by the helpers below. */
static uint8_t madt[1024];
static size_t madt_len;

static void madt_begin(void)
{
	memset(madt, 0, sizeof(madt));
	memcpy(madt, "APIC", 4);
	madt[8] = 4; /* revision */
	madt_len = 44;
}

static void madt_add(const uint8_t *entry)
{
	memcpy(madt + madt_len, entry, entry[1]);
	madt_len += entry[1];
}

static void madt_lapic(uint8_t apic_id, uint8_t flags)
{
	const uint8_t e[8] = {0, 8, apic_id, apic_id, flags, 0, 0, 0};
	madt_add(e);
}

static void madt_iso(uint8_t bus, uint8_t source, uint8_t gsi, uint8_t flags)
{
	const uint8_t e[10] = {2, 10, bus, source, gsi, 0, 0, 0, flags, 0};
	madt_add(e);
}

static const char *madt_read(unsigned bsp, struct platform_desc *p)
{
	struct acpi_table t;
	uint8_t sum = 0;

	madt[4] = madt_len & 0xff;
	madt[5] = madt_len >> 8;
	madt[9] = 0;
	for (size_t i = 0; i < madt_len; i++)
		sum += madt[i];
	madt[9] = -sum;
	assert_int_equal(acpi_table_check(madt, madt_len, &t), ACPI_OK);
	return acpi_boot_read_madt(&t, bsp, p);
}

static void odd_entries_are_ignored_not_trusted(void **state)
{
	const uint8_t x2apic[16] = {9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
	struct platform_desc p;
	uint32_t gsi;
	bool level, low;

	(void)state;
	madt_begin();
	madt_lapic(0, 1);
	madt_lapic(3, 1);
	madt_lapic(3, 1);          /* duplicate */
	madt_lapic(4, 0);          /* disabled: absent, not ignored */
	madt_add(x2apic);          /* x2APIC ID 0x100: xAPIC cannot reach it */
	madt_iso(0, 9, 20, 0x0f);  /* level, active low */
	madt_iso(1, 4, 21, 0x00);  /* not ISA */
	madt_iso(0, 16, 22, 0x00); /* no such ISA IRQ */
	assert_null(madt_read(0, &p));
	assert_int_equal(p.cpu_count, 2);
	assert_int_equal(p.cpu_apic_ids[1], 3);
	assert_int_equal(p.override_count, 1);
	assert_int_equal(p.entries_ignored, 4);
	assert_int_equal(acpi_boot_isa_irq(&p, 9, &gsi, &level, &low), WARD_OK);
	assert_true(gsi == 20 && level && low);
}

static void cpus_beyond_the_limit_are_ignored(void **state)
{
	struct platform_desc p;

	(void)state;
	madt_begin();
	for (unsigned id = 0; id < WARD_MAX_CPUS + 4; id++)
		madt_lapic(id, 1);
	madt_lapic(0xff, 1); /* the broadcast ID is no CPU */
	assert_null(madt_read(WARD_MAX_CPUS + 2, &p));
	assert_int_equal(p.cpu_count, WARD_MAX_CPUS);
	assert_int_equal(p.cpu_apic_ids[0], WARD_MAX_CPUS + 2);
	assert_int_equal(p.cpu_apic_ids[WARD_MAX_CPUS - 1], WARD_MAX_CPUS - 2);
	assert_int_equal(p.entries_ignored, 5); /* IDs 15, 16, 17, 19 and 0xff */
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(q35_two_cpus_one_ioapic_five_overrides),
	        cmocka_unit_test(disabled_cpus_are_left_out),
	        cmocka_unit_test(isa_irqs_follow_qemus_overrides),
	        cmocka_unit_test(rsdp_found_in_the_ebda_first),
	        cmocka_unit_test(no_rsdp_or_bad_madt_means_one_cpu),
	        cmocka_unit_test(odd_entries_are_ignored_not_trusted),
	        cmocka_unit_test(cpus_beyond_the_limit_are_ignored),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s libs/acpi/testdata\n", argv[0]);
		return 2;
	}
	data_dir = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}

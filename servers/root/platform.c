/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the firmware says about the devices the platform servers need: the
 * PCI Express configuration windows (MCFG) and the IOMMUs' register blocks
 * (DMAR for Intel VT-d, IVRS for AMD), and a copy of the DMAR or IVRS
 * for the IOMMU server. libs/acpi validates every table;
 * the tables are read through device frames the root task maps over them
 * (proc_dev_map: ACPI tables lie in firmware memory, which the boot
 * information lists as device untyped). A missing or bad table means no
 * such device, reported once on the console.
 */
#include <stdio.h>
#include <string.h>
#include "acpi.h"
#include "root_task.h"
#include <proc/devmem.h>

#define AMDVI_MMIO_SIZE 0x4000 /* AMD IOMMU spec 48882, 3.4: the 16 KiB register block */

struct root_platform root_platform;

static const void *map_phys(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	return proc_dev_map(phys, len);
}

static const struct acpi_map_ops map_ops = {map_phys, NULL, NULL};

static void read_mcfg(uint64_t rsdp)
{
	struct acpi_mcfg_window w[ROOT_MAX_ECAM];
	struct acpi_table t;
	size_t count = 0;
	enum acpi_status st = acpi_find_table(&map_ops, rsdp, "MCFG", 0, &t);

	if (st == ACPI_OK)
		st = acpi_mcfg_parse(&t, w, ROOT_MAX_ECAM, &count, NULL);
	if (st != ACPI_OK) {
		printf("ACPI: no usable MCFG (%s): no PCI configuration space\n",
		       acpi_strerror(st));
		return;
	}
	for (size_t i = 0; i < count && i < ROOT_MAX_ECAM; i++) {
		/* The MCFG base is bus 0's; the window starts at its first bus. */
		root_platform.ecam[root_platform.ecam_count++] =
		        (struct root_ecam){w[i].base + ((uint64_t)w[i].start_bus << 20),
		                           w[i].segment, w[i].start_bus, w[i].end_bus};
	}
}

static void add_unit(struct root_iommu_unit u)
{
	for (unsigned i = 0; i < root_platform.unit_count; i++)
		if (root_platform.units[i].phys == u.phys)
			return; /* IVRS describes one IOMMU in several IVHD types */
	if (root_platform.unit_count < ROOT_MAX_UNITS)
		root_platform.units[root_platform.unit_count++] = u;
}

/* A copied table grew to `len`: its header's Length and Checksum (ACPI §5.2.6). */
static void set_length(uint8_t *table, uint32_t len)
{
	uint8_t sum = 0;

	memcpy(table + 4, &len, sizeof(len));
	table[9] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + table[i]);
	table[9] = (uint8_t)-sum;
}

/*
 * QEMU builds its own DMAR (the units, never an RMRR) and puts a table
 * given with -acpitable after it; a test describes RMRRs that way (its
 * RMRR structures, VT-d §8.4, in a second DMAR). Firmware has one DMAR,
 * so this adds nothing on real machines: the RMRR structures of every
 * later DMAR are appended to the copy of the first, whose length and
 * checksum (ACPI §5.2.6) are then made right again.
 */
static void append_rmrrs(uint64_t rsdp)
{
	struct acpi_table t;
	struct acpi_dmar dmar;
	struct acpi_dmar_unit u;
	uint32_t len = root_platform.dmar_length;

	for (uint32_t i = 1; acpi_find_table(&map_ops, rsdp, "DMAR", i, &t) == ACPI_OK; i++) {
		if (acpi_dmar_parse(&t, &dmar, NULL) != ACPI_OK)
			continue;
		while (acpi_dmar_next(&dmar.units, &u))
			if (u.type == ACPI_DMAR_TYPE_RMRR && len + u.length <= ROOT_DMAR_MAX) {
				memcpy(root_platform.dmar + len, t.data + u.offset, u.length);
				len += u.length;
			}
	}
	if (len == root_platform.dmar_length)
		return;
	set_length(root_platform.dmar, len);
	root_platform.dmar_length = len;
	printf("ACPI: RMRRs of a later DMAR appended to the first\n");
}

static void read_dmar(uint64_t rsdp)
{
	struct acpi_table t;
	struct acpi_dmar dmar;
	struct acpi_dmar_unit u;

	if (acpi_find_table(&map_ops, rsdp, "DMAR", 0, &t) != ACPI_OK ||
	    acpi_dmar_parse(&t, &dmar, NULL) != ACPI_OK)
		return;
	if (t.length <= ROOT_DMAR_MAX) {
		memcpy(root_platform.dmar, t.data, t.length);
		root_platform.dmar_length = t.length;
		append_rmrrs(rsdp);
	}
	while (acpi_dmar_next(&dmar.units, &u))
		if (u.known && u.type == ACPI_DMAR_TYPE_DRHD && u.size < 8)
			add_unit((struct root_iommu_unit){
			        WARD_WINDOW_VTD, u.base, 4096ULL << u.size, u.segment, 0, u.flags});
}

/*
 * The same for AMD-Vi: QEMU's amd-iommu builds its own IVRS (the IOMMU,
 * never an IVMD), and a test describes reserved memory in a second IVRS
 * given with -acpitable (its IVMD blocks, AMD IOMMU 48882 §5.2.3). The
 * IVMD blocks of every later IVRS are appended to the copy of the first.
 */
static void append_ivmds(uint64_t rsdp)
{
	struct acpi_table t;
	struct acpi_ivrs ivrs;
	struct acpi_ivrs_block b;
	uint32_t len = root_platform.ivrs_length;

	for (uint32_t i = 1; acpi_find_table(&map_ops, rsdp, "IVRS", i, &t) == ACPI_OK; i++) {
		if (acpi_ivrs_parse(&t, &ivrs, NULL) != ACPI_OK)
			continue;
		while (acpi_ivrs_next(&ivrs.blocks, &b))
			if (b.is_ivmd && len + b.length <= ROOT_IVRS_MAX) {
				memcpy(root_platform.ivrs + len, t.data + b.offset, b.length);
				len += b.length;
			}
	}
	if (len == root_platform.ivrs_length)
		return;
	set_length(root_platform.ivrs, len);
	root_platform.ivrs_length = len;
	printf("ACPI: IVMDs of a later IVRS appended to the first\n");
}

static void read_ivrs(uint64_t rsdp)
{
	struct acpi_table t;
	struct acpi_ivrs ivrs;
	struct acpi_ivrs_block b;

	if (acpi_find_table(&map_ops, rsdp, "IVRS", 0, &t) != ACPI_OK ||
	    acpi_ivrs_parse(&t, &ivrs, NULL) != ACPI_OK)
		return;
	if (t.length <= ROOT_IVRS_MAX) {
		memcpy(root_platform.ivrs, t.data, t.length);
		root_platform.ivrs_length = t.length;
		append_ivmds(rsdp);
	}
	while (acpi_ivrs_next(&ivrs.blocks, &b))
		if (b.known && b.is_ivhd)
			add_unit((struct root_iommu_unit){WARD_WINDOW_AMDVI, b.iommu_base,
			                                  AMDVI_MMIO_SIZE, b.segment, b.device_id,
			                                  b.flags});
}

void root_platform_discover(uint64_t rsdp)
{
	if (rsdp == 0) {
		printf("ACPI: no RSDP: no PCI configuration space, no IOMMU\n");
		return;
	}
	read_mcfg(rsdp);
	read_dmar(rsdp);
	read_ivrs(rsdp);
	for (unsigned i = 0; i < root_platform.ecam_count; i++) {
		const struct root_ecam *e = &root_platform.ecam[i];
		printf("ACPI: PCI segment %u buses %u-%u: ECAM at 0x%llx\n", e->segment,
		       e->first_bus, e->last_bus, (unsigned long long)e->phys);
	}
	for (unsigned i = 0; i < root_platform.unit_count; i++) {
		const struct root_iommu_unit *u = &root_platform.units[i];
		printf("ACPI: %s IOMMU registers at 0x%llx (%llu KiB)\n",
		       u->kind == WARD_WINDOW_VTD ? "VT-d" : "AMD", (unsigned long long)u->phys,
		       (unsigned long long)(u->size >> 10));
	}
	if (root_platform.unit_count == 0)
		printf("ACPI: no DMAR or IVRS: no IOMMU\n");
}

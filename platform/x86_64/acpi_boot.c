/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ACPI discovery at boot, on top of libs/acpi (which validates every table
 * before decoding it). Runs once, on the boot CPU, before the others start;
 * platform_desc is read-only afterwards, so it needs no lock.
 */
#include <stddef.h>
#include <kernel/printf.h>
#include "acpi_boot.h"
#include "acpi_tables.h"
#include "lapic.h"

#define BDA_EBDA_SEGMENT  0x40e /* BIOS data area word: the EBDA's real-mode segment */
#define EBDA_SEARCH_BYTES 1024
#define BIOS_AREA_BASE    0xe0000
#define BIOS_AREA_BYTES   0x20000

/* MPS INTI flags of an override (ACPI 6.5 Table 5.26); 0 means "as the bus says". */
#define MPS_INTI_POLARITY_MASK 0x3
#define MPS_INTI_ACTIVE_LOW    0x3
#define MPS_INTI_TRIGGER_SHIFT 2
#define MPS_INTI_TRIGGER_MASK  0x3
#define MPS_INTI_LEVEL         0x3

struct platform_desc platform_desc;

static char reason[96];

__attribute__((format(printf, 1, 2))) static const char *refuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return reason;
}

/* The RSDP in [base, base + len), or 0. */
static uint64_t search_rsdp(const struct acpi_map_ops *ops, uint64_t base, size_t len)
{
	const void *area = ops->map(ops->ctx, base, len);
	size_t off;

	if (area == NULL)
		return 0;
	enum acpi_status st = acpi_rsdp_find(area, len, &off);
	if (ops->unmap != NULL)
		ops->unmap(ops->ctx, area, len);
	return st == ACPI_OK ? base + off : 0;
}

uint64_t acpi_boot_find_rsdp(const struct acpi_map_ops *ops)
{
	const uint8_t *bda = ops->map(ops->ctx, BDA_EBDA_SEGMENT, 2);
	uint64_t rsdp = 0;

	if (bda != NULL) {
		uint64_t ebda = (uint64_t)(bda[0] | bda[1] << 8) << 4;
		if (ops->unmap != NULL)
			ops->unmap(ops->ctx, bda, 2);
		if (ebda != 0)
			rsdp = search_rsdp(ops, ebda, EBDA_SEARCH_BYTES);
	}
	if (rsdp == 0)
		rsdp = search_rsdp(ops, BIOS_AREA_BASE, BIOS_AREA_BYTES);
	return rsdp;
}

static void boot_cpu_only(struct platform_desc *p, unsigned bsp_apic_id)
{
	p->lapic_phys = 0;
	p->cpu_count = 1;
	p->cpu_apic_ids[0] = bsp_apic_id;
	p->ioapic_count = 0;
	p->override_count = 0;
	p->entries_ignored = 0;
}

static bool cpu_listed(const struct platform_desc *p, uint32_t apic_id)
{
	for (unsigned i = 0; i < p->cpu_count; i++)
		if (p->cpu_apic_ids[i] == apic_id)
			return true;
	return false;
}

/* Disabled CPUs are absent, not ignored; xAPIC mode cannot address IDs above 0xfe. */
static void add_cpu(struct platform_desc *p, const struct acpi_cpu *c, bool *bsp_seen)
{
	if (!c->enabled)
		return;
	if (c->apic_id == p->cpu_apic_ids[0] && !*bsp_seen)
		*bsp_seen = true;
	else if (c->apic_id > LAPIC_MAX_XAPIC_ID || cpu_listed(p, c->apic_id) ||
	         p->cpu_count == WARD_MAX_CPUS)
		p->entries_ignored++;
	else
		p->cpu_apic_ids[p->cpu_count++] = c->apic_id;
}

static void add_ioapic(struct platform_desc *p, const struct acpi_ioapic *io)
{
	if (io->address == 0 || p->ioapic_count == PLATFORM_MAX_IOAPICS) {
		p->entries_ignored++;
		return;
	}
	p->ioapics[p->ioapic_count++] = (struct platform_ioapic){
	        .phys = io->address,
	        .gsi_base = io->gsi_base,
	        .id = io->id,
	};
}

/* Reserved polarity or trigger values (2) read as the ISA default. */
static void add_override(struct platform_desc *p, const struct acpi_iso *iso)
{
	if (iso->bus != 0 || iso->source >= ISA_IRQ_COUNT ||
	    p->override_count == PLATFORM_MAX_OVERRIDES) {
		p->entries_ignored++;
		return;
	}
	p->overrides[p->override_count++] = (struct platform_isa_override){
	        .irq = iso->source,
	        .gsi = iso->gsi,
	        .level = ((iso->flags >> MPS_INTI_TRIGGER_SHIFT) & MPS_INTI_TRIGGER_MASK) ==
	                 MPS_INTI_LEVEL,
	        .active_low = (iso->flags & MPS_INTI_POLARITY_MASK) == MPS_INTI_ACTIVE_LOW,
	};
}

const char *acpi_boot_read_madt(const struct acpi_table *t, unsigned bsp_apic_id,
                                struct platform_desc *out)
{
	struct acpi_madt madt;
	struct acpi_madt_entry e;
	uint32_t err_off = 0;
	bool bsp_seen = false;

	enum acpi_status st = acpi_madt_parse(t, &madt, &err_off);
	if (st != ACPI_OK)
		return refuse("MADT refused at offset %u: %s", err_off, acpi_strerror(st));
	boot_cpu_only(out, bsp_apic_id);
	out->lapic_phys = madt.lapic_address;
	struct acpi_iter it = madt.entries;
	while (acpi_madt_next(&it, &e)) {
		if (e.type == ACPI_MADT_TYPE_LAPIC || e.type == ACPI_MADT_TYPE_X2APIC)
			add_cpu(out, &e.u.cpu, &bsp_seen);
		else if (e.type == ACPI_MADT_TYPE_IOAPIC)
			add_ioapic(out, &e.u.ioapic);
		else if (e.type == ACPI_MADT_TYPE_ISO)
			add_override(out, &e.u.iso);
	}
	if (!bsp_seen)
		return refuse("MADT does not list the boot CPU (APIC ID %u)", bsp_apic_id);
	return NULL;
}

const char *acpi_boot_discover(const struct acpi_map_ops *ops, unsigned bsp_apic_id,
                               struct platform_desc *out)
{
	struct acpi_table madt;
	const char *why;

	boot_cpu_only(out, bsp_apic_id);
	out->rsdp_phys = acpi_boot_find_rsdp(ops);
	if (out->rsdp_phys == 0)
		return "no RSDP in the EBDA or the BIOS area";
	enum acpi_status st = acpi_find_table(ops, out->rsdp_phys, "APIC", 0, &madt);
	if (st != ACPI_OK)
		return refuse("no valid MADT (%s)", acpi_strerror(st));
	why = acpi_boot_read_madt(&madt, bsp_apic_id, out);
	acpi_table_unmap(ops, &madt);
	if (why != NULL)
		boot_cpu_only(out, bsp_apic_id);
	return why;
}

enum ward_error acpi_boot_isa_irq(const struct platform_desc *p, unsigned irq, uint32_t *gsi,
                                  bool *level, bool *active_low)
{
	if (irq >= ISA_IRQ_COUNT)
		return WARD_ERR_RANGE;
	for (unsigned i = 0; i < p->override_count; i++) {
		if (p->overrides[i].irq != irq)
			continue;
		*gsi = p->overrides[i].gsi;
		*level = p->overrides[i].level;
		*active_low = p->overrides[i].active_low;
		return WARD_OK;
	}
	for (unsigned i = 0; i < p->override_count; i++)
		if (p->overrides[i].gsi == irq)
			return WARD_ERR_INVALID_ARGUMENT; /* e.g. IRQ 2 once IRQ 0 took GSI 2 */
	*gsi = irq;
	*level = false;
	*active_low = false;
	return WARD_OK;
}

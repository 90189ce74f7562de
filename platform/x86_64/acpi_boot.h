/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the kernel learns from ACPI at boot (the platform servers parse the
 * tables again for themselves): the RSDP, and from the MADT (ACPI 6.5
 * §5.2.12) the CPUs, the IOAPICs and the ISA interrupt source overrides.
 * Pure: physical memory is reached through the library's map callback, so
 * the host tests feed it captured QEMU tables.
 */
#ifndef X86_ACPI_BOOT_H
#define X86_ACPI_BOOT_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/errors.h>
#include "acpi.h"
#include "percpu.h"

#define PLATFORM_MAX_IOAPICS   8
#define PLATFORM_MAX_OVERRIDES 16
#define ISA_IRQ_COUNT          16

struct platform_ioapic {
	uint32_t phys;
	uint32_t gsi_base;
	uint8_t id;
	unsigned entries; /* redirection entries: 0 until ioapic_init() reads IOAPICVER */
};

/* An Interrupt Source Override for ISA (bus 0), §5.2.12.5. */
struct platform_isa_override {
	uint8_t irq;
	uint32_t gsi;
	bool level;
	bool active_low;
};

struct platform_desc {
	uint64_t rsdp_phys;  /* 0: none found */
	uint64_t lapic_phys; /* as the MADT gives it; 0 without one */
	unsigned cpu_count;  /* usable CPUs, the boot CPU first */
	uint32_t cpu_apic_ids[WARD_MAX_CPUS];
	unsigned ioapic_count;
	struct platform_ioapic ioapics[PLATFORM_MAX_IOAPICS];
	unsigned override_count;
	struct platform_isa_override overrides[PLATFORM_MAX_OVERRIDES];
	unsigned entries_ignored; /* x2APIC-only IDs, duplicates, past the limits above */
};

/* Filled at boot by acpi_boot_discover() and ioapic_init(); read-only after. */
extern struct platform_desc platform_desc;

/* The RSDP's physical address (ACPI §5.2.5.1: the EBDA's first KiB, then
 * 0xe0000-0xfffff), or 0. */
uint64_t acpi_boot_find_rsdp(const struct acpi_map_ops *ops);

/*
 * Fills `out`'s CPUs, IOAPICs and overrides from a checked MADT table.
 * Returns NULL, or why the table is unusable (`out` then unspecified).
 */
const char *acpi_boot_read_madt(const struct acpi_table *madt, unsigned bsp_apic_id,
                                struct platform_desc *out);

/*
 * Finds the RSDP and reads the MADT into `out`. On failure `out` describes
 * the boot CPU alone, without IOAPICs, and the result says why (for the
 * log); NULL on success.
 */
const char *acpi_boot_discover(const struct acpi_map_ops *ops, unsigned bsp_apic_id,
                               struct platform_desc *out);

/*
 * The GSI, trigger and polarity of ISA IRQ `irq`: an override's, else
 * identity, edge, active high. WARD_ERR_RANGE for irq >= 16,
 * WARD_ERR_INVALID_ARGUMENT if an override gave its GSI to another IRQ.
 */
enum ward_error acpi_boot_isa_irq(const struct platform_desc *p, unsigned irq, uint32_t *gsi,
                                  bool *level, bool *active_low);

#endif

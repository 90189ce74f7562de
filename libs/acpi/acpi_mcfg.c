/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MCFG (PCI Firmware Specification 3.3, 4.1.2): the PCI Express enhanced
 * configuration (ECAM) windows, one per segment and bus range.
 */
#include "acpi_internal.h"

/* Checks allocation `i` of an MCFG whose entry area is whole entries. */
static enum acpi_status acpi_mcfg_entry(const struct acpi_table *t, size_t i,
                                        struct acpi_mcfg_window *w, uint32_t *off)
{
	struct acpi_raw_mcfg_alloc a;

	*off = (uint32_t)(sizeof(struct acpi_raw_mcfg) + i * sizeof(a));
	memcpy(&a, t->data + *off, sizeof(a));
	if (a.start_bus > a.end_bus)
		return ACPI_E_MCFG_BUS_RANGE;
	*w = (struct acpi_mcfg_window){a.base, a.segment, a.start_bus, a.end_bus};
	return ACPI_OK;
}

enum acpi_status acpi_mcfg_parse(const struct acpi_table *t, struct acpi_mcfg_window *out,
                                 size_t cap, size_t *count, uint32_t *err_off)
{
	struct acpi_mcfg_window w;
	uint32_t off;

	if (!t || !count || (cap && !out))
		return ACPI_E_ARG;
	if (!acpi_table_is(t, "MCFG"))
		return acpi_fail(err_off, 0, ACPI_E_SIGNATURE);
	if (t->length < sizeof(struct acpi_raw_mcfg))
		return acpi_fail(err_off, 0, ACPI_E_TABLE_LENGTH);
	uint32_t area = t->length - (uint32_t)sizeof(struct acpi_raw_mcfg);
	size_t n = area / sizeof(struct acpi_raw_mcfg_alloc);
	if (area % sizeof(struct acpi_raw_mcfg_alloc) != 0)
		return acpi_fail(err_off, t->length - area % sizeof(struct acpi_raw_mcfg_alloc),
		                 ACPI_E_MCFG_PARTIAL);
	for (size_t i = 0; i < n; i++) {
		enum acpi_status st = acpi_mcfg_entry(t, i, &w, &off);
		if (st != ACPI_OK)
			return acpi_fail(err_off, off, st);
	}
	for (size_t i = 0; i < n && i < cap; i++)
		acpi_mcfg_entry(t, i, &out[i], &off);
	*count = n;
	return ACPI_OK;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * FADT (ACPI 5.2.9, signature "FACP"): only what the platform code needs
 * is decoded: the DSDT and FACS pointers (preferring the 64-bit X_ fields),
 * the fixed feature flags, the IA-PC boot architecture flags and the SCI.
 */
#include "acpi_internal.h"

enum acpi_status acpi_fadt_parse(const struct acpi_table *t, struct acpi_fadt *out,
                                 uint32_t *err_off)
{
	struct acpi_raw_fadt f;

	if (!t || !out)
		return ACPI_E_ARG;
	if (!acpi_table_is(t, "FACP"))
		return acpi_fail(err_off, 0, ACPI_E_SIGNATURE);
	if (t->length < ACPI_FADT_V1_SIZE)
		return acpi_fail(err_off, 0, ACPI_E_TABLE_LENGTH);
	memset(&f, 0, sizeof(f));
	memcpy(&f, t->data, t->length < sizeof(f) ? t->length : sizeof(f));
	out->dsdt = f.x_dsdt ? f.x_dsdt : f.dsdt;
	out->facs = f.x_firmware_ctrl ? f.x_firmware_ctrl : f.firmware_ctrl;
	out->flags = f.flags;
	out->iapc_boot_arch = t->revision >= 2 ? f.iapc_boot_arch : 0;
	out->sci_int = f.sci_int;
	return ACPI_OK;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Table-independent parts of the ACPI parser: error strings, the byte sum,
 * the System Description Table header check (ACPI 5.2.6), the FACS check
 * (ACPI 5.2.10) and the sub-structure header reader.
 */
#include "acpi_internal.h"

static const char *const acpi_status_text[ACPI_E_COUNT] = {
        [ACPI_OK] = "ok",
        [ACPI_E_ARG] = "invalid argument",
        [ACPI_E_NOT_FOUND] = "not found",
        [ACPI_E_MAP] = "physical memory could not be mapped",
        [ACPI_E_SHORT_BUFFER] = "buffer shorter than the fixed header",
        [ACPI_E_SIGNATURE] = "wrong signature",
        [ACPI_E_CHECKSUM] = "checksum mismatch",
        [ACPI_E_EXT_CHECKSUM] = "RSDP extended checksum mismatch",
        [ACPI_E_RSDP_LENGTH] = "RSDP length field below 36 or past the buffer",
        [ACPI_E_TABLE_LENGTH] = "table length below its fixed part",
        [ACPI_E_TABLE_TOO_LARGE] = "table length implausibly large",
        [ACPI_E_TABLE_CHANGED] = "table length changed while it was mapped",
        [ACPI_E_LENGTH_PAST_BUFFER] = "table length runs past the available bytes",
        [ACPI_E_ADDRESS_OVERFLOW] = "physical address plus length overflows",
        [ACPI_E_ROOT_ENTRIES] = "RSDT/XSDT entry area is not whole addresses",
        [ACPI_E_SUB_LENGTH] = "sub-table length zero or below its minimum",
        [ACPI_E_SUB_OVERRUN] = "sub-table runs past the end of the table",
        [ACPI_E_MCFG_PARTIAL] = "MCFG ends with a partial allocation entry",
        [ACPI_E_MCFG_BUS_RANGE] = "MCFG start bus above end bus",
        [ACPI_E_MADT_DUPLICATE] = "MADT has more than one local APIC address override",
        [ACPI_E_SCOPE_LENGTH] = "DMAR device scope length below 8 or odd",
        [ACPI_E_SCOPE_OVERRUN] = "DMAR device scope runs past its remapping structure",
        [ACPI_E_DMAR_REGISTER_BASE] = "DMAR register base zero or not 4 KiB aligned",
        [ACPI_E_DMAR_RMRR_RANGE] = "DMAR RMRR limit below base",
        [ACPI_E_IVHD_ENTRY_OVERRUN] = "IVHD device entry runs past the end of its block",
        [ACPI_E_IVHD_ENTRY_TYPE] = "IVHD device entry of a type with unknown length",
        [ACPI_E_IVHD_RANGE] = "IVHD range entry unpaired or reversed",
        [ACPI_E_IVHD_IOMMU_BASE] = "IVHD IOMMU base zero or not 4 KiB aligned",
        [ACPI_E_IVMD_RANGE] = "IVMD memory or device range invalid",
};

const char *acpi_strerror(enum acpi_status status)
{
	if ((unsigned)status >= ACPI_E_COUNT || !acpi_status_text[status])
		return "unknown error";
	return acpi_status_text[status];
}

uint8_t acpi_sum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + b[i]);
	return sum;
}

void acpi_copy_str(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
}

enum acpi_status acpi_table_check(const void *buf, size_t len, struct acpi_table *out)
{
	struct acpi_raw_header h;

	if (!buf || !out)
		return ACPI_E_ARG;
	if (len < sizeof(h))
		return ACPI_E_SHORT_BUFFER;
	memcpy(&h, buf, sizeof(h));
	if (h.length < sizeof(h))
		return ACPI_E_TABLE_LENGTH;
	if (h.length > len)
		return ACPI_E_LENGTH_PAST_BUFFER;
	if (acpi_sum(buf, h.length) != 0)
		return ACPI_E_CHECKSUM;

	out->data = buf;
	out->length = h.length;
	acpi_copy_str(out->signature, h.signature, sizeof(h.signature));
	out->revision = h.revision;
	acpi_copy_str(out->oem_id, h.oem_id, sizeof(h.oem_id));
	acpi_copy_str(out->oem_table_id, h.oem_table_id, sizeof(h.oem_table_id));
	out->oem_revision = h.oem_revision;
	out->phys = 0;
	return ACPI_OK;
}

bool acpi_table_is(const struct acpi_table *t, const char *sig)
{
	return t && sig && memcmp(t->signature, sig, 4) == 0;
}

enum acpi_status acpi_facs_check(const void *buf, size_t len, uint32_t *length)
{
	struct acpi_raw_facs f;

	if (!buf)
		return ACPI_E_ARG;
	if (len < sizeof(f))
		return ACPI_E_SHORT_BUFFER;
	memcpy(&f, buf, sizeof(f));
	if (memcmp(f.signature, "FACS", 4) != 0)
		return ACPI_E_SIGNATURE;
	if (f.length < sizeof(f))
		return ACPI_E_TABLE_LENGTH;
	if (f.length > len)
		return ACPI_E_LENGTH_PAST_BUFFER;
	if (length)
		*length = f.length;
	return ACPI_OK;
}

/* Returns the size of the type/length header of a `layout` sub-structure. */
static uint32_t acpi_sub_header_size(enum acpi_sub_layout layout)
{
	switch (layout) {
	case ACPI_SUB_MADT:
		return sizeof(struct acpi_raw_madt_entry);
	case ACPI_SUB_DMAR:
		return sizeof(struct acpi_raw_dmar_remap);
	default:
		return sizeof(struct acpi_raw_ivrs_block);
	}
}

enum acpi_status acpi_sub_read(const uint8_t *base, uint32_t off, uint32_t end,
                               enum acpi_sub_layout layout, struct acpi_sub *out)
{
	uint32_t hdr = acpi_sub_header_size(layout);
	struct acpi_sub s;

	if (!acpi_fits(off, hdr, end))
		return ACPI_E_SUB_OVERRUN;
	if (layout == ACPI_SUB_MADT) {
		struct acpi_raw_madt_entry h;
		memcpy(&h, base + off, sizeof(h));
		s = (struct acpi_sub){.type = h.type, .length = h.length};
	} else if (layout == ACPI_SUB_DMAR) {
		struct acpi_raw_dmar_remap h;
		memcpy(&h, base + off, sizeof(h));
		s = (struct acpi_sub){.type = h.type, .length = h.length};
	} else {
		struct acpi_raw_ivrs_block h;
		memcpy(&h, base + off, sizeof(h));
		s = (struct acpi_sub){.type = h.type, .length = h.length};
	}
	if (s.length < hdr)
		return ACPI_E_SUB_LENGTH;
	if (!acpi_fits(off, s.length, end))
		return ACPI_E_SUB_OVERRUN;
	*out = s;
	return ACPI_OK;
}

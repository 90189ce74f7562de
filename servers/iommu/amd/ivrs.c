/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IVRS table (48882 §5.2) as the backend uses it: which IOMMU
 * translates which DeviceID, which DeviceIDs reach the IOMMU under another
 * ID (alias entries: the entry to program is the alias's), and the IVMD
 * memory ranges a device must keep reaching. libs/acpi validated the
 * table; this file copies what matters into fixed arrays (no allocation).
 *
 * Firmware describes one IOMMU once per IVHD type it supports (10h, 11h,
 * 40h); software uses the highest type it understands (§5.2.2) and
 * ignores the others for that IOMMU. The EFR image of 11h/40h is kept for
 * `dump` only: the backend reads the Extended Feature Register itself,
 * since QEMU 7.2's 10h block carries a truncated feature field
 * (docs/acpi.md).
 */
#include <string.h>

#include <acpi.h>

#include "amdvi.h"

static bool ivhd_type(uint8_t type)
{
	return type == ACPI_IVRS_TYPE_IVHD_10 || type == ACPI_IVRS_TYPE_IVHD_11 ||
	       type == ACPI_IVRS_TYPE_IVHD_40;
}

/* The highest IVHD type the table lists for the IOMMU at `base`. */
static uint8_t best_type(const struct acpi_ivrs *ivrs, uint64_t base)
{
	struct acpi_iter it = ivrs->blocks;
	struct acpi_ivrs_block b;
	uint8_t best = 0;

	while (acpi_ivrs_next(&it, &b))
		if (b.is_ivhd && ivhd_type(b.type) && b.iommu_base == base && b.type > best)
			best = b.type;
	return best;
}

static void add_entry(struct amdvi_ivrs *out, const struct acpi_ivhd_entry *e)
{
	struct amdvi_ivrs_devices *d;

	if (out->entry_count == AMDVI_IVRS_MAX_ENTRIES) {
		out->truncated = true;
		return;
	}
	d = &out->entries[out->entry_count++];
	memset(d, 0, sizeof(*d));
	d->first = e->first;
	d->last = e->last;
	d->data = e->data;
	d->aliased =
	        e->kind == ACPI_IVHD_KIND_ALIAS_SELECT || e->kind == ACPI_IVHD_KIND_ALIAS_RANGE;
	d->alias = d->aliased ? e->source_id : 0;
	d->special = e->kind == ACPI_IVHD_KIND_SPECIAL;
	d->variety = e->variety;
	d->handle = e->handle;
}

/* Every entry but padding and reserved types names DeviceIDs (an ACPI HID device its own). */
static bool names_devices(enum acpi_ivhd_kind k)
{
	return k != ACPI_IVHD_KIND_PAD && k != ACPI_IVHD_KIND_UNKNOWN;
}

static void add_unit(struct amdvi_ivrs *out, const struct acpi_ivrs_block *b)
{
	struct amdvi_ivrs_unit *v;
	struct acpi_iter it = b->entries;
	struct acpi_ivhd_entry e;

	if (out->unit_count == AMDVI_IVRS_MAX_UNITS) {
		out->truncated = true;
		return;
	}
	v = &out->units[out->unit_count++];
	v->base = b->iommu_base;
	v->segment = b->segment;
	v->devid = b->device_id;
	v->type = b->type;
	v->flags = b->flags;
	v->efr_image = b->type == ACPI_IVRS_TYPE_IVHD_10 ? 0 : b->efr_image;
	v->entry_first = out->entry_count;
	while (acpi_ivhd_next(&it, &e))
		if (names_devices(e.kind))
			add_entry(out, &e);
	v->entry_count = (uint16_t)(out->entry_count - v->entry_first);
}

static void add_ivmd(struct amdvi_ivrs *out, const struct acpi_ivrs_block *b)
{
	struct amdvi_ivmd *m;

	if (out->ivmd_count == AMDVI_IVRS_MAX_IVMDS) {
		out->truncated = true;
		return;
	}
	m = &out->ivmds[out->ivmd_count++];
	m->type = b->type;
	m->flags = b->flags;
	m->first = b->type == ACPI_IVRS_TYPE_IVMD_ALL ? 0 : b->device_id;
	m->last = b->last_device_id;
	m->start = b->start;
	m->length = b->mem_length;
}

enum amdvi_status amdvi_ivrs_collect(const struct acpi_ivrs *ivrs, struct amdvi_ivrs *out)
{
	struct acpi_iter it;
	struct acpi_ivrs_block b;

	if (ivrs == NULL || out == NULL)
		return AMDVI_E_ARG;
	memset(out, 0, sizeof(*out));
	out->iv_info = ivrs->iv_info;
	it = ivrs->blocks;
	while (acpi_ivrs_next(&it, &b)) {
		if (b.is_ivhd && ivhd_type(b.type) && b.type == best_type(ivrs, b.iommu_base))
			add_unit(out, &b);
		else if (b.is_ivmd)
			add_ivmd(out, &b);
	}
	return AMDVI_OK;
}

int amdvi_ivrs_unit_for(const struct amdvi_ivrs *ivrs, uint16_t seg, uint16_t devid)
{
	for (unsigned u = 0; u < ivrs->unit_count; u++) {
		const struct amdvi_ivrs_unit *v = &ivrs->units[u];

		if (v->segment != seg)
			continue;
		for (unsigned i = 0; i < v->entry_count; i++) {
			const struct amdvi_ivrs_devices *d = &ivrs->entries[v->entry_first + i];

			if (devid >= d->first && devid <= d->last)
				return (int)u;
		}
	}
	return -1;
}

int amdvi_ivrs_unit_at(const struct amdvi_ivrs *ivrs, uint64_t base)
{
	for (unsigned u = 0; u < ivrs->unit_count; u++)
		if (ivrs->units[u].base == base)
			return (int)u;
	return -1;
}

uint16_t amdvi_ivrs_alias(const struct amdvi_ivrs *ivrs, uint16_t seg, uint16_t devid)
{
	int u = amdvi_ivrs_unit_for(ivrs, seg, devid);

	if (u < 0)
		return devid;
	for (unsigned i = 0; i < ivrs->units[u].entry_count; i++) {
		const struct amdvi_ivrs_devices *d = &ivrs->entries[ivrs->units[u].entry_first + i];

		if (d->aliased && devid >= d->first && devid <= d->last)
			return d->alias;
	}
	return devid;
}

size_t amdvi_ivrs_ivmds_for(const struct amdvi_ivrs *ivrs, uint16_t devid,
                            const struct amdvi_ivmd **out, size_t cap)
{
	size_t n = 0;

	for (unsigned i = 0; i < ivrs->ivmd_count; i++) {
		const struct amdvi_ivmd *m = &ivrs->ivmds[i];

		if (devid < m->first || devid > m->last)
			continue;
		if (n < cap)
			out[n] = m;
		n++;
	}
	return n;
}

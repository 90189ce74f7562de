/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IVRS (AMD I/O Virtualization Technology (IOMMU) Specification 48882,
 * section 5.2 "ACPI Tables"): validation and decoding of the IVHD blocks
 * (types 10h, 11h, 40h) with their device entries, and of the IVMD blocks
 * (20h, 21h, 22h). Unknown block types are skipped by length; unknown
 * 4- and 8-byte device entry types are skipped, but an unknown entry type
 * from 80h up has no known length and makes the table invalid.
 */
#include "acpi_internal.h"

#define ACPI_PAGE_MASK 0xfffull

static bool acpi_ivrs_is_ivhd(uint8_t type)
{
	return type == ACPI_IVRS_TYPE_IVHD_10 || type == ACPI_IVRS_TYPE_IVHD_11 ||
	       type == ACPI_IVRS_TYPE_IVHD_40;
}

static bool acpi_ivrs_is_ivmd(uint8_t type)
{
	return type == ACPI_IVRS_TYPE_IVMD_ALL || type == ACPI_IVRS_TYPE_IVMD_SELECT ||
	       type == ACPI_IVRS_TYPE_IVMD_RANGE;
}

/* Returns the fixed size of a block of `type`, 0 if unknown. */
static uint16_t acpi_ivrs_min_length(uint8_t type)
{
	if (type == ACPI_IVRS_TYPE_IVHD_10)
		return sizeof(struct acpi_raw_ivhd_10);
	if (acpi_ivrs_is_ivhd(type))
		return sizeof(struct acpi_raw_ivhd_11);
	if (acpi_ivrs_is_ivmd(type))
		return sizeof(struct acpi_raw_ivmd);
	return 0;
}

/* Stores in *len the length of the device entry at off (< end). Returns
 * ACPI_OK, ACPI_E_IVHD_ENTRY_TYPE for a type of unknown length, or
 * ACPI_E_IVHD_ENTRY_OVERRUN if the entry crosses `end`. */
static enum acpi_status acpi_ivhd_entry_length(const uint8_t *base, uint32_t off, uint32_t end,
                                               uint32_t *len)
{
	uint8_t type = base[off];
	struct acpi_raw_ivhd_hid hid;

	if (type <= ACPI_IVHD_LEN4_LAST) {
		*len = sizeof(struct acpi_raw_ivhd_dev4);
	} else if (type <= ACPI_IVHD_LEN8_LAST) {
		*len = sizeof(struct acpi_raw_ivhd_dev8);
	} else if (type == ACPI_IVHD_HID) {
		if (!acpi_fits(off, sizeof(hid), end))
			return ACPI_E_IVHD_ENTRY_OVERRUN;
		memcpy(&hid, base + off, sizeof(hid));
		*len = sizeof(hid) + hid.uid_length;
	} else {
		return ACPI_E_IVHD_ENTRY_TYPE;
	}
	return acpi_fits(off, *len, end) ? ACPI_OK : ACPI_E_IVHD_ENTRY_OVERRUN;
}

/* Joins the range start *e (ending at base + off) with the 04h entry that
 * must follow it before `end`. */
static enum acpi_status acpi_ivhd_join_range(const uint8_t *base, uint32_t off, uint32_t end,
                                             struct acpi_ivhd_entry *e)
{
	struct acpi_raw_ivhd_dev4 r;
	uint32_t len;

	if (off >= end)
		return ACPI_E_IVHD_RANGE;
	enum acpi_status st = acpi_ivhd_entry_length(base, off, end, &len);
	if (st != ACPI_OK)
		return st;
	memcpy(&r, base + off, sizeof(r));
	if (r.type != ACPI_IVHD_END || r.device_id < e->first)
		return ACPI_E_IVHD_RANGE;
	e->last = r.device_id;
	e->length = (uint16_t)(e->length + len);
	return ACPI_OK;
}

/* Fills the kind and type-specific fields of *e from the entry at p. */
static void acpi_ivhd_decode(const uint8_t *p, struct acpi_ivhd_entry *e)
{
	struct acpi_raw_ivhd_dev8 d = {0};
	struct acpi_raw_ivhd_hid h;

	if (e->length >= sizeof(d))
		memcpy(&d, p, sizeof(d));
	switch (e->type) {
	case ACPI_IVHD_PAD4:
	case ACPI_IVHD_PAD8:
		e->kind = ACPI_IVHD_KIND_PAD;
		break;
	case ACPI_IVHD_ALL:
		e->kind = ACPI_IVHD_KIND_ALL;
		e->first = 0;
		e->last = 0xffff;
		break;
	case ACPI_IVHD_SELECT:
		e->kind = ACPI_IVHD_KIND_SELECT;
		break;
	case ACPI_IVHD_START:
		e->kind = ACPI_IVHD_KIND_RANGE;
		break;
	case ACPI_IVHD_ALIAS_SELECT:
	case ACPI_IVHD_ALIAS_START:
		e->kind = e->type == ACPI_IVHD_ALIAS_SELECT ? ACPI_IVHD_KIND_ALIAS_SELECT
		                                            : ACPI_IVHD_KIND_ALIAS_RANGE;
		e->source_id = d.u.alias.source_id;
		break;
	case ACPI_IVHD_EXT_SELECT:
	case ACPI_IVHD_EXT_START:
		e->kind = e->type == ACPI_IVHD_EXT_SELECT ? ACPI_IVHD_KIND_EXT_SELECT
		                                          : ACPI_IVHD_KIND_EXT_RANGE;
		e->ext_data = d.u.ext_data;
		break;
	case ACPI_IVHD_SPECIAL:
		e->kind = ACPI_IVHD_KIND_SPECIAL;
		e->handle = d.u.special.handle;
		e->source_id = d.u.special.source_id;
		e->variety = d.u.special.variety;
		e->first = e->last = e->source_id;
		break;
	case ACPI_IVHD_HID:
		memcpy(&h, p, sizeof(h));
		e->kind = ACPI_IVHD_KIND_HID;
		memcpy(e->hid, h.hid, sizeof(h.hid));
		memcpy(e->cid, h.cid, sizeof(h.cid));
		e->uid_format = h.uid_format;
		e->uid_length = h.uid_length;
		e->uid = p + sizeof(h);
		break;
	default:
		e->kind = ACPI_IVHD_KIND_UNKNOWN;
		break;
	}
}

/* Decodes the device entry at off (< end), joined with its end entry if
 * it starts a range. Returns ACPI_OK with *e filled; *e unchanged on error. */
static enum acpi_status acpi_ivhd_read(const uint8_t *base, uint32_t off, uint32_t end,
                                       struct acpi_ivhd_entry *e)
{
	struct acpi_raw_ivhd_dev4 r;
	uint32_t len;
	enum acpi_status st = acpi_ivhd_entry_length(base, off, end, &len);

	if (st != ACPI_OK)
		return st;
	memcpy(&r, base + off, sizeof(r));
	struct acpi_ivhd_entry x = {
	        .type = r.type,
	        .length = (uint16_t)len,
	        .offset = off,
	        .first = r.device_id,
	        .last = r.device_id,
	        .data = r.data,
	};
	if (r.type == ACPI_IVHD_END)
		return ACPI_E_IVHD_RANGE; /* an end entry without its start */
	acpi_ivhd_decode(base + off, &x);
	if (r.type == ACPI_IVHD_START || r.type == ACPI_IVHD_ALIAS_START ||
	    r.type == ACPI_IVHD_EXT_START) {
		st = acpi_ivhd_join_range(base, off + len, end, &x);
		if (st != ACPI_OK)
			return st;
	}
	*e = x;
	return ACPI_OK;
}

/* Checks an IVHD block at off (inside the table): header size, IOMMU base
 * and every device entry. On error stores the offending offset in *bad. */
static enum acpi_status acpi_ivhd_check(const uint8_t *base, uint32_t off, uint16_t length,
                                        uint32_t *bad)
{
	struct acpi_raw_ivhd_10 h;
	struct acpi_ivhd_entry e;
	uint32_t end = off + length;

	*bad = off;
	memcpy(&h, base + off, sizeof(h));
	if (h.iommu_base == 0 || (h.iommu_base & ACPI_PAGE_MASK) != 0)
		return ACPI_E_IVHD_IOMMU_BASE;
	for (uint32_t p = off + acpi_ivrs_min_length(h.type); p < end; p += e.length) {
		enum acpi_status st = acpi_ivhd_read(base, p, end, &e);
		if (st != ACPI_OK) {
			*bad = p;
			return st;
		}
	}
	return ACPI_OK;
}

/* Checks an IVMD block at off: its address range must not wrap and a
 * device range must not be reversed. */
static enum acpi_status acpi_ivmd_check(const uint8_t *base, uint32_t off)
{
	struct acpi_raw_ivmd m;

	memcpy(&m, base + off, sizeof(m));
	if (m.mem_length != 0 && m.mem_length - 1 > UINT64_MAX - m.start)
		return ACPI_E_IVMD_RANGE;
	if (m.type == ACPI_IVRS_TYPE_IVMD_RANGE && m.aux_data < m.device_id)
		return ACPI_E_IVMD_RANGE;
	return ACPI_OK;
}

/* Checks the block at off whose header `sub` is known to fit the table. */
static enum acpi_status acpi_ivrs_check_block(const uint8_t *base, uint32_t off,
                                              const struct acpi_sub *sub, uint32_t *bad)
{
	uint16_t min = acpi_ivrs_min_length((uint8_t)sub->type);

	*bad = off;
	if (min && sub->length < min)
		return ACPI_E_SUB_LENGTH;
	if (acpi_ivrs_is_ivhd((uint8_t)sub->type))
		return acpi_ivhd_check(base, off, sub->length, bad);
	if (acpi_ivrs_is_ivmd((uint8_t)sub->type))
		return acpi_ivmd_check(base, off);
	return ACPI_OK;
}

enum acpi_status acpi_ivrs_parse(const struct acpi_table *t, struct acpi_ivrs *out,
                                 uint32_t *err_off)
{
	struct acpi_raw_ivrs r;
	struct acpi_sub sub;
	uint32_t bad;

	if (!t || !out)
		return ACPI_E_ARG;
	if (!acpi_table_is(t, "IVRS"))
		return acpi_fail(err_off, 0, ACPI_E_SIGNATURE);
	if (t->length < sizeof(r))
		return acpi_fail(err_off, 0, ACPI_E_TABLE_LENGTH);
	memcpy(&r, t->data, sizeof(r));
	for (uint32_t off = sizeof(r); off < t->length; off += sub.length) {
		enum acpi_status st = acpi_sub_read(t->data, off, t->length, ACPI_SUB_IVRS, &sub);
		if (st != ACPI_OK)
			return acpi_fail(err_off, off, st);
		st = acpi_ivrs_check_block(t->data, off, &sub, &bad);
		if (st != ACPI_OK)
			return acpi_fail(err_off, bad, st);
	}
	out->iv_info = r.iv_info;
	acpi_iter_init(&out->blocks, t->data, sizeof(r), t->length);
	return ACPI_OK;
}

/* Fills the type-specific fields of *b from the known block at p. */
static void acpi_ivrs_decode(const uint8_t *p, struct acpi_ivrs_block *b)
{
	if (b->is_ivhd) {
		struct acpi_raw_ivhd_11 h = {0};
		memcpy(&h, p, acpi_ivrs_min_length(b->type));
		b->device_id = h.device_id;
		b->capability_offset = h.capability_offset;
		b->iommu_base = h.iommu_base;
		b->segment = h.segment;
		b->iommu_info = h.iommu_info;
		b->features = h.iommu_attributes; /* feature reporting for 10h */
		b->efr_image = h.efr_image;
		b->efr2_image = h.efr2_image;
	} else if (b->is_ivmd) {
		struct acpi_raw_ivmd m;
		memcpy(&m, p, sizeof(m));
		b->device_id = m.device_id;
		b->last_device_id = m.device_id;
		if (b->type == ACPI_IVRS_TYPE_IVMD_RANGE)
			b->last_device_id = m.aux_data;
		if (b->type == ACPI_IVRS_TYPE_IVMD_ALL)
			b->last_device_id = 0xffff;
		b->start = m.start;
		b->mem_length = m.mem_length;
	}
}

bool acpi_ivrs_next(struct acpi_iter *it, struct acpi_ivrs_block *b)
{
	struct acpi_sub sub;
	uint32_t bad;

	if (!it || !b || it->off >= it->end)
		return false;
	if (acpi_sub_read(it->base, it->off, it->end, ACPI_SUB_IVRS, &sub) != ACPI_OK)
		return false;
	if (acpi_ivrs_check_block(it->base, it->off, &sub, &bad) != ACPI_OK)
		return false;
	struct acpi_ivrs_block x = {
	        .type = (uint8_t)sub.type,
	        .flags = it->base[it->off + offsetof(struct acpi_raw_ivrs_block, flags)],
	        .length = sub.length,
	        .offset = it->off,
	        .known = acpi_ivrs_min_length((uint8_t)sub.type) != 0,
	        .is_ivhd = acpi_ivrs_is_ivhd((uint8_t)sub.type),
	        .is_ivmd = acpi_ivrs_is_ivmd((uint8_t)sub.type),
	};
	acpi_ivrs_decode(it->base + it->off, &x);
	uint32_t end = it->off + sub.length;
	uint32_t start = x.is_ivhd ? it->off + acpi_ivrs_min_length(x.type) : end;
	acpi_iter_init(&x.entries, it->base, start, end);
	*b = x;
	it->off = end;
	return true;
}

bool acpi_ivhd_next(struct acpi_iter *it, struct acpi_ivhd_entry *e)
{
	struct acpi_ivhd_entry x;

	if (!it || !e || it->off >= it->end)
		return false;
	if (acpi_ivhd_read(it->base, it->off, it->end, &x) != ACPI_OK)
		return false;
	*e = x;
	it->off += x.length;
	return true;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * DMAR (Intel VT-d Architecture Specification, chapter 8 "BIOS
 * Considerations"): validation and decoding of the remapping structures
 * (DRHD 8.3, RMRR 8.4, ATSR 8.5, RHSA 8.6, ANDD 8.7, SATC 8.8, SIDP) and
 * of their device scopes (8.3.1). Unknown structure types are skipped by
 * length.
 */
#include "acpi_internal.h"

#define ACPI_PAGE_MASK 0xfffull

/* Returns the defined size of remapping structure `type`, 0 if unknown. */
static uint16_t acpi_dmar_min_length(uint16_t type)
{
	switch (type) {
	case ACPI_DMAR_TYPE_DRHD:
		return sizeof(struct acpi_raw_dmar_drhd);
	case ACPI_DMAR_TYPE_RMRR:
		return sizeof(struct acpi_raw_dmar_rmrr);
	case ACPI_DMAR_TYPE_ATSR:
	case ACPI_DMAR_TYPE_SATC:
		return sizeof(struct acpi_raw_dmar_atsr);
	case ACPI_DMAR_TYPE_RHSA:
		return sizeof(struct acpi_raw_dmar_rhsa);
	case ACPI_DMAR_TYPE_ANDD:
		return sizeof(struct acpi_raw_dmar_andd);
	case ACPI_DMAR_TYPE_SIDP:
		return sizeof(struct acpi_raw_dmar_sidp);
	default:
		return 0;
	}
}

/* Returns where the device scopes of a `type` structure start, 0 if it has
 * none. */
static uint16_t acpi_dmar_scope_start(uint16_t type)
{
	switch (type) {
	case ACPI_DMAR_TYPE_DRHD:
	case ACPI_DMAR_TYPE_RMRR:
	case ACPI_DMAR_TYPE_ATSR:
	case ACPI_DMAR_TYPE_SATC:
	case ACPI_DMAR_TYPE_SIDP:
		return acpi_dmar_min_length(type);
	default:
		return 0;
	}
}

/* Reads the device scope header at off (< end). Returns ACPI_OK with *s
 * filled if the scope is well formed and inside [off, end); *s is
 * unchanged on error. */
static enum acpi_status acpi_dmar_scope_read(const uint8_t *base, uint32_t off, uint32_t end,
                                             struct acpi_raw_dmar_scope *s)
{
	struct acpi_raw_dmar_scope r;
	const uint32_t min = sizeof(r) + sizeof(struct acpi_raw_dmar_path);

	if (!acpi_fits(off, sizeof(r), end))
		return ACPI_E_SCOPE_OVERRUN;
	memcpy(&r, base + off, sizeof(r));
	if (r.length < min || (r.length - sizeof(r)) % sizeof(struct acpi_raw_dmar_path) != 0)
		return ACPI_E_SCOPE_LENGTH;
	if (!acpi_fits(off, r.length, end))
		return ACPI_E_SCOPE_OVERRUN;
	*s = r;
	return ACPI_OK;
}

/* Checks every device scope in [off, end); on error stores the offending
 * scope's offset in *bad. */
static enum acpi_status acpi_dmar_check_scopes(const uint8_t *base, uint32_t off, uint32_t end,
                                               uint32_t *bad)
{
	struct acpi_raw_dmar_scope s;

	for (; off < end; off += s.length) {
		enum acpi_status st = acpi_dmar_scope_read(base, off, end, &s);
		if (st != ACPI_OK) {
			*bad = off;
			return st;
		}
	}
	return ACPI_OK;
}

/* Checks the fields of the remapping structure at off (already known to
 * lie inside the table) and its scopes. */
static enum acpi_status acpi_dmar_check_unit(const uint8_t *base, uint32_t off,
                                             const struct acpi_sub *sub, uint32_t *bad)
{
	uint16_t min = acpi_dmar_min_length(sub->type);
	uint16_t scopes = acpi_dmar_scope_start(sub->type);

	*bad = off;
	if (min && sub->length < min)
		return ACPI_E_SUB_LENGTH;
	if (sub->type == ACPI_DMAR_TYPE_DRHD || sub->type == ACPI_DMAR_TYPE_RHSA) {
		struct acpi_raw_dmar_drhd d;
		struct acpi_raw_dmar_rhsa r;
		uint64_t reg;
		if (sub->type == ACPI_DMAR_TYPE_DRHD) {
			memcpy(&d, base + off, sizeof(d));
			reg = d.register_base;
		} else {
			memcpy(&r, base + off, sizeof(r));
			reg = r.register_base;
		}
		if (reg == 0 || (reg & ACPI_PAGE_MASK) != 0)
			return ACPI_E_DMAR_REGISTER_BASE;
	} else if (sub->type == ACPI_DMAR_TYPE_RMRR) {
		struct acpi_raw_dmar_rmrr r;
		memcpy(&r, base + off, sizeof(r));
		if (r.limit < r.base)
			return ACPI_E_DMAR_RMRR_RANGE;
	}
	if (!scopes)
		return ACPI_OK;
	return acpi_dmar_check_scopes(base, off + scopes, off + sub->length, bad);
}

enum acpi_status acpi_dmar_parse(const struct acpi_table *t, struct acpi_dmar *out,
                                 uint32_t *err_off)
{
	struct acpi_raw_dmar d;
	struct acpi_sub sub;
	uint32_t bad;

	if (!t || !out)
		return ACPI_E_ARG;
	if (!acpi_table_is(t, "DMAR"))
		return acpi_fail(err_off, 0, ACPI_E_SIGNATURE);
	if (t->length < sizeof(d))
		return acpi_fail(err_off, 0, ACPI_E_TABLE_LENGTH);
	memcpy(&d, t->data, sizeof(d));
	for (uint32_t off = sizeof(d); off < t->length; off += sub.length) {
		enum acpi_status st = acpi_sub_read(t->data, off, t->length, ACPI_SUB_DMAR, &sub);
		if (st != ACPI_OK)
			return acpi_fail(err_off, off, st);
		st = acpi_dmar_check_unit(t->data, off, &sub, &bad);
		if (st != ACPI_OK)
			return acpi_fail(err_off, bad, st);
	}
	out->host_address_width = (uint8_t)(d.host_address_width + 1);
	out->flags = d.flags;
	acpi_iter_init(&out->units, t->data, sizeof(d), t->length);
	return ACPI_OK;
}

/* Fills the type-specific fields of *u from the structure at p, whose
 * defined size is readable. */
static void acpi_dmar_decode(const uint8_t *p, struct acpi_dmar_unit *u)
{
	if (u->type == ACPI_DMAR_TYPE_DRHD) {
		struct acpi_raw_dmar_drhd r;
		memcpy(&r, p, sizeof(r));
		u->flags = r.flags;
		u->size = r.size;
		u->segment = r.segment;
		u->base = r.register_base;
	} else if (u->type == ACPI_DMAR_TYPE_RMRR) {
		struct acpi_raw_dmar_rmrr r;
		memcpy(&r, p, sizeof(r));
		u->segment = r.segment;
		u->base = r.base;
		u->limit = r.limit;
	} else if (u->type == ACPI_DMAR_TYPE_ATSR || u->type == ACPI_DMAR_TYPE_SATC) {
		struct acpi_raw_dmar_atsr r;
		memcpy(&r, p, sizeof(r));
		u->flags = r.flags;
		u->segment = r.segment;
	} else if (u->type == ACPI_DMAR_TYPE_SIDP) {
		struct acpi_raw_dmar_sidp r;
		memcpy(&r, p, sizeof(r));
		u->segment = r.segment;
	} else if (u->type == ACPI_DMAR_TYPE_RHSA) {
		struct acpi_raw_dmar_rhsa r;
		memcpy(&r, p, sizeof(r));
		u->base = r.register_base;
		u->proximity_domain = r.proximity_domain;
	} else if (u->type == ACPI_DMAR_TYPE_ANDD) {
		struct acpi_raw_dmar_andd r;
		memcpy(&r, p, sizeof(r));
		u->acpi_device_number = r.acpi_device_number;
		u->name = (const char *)p + sizeof(r);
		u->name_len = 0;
		while (u->name_len < u->length - sizeof(r) && u->name[u->name_len] != '\0')
			u->name_len++;
	}
}

bool acpi_dmar_next(struct acpi_iter *it, struct acpi_dmar_unit *u)
{
	struct acpi_sub sub;
	uint32_t bad;

	if (!it || !u || it->off >= it->end)
		return false;
	if (acpi_sub_read(it->base, it->off, it->end, ACPI_SUB_DMAR, &sub) != ACPI_OK)
		return false;
	if (acpi_dmar_check_unit(it->base, it->off, &sub, &bad) != ACPI_OK)
		return false;
	struct acpi_dmar_unit x = {
	        .type = sub.type,
	        .length = sub.length,
	        .offset = it->off,
	        .known = acpi_dmar_min_length(sub.type) != 0,
	};
	acpi_dmar_decode(it->base + it->off, &x);
	uint16_t scopes = acpi_dmar_scope_start(sub.type);
	uint32_t end = it->off + sub.length;
	acpi_iter_init(&x.scopes, it->base, scopes ? it->off + scopes : end, end);
	*u = x;
	it->off = end;
	return true;
}

bool acpi_dmar_scope_next(struct acpi_iter *it, struct acpi_dmar_scope *s)
{
	struct acpi_raw_dmar_scope r;
	struct acpi_raw_dmar_path hop;

	if (!it || !s || it->off >= it->end)
		return false;
	if (acpi_dmar_scope_read(it->base, it->off, it->end, &r) != ACPI_OK)
		return false;
	s->type = r.type;
	s->length = r.length;
	s->offset = it->off;
	s->enumeration_id = r.enumeration_id;
	s->start_bus = r.start_bus;
	s->path_len = (uint8_t)((r.length - sizeof(r)) / sizeof(hop));
	for (uint8_t i = 0; i < s->path_len; i++) {
		memcpy(&hop, it->base + it->off + sizeof(r) + i * sizeof(hop), sizeof(hop));
		s->path[i] = (struct acpi_pci_hop){hop.device, hop.function};
	}
	it->off += r.length;
	return true;
}

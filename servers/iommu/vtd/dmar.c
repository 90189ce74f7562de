/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The DMAR table (§8) as the backend uses it: which unit translates which
 * requester, and which reserved memory (RMRR) a device must keep reaching
 * in every domain it joins. libs/acpi validated the table; this file
 * copies what matters into fixed arrays (no allocation) and answers
 * questions about requesters.
 *
 * A device scope names a device by a path from a start bus: every hop but
 * the last is a bridge whose secondary bus holds the next hop (§8.3.1).
 * Bus numbers are firmware's choice, so paths are resolved through the
 * caller (the PCI server's table), never cached. A unit whose scopes name
 * a device translates it; otherwise the segment's INCLUDE_PCI_ALL unit
 * does (§8.3).
 */
#include <string.h>

#include <acpi.h>

#include "vtd.h"

static void collect_scopes(struct vtd_dmar *out, struct acpi_iter it, uint16_t *first,
                           uint16_t *count)
{
	struct acpi_dmar_scope s;

	*first = out->scope_count;
	*count = 0;
	while (acpi_dmar_scope_next(&it, &s)) {
		struct vtd_scope *v;

		if (out->scope_count == VTD_DMAR_MAX_SCOPES || s.path_len == 0 ||
		    s.path_len > VTD_DMAR_MAX_PATH) {
			out->truncated = true;
			continue;
		}
		v = &out->scopes[out->scope_count++];
		v->type = s.type;
		v->enumeration_id = s.enumeration_id;
		v->start_bus = s.start_bus;
		v->path_len = s.path_len;
		for (unsigned i = 0; i < s.path_len; i++)
			v->path[i] = VTD_DEVFN(s.path[i].device, s.path[i].function);
		(*count)++;
	}
}

static void add_unit(struct vtd_dmar *out, const struct acpi_dmar_unit *u)
{
	struct vtd_dmar_unit *v;

	if (out->unit_count == VTD_DMAR_MAX_UNITS) {
		out->truncated = true;
		return;
	}
	v = &out->units[out->unit_count++];
	v->base = u->base;
	v->segment = u->segment;
	v->flags = u->flags;
	v->size = u->size;
	collect_scopes(out, u->scopes, &v->scope_first, &v->scope_count);
}

static void add_rmrr(struct vtd_dmar *out, const struct acpi_dmar_unit *u)
{
	struct vtd_rmrr *v;

	if (out->rmrr_count == VTD_DMAR_MAX_RMRRS) {
		out->truncated = true;
		return;
	}
	v = &out->rmrrs[out->rmrr_count++];
	v->base = u->base;
	v->limit = u->limit;
	v->segment = u->segment;
	collect_scopes(out, u->scopes, &v->scope_first, &v->scope_count);
}

enum vtd_status vtd_dmar_collect(const struct acpi_dmar *dmar, struct vtd_dmar *out)
{
	struct acpi_iter it;
	struct acpi_dmar_unit u;

	if (dmar == NULL || out == NULL)
		return VTD_E_ARG;
	memset(out, 0, sizeof(*out));
	out->haw = dmar->host_address_width;
	out->flags = dmar->flags;
	it = dmar->units;
	while (acpi_dmar_next(&it, &u)) {
		if (u.type == ACPI_DMAR_TYPE_DRHD)
			add_unit(out, &u);
		else if (u.type == ACPI_DMAR_TYPE_RMRR)
			add_rmrr(out, &u);
		else if (u.type == ACPI_DMAR_TYPE_ATSR)
			out->atsr_count++;
		else if (u.type == ACPI_DMAR_TYPE_SATC)
			out->satc_count++;
	}
	return VTD_OK;
}

bool vtd_scope_covers(const struct vtd_scope *scope, const struct vtd_bus_ops *ops, uint16_t seg,
                      uint16_t sid)
{
	uint8_t bus = scope->start_bus, secondary, subordinate, devfn;

	if (scope->path_len == 0)
		return false;
	for (unsigned i = 0; i + 1 < scope->path_len; i++) {
		if (ops == NULL || !ops->bridge_buses(ops->ctx, seg, bus, scope->path[i],
		                                      &secondary, &subordinate))
			return false;
		bus = secondary;
	}
	devfn = scope->path[scope->path_len - 1];
	if (VTD_SID(bus, devfn) == sid)
		return true;
	if (scope->type != ACPI_DMAR_SCOPE_BRIDGE || ops == NULL ||
	    !ops->bridge_buses(ops->ctx, seg, bus, devfn, &secondary, &subordinate))
		return false;
	return VTD_SID_BUS(sid) >= secondary && VTD_SID_BUS(sid) <= subordinate;
}

static bool scopes_cover(const struct vtd_dmar *dmar, uint16_t first, uint16_t count,
                         const struct vtd_bus_ops *ops, uint16_t seg, uint16_t sid)
{
	for (uint16_t i = first; i < first + count && i < dmar->scope_count; i++)
		if (vtd_scope_covers(&dmar->scopes[i], ops, seg, sid))
			return true;
	return false;
}

int vtd_dmar_unit_for(const struct vtd_dmar *dmar, const struct vtd_bus_ops *ops, uint16_t seg,
                      uint16_t sid)
{
	int all = -1;

	for (int i = 0; i < dmar->unit_count; i++) {
		const struct vtd_dmar_unit *u = &dmar->units[i];

		if (u->segment != seg)
			continue;
		if (u->flags & ACPI_DMAR_DRHD_INCLUDE_PCI_ALL)
			all = i;
		else if (scopes_cover(dmar, u->scope_first, u->scope_count, ops, seg, sid))
			return i;
	}
	return all;
}

int vtd_dmar_unit_at(const struct vtd_dmar *dmar, uint64_t base)
{
	for (int i = 0; i < dmar->unit_count; i++)
		if (dmar->units[i].base == base)
			return i;
	return -1;
}

size_t vtd_dmar_rmrrs_for(const struct vtd_dmar *dmar, const struct vtd_bus_ops *ops, uint16_t seg,
                          uint16_t sid, const struct vtd_rmrr **out, size_t cap)
{
	size_t n = 0;

	for (int i = 0; i < dmar->rmrr_count; i++) {
		const struct vtd_rmrr *r = &dmar->rmrrs[i];

		if (r->segment != seg ||
		    !scopes_cover(dmar, r->scope_first, r->scope_count, ops, seg, sid))
			continue;
		if (n < cap)
			out[n] = r;
		n++;
	}
	return n;
}

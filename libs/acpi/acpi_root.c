/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Finding the tables: the Root System Description Pointer (ACPI 5.2.5),
 * the RSDT (5.2.7) and XSDT (5.2.8), and the walk over physical memory
 * through the caller's map callback, including the DSDT that the FADT
 * (5.2.9) points to.
 */
#include "acpi_internal.h"

enum acpi_status acpi_rsdp_parse(const void *buf, size_t len, struct acpi_rsdp *out)
{
	struct acpi_raw_rsdp r;
	uint32_t length = ACPI_RSDP_V1_SIZE;

	if (!buf || !out)
		return ACPI_E_ARG;
	if (len < ACPI_RSDP_V1_SIZE)
		return ACPI_E_SHORT_BUFFER;
	memset(&r, 0, sizeof(r));
	memcpy(&r, buf, ACPI_RSDP_V1_SIZE);
	if (memcmp(r.signature, ACPI_RSDP_SIGNATURE, sizeof(r.signature)) != 0)
		return ACPI_E_SIGNATURE;
	if (acpi_sum(buf, ACPI_RSDP_V1_SIZE) != 0)
		return ACPI_E_CHECKSUM;
	if (r.revision >= 2) {
		if (len < ACPI_RSDP_V2_SIZE)
			return ACPI_E_SHORT_BUFFER;
		memcpy(&r, buf, ACPI_RSDP_V2_SIZE);
		if (r.length < ACPI_RSDP_V2_SIZE || r.length > len)
			return ACPI_E_RSDP_LENGTH;
		if (acpi_sum(buf, r.length) != 0)
			return ACPI_E_EXT_CHECKSUM;
		length = r.length;
	}
	out->revision = r.revision;
	acpi_copy_str(out->oem_id, r.oem_id, sizeof(r.oem_id));
	out->rsdt = r.rsdt_address;
	out->xsdt = r.revision >= 2 ? r.xsdt_address : 0;
	out->length = length;
	return ACPI_OK;
}

enum acpi_status acpi_rsdp_find(const void *area, size_t len, size_t *offset)
{
	const uint8_t *p = area;
	struct acpi_rsdp rsdp;

	if (!area || !offset)
		return ACPI_E_ARG;
	for (size_t off = 0; len >= ACPI_RSDP_V1_SIZE && off <= len - ACPI_RSDP_V1_SIZE;
	     off += ACPI_RSDP_ALIGN) {
		if (acpi_rsdp_parse(p + off, len - off, &rsdp) == ACPI_OK) {
			*offset = off;
			return ACPI_OK;
		}
	}
	return ACPI_E_NOT_FOUND;
}

enum acpi_status acpi_root_parse(const struct acpi_table *t, struct acpi_root *out,
                                 uint32_t *err_off)
{
	uint32_t size;

	if (!t || !out)
		return ACPI_E_ARG;
	if (acpi_table_is(t, "RSDT"))
		size = ACPI_RSDT_ENTRY_SIZE;
	else if (acpi_table_is(t, "XSDT"))
		size = ACPI_XSDT_ENTRY_SIZE;
	else
		return acpi_fail(err_off, 0, ACPI_E_SIGNATURE);
	if (t->length < sizeof(struct acpi_raw_header))
		return acpi_fail(err_off, 0, ACPI_E_TABLE_LENGTH);
	uint32_t area = t->length - (uint32_t)sizeof(struct acpi_raw_header);
	if (area % size != 0)
		return acpi_fail(err_off, t->length - area % size, ACPI_E_ROOT_ENTRIES);
	out->table = t;
	out->entry_size = size;
	out->count = area / size;
	return ACPI_OK;
}

uint64_t acpi_root_entry(const struct acpi_root *root, uint32_t index)
{
	uint64_t addr = 0;

	if (!root || index >= root->count)
		return 0;
	memcpy(&addr,
	       root->table->data + sizeof(struct acpi_raw_header) +
	               (size_t)index * root->entry_size,
	       root->entry_size);
	return addr;
}

/* Maps [phys, phys + len) into *p. Returns ACPI_OK, ACPI_E_ADDRESS_OVERFLOW
 * if the range wraps, or ACPI_E_MAP if the callback refused it. */
static enum acpi_status acpi_map_range(const struct acpi_map_ops *ops, uint64_t phys, size_t len,
                                       const uint8_t **p)
{
	if (phys > UINT64_MAX - len)
		return ACPI_E_ADDRESS_OVERFLOW;
	*p = ops->map(ops->ctx, phys, len);
	return *p ? ACPI_OK : ACPI_E_MAP;
}

static void acpi_unmap_range(const struct acpi_map_ops *ops, const uint8_t *p, size_t len)
{
	if (ops->unmap && p)
		ops->unmap(ops->ctx, p, len);
}

enum acpi_status acpi_table_map(const struct acpi_map_ops *ops, uint64_t phys,
                                struct acpi_table *out)
{
	struct acpi_raw_header h;
	struct acpi_table t;
	const uint8_t *p;
	enum acpi_status st;

	if (!ops || !ops->map || !out)
		return ACPI_E_ARG;
	st = acpi_map_range(ops, phys, sizeof(h), &p);
	if (st != ACPI_OK)
		return st;
	memcpy(&h, p, sizeof(h));
	acpi_unmap_range(ops, p, sizeof(h));
	if (h.length < sizeof(h))
		return ACPI_E_TABLE_LENGTH;
	if (h.length > ACPI_TABLE_MAX_LENGTH)
		return ACPI_E_TABLE_TOO_LARGE;
	st = acpi_map_range(ops, phys, h.length, &p);
	if (st != ACPI_OK)
		return st;
	st = acpi_table_check(p, h.length, &t);
	if (st == ACPI_OK && t.length != h.length)
		st = ACPI_E_TABLE_CHANGED;
	if (st != ACPI_OK) {
		acpi_unmap_range(ops, p, h.length);
		return st;
	}
	t.phys = phys;
	*out = t;
	return ACPI_OK;
}

void acpi_table_unmap(const struct acpi_map_ops *ops, const struct acpi_table *t)
{
	if (ops && t)
		acpi_unmap_range(ops, t->data, t->length);
}

/* Longest RSDP acpi_walk() copies; real ones are 36 bytes. */
#define ACPI_RSDP_COPY_MAX 64

/* Copies the `len` bytes at `phys` to dst; returns ACPI_OK or the mapping
 * error. */
static enum acpi_status acpi_copy_phys(const struct acpi_map_ops *ops, uint64_t phys, uint8_t *dst,
                                       size_t len)
{
	const uint8_t *p;
	enum acpi_status st = acpi_map_range(ops, phys, len, &p);

	if (st != ACPI_OK)
		return st;
	memcpy(dst, p, len);
	acpi_unmap_range(ops, p, len);
	return ACPI_OK;
}

/* Copies the RSDP at `phys` (20 bytes, or as many as its 2.0 length field
 * says, up to ACPI_RSDP_COPY_MAX) and validates the copy. */
static enum acpi_status acpi_map_rsdp(const struct acpi_map_ops *ops, uint64_t phys,
                                      struct acpi_rsdp *out)
{
	uint8_t buf[ACPI_RSDP_COPY_MAX];
	struct acpi_raw_rsdp r;
	size_t len = ACPI_RSDP_V1_SIZE;
	enum acpi_status st = acpi_copy_phys(ops, phys, buf, len);

	if (st != ACPI_OK)
		return st;
	if (buf[offsetof(struct acpi_raw_rsdp, revision)] >= 2) {
		len = ACPI_RSDP_V2_SIZE;
		st = acpi_copy_phys(ops, phys, buf, len);
		if (st != ACPI_OK)
			return st;
		memcpy(&r, buf, sizeof(r));
		if (r.length > len && r.length <= sizeof(buf)) {
			len = r.length;
			st = acpi_copy_phys(ops, phys, buf, len);
			if (st != ACPI_OK)
				return st;
		}
	}
	return acpi_rsdp_parse(buf, len, out);
}

/* Maps the root table at `phys` and validates it as an RSDT/XSDT. */
static enum acpi_status acpi_map_root(const struct acpi_map_ops *ops, uint64_t phys,
                                      struct acpi_table *t, struct acpi_root *root)
{
	enum acpi_status st = acpi_table_map(ops, phys, t);

	if (st != ACPI_OK)
		return st;
	st = acpi_root_parse(t, root, NULL);
	if (st != ACPI_OK)
		acpi_table_unmap(ops, t);
	return st;
}

/* Maps the table at `phys` and hands it (or its error) to `visit`; for a
 * FADT, also the DSDT it names. Returns what `visit` returned. */
static bool acpi_visit_table(const struct acpi_map_ops *ops, uint64_t phys, acpi_visit_fn visit,
                             void *arg)
{
	struct acpi_table t;
	struct acpi_fadt fadt;
	enum acpi_status st = acpi_table_map(ops, phys, &t);

	if (st != ACPI_OK)
		return visit(arg, phys, st, NULL);
	bool go = visit(arg, phys, ACPI_OK, &t);
	uint64_t dsdt = 0;
	if (acpi_table_is(&t, "FACP") && acpi_fadt_parse(&t, &fadt, NULL) == ACPI_OK)
		dsdt = fadt.dsdt;
	acpi_table_unmap(ops, &t);
	if (go && dsdt)
		go = acpi_visit_table(ops, dsdt, visit, arg);
	return go;
}

/* Opens the root table: the XSDT if the RSDP names one and it is valid
 * (a bad one is reported to `visit`), else the RSDT. Returns ACPI_OK with
 * the root mapped into *t and *root, or the error of the last root tried;
 * sets *stopped if `visit` asked to stop (nothing is then mapped). */
static enum acpi_status acpi_open_root(const struct acpi_map_ops *ops, const struct acpi_rsdp *rsdp,
                                       acpi_visit_fn visit, void *arg, struct acpi_table *t,
                                       struct acpi_root *root, bool *stopped)
{
	enum acpi_status st = ACPI_E_NOT_FOUND;

	*stopped = false;
	if (rsdp->xsdt) {
		st = acpi_map_root(ops, rsdp->xsdt, t, root);
		if (st == ACPI_OK)
			return st;
		if (!visit(arg, rsdp->xsdt, st, NULL)) {
			*stopped = true;
			return st;
		}
	}
	if (rsdp->rsdt)
		st = acpi_map_root(ops, rsdp->rsdt, t, root);
	return st;
}

enum acpi_status acpi_walk(const struct acpi_map_ops *ops, uint64_t rsdp_phys, acpi_visit_fn visit,
                           void *arg)
{
	struct acpi_rsdp rsdp;
	struct acpi_table t;
	struct acpi_root root;
	enum acpi_status st;
	bool stopped;

	if (!ops || !ops->map || !visit)
		return ACPI_E_ARG;
	st = acpi_map_rsdp(ops, rsdp_phys, &rsdp);
	if (st != ACPI_OK)
		return st;
	st = acpi_open_root(ops, &rsdp, visit, arg, &t, &root, &stopped);
	if (stopped)
		return ACPI_OK;
	if (st != ACPI_OK)
		return st;
	bool go = visit(arg, t.phys, ACPI_OK, &t);
	for (uint32_t i = 0; go && i < root.count; i++) {
		uint64_t phys = acpi_root_entry(&root, i);
		if (phys) /* firmware sometimes leaves null entries; skip them */
			go = acpi_visit_table(ops, phys, visit, arg);
	}
	acpi_table_unmap(ops, &t);
	return ACPI_OK;
}

struct acpi_find_state {
	const char *sig;
	uint32_t instance;
	uint64_t phys;
	bool found;
};

static bool acpi_find_visit(void *arg, uint64_t phys, enum acpi_status status,
                            const struct acpi_table *t)
{
	struct acpi_find_state *s = arg;

	if (status != ACPI_OK || !acpi_table_is(t, s->sig))
		return true;
	if (s->instance-- > 0)
		return true;
	s->phys = phys;
	s->found = true;
	return false;
}

enum acpi_status acpi_find_table(const struct acpi_map_ops *ops, uint64_t rsdp_phys,
                                 const char *sig, uint32_t instance, struct acpi_table *out)
{
	struct acpi_find_state s = {.sig = sig, .instance = instance};
	enum acpi_status st;

	if (!sig || !out)
		return ACPI_E_ARG;
	st = acpi_walk(ops, rsdp_phys, acpi_find_visit, &s);
	if (st != ACPI_OK)
		return st;
	if (!s.found)
		return ACPI_E_NOT_FOUND;
	return acpi_table_map(ops, s.phys, out);
}

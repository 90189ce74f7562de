/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decodes the system manifest's boot module (include/ward/manifest.h). The
 * module comes from whoever built the boot image, so nothing in it is
 * trusted: the header's sizes and offsets are checked against the
 * module's length (in 64-bit arithmetic, so no sum wraps), every record is
 * copied out with memcpy (no alignment assumed), every string offset must
 * fall inside the string table, whose last byte must be a NUL, and every
 * index (a VF's PF, a grant's device or SERVE grant, a program's grants)
 * must name a record of the right kind. What the records say is then
 * checked for what the root task relies on later: names that fit the
 * start information, no name twice, a device owned by one program only.
 * tests/unit/fuzz_manifest.c runs this under libFuzzer.
 */
#include <string.h>
#include <ward/bootinfo.h>
#include <ward/startinfo.h>
#include "manifest.h"

#define MAX_PRIORITY   254
#define MAX_MEMORY_MIB 256
#define SOURCE_LEN     128 /* the manifest's file name, for reports */

struct decoder {
	const uint8_t *data;
	size_t size;
	struct ward_manifest_header h;
	const char *why;
	size_t offset;
};

static int fail(struct decoder *d, const char *why, size_t offset)
{
	d->why = why;
	d->offset = offset;
	return -1;
}

/* Whether [offset, offset + count * size) lies inside the module, after the header. */
static int section_fits(const struct decoder *d, uint64_t offset, uint64_t count, uint64_t size)
{
	return offset >= sizeof(d->h) && offset <= d->size && count * size <= d->size - offset;
}

/* The string at `at`, or NULL if it does not lie in the table or is not shorter than limit. */
static const char *string_at(const struct decoder *d, uint32_t at, size_t limit)
{
	const char *s;

	if (at >= d->h.strings_size)
		return NULL;
	s = (const char *)d->data + d->h.strings + at;
	return strnlen(s, limit) < limit ? s : NULL;
}

static int decode_header(struct decoder *d)
{
	const struct ward_manifest_header *h = &d->h;

	if (d->size < sizeof(*h))
		return fail(d, "shorter than its header", 0);
	memcpy(&d->h, d->data, sizeof(*h));
	if (h->magic != WARD_MANIFEST_MAGIC)
		return fail(d, "not a manifest (bad magic)", 0);
	if (h->version != WARD_MANIFEST_VERSION)
		return fail(d, "a manifest version this root task does not know", 4);
	if (h->header_size != sizeof(*h) || h->total_size != d->size)
		return fail(d, "header or total size does not match the module", 6);
	if (h->program_count > WARD_MANIFEST_MAX_PROGRAMS ||
	    h->device_count > WARD_MANIFEST_MAX_DEVICES ||
	    h->grant_count > WARD_MANIFEST_MAX_GRANTS)
		return fail(d, "more programs, devices or grants than the root task takes", 16);
	if (!section_fits(d, h->programs, h->program_count, sizeof(struct ward_manifest_program)) ||
	    !section_fits(d, h->devices, h->device_count, sizeof(struct ward_manifest_device)) ||
	    !section_fits(d, h->grants, h->grant_count, sizeof(struct ward_manifest_grant)) ||
	    !section_fits(d, h->strings, h->strings_size, 1) || h->strings_size == 0)
		return fail(d, "a section lies outside the module", 24);
	if (d->data[h->strings] != '\0' || d->data[h->strings + h->strings_size - 1] != '\0')
		return fail(d, "the string table does not start and end with a NUL", h->strings);
	return 0;
}

static int decode_device(struct decoder *d, unsigned i, struct manifest_device *out)
{
	struct ward_manifest_device r;
	size_t at = d->h.devices + (size_t)i * sizeof(r);

	memcpy(&r, d->data + at, sizeof(r));
	*out = (struct manifest_device){string_at(d, r.name, WARD_GRANT_NAME_LEN),
	                                r.line,
	                                r.column,
	                                r.match,
	                                r.flags,
	                                r.index,
	                                r.value,
	                                r.mask};
	if (out->name == NULL || out->name[0] == '\0')
		return fail(d, "a device's name is missing or too long", at);
	if (r.flags & ~(WARD_MANIFEST_SRIOV_KNOWN | WARD_MANIFEST_SRIOV))
		return fail(d, "a device has unknown flags", at);
	switch (r.match) {
	case WARD_MANIFEST_MATCH_SBDF:
	case WARD_MANIFEST_MATCH_ID:
		return 0;
	case WARD_MANIFEST_MATCH_CLASS:
		if ((r.mask != 0xff0000 && r.mask != 0xffff00 && r.mask != 0xffffff) ||
		    (r.value & ~r.mask) != 0)
			return fail(d, "a device's class match is malformed", at);
		return 0;
	case WARD_MANIFEST_MATCH_VF:
		if (r.value >= d->h.device_count || r.value == i || r.index == 0)
			return fail(d, "a VF names no PF, or VF 0", at);
		return 0;
	default:
		return fail(d, "a device's match is of no known kind", at);
	}
}

static int decode_grant(struct decoder *d, unsigned i, struct manifest_grant *out)
{
	struct ward_manifest_grant r;
	size_t at = d->h.grants + (size_t)i * sizeof(r);

	memcpy(&r, d->data + at, sizeof(r));
	*out = (struct manifest_grant){string_at(d, r.name, WARD_GRANT_NAME_LEN),
	                               r.kind,
	                               r.flags,
	                               r.target,
	                               r.line,
	                               r.column};
	if (out->name == NULL || out->name[0] == '\0')
		return fail(d, "a grant's name is missing or too long", at);
	if (r.flags & ~(WARD_MANIFEST_WHOLE_GROUP | WARD_MANIFEST_OTHER_DOMAIN))
		return fail(d, "a grant has unknown flags", at);
	if ((r.flags & WARD_MANIFEST_OTHER_DOMAIN) && r.kind != WARD_GRANT_DOMAIN)
		return fail(d, "only a domain grant names another program", at);
	switch (r.kind) {
	case WARD_GRANT_DOMAIN:
		if (r.flags & WARD_MANIFEST_OTHER_DOMAIN)
			return r.target < d->h.program_count
			               ? 0
			               : fail(d, "a grant names no program", at);
		return 0;
	case WARD_GRANT_SERVE:
	case WARD_GRANT_IRQ:
	case WARD_GRANT_IOPORT:
	case WARD_GRANT_ROOT:
		return 0;
	case WARD_GRANT_DEVICE:
	case WARD_GRANT_ASSIGNMENT:
		return r.target < d->h.device_count ? 0 : fail(d, "a grant names no device", at);
	case WARD_GRANT_ENDPOINT:
		return r.target < d->h.grant_count ? 0 : fail(d, "a grant names no endpoint", at);
	default:
		return fail(d, "a grant is of a kind the manifest cannot give", at);
	}
}

static int reserved_name(const char *name)
{
	static const char *const roles[] = {"root", "pci", "iommu", "manifest"};

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(name, roles[i]) == 0)
			return 1;
	return 0;
}

static int decode_program(struct decoder *d, unsigned i, unsigned *next_grant,
                          struct manifest_program *out)
{
	struct ward_manifest_program r;
	size_t at = d->h.programs + (size_t)i * sizeof(r);

	memcpy(&r, d->data + at, sizeof(r));
	*out = (struct manifest_program){string_at(d, r.name, WARD_STARTINFO_NAME_LEN),
	                                 string_at(d, r.module, WARD_MODULE_NAME_LEN),
	                                 string_at(d, r.args, WARD_STARTINFO_ARGS_LEN),
	                                 r.line,
	                                 r.column,
	                                 r.priority,
	                                 r.cpu,
	                                 r.memory_mib,
	                                 r.dma_mib,
	                                 r.grant_first,
	                                 r.grant_count};
	if (out->name == NULL || out->name[0] == '\0' || reserved_name(out->name))
		return fail(d, "a program's name is missing, too long or a role's", at);
	if (out->module == NULL || out->module[0] == '\0' || out->args == NULL)
		return fail(d, "a program's module or arguments are missing or too long", at);
	if (r.priority == 0 || r.priority > MAX_PRIORITY || r.memory_mib == 0 ||
	    r.memory_mib > MAX_MEMORY_MIB)
		return fail(d, "a program's priority or memory is out of range", at);
	/* Grants are laid out program after program, each its own. */
	if (r.grant_first != *next_grant || r.grant_count > WARD_STARTINFO_GRANTS ||
	    (unsigned)r.grant_first + r.grant_count > d->h.grant_count)
		return fail(d, "a program's grants overlap or lie outside the grants", at);
	*next_grant += r.grant_count;
	return 0;
}

/* ENDPOINT grants point at SERVE grants; no name twice; no device owned twice; one console. */
static int check_links(struct decoder *d, const struct manifest *m)
{
	int owner[WARD_MANIFEST_MAX_DEVICES];

	unsigned consoles = 0;

	for (unsigned i = 0; i < m->grant_count; i++) {
		if (m->grants[i].kind == WARD_GRANT_ENDPOINT &&
		    m->grants[m->grants[i].target].kind != WARD_GRANT_SERVE)
			return fail(d, "an endpoint grant names no served endpoint", d->h.grants);
		consoles += m->grants[i].kind == WARD_GRANT_IRQ;
		if (consoles > 1)
			return fail(d, "the console's interrupt is given twice", d->h.grants);
	}
	for (unsigned i = 0; i < m->program_count; i++)
		for (unsigned j = 0; j < i; j++)
			if (strcmp(m->programs[i].name, m->programs[j].name) == 0)
				return fail(d, "two programs have one name", d->h.programs);
	for (unsigned i = 0; i < m->device_count; i++) {
		owner[i] = -1;
		for (unsigned j = 0; j < i; j++)
			if (strcmp(m->devices[i].name, m->devices[j].name) == 0)
				return fail(d, "two devices have one name", d->h.devices);
		if (m->devices[i].match == WARD_MANIFEST_MATCH_VF &&
		    m->devices[m->devices[i].value].match == WARD_MANIFEST_MATCH_VF)
			return fail(d, "a VF's PF is a VF", d->h.devices);
	}
	for (unsigned p = 0; p < m->program_count; p++) {
		const struct manifest_program *pr = &m->programs[p];
		for (unsigned g = pr->grant_first; g < pr->grant_first + pr->grant_count; g++) {
			const struct manifest_grant *gr = &m->grants[g];
			if (gr->kind != WARD_GRANT_DEVICE)
				continue;
			if (owner[gr->target] >= 0)
				return fail(d, "a device is given to two programs", d->h.grants);
			owner[gr->target] = (int)p;
		}
	}
	return 0;
}

int manifest_decode(const void *data, size_t size, struct manifest *m, const char **why,
                    size_t *offset)
{
	struct decoder d = {.data = data, .size = size};
	unsigned next_grant = 0;
	int err = decode_header(&d);

	memset(m, 0, sizeof(*m));
	if (err == 0) {
		m->source = string_at(&d, d.h.source, SOURCE_LEN);
		m->dma_pool_mib = d.h.dma_pool_mib;
		m->program_count = d.h.program_count;
		m->device_count = d.h.device_count;
		m->grant_count = d.h.grant_count;
		if (m->source == NULL)
			err = fail(&d, "the source file name is missing or too long", 12);
	}
	for (unsigned i = 0; err == 0 && i < m->device_count; i++)
		err = decode_device(&d, i, &m->devices[i]);
	for (unsigned i = 0; err == 0 && i < m->grant_count; i++)
		err = decode_grant(&d, i, &m->grants[i]);
	for (unsigned i = 0; err == 0 && i < m->program_count; i++)
		err = decode_program(&d, i, &next_grant, &m->programs[i]);
	if (err == 0 && next_grant != m->grant_count)
		err = fail(&d, "grants that belong to no program", d.h.grants);
	if (err == 0)
		err = check_links(&d, m);
	*why = d.why;
	*offset = d.offset;
	return err;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target for the root task's manifest decoder
 * (servers/root/manifest.c): any bytes at all must be refused or decoded
 * into records whose strings, indexes and grant ranges lie where the root
 * task will follow them; AddressSanitizer catches any read outside the
 * input. tests/unit/meson.build runs it over its corpus
 * (tests/unit/manifest_corpus: compiled manifests and the inputs that
 * once found a fault) and then for a bounded number of runs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ward/startinfo.h>
#include "manifest.h"

static void require(int ok)
{
	if (!ok)
		abort();
}

/* The string lies in the input, and ends there. */
static void inside(const char *s, const uint8_t *data, size_t size)
{
	require(s != NULL && (const uint8_t *)s >= data && (const uint8_t *)s < data + size);
	require(memchr(s, '\0', size - (size_t)((const uint8_t *)s - data)) != NULL);
}

static void check(const struct manifest *m, const uint8_t *data, size_t size)
{
	unsigned grants = 0;

	inside(m->source, data, size);
	for (unsigned i = 0; i < m->device_count; i++) {
		inside(m->devices[i].name, data, size);
		if (m->devices[i].match == WARD_MANIFEST_MATCH_VF)
			require(m->devices[i].value < m->device_count);
	}
	for (unsigned i = 0; i < m->grant_count; i++) {
		const struct manifest_grant *g = &m->grants[i];
		inside(g->name, data, size);
		if (g->kind == WARD_GRANT_DEVICE || g->kind == WARD_GRANT_ASSIGNMENT)
			require(g->target < m->device_count);
		if (g->kind == WARD_GRANT_ENDPOINT)
			require(m->grants[g->target].kind == WARD_GRANT_SERVE);
	}
	for (unsigned i = 0; i < m->program_count; i++) {
		const struct manifest_program *p = &m->programs[i];
		inside(p->name, data, size);
		inside(p->module, data, size);
		inside(p->args, data, size);
		require(p->grant_first == grants && p->grant_count <= WARD_STARTINFO_GRANTS);
		grants += p->grant_count;
	}
	require(grants == m->grant_count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct manifest m;
	const char *why;
	size_t offset;
	/* A copy of exactly `size` bytes, so that ASan sees any read past the end. */
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	if (manifest_decode(copy, size, &m, &why, &offset) == 0)
		check(&m, copy, size);
	else
		require(why != NULL && offset <= size);
	free(copy);
	return 0;
}

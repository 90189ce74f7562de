/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The root task's manifest decoder (servers/root/manifest.c) on manifests
 * tools/manifest-compile made (tests/unit/manifest_corpus/assign.wmf, from
 * tests/qemu/manifest/assign.toml): the records come out as the text
 * wrote them, and each kind of damage to the module is refused with a
 * reason, never read past.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <ward/startinfo.h>
#include "manifest.h"

static uint8_t module[4096];
static size_t module_size;
static struct manifest m;

static int decode(size_t size)
{
	const char *why = NULL;
	size_t offset;
	int err = manifest_decode(module, size, &m, &why, &offset);

	if (err != 0)
		assert_non_null(why);
	return err;
}

static void test_assign_decodes(void **state)
{
	const struct manifest_program *a, *checker;

	(void)state;
	assert_int_equal(decode(module_size), 0);
	assert_string_equal(m.source, "assign.toml");
	assert_int_equal(m.program_count, 3);
	assert_int_equal(m.device_count, 2);
	a = &m.programs[0];
	assert_string_equal(a->name, "owner-a");
	assert_string_equal(a->module, "manifest-owner");
	assert_int_equal(a->line, 16);
	/* SERVE probe, DOMAIN dma, DEVICE edu0. */
	assert_int_equal(a->grant_count, 3);
	assert_int_equal(m.grants[a->grant_first].kind, WARD_GRANT_SERVE);
	assert_int_equal(m.grants[a->grant_first + 1].kind, WARD_GRANT_DOMAIN);
	assert_int_equal(m.grants[a->grant_first + 2].kind, WARD_GRANT_DEVICE);
	assert_string_equal(m.grants[a->grant_first + 2].name, "edu0");
	assert_int_equal(m.devices[m.grants[a->grant_first + 2].target].match,
	                 WARD_MANIFEST_MATCH_ID);
	assert_int_equal(m.devices[0].value, 0x123411e8);
	assert_int_equal(a->memory_mib, 8); /* the default */
	assert_int_equal(m.programs[1].priority, 90);
	/* owner-b's untyped=23 fits only the memory its manifest gives it. */
	assert_string_equal(m.programs[1].args, "untyped=23");
	assert_int_equal(m.programs[1].memory_mib, 16);
	checker = &m.programs[2];
	assert_string_equal(checker->args, "iommu-admin untyped=20");
	/* ASSIGNMENT edu1, ENDPOINT owner-a.probe, ENDPOINT owner-b.probe. */
	assert_int_equal(checker->grant_count, 3);
	assert_int_equal(m.grants[checker->grant_first].kind, WARD_GRANT_ASSIGNMENT);
	assert_int_equal(m.grants[checker->grant_first + 1].kind, WARD_GRANT_ENDPOINT);
	assert_int_equal(m.grants[checker->grant_first + 1].target, a->grant_first);
}

/* Each damage is refused; the module is restored after each. */
static void test_damage_refused(void **state)
{
	static uint8_t saved[sizeof(module)];
	struct ward_manifest_header h;
	struct {
		size_t offset;
		uint32_t value;
		unsigned width;
	} damage[] = {
	        {0, 0x12345678, 4},                      /* magic */
	        {4, 2, 2},                               /* version */
	        {8, 0, 4},                               /* total size */
	        {16, WARD_MANIFEST_MAX_PROGRAMS + 1, 2}, /* program count */
	        {24, 0xfffffff0, 4},                     /* programs offset */
	        {36, 0, 4},                              /* strings offset into the header */
	        {40, 0x7fffffff, 4},                     /* strings size */
	};

	(void)state;
	memcpy(saved, module, module_size);
	for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		memcpy(module + damage[i].offset, &damage[i].value, damage[i].width);
		assert_int_equal(decode(module_size), -1);
		memcpy(module, saved, module_size);
	}
	/* Every truncation, and the string table without its final NUL. */
	for (size_t size = 0; size < module_size; size++)
		assert_int_equal(decode(size), -1);
	memcpy(&h, module, sizeof(h));
	module[module_size - 1] = 'x';
	assert_int_equal(decode(module_size), -1);
	memcpy(module, saved, module_size);
	/* A grant naming a device past the last, and a device given twice. */
	module[h.grants + 4] = (uint8_t)(h.device_count + 1);
	module[h.grants + 2 * 16 + 4] = (uint8_t)h.device_count;
	assert_int_equal(decode(module_size), -1);
	memcpy(module, saved, module_size);
	module[h.grants + (3 + 2) * 16 + 4] = 0; /* owner-b's DEVICE grant names edu0 too */
	assert_int_equal(decode(module_size), -1);
	memcpy(module, saved, module_size);
	assert_int_equal(decode(module_size), 0);
}

/* Grant i's 16-bit field at `at` (0 kind, 2 flags, 4 target), in assign.wmf's grants. */
static void set_grant(unsigned i, unsigned at, uint16_t value)
{
	struct ward_manifest_header h;

	memcpy(&h, module, sizeof(h));
	memcpy(module + h.grants + i * 16 + at, &value, sizeof(value));
}

/*
 * A console monitor's grants (docs/manifest.md): another program's domain
 * names a program that exists and only on a DOMAIN grant; the console's
 * interrupt goes to one program at most. assign.wmf's grants: owner-a
 * SERVE 0, DOMAIN 1, DEVICE 2; owner-b 3-5; checker ASSIGNMENT 6, ENDPOINT
 * 7 and 8.
 */
static void test_monitor_grants_checked(void **state)
{
	static uint8_t saved[sizeof(module)];

	(void)state;
	memcpy(saved, module, module_size);
	set_grant(1, 2, WARD_MANIFEST_OTHER_DOMAIN);
	set_grant(1, 4, 1);
	assert_int_equal(decode(module_size), 0);
	assert_int_equal(m.grants[1].target, 1);
	set_grant(1, 4, 3); /* three programs: 0-2 */
	assert_int_equal(decode(module_size), -1);
	memcpy(module, saved, module_size);
	set_grant(2, 2, WARD_MANIFEST_OTHER_DOMAIN); /* on a DEVICE grant */
	assert_int_equal(decode(module_size), -1);
	memcpy(module, saved, module_size);
	set_grant(6, 0, WARD_GRANT_IRQ);
	assert_int_equal(decode(module_size), 0);
	set_grant(1, 0, WARD_GRANT_IRQ); /* the console's interrupt twice */
	assert_int_equal(decode(module_size), -1);
	memcpy(module, saved, module_size);
	set_grant(6, 0, 9); /* a kind beyond ROOT */
	assert_int_equal(decode(module_size), -1);
	memcpy(module, saved, module_size);
	assert_int_equal(decode(module_size), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_assign_decodes),
	        cmocka_unit_test(test_damage_refused),
	        cmocka_unit_test(test_monitor_grants_checked),
	};
	FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;

	if (f == NULL) {
		fprintf(stderr, "usage: test_manifest_decode assign.wmf\n");
		return 1;
	}
	module_size = fread(module, 1, sizeof(module), f);
	fclose(f);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

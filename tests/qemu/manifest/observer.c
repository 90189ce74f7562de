/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The observer of the manifest-errors scenario (errors.toml): a boot
 * module outside the manifest, so the root task starts it with the
 * servers whatever the manifest says, with its IOMMU authority
 * (`iommu-admin`). The manifest has three errors only the machine shows;
 * the observer waits until the root task has decided, then checks that it
 * refused the manifest, found each error at its line with its problem,
 * started no program, and that every device is still in quarantine and no
 * domain exists (the IOMMU server's QUERY and DUMP).
 */
#include <stdlib.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/manifest.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../iommu/iommu_test.h"
#include "../tap.h"
#include "root.h"

#define MAX_EXPECTED 8

/* The errors the scenario expects: `expect=LINE:COLUMN:PROBLEM,...` among the arguments. */
static struct {
	uint64_t line, column, problem;
} expected[MAX_EXPECTED];
static unsigned expected_count;

static void parse_expected(const char *args)
{
	const char *at = strstr(args, "expect=");
	char *end;

	for (at = at != NULL ? at + 7 : NULL; at != NULL && expected_count < MAX_EXPECTED;) {
		expected[expected_count].line = strtoul(at, &end, 10);
		if (*end != ':')
			break;
		expected[expected_count].column = strtoul(end + 1, &end, 10);
		if (*end != ':')
			break;
		expected[expected_count++].problem = strtoul(end + 1, &end, 10);
		at = *end == ',' ? end + 1 : NULL;
	}
}

static uint64_t wait_decided(uint64_t *errors, uint64_t *programs)
{
	uint64_t state = WARD_MANIFEST_STATE_PENDING;

	for (unsigned i = 0; i < 3000 && state == WARD_MANIFEST_STATE_PENDING; i++) {
		if (root_manifest_status(WARD_PROC_CAP_SERVICE, &state, errors, programs) !=
		    WARD_OK)
			return ~0ULL;
		if (state == WARD_MANIFEST_STATE_PENDING)
			t_sleep_ms(10);
	}
	return state;
}

static bool error_found(uint64_t count, uint64_t line, uint64_t column, uint64_t problem)
{
	uint64_t l, c, p, d;

	for (uint64_t i = 0; i < count; i++)
		if (root_manifest_error(WARD_PROC_CAP_SERVICE, i, &l, &c, &p, &d) == WARD_OK &&
		    l == line && c == column && p == problem)
			return true;
	return false;
}

/* Every edu device is in quarantine; *count how many there are. */
static bool all_in_quarantine(unsigned *count)
{
	struct edu e;
	uint64_t owner, pid, group, members, nalias, pf, vfs, gen;

	for (*count = 0; t_edu_find(*count, &e); (*count)++)
		if (iommu_query(t_ep, e.sbdf, &owner, &pid, &group, &members, &nalias, &pf, &vfs,
		                &gen) != WARD_OK ||
		    owner != 0)
			return false;
	return true;
}

/* No program of the manifest has a pid: none was ever started. */
static bool none_started(uint64_t programs)
{
	uint64_t pid = 1, running = 1;

	for (uint64_t i = 0; i < programs; i++)
		if (root_manifest_program(WARD_PROC_CAP_SERVICE, i, &pid, &running) != WARD_OK ||
		    pid != 0 || running != 0)
			return false;
	return programs != 0;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t errors = 0, programs = 0, domains = ~0ULL, contexts, ptes, l, c, p, d;
	unsigned edus = 0;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	parse_expected(si->args);
	tap_plan(7 + expected_count);
	tap_ok(wait_decided(&errors, &programs) == WARD_MANIFEST_STATE_REFUSED,
	       "the root task refused the manifest");
	tap_ok(expected_count != 0 && errors == expected_count,
	       "it found exactly the errors expected");
	for (unsigned i = 0; i < expected_count; i++)
		tap_ok(error_found(errors, expected[i].line, expected[i].column,
		                   expected[i].problem),
		       "an error at the expected line and column, with the expected problem");
	tap_ok(root_manifest_error(WARD_PROC_CAP_SERVICE, errors, &l, &c, &p, &d) == WARD_ERR_RANGE,
	       "MANIFEST_ERROR past the last error: RANGE");
	tap_ok(none_started(programs), "no program of the manifest was started");
	tap_ok(all_in_quarantine(&edus) && edus >= 2, "every edu device is in quarantine");
	tap_ok(t_dump(&domains, &contexts, &ptes) == WARD_OK && domains == 0,
	       "DUMP: records and tables agree, no domain exists");
	tap_ok(root_manifest_done(WARD_PROC_CAP_SERVICE) == ROOT_ERR_DENIED,
	       "MANIFEST_DONE from a process other than the root task: DENIED");
	return tap_exit_status();
}

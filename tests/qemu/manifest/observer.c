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
#include <ward/invoke.h>
#include <ward/manifest.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../iommu/iommu_test.h"
#include "../tap.h"
#include "root.h"

static const struct {
	uint64_t line, problem;
	const char *what;
} expected[] = {
        {8, WARD_MANIFEST_PROBLEM_ABSENT, "device 'absent' (00:09.0) is absent"},
        {11, WARD_MANIFEST_PROBLEM_NO_MATCH, "class 0c03 matches nothing"},
        {14, WARD_MANIFEST_PROBLEM_NO_SRIOV, "a VF of edu0, which has no SR-IOV"},
};

#define EXPECTED (sizeof(expected) / sizeof(expected[0]))

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

static bool error_found(uint64_t count, uint64_t line, uint64_t problem)
{
	uint64_t l, c, p, d;

	for (uint64_t i = 0; i < count; i++)
		if (root_manifest_error(WARD_PROC_CAP_SERVICE, i, &l, &c, &p, &d) == WARD_OK &&
		    l == line && c == 1 && p == problem)
			return true;
	return false;
}

static bool in_quarantine(unsigned n)
{
	struct edu e;
	uint64_t owner = ~0ULL, pid, group, members, nalias, pf, vfs, gen;

	return t_edu_find(n, &e) &&
	       iommu_query(t_ep, e.sbdf, &owner, &pid, &group, &members, &nalias, &pf, &vfs,
	                   &gen) == WARD_OK &&
	       owner == 0;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t errors = 0, programs = 0, pid = 1, running = 1, domains = ~0ULL, contexts, ptes;
	uint64_t l, c, p, d;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	tap_plan(10);
	tap_ok(wait_decided(&errors, &programs) == WARD_MANIFEST_STATE_REFUSED,
	       "the root task refused the manifest");
	tap_ok(errors == EXPECTED && programs == 2, "it found exactly the three errors");
	for (unsigned i = 0; i < EXPECTED; i++)
		tap_ok(error_found(errors, expected[i].line, expected[i].problem),
		       expected[i].what);
	tap_ok(root_manifest_error(WARD_PROC_CAP_SERVICE, errors, &l, &c, &p, &d) == WARD_ERR_RANGE,
	       "MANIFEST_ERROR past the last error: RANGE");
	tap_ok(root_manifest_program(WARD_PROC_CAP_SERVICE, 0, &pid, &running) == WARD_OK &&
	               pid == 0 && running == 0 &&
	               root_manifest_program(WARD_PROC_CAP_SERVICE, 1, &pid, &running) == WARD_OK &&
	               pid == 0 && running == 0,
	       "no program of the manifest was started");
	tap_ok(in_quarantine(0) && in_quarantine(1), "both edu devices are in quarantine");
	tap_ok(t_dump(&domains, &contexts, &ptes) == WARD_OK && domains == 0,
	       "DUMP: records and tables agree, no domain exists");
	tap_ok(root_manifest_done(WARD_PROC_CAP_SERVICE) == ROOT_ERR_DENIED,
	       "MANIFEST_DONE from a process other than the root task: DENIED");
	return tap_exit_status();
}

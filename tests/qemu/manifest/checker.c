/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The checker of the manifest-assign scenario (assign.toml), itself a
 * program of the manifest, with the root task's IOMMU authority
 * (`iommu-admin`). It checks that the devices are owned as the manifest
 * wrote, by the programs it named, asking the IOMMU server (QUERY, DUMP)
 * rather than trusting anyone's word: edu 0's owner is owner-a's pid,
 * edu 1's owner-b's, each in a domain of its own, records and tables
 * agree. It checks its own grants (an assignment cap for edu1's group, two
 * endpoints, nothing else) and asks each owner, through the endpoint the
 * manifest gave it, what the owner found (owner.c), among it that owner-b
 * has the 2^23-byte untyped its arguments ask, which only its manifest
 * `memory = 16` leaves room for; then it ends them.
 */
#include <ward/invoke.h>
#include <ward/manifest.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <ward/sys.h>

#include "../iommu/iommu_test.h"
#include "../tap.h"
#include "probe.h"
#include "root.h"

struct owner {
	const char *endpoint, *untyped;
	uint64_t pid, owner;
	struct edu edu;
};

static struct owner owners[2] = {
        {.endpoint = "owner-a.probe",
         .untyped = "owner-a has the 2^20-byte untyped its untyped=20 asks"},
        {.endpoint = "owner-b.probe",
         .untyped = "owner-b has the 2^23-byte untyped its untyped=23 asks, which only its "
                    "manifest memory of 16 MiB leaves room for"},
};

static uint64_t ask(const char *endpoint, uint64_t label, uint64_t *pid, uint64_t *bits)
{
	const struct ward_cap_grant *g = ward_grant(WARD_GRANT_ENDPOINT, endpoint);
	uint64_t mr[4] = {0};

	if (g == NULL)
		return ~0ULL;
	ward_call(g->slot, ward_msginfo(label, 0, 0, 0), mr);
	*pid = mr[0];
	*bits = mr[1];
	return 0;
}

static void check_grants(void)
{
	const struct ward_cap_grant *a = ward_grant(WARD_GRANT_ASSIGNMENT, "edu1");

	tap_ok(ward_startinfo->grant_count == 3 && a != NULL &&
	               ward_grant(WARD_GRANT_ENDPOINT, "owner-a.probe") != NULL &&
	               ward_grant(WARD_GRANT_ENDPOINT, "owner-b.probe") != NULL &&
	               ward_grant(WARD_GRANT_DEVICE, NULL) == NULL &&
	               ward_grant(WARD_GRANT_DOMAIN, NULL) == NULL,
	       "the checker's grants: assignment cap edu1, two endpoints, nothing else");
	tap_ok(a != NULL && a->sbdf == owners[1].edu.sbdf && a->count == 1,
	       "the assignment grant names edu 1's SBDF and group size");
}

static void check_status(void)
{
	uint64_t state = 0, errors = ~0ULL, programs = 0, running;

	tap_ok(root_manifest_status(WARD_PROC_CAP_SERVICE, &state, &errors, &programs) == WARD_OK &&
	               state == WARD_MANIFEST_STATE_APPLIED && errors == 0 && programs == 3,
	       "the root task applied the manifest without errors (3 programs)");
	for (unsigned i = 0; i < 2; i++)
		root_manifest_program(WARD_PROC_CAP_SERVICE, i, &owners[i].pid, &running);
	tap_ok(owners[0].pid != 0 && owners[1].pid != 0 && owners[0].pid != owners[1].pid,
	       "both owners run, with pids of their own");
}

static void check_owner(unsigned i)
{
	struct owner *o = &owners[i];
	uint64_t pid = 0, bits = 0, gowner = 0, opid, group, members, nalias, pf, vfs, gen;

	tap_ok(ask(o->endpoint, PROBE_ASK, &pid, &bits) == 0 && pid == o->pid,
	       "the endpoint the manifest named reaches that program");
	tap_ok((bits & ~PROBE_UNTYPED) == (PROBE_ALL & ~PROBE_UNTYPED),
	       "the owner found its grants as written, owns its device and DMAs through its "
	       "domain");
	tap_ok(bits & PROBE_UNTYPED, o->untyped);
	tap_ok(iommu_query(t_ep, o->edu.sbdf, &gowner, &opid, &group, &members, &nalias, &pf, &vfs,
	                   &gen) == WARD_OK &&
	               gowner != 0 && opid == o->pid,
	       "the IOMMU server says the device is in a domain of the program the manifest named");
	o->owner = gowner;
}

/* Waits (at most 5 s: a hang, not a timing) until the device's owner is quarantine. */
static bool back_in_quarantine(const struct edu *e)
{
	uint64_t owner = ~0ULL, pid, group, members, nalias, pf, vfs, gen;

	for (unsigned waited = 0; waited < 5000; waited += 10) {
		if (iommu_query(t_ep, e->sbdf, &owner, &pid, &group, &members, &nalias, &pf, &vfs,
		                &gen) == WARD_OK &&
		    owner == 0)
			return true;
		t_sleep_ms(10);
	}
	return false;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t domains = 0, contexts, ptes, pid, bits;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	tap_plan(16);
	tap_ok(t_edu_find(0, &owners[0].edu) && t_edu_find(1, &owners[1].edu),
	       "two edu devices on the PCI server's list");
	check_grants();
	check_status();
	check_owner(0);
	check_owner(1);
	tap_ok(owners[0].owner != owners[1].owner, "the two devices are in two domains");
	tap_ok(t_dump(&domains, &contexts, &ptes) == WARD_OK && domains == 2,
	       "DUMP: the server's records and the tables agree, two domains");
	ask("owner-a.probe", PROBE_EXIT, &pid, &bits);
	tap_ok(back_in_quarantine(&owners[0].edu),
	       "owner-a ended: the IOMMU server put its device back in quarantine");
	ask("owner-b.probe", PROBE_EXIT, &pid, &bits);
	return tap_exit_status();
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reassignment from three CPUs at once. Three processes (`cpu=1`, `cpu=2`,
 * `cpu=3`, each with `iterations=N seed=S`) each own a domain and pull
 * edu groups into it, chosen at random: a group another process holds
 * moves in the opposite direction of that process's next pull, which is
 * the pattern that deadlocks per-domain locks (SEEDS.md §1). Every request
 * must be answered, either WARD_OK or ATTACHED (the group was already
 * here), and every 25 moves DUMP's check must find the ledger, the context
 * entries and the device caps in agreement. The process with `plan=`
 * prints the plan, waits for the other two to end (their deaths return
 * what they held to quarantine) and checks that every device is in
 * quarantine and DUMP agrees. tools/stress-reassign runs 10,000 moves.
 */
#include <stdlib.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/startinfo.h>

#include "../proc/ptap.h"
#include "iommu_test.h"
#include "root.h"

#define MAX_EDU       8
#define CHECK_EACH    25
#define PROGRESS_EACH 500
#define POLLS         4000 /* death polls, 25 ms apart: a limit for hangs only */

static uint64_t arg(const char *key, uint64_t otherwise)
{
	const char *at = strstr(ward_startinfo->args, key);

	return at != NULL ? strtoull(at + strlen(key), NULL, 0) : otherwise;
}

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* The edu devices and each one's group's assignment cap. */
static unsigned edus(struct edu *edu, uint64_t *assign)
{
	uint64_t group, members;
	unsigned n = 0;

	while (n < MAX_EDU && t_edu_find(n, &edu[n])) {
		assign[n] = t_slot();
		if (iommu_assignment_into(t_ep, WARD_PROC_CAP_CNODE, assign[n], edu[n].sbdf, &group,
		                          &members) != WARD_OK)
			return 0;
		n++;
	}
	return n;
}

/* Waits for `count` deaths (the other two processes). */
static unsigned wait_deaths(uint64_t ntfn, unsigned count)
{
	uint64_t pid, reason, code, lost;
	unsigned seen = 0;

	for (unsigned i = 0; i < POLLS && seen < count; i++) {
		t_wait_signal(ntfn, 25);
		while (seen < count &&
		       root_next_death(WARD_PROC_CAP_SERVICE, &pid, &reason, &code, &lost) ==
		               WARD_OK &&
		       pid != 0)
			seen++; /* each reports its own results */
	}
	return seen;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t iterations = arg("iterations=", 100), state = arg("seed=", 1) + si->pid * 7919;
	uint64_t plan = arg("plan=", 0), dom = t_slot(), did, w, moved, gen, deaths = 0;
	uint64_t assign[MAX_EDU], device = t_slot(), d, c, p, owner, pid;
	unsigned n, answered = 0, pulled = 0, here = 0, wrong = 0, checks = 0, bad_checks = 0;
	struct ward_error_detail first = {0};
	enum ward_error first_err = WARD_OK;
	struct edu edu[MAX_EDU];
	enum ward_error err;

	t_ep = si->iommu_endpoint;
	t_pci = si->pci_endpoint;
	if (plan != 0) {
		ptap_plan((unsigned)plan);
		deaths = t_notification();
		root_subscribe_deaths(WARD_PROC_CAP_SERVICE, deaths);
	}
	n = edus(edu, assign);
	if (n == 0 ||
	    iommu_create_domain_into(t_ep, WARD_PROC_CAP_CNODE, dom, 0, &did, &w) != WARD_OK) {
		ptap_ok(false, "cpu %llu: set-up", (unsigned long long)arg("cpu=", 0));
		return 1;
	}
	for (uint64_t i = 0; i < iterations; i++) {
		unsigned k = (unsigned)(next_random(&state) % n);

		/*
		 * The device cap in the reply may be revoked by another client's
		 * pull before this one looks at it: no check that it arrived.
		 */
		ward_cnode_delete(WARD_PROC_CAP_CNODE, device, 64);
		iommu_arm_receive(WARD_PROC_CAP_CNODE, device);
		err = iommu_assign(assign[k], edu[k].sbdf, IOMMU_ASSIGN_GROUP, dom, &moved, &gen);
		iommu_arm_receive(0, 0);
		answered++;
		pulled += err == WARD_OK;
		here += err == IOMMU_ERR_ATTACHED;
		if (err != WARD_OK && err != IOMMU_ERR_ATTACHED && wrong++ == 0) {
			first_err = err;
			first = ward_last_error();
		}
		if ((i + 1) % CHECK_EACH == 0) {
			checks++;
			bad_checks += t_dump(&d, &c, &p) != WARD_OK;
		}
		if ((i + 1) % PROGRESS_EACH == 0) /* a long campaign shows how far it got */
			printf("# pid %u: %llu moves, %u checkpoints (%u disagreed), %u errors\n",
			       si->pid, (unsigned long long)(i + 1), checks, bad_checks, wrong);
	}
	ptap_ok(answered == iterations && wrong == 0,
	        "pid %u (cpu %llu): %u requests answered: %u pulls, %u already here, %u errors "
	        "(the first %#x: %#llx %#llx %#llx)",
	        si->pid, (unsigned long long)arg("cpu=", 0), answered, pulled, here, wrong,
	        first_err, (unsigned long long)first.arg, (unsigned long long)first.lo,
	        (unsigned long long)first.hi);
	ptap_ok(checks > 0 && bad_checks == 0,
	        "pid %u: DUMP agreed at all %u checkpoints between concurrent moves", si->pid,
	        checks);
	if (plan == 0)
		return ptap_exit_status();
	/* The others' deaths send what they held back to quarantine; ours is checked by DUMP. */
	ptap_ok(wait_deaths(deaths, 2) == 2, "the other two clients finished");
	for (unsigned k = 0; k < n; k++)
		iommu_release(assign[k], edu[k].sbdf, IOMMU_ASSIGN_GROUP, &moved);
	wrong = 0;
	for (unsigned k = 0; k < n; k++)
		wrong += iommu_query(t_ep, edu[k].sbdf, &owner, &pid, &w, &w, &w, &w, &w, &gen) !=
		                 WARD_OK ||
		         owner != 0;
	ptap_ok(wrong == 0 && t_dump(&d, &c, &p) == WARD_OK,
	        "at the end every edu is in quarantine and DUMP agrees (%llu context entries)",
	        (unsigned long long)c);
	return ptap_exit_status();
}

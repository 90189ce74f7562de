/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A subscriber to the root task's death notifications (root.protocol), run
 * with untyped=16 (to make its notification) and deaths=N: it waits until
 * N processes have died, checks what the root task says about them (pids,
 * reasons, fault labels, nothing lost), checks the protocol's refusals,
 * and shows it keeps running. Booted with proc_crash (restart=2), which
 * faults three times: a page fault, an undefined opcode, a divide error.
 */
#include <stdlib.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include "ptap.h"
#include "root.h"

#define PLAN       11
#define MAX_DEATHS 8

struct death {
	uint64_t pid, reason, code;
};

static unsigned wanted_deaths(void)
{
	const char *at = strstr(ward_startinfo->args, "deaths=");
	unsigned n = at != NULL ? (unsigned)strtoul(at + 7, NULL, 10) : 0;

	return n < MAX_DEATHS ? n : MAX_DEATHS;
}

/* Waits for signals and drains NEXT_DEATH until n deaths are known; *lost adds up. */
static unsigned collect(uint64_t ntfn, struct death *d, unsigned n, uint64_t *lost)
{
	unsigned got = 0;

	while (got < n) {
		uint64_t badge, pid, reason, code, missed;
		ward_wait(ntfn, &badge);
		while (got < n && root_next_death(WARD_PROC_CAP_SERVICE, &pid, &reason, &code,
		                                  &missed) == WARD_OK) {
			*lost += missed;
			if (pid == 0)
				break;
			d[got++] = (struct death){pid, reason, code};
		}
	}
	return got;
}

static void check_deaths(const struct death *d, unsigned n, uint64_t lost)
{
	static const uint64_t labels[3] = {WARD_FAULT_PAGE, WARD_FAULT_UNDEFINED_OPCODE,
	                                   WARD_FAULT_DIVIDE};
	bool faults = n == 3, increasing = true, others = true;

	/* The crasher is the next module: the root task gave it the next pid, and each
	 * restart the one after (nothing else starts meanwhile). */
	for (unsigned i = 0; i < n; i++) {
		faults = faults && d[i].reason == WARD_DEATH_FAULT && i < 3 &&
		         d[i].code == labels[i];
		increasing = increasing && d[i].pid == ward_startinfo->pid + 1 + i;
		others = others && d[i].pid != ward_startinfo->pid;
	}
	ptap_ok(n == 3, "three deaths announced (%u)", n);
	ptap_ok(faults, "in order: page fault, undefined opcode, divide error");
	ptap_ok(increasing && others, "the crasher's pids, a new one per restart: %llu %llu %llu",
	        (unsigned long long)(n > 0 ? d[0].pid : 0),
	        (unsigned long long)(n > 1 ? d[1].pid : 0),
	        (unsigned long long)(n > 2 ? d[2].pid : 0));
	ptap_ok(lost == 0, "no death was lost");
}

static void check_refusals(uint64_t ntfn)
{
	uint64_t pid = 1, reason, code, lost, mr[4] = {0};
	ward_msginfo_t info;

	ptap_ok(root_next_death(WARD_PROC_CAP_SERVICE, &pid, &reason, &code, &lost) == WARD_OK &&
	                pid == 0,
	        "NEXT_DEATH with nothing new: pid 0");
	ptap_ok(root_subscribe_deaths(WARD_PROC_CAP_SERVICE, WARD_PROC_CAP_SERVICE) ==
	                WARD_ERR_INVALID_CAPABILITY,
	        "SUBSCRIBE_DEATHS with the service endpoint itself: INVALID_CAPABILITY");
	info = ward_call(WARD_PROC_CAP_SERVICE, ward_msginfo(ROOT_SUBSCRIBE_DEATHS, 0, 0, 0), mr);
	ptap_ok(ward_msginfo_label(info) == WARD_ERR_INVALID_CAPABILITY,
	        "SUBSCRIBE_DEATHS without a cap: INVALID_CAPABILITY");
	info = ward_call(WARD_PROC_CAP_SERVICE, ward_msginfo(77, 0, 0, 0), mr);
	ptap_ok(ward_msginfo_label(info) == WARD_ERR_ILLEGAL_OPERATION && mr[0] == WARD_ARG_LABEL,
	        "an unknown label: ILLEGAL_OPERATION naming the label");
	ptap_ok(root_subscribe_deaths(WARD_PROC_CAP_SERVICE, ntfn) == WARD_OK,
	        "subscribing again replaces the subscription");
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	uint64_t ntfn = si->free_first, lost = 0;
	struct death deaths[MAX_DEATHS];
	unsigned n;

	ptap_plan(PLAN);
	ptap_ok(si->untyped_bits == 16 &&
	                ward_untyped_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_NOTIFICATION, 0,
	                                    WARD_PROC_CAP_CNODE, 0, 0, ntfn, 1) == WARD_OK &&
	                root_subscribe_deaths(WARD_PROC_CAP_SERVICE, ntfn) == WARD_OK,
	        "subscribed to deaths with a notification made from its own untyped");
	n = collect(ntfn, deaths, wanted_deaths(), &lost);
	check_deaths(deaths, n, lost);
	check_refusals(ntfn);
	char *p = malloc(100000);
	ptap_ok(p != NULL && memset(p, 1, 100000) == p,
	        "still running after the deaths: it allocates and prints");
	free(p);
	return ptap_exit_status();
}

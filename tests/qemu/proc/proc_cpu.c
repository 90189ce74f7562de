/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A process the root task starts on the CPU its `cpu=N` argument names
 * (docs/userspace.md 4.5). It checks where it runs when main begins and
 * after rounds of system calls the root task emulates (its thread blocks
 * while the root task, on CPU 0, answers) and yields: every time on CPU N.
 * A CPU is recognised by its initial APIC ID (CPUID); QEMU gives CPU n of
 * the kernel's numbering (boot CPU first, then the MADT's order) APIC ID n.
 *
 * Its own words: plan=K (this instance prints the boot's TAP plan), crash
 * (end with a fault: under restart=1 expect=fault the restarted instance
 * checks its CPU too), refused (the root task must refuse the module: if
 * it runs at all, that is a failure).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ward/rt.h>
#include <ward/sys.h>
#include "../lib/wcpu.h"
#include "ptap.h"

#define ROUNDS 20

/* The number after `key` (e.g. "cpu=") among the arguments, or `otherwise`. */
static unsigned arg_number(const char *key, unsigned otherwise)
{
	const char *at = strstr(ward_startinfo->args, key);

	return at != NULL ? (unsigned)strtoul(at + strlen(key), NULL, 10) : otherwise;
}

static bool has_word(const char *word)
{
	return strstr(ward_startinfo->args, word) != NULL;
}

/* Rounds of emulated system calls and yields; true if every check saw CPU `cpu`. */
static bool stays_on(unsigned cpu)
{
	bool stayed = true;

	for (unsigned i = 0; i < ROUNDS; i++) {
		void *p = malloc(4096 * (i + 1));
		stayed = stayed && p != NULL && getpid() == (pid_t)ward_startinfo->pid;
		free(p);
		ward_yield();
		stayed = stayed && wt_cpu_index() == cpu;
	}
	return stayed;
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	unsigned first = wt_cpu_index(), want = arg_number("cpu=", 0);

	if (has_word("refused")) {
		ptap_ok(false, "%s (pid %u) runs on CPU %u although its cpu=%u names no CPU of %u",
		        si->name, (unsigned)si->pid, first, want, (unsigned)si->cpu_count);
		return 1;
	}
	if (has_word("plan="))
		ptap_plan(arg_number("plan=", 0));
	ptap_ok(first == want, "pid %u (restart %u) began main on CPU %u as cpu=%u asks (CPU %u)",
	        (unsigned)si->pid, (unsigned)si->restarts, want, want, first);
	ptap_ok(stays_on(want),
	        "pid %u stayed on CPU %u across %u rounds of emulated system calls and yields",
	        (unsigned)si->pid, want, ROUNDS);
	if (has_word("crash")) {
		fflush(stdout);
		__builtin_trap(); /* the root task restarts it (restart=1) */
	}
	return ptap_exit_status();
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The process table and the lifecycle policy: every boot module after the
 * root task becomes a process with an untyped of its own; when one ends,
 * it is torn down (everything it held revoked), its death is announced,
 * and after a fatal fault it is started again if its arguments allow
 * (restart=N). Each instance gets a new pid: pids are never reused, so a
 * badge always names one instance.
 *
 * A module's process runs on the CPU its `cpu=N` names (default 0), every
 * instance of it: restarts keep it. A value that names no CPU of the boot
 * information (or is no number) is reported and the module not started.
 *
 * Its `untyped=BITS` is checked against its memory only once that is
 * final: after mem= and its role's minimum for a module, after the
 * manifest's `memory` for a program of the manifest. One it cannot have
 * is reported by name, never dropped silently.
 *
 * The system is up while a process that is not a server runs: a module
 * with the word `server` among its arguments (the PCI server) serves the
 * others and never ends by itself, so once every other process has ended
 * the root task stops the machine with the servers still running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <proc/untyped.h>
#include "root_task.h"

#define FIRST_PID 2 /* 1 is the root task */

static struct root_proc procs[ROOT_MAX_PROCS];
static uint32_t next_pid = FIRST_PID;
static bool unexpected_end;

/* The value of `key=` among the space-separated words of args, or NULL. */
static const char *arg_value(const char *args, const char *key)
{
	size_t n = strlen(key);

	for (const char *at = args; at != NULL && *at != '\0'; at = strchr(at, ' ')) {
		while (*at == ' ')
			at++;
		if (strncmp(at, key, n) == 0 && at[n] == '=')
			return at + n + 1;
	}
	return NULL;
}

/* Whether `word` stands alone among the space-separated words of args. */
static bool arg_flag(const char *args, const char *word)
{
	size_t n = strlen(word);

	for (const char *at = args; at != NULL && *at != '\0'; at = strchr(at, ' ')) {
		while (*at == ' ')
			at++;
		if (strncmp(at, word, n) == 0 && (at[n] == ' ' || at[n] == '\0'))
			return true;
	}
	return false;
}

static unsigned log2_up(unsigned long long v)
{
	unsigned bits = 0;

	while ((1ULL << bits) < v && bits < 63)
		bits++;
	return bits;
}

/* cpu=N: N if the kernel counted that CPU; otherwise 0, with *bad pointing at the value. */
static unsigned parse_cpu(const char *v, const char **bad)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	/* strtoul would skip spaces into the next word and take signs: digits only. */
	if (*v < '0' || *v > '9' || (*end != ' ' && *end != '\0') ||
	    n >= ward_bootinfo->cpu_count) {
		*bad = v;
		return 0;
	}
	return (unsigned)n;
}

/*
 * untyped=BITS, checked once the process's memory is final (mem= and its
 * role's minimum, or the manifest's `memory`): the untyped is carved from
 * that memory, beside everything else of the process, so it is at least a
 * page and smaller than the memory. A refusal is reported on one line; the
 * process then gets what it would get without the word (its role's
 * untyped, or none).
 */
static void settle_untyped(const char *name, struct root_policy *p)
{
	const char *v = p->untyped_asked;
	char *end;
	unsigned long bits;

	if (v == NULL)
		return;
	bits = strtoul(v, &end, 10);
	if (*v >= '0' && *v <= '9' && (*end == ' ' || *end == '\0') && bits >= 12 &&
	    bits < p->memory_bits) {
		p->untyped_bits = (unsigned)bits;
		return;
	}
	printf("%s: untyped=%.*s refused: its %u MiB of memory allow 12 to %u bits; "
	       "it gets %s\n",
	       name, (int)strcspn(v, " "), v, 1U << (p->memory_bits - 20), p->memory_bits - 1,
	       p->untyped_bits != 0 ? "its role's untyped" : "no untyped");
}

static struct root_policy parse_policy(const char *args)
{
	struct root_policy p = {.memory_bits = ROOT_DEFAULT_MEMORY};
	const char *v;

	p.server = arg_flag(args, "server");
	if ((v = arg_value(args, "restart")) != NULL)
		p.restarts = (unsigned)strtoul(v, NULL, 10);
	if ((v = arg_value(args, "expect")) != NULL && strncmp(v, "fault", 5) == 0)
		p.expect_fault = true;
	if ((v = arg_value(args, "mem")) != NULL) {
		unsigned long mib = strtoul(v, NULL, 10);
		if (mib >= 1 && mib <= 256)
			p.memory_bits = 20 + log2_up(mib);
	}
	p.untyped_asked = arg_value(args, "untyped");
	if ((v = arg_value(args, "cpu")) != NULL)
		p.cpu = parse_cpu(v, &p.bad_cpu);
	return p;
}

/* Makes and starts the module's next instance; false (reported) if it cannot. */
static bool spawn(struct root_proc *rp)
{
	const struct ward_module *m = &ward_bootinfo->modules[rp->module];
	struct proc_config c = {
	        .pid = rp->reserved_pid != 0 ? rp->reserved_pid : next_pid++,
	        .restarts = rp->restarts,
	        .name = rp->name != NULL ? rp->name : m->name,
	        .args = rp->args != NULL ? rp->args : m->args,
	        .image = (const void *)m->vaddr,
	        .image_size = m->size,
	        .untyped = rp->untyped,
	        .untyped_bits = rp->untyped_bits,
	        .heap_pages = (1ULL << (rp->untyped_bits - 12)) / 2,
	        .cpu = rp->policy.cpu,
	};
	const char *why = NULL;
	enum ward_error err = proc_create(&rp->proc, &c, &why);

	rp->reserved_pid = 0; /* a restart gets a new pid */
	if (err == WARD_OK &&
	    (!root_grant_role(rp, &why) ||
	     (rp->program >= 0 && !root_manifest_grant((unsigned)rp->program, &rp->proc, &why)))) {
		err = WARD_ERR_INVALID_ARGUMENT;
	} else if (err == WARD_OK &&
	           (err = proc_start(&rp->proc, root_endpoint, rp->priority)) != WARD_OK) {
		why = "cannot start its thread";
	}
	if (err != WARD_OK) {
		printf("cannot start %s: %s (error %d)\n", c.name, why, err);
		if (rp->proc.tcb != 0)
			proc_destroy(&rp->proc);
		return false;
	}
	printf("started %s as pid %u (%u MiB) on CPU %u\n", c.name, (unsigned)c.pid,
	       1U << (rp->untyped_bits - 20), c.cpu);
	rp->state = ROOT_PROC_RUNNING;
	return true;
}

static void report_bad_cpu(const struct ward_bootinfo *bi, uint32_t module, const char *value)
{
	int len = (int)strcspn(value, " ");

	printf("cannot start %s: its argument cpu=%.*s names no CPU of this machine "
	       "(CPUs 0 to %u): not started\n",
	       bi->modules[module].name, len, value, bi->cpu_count - 1);
}

void root_start_all(void)
{
	const struct ward_bootinfo *bi = ward_bootinfo;

	for (uint32_t i = 1; i < bi->module_count && i < WARD_MAX_MODULES; i++) {
		struct root_proc *rp = &procs[i];
		if (!root_manifest_starts_alone(&bi->modules[i]))
			continue;
		rp->module = i;
		rp->program = -1;
		rp->priority = ROOT_PROC_PRIORITY;
		rp->policy = parse_policy(bi->modules[i].args);
		root_role_policy(bi->modules[i].name, &rp->policy);
		settle_untyped(bi->modules[i].name, &rp->policy);
		rp->untyped_bits = rp->policy.memory_bits;
		rp->state = ROOT_PROC_ENDED;
		if (rp->policy.bad_cpu != NULL) {
			report_bad_cpu(bi, i, rp->policy.bad_cpu);
			unexpected_end = true;
			continue;
		}
		if (proc_untyped_alloc(rp->untyped_bits, &rp->untyped) != WARD_OK) {
			printf("cannot start %s: no %u MiB of memory left\n", bi->modules[i].name,
			       1U << (rp->untyped_bits - 20));
			unexpected_end = true;
			continue;
		}
		if (!spawn(rp))
			unexpected_end = true;
	}
}

uint32_t root_pid_reserve(void)
{
	return next_pid++;
}

static int module_named(const char *name)
{
	for (uint32_t i = 1; i < ward_bootinfo->module_count && i < WARD_MAX_MODULES; i++)
		if (strcmp(ward_bootinfo->modules[i].name, name) == 0)
			return (int)i;
	return -1;
}

/*
 * A manifest program: its own entry after the modules' (one module may run
 * as several programs); the manifest's CPU, priority and memory; no
 * restart (its domain and devices went with its first instance).
 */
struct root_proc *root_start_program(const struct root_program_config *c)
{
	struct root_proc *rp = &procs[WARD_MAX_MODULES + c->index];
	int module = module_named(c->module);

	if (module < 0 || c->index >= WARD_MANIFEST_MAX_PROGRAMS)
		return NULL;
	*rp = (struct root_proc){.module = (unsigned)module,
	                         .program = (int)c->index,
	                         .name = c->name,
	                         .args = c->args,
	                         .reserved_pid = c->pid,
	                         .priority = c->priority,
	                         .state = ROOT_PROC_ENDED};
	rp->policy = parse_policy(c->args);
	rp->policy.restarts = 0;
	rp->policy.cpu = c->cpu;
	rp->policy.memory_bits = 20 + log2_up(c->memory_mib);
	settle_untyped(c->name, &rp->policy);
	rp->untyped_bits = rp->policy.memory_bits;
	if (proc_untyped_alloc(rp->untyped_bits, &rp->untyped) != WARD_OK) {
		printf("cannot start %s: no %u MiB of memory left\n", c->name, c->memory_mib);
		unexpected_end = true;
		return NULL;
	}
	if (!spawn(rp)) {
		unexpected_end = true;
		return NULL;
	}
	return rp;
}

struct root_proc *root_proc_by_pid(uint64_t pid)
{
	for (unsigned i = 0; i < ROOT_MAX_PROCS; i++)
		if (procs[i].state == ROOT_PROC_RUNNING && procs[i].proc.pid == pid)
			return &procs[i];
	return NULL;
}

static bool expected(const struct root_proc *rp, unsigned reason, uint64_t code)
{
	if (reason == WARD_DEATH_KILLED)
		return true; /* someone with the authority meant it */
	if (rp->policy.expect_fault)
		return reason == WARD_DEATH_FAULT;
	return reason == WARD_DEATH_EXIT && code == 0;
}

void root_proc_ended(struct root_proc *rp, unsigned reason, uint64_t code)
{
	uint32_t pid = rp->proc.pid;
	bool whole;

	bool all_ok;

	if (!expected(rp, reason, code))
		unexpected_end = true;
	rp->state = ROOT_PROC_ENDED;
	rp->end_reason = reason;
	rp->end_code = code;
	/* Fail-stop roles (the IOMMU server) halt here, before any teardown. */
	root_role_fail_stop(rp, reason, code, root_all_ended(&all_ok) && all_ok);
	whole = proc_destroy(&rp->proc);
	root_role_ended(rp);
	root_death(pid, reason, code);
	if (!whole) {
		/* A bug worth stopping for: the memory is kept out of use, nothing restarts. */
		printf("%s (pid %u): teardown left objects behind; its memory is not reused\n",
		       rp->proc.name, (unsigned)pid);
		unexpected_end = true;
		return;
	}
	if (reason != WARD_DEATH_FAULT || rp->restarts == rp->policy.restarts) {
		printf("%s (pid %u) torn down\n", rp->proc.name, (unsigned)pid);
		if (rp->program >= 0)
			root_manifest_program_gone((unsigned)rp->program);
		proc_untyped_free(rp->untyped, rp->untyped_bits);
		rp->untyped = 0;
		return;
	}
	rp->restarts++;
	printf("%s (pid %u) torn down; restarting it (%u of %u)\n", rp->proc.name, (unsigned)pid,
	       rp->restarts, rp->policy.restarts);
	if (!spawn(rp))
		unexpected_end = true;
}

bool root_all_expected(void)
{
	return !unexpected_end;
}

bool root_all_ended(bool *ok)
{
	if (root_manifest_pending())
		return false;
	for (unsigned i = 0; i < ROOT_MAX_PROCS; i++)
		if (procs[i].state == ROOT_PROC_RUNNING && !procs[i].policy.server)
			return false;
	for (unsigned i = 0; i < ROOT_MAX_PROCS; i++)
		if (procs[i].state == ROOT_PROC_RUNNING)
			printf("%s (pid %u) is a server: still running\n", procs[i].proc.name,
			       (unsigned)procs[i].proc.pid);
	*ok = !unexpected_end;
	return true;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The monitor's commands, one line each (`help` lists them). Every error
 * is one line starting "error:" and changes nothing. Moves go through the
 * IOMMU server's ordinary protocol with the monitor's own caps: the
 * group's assignment cap (ASSIGNMENT, privileged) and the target
 * program's domain cap (the manifest's `assign_to`); the new owner's
 * device cap is handed to the program with the edu protocol's ADOPT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/manifest.h>
#include <ward/rt.h>
#include <ward/startinfo.h>
#include <proc/slots.h>

#include "edu_client.h"
#include "iommu_client.h"
#include "monitor.h"
#include "root.h"
#include "vmm.h"
#include "vmm_guest.h"

#define MAX_WORDS 4

static void help(void)
{
	printf("commands:\n"
	       "  status                 the status table: devices and programs\n"
	       "  list devices|programs|domains\n"
	       "  dump                   the IOMMU tables, checked against the server's records\n"
	       "  faults                 the newest DMA faults the IOMMU recorded\n"
	       "  move SBDF PROGRAM      give a device's group to a program (one in its "
	       "assign_to)\n"
	       "  move SBDF quarantine   take it away from its owner; DMA blocked\n"
	       "  move SBDF VMM:GUEST    plug it into a guest of a VM monitor (e.g. vmm:1)\n"
	       "  guests                 the VM monitors' guests\n"
	       "  guest new VMM MIB      a guest of VMM: MIB of memory at GPA 16 MiB, its program\n"
	       "                         checking 4 DMA rounds once a device is moved into it\n"
	       "  guest destroy VMM:N    its device to quarantine, then its memory freed\n"
	       "  ask PROGRAM            an edu driver's device: info, 5! by interrupt\n"
	       "  kill PROGRAM           end a program; its devices go to quarantine\n"
	       "  halt                   stop the machine\n"
	       "  help                   this list\n"
	       "leave QEMU: Ctrl-A then X\n");
}

/* "bb:dd.f" or "ssss:bb:dd.f" as an SBDF, -1 if it is not one. */
static int64_t parse_sbdf(const char *s)
{
	unsigned seg = 0, bus, dev, fn;
	char end;

	if (sscanf(s, "%x:%x:%x.%x%c", &seg, &bus, &dev, &fn, &end) == 4 ||
	    (seg = 0, sscanf(s, "%x:%x.%x%c", &bus, &dev, &fn, &end) == 3))
		if (seg <= 0xffff && bus <= 0xff && dev <= 31 && fn <= 7)
			return (int64_t)seg << 16 | bus << 8 | dev << 3 | fn;
	return -1;
}

/* The ENDPOINT grant "PROGRAM.edu": the program's edu driver interface. */
static const struct ward_cap_grant *edu_of(const char *program)
{
	return view_endpoint(program, "edu");
}

/* The VM monitor behind "VMM" ("VMM:N" with *guest set when guest != NULL); NULL if none. */
static const struct ward_cap_grant *vmm_of(const char *text, unsigned long long *guest)
{
	char program[32];
	const struct ward_cap_grant *ep;

	if ((guest != NULL ? sscanf(text, "%31[^:]:%llu", program, guest) != 2
	                   : sscanf(text, "%31s", program) != 1) ||
	    (ep = view_endpoint(program, "vmm")) == NULL) {
		printf("error: '%s': no VM monitor of that name (the manifest's uses)%s\n", text,
		       guest != NULL ? ", or no :GUEST" : "");
		return NULL;
	}
	return ep;
}

static void guest_new(const char *vmm, const char *mib_text)
{
	const struct ward_cap_grant *ep = vmm_of(vmm, NULL);
	char *end;
	unsigned long long mib = strtoull(mib_text, &end, 10);
	uint64_t guest, phys;
	enum ward_error err;
	struct ward_error_detail why;

	if (ep == NULL)
		return;
	if (*end != '\0' || mib == 0 || mib > 64) {
		printf("error: '%s': memory is MiB, a multiple of 2 (2 to 8)\n", mib_text);
		return;
	}
	err = vmm_create_guest(ep->slot, mib << 20, VMM_BOOT_GPA, 0, VMM_PROGRAM_SELFTEST, 4,
	                       &guest, &phys);
	why = ward_last_error();
	if (err == WARD_OK)
		printf("created guest %llu of %s: %llu MiB at GPA %#llx (physical %#llx), CPU 0; "
		       "'move SBDF %s:%llu' gives it a device\n",
		       (unsigned long long)guest, vmm, mib, (unsigned long long)VMM_BOOT_GPA,
		       (unsigned long long)phys, vmm, (unsigned long long)guest);
	else
		printf("error: %s refused the guest: error %#x (%s) (%#llx, %#llx, %#llx)\n", vmm,
		       err,
		       err == VMM_ERR_QUOTA               ? "beyond its memory quota"
		       : err == VMM_ERR_LIMIT             ? "no guest slot left"
		       : err == WARD_ERR_INVALID_ARGUMENT ? "memory must be a multiple of 2 MiB"
		                                          : "see docs/vmm.md",
		       (unsigned long long)why.arg, (unsigned long long)why.lo,
		       (unsigned long long)why.hi);
}

static void guest_destroy(const char *which)
{
	unsigned long long guest;
	const struct ward_cap_grant *ep = vmm_of(which, &guest);
	uint64_t busy;
	enum ward_error err;

	if (ep == NULL)
		return;
	err = vmm_destroy_guest(ep->slot, guest, &busy);
	if (err == VMM_ERR_NO_GUEST)
		printf("error: %s: no such guest\n", which);
	else if (err != WARD_OK)
		printf("error: destroying %s: error %#x (the guest is gone; docs/vmm.md)\n", which,
		       err);
	else
		printf("destroyed %s: its device (if any) in quarantine%s, its memory freed\n",
		       which, busy ? " (it was doing DMA)" : "");
}

static void guest_command(char *w[], unsigned n)
{
	if (n == 4 && strcmp(w[1], "new") == 0)
		guest_new(w[2], w[3]);
	else if (n == 3 && strcmp(w[1], "destroy") == 0)
		guest_destroy(w[2]);
	else
		printf("error: guest new VMM MIB, or guest destroy VMM:N\n");
}

/* `move SBDF VMM:GUEST`: the VM monitor moves the device, with its own assignment cap. */
static void move_to_guest(int64_t sbdf, const char *what, const char *to)
{
	char program[32] = "";
	unsigned long long guest;
	const struct ward_cap_grant *ep = vmm_of(to, &guest);
	struct ward_error_detail why;
	uint64_t from;
	enum ward_error err;

	if (ep == NULL)
		return;
	sscanf(to, "%31[^:]", program);
	err = vmm_move_device(ep->slot, (uint64_t)sbdf, guest, &from);
	why = ward_last_error();
	if (err == WARD_OK)
		printf("moved %s to guest %llu of %s (from guest %llu; 0: none)\n", what, guest,
		       program, (unsigned long long)from);
	else
		printf("error: %s refused: error %#x (%s) (%#llx, %#llx)\n", program, err,
		       err == VMM_ERR_NOT_ASSIGNABLE ? "the manifest does not let it assign this"
		       : err == VMM_ERR_NO_GUEST     ? "no such guest"
		       : err == VMM_ERR_ATTACHED     ? "already there, or the guest has a device"
		       : err == VMM_ERR_OWNED        ? "another program holds it"
		                                     : "see docs/vmm.md",
		       (unsigned long long)why.lo, (unsigned long long)why.hi);
}

static void ask(const char *program)
{
	const struct ward_cap_grant *ep = edu_of(program);
	uint64_t sbdf, id, irqs, xfers, result, after;
	enum ward_error err;

	if (ep == NULL) {
		printf("error: no edu endpoint of '%s' (the manifest's uses)\n", program);
		return;
	}
	if ((err = edu_info(ep->slot, &sbdf, &id, &irqs, &xfers)) != WARD_OK ||
	    (err = edu_factorial(ep->slot, 5, &result, &after)) != WARD_OK) {
		printf("error: %s answered error %#x%s\n", program, err,
		       err == EDU_ERR_DEVICE_GONE ? " (its device was moved away)" : "");
		return;
	}
	printf("%s: drives %02x:%02x.%x (ID %#llx); 5! = %llu by interrupt; interrupts %llu -> "
	       "%llu\n",
	       program, (unsigned)(sbdf >> 8) & 0xff, (unsigned)(sbdf >> 3) & 31,
	       (unsigned)sbdf & 7, (unsigned long long)id, (unsigned long long)result,
	       (unsigned long long)irqs, (unsigned long long)after);
}

/* The group's assignment cap into a fresh slot (0 and a line said on error). */
static uint64_t assignment(int64_t sbdf, uint64_t *members)
{
	uint64_t slot = proc_slot_alloc(), group;
	enum ward_error err;

	if (slot == 0) {
		printf("error: no free slot\n");
		return 0;
	}
	err = iommu_assignment_into(monitor.iommu, WARD_PROC_CAP_CNODE, slot, (uint64_t)sbdf,
	                            &group, members);
	if (err != WARD_OK) {
		printf("error: %02x:%02x.%x: %s\n", (unsigned)(sbdf >> 8) & 0xff,
		       (unsigned)(sbdf >> 3) & 31, (unsigned)sbdf & 7,
		       err == IOMMU_ERR_NO_DEVICE ? "no such device behind an IOMMU"
		                                  : "no assignment cap for it");
		proc_slots_free(slot, 1);
		return 0;
	}
	return slot;
}

static void forget(uint64_t slot)
{
	ward_cnode_delete(WARD_PROC_CAP_CNODE, slot, 64);
	proc_slots_free(slot, 1);
}

/* Hands the device cap in `device` to the program's edu driver. */
static void adopt(const char *program, int64_t sbdf, uint64_t device)
{
	const struct ward_cap_grant *ep = edu_of(program);
	uint64_t id;
	enum ward_error err = ep != NULL ? edu_adopt(ep->slot, (uint64_t)sbdf, device, &id)
	                                 : WARD_ERR_INVALID_CAPABILITY;

	struct ward_error_detail why = ward_last_error();

	if (err == WARD_OK)
		printf("%s drives it now (ID %#llx)\n", program, (unsigned long long)id);
	else
		printf("note: the device is in %s's domain, but %s did not take it (error %#x: "
		       "%#llx %#llx); 'move' it again to place it elsewhere\n",
		       program, program, err, (unsigned long long)why.lo,
		       (unsigned long long)why.hi);
}

static void move(const char *what, const char *to)
{
	struct program_view p[MONITOR_PROGRAMS];
	unsigned n = view_programs(p);
	int64_t sbdf = parse_sbdf(what), held;
	int target = strcmp(to, "quarantine") == 0 ? -1 : view_program_index(p, n, to, 0);
	const struct ward_cap_grant *domain = NULL;
	uint64_t assign, members, moved, generation, device;
	enum ward_error err;

	if (sbdf < 0) {
		printf("error: '%s' is not an SBDF (bus:device.function, hex)\n", what);
		return;
	}
	if (strchr(to, ':') != NULL) {
		move_to_guest(sbdf, what, to);
		return;
	}
	if (target < 0 && strcmp(to, "quarantine") != 0) {
		printf("error: no program '%s'\n", to);
		return;
	}
	if (target >= 0) {
		if (p[target].state != WARD_PROGRAM_RUNNING) {
			printf("error: %s is not running (%s)\n", to,
			       view_state_name(p[target].state));
			return;
		}
		if ((domain = ward_grant(WARD_GRANT_DOMAIN, to)) == NULL) {
			printf("error: the monitor may not place devices in %s's domain (not in "
			       "its "
			       "assign_to)\n",
			       to);
			return;
		}
		if ((held = view_device_of(p[target].pid)) >= 0 && held != sbdf) {
			printf("error: %s drives %02x:%02x.%x already: move that away first\n", to,
			       (unsigned)(held >> 8) & 0xff, (unsigned)(held >> 3) & 31,
			       (unsigned)held & 7);
			return;
		}
	}
	if ((assign = assignment(sbdf, &members)) == 0)
		return;
	if (target < 0) {
		err = iommu_release(assign, (uint64_t)sbdf, IOMMU_ASSIGN_GROUP, &moved);
		if (err == WARD_OK)
			printf("moved %s to quarantine (%llu device%s)\n", what,
			       (unsigned long long)moved, moved == 1 ? "" : "s");
		else
			printf("error: RELEASE of %s: error %#x\n", what, err);
		forget(assign);
		return;
	}
	if ((device = proc_slot_alloc()) == 0) {
		forget(assign);
		printf("error: no free slot\n");
		return;
	}
	err = iommu_assign_into(assign, WARD_PROC_CAP_CNODE, device, (uint64_t)sbdf,
	                        IOMMU_ASSIGN_GROUP, domain->slot, &moved, &generation);
	forget(assign);
	if (err == IOMMU_ERR_ATTACHED) {
		printf("error: %s is %s's already\n", what, to);
	} else if (err != WARD_OK) {
		printf("error: ASSIGN of %s to %s: error %#x\n", what, to, err);
	} else {
		printf("moved %s to %s (%llu device%s)\n", what, to, (unsigned long long)moved,
		       moved == 1 ? "" : "s");
		adopt(to, sbdf, device);
	}
	forget(device);
}

static void kill(const char *name)
{
	struct program_view p[MONITOR_PROGRAMS];
	unsigned n = view_programs(p);
	int i = view_program_index(p, n, name, 0);
	enum ward_error err;

	if (i < 0) {
		printf("error: no program '%s'\n", name);
		return;
	}
	if ((uint64_t)ward_startinfo->pid == p[i].pid) {
		printf("error: the monitor does not kill itself (use halt)\n");
		return;
	}
	err = root_kill(monitor.control, (uint64_t)i);
	if (err == ROOT_ERR_NO_PROGRAM)
		printf("error: %s is not running (%s)\n", name, view_state_name(p[i].state));
	else if (err != WARD_OK)
		printf("error: KILL of %s: error %#x\n", name, err);
	else
		printf("killed %s (pid %llu)\n", name, (unsigned long long)p[i].pid);
}

static void dump(void)
{
	uint64_t units, domains, contexts, ptes;
	enum ward_error err = iommu_dump(monitor.iommu, 0, &units, &domains, &contexts, &ptes);

	if (err == WARD_OK)
		printf("dump: check passed: %llu units, %llu domains, %llu context entries, %llu "
		       "PTEs "
		       "agree with the server's records\n",
		       (unsigned long long)units, (unsigned long long)domains,
		       (unsigned long long)contexts, (unsigned long long)ptes);
	else if (err == IOMMU_ERR_MISMATCH)
		printf("dump: CHECK FAILED: tables and records disagree\n");
	else
		printf("error: DUMP: error %#x\n", err);
}

static void list(const char *what)
{
	if (what != NULL && strcmp(what, "devices") == 0)
		view_print_devices();
	else if (what != NULL && strcmp(what, "programs") == 0)
		view_print_programs();
	else if (what != NULL && strcmp(what, "domains") == 0)
		view_print_domains();
	else
		printf("error: list what? devices, programs or domains\n");
}

static unsigned split(char *line, char *word[MAX_WORDS + 1])
{
	unsigned n = 0;

	for (char *t = strtok(line, " \t"); t != NULL; t = strtok(NULL, " \t"))
		if (n <= MAX_WORDS)
			word[n++] = t;
	return n;
}

void command_run(char *line)
{
	char *w[MAX_WORDS + 1] = {0};
	unsigned n;

	if (line[0] == '\0') {
		printf("error: a line holds at most %u characters\n", MONITOR_LINE_MAX);
		return;
	}
	printf("> %s\n", line);
	n = split(line, w);
	if (n == 0)
		return;
	if (n > MAX_WORDS)
		printf("error: too many words\n");
	else if (strcmp(w[0], "help") == 0)
		help();
	else if (strcmp(w[0], "status") == 0)
		view_print_status();
	else if (strcmp(w[0], "list") == 0)
		list(w[1]);
	else if (strcmp(w[0], "dump") == 0)
		dump();
	else if (strcmp(w[0], "faults") == 0)
		view_print_faults();
	else if (strcmp(w[0], "guests") == 0)
		view_print_guests();
	else if (strcmp(w[0], "guest") == 0)
		guest_command(w, n);
	else if (strcmp(w[0], "move") == 0 && n == 3)
		move(w[1], w[2]);
	else if (strcmp(w[0], "ask") == 0 && n == 2)
		ask(w[1]);
	else if (strcmp(w[0], "kill") == 0 && n == 2)
		kill(w[1]);
	else if (strcmp(w[0], "halt") == 0)
		root_halt(monitor.control);
	else
		printf("error: '%s': unknown command or wrong arguments (try help)\n", w[0]);
	printf("ward>\n");
}

void command_death(uint64_t pid, uint64_t reason, uint64_t code)
{
	struct program_view p[MONITOR_PROGRAMS];
	unsigned n = view_programs(p);
	int i = view_program_index(p, n, NULL, pid);

	printf("event: %s (pid %llu) %s (code %llu)\n", i >= 0 ? p[i].name : "a process",
	       (unsigned long long)pid,
	       reason == WARD_DEATH_EXIT    ? "exited"
	       : reason == WARD_DEATH_FAULT ? "faulted"
	                                    : "was killed",
	       (unsigned long long)code);
	view_print_status();
	printf("ward>\n");
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the system looks like, asked afresh each time: the manifest's
 * programs from the root task (PROGRAM_INFO, through the control cap),
 * devices, domains and faults from the IOMMU server (DEVICE_STATUS,
 * DOMAIN_STATUS, FAULT_LOG, through the privileged cap), one record per
 * request. Owners are shown by program name: a domain belongs to a pid,
 * and the programs table maps pids to names.
 */
#include <stdio.h>
#include <string.h>
#include <ward/manifest.h>
#include <ward/rt.h>

#include "iommu_client.h"
#include "monitor.h"
#include "root.h"
#include "vmm.h"
#include "vmm_guest.h"

#define SBDF_FMT      "%02x:%02x.%x"
#define SBDF_ARGS(s)  (unsigned)((s) >> 8) & 0xff, (unsigned)((s) >> 3) & 31, (unsigned)(s)&7
#define DEVICE_CURSOR 4096 /* more than the server's device table */

const char *view_state_name(uint64_t state)
{
	static const char *const names[] = {"not started", "running", "exited", "faulted",
	                                    "killed"};
	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

unsigned view_programs(struct program_view out[MONITOR_PROGRAMS])
{
	unsigned n = 0;
	uint64_t name[4];

	while (n < MONITOR_PROGRAMS) {
		struct program_view *p = &out[n];
		if (root_program_info(monitor.control, n, &p->pid, &p->state, &p->cpu, &p->priority,
		                      &p->code, &name[0], &name[1], &name[2], &name[3]) != WARD_OK)
			break;
		memcpy(p->name, name, sizeof(name));
		p->name[sizeof(p->name) - 1] = '\0';
		n++;
	}
	return n;
}

int view_program_index(const struct program_view *p, unsigned n, const char *name, uint64_t pid)
{
	for (unsigned i = 0; i < n; i++)
		if (name != NULL ? strcmp(p[i].name, name) == 0 : (p[i].pid == pid && pid != 0))
			return (int)i;
	return -1;
}

static const char *owner_name(const struct program_view *p, unsigned n, uint64_t owner,
                              uint64_t pid)
{
	int i = view_program_index(p, n, NULL, pid);

	if (owner == 0)
		return "quarantine";
	return i >= 0 ? p[i].name : "(not a program)";
}

void view_print_devices(void)
{
	struct program_view p[MONITOR_PROGRAMS];
	unsigned n = view_programs(p);
	uint64_t cursor = 0, next, sbdf, id, class, group, owner, pid, maps, faults, irqs;

	printf("devices:\n");
	printf("  %-8s %-9s %-6s %-8s %-12s %-6s %5s %6s %5s\n", "SBDF", "ID", "class", "group",
	       "owner", "domain", "maps", "faults", "irqs");
	while (cursor < DEVICE_CURSOR &&
	       iommu_device_status(monitor.iommu, cursor, &next, &sbdf, &id, &class, &group, &owner,
	                           &pid, &maps, &faults, &irqs) == WARD_OK) {
		char domain[24] = "-";
		if (owner != 0)
			snprintf(domain, sizeof(domain), "%llu", (unsigned long long)owner);
		printf("  " SBDF_FMT " %04x:%04x %06llx " SBDF_FMT
		       "  %-12s %-6s %5llu %6llu %5llu\n",
		       SBDF_ARGS(sbdf), (unsigned)(id >> 16), (unsigned)(id & 0xffff),
		       (unsigned long long)class, SBDF_ARGS(group), owner_name(p, n, owner, pid),
		       domain, (unsigned long long)maps, (unsigned long long)faults,
		       (unsigned long long)irqs);
		cursor = next;
	}
}

void view_print_programs(void)
{
	struct program_view p[MONITOR_PROGRAMS];
	unsigned n = view_programs(p);

	printf("programs:\n");
	printf("  %-12s %5s %4s %5s  %s\n", "name", "pid", "cpu", "prio", "state");
	for (unsigned i = 0; i < n; i++) {
		printf("  %-12s %5llu %4llu %5llu  %s", p[i].name, (unsigned long long)p[i].pid,
		       (unsigned long long)p[i].cpu, (unsigned long long)p[i].priority,
		       view_state_name(p[i].state));
		if (p[i].state == WARD_PROGRAM_EXITED)
			printf(" (status %llu)", (unsigned long long)p[i].code);
		else if (p[i].state == WARD_PROGRAM_FAULTED)
			printf(" (fault %llu)", (unsigned long long)p[i].code);
		else if (p[i].state == WARD_PROGRAM_KILLED)
			printf(" (by pid %llu)", (unsigned long long)p[i].code);
		printf("\n");
	}
}

void view_print_domains(void)
{
	struct program_view p[MONITOR_PROGRAMS];
	unsigned n = view_programs(p);
	uint64_t cursor = 0, next, domain, pid, width, did, devices, buffers, maps, faults;

	printf("domains:\n");
	printf("  %-6s %-12s %5s %5s %4s %7s %7s %5s %6s\n", "domain", "owner", "pid", "width",
	       "DID", "devices", "buffers", "maps", "faults");
	while (iommu_domain_status(monitor.iommu, cursor, &next, &domain, &pid, &width, &did,
	                           &devices, &buffers, &maps, &faults) == WARD_OK) {
		printf("  %-6llu %-12s %5llu %5llu %4llu %7llu %7llu %5llu %6llu\n",
		       (unsigned long long)domain, owner_name(p, n, domain, pid),
		       (unsigned long long)pid, (unsigned long long)width, (unsigned long long)did,
		       (unsigned long long)devices, (unsigned long long)buffers,
		       (unsigned long long)maps, (unsigned long long)faults);
		cursor = next;
	}
}

void view_print_faults(void)
{
	uint64_t seq, sbdf, iova, reason, flags, tsc, owner;
	unsigned shown = 0;

	for (uint64_t back = 0; iommu_fault_log(monitor.iommu, back, &seq, &sbdf, &iova, &reason,
	                                        &flags, &tsc, &owner) == WARD_OK;
	     back++, shown++)
		printf("  fault %llu: " SBDF_FMT
		       " %s at IOVA %#llx: reason %llu (%s), owner: domain "
		       "%llu (0: quarantine)\n",
		       (unsigned long long)seq, SBDF_ARGS(sbdf),
		       flags & IOMMU_FAULT_READ ? "read" : "write", (unsigned long long)iova,
		       (unsigned long long)reason, iommu_fault_reason_name(reason),
		       (unsigned long long)owner);
	if (shown == 0)
		printf("faults: none recorded\n");
	else
		printf("faults: the %u newest shown\n", shown);
}

const struct ward_cap_grant *view_endpoint(const char *program, const char *suffix)
{
	char name[WARD_GRANT_NAME_LEN];

	snprintf(name, sizeof(name), "%s.%s", program, suffix);
	return ward_grant(WARD_GRANT_ENDPOINT, name);
}

static const char *guest_state(uint64_t state)
{
	static const char *const names[] = {"booting", "idle", "running", "passed",
	                                    "failed",  "gone", "faulted"};
	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

/* The guest's devices, slot by slot, joined by '+' ("-": none). */
static void guest_devices(uint64_t ep, uint64_t guest, char *out, size_t size)
{
	uint64_t sbdf, kind, bar, rounds, failures;
	size_t n = 0;

	out[0] = '\0';
	for (uint64_t slot = 0; slot < VMM_GUEST_DEVICES; slot++)
		if (vmm_guest_device(ep, guest, slot, &sbdf, &kind, &bar, &rounds, &failures) ==
		            WARD_OK &&
		    sbdf != VMM_NO_DEVICE && n < size)
			n += (size_t)snprintf(out + n, size - n, "%s" SBDF_FMT, n != 0 ? "+" : "",
			                      SBDF_ARGS(sbdf));
	if (n == 0)
		snprintf(out, size, "-");
}

/* One VM monitor's guests: id, memory, GPA, CPU, devices, domain, what its program says. */
static void print_guests_of(const char *program, uint64_t ep)
{
	uint64_t guest, memory, gpa, cpu, prog, sbdf, state, rounds, domain;
	char device[40];

	for (uint64_t i = 0; vmm_list_guests(ep, i, &guest, &memory, &gpa, &cpu, &prog, &sbdf,
	                                     &state, &rounds, &domain) == WARD_OK;
	     i++) {
		guest_devices(ep, guest, device, sizeof(device));
		printf("  %-8s %5llu %6llu %#10llx %4llu %-8s %6llu  %s, %llu DMA rounds checked\n",
		       program, (unsigned long long)guest, (unsigned long long)(memory >> 20),
		       (unsigned long long)gpa, (unsigned long long)cpu, device,
		       (unsigned long long)domain, guest_state(state), (unsigned long long)rounds);
	}
}

void view_print_guests(void)
{
	struct program_view p[MONITOR_PROGRAMS];
	unsigned n = view_programs(p);

	printf("guests:\n");
	printf("  %-8s %5s %6s %10s %4s %-8s %6s  %s\n", "monitor", "guest", "MiB", "GPA", "cpu",
	       "device", "domain", "state");
	for (unsigned i = 0; i < n; i++) {
		const struct ward_cap_grant *ep = view_endpoint(p[i].name, "vmm");
		if (ep != NULL && p[i].state == WARD_PROGRAM_RUNNING)
			print_guests_of(p[i].name, ep->slot);
	}
}

void view_print_status(void)
{
	printf("---- status ----\n");
	view_print_devices();
	view_print_programs();
	view_print_guests();
	printf("----------------\n");
}

int64_t view_device_of(uint64_t pid)
{
	uint64_t cursor = 0, next, sbdf, id, class, group, owner, owner_pid, maps, faults, irqs;

	while (cursor < DEVICE_CURSOR &&
	       iommu_device_status(monitor.iommu, cursor, &next, &sbdf, &id, &class, &group, &owner,
	                           &owner_pid, &maps, &faults, &irqs) == WARD_OK) {
		if (owner != 0 && owner_pid == pid)
			return (int64_t)sbdf;
		cursor = next;
	}
	return -1;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The system manifest at boot (docs/manifest.md). States: NONE (no module
 * named `manifest`), PENDING, then APPLIED or REFUSED, never back.
 *
 * The root task decodes the module (manifest.c) and starts the boot
 * modules no program of the manifest runs (the servers), as without one.
 * It cannot then ask the PCI and IOMMU servers anything itself: its one
 * thread serves their system calls and faults, and a Call from it would
 * wait on a server that waits on it. So a second thread of the root task,
 * the manifest thread, does the asking while the main thread serves:
 *
 *   1. it finds each device of the manifest on the machine through the
 *      PCI server (LIST by SBDF, ID or class; SR-IOV for VFs) and its
 *      group through the IOMMU server (QUERY), and checks what only the
 *      machine can tell: absent devices, classes or IDs that match nothing,
 *      SR-IOV, groups given in part or split, CPUs, boot modules;
 *   2. with no error, it applies the manifest through the IOMMU server's
 *      ordinary protocol, as any holder of these caps would: CREATE_DOMAIN
 *      through a client cap badged with the program's pid (reserved before
 *      the program exists), so the domain, its quota and its end are the
 *      program's; ASSIGNMENT through the root task's privileged cap; ASSIGN
 *      through the assignment cap. A refused step releases every group it
 *      moved, so all devices are back in quarantine;
 *   3. it sends MANIFEST_DONE to the root service and stops.
 *
 * The main thread, handling MANIFEST_DONE, reports every error with the
 * manifest's file:line:column, and only if there is none starts each
 * program with exactly the caps its grants name (the start information
 * lists them: kind, name, SBDF, slot). Everything the manifest thread
 * touches (slots, endpoints, caps) is made before it starts; the main
 * thread reads its results only after MANIFEST_DONE arrives, so the IPC
 * orders the two and nothing locks. The thread makes no system call
 * (nothing would emulate it): its output goes to the kernel console.
 */
#include <stdio.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/sys.h>
#include <proc/slots.h>
#include <proc/untyped.h>
#include "iommu_badge.h"
#include "iommu_client.h"
#include "manifest.h"
#include "pci.h"
#include "pci_service.h"
#include "root.h"
#include "root_server.h"
#include "root_task.h"

#define MAX_ERRORS      32
#define ERROR_TEXT      96
#define THREAD_STACK    2048 /* words */
#define THREAD_IPC      2048 /* its IPC buffer: this offset in the root task's IPC-buffer frame */
#define ROOT_PID        1
#define CLIENT_RIGHTS   (WARD_RIGHT_WRITE | WARD_RIGHT_GRANT | WARD_RIGHT_GRANT_REPLY)
#define NO_DEVICE_INDEX 0xffff

struct found_device {
	bool found;
	bool deferred; /* a VF found only once its PF's VFs are enabled (apply_vfs) */
	uint32_t sbdf, group;
	uint16_t members;
};

struct boot_error {
	uint16_t line, column, problem, device;
	char text[ERROR_TEXT];
};

/* A grant made ready for the program: the root slot of its cap, and what the start info says. */
struct ready_grant {
	uint64_t slot;
	uint32_t sbdf;
	uint16_t count;
	uint64_t domain; /* DEVICE: the domain its group went to */
};

static struct manifest manifest;
static enum ward_manifest_state state = WARD_MANIFEST_STATE_NONE;
static const struct ward_module *manifest_module;
static struct found_device found[WARD_MANIFEST_MAX_DEVICES];
static struct ready_grant ready[WARD_MANIFEST_MAX_GRANTS];
static uint16_t vfs_needed[WARD_MANIFEST_MAX_DEVICES]; /* per PF: VFs to enable */
static uint64_t program_domains[WARD_MANIFEST_MAX_PROGRAMS];
static uint64_t assignment_caps[WARD_MANIFEST_MAX_DEVICES]; /* per device, 0: not fetched */
static uint64_t client_caps[WARD_MANIFEST_MAX_PROGRAMS];
static uint32_t program_pids[WARD_MANIFEST_MAX_PROGRAMS];
static struct root_proc *program_procs[WARD_MANIFEST_MAX_PROGRAMS];
static struct boot_error errors[MAX_ERRORS];
static unsigned error_count;
static uint64_t pci_cap, iommu_cap, done_cap; /* the manifest thread's caps */
static uint64_t slot_pool[2 * WARD_MANIFEST_MAX_GRANTS + WARD_MANIFEST_MAX_DEVICES];
static unsigned pool_next;
static uint64_t thread_stack[THREAD_STACK] __attribute__((aligned(16)));
static uintptr_t thread_block[WARD_TLS_BLOCK_WORDS] __attribute__((aligned(64)));
static uint64_t thread_tcb;

/* --- errors ------------------------------------------------------------ */

static void add_error(uint16_t line, uint16_t column, unsigned problem, unsigned device,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_error(uint16_t line, uint16_t column, unsigned problem, unsigned device,
                      const char *fmt, ...)
{
	struct boot_error *e;
	va_list ap;

	if (error_count == MAX_ERRORS)
		return;
	e = &errors[error_count++];
	*e = (struct boot_error){line, column, (uint16_t)problem, (uint16_t)device, {0}};
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
}

static void device_error(unsigned i, unsigned problem, const char *what)
{
	const struct manifest_device *d = &manifest.devices[i];

	add_error(d->line, d->column, problem, i, "device '%s' %s", d->name, what);
}

/* --- finding devices (manifest thread) ----------------------------------- */

/* The index-th function LIST matches (0 if there are fewer); *count how many there are. */
static uint32_t list_nth(uint64_t key, uint64_t key_mask, uint64_t sbdf, uint64_t sbdf_mask,
                         unsigned index, unsigned *count)
{
	uint64_t cursor = 0, next, n, s[PCI_LIST_BATCH];
	uint32_t hit = 0;

	*count = 0;
	/* Bounded: 256 batches are more functions than a segment has buses for. */
	for (unsigned batch = 0; cursor != PCI_LIST_END && batch < 256; batch++) {
		if (pci_list(pci_cap, cursor, key, key_mask, sbdf, sbdf_mask, &next, &n, &s[0],
		             &s[1], &s[2], &s[3], &s[4], &s[5], &s[6], &s[7]) != WARD_OK)
			break;
		for (uint64_t i = 0; i < n && i < PCI_LIST_BATCH; i++, (*count)++)
			if (*count == index)
				hit = (uint32_t)s[i];
		cursor = next;
	}
	return hit;
}

/* The DEVICE grant that gives device `pf` to a program, or -1. */
static int pf_grant(unsigned pf)
{
	for (unsigned g = 0; g < manifest.grant_count; g++)
		if (manifest.grants[g].kind == WARD_GRANT_DEVICE && manifest.grants[g].target == pf)
			return (int)g;
	return -1;
}

static void find_vf(unsigned i)
{
	const struct manifest_device *d = &manifest.devices[i];
	const struct found_device *pf = &found[d->value];
	uint64_t pf_sbdf, vf_index, total, enabled, first, stride, vf;

	if (!pf->found)
		return; /* its PF's error says why */
	if (pci_sriov_info(pci_cap, pf->sbdf, &pf_sbdf, &vf_index, &total, &enabled, &first,
	                   &stride) != WARD_OK) {
		device_error(i, WARD_MANIFEST_PROBLEM_NO_SRIOV,
		             "is a VF of a device without SR-IOV");
		return;
	}
	if (d->index > total) {
		device_error(i, WARD_MANIFEST_PROBLEM_VF, "is a VF beyond its PF's TotalVFs");
		return;
	}
	if (d->index > enabled && pf_grant(d->value) >= 0) {
		/* Enabled through the PF owner's device cap once it is assigned (apply_vfs). */
		found[i].deferred = true;
		if (vfs_needed[d->value] < d->index)
			vfs_needed[d->value] = d->index;
		return;
	}
	if (d->index > enabled || pci_vf(pci_cap, pf->sbdf, d->index - 1, &vf) != WARD_OK) {
		device_error(i, WARD_MANIFEST_PROBLEM_VF,
		             "is a VF its PF has not enabled, and no program owns the PF "
		             "(devices or groups) to enable it through");
		return;
	}
	found[i] = (struct found_device){.found = true, .sbdf = (uint32_t)vf};
}

static void find_device(unsigned i)
{
	const struct manifest_device *d = &manifest.devices[i];
	unsigned count;
	uint32_t sbdf = 0;

	switch (d->match) {
	case WARD_MANIFEST_MATCH_SBDF:
		if (list_nth(0, 0, d->value, 0xffffffffu, 0, &count), count == 0) {
			device_error(i, WARD_MANIFEST_PROBLEM_ABSENT, "is not on this machine");
			return;
		}
		sbdf = d->value;
		break;
	case WARD_MANIFEST_MATCH_ID:
		sbdf = list_nth(PCI_LIST_KEY(0, d->value & 0xffff, d->value >> 16),
		                PCI_LIST_KEY_ID_MASK, 0, 0, d->index, &count);
		break;
	case WARD_MANIFEST_MATCH_CLASS:
		sbdf = list_nth(PCI_LIST_KEY(d->value, 0, 0), PCI_LIST_KEY(d->mask, 0, 0), 0, 0,
		                d->index, &count);
		break;
	default:
		find_vf(i);
		return;
	}
	if (count <= d->index) {
		device_error(i, WARD_MANIFEST_PROBLEM_NO_MATCH,
		             count == 0 ? "matches nothing on this machine"
		                        : "has an index beyond the devices that match");
		return;
	}
	found[i] = (struct found_device){.found = true, .sbdf = sbdf};
}

/* The group of each found device, from the IOMMU server's ledger. */
static void find_group(unsigned i)
{
	uint64_t owner, pid, group, members, nalias, pf, vfs, gen;

	if (!found[i].found)
		return;
	if (iommu_query(iommu_cap, found[i].sbdf, &owner, &pid, &group, &members, &nalias, &pf,
	                &vfs, &gen) != WARD_OK) {
		device_error(i, WARD_MANIFEST_PROBLEM_NO_IOMMU,
		             "is behind no IOMMU remapping unit");
		found[i].found = false;
		return;
	}
	found[i].group = (uint32_t)group;
	found[i].members = (uint16_t)members;
}

/* --- checking what the programs are given (manifest thread) -------------- */

static bool module_exists(const char *name)
{
	for (uint32_t i = 1; i < ward_bootinfo->module_count; i++)
		if (strcmp(ward_bootinfo->modules[i].name, name) == 0)
			return true;
	return false;
}

/* The program owning device group `group` through a DEVICE grant before grant g, or -1. */
static int earlier_owner(uint32_t group, unsigned g)
{
	for (unsigned p = 0; p < manifest.program_count; p++) {
		const struct manifest_program *pr = &manifest.programs[p];
		for (unsigned k = pr->grant_first; k < pr->grant_first + pr->grant_count && k < g;
		     k++)
			if (manifest.grants[k].kind == WARD_GRANT_DEVICE &&
			    found[manifest.grants[k].target].found &&
			    found[manifest.grants[k].target].group == group)
				return (int)p;
	}
	return -1;
}

static void check_grant(unsigned p, unsigned g)
{
	const struct manifest_grant *gr = &manifest.grants[g];
	const struct found_device *f = &found[gr->target];
	int other;

	if (gr->kind != WARD_GRANT_DEVICE || !f->found)
		return;
	if (f->members > 1 && !(gr->flags & WARD_MANIFEST_WHOLE_GROUP))
		add_error(gr->line, gr->column, WARD_MANIFEST_PROBLEM_GROUP, gr->target,
		          "device '%s' shares its IOMMU group with %u others: give the group "
		          "(groups = [...])",
		          gr->name, f->members - 1u);
	other = earlier_owner(f->group, g);
	if (other >= 0 && (unsigned)other != p)
		add_error(gr->line, gr->column, WARD_MANIFEST_PROBLEM_SPLIT, gr->target,
		          "device '%s' is in a group program '%s' owns too: a group is not split",
		          gr->name, manifest.programs[other].name);
}

static void check_program(unsigned p)
{
	const struct manifest_program *pr = &manifest.programs[p];

	if (pr->cpu >= ward_bootinfo->cpu_count)
		add_error(pr->line, pr->column, WARD_MANIFEST_PROBLEM_CPU, NO_DEVICE_INDEX,
		          "program '%s': CPU %u is not on this machine (it has %u)", pr->name,
		          pr->cpu, ward_bootinfo->cpu_count);
	if (!module_exists(pr->module))
		add_error(pr->line, pr->column, WARD_MANIFEST_PROBLEM_MODULE, NO_DEVICE_INDEX,
		          "program '%s': no boot module '%s'", pr->name, pr->module);
	for (unsigned g = pr->grant_first; g < pr->grant_first + pr->grant_count; g++)
		check_grant(p, g);
}

static void check_machine(void)
{
	for (unsigned i = 0; i < manifest.device_count; i++)
		if (manifest.devices[i].match != WARD_MANIFEST_MATCH_VF)
			find_device(i);
	for (unsigned i = 0; i < manifest.device_count; i++)
		if (manifest.devices[i].match == WARD_MANIFEST_MATCH_VF)
			find_device(i);
	for (unsigned i = 0; i < manifest.device_count; i++)
		find_group(i);
	for (unsigned p = 0; p < manifest.program_count; p++)
		check_program(p);
}

/* --- applying (manifest thread) ------------------------------------------ */

static uint64_t pool_slot(void)
{
	return pool_next < sizeof(slot_pool) / sizeof(slot_pool[0]) ? slot_pool[pool_next++] : 0;
}

static void apply_error(const struct manifest_grant *gr, const char *step, enum ward_error err)
{
	add_error(gr->line, gr->column, WARD_MANIFEST_PROBLEM_APPLY, NO_DEVICE_INDEX,
	          "'%s': the IOMMU server refused %s (error %#x)", gr->name, step, (unsigned)err);
}

static enum ward_error fetch_assignment(unsigned device)
{
	uint64_t slot, group, members;
	enum ward_error err;

	if (assignment_caps[device] != 0)
		return WARD_OK;
	if ((slot = pool_slot()) == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	err = iommu_assignment_into(iommu_cap, WARD_CAP_INIT_CNODE, slot, found[device].sbdf,
	                            &group, &members);
	if (err == WARD_OK)
		assignment_caps[device] = slot;
	return err;
}

/* One grant made ready; false (with the error added) if a step fails. */
/* The console's receive interrupt (ward/bootinfo.h): an edge-triggered, active-high GSI. */
static bool apply_console_irq(unsigned g)
{
	const struct ward_bootinfo *bi = ward_bootinfo;
	uint64_t slot = pool_slot(), vector;
	enum ward_error err = WARD_ERR_NOT_ENOUGH_MEMORY;

	if (slot == 0 ||
	    (err = ward_irq_control_get_ioapic(WARD_CAP_IRQ_CONTROL, WARD_CAP_INIT_CNODE, slot, 64,
	                                       bi->console_gsi, 0, 0, &vector)) != WARD_OK) {
		apply_error(&manifest.grants[g], "the console's interrupt", err);
		return false;
	}
	ready[g] = (struct ready_grant){slot, bi->console_gsi, 1, 0};
	return true;
}

static bool apply_grant(unsigned g, uint64_t domain)
{
	const struct manifest_grant *gr = &manifest.grants[g];
	const struct found_device *f = &found[gr->target];
	uint64_t slot, moved, gen;
	enum ward_error err;

	switch (gr->kind) {
	case WARD_GRANT_DOMAIN:
		return true; /* its own: made before its other grants; another's: when it starts */
	case WARD_GRANT_SERVE: /* its endpoint is made before the thread starts (prepare) */
	case WARD_GRANT_ENDPOINT:
		return true;    /* minted from the SERVE grant's endpoint when the program starts */
	case WARD_GRANT_IOPORT: /* a copy of the console's read-only cap, when it starts */
	case WARD_GRANT_ROOT:   /* minted for its pid when it starts */
		return true;
	case WARD_GRANT_IRQ:
		return apply_console_irq(g);
	case WARD_GRANT_ASSIGNMENT:
		if ((err = fetch_assignment(gr->target)) != WARD_OK) {
			apply_error(gr, "ASSIGNMENT", err);
			return false;
		}
		ready[g] =
		        (struct ready_grant){assignment_caps[gr->target], f->sbdf, f->members, 0};
		return true;
	default:
		break;
	}
	/* A group named twice (groups = ["fn0", "fn1"]) moves once; one device cap serves both. */
	for (unsigned k = 0; k < g; k++)
		if (manifest.grants[k].kind == WARD_GRANT_DEVICE && ready[k].domain == domain &&
		    ready[k].slot != 0 && found[manifest.grants[k].target].group == f->group) {
			ready[g] = (struct ready_grant){ready[k].slot, f->sbdf, f->members, domain};
			return true;
		}
	if (domain == 0 || (slot = pool_slot()) == 0) {
		apply_error(gr, "nothing: no domain or slot for it", WARD_ERR_NOT_ENOUGH_MEMORY);
		return false;
	}
	if ((err = fetch_assignment(gr->target)) != WARD_OK) {
		apply_error(gr, "ASSIGNMENT", err);
		return false;
	}
	err = iommu_assign_into(assignment_caps[gr->target], WARD_CAP_INIT_CNODE, slot, f->sbdf,
	                        (gr->flags & WARD_MANIFEST_WHOLE_GROUP) ? IOMMU_ASSIGN_GROUP : 0,
	                        domain, &moved, &gen);
	if (err != WARD_OK) {
		apply_error(gr, "ASSIGN", err);
		return false;
	}
	ready[g] = (struct ready_grant){slot, f->sbdf, f->members, domain};
	return true;
}

/* The program's domain, through a client cap badged with its pid: the domain is its. */
static bool apply_domain(unsigned p, uint64_t *domain)
{
	const struct manifest_program *pr = &manifest.programs[p];
	uint64_t slot, id, width;
	enum ward_error err;

	*domain = 0;
	for (unsigned g = pr->grant_first; g < pr->grant_first + pr->grant_count; g++) {
		const struct manifest_grant *gr = &manifest.grants[g];
		if (gr->kind != WARD_GRANT_DOMAIN)
			continue;
		if ((slot = pool_slot()) == 0)
			return apply_error(gr, "nothing: no slot", WARD_ERR_NOT_ENOUGH_MEMORY),
			       false;
		err = iommu_create_domain_into(client_caps[p], WARD_CAP_INIT_CNODE, slot, 0, &id,
		                               &width);
		if (err != WARD_OK)
			return apply_error(gr, "CREATE_DOMAIN", err), false;
		ready[g] = (struct ready_grant){slot, 0, 0, 0};
		*domain = slot;
	}
	return true;
}

/* Every group moved so far goes back to quarantine (a failure still ends there). */
static void roll_back(void)
{
	for (unsigned g = 0; g < manifest.grant_count; g++) {
		const struct manifest_grant *gr = &manifest.grants[g];
		uint64_t moved;
		if (gr->kind == WARD_GRANT_DEVICE && ready[g].slot != 0)
			iommu_release(assignment_caps[gr->target], found[gr->target].sbdf,
			              (gr->flags & WARD_MANIFEST_WHOLE_GROUP) ? IOMMU_ASSIGN_GROUP
			                                                      : 0,
			              &moved);
	}
}

/* The grants of program p whose device is found (pass 0) or was deferred (pass 1). */
static bool apply_grants(unsigned p, bool deferred)
{
	const struct manifest_program *pr = &manifest.programs[p];

	for (unsigned g = pr->grant_first; g < pr->grant_first + pr->grant_count; g++) {
		const struct manifest_grant *gr = &manifest.grants[g];
		bool on_device = gr->kind == WARD_GRANT_DEVICE || gr->kind == WARD_GRANT_ASSIGNMENT;
		if (gr->kind == WARD_GRANT_SERVE ||
		    (on_device ? found[gr->target].deferred : false) != deferred)
			continue;
		if (!apply_grant(g, program_domains[p]))
			return false;
	}
	return true;
}

/*
 * SRIOV_ENABLE through the device cap of each PF whose VFs the manifest
 * names, now that its owner's domain holds it; then the VFs are found and
 * checked as the other devices were before anything moved.
 */
static bool apply_vfs(void)
{
	uint64_t first, stride, vf;
	unsigned before = error_count;

	for (unsigned pf = 0; pf < manifest.device_count; pf++) {
		const struct manifest_grant *gr;
		enum ward_error err;
		if (vfs_needed[pf] == 0)
			continue;
		gr = &manifest.grants[pf_grant(pf)];
		err = iommu_sriov_enable(ready[gr - manifest.grants].slot, found[pf].sbdf,
		                         vfs_needed[pf], &first, &stride);
		if (err != WARD_OK)
			return apply_error(gr, "SRIOV_ENABLE", err), false;
	}
	for (unsigned i = 0; i < manifest.device_count; i++) {
		const struct manifest_device *d = &manifest.devices[i];
		if (!found[i].deferred)
			continue;
		if (pci_vf(pci_cap, found[d->value].sbdf, d->index - 1, &vf) != WARD_OK) {
			device_error(i, WARD_MANIFEST_PROBLEM_VF, "was not enabled by its PF");
			continue;
		}
		found[i].found = true;
		found[i].sbdf = (uint32_t)vf;
		find_group(i);
	}
	for (unsigned p = 0; p < manifest.program_count; p++)
		for (unsigned g = manifest.programs[p].grant_first;
		     g < manifest.programs[p].grant_first + manifest.programs[p].grant_count; g++)
			if (manifest.grants[g].kind == WARD_GRANT_DEVICE &&
			    found[manifest.grants[g].target].deferred)
				check_grant(p, g);
	return error_count == before;
}

static void apply(void)
{
	bool ok = true;

	for (unsigned p = 0; ok && p < manifest.program_count; p++)
		ok = apply_domain(p, &program_domains[p]) && apply_grants(p, false);
	ok = ok && apply_vfs();
	for (unsigned p = 0; ok && p < manifest.program_count; p++)
		ok = apply_grants(p, true);
	if (!ok)
		roll_back();
}

__attribute__((noreturn)) static void manifest_thread(void)
{
	if (pci_cap == 0 || iommu_cap == 0)
		add_error(0, 0, WARD_MANIFEST_PROBLEM_NO_SERVER, NO_DEVICE_INDEX,
		          "no PCI or IOMMU server to apply the manifest through");
	else
		check_machine();
	if (error_count == 0)
		apply();
	root_manifest_done(done_cap);
	for (;;)
		ward_tcb_suspend(thread_tcb);
}

/* --- the main thread --------------------------------------------------- */

void root_manifest_load(void)
{
	const struct ward_bootinfo *bi = ward_bootinfo;
	const char *why;
	size_t offset;

	for (uint32_t i = 1; i < bi->module_count; i++)
		if (strcmp(bi->modules[i].name, "manifest") == 0)
			manifest_module = &bi->modules[i];
	if (manifest_module == NULL)
		return;
	if (manifest_decode((const void *)manifest_module->vaddr, manifest_module->size, &manifest,
	                    &why, &offset) != 0) {
		printf("manifest: the module is malformed: %s (byte %zu): starting only the "
		       "servers\n",
		       why, offset);
		add_error(0, 0, WARD_MANIFEST_PROBLEM_DECODE, NO_DEVICE_INDEX, "malformed: %s",
		          why);
		memset(&manifest, 0, sizeof(manifest));
		state = WARD_MANIFEST_STATE_REFUSED;
		return;
	}
	printf("manifest %s: %u programs, %u devices\n", manifest.source, manifest.program_count,
	       manifest.device_count);
	state = WARD_MANIFEST_STATE_PENDING;
}

bool root_manifest_starts_alone(const struct ward_module *m)
{
	if (manifest_module == NULL)
		return true;
	if (m == manifest_module)
		return false;
	if (state == WARD_MANIFEST_STATE_REFUSED) /* undecodable: only servers */
		return strstr(m->args, "server") != NULL;
	for (unsigned p = 0; p < manifest.program_count; p++)
		if (strcmp(manifest.programs[p].module, m->name) == 0)
			return false;
	return true;
}

bool root_manifest_pending(void)
{
	return state == WARD_MANIFEST_STATE_PENDING;
}

/* Caps and slots the manifest thread uses, made before it runs. */
static bool prepare(void)
{
	for (unsigned i = 0; i < sizeof(slot_pool) / sizeof(slot_pool[0]); i++)
		if ((slot_pool[i] = proc_slot_alloc()) == 0)
			return false;
	for (unsigned g = 0; g < manifest.grant_count; g++)
		if (manifest.grants[g].kind == WARD_GRANT_SERVE &&
		    proc_object(WARD_OBJ_ENDPOINT, 0, &ready[g].slot) != WARD_OK)
			return false;
	for (unsigned p = 0; p < manifest.program_count; p++) {
		program_pids[p] = root_pid_reserve();
		if ((client_caps[p] = proc_slot_alloc()) == 0 ||
		    root_mint_iommu(client_caps[p], iommu_badge_client(program_pids[p], false)) !=
		            WARD_OK)
			return false;
	}
	if ((pci_cap = proc_slot_alloc()) == 0 || (iommu_cap = proc_slot_alloc()) == 0 ||
	    (done_cap = proc_slot_alloc()) == 0)
		return false;
	if (root_mint_pci(pci_cap, PCI_BADGE_PRIVILEGED) != WARD_OK)
		pci_cap = 0;
	if (root_mint_iommu(iommu_cap, iommu_badge_client(ROOT_PID, true)) != WARD_OK)
		iommu_cap = 0;
	return ward_cnode_mint(WARD_CAP_INIT_CNODE, done_cap, 64, WARD_CAP_INIT_CNODE,
	                       root_endpoint, 64, CLIENT_RIGHTS,
	                       ROOT_BADGE_SERVICE | ROOT_PID) == WARD_OK;
}

static bool start_thread(void)
{
	uint64_t regs[WARD_REG_COUNT] = {0};
	uint64_t ipc_va = ward_bootinfo->ipc_buffer + THREAD_IPC;

	if (proc_object(WARD_OBJ_TCB, 0, &thread_tcb) != WARD_OK)
		return false;
	ward_thread_block_init(thread_block, (struct ward_ipc_buffer *)ipc_va);
	regs[WARD_REG_RIP] = (uint64_t)manifest_thread;
	regs[WARD_REG_RSP] = (uint64_t)&thread_stack[THREAD_STACK - 1]; /* as after a call */
	regs[WARD_REG_FS_BASE] = (uint64_t)thread_block;
	return ward_tcb_configure(thread_tcb, WARD_CAP_INIT_CNODE, WARD_CAP_INIT_VSPACE,
	                          WARD_CAP_INIT_IPC_BUFFER, ipc_va) == WARD_OK &&
	       ward_tcb_set_priority(thread_tcb, WARD_CAP_INIT_TCB, ROOT_PROC_PRIORITY) ==
	               WARD_OK &&
	       ward_debug_name(thread_tcb, "root-manifest") == WARD_OK &&
	       ward_tcb_write_registers(thread_tcb, 1, WARD_REG_COUNT, regs) == WARD_OK;
}

void root_manifest_begin(void)
{
	if (state != WARD_MANIFEST_STATE_PENDING)
		return;
	if (!prepare() || !start_thread()) {
		printf("manifest: cannot make the caps or thread to apply it: refused\n");
		state = WARD_MANIFEST_STATE_REFUSED;
	}
}

/* --- MANIFEST_DONE and what follows (main thread) ------------------------ */

static void report(void)
{
	for (unsigned i = 0; i < error_count; i++)
		printf("manifest error: %s:%u:%u: %s\n", manifest.source, errors[i].line,
		       errors[i].column, errors[i].text);
	if (error_count != 0)
		printf("manifest %s: %u error(s): no program started; the servers run and every "
		       "device stays in quarantine\n",
		       manifest.source, error_count);
}

static void start_programs(void)
{
	for (unsigned p = 0; p < manifest.program_count; p++) {
		const struct manifest_program *pr = &manifest.programs[p];
		struct root_program_config c = {
		        .index = p,
		        .pid = program_pids[p],
		        .name = pr->name,
		        .module = pr->module,
		        .args = pr->args,
		        .priority = pr->priority,
		        .cpu = pr->cpu,
		        .memory_mib = pr->memory_mib,
		};
		program_procs[p] = root_start_program(&c);
	}
}

enum ward_error root_serve_manifest_done(struct ward_request *rq)
{
	if ((rq->badge & ROOT_BADGE_PID) != ROOT_PID || state != WARD_MANIFEST_STATE_PENDING)
		return ROOT_ERR_DENIED;
	report();
	state = error_count == 0 ? WARD_MANIFEST_STATE_APPLIED : WARD_MANIFEST_STATE_REFUSED;
	if (state == WARD_MANIFEST_STATE_APPLIED) {
		printf("manifest %s applied through the IOMMU server: starting %u programs\n",
		       manifest.source, manifest.program_count);
		start_programs();
	}
	return WARD_OK;
}

/* The caps of program index's grants into its CSpace, listed in its start information. */
bool root_manifest_grant(unsigned index, struct proc *p, const char **why)
{
	const struct manifest_program *pr = &manifest.programs[index];

	*why = "cannot give a cap the manifest names";
	for (unsigned g = pr->grant_first; g < pr->grant_first + pr->grant_count; g++) {
		const struct manifest_grant *gr = &manifest.grants[g];
		struct ward_cap_grant *out = &p->info.grants[p->info.grant_count];
		uint64_t slot = p->next_role_slot;
		enum ward_error err;

		if (slot >= p->info.free_last || p->info.grant_count == WARD_STARTINFO_GRANTS)
			return false;
		struct ready_grant given = ready[g];

		if (gr->kind == WARD_GRANT_ENDPOINT) {
			err = proc_give_mint(p, slot, ready[gr->target].slot, CLIENT_RIGHTS,
			                     p->pid);
		} else if (gr->kind == WARD_GRANT_ROOT) {
			err = proc_give_mint(p, slot, root_endpoint, CLIENT_RIGHTS,
			                     ROOT_BADGE_SERVICE | ROOT_BADGE_CONTROL | p->pid);
		} else if (gr->kind == WARD_GRANT_IOPORT) {
			given = (struct ready_grant){WARD_CAP_CONSOLE_RECEIVE,
			                             ward_bootinfo->console_port,
			                             ward_bootinfo->console_ports, 0};
			err = proc_give_copy(p, slot, given.slot, WARD_RIGHT_READ);
		} else if (gr->kind == WARD_GRANT_DOMAIN &&
		           (gr->flags & WARD_MANIFEST_OTHER_DOMAIN)) {
			/* Another program's domain, for moving devices into it (`assign_to`). */
			given = (struct ready_grant){program_domains[gr->target], 0, 0, 0};
			err = given.slot != 0 ? proc_give_copy(p, slot, given.slot, WARD_RIGHTS_ALL)
			                      : WARD_ERR_INVALID_CAPABILITY;
		} else {
			err = proc_give_copy(p, slot, ready[g].slot, WARD_RIGHTS_ALL);
		}
		if (err != WARD_OK)
			return false;
		p->next_role_slot++;
		*out = (struct ward_cap_grant){
		        (uint32_t)slot, gr->kind, given.count, given.sbdf, {0}};
		strncpy(out->name, gr->name, sizeof(out->name) - 1);
		p->info.grant_count++;
	}
	return true;
}

enum ward_error root_serve_manifest_status(struct ward_request *rq, uint64_t *st, uint64_t *errs,
                                           uint64_t *programs)
{
	(void)rq;
	*st = state;
	*errs = error_count;
	*programs = manifest.program_count;
	return WARD_OK;
}

enum ward_error root_serve_manifest_error(struct ward_request *rq, uint64_t index, uint64_t *line,
                                          uint64_t *column, uint64_t *problem, uint64_t *device)
{
	(void)rq;
	/* Only once the thread is done: before, its table is being written. */
	if (index >= error_count || state == WARD_MANIFEST_STATE_PENDING)
		return WARD_ERR_RANGE;
	*line = errors[index].line;
	*column = errors[index].column;
	*problem = errors[index].problem;
	*device = errors[index].device == NO_DEVICE_INDEX ? ~0ULL : errors[index].device;
	return WARD_OK;
}

enum ward_error root_serve_manifest_program(struct ward_request *rq, uint64_t index, uint64_t *pid,
                                            uint64_t *running)
{
	const struct root_proc *rp;

	(void)rq;
	if (index >= manifest.program_count)
		return WARD_ERR_RANGE;
	rp = program_procs[index];
	*pid = rp != NULL ? rp->proc.pid : 0;
	*running = rp != NULL && rp->state == ROOT_PROC_RUNNING;
	return WARD_OK;
}

struct root_proc *root_manifest_program_proc(unsigned index)
{
	return index < manifest.program_count ? program_procs[index] : NULL;
}

unsigned root_manifest_program_count(void)
{
	return manifest.program_count;
}

void root_manifest_program_gone(unsigned index)
{
	const struct manifest_program *pr;

	if (index >= manifest.program_count)
		return;
	pr = &manifest.programs[index];
	for (unsigned g = pr->grant_first; g < pr->grant_first + pr->grant_count; g++) {
		if (manifest.grants[g].kind != WARD_GRANT_SERVE || ready[g].slot == 0)
			continue;
		/* Every client's badged copy first, then the endpoint itself. */
		ward_cnode_revoke(WARD_CAP_INIT_CNODE, ready[g].slot, 64);
		ward_cnode_delete(WARD_CAP_INIT_CNODE, ready[g].slot, 64);
		ready[g].slot = 0;
	}
}

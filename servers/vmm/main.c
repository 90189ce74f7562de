/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM monitor program (docs/vmm.md), started by the system manifest:
 *
 *   [programs.vmm]
 *   module = "servers/vmm/vmm"
 *   args = "untyped=22 quota=8 server guest=2,1,selftest,2,edu0"
 *   memory = 16
 *   may_assign = ["edu0"]  # assignment caps: the devices it may place
 *   serves = ["vmm"]       # vmm.protocol
 *
 * `untyped` is its own memory (guests' processes), `quota` the MiB of
 * guest memory in all, each `guest=` a guest made at start (boot_guests()).
 * It finds its grants (the SERVE endpoint "vmm", every ASSIGNMENT grant),
 * asks the IOMMU server each assignable device's group, makes the guests
 * its arguments name, and serves vmm.protocol on libs/ipc's loop, one
 * request at a time, to completion.
 * Guest memory is lent by the IOMMU server to this program (its client
 * quota: 8 domains, 8 MiB), so `quota` is at most 8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/rt.h>
#include <ward/server.h>
#include <ward/startinfo.h>
#include <proc/slots.h>
#include <proc/untyped.h>

#include "vmm.h"
#include "vmm_state.h"
#include "vmm_server.h"

#define MIB           (1ULL << 20)
#define DEFAULT_QUOTA 8 /* MiB: the IOMMU server's limit per client */

static struct vmm monitor;

enum ward_error vmm_serve_create_guest(struct ward_request *rq, uint64_t memory, uint64_t gpa,
                                       uint64_t cpu, uint64_t program, uint64_t arg,
                                       uint64_t *guest, uint64_t *phys)
{
	struct vmm_guest *g;
	enum ward_error err = vmm_create(rq->ctx, rq, memory, gpa, cpu, program, arg, &g);

	if (err != WARD_OK)
		return err;
	*guest = g->id;
	*phys = g->phys;
	printf("vmm: guest %llu: %llu MiB at GPA %#llx (frames of %llu KiB from %#llx), CPU %llu\n",
	       (unsigned long long)g->id, (unsigned long long)(memory / MIB),
	       (unsigned long long)gpa, (unsigned long long)(g->frame_size >> 10),
	       (unsigned long long)g->phys, (unsigned long long)cpu);
	return WARD_OK;
}

enum ward_error vmm_serve_destroy_guest(struct ward_request *rq, uint64_t guest, uint64_t *busy)
{
	struct vmm_guest *g = vmm_guest_find(rq->ctx, guest);

	if (g == NULL)
		return ward_fail(rq, VMM_ERR_NO_GUEST, 0, 0, 0);
	*busy = 0;
	return vmm_destroy(rq->ctx, rq, g, busy);
}

static enum ward_error find(struct ward_request *rq, uint64_t sbdf, uint64_t arg,
                            struct vmm_device **d)
{
	if ((*d = vmm_device_find(rq->ctx, sbdf)) == NULL)
		return ward_fail(rq, VMM_ERR_NOT_ASSIGNABLE, arg, sbdf, 0);
	return WARD_OK;
}

enum ward_error vmm_serve_assign_device(struct ward_request *rq, uint64_t guest, uint64_t sbdf,
                                        uint64_t *bar_gpa)
{
	struct vmm_guest *g = vmm_guest_find(rq->ctx, guest);
	struct vmm_device *d;
	enum ward_error err;

	if (g == NULL)
		return ward_fail(rq, VMM_ERR_NO_GUEST, 0, 0, 0);
	if ((err = find(rq, sbdf, 1, &d)) != WARD_OK)
		return err;
	if (d->guest != NULL && d->guest != g) /* held elsewhere: MOVE_DEVICE says so */
		return ward_fail(rq, VMM_ERR_ATTACHED, 1, sbdf, d->guest->id);
	if ((err = vmm_move(rq->ctx, rq, d, g)) != WARD_OK)
		return err;
	*bar_gpa = vmm_slot_gpa(d->slot);
	return WARD_OK;
}

enum ward_error vmm_serve_move_device(struct ward_request *rq, uint64_t sbdf, uint64_t guest,
                                      uint64_t *from)
{
	struct vmm_guest *to = guest != 0 ? vmm_guest_find(rq->ctx, guest) : NULL;
	struct vmm_device *d;
	enum ward_error err;

	if (guest != 0 && to == NULL)
		return ward_fail(rq, VMM_ERR_NO_GUEST, 1, 0, 0);
	if ((err = find(rq, sbdf, 0, &d)) != WARD_OK)
		return err;
	*from = d->guest != NULL ? d->guest->id : 0;
	return vmm_move(rq->ctx, rq, d, to);
}

enum ward_error vmm_serve_list_guests(struct ward_request *rq, uint64_t index, uint64_t *guest,
                                      uint64_t *memory, uint64_t *gpa, uint64_t *cpu,
                                      uint64_t *program, uint64_t *sbdf, uint64_t *state,
                                      uint64_t *rounds, uint64_t *domain)
{
	struct vmm *m = rq->ctx;
	uint64_t n = 0;

	for (unsigned i = 0; i < VMM_MAX_GUESTS; i++) {
		struct vmm_guest *g = &m->guests[i];

		if (!g->live || n++ != index)
			continue;
		*guest = g->id;
		*memory = g->memory;
		*gpa = g->gpa;
		*cpu = g->cpu;
		*program = g->program;
		*sbdf = g->device[0] != NULL ? g->device[0]->sbdf : VMM_NO_DEVICE;
		*state = vmm_guest_state(g);
		*rounds = g->boot->rounds;
		*domain = g->domain_owner;
		return WARD_OK;
	}
	return ward_fail(rq, WARD_ERR_RANGE, 0, 0, n);
}

enum ward_error vmm_serve_guest_status(struct ward_request *rq, uint64_t guest, uint64_t *state,
                                       uint64_t *rounds, uint64_t *failures, uint64_t *detail,
                                       uint64_t *device_gen)
{
	struct vmm_guest *g = vmm_guest_find(rq->ctx, guest);

	if (g == NULL)
		return ward_fail(rq, VMM_ERR_NO_GUEST, 0, 0, 0);
	*state = vmm_guest_state(g);
	*rounds = g->boot->rounds;
	*failures = g->boot->failures;
	*detail = g->fault != 0 ? g->fault_addr : g->boot->detail;
	*device_gen = g->boot->seen_gen;
	return WARD_OK;
}

enum ward_error vmm_serve_guest_device(struct ward_request *rq, uint64_t guest, uint64_t slot,
                                       uint64_t *sbdf, uint64_t *kind, uint64_t *bar_gpa,
                                       uint64_t *rounds, uint64_t *failures)
{
	struct vmm_guest *g = vmm_guest_find(rq->ctx, guest);
	const struct vmm_device *d;

	if (g == NULL)
		return ward_fail(rq, VMM_ERR_NO_GUEST, 0, 0, 0);
	if (slot >= VMM_GUEST_DEVICES)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 0, VMM_GUEST_DEVICES - 1);
	d = g->device[slot];
	*sbdf = d != NULL ? d->sbdf : VMM_NO_DEVICE;
	*kind = d != NULL ? d->kind : VMM_KIND_NONE;
	*bar_gpa = d != NULL ? vmm_slot_gpa((unsigned)slot) : 0;
	*rounds = d != NULL ? g->boot->device[slot].rounds : 0;
	*failures = d != NULL ? g->boot->device[slot].failures : 0;
	return WARD_OK;
}

enum ward_error vmm_serve_guest_hash(struct ward_request *rq, uint64_t guest, uint64_t gpa,
                                     uint64_t length, uint64_t *hash)
{
	struct vmm_guest *g = vmm_guest_find(rq->ctx, guest);

	if (g == NULL)
		return ward_fail(rq, VMM_ERR_NO_GUEST, 0, 0, 0);
	if (gpa < g->gpa || length > g->memory || gpa - g->gpa > g->memory - length)
		return ward_fail(rq, WARD_ERR_RANGE, 1, g->gpa, g->gpa + g->memory - 1);
	*hash = vmm_hash((const uint8_t *)g->boot + (gpa - g->gpa), length);
	return WARD_OK;
}

enum ward_error vmm_serve_devices(struct ward_request *rq, uint64_t index, uint64_t *sbdf,
                                  uint64_t *group, uint64_t *members, uint64_t *granted,
                                  uint64_t *guest)
{
	struct vmm *m = rq->ctx;
	struct vmm_device *d;

	if (index >= m->device_count)
		return ward_fail(rq, WARD_ERR_RANGE, 0, 0, m->device_count);
	d = &m->devices[index];
	*sbdf = d->sbdf;
	*group = d->group;
	*members = d->members;
	*granted = d->granted;
	*guest = d->guest != NULL ? d->guest->id : 0;
	return WARD_OK;
}

/*
 * libs/ipc's server loop (ward_server_run) with one addition: a message
 * whose badge has VMM_BADGE_FAULT is a guest's fault (every guest's TCB
 * has this endpoint, minted with the bit and its id, as fault handler): it
 * is recorded and answered with WARD_FAULT_REPLY_STOP, so the guest stays
 * stopped and the monitor serves on. No request carries a cap.
 */
static uint64_t serve(struct vmm *m, uint64_t ep, uint64_t reply)
{
	static uint64_t in[WARD_MSG_MAX_LENGTH];
	static struct ward_reply out;
	struct ward_ipc_buffer *buf = ward_ipc_buffer();
	uint64_t mr[WARD_MSG_REGISTERS] = {0}, badge;
	ward_msginfo_t info;

	buf->receive_cnode = buf->receive_index = buf->receive_depth = 0;
	info = ward_recv(ep, reply, &badge, mr);
	for (;;) {
		struct ward_request rq;

		if (badge == 0) { /* a failed Recv or a stop request, as ward_server_run */
			const uint64_t none[WARD_MSG_REGISTERS] = {0};

			ward_reply(reply, ward_msginfo(WARD_OK, 0, 0, 0), none);
			return ward_msginfo_label(info);
		}
		if (badge & VMM_BADGE_FAULT) {
			vmm_guest_fault(m, badge & ~VMM_BADGE_FAULT, ward_msginfo_label(info), mr);
			info = ward_reply_recv(ep, reply,
			                       ward_msginfo(WARD_FAULT_REPLY_STOP, 0, 0, 0), &badge,
			                       mr);
			continue;
		}
		ward_request_init(&rq, badge, info, in, 0, &out);
		for (unsigned i = 0; i < rq.length; i++)
			in[i] = i < WARD_MSG_REGISTERS ? mr[i] : buf->msg[i];
		rq.ctx = m;
		ward_request_caps(&rq, buf->caps_or_badges);
		ward_dispatch(&vmm_protocol, &rq);
		for (unsigned i = 0; i < out.length; i++) {
			if (i < WARD_MSG_REGISTERS)
				mr[i] = out.mr[i];
			else
				buf->msg[i] = out.mr[i];
		}
		info = ward_reply_recv(ep, reply, ward_msginfo(out.label, 0, 0, out.length), &badge,
		                       mr);
	}
}

/* The ASSIGNMENT grant named `name` (n characters), or NULL. */
static struct vmm_device *device_named(struct vmm *m, const char *name, size_t n)
{
	for (unsigned i = 0; i < m->device_count; i++)
		if (strlen(m->devices[i].grant->name) == n &&
		    strncmp(m->devices[i].grant->name, name, n) == 0)
			return &m->devices[i];
	return NULL;
}

/* Each of `devices` ("-", or names joined by '+') plugged into g; what went wrong is printed. */
static void boot_devices(struct vmm *m, struct vmm_guest *g, const char *devices)
{
	static struct ward_reply out;
	struct ward_request rq = {.reply = &out, .ctx = m};

	for (const char *p = devices; strcmp(devices, "-") != 0 && *p != '\0';) {
		size_t n = strcspn(p, "+");
		struct vmm_device *d = device_named(m, p, n);
		enum ward_error err;

		if (d == NULL)
			printf("vmm: guest %llu: no ASSIGNMENT grant named \"%.*s\"\n",
			       (unsigned long long)g->id, (int)n, p);
		else if ((err = vmm_move(m, &rq, d, g)) != WARD_OK)
			printf("vmm: guest %llu: %.*s not plugged: error %#x (%#llx, %#llx)\n",
			       (unsigned long long)g->id, (int)n, p, err,
			       (unsigned long long)out.mr[0], (unsigned long long)out.mr[1]);
		else
			printf("vmm: guest %llu: %.*s plugged, its BAR at GPA %#llx\n",
			       (unsigned long long)g->id, (int)n, p,
			       (unsigned long long)vmm_slot_gpa(d->slot));
		p += n + (p[n] == '+');
	}
}

/*
 * The guests the module's arguments ask for at start, before any request:
 * `guest=MIB,CPU,PROGRAM,ARG,DEVICES` (PROGRAM idle, selftest, stream or
 * fault; DEVICES `-` or ASSIGNMENT grants' names joined by `+`, one per
 * device slot), each at VMM_BOOT_GPA. A guest that cannot be made is
 * reported and left out, a device that cannot be plugged reported and
 * left in quarantine; the monitor serves all the same.
 */
static void boot_guests(struct vmm *m)
{
	static const char *const programs[VMM_PROGRAMS] = {"idle", "selftest", "stream", "fault"};
	static struct ward_reply out;
	const char *p = ward_startinfo->args;

	for (; (p = strstr(p, "guest=")) != NULL; p += 6) {
		struct ward_request rq = {.reply = &out, .ctx = m};
		char program[16] = "", devices[WARD_STARTINFO_ARGS_LEN] = "-";
		unsigned long long mib = 0, cpu = 0, arg = 0;
		struct vmm_guest *g = NULL;
		uint64_t prog = VMM_PROGRAMS;
		enum ward_error err;

		if (p != ward_startinfo->args && p[-1] != ' ')
			continue;
		if (sscanf(p + 6, "%llu,%llu,%15[a-z],%llu,%63[^ ]", &mib, &cpu, program, &arg,
		           devices) < 4) {
			printf("vmm: %.40s: want guest=MIB,CPU,PROGRAM,ARG,DEVICES\n", p);
			continue;
		}
		for (uint64_t i = 0; i < VMM_PROGRAMS; i++)
			prog = strcmp(program, programs[i]) == 0 ? i : prog;
		err = vmm_create(m, &rq, mib << 20, VMM_BOOT_GPA, cpu, prog, arg, &g);
		if (err != WARD_OK) {
			printf("vmm: boot guest (%llu MiB, CPU %llu, %s): error %#x (%#llx, %#llx, "
			       "%#llx)\n",
			       mib, cpu, program, err, (unsigned long long)out.mr[0],
			       (unsigned long long)out.mr[1], (unsigned long long)out.mr[2]);
			continue;
		}
		printf("vmm: guest %llu: %llu MiB at GPA %#llx, CPU %llu, program %s\n",
		       (unsigned long long)g->id, mib, (unsigned long long)VMM_BOOT_GPA, cpu,
		       program);
		boot_devices(m, g, devices);
	}
}

int main(void)
{
	const struct ward_startinfo *si = ward_startinfo;
	const struct ward_cap_grant *serve_grant = ward_grant(WARD_GRANT_SERVE, "vmm");
	uint64_t reply;
	enum ward_error err;

	if (serve_grant == NULL || si->untyped_bits == 0 || si->iommu_endpoint == 0) {
		printf("vmm: needs the SERVE grant \"vmm\" (%s), memory of its own (untyped=BITS: "
		       "%u) "
		       "and the IOMMU server (slot %u)\n",
		       serve_grant != NULL ? "given" : "missing", si->untyped_bits,
		       si->iommu_endpoint);
		return 2;
	}
	proc_slots_init(si->free_first, si->free_last);
	monitor.endpoint = serve_grant->slot;
	monitor.iommu = si->iommu_endpoint;
	monitor.pid = si->pid;
	monitor.cpus = si->cpu_count;
	monitor.tsc_hz = si->tsc_hz;
	monitor.quota = ward_arg(ward_startinfo->args, "quota", DEFAULT_QUOTA) * MIB;
	if ((err = vmm_init(&monitor)) != WARD_OK ||
	    (err = proc_retype(WARD_PROC_CAP_UNTYPED, WARD_OBJ_REPLY, 0, &reply)) != WARD_OK) {
		printf("vmm: start-up failed: error %#x\n", err);
		return 3;
	}
	for (unsigned i = 0; i < monitor.device_count; i++) {
		const struct vmm_device *d = &monitor.devices[i];

		static const char *const kinds[] = {"no guest program drives it", "edu", "NVMe"};

		printf("vmm: may assign %s (%02llx:%02llx.%llx, %s), group of %llu, %llu granted\n",
		       d->grant->name, (unsigned long long)(d->sbdf >> 8) & 0xff,
		       (unsigned long long)(d->sbdf >> 3) & 31, (unsigned long long)d->sbdf & 7,
		       kinds[d->kind], (unsigned long long)d->members,
		       (unsigned long long)d->granted);
	}
	boot_guests(&monitor);
	printf("vmm: serving \"vmm\": %llu MiB of guest memory, %u guests at most\n",
	       (unsigned long long)(monitor.quota / MIB), VMM_MAX_GUESTS);
	err = (enum ward_error)serve(&monitor, serve_grant->slot, reply);
	printf("vmm: the endpoint went (%#x)\n", err);
	return 0;
}

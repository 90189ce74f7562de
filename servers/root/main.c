/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The root task: builds the system from the boot modules and then serves
 * it (docs/userspace.md). It reads the firmware tables, starts every other
 * module as a process with the caps of its role, and then waits on one
 * endpoint for everything its processes send: their faults (badge = pid),
 * which are Linux system calls to emulate or fatal, and their requests to
 * the root service (badge = ROOT_BADGE_SERVICE | pid). When no process is
 * left but servers (`server` in a module's arguments) it stops the machine:
 * status 0 if every process that ended did so as its policy expected (exit
 * status 0, or a fault where `expect=fault`).
 */
#include <stdio.h>
#include <ward/invoke.h>
#include <ward/protocol.h>
#include <ward/rt.h>
#include <proc/slots.h>
#include <proc/untyped.h>
#include "root_task.h"

uint64_t root_endpoint, root_reply;
static uint64_t recv_slot; /* where a cap sent to the root service lands */

static void arm_receive_slot(struct ward_ipc_buffer *buf)
{
	buf->receive_cnode = WARD_CAP_INIT_CNODE;
	buf->receive_index = recv_slot;
	buf->receive_depth = 64;
}

/* MR0-3 arrive in registers, the rest in the IPC buffer: one array. */
static void gather(uint64_t *in, const uint64_t mr[WARD_MSG_REGISTERS], ward_msginfo_t info,
                   const struct ward_ipc_buffer *buf)
{
	unsigned n = ward_msginfo_length(info);

	for (unsigned i = 0; i < n && i < WARD_MSG_MAX_LENGTH; i++)
		in[i] = i < WARD_MSG_REGISTERS ? mr[i] : buf->msg[i];
}

/* Puts the reply's MRs where ReplyRecv sends them from; returns its message info. */
static ward_msginfo_t scatter(const struct ward_reply *out, uint64_t mr[WARD_MSG_REGISTERS],
                              struct ward_ipc_buffer *buf)
{
	for (unsigned i = 0; i < out->length; i++) {
		if (i < WARD_MSG_REGISTERS)
			mr[i] = out->mr[i];
		else
			buf->msg[i] = out->mr[i];
	}
	return ward_msginfo(out->label, 0, 0, out->length);
}

/* One message: true if it is answered (with *out). */
static bool handle(uint64_t badge, ward_msginfo_t info, const uint64_t *in, struct ward_reply *out)
{
	if (badge & ROOT_BADGE_SERVICE) {
		struct ward_request rq;
		ward_request_init(&rq, badge, info, in, recv_slot, out);
		root_handle_service(&rq);
		if (rq.cap != 0) /* whatever the handler did not keep */
			ward_cnode_delete(WARD_CAP_INIT_CNODE, recv_slot, 64);
		return true;
	}
	if (badge != 0)
		return root_handle_fault(badge & ROOT_BADGE_PID, info, in, out);
	/* Badge 0 is the kernel saying the Recv failed: the endpoint is unusable. */
	printf("receive on the root endpoint failed (error %llu): halting\n",
	       (unsigned long long)ward_msginfo_label(info));
	fflush(stdout);
	ward_debug_halt(1);
}

__attribute__((noreturn)) static void serve(void)
{
	static uint64_t in[WARD_MSG_MAX_LENGTH];
	static struct ward_reply out;
	struct ward_ipc_buffer *buf = ward_ipc_buffer();
	uint64_t mr[WARD_MSG_REGISTERS] = {0}, badge;
	ward_msginfo_t info, answer = 0;
	bool reply = false, ok;

	while (!root_all_ended(&ok)) {
		arm_receive_slot(buf);
		info = reply ? ward_reply_recv(root_endpoint, root_reply, answer, &badge, mr)
		             : ward_recv(root_endpoint, root_reply, &badge, mr);
		gather(in, mr, info, buf);
		reply = handle(badge, info, in, &out);
		if (reply)
			answer = scatter(&out, mr, buf);
	}
	root_task_halt("every process has ended");
}

void root_task_halt(const char *why)
{
	bool ok = root_all_expected();

	printf("%s%s: halting\n", why, ok ? ", each as expected" : ", not all as expected");
	fflush(stdout);
	ward_debug_halt(ok ? WARD_HALT_OK : 1);
}

int main(void)
{
	const struct ward_bootinfo *bi = ward_bootinfo;

	if (bi == NULL) {
		printf("no boot information: cannot continue\n");
		return 1;
	}
	if (proc_init(bi) != WARD_OK ||
	    proc_object(WARD_OBJ_ENDPOINT, 0, &root_endpoint) != WARD_OK ||
	    proc_object(WARD_OBJ_REPLY, 0, &root_reply) != WARD_OK ||
	    (recv_slot = proc_slot_alloc()) == 0) {
		printf("cannot make the root endpoint: halting\n");
		return 1;
	}
	printf("Ward root task: %u boot modules, %u CPUs\n", bi->module_count, bi->cpu_count);
	root_platform_discover(bi->acpi_rsdp);
	root_roles_init();
	root_manifest_load();
	root_start_all();
	root_manifest_begin();
	serve();
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Faults of the processes the root task started: every one arrives on the
 * root endpoint as a Call with the fault endpoint's badge, the pid. An
 * unknown system call is a Linux call from musl, emulated by libs/rt's
 * ward_linux_syscall with this process as the host: its memory through
 * libs/proc, its console lines under its own name. Every other fault is
 * fatal: reported here (the kernel reports only faults nobody handles),
 * then the process ends by the policy in procs.c.
 */
#include <errno.h>
#include <stdio.h>
#include <ward/invoke.h>
#include <ward/linux.h>
#include <ward/rt.h>
#include "root_task.h"

#define CHUNK 4096 /* the most one debug write takes */

static bool host_copy_in(void *ctx, void *dst, uint64_t va, uint64_t len)
{
	return proc_copy_in(&((struct root_proc *)ctx)->proc, dst, va, len);
}

static bool host_copy_out(void *ctx, uint64_t va, const void *src, uint64_t len)
{
	return proc_copy_out(&((struct root_proc *)ctx)->proc, va, src, len);
}

static bool host_readable(void *ctx, uint64_t va, uint64_t len)
{
	return proc_readable(&((struct root_proc *)ctx)->proc, va, len);
}

/* Writes as the process's thread: its name on the line, its own line buffer. */
static int64_t host_console(void *ctx, uint64_t va, uint64_t len)
{
	static char buf[CHUNK];
	const struct proc *p = &((struct root_proc *)ctx)->proc;
	uint64_t done = 0;

	while (done < len) {
		uint64_t n = len - done < CHUNK ? len - done : CHUNK;
		if (!proc_copy_in(p, buf, va + done, n) ||
		    ward_debug_write_as(p->tcb, buf, n) != WARD_OK)
			return done != 0 ? (int64_t)done : -EFAULT;
		done += n;
	}
	return (int64_t)done;
}

static void emulate(struct root_proc *rp, const uint64_t *mr, unsigned length,
                    struct ward_reply *reply, bool *exited, int64_t *status)
{
	struct ward_linux_host host = {
	        .copy_in = host_copy_in,
	        .copy_out = host_copy_out,
	        .readable = host_readable,
	        .console = host_console,
	        .heap = &rp->proc.heap,
	        .heap_ops = proc_heap_ops,
	        .pid = rp->proc.pid,
	        .tsc_hz = ward_bootinfo->tsc_hz,
	        .ctx = rp,
	};
	struct ward_linux_call call = {.nr = mr[0]};
	int64_t result;

	host.heap_ops.ctx = &rp->proc;
	/* MR3..MR8: rdi, rsi, rdx, r10, r8, r9 (ward/object.h); missing ones read as 0. */
	for (unsigned i = 0; i < 6; i++)
		call.arg[i] = 3 + i < length ? mr[3 + i] : 0;
	*exited = ward_linux_syscall(&host, &call, &result) == WARD_LINUX_EXIT;
	*status = result;
	reply->label = 0;
	reply->length = 1;
	reply->mr[0] = (uint64_t)result; /* becomes rax */
}

static const char *page_fault_cause(uint64_t err, char *buf, size_t size)
{
	snprintf(buf, size, "%s, %s%s", (err & 1) ? "protection violation" : "not present",
	         (err & 16)  ? "instruction fetch"
	         : (err & 2) ? "write"
	                     : "read",
	         (err & 4) ? ", user mode" : "");
	return buf;
}

/* One line a person can act on: what, where, and what happens now. */
static void report(const struct root_proc *rp, uint64_t label, const uint64_t *mr, unsigned length)
{
	uint64_t v[4] = {0};
	char what[160], cause[64];

	for (unsigned i = 0; i < 4 && i < length; i++)
		v[i] = mr[i];
	switch (label) {
	case WARD_FAULT_PAGE:
		snprintf(what, sizeof(what), "page fault at 0x%016llx (%s), rsp 0x%llx",
		         (unsigned long long)v[1], page_fault_cause(v[2], cause, sizeof(cause)),
		         (unsigned long long)v[3]);
		break;
	case WARD_FAULT_GENERAL_PROTECTION:
		snprintf(what, sizeof(what), "general protection fault (error code 0x%llx)",
		         (unsigned long long)v[1]);
		break;
	case WARD_FAULT_UNDEFINED_OPCODE:
		snprintf(what, sizeof(what), "invalid opcode");
		break;
	case WARD_FAULT_DIVIDE:
		snprintf(what, sizeof(what), "divide error");
		break;
	default:
		snprintf(what, sizeof(what),
		         "exception (label %llu, vector %llu, error code 0x%llx)",
		         (unsigned long long)label, (unsigned long long)v[1],
		         (unsigned long long)v[2]);
		break;
	}
	printf("%s (pid %u) fault at rip 0x%016llx: %s\n", rp->proc.name, (unsigned)rp->proc.pid,
	       (unsigned long long)v[0], what);
}

bool root_handle_fault(uint64_t pid, ward_msginfo_t info, const uint64_t *mr,
                       struct ward_reply *reply)
{
	struct root_proc *rp = root_proc_by_pid(pid);
	uint64_t label = ward_msginfo_label(info);
	unsigned length = ward_msginfo_length(info);
	bool exited;
	int64_t status;

	if (rp == NULL) /* its instance is gone; nobody waits for an answer */
		return false;
	if (label != WARD_FAULT_UNKNOWN_SYSCALL) {
		report(rp, label, mr, length);
		root_proc_ended(rp, WARD_DEATH_FAULT, label);
		return false;
	}
	emulate(rp, mr, length, reply, &exited, &status);
	if (!exited)
		return true;
	printf("%s (pid %u) exited with status %lld\n", rp->proc.name, (unsigned)rp->proc.pid,
	       (long long)status);
	root_proc_ended(rp, WARD_DEATH_EXIT, (uint64_t)status);
	return false;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * System-call decoding (ABI: include/ward/syscall.h). IPC syscalls on
 * endpoints, notifications and reply objects go to kernel/ipc.c; a
 * Call/Send on any other capability is an invocation, decoded by the
 * object's decode function and answered in the caller's registers. Every
 * register is user input. Big kernel lock.
 */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/invocation.h>
#include <kernel/ipc.h>
#include <kernel/platform.h>
#include <kernel/printf.h>
#include <kernel/sched.h>
#include <kernel/syscall.h>
#include <kernel/vspace_objects.h>
#include <ward/message.h>
#include <ward/syscall.h>
#include "memory_layout.h"
#include "vspace.h"

#define DEBUG_WRITE_MAX 4096

typedef void (*decode_fn)(struct invocation *);

static const decode_fn decoders[] = {
        [WARD_OBJ_UNTYPED] = decode_untyped,
        [WARD_OBJ_CNODE] = decode_cnode,
        [WARD_OBJ_TCB] = decode_tcb,
        [WARD_OBJ_FRAME] = decode_frame,
        [WARD_OBJ_LARGE_FRAME] = decode_frame,
        [WARD_OBJ_PDPT] = decode_page_table,
        [WARD_OBJ_PD] = decode_page_table,
        [WARD_OBJ_PT] = decode_page_table,
        [WARD_OBJ_IRQ_CONTROL] = decode_irq_control,
        [WARD_OBJ_IRQ_HANDLER] = decode_irq_handler,
        [WARD_OBJ_IOPORT_CONTROL] = decode_ioport_control,
        [WARD_OBJ_IOPORT] = decode_ioport,
};

/* Answers `t` with a label and no message registers (IPC-level errors). */
static void answer(struct tcb *t, enum ward_error err, uint64_t arg)
{
	t->ctx.rdi = 0;
	t->ctx.rsi = ward_msginfo(err, 0, 0, err == WARD_OK ? 0 : 1);
	*ipc_mr_reg(&t->ctx, 0) = arg;
}

static const struct cap *cspace_root(const struct tcb *t)
{
	return &t->slots[TCB_SLOT_CSPACE].cap;
}

static bool lookup_extra_caps(struct invocation *inv, ward_msginfo_t info)
{
	struct ward_ipc_buffer *buf = tcb_ipc_buffer(inv->caller);

	inv->extra_count = ward_msginfo_extra_caps(info);
	if (inv->extra_count > 0 && buf == NULL)
		inv->extra_count = 0;
	for (unsigned i = 0; i < inv->extra_count; i++)
		if (cspace_lookup_cap(cspace_root(inv->caller), buf->caps_or_badges[i],
		                      &inv->extra[i]) != WARD_OK) {
			inv_error(inv, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0 + i, 0, 0);
			return false;
		}
	return true;
}

static void write_reply(struct invocation *inv)
{
	struct tcb *t = inv->caller;
	struct ward_ipc_buffer *buf = tcb_ipc_buffer(t);
	unsigned n = inv->reply_length;

	if (n > WARD_MSG_REGISTERS && buf == NULL)
		n = WARD_MSG_REGISTERS;
	for (unsigned i = 0; i < n; i++) {
		if (i < WARD_MSG_REGISTERS)
			*ipc_mr_reg(&t->ctx, i) = inv->reply_mr[i];
		else
			buf->msg[i] = inv->reply_mr[i];
	}
	t->ctx.rdi = 0;
	t->ctx.rsi = ward_msginfo(inv->error, 0, 0, n);
}

static void invoke(struct tcb *t, struct cte *slot)
{
	ward_msginfo_t info = t->ctx.rsi;
	unsigned type = slot->cap.type;
	struct invocation inv; /* not zeroed: reply_mr[] is written in order (inv_reply_mr) */

	inv.caller = t;
	inv.slot = slot;
	inv.label = ward_msginfo_label(info);
	inv.error = WARD_OK;
	inv.reply_length = 0;

	inv.length = ward_msginfo_length(info);
	if (inv.length > WARD_MSG_REGISTERS && tcb_ipc_buffer(t) == NULL)
		inv.length = WARD_MSG_REGISTERS;
	if (lookup_extra_caps(&inv, info)) {
		if (type < sizeof(decoders) / sizeof(decoders[0]) && decoders[type] != NULL)
			decoders[type](&inv);
		else
			inv_error(&inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_CAP, type, 0);
	}
	write_reply(&inv);
}

static void handle_send(struct tcb *t, bool is_call, bool blocking)
{
	struct cte *slot;
	struct cap *c;

	if (cspace_lookup_cap(cspace_root(t), t->ctx.rdi, &slot) != WARD_OK) {
		answer(t, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_CAP);
		return;
	}
	c = &slot->cap;
	if (c->type == WARD_OBJ_ENDPOINT || c->type == WARD_OBJ_NOTIFICATION) {
		if (!(c->rights & WARD_RIGHT_WRITE)) {
			answer(t, WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_CAP);
			return;
		}
		if (c->type == WARD_OBJ_NOTIFICATION) {
			notification_signal((struct notification *)c->obj, c->word1);
			answer(t, WARD_OK, 0);
			return;
		}
		endpoint_send(t, (struct endpoint *)c->obj, c->word1, c->rights & WARD_RIGHT_GRANT,
		              c->rights & WARD_RIGHT_GRANT_REPLY, is_call, blocking);
		return;
	}
	invoke(t, slot);
}

/* The reply object named in rdx, or NULL for none; false if rdx names something else. */
static bool reply_object(struct tcb *t, struct reply **r)
{
	struct cte *slot;

	*r = NULL;
	if (t->ctx.rdx == 0)
		return true;
	if (cspace_lookup_cap(cspace_root(t), t->ctx.rdx, &slot) != WARD_OK ||
	    slot->cap.type != WARD_OBJ_REPLY)
		return false;
	*r = (struct reply *)slot->cap.obj;
	return true;
}

/*
 * Recv (NBRecv when not `blocking`). `replied` is the reply object a
 * ReplyRecv has just looked up and used, the same rdx names (the reply
 * changes no slot of the replier's CSpace but an empty one), or NULL to
 * look it up here.
 */
static void handle_recv(struct tcb *t, bool blocking, struct reply *replied)
{
	struct cte *slot;
	struct reply *r = replied;

	if (cspace_lookup_cap(cspace_root(t), t->ctx.rdi, &slot) != WARD_OK) {
		answer(t, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_CAP);
		return;
	}
	if (!(slot->cap.rights & WARD_RIGHT_READ)) {
		answer(t, WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_CAP);
		return;
	}
	if (slot->cap.type == WARD_OBJ_NOTIFICATION) {
		notification_wait(t, (struct notification *)slot->cap.obj, blocking);
		return;
	}
	if (slot->cap.type != WARD_OBJ_ENDPOINT) {
		answer(t, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_CAP);
		return;
	}
	if (r == NULL && !reply_object(t, &r)) {
		answer(t, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0);
		return;
	}
	endpoint_recv(t, (struct endpoint *)slot->cap.obj, r, blocking);
}

/* Replies through rdx's reply object, which it returns; NULL (answered) if rdx is not one. */
static struct reply *handle_reply(struct tcb *t)
{
	struct reply *r;

	if (!reply_object(t, &r) || r == NULL) {
		answer(t, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0);
		return NULL;
	}
	reply_send(t, r);
	return r;
}

bool syscall_copy_in(struct tcb *t, void *dst, uint64_t va, uint64_t len)
{
	uint64_t root = vspace_root_phys(&t->slots[TCB_SLOT_VSPACE].cap);

	return root != 0 && vspace_copy_from_user(root, dst, va, len);
}

/*
 * Console output from t's buffer, assembled into lines of `as` (t itself,
 * or a thread t holds a TCB cap to: how a console service prints for the
 * process whose write it emulates, under that process's name).
 */
static uint64_t debug_write(struct tcb *t, uint64_t va, uint64_t len, uint64_t as_cptr)
{
	struct tcb *as = t;
	char chunk[128];

	if (as_cptr != 0) {
		struct cte *slot;
		if (cspace_lookup_cap(cspace_root(t), as_cptr, &slot) != WARD_OK ||
		    slot->cap.type != WARD_OBJ_TCB)
			return WARD_ERR_INVALID_CAPABILITY;
		as = (struct tcb *)slot->cap.obj;
	}
	if (len > DEBUG_WRITE_MAX)
		return WARD_ERR_RANGE;
	while (len > 0) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);
		if (!syscall_copy_in(t, chunk, va, n))
			return WARD_ERR_INVALID_ARGUMENT;
		console_line_write(&as->out, chunk, n);
		va += n;
		len -= n;
	}
	return WARD_OK;
}

static uint64_t debug_name(struct tcb *t, uint64_t cptr, uint64_t va)
{
	struct cte *slot;
	char name[16] = {0};

	if (cspace_lookup_cap(cspace_root(t), cptr, &slot) != WARD_OK ||
	    slot->cap.type != WARD_OBJ_TCB)
		return WARD_ERR_INVALID_CAPABILITY;
	for (unsigned i = 0; i < sizeof(name) - 1; i++)
		if (!syscall_copy_in(t, &name[i], va + i, 1) || name[i] == '\0')
			break;
	struct tcb *target = (struct tcb *)slot->cap.obj;
	__builtin_memcpy(target->name, name, sizeof(name));
	console_line_flush(&target->out);
	console_line_init(&target->out, name[0] ? name : "thread");
	return WARD_OK;
}

/* Stops the machine if `cptr` names the system control cap; else the error. */
static uint64_t debug_halt(struct tcb *t, uint64_t status, uint64_t cptr)
{
	struct cte *slot;

	if (cspace_lookup_cap(cspace_root(t), cptr, &slot) != WARD_OK ||
	    slot->cap.type != WARD_OBJ_SYSTEM_CONTROL)
		return WARD_ERR_INVALID_CAPABILITY;
	console_line_flush(&t->out);
	kprintf("'%s' halted the system with status %lu", t->name, status);
	platform_halt(status > 0x7c ? 0x7c : (unsigned)status);
}

static uint64_t debug_cap_type(struct tcb *t, uint64_t cptr)
{
	struct cte *slot;

	if (cspace_lookup_slot(cspace_root(t), cptr, 64, &slot) != WARD_OK)
		return 0;
	return slot->cap.type;
}

static void unknown_syscall(struct tcb *t)
{
	t->fault = WARD_FAULT_UNKNOWN_SYSCALL;
	fault_deliver(t);
}

void syscall_dispatch(struct tcb *t, int64_t number)
{
	struct user_context *c = &t->ctx;

	/*
	 * Suspended from another CPU while this one waited for the lock: the
	 * call is not made now but again on resume. (The fast path never gets
	 * here for such a thread: its CPU has a reschedule pending.)
	 */
	if (t->state != THREAD_RUNNABLE) {
		platform_syscall_restart(t);
		return;
	}
	switch (number) {
	case WARD_SYS_CALL:
		handle_send(t, true, true);
		break;
	case WARD_SYS_SEND:
		handle_send(t, false, true);
		break;
	case WARD_SYS_NB_SEND:
		handle_send(t, false, false);
		break;
	case WARD_SYS_RECV:
		handle_recv(t, true, NULL);
		break;
	case WARD_SYS_NB_RECV:
		handle_recv(t, false, NULL);
		break;
	case WARD_SYS_REPLY:
		handle_reply(t);
		break;
	case WARD_SYS_REPLY_RECV: {
		struct reply *r = handle_reply(t);
		if (r != NULL)
			handle_recv(t, true, r);
		break;
	}
	case WARD_SYS_YIELD:
		sched_yield();
		break;
	case WARD_SYS_SET_TLS_BASE:
		if (c->rdi >= USER_TOP) {
			c->rax = WARD_ERR_INVALID_ARGUMENT;
		} else {
			c->fs_base = c->rdi;
			c->rax = WARD_OK;
		}
		break;
	case WARD_SYS_DEBUG_WRITE:
		c->rax = debug_write(t, c->rdi, c->rsi, c->rdx);
		break;
	case WARD_SYS_DEBUG_HALT:
		c->rax = debug_halt(t, c->rdi, c->rsi);
		break;
	case WARD_SYS_DEBUG_CAP_TYPE:
		c->rax = debug_cap_type(t, c->rdi);
		break;
	case WARD_SYS_DEBUG_NAME:
		c->rax = debug_name(t, c->rdi, c->rsi);
		break;
	default:
		unknown_syscall(t);
	}
}

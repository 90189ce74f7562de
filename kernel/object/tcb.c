/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread control blocks: configuration, priorities, affinity, resume and
 * suspend, register access, notification binding. decode_tcb() checks
 * everything before any state changes. Big kernel lock.
 */
#include <stddef.h>
#include <kernel/cspace.h>
#include <kernel/invocation.h>
#include <kernel/ipc.h>
#include <kernel/platform.h>
#include <kernel/printf.h>
#include <kernel/sched.h>
#include <kernel/tcb.h>
#include <ward/invocation.h>
#include "memory_layout.h"

#define RFLAGS_USER_MASK 0x0cd5ULL /* CF PF AF ZF SF DF OF: what a user may set (not TF) */
#define RFLAGS_FIXED     0x0202ULL /* IF and the always-one bit */

void tcb_init(struct tcb *t)
{
	t->state = THREAD_INACTIVE;
	t->ctx.cs = 0x23; /* SEL_USER_CODE */
	t->ctx.ss = 0x1b; /* SEL_USER_DATA */
	t->ctx.rflags = RFLAGS_FIXED;
	platform_fpu_init(t->fpu);
	console_line_init(&t->out, "thread");
	t->name[0] = '\0';
}

void tcb_suspend(struct tcb *t)
{
	ipc_cancel(t);
	sched_remove(t);
	t->fault = WARD_FAULT_NONE;
	t->state = THREAD_INACTIVE;
	/*
	 * Running on another CPU: wait until it has left user mode. A system
	 * call it made meanwhile is not carried out but restarted on resume
	 * (trap.c), so Suspend is synchronous.
	 */
	if (t->running_on != 0)
		platform_stall_cpu(t->running_on - 1u);
}

/*
 * The last cap is gone. A CPU running t is stalled first (it saved its
 * registers into t and waits for the lock) and made to forget t: the lock
 * goes round the CPUs in ticket order, so another CPU may retype t's memory
 * before the stalled one gets the lock, which must then not touch t.
 */
void tcb_finalise(struct tcb *t)
{
	unsigned on = t->running_on;

	tcb_suspend(t);
	if (on != 0)
		sched_forget(on - 1u, t);
	notification_unbind(t);
	for (unsigned i = 0; i < TCB_SLOT_COUNT; i++)
		cspace_delete(&t->slots[i]);
	platform_fpu_forget(t);
}

static bool user_address(uint64_t v)
{
	return v < USER_TOP;
}

bool tcb_set_fault_register(struct tcb *t, unsigned i, uint64_t v)
{
	struct user_context *c = &t->ctx;

	switch (i) {
	case WARD_FREG_RAX:
		c->rax = v;
		break;
	case WARD_FREG_RIP:
		if (!user_address(v))
			return false;
		c->rip = v;
		break;
	case WARD_FREG_RSP:
		if (!user_address(v))
			return false;
		c->rsp = v;
		break;
	case WARD_FREG_RFLAGS:
		c->rflags = (v & RFLAGS_USER_MASK) | RFLAGS_FIXED;
		break;
	case WARD_FREG_RDI:
		c->rdi = v;
		break;
	case WARD_FREG_RSI:
		c->rsi = v;
		break;
	case WARD_FREG_RDX:
		c->rdx = v;
		break;
	case WARD_FREG_R10:
		c->r10 = v;
		break;
	case WARD_FREG_R8:
		c->r8 = v;
		break;
	case WARD_FREG_R9:
		c->r9 = v;
		break;
	default:
		return false;
	}
	return true;
}

/* Register i in enum ward_tcb_reg order. */
static uint64_t *tcb_reg(struct user_context *c, unsigned i)
{
	uint64_t *regs[WARD_REG_COUNT] = {
	        &c->rip, &c->rsp, &c->rflags, &c->rax, &c->rbx,     &c->rcx, &c->rdx,
	        &c->rsi, &c->rdi, &c->rbp,    &c->r8,  &c->r9,      &c->r10, &c->r11,
	        &c->r12, &c->r13, &c->r14,    &c->r15, &c->fs_base,
	};
	return regs[i];
}

static bool valid_register(unsigned i, uint64_t v)
{
	if (i == WARD_REG_RIP || i == WARD_REG_RSP || i == WARD_REG_FS_BASE)
		return user_address(v);
	return true;
}

static void copy_into_slot(struct cte *src, struct cte *dest)
{
	struct cap derived;

	cspace_delete(dest);
	if (src != NULL && cap_derive(&src->cap, &derived))
		cspace_insert(src, dest, derived, 0);
}

static void decode_configure(struct invocation *inv, struct tcb *t)
{
	struct cte *cspace, *vspace, *ipcbuf = NULL;
	uint64_t buf_va;

	if (!inv_need(inv, 1) || (cspace = inv_extra(inv, 0, WARD_OBJ_CNODE)) == NULL ||
	    (vspace = inv_extra(inv, 1, WARD_OBJ_PML4)) == NULL)
		return;
	buf_va = inv_mr(inv, 0);
	if (inv->extra_count > 2) {
		ipcbuf = inv->extra[2];
		/* Device memory is never an IPC buffer: the kernel would do MMIO through it. */
		if ((ipcbuf->cap.type != WARD_OBJ_FRAME &&
		     ipcbuf->cap.type != WARD_OBJ_LARGE_FRAME) ||
		    (ipcbuf->cap.flags & CAP_FLAG_DEVICE)) {
			inv_error(inv, WARD_ERR_INVALID_CAPABILITY, WARD_ARG_EXTRA_CAP0 + 2, 0, 0);
			return;
		}
		if ((buf_va % WARD_IPC_BUFFER_ALIGN) != 0 || !user_address(buf_va)) {
			inv_error(inv, WARD_ERR_ALIGNMENT, 0, WARD_IPC_BUFFER_ALIGN, USER_TOP);
			return;
		}
	}
	/*
	 * Replacing the last cap to the old CSpace would destroy that CNode, and
	 * with it possibly this TCB's own last cap, halfway through: refused.
	 */
	if (!cap_is_null(&t->slots[TCB_SLOT_CSPACE].cap) &&
	    cspace_is_final(&t->slots[TCB_SLOT_CSPACE])) {
		inv_error(inv, WARD_ERR_REVOKE_FIRST, WARD_ARG_CAP, TCB_SLOT_CSPACE, 0);
		return;
	}
	/* A thread running elsewhere must leave its old VSpace before it can go. */
	if (t->running_on != 0) {
		platform_stall_cpu(t->running_on - 1u);
		platform_reschedule_cpu(t->running_on - 1u);
	}
	copy_into_slot(cspace, &t->slots[TCB_SLOT_CSPACE]);
	copy_into_slot(vspace, &t->slots[TCB_SLOT_VSPACE]);
	copy_into_slot(ipcbuf, &t->slots[TCB_SLOT_IPC_BUFFER]);
	t->ipc_buffer_va = ipcbuf != NULL ? buf_va : 0;
}

static void decode_set_priority(struct invocation *inv, struct tcb *t)
{
	struct cte *auth;
	uint64_t prio;

	if (!inv_need(inv, 1) || (auth = inv_extra(inv, 0, WARD_OBJ_TCB)) == NULL)
		return;
	prio = inv_mr(inv, 0);
	if (prio > ((struct tcb *)auth->cap.obj)->max_priority) {
		inv_error(inv, WARD_ERR_RANGE, 0, 0, ((struct tcb *)auth->cap.obj)->max_priority);
		return;
	}
	bool was_queued = t->state == THREAD_RUNNABLE && t->running_on == 0;
	if (was_queued)
		sched_remove(t);
	t->priority = (uint8_t)prio;
	t->max_priority = (uint8_t)prio;
	if (was_queued)
		sched_wake(t);
	else if (t->running_on != 0)
		sched_remove(t); /* it stays runnable; its CPU chooses again */
}

static void decode_set_affinity(struct invocation *inv, struct tcb *t)
{
	uint64_t cpu;

	if (!inv_need(inv, 1))
		return;
	cpu = inv_mr(inv, 0);
	if (cpu >= platform_cpu_count()) {
		inv_error(inv, WARD_ERR_RANGE, 0, 0, platform_cpu_count() - 1);
		return;
	}
	bool runnable = t->state == THREAD_RUNNABLE;
	if (runnable)
		sched_remove(t);
	t->cpu = (uint8_t)cpu;
	if (runnable)
		sched_wake(t);
}

static void decode_resume(struct invocation *inv, struct tcb *t)
{
	if (t->slots[TCB_SLOT_VSPACE].cap.type != WARD_OBJ_PML4 ||
	    t->slots[TCB_SLOT_CSPACE].cap.type != WARD_OBJ_CNODE) {
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_CAP, 0, 0);
		return;
	}
	if (t->state == THREAD_INACTIVE)
		sched_wake(t);
}

/* Another CPU may hold newer registers than the TCB: refuse (docs/kernel.md). */
static bool registers_reachable(struct invocation *inv, struct tcb *t)
{
	if (t->running_on != 0 && t != inv->caller) {
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_CAP, 0, 0);
		return false;
	}
	return true;
}

static void decode_read_registers(struct invocation *inv, struct tcb *t)
{
	uint64_t n;

	if (!inv_need(inv, 1) || !registers_reachable(inv, t))
		return;
	n = inv_mr(inv, 0);
	if (n == 0 || n > WARD_REG_COUNT) {
		inv_error(inv, WARD_ERR_RANGE, 0, 1, WARD_REG_COUNT);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		inv_reply_mr(inv, i, *tcb_reg(&t->ctx, i));
}

static void decode_write_registers(struct invocation *inv, struct tcb *t)
{
	uint64_t n;

	if (!inv_need(inv, 2) || !registers_reachable(inv, t))
		return;
	n = inv_mr(inv, 1);
	if (n == 0 || n > WARD_REG_COUNT) {
		inv_error(inv, WARD_ERR_RANGE, 1, 1, WARD_REG_COUNT);
		return;
	}
	if (!inv_need(inv, 2 + n))
		return;
	for (unsigned i = 0; i < n; i++)
		if (!valid_register(i, inv_mr(inv, 2 + i))) {
			inv_error(inv, WARD_ERR_INVALID_ARGUMENT, 2 + i, 0, USER_TOP - 1);
			return;
		}
	for (unsigned i = 0; i < n; i++)
		*tcb_reg(&t->ctx, i) = inv_mr(inv, 2 + i);
	t->ctx.rflags = (t->ctx.rflags & RFLAGS_USER_MASK) | RFLAGS_FIXED;
	/* Resume as TCB_Resume would: only a thread with a CSpace and a VSpace. */
	if (inv_mr(inv, 0) && t->state == THREAD_INACTIVE &&
	    t->slots[TCB_SLOT_VSPACE].cap.type == WARD_OBJ_PML4 &&
	    t->slots[TCB_SLOT_CSPACE].cap.type == WARD_OBJ_CNODE)
		sched_wake(t);
}

static void decode_bind(struct invocation *inv, struct tcb *t)
{
	struct cte *n = inv_extra(inv, 0, WARD_OBJ_NOTIFICATION);
	struct notification *ntfn;

	if (n == NULL)
		return;
	ntfn = (struct notification *)n->cap.obj;
	if (t->bound_notification != NULL || ntfn->bound != NULL) {
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_EXTRA_CAP0, 0, 0);
		return;
	}
	if (!(n->cap.rights & WARD_RIGHT_READ)) {
		inv_error(inv, WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_EXTRA_CAP0, 0, 0);
		return;
	}
	notification_bind(ntfn, t);
}

static void decode_fault_handler(struct invocation *inv, struct tcb *t)
{
	struct cte *ep = NULL;

	if (inv->extra_count > 0) {
		if ((ep = inv_extra(inv, 0, WARD_OBJ_ENDPOINT)) == NULL)
			return;
		if (!(ep->cap.rights & WARD_RIGHT_WRITE)) {
			inv_error(inv, WARD_ERR_INSUFFICIENT_RIGHTS, WARD_ARG_EXTRA_CAP0, 0, 0);
			return;
		}
	}
	copy_into_slot(ep, &t->slots[TCB_SLOT_FAULT_EP]);
}

void decode_tcb(struct invocation *inv)
{
	struct tcb *t = (struct tcb *)inv->slot->cap.obj;

	switch (inv->label) {
	case WARD_TCB_CONFIGURE:
		decode_configure(inv, t);
		break;
	case WARD_TCB_SET_FAULT_HANDLER:
		decode_fault_handler(inv, t);
		break;
	case WARD_TCB_SET_PRIORITY:
		decode_set_priority(inv, t);
		break;
	case WARD_TCB_SET_AFFINITY:
		decode_set_affinity(inv, t);
		break;
	case WARD_TCB_RESUME:
		decode_resume(inv, t);
		break;
	case WARD_TCB_SUSPEND:
		tcb_suspend(t);
		break;
	case WARD_TCB_READ_REGISTERS:
		decode_read_registers(inv, t);
		break;
	case WARD_TCB_WRITE_REGISTERS:
		decode_write_registers(inv, t);
		break;
	case WARD_TCB_BIND_NOTIFICATION:
		decode_bind(inv, t);
		break;
	case WARD_TCB_UNBIND_NOTIFICATION:
		if (t->bound_notification == NULL)
			inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_CAP, 0, 0);
		else
			notification_unbind(t);
		break;
	default:
		inv_error(inv, WARD_ERR_ILLEGAL_OPERATION, WARD_ARG_LABEL, 0, 0);
	}
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Serving with a guard (edu_serve_guarded()): the edu protocol's loop runs
 * on a thread of its own whose fault handler is the calling thread.
 *
 * Why: a move of the device revokes the BAR frame, and with it the
 * driver's mapping, at any moment; the driver checks the frame cap before
 * touching the device (edu.c), but a move can land between the check and
 * the access right after it. The access then page-faults. The kernel
 * sends the fault to the guard (docs/kernel.md §4: a fault is a Call to
 * the thread's fault endpoint; the reply may set rip, rsp, rdi and resume).
 * A page fault inside BAR 0's page while an operation runs (d->guarded)
 * is answered by resuming the loop's thread at guard_landing(d), on its
 * own stack below the fault, which longjmp()s back into the operation's
 * start (edu.c: guarded()): the operation returns EDU_ERR_DEVICE_GONE,
 * the device is marked gone, and the loop serves on. Any other fault
 * stops the thread and ends serving: it is a bug, not a move.
 *
 * The loop's thread makes no Linux system calls (nothing in edu.c,
 * server.c or libs/ipc's loop does), since its fault handler is the guard
 * and not the root task's emulation.
 */
#include <setjmp.h>
#include <stdio.h>
#include <ward/invoke.h>
#include <ward/object.h>
#include <ward/server.h>
#include <ward/startinfo.h>
#include <ward/sys.h>
#include <proc/map.h>
#include <proc/slots.h>
#include <proc/untyped.h>

#include "edu_dev.h"

#define GUARD_DONE         0x7e00 /* the loop's thread, its loop over (not a fault label) */
#define GUARD_STACK_PAGES  4
#define GUARD_VA           (3ULL << 20) /* in the driver's EDU_VA_SPAN: IPC page, gap, stack */
#define GUARD_STACK_OFFSET (GUARD_VA + 8192)
#define GUARD_BELOW_FAULT  512 /* the landing's stack: below the faulting frame and its red zone */
#define RIGHTS_RW          (WARD_RIGHT_READ | WARD_RIGHT_WRITE)

/* What the loop's thread runs and what it leaves for the guard. */
struct guard_thread {
	struct ward_server *server;
	uint64_t fault_ep; /* where it says it is done */
	uint64_t result;   /* ward_server_run()'s */
};

static struct guard_thread loop_thread;

__attribute__((noreturn)) static void guard_landing(struct edu_dev *d)
{
	longjmp(d->recover, 1);
}

__attribute__((noreturn)) static void loop_main(struct guard_thread *t)
{
	uint64_t mr[WARD_MSG_REGISTERS] = {0};

	t->result = ward_server_run(t->server);
	for (;;)
		ward_call(t->fault_ep, ward_msginfo(GUARD_DONE, 0, 0, 0), mr);
}

/* A new frame mapped at va; its slot in *frame (0 if not wanted). */
static enum ward_error guard_page(const struct edu_env *env, uint64_t va, uint64_t *frame)
{
	uint64_t f;
	enum ward_error err = proc_retype(env->untyped, WARD_OBJ_FRAME, 0, &f);

	if (err == WARD_OK)
		err = proc_map_into(env->vspace, env->untyped, f, va, RIGHTS_RW);
	if (frame != NULL)
		*frame = f;
	return err;
}

/* The loop's thread: TCB, IPC buffer and thread block, stack, fault endpoint; not started. */
static enum ward_error guard_thread_make(const struct edu_env *env, uint64_t fault_ep,
                                         uint64_t *tcb)
{
	uint64_t ipc_frame, regs[WARD_REG_COUNT] = {0}, ipc_va = env->va + GUARD_VA;
	uint64_t stack_top = env->va + GUARD_STACK_OFFSET + GUARD_STACK_PAGES * 4096;
	uintptr_t *block = (uintptr_t *)(ipc_va + 2048);
	enum ward_error err = proc_retype(env->untyped, WARD_OBJ_TCB, 0, tcb);

	if (err == WARD_OK)
		err = guard_page(env, ipc_va, &ipc_frame);
	for (unsigned i = 0; err == WARD_OK && i < GUARD_STACK_PAGES; i++)
		err = guard_page(env, env->va + GUARD_STACK_OFFSET + i * 4096, NULL);
	if (err != WARD_OK)
		return err;
	ward_thread_block_init(block, (struct ward_ipc_buffer *)ipc_va);
	regs[WARD_REG_RIP] = (uint64_t)loop_main;
	regs[WARD_REG_RSP] = stack_top - 8; /* as after a call */
	regs[WARD_REG_RDI] = (uint64_t)&loop_thread;
	regs[WARD_REG_FS_BASE] = (uint64_t)block;
	if ((err = ward_tcb_configure(*tcb, WARD_PROC_CAP_CNODE, env->vspace, ipc_frame, ipc_va)) !=
	            WARD_OK ||
	    (err = ward_tcb_set_fault_handler(*tcb, fault_ep)) != WARD_OK)
		return err;
	return ward_tcb_write_registers(*tcb, 0, WARD_REG_COUNT, regs);
}

/* Whether a page fault at `address` is the device's BAR page, during an operation. */
static bool fault_is_move(const struct edu_dev *d, uint64_t address)
{
	uint64_t bar = (uint64_t)d->bar;

	return d->guarded && address >= bar && address < bar + 4096;
}

/* Resumes the faulting thread at guard_landing(d), on its stack below the fault. */
static void land(struct edu_dev *d, uint64_t reply, uint64_t rsp)
{
	uint64_t mr[WARD_MSG_REGISTERS] = {
	        [WARD_FREG_RAX] = 0,
	        [WARD_FREG_RIP] = (uint64_t)guard_landing,
	        [WARD_FREG_RSP] = ((rsp - GUARD_BELOW_FAULT) & ~15ULL) - 8, /* as after a call */
	        [WARD_FREG_RFLAGS] = 0,
	};

	d->gone = true;
	d->moves_caught++;
	ward_ipc_buffer()->msg[WARD_FREG_RDI] = (uint64_t)d;
	ward_reply(reply, ward_msginfo(0, 0, 0, WARD_FREG_RDI + 1), mr);
}

uint64_t edu_serve_guarded(struct ward_server *s, struct edu_dev *d, const struct edu_env *env)
{
	uint64_t fault_ep, reply, tcb, badge, mr[WARD_MSG_REGISTERS];
	enum ward_error err;
	ward_msginfo_t info;

	if ((err = proc_retype(env->untyped, WARD_OBJ_ENDPOINT, 0, &fault_ep)) != WARD_OK ||
	    (err = proc_retype(env->untyped, WARD_OBJ_REPLY, 0, &reply)) != WARD_OK ||
	    (err = guard_thread_make(env, fault_ep, &tcb)) != WARD_OK)
		return err;
	loop_thread = (struct guard_thread){.server = s, .fault_ep = fault_ep};
	if ((err = ward_tcb_resume(tcb)) != WARD_OK)
		return err;
	for (;;) {
		info = ward_recv(fault_ep, reply, &badge, mr);
		if (ward_msginfo_label(info) == GUARD_DONE)
			break;
		if (ward_msginfo_label(info) == WARD_FAULT_PAGE && fault_is_move(d, mr[1])) {
			land(d, reply, mr[3]);
			continue;
		}
		printf("edu: the loop's thread faulted (label %llu, rip %#llx, %#llx): stopped\n",
		       (unsigned long long)ward_msginfo_label(info), (unsigned long long)mr[0],
		       (unsigned long long)mr[1]);
		ward_tcb_suspend(tcb);
		return WARD_ERR_CANCELLED;
	}
	ward_tcb_suspend(tcb);
	return loop_thread.result;
}

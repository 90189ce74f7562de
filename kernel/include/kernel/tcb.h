/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Thread control blocks. A TCB holds a thread's saved registers, its
 * scheduling state, its place in at most one wait queue, and four slots
 * with its CSpace root, VSpace root, IPC buffer frame and fault endpoint
 * (copies: deleting the originals does not pull the ground from under a
 * running thread). Guarded by the big kernel lock.
 */
#ifndef KERNEL_TCB_H
#define KERNEL_TCB_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/cap.h>
#include <kernel/console.h>
#include <kernel/objects.h>
#include "context.h"

enum thread_state {
	THREAD_INACTIVE = 0,     /* never resumed, suspended, or stopped after a fault */
	THREAD_RUNNABLE,         /* in a run queue or running */
	THREAD_BLOCKED_ON_SEND,  /* in an endpoint queue */
	THREAD_BLOCKED_ON_RECV,  /* in an endpoint queue */
	THREAD_BLOCKED_ON_REPLY, /* waiting for a reply object's answer */
	THREAD_BLOCKED_ON_NOTIFICATION,
	THREAD_IDLE, /* a CPU's idle thread */
};

enum tcb_slot {
	TCB_SLOT_CSPACE = 0,
	TCB_SLOT_VSPACE,
	TCB_SLOT_IPC_BUFFER,
	TCB_SLOT_FAULT_EP,
	TCB_SLOT_COUNT
};

/* x87/SSE state, FXSAVE format (SDM Vol. 1 §10.5.1): 512 bytes, 16-aligned. */
#define TCB_FPU_BYTES 512

struct tcb {
	struct user_context ctx;
	uint8_t fpu[TCB_FPU_BYTES] __attribute__((aligned(16)));
	uint8_t state;
	uint8_t priority;
	uint8_t max_priority;
	uint8_t cpu;            /* affinity: the run queue it joins */
	uint8_t running_on;     /* CPU index + 1 while on a CPU, else 0 */
	uint8_t fault;          /* enum ward_fault pending delivery, or 0 */
	uint8_t send_is_call;   /* blocked in Call (waits for a reply) */
	uint8_t send_can_grant; /* the send used a cap with the grant right */
	uint8_t is_root_task;   /* its unhandled fault stops the machine */
	uint8_t ready_queued;   /* in its CPU's ready queue (sched.c) */
	uint64_t send_badge;    /* the badge of the cap it sent through */
	uint64_t msginfo;       /* message info of a pending send, or the result */
	struct tcb *sched_next, *sched_prev;
	struct tcb *queue_next, *queue_prev;
	void *blocked_on;    /* endpoint, notification or reply object */
	struct reply *reply; /* receiving: the reply object to bind; calling: the bound one */
	struct notification *bound_notification;
	uint64_t ipc_buffer_va; /* user address, for reference */
	uint64_t fault_data[4]; /* fault address, error code, vector... */
	struct cte slots[TCB_SLOT_COUNT];
	struct console_line out;
	char name[16];
};
_Static_assert(sizeof(struct tcb) <= (1 << WARD_TCB_SIZE_BITS), "TCB size");

/*
 * The physical address of t's VSpace root, 0 if it has none. The slot
 * holds a copy that Delete or Revoke may remove at any time; while it is
 * there, the PML4 lives (an object goes only with its last cap), so no
 * ASID check is needed. When it goes, every CPU running t leaves the space
 * (platform_vspace_evict) and t enters user mode next on the kernel's
 * root, where it faults at once.
 */
static inline uint64_t tcb_vspace_phys(const struct tcb *t)
{
	const struct cap *v = &t->slots[TCB_SLOT_VSPACE].cap;
	return v->type == WARD_OBJ_PML4 ? v->word2 : 0; /* word2: set with its ASID */
}

/* The IPC buffer of `t` through the kernel's mapping, or NULL if none (inline: the fast path). */
static inline struct ward_ipc_buffer *tcb_ipc_buffer(const struct tcb *t)
{
	const struct cap *f = &t->slots[TCB_SLOT_IPC_BUFFER].cap;
	uint64_t size;

	if (f->type != WARD_OBJ_FRAME && f->type != WARD_OBJ_LARGE_FRAME)
		return NULL;
	size = 1ULL << f->bits;
	return (struct ward_ipc_buffer *)(f->obj + (t->ipc_buffer_va & (size - 1)));
}

/* Makes `t` inactive: dequeued from wherever it waits, never scheduled. */
void tcb_suspend(struct tcb *t);

/* Called when the last cap to a TCB goes: suspend, unbind, empty its slots. */
void tcb_finalise(struct tcb *t);

/* Sets fault-reply register i (enum ward_fault_reg); false if the value is invalid. */
bool tcb_set_fault_register(struct tcb *t, unsigned i, uint64_t v);

/* Prints the readable report of t's pending fault (no fault handler). */
void tcb_report_fault(const struct tcb *t);

/* Initialises a TCB object just retyped from untyped memory. */
void tcb_init(struct tcb *t);

#endif

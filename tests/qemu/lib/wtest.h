/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Support for the in-guest tests: what every test program needs on top of
 * libs/ipc, booted as the root task (the kernel tests) or started by it as
 * a process with `untyped=B` (tests of servers). wt_init() finds which:
 * the root task's memory is its largest RAM untyped and its slots the boot
 * information's free range; a process's memory is its untyped (slot 4) and
 * its slots the start information's free range.
 *
 *  - slots of the root CNode (a capability address equals its slot index;
 *    CNode invocations use index = slot, depth = 64), objects retyped from
 *    the largest RAM untyped, virtual addresses above WT_VA_BASE and
 *    Frame_Map with the missing paging structures made on demand: thin
 *    wrappers over libs/proc (proc/slots.h, proc/untyped.h, proc/map.h),
 *    which halt the machine when slots run out and print diagnostics;
 *  - threads in the root's address space and CSpace: a TCB, a stack of
 *    WT_STACK_PAGES frames below an unmapped guard page, an IPC buffer
 *    frame whose second half holds the thread block (thread pointer, IPC
 *    buffer word, error detail words), installed through
 *    TCB_WriteRegisters(fs_base). A thread ends by signalling its `done`
 *    notification and suspending itself;
 *  - wt_settle(): lets every runnable thread on CPU 0 above priority
 *    WT_SETTLE_PRIORITY run until it blocks (a helper at that priority
 *    answers only when nothing else is runnable);
 *  - wt_probe(): runs a function in a thread whose faults come to the root
 *    task, and reports whether it finished or which fault it took;
 *  - wt_wait_signal(): waits for a notification a bounded number of polls
 *    (no clock: a bound on tries, so a slow host changes nothing);
 *  - client processes on chosen CPUs with chosen caps: wclient.h.
 *
 * Assertions use tests/qemu/tap.h, which keeps its counters per
 * translation unit: only the test program's own file reports results;
 * this library only prints diagnostics.
 */
#ifndef WARD_TEST_WTEST_H
#define WARD_TEST_WTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/invoke.h>
#include <ward/rt.h>
#include <ward/sys.h>
#include "wcpu.h"

#define WT_PAGE            4096ULL
#define WT_VA_BASE         0x0000200000000000ULL /* free in the root task's layout */
#define WT_PROC_VA_BASE    0x0000600000000000ULL /* free in a process's (ward/startinfo.h) */
#define WT_STACK_PAGES     4
#define WT_RIGHTS_RW       (WARD_RIGHT_READ | WARD_RIGHT_WRITE)
#define WT_SETTLE_PRIORITY 1
#define WT_PROBE_PRIORITY  200
#define WT_PROBE_DONE      0x7e57 /* label of a probe that returned without a fault */

/* The boot information, checked by wt_init() (NULL in a process). */
extern const struct ward_bootinfo *wt_bi;

/*
 * Finds memory and the free slot range (root task: the boot information;
 * process: the start information, which must give an untyped); ends the
 * program (the root task: halts the machine) if neither is usable.
 */
void wt_init(void);

/* How many CPUs the kernel brought up (boot or start information). */
unsigned wt_cpu_count(void);

/*
 * The TCB cap whose priority bounds the threads the test makes (the root
 * task's own; a process's only if its role got one), 0 if there is none:
 * then new threads keep priority 0 and should run on a CPU of their own.
 */
uint64_t wt_tcb_authority(void);

/* A fresh empty slot of the root CNode (its cptr), or `count` consecutive ones. */
uint64_t wt_slot(void);
uint64_t wt_slots(unsigned count);

/* The RAM untyped objects are retyped from, and its size in bits. */
uint64_t wt_ram_untyped(void);
unsigned wt_ram_untyped_bits(void);

/*
 * Retypes one object (size_bits: untyped size or CNode radix, else
 * ignored) into a fresh slot; returns the slot, 0 on failure (with a
 * diagnostic naming the error).
 */
uint64_t wt_obj(unsigned type, unsigned size_bits);
uint64_t wt_obj_from(uint64_t untyped, unsigned type, unsigned size_bits);

/* Copies / mints `src` into a fresh slot (0 on failure). */
uint64_t wt_copy(uint64_t src, uint64_t rights);
uint64_t wt_mint(uint64_t src, uint64_t rights, uint64_t badge);

/* Deletes the cap in a root CNode slot. */
enum ward_error wt_delete(uint64_t slot);

/* Reserves `pages` pages of unmapped virtual address space after a guard page. */
uint64_t wt_va(unsigned pages);

/*
 * Maps a frame into the VSpace `vspace` (the root's: WARD_CAP_INIT_VSPACE),
 * first making and mapping any paging structure Frame_Map reports missing.
 */
enum ward_error wt_map_in(uint64_t vspace, uint64_t frame, uint64_t va, uint64_t rights);
enum ward_error wt_map(uint64_t frame, uint64_t va, uint64_t rights);

/* Maps the frame cap `frame` (4 KiB) at a fresh address of the caller's VSpace; NULL on failure. */
void *wt_map_free(uint64_t frame, uint64_t rights);

/* A new zeroed frame mapped at a fresh address of the caller's VSpace (NULL on failure). */
void *wt_page(uint64_t rights, uint64_t *frame);

/*
 * Polls the notification `ntfn` at most `tries` times, yielding between
 * polls; true (and the bits in *badge if not NULL) if a signal came. A
 * yield lets threads of the caller's priority on its CPU run; a signaller
 * on another CPU runs meanwhile anyway.
 */
bool wt_wait_signal(uint64_t ntfn, unsigned tries, uint64_t *badge);

/* Names of error codes and fault labels, for diagnostics. */
const char *wt_err_name(uint64_t err);

struct wt_thread;
typedef void (*wt_fn)(struct wt_thread *self);

struct wt_thread {
	uint64_t tcb;       /* its TCB cap */
	uint64_t ipc_frame; /* the frame holding its IPC buffer and thread block */
	uint64_t done;      /* notification signalled when fn returns */
	struct ward_ipc_buffer *ipc;
	uintptr_t *block;
	uint64_t stack_base, stack_top;
	wt_fn fn;
	void *arg;
	volatile uint64_t word[8]; /* free for the test: results, counters */
	volatile int finished;
};

/*
 * Creates a thread (not yet running) that will call fn(t) at `priority`
 * in the root's CSpace and VSpace; false on failure (diagnostic printed).
 */
bool wt_thread_new(struct wt_thread *t, const char *name, wt_fn fn, void *arg, unsigned priority);

/* As wt_thread_new, with a TCB the caller retyped (from an untyped of its choice). */
bool wt_thread_new_with_tcb(struct wt_thread *t, uint64_t tcb, const char *name, wt_fn fn,
                            void *arg, unsigned priority);

/* The registers wt_thread_new gives a thread: entry at fn with a fresh stack. */
void wt_thread_initial_regs(struct wt_thread *t, uint64_t regs[WARD_REG_COUNT]);

/* Resumes it (TCB_Resume). */
enum ward_error wt_thread_start(struct wt_thread *t);

/* Waits until fn has returned (its `done` notification). */
void wt_thread_join(struct wt_thread *t);

/* Lets every runnable thread on CPU 0 with a priority above WT_SETTLE_PRIORITY run. */
void wt_settle(void);

/* What a probe did: WT_PROBE_DONE, or a fault label (ward_fault) and the fault's MRs. */
struct wt_probe_result {
	uint64_t label;
	uint64_t mr[WARD_MSG_REGISTERS];
};

/*
 * Runs fn(arg) in a thread at WT_PROBE_PRIORITY whose fault handler is the
 * root task; returns when fn returned or faulted. The thread is stopped
 * afterwards either way.
 */
uint64_t wt_probe(void (*fn)(uint64_t), uint64_t arg, struct wt_probe_result *out);

/* Reads a byte / writes a byte / calls an address: probe functions. */
void wt_read_byte(uint64_t va);
void wt_write_byte(uint64_t va);
void wt_call_address(uint64_t va);

#endif

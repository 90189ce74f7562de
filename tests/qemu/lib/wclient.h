/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Client processes for tests: a test (the root task, or a process started
 * with `untyped=B`) starts a function of its own program as a process of
 * its own — its own CSpace holding only the caps the test lists, its own
 * VSpace — on a chosen CPU, to act as a separate client of a server.
 *
 * How: a test can start no ELF image (a process sees no boot module), so
 * the client runs the test's own program. Its loaded image, from
 * __executable_start to _end, is copied page by page into frames of the
 * client (text executable, the rest writable) at the same addresses: the
 * client sees the test's code and a snapshot of its static data taken at
 * wt_client_start, so `fn` and pointers into static data work there, and
 * nothing the client writes reaches the test, except through the shared
 * page. Every object of the client (CNode, VSpace, TCB, frames, paging
 * structures, `done`) is retyped from one untyped carved from the test's
 * memory: wt_client_end() revokes it and the memory is whole again.
 *
 * Limits: the client has no heap, no fault handler and no system-call
 * emulation: it may call libs/ipc and libs/rt's ward_printf (the kernel's
 * console; tests/qemu/tap.h prints through it), and musl's functions that
 * make no system call (string, stdio formatting), but not malloc or
 * printf. A fault stops its thread (the kernel reports it on the console)
 * and wt_client_join() then returns false. Its priority is the config's
 * where the test has a TCB to bound it (wt_tcb_authority), else 0: give
 * it a CPU of its own then.
 *
 * The client's CSpace (a capability address is its slot index, depth 64):
 */
#ifndef WARD_TEST_WCLIENT_H
#define WARD_TEST_WCLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/errors.h>

enum wt_client_slot {
	WT_CLIENT_CAP_TCB = 1,   /* its own TCB (it suspends itself when fn returns) */
	WT_CLIENT_CAP_CNODE = 2, /* its CNode: a place to receive caps */
	WT_CLIENT_CAP_DONE = 3,  /* signalled (badge 1) when fn returns */
	WT_CLIENT_CAP_FIRST = 8, /* the config's caps[i] is in slot WT_CLIENT_CAP_FIRST + i */
};

#define WT_CLIENT_CNODE_RADIX 8 /* 256 slots; the client's own from FIRST + cap_count */
#define WT_CLIENT_MAX_CAPS    32
#define WT_CLIENT_BITS        20 /* default memory: 1 MiB (image copy, stack, tables) */
#define WT_CLIENT_STACK_PAGES 8

/* What fn gets, in the client; lives in its IPC buffer's page. */
struct wt_client_env {
	uint64_t arg;             /* the config's */
	unsigned cpu;             /* the CPU the client was started on */
	unsigned cap_count;       /* caps in WT_CLIENT_CAP_FIRST ... */
	volatile uint64_t *share; /* one page the test sees too (512 words) */
	void (*fn)(const struct wt_client_env *env);
};

typedef void (*wt_client_fn)(const struct wt_client_env *env);

struct wt_client_config {
	const char *name; /* the thread's name on the console */
	wt_client_fn fn;
	uint64_t arg;
	unsigned cpu;
	unsigned priority;    /* with wt_tcb_authority() only; else 0 */
	const uint64_t *caps; /* the test's cptrs, copied with their rights and badges */
	unsigned cap_count;
	unsigned bits; /* the client's memory, 2^bits bytes (0: WT_CLIENT_BITS) */
};

struct wt_client {
	uint64_t untyped; /* everything of the client comes from it (a test slot) */
	unsigned bits;    /* its size */
	uint64_t cnode, vspace, tcb, done;
	volatile uint64_t *share; /* the test's view of the shared page */
};

/*
 * Makes the client and starts fn(env) in it on cfg->cpu. WARD_OK, or the
 * error of the step that failed with a diagnostic (WARD_ERR_RANGE for a
 * CPU the kernel does not have, WARD_ERR_NOT_ENOUGH_MEMORY when the test's
 * memory or the client's is short); on error nothing of the client runs
 * and its memory is revoked.
 */
enum ward_error wt_client_start(struct wt_client *c, const struct wt_client_config *cfg);

/* Polls up to `tries` times (wt_wait_signal) for fn to return; true if it did. */
bool wt_client_join(struct wt_client *c, unsigned tries);

/*
 * Stops the client and revokes its memory; true if the memory is whole
 * again (nothing of it survived). Its caps' slots in the test stay used.
 */
bool wt_client_end(struct wt_client *c);

#endif

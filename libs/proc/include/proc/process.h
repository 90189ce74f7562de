/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Processes, as the root task makes and ends them (docs/userspace.md).
 *
 * A process is made from one untyped object: its CNode, VSpace, TCB, the
 * frames of its image, stack, IPC buffer, start information and heap, and
 * every paging structure. Ending it is suspending its thread and revoking
 * that untyped, which deletes every object it had and every cap to them,
 * wherever they are; the untyped is then whole again for the next one.
 *
 * The root task keeps the caps it needs later (the frames, to read and
 * write the process's memory when it emulates system calls; the paging
 * structures, which must outlive their mappings) in a bookkeeping CNode of
 * the process, made from the same untyped: the process never sees it.
 *
 * Not thread-safe: one thread of the root task does all of this.
 */
#ifndef PROC_PROCESS_H
#define PROC_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/bootinfo.h>
#include <ward/errors.h>
#include <ward/heap.h>
#include <ward/startinfo.h>

#define PROC_MAX_REGIONS 16
#define PROC_STACK_PAGES 32
#define PROC_MISC_SLOTS  512 /* bookkeeping slots for tables and device frames */

/* Pages of the process that the root task may read or write: image, stack, ... */
struct proc_region {
	uint64_t va;
	uint32_t pages;
	uint32_t first; /* bookkeeping slot of its first page; the rest follow */
	bool writable;  /* by the process (the root task writes even read-only pages) */
};

struct proc {
	uint32_t pid;
	char name[WARD_STARTINFO_NAME_LEN];
	/* Root CSpace slots. */
	uint64_t untyped; /* everything below comes from it */
	uint64_t book;    /* the bookkeeping CNode */
	uint64_t cnode;   /* the process's CNode (guard: cptr = slot index) */
	uint64_t vspace;
	uint64_t tcb;
	unsigned cpu; /* where its main thread runs (TCB_SetAffinity) */
	unsigned untyped_bits;
	unsigned book_radix;
	uint32_t book_next;  /* next unused bookkeeping slot in the misc area */
	uint32_t book_end;   /* 2^book_radix */
	uint32_t heap_first; /* bookkeeping slot of heap page 0 */
	uint32_t ipc_slot, info_slot;
	uint32_t next_role_slot; /* next slot of the process's CSpace for a role cap */
	uint64_t entry;
	uint64_t next_device_va;
	unsigned region_count;
	struct proc_region regions[PROC_MAX_REGIONS];
	struct ward_heap heap;
	struct ward_startinfo info; /* written to its page by proc_start */
};

/* What to start: a boot module. */
struct proc_config {
	uint32_t pid;
	uint32_t restarts;
	const char *name;
	const char *args;
	const void *image; /* the ELF file, readable by the root task */
	uint64_t image_size;
	uint64_t untyped; /* root slot of the process's memory (proc/untyped.h) */
	unsigned untyped_bits;
	uint64_t heap_pages; /* virtual size of the heap; memory comes as it is used */
	unsigned cpu;        /* the CPU its main thread runs on (0: the boot CPU) */
};

/* Sets up every allocator from the boot information; call once. */
enum ward_error proc_init(const struct ward_bootinfo *bi);

/*
 * Makes a process with the image loaded, not yet running. On error nothing
 * of it is left (the untyped is whole again) and *why says what failed.
 */
enum ward_error proc_create(struct proc *p, const struct proc_config *c, const char **why);

/*
 * Writes the start information and starts the main thread at `priority`
 * (at most the root task's) on the CPU of the configuration, with faults
 * and system calls going to `fault_ep` (a root cptr) as a copy badged with
 * the pid. A CPU the kernel does not have: WARD_ERR_RANGE, nothing runs.
 */
enum ward_error proc_start(struct proc *p, uint64_t fault_ep, unsigned priority);

/*
 * Ends the process: stops its thread, revokes its untyped and frees its
 * root slots. Returns false if the untyped is not whole afterwards (some
 * object survived the revoke), which would be a bug worth reporting.
 */
bool proc_destroy(struct proc *p);

/* --- Capabilities for the process's role (before proc_start) ---------- */

/* A copy (rights masked) or a badged mint of a root cap in CSpace slot `slot`. */
enum ward_error proc_give_copy(struct proc *p, uint64_t slot, uint64_t root_cap, uint64_t rights);
enum ward_error proc_give_mint(struct proc *p, uint64_t slot, uint64_t root_cap, uint64_t rights,
                               uint64_t badge);

/* An untyped of 2^bits bytes from the process's own memory, and its VSpace cap. */
enum ward_error proc_give_untyped(struct proc *p, unsigned bits);

/* An MSI IRQHandler cap in CSpace slot `slot`; fills in the grant. */
enum ward_error proc_give_msi(struct proc *p, uint64_t slot, struct ward_irq_grant *grant);

/* Maps a copy of the root's frame `frame` (2^bits bytes) at va, read-write. */
enum ward_error proc_map_device(struct proc *p, uint64_t frame, uint64_t va);

/* --- The process's memory, for system-call emulation ------------------- */

bool proc_readable(const struct proc *p, uint64_t va, uint64_t len);
bool proc_copy_in(const struct proc *p, void *dst, uint64_t va, uint64_t len);
bool proc_copy_out(const struct proc *p, uint64_t va, const void *src, uint64_t len);

/* What ward_heap needs to back, map and unmap the process's heap pages (ctx: the proc). */
extern const struct ward_heap_ops proc_heap_ops;

#endif

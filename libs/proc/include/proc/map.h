/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Mapping frames with the paging structures made on demand. Frame_Map
 * fails with WARD_ERR_FAILED_LOOKUP when a level is missing and names it
 * (error detail `lo`: 3 PDPT, 2 PD, 1 PT); the table is then made, mapped,
 * and the map tried again. Where tables come from and where their caps are
 * kept is the caller's: a process's come from its own untyped and live in
 * its bookkeeping CNode, the root task's from its own pool.
 */
#ifndef PROC_MAP_H
#define PROC_MAP_H

#include <stdint.h>
#include <ward/errors.h>

struct proc_tables {
	uint64_t vspace; /* the PML4 (root CSpace cptr) */
	/* Makes a paging structure of `type` in a root slot (*slot). */
	enum ward_error (*make)(void *ctx, unsigned type, uint64_t *slot);
	/* Keeps a table once it is mapped (its cap must live on, or the mapping goes). */
	enum ward_error (*keep)(void *ctx, uint64_t slot);
	void *ctx;
};

/* Maps `frame` (root cptr) at va with rights (WARD_RIGHT_*), making missing tables. */
enum ward_error proc_map_frame(const struct proc_tables *t, uint64_t frame, uint64_t va,
                               uint64_t rights);

/*
 * The same in any VSpace (root cptr), with tables retyped from `untyped`
 * (0: the root task's own pool) and kept in root slots.
 */
enum ward_error proc_map_into(uint64_t vspace, uint64_t untyped, uint64_t frame, uint64_t va,
                              uint64_t rights);

/* The same in the root task's own VSpace, with tables from its own pool. */
enum ward_error proc_map_root(uint64_t frame, uint64_t va, uint64_t rights);

/* Virtual address space handed out upwards from `next`; nothing is mapped by it. */
struct proc_va_area {
	uint64_t next;
};

#define PROC_VA_PAGE 4096ULL

/* `pages` pages of unused address space after an unmapped guard page (their first address). */
uint64_t proc_va_alloc(struct proc_va_area *area, unsigned pages);

#endif

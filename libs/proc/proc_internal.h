/* SPDX-License-Identifier: BSD-2-Clause */
/* What libs/proc's files share; not part of the library's interface. */
#ifndef PROC_INTERNAL_H
#define PROC_INTERNAL_H

#include <stdint.h>
#include <proc/map.h>
#include <proc/process.h>

#define PROC_PAGE 4096ULL

/* Where the root task looks at one process page at a time (one page, root VSpace). */
#define PROC_SCRATCH_VA 0x0000300000000000ULL

/*
 * Root slots, empty between calls: `work` holds a frame on its way into a
 * process, `table` a paging structure made meanwhile, `view` a copy of a
 * process frame mapped at PROC_SCRATCH_VA.
 */
extern uint64_t proc_scratch_work, proc_scratch_table, proc_scratch_view;

enum ward_error proc_book_init(void);

/* Moves between a bookkeeping slot and a root slot. */
enum ward_error proc_book_take(const struct proc *p, uint32_t index, uint64_t root_slot);
enum ward_error proc_book_put(const struct proc *p, uint32_t index, uint64_t root_slot);

/* The next free slot of the bookkeeping CNode's misc area (tables, device frames). */
enum ward_error proc_book_misc(struct proc *p, uint32_t *index);

/* Tables for the process's VSpace, from its untyped, kept in its bookkeeping CNode. */
struct proc_tables proc_book_tables(struct proc *p);

/*
 * A new frame from the process's untyped, mapped at va with rights and kept
 * in bookkeeping slot `index`; `fill` (may be NULL) writes its first bytes
 * before the process can see it.
 */
enum ward_error proc_book_frame(struct proc *p, uint32_t index, uint64_t va, uint64_t rights,
                                const void *fill, uint64_t fill_len);

/* Maps the frame in bookkeeping slot `index` at PROC_SCRATCH_VA; proc_unview() ends it. */
void *proc_view(const struct proc *p, uint32_t index);
void proc_unview(void);

/* Writes into the process's memory whatever the page rights (for the start information). */
bool proc_poke(const struct proc *p, uint64_t va, const void *src, uint64_t len);

/* Loads the ELF image's segments (regions and frames); *why on error. */
enum ward_error proc_load_image(struct proc *p, const void *image, uint64_t size, const char **why);

/* Image pages the ELF needs (after validation), for sizing the bookkeeping CNode. */
enum ward_error proc_image_pages(const void *image, uint64_t size, uint32_t *pages,
                                 const char **why);

#endif

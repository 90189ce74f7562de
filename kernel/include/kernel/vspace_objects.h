/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address-space objects: PML4 (a VSpace root), PDPT, PD, PT, and frames.
 *
 * A PML4 gets an address-space ID (ASID) when it is retyped: cap word1 =
 * (generation << 16) | index into the kernel's ASID table. Frames and
 * paging structures that are mapped record (ASID, virtual address) in
 * their cap (word1, word2), so unmapping through a cap whose VSpace has
 * since been deleted finds a stale generation and touches nothing.
 * Implemented in kernel/object/vspace.c and kernel/object/frame.c over
 * the x86_64 page-table code in platform/x86_64/.
 */
#ifndef KERNEL_VSPACE_OBJECTS_H
#define KERNEL_VSPACE_OBJECTS_H

#include <stdbool.h>
#include <stdint.h>
#include <kernel/cap.h>

#define VSPACE_MAX_ASIDS 4096

/* Fills a new PML4 (kernel VA `pml4`) with the kernel half. */
void vspace_init_root(uint64_t pml4);

/* True if `count` more ASIDs can be assigned (checked before retype). */
bool vspace_asids_available(uint64_t count);

/* Assigns an ASID to the new PML4 cap (sets its word1). */
void vspace_assign_asid(struct cap *pml4_cap);

/* Physical address to load in CR3 for a thread's VSpace cap; 0 if none. */
uint64_t vspace_root_phys(const struct cap *vspace);

/* The PML4 (physical) an ASID word names, or 0 if that VSpace is gone. */
uint64_t vspace_asid_root(uint64_t asid);

struct invocation;

/*
 * Decodes extra cap 0 of a Map invocation: a PML4 with a live ASID. Gives
 * its ASID word and root's physical address; on error records it in `inv`
 * (INVALID_CAPABILITY, naming extra cap 0) and returns false.
 */
bool vspace_decode_root(struct invocation *inv, uint64_t *asid, uint64_t *root);

/*
 * Removes stale translations of `va` (of every address if `all`) in the
 * VSpace at `root` on every CPU; the caller has changed the tables.
 */
void vspace_flush_tlb(uint64_t root, uint64_t va, bool all);

/*
 * Removes the mapping the frame cap in `slot` records, if the VSpace still
 * exists and the entry is still that cap's own mapping (the shadow entry
 * names `slot`: pagetable.h), and marks the cap unmapped
 * (kernel/object/frame.c).
 */
void frame_unmap(struct cap *frame, const struct cte *slot);

/* The mapped frame cap moved from slot `from` to `to`: its mapping's owner follows. */
void frame_moved(const struct cap *frame, const struct cte *from, const struct cte *to);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the IOMMU server's QEMU tests share: slots and memory of the test
 * process, the edu devices (QEMU's hw/misc/edu.c: a DMA engine between a
 * 4 KiB device buffer at device address 0x40000 and memory, finishing on
 * a 100 ms timer, ignoring DMA errors, 28-bit DMA mask), and waits with a
 * time limit. The test processes run with `iommu-admin` (the root task's
 * authority over the IOMMU and PCI servers) and `untyped=N`.
 */
#ifndef IOMMU_TEST_H
#define IOMMU_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu_client.h"

#define EDU_ID          0x00
#define EDU_DMA_SRC     0x80
#define EDU_DMA_DST     0x88
#define EDU_DMA_COUNT   0x90
#define EDU_DMA_CMD     0x98
#define EDU_CMD_START   1u
#define EDU_CMD_TO_RAM  2u /* device buffer -> memory; without it memory -> device */
#define EDU_BUFFER      0x40000ULL
#define EDU_BUFFER_SIZE 4096u
/*
 * Bytes per DMA: QEMU 7.2's edu refuses (hw_error, QEMU exits) a transfer
 * that ends at the last byte of its buffer, so the tests never use all 4 KiB.
 */
#define EDU_XFER        2048u

struct edu {
	uint32_t sbdf;
	volatile uint8_t *bar;
	uint64_t frame;  /* the slot of BAR 0's frame cap */
	uint64_t assign; /* the group's assignment cap (slot), 0 until t_attach() */
	uint64_t device; /* the device cap of its current owner (slot) */
};

/* A free slot of the process's CNode (tests/qemu/lib/wtest.h's allocator: wt_slot). */
uint64_t t_slot(void);
/* Maps a frame cap at va (read-write), making the paging structures it needs. */
bool t_map(uint64_t frame, uint64_t va);
/* The n-th edu device (0, 1, ...): BAR 0 mapped, bus mastering on; false if none. */
bool t_edu(unsigned n, struct edu *e);
/*
 * ASSIGN of the edu's group (flags: IOMMU_ASSIGN_GROUP) to domain cap
 * dom, through its assignment cap (fetched with the privileged badge the
 * first time); then, through the new device cap, BAR 0 mapped again where
 * it was (the move revoked the old frame) and bus mastering on (the move
 * turned it off). Returns ASSIGN's error, or the first error after it.
 */
enum ward_error t_attach(uint64_t dom, struct edu *e, uint64_t flags);
/*
 * BAR 0 mapped again and bus mastering on through the privileged PCI cap
 * (the root task's view: a device in quarantine, whose DMA is blocked).
 */
bool t_edu_privileged(struct edu *e);
/* RELEASE of the edu's group to quarantine (its BAR frame and device cap die). */
enum ward_error t_detach(struct edu *e, uint64_t flags);
/* The n-th edu device's SBDF, without touching it (t_attach() maps its BAR later). */
bool t_edu_find(unsigned n, struct edu *e);
/* Runs one DMA and waits for it (the 100 ms timer); false if it did not finish in 5 s. */
bool t_edu_dma(struct edu *e, uint64_t src, uint64_t dst, uint32_t count, bool to_ram);
/* Waits up to ms for a signal on ntfn; true if one came. */
bool t_wait_signal(uint64_t ntfn, unsigned ms);
void t_sleep_ms(unsigned ms);
/* Whether the n bytes at p are all v. */
bool t_bytes_are(const void *p, uint8_t v, size_t n);
/* The server's count of fault records taken so far (STATS through domain cap dom). */
uint64_t t_faults_taken(uint64_t dom);
/*
 * Whether the platform writes fault records: a definition passes
 * `faults=unlogged` where the IOMMU model never does (QEMU 7.2's
 * amd-iommu, docs/iommu.md). Blocking is then checked by what the device
 * did alone, and a check that rests on fault records only is skipped.
 */
bool t_faults_logged(void);
/*
 * Where faults are unlogged, reports `what` as skipped (TAP # SKIP) and is
 * true. A macro: the result is numbered by the caller's ptap.h.
 */
#define t_skip_unlogged(what) \
	(!t_faults_logged() && ptap_ok(true, "%s # SKIP the platform logs no faults", what))
/*
 * Waits up to ms until the server has taken `count` faults; false if it
 * has not. True at once where faults are unlogged: callers check the
 * device's bytes as well.
 */
bool t_wait_faults(uint64_t dom, uint64_t count, unsigned ms);
/* A new notification cap. */
uint64_t t_notification(void);
/*
 * Allocates a buffer in the domain and maps its frames at va, with one
 * BUFFER_CNODE for all of them; *buf its id, *iova its IOVA, *frame_slot
 * the cap of frame 0 the mapping uses.
 */
enum ward_error t_buffer(uint64_t dom, uint64_t size, uint64_t iova, unsigned rights, uint64_t va,
                         uint64_t *buf, uint64_t *iova_used, uint64_t *frame_slot);
/*
 * BUFFER_CNODE into root slot `lent` (kept), every frame copied out of it
 * and mapped at va; *radix (if not NULL) the lent CNode's.
 */
enum ward_error t_buffer_cnode(uint64_t dom, uint64_t buf, uint64_t va, uint64_t lent,
                               uint64_t *frame_slot, uint64_t *radix);
/* Runs DUMP quietly: WARD_OK when records and tables agree; the counts it checked. */
enum ward_error t_dump(uint64_t *domains, uint64_t *contexts, uint64_t *ptes);

extern uint64_t t_ep;  /* the IOMMU server, privileged client badge */
extern uint64_t t_pci; /* the PCI server, privileged */

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupt remapping table indexes. An index names one entry the server
 * programmed for a device's interrupt; the unit may keep that entry in
 * its interrupt entry cache until an invalidation removes it. So, like a
 * domain ID (domain_id.h), a freed index must not name a new device's
 * interrupt before that invalidation completed: otherwise the old
 * device's MSI, still aimed at the index, could be delivered as the new
 * owner's vector, or the new entry could be shadowed by the old one. A
 * freed index goes through the core's deferred-free queue and is handed
 * out again only once the flush it was queued behind completed.
 *
 * A bitmap says which indexes are taken (in use, or waiting for their
 * flush); the search starts after the index handed out last, so a
 * released index comes back as late as possible. Vendor-neutral: the
 * table's size is the backend's caps.irq_entries. Belongs to the server
 * thread alone.
 */
#ifndef IOMMU_IRQ_INDEX_H
#define IOMMU_IRQ_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "deferred.h"
#include "iommu_err.h"

#define IRQ_INDEX_MAX 256u /* one 4 KiB page of 16-byte entries */

enum irq_index_state {
	IRQ_INDEX_FREE = 0,
	IRQ_INDEX_IN_USE,
	IRQ_INDEX_QUEUED, /* freed; its invalidation has not completed yet */
};

struct irq_index_alloc;

struct irq_index_node {
	struct deferred_item item; /* while queued for release */
	struct irq_index_alloc *owner;
	uint16_t index;
	uint8_t state; /* enum irq_index_state */
};

struct irq_index_alloc {
	uint64_t taken[IRQ_INDEX_MAX / 64]; /* bit set: in use or queued */
	uint32_t count;
	uint32_t next; /* where the next search starts */
	struct deferred_queue *queue;
	struct irq_index_node nodes[IRQ_INDEX_MAX];
};

/* Indexes 0 .. count - 1, freed through `queue`. IOMMU_ERR_INVAL for count 0 or above the max. */
enum iommu_err irq_index_init(struct irq_index_alloc *a, uint32_t count,
                              struct deferred_queue *queue);

/* A free index in *index, or IOMMU_ERR_EXHAUSTED (*index untouched). */
enum iommu_err irq_index_alloc(struct irq_index_alloc *a, uint32_t *index);

/*
 * Queues `index` for release behind the next flush: it is handed out
 * again only after that flush completed. The caller ends the request with
 * the flush that invalidates the entry (after clearing it).
 * IOMMU_ERR_RANGE for an index past count, IOMMU_ERR_NOT_ALLOCATED if it
 * is not in use (free, or already queued); nothing changes then.
 */
enum iommu_err irq_index_free(struct irq_index_alloc *a, uint32_t index);

/* The state of `index` (IRQ_INDEX_FREE past count). */
enum irq_index_state irq_index_state(const struct irq_index_alloc *a, uint32_t index);

/* Indexes irq_index_alloc() could hand out now. */
uint32_t irq_index_available(const struct irq_index_alloc *a);

#endif /* IOMMU_IRQ_INDEX_H */

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domain IDs tag every IOTLB and context-cache entry, so an ID may tag a
 * new domain only after the invalidation that removed the old domain's
 * entries completed: otherwise DMA through the new domain could hit a
 * stale translation of the old one (SEEDS.md §3). A freed ID therefore
 * goes through the deferred-free queue and comes back to this allocator
 * only when its flush completed.
 *
 * IDs are 1..count (0 is never handed out: VT-d reserves it in caching
 * mode, and quarantine keeps a fixed one chosen by the server). IDs never
 * used come first; then released IDs, least recently freed first, so a
 * reused ID has had the longest time out of the caches. count is at most
 * what every unit supports and a server option may lower it so that tests
 * force reuse. Belongs to the server thread alone.
 */
#ifndef IOMMU_DOMAIN_ID_H
#define IOMMU_DOMAIN_ID_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "deferred.h"

#define DOMAIN_ID_MAX 0xffffu /* 16-bit tags (VT-d ND = 6) */

struct domain_id_alloc;

struct domain_id_node {
	struct deferred_item item; /* while queued for release */
	struct domain_id_node *next_free;
	struct domain_id_alloc *owner;
	uint16_t id;
	bool in_use;
};

struct domain_id_alloc {
	struct domain_id_node *nodes; /* nodes[id - 1] */
	uint32_t count;
	uint32_t fresh; /* next never-used ID */
	struct domain_id_node *free_head;
	struct domain_id_node *free_tail;
	struct deferred_queue *queue;
	const struct iommu_mem_ops *mem;
};

/*
 * IDs 1..count, freed through queue. IOMMU_ERR_INVAL for count 0 or above
 * DOMAIN_ID_MAX, IOMMU_ERR_NO_MEMORY.
 */
enum iommu_err domain_id_init(struct domain_id_alloc *a, uint32_t count,
                              struct deferred_queue *queue, const struct iommu_mem_ops *mem);
/* Must not be called while an ID is queued in the deferred queue. */
void domain_id_fini(struct domain_id_alloc *a);

/* A free ID in *id, or IOMMU_ERR_EXHAUSTED. */
enum iommu_err domain_id_alloc(struct domain_id_alloc *a, uint16_t *id);

/*
 * Queue id for release behind the next flush; it is handed out again only
 * after that flush completed. The caller ends the request with the flush
 * that removes every cached entry tagged id (iommu_inv_flush_domain_gone()).
 * IOMMU_ERR_NOT_ALLOCATED if id is not in use.
 */
enum iommu_err domain_id_free(struct domain_id_alloc *a, uint16_t id);

/* IDs that domain_id_alloc() could hand out now. */
uint32_t domain_id_available(const struct domain_id_alloc *a);

#endif /* IOMMU_DOMAIN_ID_H */

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The interrupt remapping index allocator (the model is in irq_index.h):
 * a bitmap of taken indexes, a node per index that travels through the
 * deferred-free queue, and a release function that clears the index's
 * bit once its flush completed.
 */
#include <stddef.h>
#include <string.h>

#include "irq_index.h"

#define BITS 64u

static void set_taken(struct irq_index_alloc *a, uint32_t i, bool taken)
{
	if (taken)
		a->taken[i / BITS] |= 1ull << (i % BITS);
	else
		a->taken[i / BITS] &= ~(1ull << (i % BITS));
}

static bool is_taken(const struct irq_index_alloc *a, uint32_t i)
{
	return (a->taken[i / BITS] >> (i % BITS)) & 1;
}

/* deferred_item release: the entry's invalidation completed; the index may name another. */
static void irq_index_release(struct deferred_item *item, void *ctx)
{
	struct irq_index_node *n = (struct irq_index_node *)item;

	(void)ctx;
	n->state = IRQ_INDEX_FREE;
	set_taken(n->owner, n->index, false);
}

enum iommu_err irq_index_init(struct irq_index_alloc *a, uint32_t count,
                              struct deferred_queue *queue)
{
	if (count == 0 || count > IRQ_INDEX_MAX || queue == NULL)
		return IOMMU_ERR_INVAL;
	memset(a, 0, sizeof(*a));
	for (uint32_t i = 0; i < count; i++) {
		a->nodes[i].owner = a;
		a->nodes[i].index = (uint16_t)i;
		a->nodes[i].item.release = irq_index_release;
	}
	a->count = count;
	a->queue = queue;
	return IOMMU_OK;
}

enum iommu_err irq_index_alloc(struct irq_index_alloc *a, uint32_t *index)
{
	for (uint32_t k = 0; k < a->count; k++) {
		uint32_t i = (a->next + k) % a->count;

		if (is_taken(a, i))
			continue;
		set_taken(a, i, true);
		a->nodes[i].state = IRQ_INDEX_IN_USE;
		a->next = (i + 1) % a->count;
		*index = i;
		return IOMMU_OK;
	}
	return IOMMU_ERR_EXHAUSTED;
}

enum iommu_err irq_index_free(struct irq_index_alloc *a, uint32_t index)
{
	if (index >= a->count)
		return IOMMU_ERR_RANGE;
	if (a->nodes[index].state != IRQ_INDEX_IN_USE)
		return IOMMU_ERR_NOT_ALLOCATED;
	a->nodes[index].state = IRQ_INDEX_QUEUED;
	deferred_add(a->queue, &a->nodes[index].item);
	return IOMMU_OK;
}

enum irq_index_state irq_index_state(const struct irq_index_alloc *a, uint32_t index)
{
	return index < a->count ? (enum irq_index_state)a->nodes[index].state : IRQ_INDEX_FREE;
}

uint32_t irq_index_available(const struct irq_index_alloc *a)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < a->count; i++)
		n += !is_taken(a, i);
	return n;
}

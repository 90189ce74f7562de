/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domain-ID allocator (the model is in domain_id.h). One node per ID is
 * either in use, waiting in the deferred-free queue, or on the free FIFO;
 * the deferred queue's release function appends it to the FIFO's tail,
 * so the head is always the ID freed longest ago whose flush completed.
 * IDs never used are handed out first, in order, from a counter.
 */
#include <stddef.h>

#include "domain_id.h"

static struct domain_id_node *node_of(const struct domain_id_alloc *a, uint16_t id)
{
	if (id == 0 || id > a->count)
		return NULL;
	return &a->nodes[id - 1];
}

/* deferred_item release: the ID's flush completed, it may tag a domain again. */
static void domain_id_release(struct deferred_item *item, void *ctx)
{
	struct domain_id_node *n = (struct domain_id_node *)item;
	struct domain_id_alloc *a = n->owner;

	(void)ctx;
	n->next_free = NULL;
	if (a->free_tail)
		a->free_tail->next_free = n;
	else
		a->free_head = n;
	a->free_tail = n;
}

enum iommu_err domain_id_init(struct domain_id_alloc *a, uint32_t count,
                              struct deferred_queue *queue, const struct iommu_mem_ops *mem)
{
	if (count == 0 || count > DOMAIN_ID_MAX)
		return IOMMU_ERR_INVAL;
	a->nodes = mem->alloc_meta(mem->ctx, count * sizeof(*a->nodes));
	if (!a->nodes)
		return IOMMU_ERR_NO_MEMORY;
	for (uint32_t i = 0; i < count; i++) {
		a->nodes[i].owner = a;
		a->nodes[i].id = (uint16_t)(i + 1);
		a->nodes[i].in_use = false;
		a->nodes[i].item.release = domain_id_release;
	}
	a->count = count;
	a->fresh = 1;
	a->free_head = NULL;
	a->free_tail = NULL;
	a->queue = queue;
	a->mem = mem;
	return IOMMU_OK;
}

void domain_id_fini(struct domain_id_alloc *a)
{
	a->mem->free_meta(a->mem->ctx, a->nodes);
	a->nodes = NULL;
	a->count = 0;
}

enum iommu_err domain_id_alloc(struct domain_id_alloc *a, uint16_t *id)
{
	struct domain_id_node *n;

	if (a->fresh <= a->count) {
		n = node_of(a, (uint16_t)a->fresh++);
	} else if (a->free_head) {
		n = a->free_head;
		a->free_head = n->next_free;
		if (!a->free_head)
			a->free_tail = NULL;
	} else {
		return IOMMU_ERR_EXHAUSTED;
	}
	n->in_use = true;
	*id = n->id;
	return IOMMU_OK;
}

enum iommu_err domain_id_free(struct domain_id_alloc *a, uint16_t id)
{
	struct domain_id_node *n = node_of(a, id);

	if (!n || !n->in_use)
		return IOMMU_ERR_NOT_ALLOCATED;
	n->in_use = false;
	deferred_add(a->queue, &n->item);
	return IOMMU_OK;
}

uint32_t domain_id_available(const struct domain_id_alloc *a)
{
	uint32_t n = a->count + 1 - a->fresh;

	for (const struct domain_id_node *f = a->free_head; f; f = f->next_free)
		n++;
	return n;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lent DMA memory. A client never maps its own memory for a device: a
 * process's teardown revokes its untyped, which would free memory a device
 * can still write (docs/iommu.md). The server lends buffers from its own
 * pool instead and hands the client copies of its frame caps. A buffer is
 * mapped in its home domain (where it was allocated) and, on request, in
 * other domains of the same client with their own rights.
 *
 * Freeing is ordered so that no device and no CPU can reach the memory
 * when it is reused: unmap from every domain, invalidate, wait for the
 * invalidation to complete, revoke the server's frame caps (the client's
 * copies and CPU mappings go with them), zero, and only then return the
 * frames to the pool. If the wait fails, the buffer is never reused.
 *
 * IOVA ranges are checked against the domain's width, the interrupt window
 * and every RMRR (never mappable), and the domain's other mappings.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/startinfo.h>

#include "iommu_server.h"
#include "iommu_state.h"

#define IOVA_FIRST 0x100000ULL /* "any" IOVAs start at 1 MiB */

struct iommu_buffer iommu_buffers[IOMMU_MAX_BUFFERS];
static bool buffer_lost[IOMMU_MAX_BUFFERS]; /* its invalidation failed: never reused */
unsigned iommu_buffer_top; /* no buffer at or above this index has ever been used */

uint64_t buffer_id(const struct iommu_buffer *b)
{
	return ((uint64_t)b->generation << 16) | (uint64_t)(b - iommu_buffers);
}

static uint64_t frame_size(const struct iommu_buffer *b)
{
	return b->large ? IOMMU_LARGE : IOMMU_PAGE;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

enum ward_error iova_check(struct ward_request *rq, unsigned arg, unsigned di, uint64_t iova,
                           uint64_t size)
{
	const struct iommu_domain *d = &iommu_domains[di];
	uint64_t top = 1ULL << d->width;

	if (size > top || iova > top - size)
		return ward_fail(rq, IOMMU_ERR_IOVA_RANGE, arg, 0, top - size);
	if (overlaps(iova, size, IOMMU_MSI_BASE, IOMMU_MSI_END + 1 - IOMMU_MSI_BASE))
		return ward_fail(rq, IOMMU_ERR_RESERVED, arg, IOMMU_MSI_BASE, IOMMU_MSI_END);
	for (unsigned i = 0; i < iommu_rmrr_count; i++)
		if (overlaps(iova, size, iommu_rmrrs[i].base,
		             iommu_rmrrs[i].end + 1 - iommu_rmrrs[i].base))
			return ward_fail(rq, IOMMU_ERR_RESERVED, arg, iommu_rmrrs[i].base,
			                 iommu_rmrrs[i].end);
	for (unsigned b = 0; b < iommu_buffer_top; b++)
		for (unsigned m = 0; iommu_buffers[b].used && m < IOMMU_MAPS_PER_BUFFER; m++) {
			const struct iommu_mapping *mp = &iommu_buffers[b].map[m];
			if (mp->domain == di &&
			    overlaps(iova, size, mp->iova, iommu_buffers[b].size))
				return ward_fail(rq, IOMMU_ERR_OVERLAP, arg, mp->iova,
				                 mp->iova + iommu_buffers[b].size - 1);
		}
	return WARD_OK;
}

bool iova_find(unsigned di, uint64_t size, uint64_t align, uint64_t *iova)
{
	struct ward_reply scratch;
	struct ward_request rq = {.reply = &scratch};
	uint64_t top = 1ULL << iommu_domains[di].width, at = IOVA_FIRST;

	/* First fit: each refusal names the range in the way; jump past its end. */
	while (at + size > at && at + size <= top) {
		enum ward_error err;

		at = (at + align - 1) & ~(align - 1);
		if ((err = iova_check(&rq, 0, di, at, size)) == WARD_OK) {
			*iova = at;
			return true;
		}
		if (err == IOMMU_ERR_IOVA_RANGE)
			return false;
		at = scratch.mr[2] + 1;
	}
	return false;
}

void buffer_usage(uint32_t pid, unsigned *count, uint64_t *bytes)
{
	*count = 0;
	*bytes = 0;
	for (unsigned i = 0; i < iommu_buffer_top; i++)
		if (iommu_buffers[i].used && iommu_buffers[i].owner == pid) {
			++*count;
			*bytes += iommu_buffers[i].size;
		}
}

static uint64_t frame_phys(const struct iommu_buffer *b, unsigned i)
{
	return b->large ? pool_frame_phys(b->chunk[i], 0)
	                : pool_frame_phys(b->chunk[0], b->first + i);
}

static uint32_t frame_cap(const struct iommu_buffer *b, unsigned i)
{
	return b->large ? pool_frame_cap(b->chunk[i], 0)
	                : pool_frame_cap(b->chunk[0], b->first + i);
}

/* Unmaps every frame and queues the IOTLB invalidation of what changed; the caller waits. */
static void map_remove(const struct iommu_buffer *b, const struct iommu_mapping *m)
{
	struct iommu_domain *d = &iommu_domains[m->domain];

	if (b->large) {
		for (unsigned i = 0; i < b->frames; i++)
			hw_unmap(d->table, m->iova + i * IOMMU_LARGE, IOMMU_LARGE);
	} else {
		hw_unmap(d->table, m->iova, b->size); /* one physically contiguous run */
	}
	hw_inv_table(d->table, d->did);
}

/*
 * Maps every frame; on failure unmaps what it mapped. Under caching mode
 * (VT-d §6.1) the core reports the new range too, invalidated here.
 */
static bool map_add(const struct iommu_buffer *b, const struct iommu_mapping *m)
{
	struct iommu_domain *d = &iommu_domains[m->domain];

	if (!b->large && !hw_map(d->table, m->iova, frame_phys(b, 0), b->size, m->rights))
		return false;
	for (unsigned i = 0; b->large && i < b->frames; i++)
		if (!hw_map(d->table, m->iova + i * IOMMU_LARGE, frame_phys(b, i), IOMMU_LARGE,
		            m->rights)) {
			for (unsigned k = 0; k < i; k++)
				hw_unmap(d->table, m->iova + k * IOMMU_LARGE, IOMMU_LARGE);
			hw_inv_table(d->table, d->did);
			return hw_inv_wait() && false;
		}
	hw_inv_table(d->table, d->did);
	return !iommu_caching_mode || hw_inv_wait();
}

/* Takes the memory back: every mapping gone and waited for, copies revoked, zeroed, reused. */
static bool buffer_release(struct iommu_buffer *b)
{
	unsigned idx = (unsigned)(b - iommu_buffers);

	for (unsigned m = 0; m < IOMMU_MAPS_PER_BUFFER; m++)
		if (b->map[m].domain != IOMMU_NO_DOMAIN) {
			map_remove(b, &b->map[m]);
			if (m == 0)
				iommu_domains[b->map[m].domain].buffers--;
			else
				iommu_domains[b->map[m].domain].maps--;
			b->map[m].domain = IOMMU_NO_DOMAIN;
		}
	b->used = false;
	b->generation++;
	if (!hw_inv_wait()) {
		buffer_lost[idx] = true; /* a device may still reach it: never reused */
		return false;
	}
	for (unsigned i = 0; i < b->frames; i++) {
		mem_revoke_big(frame_cap(b, i));
		memset(b->large ? pool_frame_va(b->chunk[i], 0)
		                : pool_frame_va(b->chunk[0], b->first + i),
		       0, frame_size(b));
	}
	if (b->large)
		pool_free_large(b->frames, b->chunk);
	else
		pool_free_small(b->chunk[0], b->first, b->frames);
	return true;
}

void buffer_client_gone(uint32_t pid)
{
	for (unsigned i = 0; i < iommu_buffer_top; i++)
		if (iommu_buffers[i].used && iommu_buffers[i].owner == pid)
			buffer_release(&iommu_buffers[i]);
}

/* The client's buffer with this id, or NO_BUFFER naming argument `arg`. */
static enum ward_error buffer_of(struct ward_request *rq, unsigned arg, uint64_t id, uint32_t pid,
                                 struct iommu_buffer **out)
{
	uint64_t i = id & 0xffff;

	if (i >= IOMMU_MAX_BUFFERS || !iommu_buffers[i].used || iommu_buffers[i].owner != pid ||
	    buffer_id(&iommu_buffers[i]) != id)
		return ward_fail(rq, IOMMU_ERR_NO_BUFFER, arg, 0, 0);
	*out = &iommu_buffers[i];
	return WARD_OK;
}

static bool rights_ok(uint64_t rights)
{
	return (rights & IOMMU_RIGHTS_ALL) != 0 && (rights & ~(uint64_t)IOMMU_RIGHTS_ALL) == 0;
}

/* ALLOC_BUFFER's rights: IOMMU_ALLOC_SMALL besides the mapping's. */
static bool alloc_rights_ok(uint64_t rights)
{
	return rights_ok(rights & ~(uint64_t)IOMMU_ALLOC_SMALL);
}

static bool use_large(uint64_t size, uint64_t rights)
{
	return size % IOMMU_LARGE == 0 && !(rights & IOMMU_ALLOC_SMALL);
}

/* ALLOC_BUFFER's argument checks, in the documented order; *fsize the frame size. */
static enum ward_error alloc_check(struct ward_request *rq, struct iommu_domain *d, uint64_t size,
                                   uint64_t *align, uint64_t *iova, uint64_t rights)
{
	unsigned di = (unsigned)(d - iommu_domains), count;
	uint64_t fsize = size % IOMMU_LARGE == 0 ? IOMMU_LARGE : IOMMU_PAGE, bytes;
	enum ward_error err;

	if (size == 0 || size % IOMMU_PAGE != 0 || size > (1ULL << 40))
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 0, IOMMU_PAGE,
		                 IOMMU_BYTES_PER_CLIENT);
	if (*align == 0)
		*align = IOMMU_PAGE;
	if ((*align & (*align - 1)) != 0 || *align > (1ULL << 40))
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 1, IOMMU_PAGE, 1ULL << 40);
	if (!alloc_rights_ok(rights))
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 3, 1,
		                 IOMMU_RIGHTS_ALL | IOMMU_ALLOC_SMALL);
	if (*align < fsize)
		*align = fsize;
	if (*iova != IOMMU_IOVA_ANY) {
		if (*iova % *align != 0)
			return ward_fail(rq, WARD_ERR_ALIGNMENT, 2, *align, 0);
		if ((err = iova_check(rq, 2, di, *iova, size)) != WARD_OK)
			return err;
	} else if (!iova_find(di, size, *align, iova)) {
		return ward_fail(rq, IOMMU_ERR_IOVA_RANGE, 2, 0, (1ULL << d->width) - 1);
	}
	buffer_usage(d->owner, &count, &bytes);
	if (count >= IOMMU_BUFFERS_PER_CLIENT || bytes + size > IOMMU_BYTES_PER_CLIENT)
		return ward_fail(rq, IOMMU_ERR_QUOTA, 0, 0, IOMMU_BYTES_PER_CLIENT - bytes);
	return WARD_OK;
}

/* A free buffer slot with pool memory for `size`, or NULL. */
static struct iommu_buffer *buffer_new(uint64_t size, uint64_t rights)
{
	struct iommu_buffer *b = NULL;

	for (unsigned i = 0; i < IOMMU_MAX_BUFFERS && b == NULL; i++)
		if (!iommu_buffers[i].used && !buffer_lost[i])
			b = &iommu_buffers[i];
	if (b == NULL)
		return NULL;
	b->large = use_large(size, rights);
	b->frames = (unsigned)(size / frame_size(b));
	b->size = size;
	if (b->large ? b->frames > IOMMU_BUFFER_CHUNKS || !pool_alloc_large(b->frames, b->chunk)
	             : !pool_alloc_small(b->frames, &b->chunk[0], &b->first))
		return NULL;
	for (unsigned m = 0; m < IOMMU_MAPS_PER_BUFFER; m++)
		b->map[m].domain = IOMMU_NO_DOMAIN;
	return b;
}

static void buffer_unlend(struct iommu_buffer *b)
{
	if (b->large)
		pool_free_large(b->frames, b->chunk);
	else
		pool_free_small(b->chunk[0], b->first, b->frames);
}

enum ward_error iommu_serve_alloc_buffer(struct ward_request *rq, uint64_t size, uint64_t align,
                                         uint64_t iova, uint64_t rights, uint64_t *buffer,
                                         uint64_t *iova_used, uint64_t *frame_count,
                                         uint64_t *fsize)
{
	struct iommu_domain *d;
	struct iommu_buffer *b;
	enum ward_error err;

	if ((err = domain_of(rq, &d)) != WARD_OK ||
	    (err = alloc_check(rq, d, size, &align, &iova, rights)) != WARD_OK)
		return err;
	if ((b = buffer_new(size, rights)) == NULL)
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 0, 0, 0);
	b->map[0] = (struct iommu_mapping){(uint16_t)(d - iommu_domains),
	                                   (uint8_t)(rights & IOMMU_RIGHTS_ALL), iova};
	if (!map_add(b, &b->map[0])) {
		buffer_unlend(b);
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 0, 0, 0);
	}
	b->used = true;
	b->owner = d->owner;
	if ((unsigned)(b - iommu_buffers) >= iommu_buffer_top)
		iommu_buffer_top = (unsigned)(b - iommu_buffers) + 1;
	if (b->generation == 0)
		b->generation = 1;
	d->buffers++;
	*buffer = buffer_id(b);
	*iova_used = iova;
	*frame_count = b->frames;
	*fsize = frame_size(b);
	return WARD_OK;
}

enum ward_error iommu_serve_buffer_frame(struct ward_request *rq, uint64_t buffer, uint64_t index,
                                         uint64_t *phys, uint64_t *size)
{
	struct iommu_domain *d;
	struct iommu_buffer *b;
	enum ward_error err;

	if ((err = domain_of(rq, &d)) != WARD_OK ||
	    (err = buffer_of(rq, 0, buffer, d->owner, &b)) != WARD_OK)
		return err;
	if (index >= b->frames)
		return ward_fail(rq, WARD_ERR_RANGE, 1, 0, b->frames - 1);
	ward_cnode_delete(WARD_PROC_CAP_CNODE, iommu_reply_slot, 64);
	if (!mem_copy_out(frame_cap(b, (unsigned)index), iommu_reply_slot))
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 1, 0, 0);
	iommu_reply_cap = iommu_reply_slot;
	*phys = frame_phys(b, (unsigned)index);
	*size = frame_size(b);
	return WARD_OK;
}

enum ward_error iommu_serve_free_buffer(struct ward_request *rq, uint64_t buffer)
{
	struct iommu_domain *d;
	struct iommu_buffer *b;
	enum ward_error err;

	if ((err = domain_of(rq, &d)) != WARD_OK ||
	    (err = buffer_of(rq, 0, buffer, d->owner, &b)) != WARD_OK)
		return err;
	if (!buffer_release(b))
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 0, 0, 0);
	return WARD_OK;
}

static struct iommu_mapping *mapping_in(struct iommu_buffer *b, unsigned di)
{
	for (unsigned m = 0; m < IOMMU_MAPS_PER_BUFFER; m++)
		if (b->map[m].domain == di)
			return &b->map[m];
	return NULL;
}

enum ward_error iommu_serve_map_buffer(struct ward_request *rq, uint64_t buffer, uint64_t iova,
                                       uint64_t rights, uint64_t *iova_used)
{
	struct iommu_domain *d;
	struct iommu_buffer *b;
	struct iommu_mapping *m;
	enum ward_error err;
	unsigned di;

	if ((err = domain_of(rq, &d)) != WARD_OK ||
	    (err = buffer_of(rq, 0, buffer, d->owner, &b)) != WARD_OK)
		return err;
	di = (unsigned)(d - iommu_domains);
	if (mapping_in(b, di) != NULL)
		return ward_fail(rq, IOMMU_ERR_MAPPED, 0, 0, 0);
	if (!rights_ok(rights))
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 2, 1, IOMMU_RIGHTS_ALL);
	if (iova != IOMMU_IOVA_ANY) {
		if (iova % frame_size(b) != 0)
			return ward_fail(rq, WARD_ERR_ALIGNMENT, 1, frame_size(b), 0);
		if ((err = iova_check(rq, 1, di, iova, b->size)) != WARD_OK)
			return err;
	} else if (!iova_find(di, b->size, frame_size(b), &iova)) {
		return ward_fail(rq, IOMMU_ERR_IOVA_RANGE, 1, 0, (1ULL << d->width) - 1);
	}
	if ((m = mapping_in(b, IOMMU_NO_DOMAIN)) == NULL)
		return ward_fail(rq, IOMMU_ERR_QUOTA, 0, 0, IOMMU_MAPS_PER_BUFFER - 1);
	*m = (struct iommu_mapping){(uint16_t)di, (uint8_t)rights, iova};
	if (!map_add(b, m)) {
		m->domain = IOMMU_NO_DOMAIN;
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 0, 0, 0);
	}
	d->maps++;
	*iova_used = iova;
	return WARD_OK;
}

enum ward_error iommu_serve_unmap_buffer(struct ward_request *rq, uint64_t buffer)
{
	struct iommu_domain *d;
	struct iommu_buffer *b;
	struct iommu_mapping *m;
	enum ward_error err;

	if ((err = domain_of(rq, &d)) != WARD_OK ||
	    (err = buffer_of(rq, 0, buffer, d->owner, &b)) != WARD_OK)
		return err;
	m = mapping_in(b, (unsigned)(d - iommu_domains));
	if (m == NULL || m == &b->map[0])
		return ward_fail(rq, IOMMU_ERR_MAPPED, 0, 0, 0);
	map_remove(b, m);
	m->domain = IOMMU_NO_DOMAIN;
	d->maps--;
	if (!hw_inv_wait())
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 0, 0, 0);
	return WARD_OK;
}

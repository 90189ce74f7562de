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
 * when it is reused: unmap from every domain and queue the invalidations;
 * revoke the server's frame caps and the CNode lent with them (every copy
 * the client made and every CPU mapping of them vanish); queue the memory
 * in the core's deferred-free queue (hw_defer()) and wait. The memory is
 * zeroed and returned to the pool only when a wait covering it completed:
 * at once, or, if this one failed, after a later global invalidation.
 *
 * IOVAs come from the domain's IOVA space (the core's, in hw.h): the
 * domain's width, the interrupt window and every RMRR (reserved: never
 * mappable), and the domain's other mappings are checked there, and "any"
 * is the lowest free range that fits. A mapping's range is given back
 * once the invalidation of its unmap completed.
 *
 * Without a remapping unit (hw_bare()) a device sees physical memory
 * untranslated, so every mapping's IOVA is the buffer's physical address,
 * still claimed in the domain's IOVA space; a requested IOVA that differs
 * is refused with BARE_IOVA, and the waits complete at once.
 */
#include <string.h>
#include <ward/invoke.h>
#include <ward/startinfo.h>

#include "iommu_server.h"
#include "iommu_state.h"

struct iommu_buffer iommu_buffers[IOMMU_MAX_BUFFERS];
unsigned iommu_buffer_top; /* no buffer at or above this index has ever been used */

uint64_t buffer_id(const struct iommu_buffer *b)
{
	return ((uint64_t)b->generation << 16) | (uint64_t)(b - iommu_buffers);
}

static uint64_t frame_size(const struct iommu_buffer *b)
{
	return b->large ? IOMMU_LARGE : IOMMU_PAGE;
}

/* Claims [*iova, +size) in domain d (IOMMU_IOVA_ANY: the lowest free, aligned); an error. */
static enum ward_error iova_take(struct ward_request *rq, unsigned arg, struct iommu_domain *d,
                                 uint64_t *iova, uint64_t size, uint64_t align)
{
	uint64_t lo = 0, hi = 0;
	enum hw_iova r = *iova == IOMMU_IOVA_ANY ? hw_iova_alloc(d->table, size, align, iova)
	                                         : hw_iova_claim(d->table, *iova, size, &lo, &hi);

	if (r == HW_IOVA_OK)
		return WARD_OK;
	switch (r) {
	case HW_IOVA_RESERVED:
		return ward_fail(rq, IOMMU_ERR_RESERVED, arg, lo, hi);
	case HW_IOVA_OVERLAP:
		return ward_fail(rq, IOMMU_ERR_OVERLAP, arg, lo, hi);
	case HW_IOVA_EXHAUSTED:
		return ward_fail(rq, IOMMU_ERR_EXHAUSTED, arg, size, align);
	case HW_IOVA_NO_MEMORY:
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, arg, 0, 0);
	default: /* MR2: the highest IOVA the size fits at (0 when it fits nowhere) */
		return ward_fail(rq, IOMMU_ERR_IOVA_RANGE, arg, 0,
		                 size < (1ULL << d->width) ? (1ULL << d->width) - size : 0);
	}
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

/* Unmaps the first `units` frames (a small buffer: one run) of a mapping; queues the IOTLB. */
static void map_undo(const struct iommu_buffer *b, const struct iommu_mapping *m, unsigned units)
{
	struct iommu_domain *d = &iommu_domains[m->domain];

	if (!b->large && units != 0)
		hw_unmap(d->table, m->iova, b->size); /* one physically contiguous run */
	for (unsigned i = 0; b->large && i < units; i++)
		hw_unmap(d->table, m->iova + i * IOMMU_LARGE, IOMMU_LARGE);
	hw_inv_table(d->table, d->did);
}

/* Unmaps a whole mapping and queues its invalidation; the caller waits. */
static void map_remove(const struct iommu_buffer *b, const struct iommu_mapping *m)
{
	map_undo(b, m, b->large ? b->frames : 1);
}

/*
 * Maps every frame. Under caching mode (VT-d §6.1) the core reports the
 * new range too, invalidated and waited for here. On failure (no table
 * memory, or that wait) whatever was mapped is unmapped again, invalidated
 * and waited for: the tables are as before.
 */
static bool map_add(const struct iommu_buffer *b, const struct iommu_mapping *m)
{
	struct iommu_domain *d = &iommu_domains[m->domain];
	unsigned done = 0;
	bool ok;

	if (!b->large)
		done = ok = hw_map(d->table, m->iova, frame_phys(b, 0), b->size, m->rights);
	else
		for (ok = true; ok && done < b->frames; done += ok)
			ok = hw_map(d->table, m->iova + done * IOMMU_LARGE, frame_phys(b, done),
			            IOMMU_LARGE, m->rights);
	hw_inv_table(d->table, d->did);
	if (ok && (!iommu_caching_mode || hw_inv_wait()))
		return true;
	map_undo(b, m, done);
	hw_inv_wait();
	return false;
}

/* Zeroes a released buffer's memory and returns it: a wait covering it completed. */
static void buffer_memory_release(struct deferred_item *item, void *ctx)
{
	struct iommu_buffer *b = (struct iommu_buffer *)item;

	(void)ctx;
	for (unsigned i = 0; i < b->frames; i++)
		memset(b->large ? pool_frame_va(b->chunk[i], 0)
		                : pool_frame_va(b->chunk[0], b->first + i),
		       0, frame_size(b));
	if (b->large)
		pool_free_large(b->frames, b->chunk);
	else
		pool_free_small(b->chunk[0], b->first, b->frames);
	b->releasing = false;
}

/* Every CPU's access to the buffer ends: the originals revoked, the lent CNode taken back. */
static void buffer_revoke(struct iommu_buffer *b)
{
	for (unsigned i = 0; i < b->frames; i++)
		mem_revoke_big(frame_cap(b, i));
	if (b->lend >= 0)
		lend_return((unsigned)b->lend);
	b->lend = -1;
}

/*
 * Takes the memory back: every mapping removed, every copy revoked, the
 * memory queued behind the invalidation and waited for. Returns whether
 * the wait completed (the IOVAs are free again only then).
 */
static bool buffer_release(struct iommu_buffer *b)
{
	struct iommu_mapping gone[IOMMU_MAPS_PER_BUFFER];
	unsigned n = 0;
	bool ok;

	for (unsigned m = 0; m < IOMMU_MAPS_PER_BUFFER; m++)
		if (b->map[m].domain != IOMMU_NO_DOMAIN) {
			map_remove(b, &b->map[m]);
			if (m == 0)
				iommu_domains[b->map[m].domain].buffers--;
			else
				iommu_domains[b->map[m].domain].maps--;
			gone[n++] = b->map[m];
			b->map[m].domain = IOMMU_NO_DOMAIN;
		}
	b->used = false;
	b->generation++;
	buffer_revoke(b);
	b->releasing = true;
	b->release.release = buffer_memory_release;
	hw_defer(&b->release);
	if (!(ok = hw_inv_wait()))
		return false; /* the IOVAs stay claimed; the memory waits for a global flush */
	for (unsigned i = 0; i < n; i++)
		hw_iova_free(iommu_domains[gone[i].domain].table, gone[i].iova, b->size);
	return ok;
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

/* The domain the request's badge names and the client's buffer `id` (argument 0); an error. */
static enum ward_error request_buffer(struct ward_request *rq, uint64_t id, struct iommu_domain **d,
                                      struct iommu_buffer **b)
{
	enum ward_error err = domain_of(rq, d);

	return err != WARD_OK ? err : buffer_of(rq, 0, id, (*d)->owner, b);
}

/*
 * Bare mode: the IOVA is the buffer's physical address (MR1 of BARE_IOVA
 * when another was asked for, or that address is not aligned to `align`);
 * a large buffer whose 2 MiB frames are not contiguous has none (NO_MEMORY).
 */
static enum ward_error bare_iova_take(struct ward_request *rq, unsigned arg, struct iommu_domain *d,
                                      const struct iommu_buffer *b, uint64_t *iova, uint64_t align)
{
	uint64_t phys = frame_phys(b, 0);

	for (unsigned i = 1; b->large && i < b->frames; i++)
		if (frame_phys(b, i) != phys + i * IOMMU_LARGE)
			return ward_fail(rq, IOMMU_ERR_NO_MEMORY, arg, 0, 0);
	if ((*iova != IOMMU_IOVA_ANY && *iova != phys) || phys % align != 0)
		return ward_fail(rq, IOMMU_ERR_BARE_IOVA, arg, phys, align);
	*iova = phys;
	return iova_take(rq, arg, d, iova, b->size, align);
}

/* A buffer never handed out goes back to the pool after a completed wait (a device may have
 * used it). */
static void buffer_drop(struct iommu_buffer *b)
{
	b->releasing = true;
	b->release.release = buffer_memory_release;
	hw_defer(&b->release);
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

/* ALLOC_BUFFER's argument checks before the IOVA, in the documented order; *align adjusted. */
static enum ward_error alloc_check(struct ward_request *rq, uint64_t size, uint64_t *align,
                                   uint64_t iova, uint64_t rights)
{
	uint64_t fsize = use_large(size, rights) ? IOMMU_LARGE : IOMMU_PAGE;

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
	if (iova != IOMMU_IOVA_ANY && iova % *align != 0)
		return ward_fail(rq, WARD_ERR_ALIGNMENT, 2, *align, 0);
	return WARD_OK;
}

/* The client's quota: buffers and bytes lent. */
static enum ward_error quota_check(struct ward_request *rq, uint32_t pid, uint64_t size)
{
	unsigned count;
	uint64_t bytes;

	buffer_usage(pid, &count, &bytes);
	if (count >= IOMMU_BUFFERS_PER_CLIENT || bytes + size > IOMMU_BYTES_PER_CLIENT)
		return ward_fail(rq, IOMMU_ERR_QUOTA, 0, 0, IOMMU_BYTES_PER_CLIENT - bytes);
	return WARD_OK;
}

/* A free buffer slot with pool memory for `size`, or NULL. */
static struct iommu_buffer *buffer_new(uint64_t size, uint64_t rights)
{
	struct iommu_buffer *b = NULL;

	for (unsigned i = 0; i < IOMMU_MAX_BUFFERS && b == NULL; i++)
		if (!iommu_buffers[i].used && !iommu_buffers[i].releasing)
			b = &iommu_buffers[i];
	if (b == NULL)
		return NULL;
	b->large = use_large(size, rights);
	b->frames = (unsigned)(size / frame_size(b));
	b->size = size;
	b->lend = -1;
	if (b->large ? b->frames > IOMMU_BUFFER_CHUNKS || !pool_alloc_large(b->frames, b->chunk)
	             : !pool_alloc_small(b->frames, &b->chunk[0], &b->first))
		return NULL;
	for (unsigned m = 0; m < IOMMU_MAPS_PER_BUFFER; m++)
		b->map[m].domain = IOMMU_NO_DOMAIN;
	return b;
}

/*
 * Lends a new buffer mapped at *iova in d: claimed already, or in bare mode
 * claimed here (its physical address; given back here on failure).
 * NO_MEMORY if pool or tables ran out.
 */
static enum ward_error buffer_lend(struct ward_request *rq, struct iommu_domain *d, uint64_t size,
                                   uint64_t *iova, uint64_t align, uint64_t rights,
                                   struct iommu_buffer **out)
{
	struct iommu_buffer *b = buffer_new(size, rights);
	enum ward_error err;

	if (b == NULL)
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 0, 0, 0);
	if (hw_bare() && (err = bare_iova_take(rq, 2, d, b, iova, align)) != WARD_OK) {
		buffer_drop(b);
		hw_inv_wait(); /* no unit: completes at once and gives the memory back */
		return err;
	}
	b->map[0] = (struct iommu_mapping){(uint16_t)(d - iommu_domains),
	                                   (uint8_t)(rights & IOMMU_RIGHTS_ALL), *iova};
	if (!map_add(b, &b->map[0])) {
		buffer_drop(b); /* a device may have used it for a moment */
		if (hw_bare())
			hw_iova_free(d->table, *iova, size);
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 0, 0, 0);
	}
	b->used = true;
	b->owner = d->owner;
	if ((unsigned)(b - iommu_buffers) >= iommu_buffer_top)
		iommu_buffer_top = (unsigned)(b - iommu_buffers) + 1;
	if (b->generation == 0)
		b->generation = 1;
	d->buffers++;
	*out = b;
	return WARD_OK;
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
	    (err = alloc_check(rq, size, &align, iova, rights)) != WARD_OK ||
	    (!hw_bare() && (err = iova_take(rq, 2, d, &iova, size, align)) != WARD_OK))
		return err;
	if ((err = quota_check(rq, d->owner, size)) != WARD_OK ||
	    (err = buffer_lend(rq, d, size, &iova, align, rights, &b)) != WARD_OK) {
		if (!hw_bare()) /* never mapped, or unmapped and waited for */
			hw_iova_free(d->table, iova, size);
		return err;
	}
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

	if ((err = request_buffer(rq, buffer, &d, &b)) != WARD_OK)
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

/* A CNode holding a copy of every frame cap of the buffer, kept with it until it is freed. */
static bool buffer_lend_cnode(struct iommu_buffer *b)
{
	int l = lend_take(b->frames);

	if (l < 0)
		return false;
	for (unsigned i = 0; i < b->frames; i++)
		if (!lend_put(l, i, frame_cap(b, i))) {
			lend_return((unsigned)l);
			return false;
		}
	b->lend = (int16_t)l;
	return true;
}

enum ward_error iommu_serve_buffer_cnode(struct ward_request *rq, uint64_t buffer, uint64_t *frames,
                                         uint64_t *fsize, uint64_t *radix)
{
	struct iommu_domain *d;
	struct iommu_buffer *b;
	enum ward_error err;
	unsigned r;

	if ((err = request_buffer(rq, buffer, &d, &b)) != WARD_OK)
		return err;
	if (b->lend < 0 && !buffer_lend_cnode(b))
		return ward_fail(rq, IOMMU_ERR_NO_MEMORY, 0, 0, 0);
	iommu_reply_cap = lend_cnode((unsigned)b->lend, &r);
	*frames = b->frames;
	*fsize = frame_size(b);
	*radix = r;
	return WARD_OK;
}

enum ward_error iommu_serve_free_buffer(struct ward_request *rq, uint64_t buffer)
{
	struct iommu_domain *d;
	struct iommu_buffer *b;
	enum ward_error err;

	if ((err = request_buffer(rq, buffer, &d, &b)) != WARD_OK)
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

/* In one pass: whether b is mapped in domain di, and its first free mapping slot (or NULL). */
static bool mapped_in(struct iommu_buffer *b, unsigned di, struct iommu_mapping **free_slot)
{
	*free_slot = NULL;
	for (unsigned m = 0; m < IOMMU_MAPS_PER_BUFFER; m++) {
		if (b->map[m].domain == di)
			return true;
		if (b->map[m].domain == IOMMU_NO_DOMAIN && *free_slot == NULL)
			*free_slot = &b->map[m];
	}
	return false;
}

/* MAP_BUFFER's checks before the IOVA, in the documented order; *m: a free mapping slot. */
static enum ward_error map_check(struct ward_request *rq, struct iommu_buffer *b, unsigned di,
                                 uint64_t iova, uint64_t rights, struct iommu_mapping **m)
{
	if (mapped_in(b, di, m))
		return ward_fail(rq, IOMMU_ERR_MAPPED, 0, 0, 0);
	if (!rights_ok(rights))
		return ward_fail(rq, WARD_ERR_INVALID_ARGUMENT, 2, 1, IOMMU_RIGHTS_ALL);
	if (iova != IOMMU_IOVA_ANY && iova % frame_size(b) != 0)
		return ward_fail(rq, WARD_ERR_ALIGNMENT, 1, frame_size(b), 0);
	return WARD_OK;
}

/*
 * flatten: MAP_BUFFER is the server's hot path; its helpers (lookups, the
 * IOVA claim, the core's map) are inlined into one frame.
 */
__attribute__((flatten)) enum ward_error iommu_serve_map_buffer(struct ward_request *rq,
                                                                uint64_t buffer, uint64_t iova,
                                                                uint64_t rights,
                                                                uint64_t *iova_used)
{
	struct iommu_domain *d;
	struct iommu_buffer *b;
	struct iommu_mapping *m;
	enum ward_error err;
	unsigned di;

	if ((err = request_buffer(rq, buffer, &d, &b)) != WARD_OK)
		return err;
	di = (unsigned)(d - iommu_domains);
	if ((err = map_check(rq, b, di, iova, rights, &m)) != WARD_OK ||
	    (err = hw_bare() ? bare_iova_take(rq, 1, d, b, &iova, frame_size(b))
	                     : iova_take(rq, 1, d, &iova, b->size, frame_size(b))) != WARD_OK)
		return err;
	if (m == NULL) {
		hw_iova_free(d->table, iova, b->size);
		return ward_fail(rq, IOMMU_ERR_QUOTA, 0, 0, IOMMU_MAPS_PER_BUFFER - 1);
	}
	*m = (struct iommu_mapping){(uint16_t)di, (uint8_t)rights, iova};
	if (!map_add(b, m)) {
		m->domain = IOMMU_NO_DOMAIN;
		hw_iova_free(d->table, iova, b->size);
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

	if ((err = request_buffer(rq, buffer, &d, &b)) != WARD_OK)
		return err;
	m = mapping_in(b, (unsigned)(d - iommu_domains));
	if (m == NULL || m == &b->map[0])
		return ward_fail(rq, IOMMU_ERR_MAPPED, 0, 0, 0);
	map_remove(b, m);
	m->domain = IOMMU_NO_DOMAIN;
	d->maps--;
	if (!hw_inv_wait())
		return ward_fail(rq, IOMMU_ERR_HARDWARE, 0, 0, 0); /* the IOVA stays claimed */
	hw_iova_free(d->table, m->iova, b->size);
	return WARD_OK;
}

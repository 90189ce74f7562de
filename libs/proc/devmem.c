/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Carving device frames out of device untyped (proc/devmem.h). `blocks`
 * are the untyped pieces not yet split or retyped; `frames` remembers
 * every frame made, so each physical page gets one frame cap only.
 */
#include <stdbool.h>
#include <ward/invoke.h>
#include <proc/devmem.h>
#include <proc/map.h>
#include <proc/slots.h>

#define MAX_BLOCKS 256
#define MAX_FRAMES 1024
#define MAX_RETYPE 256 /* objects per Retype (kernel limit) */
#define PAGE       4096ULL

struct block {
	uint64_t phys;
	uint64_t slot;
	unsigned bits;
};

struct frame {
	uint64_t phys;
	uint64_t slot;
	unsigned bits;
	bool mapped; /* in the root task's physical window */
};

static struct block blocks[MAX_BLOCKS];
static unsigned block_count;
static struct frame frames[MAX_FRAMES];
static unsigned frame_count;

void proc_dev_init(const struct ward_bootinfo *bi)
{
	block_count = frame_count = 0;
	for (uint32_t i = 0; i < bi->untyped_count && i < WARD_MAX_UNTYPED; i++) {
		const struct ward_untyped_desc *u = &bi->untyped[i];
		if (u->is_device && block_count < MAX_BLOCKS)
			blocks[block_count++] =
			        (struct block){u->phys_base, bi->untyped_first + i, u->size_bits};
	}
}

static struct frame *find_frame(uint64_t phys, unsigned bits)
{
	for (unsigned i = 0; i < frame_count; i++)
		if (frames[i].phys == phys && frames[i].bits == bits)
			return &frames[i];
	return NULL;
}

static struct block *find_block(uint64_t phys)
{
	for (unsigned i = 0; i < block_count; i++)
		if (phys >= blocks[i].phys && phys - blocks[i].phys < (1ULL << blocks[i].bits))
			return &blocks[i];
	return NULL;
}

static void drop_block(struct block *b)
{
	*b = blocks[--block_count];
}

/* Replaces block b by its two halves (two new slots). */
static enum ward_error split(struct block *b)
{
	uint64_t halves;
	enum ward_error err;

	if (block_count + 1 > MAX_BLOCKS || (halves = proc_slots_alloc(2)) == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	err = ward_untyped_retype(b->slot, WARD_OBJ_UNTYPED, b->bits - 1, WARD_CAP_INIT_CNODE, 0, 0,
	                          halves, 2);
	if (err != WARD_OK) {
		proc_slots_free(halves, 2);
		return err;
	}
	struct block lo = {b->phys, halves, b->bits - 1};
	struct block hi = {b->phys + (1ULL << (b->bits - 1)), halves + 1, b->bits - 1};
	*b = lo;
	blocks[block_count++] = hi;
	return WARD_OK;
}

/* Retypes all of block b (starting at a wanted frame) into frames of 2^bits. */
static enum ward_error retype_frames(struct block *b, unsigned bits)
{
	uint64_t n = 1ULL << (b->bits - bits), first;
	enum ward_error err;

	if (frame_count + n > MAX_FRAMES || (first = proc_slots_alloc((unsigned)n)) == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	err = ward_untyped_retype(b->slot, bits == 21 ? WARD_OBJ_LARGE_FRAME : WARD_OBJ_FRAME, 0,
	                          WARD_CAP_INIT_CNODE, 0, 0, first, n);
	if (err != WARD_OK) {
		proc_slots_free(first, (unsigned)n);
		return err;
	}
	for (uint64_t i = 0; i < n; i++)
		frames[frame_count++] =
		        (struct frame){b->phys + (i << bits), first + i, bits, false};
	drop_block(b);
	return WARD_OK;
}

/* Makes the frame at phys exist: splits its block until a block that lies inside
 * [phys, end) and starts at phys can be retyped whole. */
static enum ward_error carve(uint64_t phys, uint64_t end, unsigned bits)
{
	for (;;) {
		struct block *b = find_block(phys);
		enum ward_error err;
		if (b == NULL || b->bits < bits)
			return WARD_ERR_FAILED_LOOKUP;
		bool fits = b->phys == phys && end - phys >= (1ULL << b->bits) &&
		            (1ULL << (b->bits - bits)) <= MAX_RETYPE;
		if (fits)
			return retype_frames(b, bits);
		if ((err = split(b)) != WARD_OK)
			return err;
	}
}

enum ward_error proc_dev_frames(uint64_t phys, uint64_t size, unsigned bits, uint64_t *slots)
{
	uint64_t frame_size = 1ULL << bits, end = phys + size;

	if ((bits != 12 && bits != 21) || phys % frame_size != 0 || size % frame_size != 0 ||
	    end < phys)
		return WARD_ERR_ALIGNMENT;
	for (uint64_t at = phys, i = 0; at < end; at += frame_size, i++) {
		struct frame *f = find_frame(at, bits);
		enum ward_error err;
		if (f == NULL && (err = carve(at, end, bits)) != WARD_OK)
			return err;
		if (f == NULL && (f = find_frame(at, bits)) == NULL)
			return WARD_ERR_FAILED_LOOKUP;
		slots[i] = f->slot;
	}
	return WARD_OK;
}

unsigned proc_dev_take(uint64_t lo, uint64_t hi, struct proc_dev_block *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < block_count && n < max;) {
		const struct block *b = &blocks[i];
		if (b->phys < lo || b->phys + (1ULL << b->bits) > hi) {
			i++;
			continue;
		}
		out[n++] = (struct proc_dev_block){b->slot, b->phys, b->bits};
		drop_block(&blocks[i]); /* moves the last block here: look at i again */
	}
	return n;
}

const void *proc_dev_map(uint64_t phys, size_t len)
{
	uint64_t first = phys & ~(PAGE - 1), end = phys + len;

	if (len == 0 || end < phys || end > PROC_PHYS_LIMIT)
		return NULL;
	for (uint64_t at = first; at < end; at += PAGE) {
		uint64_t slot;
		if (proc_dev_frames(at, PAGE, 12, &slot) != WARD_OK)
			return NULL;
		struct frame *f = find_frame(at, 12);
		if (!f->mapped &&
		    proc_map_root(slot, PROC_PHYS_WINDOW + at, WARD_RIGHT_READ) != WARD_OK)
			return NULL;
		f->mapped = true;
	}
	return (const void *)(PROC_PHYS_WINDOW + phys);
}

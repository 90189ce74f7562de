/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * RAM untyped for processes and for the root task (proc/untyped.h). The
 * kernel allocates from an untyped by moving a watermark and reuses it
 * only when all its children are gone, so a carved block is never split
 * again: it goes to one process, and back to this pool when that
 * process's objects have been revoked.
 */
#include <stdbool.h>
#include <ward/invoke.h>
#include <proc/slots.h>
#include <proc/untyped.h>

#define MAX_FREE     32
#define POOL_BITS    21 /* the root task's own objects come in 2 MiB pools */
#define MAX_OBJ_BITS 16

struct block {
	uint64_t slot;
	unsigned bits;
};

static const struct ward_bootinfo *boot;
static struct block free_blocks[MAX_FREE];
static unsigned free_count;
static uint64_t pool; /* the current pool of the root task's own objects, 0: none yet */

void proc_untyped_init(const struct ward_bootinfo *bi)
{
	boot = bi;
	free_count = 0;
	pool = 0;
}

static bool take_free(unsigned bits, uint64_t *slot)
{
	for (unsigned i = 0; i < free_count; i++) {
		if (free_blocks[i].bits != bits)
			continue;
		*slot = free_blocks[i].slot;
		free_blocks[i] = free_blocks[--free_count];
		return true;
	}
	return false;
}

/* Tries the boot RAM untyped caps from the smallest that is large enough. */
static enum ward_error carve(unsigned bits, uint64_t dest)
{
	for (unsigned size = bits; size <= WARD_UNTYPED_MAX_BITS; size++) {
		for (uint32_t i = 0; i < boot->untyped_count && i < WARD_MAX_UNTYPED; i++) {
			const struct ward_untyped_desc *u = &boot->untyped[i];
			if (u->is_device || u->size_bits != size)
				continue;
			if (ward_untyped_retype(boot->untyped_first + i, WARD_OBJ_UNTYPED, bits,
			                        WARD_CAP_INIT_CNODE, 0, 0, dest, 1) == WARD_OK)
				return WARD_OK;
		}
	}
	return WARD_ERR_NOT_ENOUGH_MEMORY;
}

enum ward_error proc_untyped_alloc(unsigned bits, uint64_t *slot)
{
	uint64_t dest;
	enum ward_error err;

	if (bits < WARD_UNTYPED_MIN_BITS || bits > WARD_UNTYPED_MAX_BITS)
		return WARD_ERR_RANGE;
	if (take_free(bits, slot))
		return WARD_OK;
	if ((dest = proc_slot_alloc()) == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	if ((err = carve(bits, dest)) != WARD_OK) {
		proc_slots_free(dest, 1);
		return err;
	}
	*slot = dest;
	return WARD_OK;
}

void proc_untyped_free(uint64_t slot, unsigned bits)
{
	if (free_count < MAX_FREE) {
		free_blocks[free_count++] = (struct block){slot, bits};
		return;
	}
	/* No room to remember it: the memory is lost to the pool, the slot is not. */
	ward_cnode_delete(WARD_CAP_INIT_CNODE, slot, 64);
	proc_slots_free(slot, 1);
}

enum ward_error proc_retype(uint64_t untyped, unsigned type, unsigned size_bits, uint64_t *slot)
{
	uint64_t dest = proc_slot_alloc();
	enum ward_error err;

	if (dest == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	err = ward_untyped_retype(untyped, type, size_bits, WARD_CAP_INIT_CNODE, 0, 0, dest, 1);
	if (err != WARD_OK) {
		proc_slots_free(dest, 1);
		return err;
	}
	*slot = dest;
	return WARD_OK;
}

enum ward_error proc_object(unsigned type, unsigned size_bits, uint64_t *slot)
{
	if (size_bits > MAX_OBJ_BITS)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (pool != 0 && proc_retype(pool, type, size_bits, slot) == WARD_OK)
			return WARD_OK;
		/* The pool is full (or there is none yet): start another. */
		if (proc_untyped_alloc(POOL_BITS, &pool) != WARD_OK)
			break;
	}
	return WARD_ERR_NOT_ENOUGH_MEMORY;
}

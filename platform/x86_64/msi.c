/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MSI composition and the device-vector allocator. Pure (no hardware), so
 * the host tests run it as is. The bitmap is shared by all CPUs' IDTs (one
 * IDT for all) and touched only under the kernel lock.
 */
#include <stdbool.h>
#include "msi.h"
#include "x86_regs.h"

#define DEVICE_VECTORS (VEC_DEVICE_LAST - VEC_DEVICE_FIRST + 1)

_Static_assert(VEC_DEVICE_FIRST > VEC_LAPIC_TIMER && VEC_DEVICE_LAST < VEC_IPI_FIRST,
               "device vectors overlap the timer or the IPIs");

/*
 * Free vectors wait in a FIFO: allocation takes the one freed longest ago.
 * A vector's old device may still send it after its handler cap went (the
 * kernel cannot quiesce devices: docs/kernel.md §5), so the longer before
 * it is handed out again, the less likely a stray interrupt reaches a new
 * owner. Never-used vectors start in the queue in ascending order.
 */
static uint8_t free_queue[DEVICE_VECTORS]; /* vector - VEC_DEVICE_FIRST, oldest at head */
static unsigned free_head, free_count;
static uint64_t vectors_used[(DEVICE_VECTORS + 63) / 64];
static bool queue_ready;

static bool is_device_vector(unsigned vector)
{
	return vector >= VEC_DEVICE_FIRST && vector <= VEC_DEVICE_LAST;
}

static void queue_init(void)
{
	for (unsigned i = 0; i < DEVICE_VECTORS; i++)
		free_queue[i] = (uint8_t)i;
	free_head = 0;
	free_count = DEVICE_VECTORS;
	queue_ready = true;
}

enum ward_error msi_compose(unsigned vector, unsigned dest_apic_id, uint64_t *address,
                            uint32_t *data)
{
	if (!is_device_vector(vector))
		return WARD_ERR_INVALID_ARGUMENT;
	if (dest_apic_id > MSI_MAX_DEST_ID)
		return WARD_ERR_RANGE;
	*address = MSI_ADDRESS_BASE | ((uint64_t)dest_apic_id << MSI_ADDRESS_DEST_SHIFT);
	*data = MSI_DATA_DELIVERY_FIXED | (vector & MSI_DATA_VECTOR_MASK);
	return WARD_OK;
}

enum ward_error msi_vector_alloc(unsigned *vector)
{
	if (!queue_ready)
		queue_init();
	if (free_count == 0)
		return WARD_ERR_NOT_ENOUGH_MEMORY;
	unsigned i = free_queue[free_head];
	free_head = (free_head + 1) % DEVICE_VECTORS;
	free_count--;
	vectors_used[i / 64] |= 1ULL << (i % 64);
	*vector = VEC_DEVICE_FIRST + i;
	return WARD_OK;
}

enum ward_error msi_vector_free(unsigned vector)
{
	if (!is_device_vector(vector))
		return WARD_ERR_INVALID_ARGUMENT;
	unsigned i = vector - VEC_DEVICE_FIRST;
	uint64_t bit = 1ULL << (i % 64);
	if (!queue_ready || !(vectors_used[i / 64] & bit))
		return WARD_ERR_INVALID_ARGUMENT;
	vectors_used[i / 64] &= ~bit;
	free_queue[(free_head + free_count) % DEVICE_VECTORS] = (uint8_t)i;
	free_count++;
	return WARD_OK;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The root CNode's free slots: the range [empty_first, empty_last) the boot
 * information names, handed out one at a time or in runs. A capability
 * address in the root CSpace is its slot index (depth 64).
 */
#ifndef PROC_SLOTS_H
#define PROC_SLOTS_H

#include <stdint.h>

void proc_slots_init(uint64_t first, uint64_t last);

/* `count` consecutive empty slots (the first one's index); 0 if there are none. */
uint64_t proc_slots_alloc(unsigned count);

static inline uint64_t proc_slot_alloc(void)
{
	return proc_slots_alloc(1);
}

/* Returns slots to the free range; they must be empty. */
void proc_slots_free(uint64_t first, unsigned count);

/* Slots still free, for diagnostics. */
unsigned proc_slots_available(void);

#endif

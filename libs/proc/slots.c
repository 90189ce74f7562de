/* SPDX-License-Identifier: BSD-2-Clause */
/* The root CNode's free-slot allocator (proc/slots.h): one bit per slot, first fit. */
#include <stdbool.h>
#include <ward/bootinfo.h>
#include <proc/slots.h>

#define MAX_SLOTS (1U << WARD_ROOT_CNODE_RADIX)

static uint64_t used[MAX_SLOTS / 64];
static uint64_t lowest, highest;

static bool is_used(uint64_t s)
{
	return (used[s / 64] >> (s % 64)) & 1;
}

static void mark(uint64_t s, bool on)
{
	if (on)
		used[s / 64] |= 1ULL << (s % 64);
	else
		used[s / 64] &= ~(1ULL << (s % 64));
}

void proc_slots_init(uint64_t first, uint64_t last)
{
	lowest = first;
	highest = last < MAX_SLOTS ? last : MAX_SLOTS;
	for (uint64_t s = 0; s < MAX_SLOTS; s++)
		mark(s, s < lowest || s >= highest);
}

uint64_t proc_slots_alloc(unsigned count)
{
	uint64_t run = 0;

	if (count == 0)
		return 0;
	for (uint64_t s = lowest; s < highest; s++) {
		run = is_used(s) ? 0 : run + 1;
		if (run == count) {
			uint64_t first = s + 1 - count;
			for (uint64_t i = first; i <= s; i++)
				mark(i, true);
			return first;
		}
	}
	return 0;
}

void proc_slots_free(uint64_t first, unsigned count)
{
	for (uint64_t s = first; s < first + count; s++)
		if (s >= lowest && s < highest)
			mark(s, false);
}

unsigned proc_slots_available(void)
{
	unsigned n = 0;

	for (uint64_t s = lowest; s < highest; s++)
		n += !is_used(s);
	return n;
}

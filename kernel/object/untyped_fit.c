/* SPDX-License-Identifier: BSD-2-Clause */
/* Placement arithmetic for Untyped_Retype (see kernel/include/kernel/untyped.h). */
#include <kernel/untyped.h>

bool untyped_fit(uint64_t used, unsigned ut_bits, unsigned obj_bits, uint64_t count,
                 uint64_t *start, uint64_t *room)
{
	uint64_t size = 1ULL << ut_bits, align = 1ULL << obj_bits;

	*room = 0;
	if (obj_bits > ut_bits || used > size)
		return false;
	/* Objects are aligned to their size; `used` bytes are taken already. */
	*start = (used + align - 1) & ~(align - 1);
	if (*start > size)
		return false;
	*room = (size - *start) >> obj_bits;
	return count <= *room;
}

/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef KERNEL_UNTYPED_H
#define KERNEL_UNTYPED_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Where `count` objects of 2^obj_bits bytes go in an untyped of 2^ut_bits
 * bytes of which `used` are taken: *start (offset, aligned to the object
 * size) and true if they fit. *room is how many would fit (also on false).
 * Pure arithmetic, host tested.
 */
bool untyped_fit(uint64_t used, unsigned ut_bits, unsigned obj_bits, uint64_t count,
                 uint64_t *start, uint64_t *room);

#endif

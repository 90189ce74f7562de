/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Device memory: frames over physical addresses that are not RAM (MMIO
 * registers, PCI configuration space, firmware tables), carved from the
 * device untyped caps of the boot information. A device untyped hands out
 * memory only from its start, so reaching an address inside one means
 * splitting it into halves until a block starts there; what the splitting
 * leaves over stays available for later requests.
 *
 * The root task keeps every frame it carves (it can make no second one over
 * the same memory) and gives processes copies; it maps frames itself for
 * reading firmware tables through proc_dev_map.
 */
#ifndef PROC_DEVMEM_H
#define PROC_DEVMEM_H

#include <stddef.h>
#include <stdint.h>
#include <ward/bootinfo.h>
#include <ward/errors.h>

void proc_dev_init(const struct ward_bootinfo *bi);

/*
 * The root task's caps to the device frames of 2^bits bytes (12 or 21)
 * covering [phys, phys + size): slots[i] for the frame at phys + i * 2^bits.
 * phys and size must be multiples of 2^bits. WARD_ERR_FAILED_LOOKUP if some
 * of it is not device memory.
 */
enum ward_error proc_dev_frames(uint64_t phys, uint64_t size, unsigned bits, uint64_t *slots);

/*
 * A read-only view of physical [phys, phys + len) in the root task's
 * address space (device memory only), at PROC_PHYS_WINDOW + phys; NULL if
 * it cannot be mapped. Mappings stay: asking again costs nothing.
 */
const void *proc_dev_map(uint64_t phys, size_t len);

/* A device untyped the root task keeps whole, to hand on children of it. */
struct proc_dev_block {
	uint64_t slot; /* root cptr */
	uint64_t phys;
	unsigned bits;
};

/*
 * Takes every device untyped piece lying wholly inside [lo, hi) out of the
 * pool (nothing is carved from it afterwards): at most `max` into out[].
 * Returns how many. Pieces crossing lo or hi stay in the pool.
 */
unsigned proc_dev_take(uint64_t lo, uint64_t hi, struct proc_dev_block *out, unsigned max);

/* Where proc_dev_map shows physical memory in the root task (phys < 1 TiB). */
#define PROC_PHYS_WINDOW 0x0000500000000000ULL
#define PROC_PHYS_LIMIT  (1ULL << 40)

#endif

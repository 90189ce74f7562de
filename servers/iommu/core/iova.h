/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IOVA space of one domain: [0, 2^width) with ranges allocated (each
 * a buffer's IOVA) and ranges reserved. Reserved ranges (the interrupt
 * window 0xFEE00000-0xFEEFFFFF that VT-d decodes as interrupt requests,
 * and the domain's RMRR ranges) are never handed out and never mappable.
 *
 * The busy ranges are kept in one array sorted by start, grown by
 * doubling through iommu_mem_ops.alloc_meta; allocation is first fit, so
 * a call costs at most one pass over the busy ranges. A freed range is
 * available again at once: the caller frees an IOVA only after the
 * invalidation of its unmap completed. Belongs to the server thread alone.
 */
#ifndef IOMMU_IOVA_H
#define IOMMU_IOVA_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

#define IOVA_MSI_WINDOW_START 0xfee00000ull /* VT-d §3.14: interrupt address range */
#define IOVA_MSI_WINDOW_SIZE  0x100000ull

struct iova_range {
	uint64_t start;
	uint64_t size;
	bool reserved;
};

struct iova_space {
	uint64_t end; /* 2^width */
	struct iova_range *busy;
	unsigned count;
	unsigned capacity;
	const struct iommu_mem_ops *mem;
};

/*
 * An empty space of 2^width bytes (12 < width < 64) with the interrupt
 * window reserved when it lies inside. IOMMU_ERR_INVAL for a bad width,
 * IOMMU_ERR_NO_MEMORY.
 */
enum iommu_err iova_init(struct iova_space *s, unsigned width, const struct iommu_mem_ops *mem);
void iova_fini(struct iova_space *s);

/*
 * Reserve [start, start+size) (page aligned; the part inside the space).
 * Reserved ranges may meet each other. IOMMU_ERR_ALIGNMENT,
 * IOMMU_ERR_OVERLAP if it meets an allocated range, IOMMU_ERR_NO_MEMORY.
 */
enum iommu_err iova_reserve(struct iova_space *s, uint64_t start, uint64_t size);

/*
 * Allocate size bytes at an address aligned to align (a power of two of at
 * least 4 KiB), lowest first. IOMMU_ERR_INVAL, IOMMU_ERR_ALIGNMENT,
 * IOMMU_ERR_EXHAUSTED if no gap fits, IOMMU_ERR_NO_MEMORY.
 */
enum iommu_err iova_alloc(struct iova_space *s, uint64_t size, uint64_t align, uint64_t *iova);

/*
 * Allocate exactly [iova, iova+size). IOMMU_ERR_INVAL, IOMMU_ERR_ALIGNMENT,
 * IOMMU_ERR_RANGE (outside the space), IOMMU_ERR_RESERVED,
 * IOMMU_ERR_OVERLAP (meets an allocated range), IOMMU_ERR_NO_MEMORY.
 */
enum iommu_err iova_claim(struct iova_space *s, uint64_t iova, uint64_t size);

/* Free a range allocated exactly so; IOMMU_ERR_NOT_ALLOCATED otherwise. */
enum iommu_err iova_free(struct iova_space *s, uint64_t iova, uint64_t size);

/* Whether [start, start+size) meets a reserved range. */
bool iova_meets_reserved(const struct iova_space *s, uint64_t start, uint64_t size);

/*
 * The lowest busy range (allocated or reserved) that meets [start,
 * start+size), in *out, for an error that names what is in the way;
 * false if none does. Reserved ranges that meet are one range here.
 */
bool iova_first_busy(const struct iova_space *s, uint64_t start, uint64_t size,
                     struct iova_range *out);

#endif /* IOMMU_IOVA_H */

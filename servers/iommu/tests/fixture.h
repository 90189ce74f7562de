/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared set-up of the IOMMU core tests: one mock unit with one device
 * (FIX_SOURCE) attached to one domain (FIX_DOMAIN) whose I/O page table
 * the test drives, the deferred-free queue, and helpers that end a
 * request with a flush and snapshot the mappings so a failed call can be
 * shown to have changed nothing.
 */
#ifndef IOMMU_TEST_FIXTURE_H
#define IOMMU_TEST_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "deferred.h"
#include "domain_id.h"
#include "inv.h"
#include "iopt.h"
#include "mock_backend.h"

#define KIB         0x400ull
#define MIB         0x100000ull
#define GIB         0x40000000ull
#define FIX_SOURCE  0x0018u /* 00:03.0 */
#define FIX_DOMAIN  1u      /* the first ID the fixture's allocator hands out */
#define FIX_IDS     4u
#define FIX_PHYS    0x200000000ull /* a 1 GiB-aligned "DMA memory" address */
#define FIX_RW      (IOMMU_READ | IOMMU_WRITE)
#define SNAP_LEAVES 4096u

struct fixture {
	struct mock_fail fail;
	struct mock_mem mem;
	struct mock_unit unit;
	struct iommu_caps caps;
	struct iommu_unit_ref ref;
	struct deferred_queue queue;
	struct domain_id_alloc ids;
	struct iopt pt; /* root NULL once a test destroyed it */
	struct iopt_changes changes;
};

struct snap_leaf {
	uint64_t iova, phys, size;
	unsigned rights;
};

struct snapshot {
	struct snap_leaf leaf[SNAP_LEAVES];
	unsigned count;
	unsigned tables;
	uint64_t mapped_bytes;
	unsigned pages_live;
	unsigned meta_live;
	uint32_t ids_available;
	unsigned held; /* items waiting for a flush, queued or not yet */
};

/*
 * A fixture whose domain has `width` bits and leaves up to max_leaf; the
 * mock caps may be edited by tweak (may be NULL) before the tree is made.
 */
struct fixture *fixture_new(unsigned width, unsigned max_leaf,
                            void (*tweak)(struct iommu_caps *caps));
/* Destroy the tree, flush, release; returns pages and metas leaked. */
unsigned fixture_free(struct fixture *f);
/* End the request: iommu_inv_flush for the fixture's one unit. */
enum iommu_err fixture_flush(struct fixture *f);

void snapshot_take(struct fixture *f, struct snapshot *s);
bool snapshot_equal(const struct snapshot *a, const struct snapshot *b);

/* Whether iopt_verify() finds the tree consistent (prints the problem if not). */
bool fixture_verify(struct fixture *f);

/*
 * Whether the hardware's view (the mock walk from the device's context)
 * agrees with the tree: the first and last page of every leaf translate as
 * the leaf says, and no translation exists in the pages around each leaf
 * that the tree does not have.
 */
bool fixture_hw_agrees(struct fixture *f);

/* The entry of `level` that the hardware walk uses for iova (tests corrupt it). */
uint64_t *fixture_entry(struct fixture *f, uint64_t iova, unsigned level);

/* Whether every 4 KiB page of [iova, iova+size) translates to phys+offset with rights. */
bool fixture_maps(struct fixture *f, uint64_t iova, uint64_t phys, uint64_t size, unsigned rights);
/* Whether no page of [iova, iova+size) translates. */
bool fixture_unmapped(struct fixture *f, uint64_t iova, uint64_t size);

#endif /* IOMMU_TEST_FIXTURE_H */

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How the IOMMU server's endpoint badges are encoded. Authority is the
 * badge of the cap a request comes through (docs/iommu.md):
 *
 *   bit 63       never set (WARD_SERVER_EVENT, ward/server.h)
 *   bit 62       IOMMU_BADGE_DOMAIN: names one domain, else
 *   bit 61       IOMMU_BADGE_CLIENT: a client process, pid in bits 31..0
 *   bit 60       with bit 61, IOMMU_BADGE_PRIVILEGED: the root task's
 *                authority (assignment caps, dump)
 *   bit 59       IOMMU_BADGE_ASSIGN: moves one device group
 *   bit 58       IOMMU_BADGE_DEVICE: the device cap of a group's owner
 *   bits 47..16  domain, assign, device badge: the slot's generation
 *   bits 15..0   domain, assign, device badge: the slot's index
 *
 * The root task mints client badges (servers/root/roles.c); the server
 * mints the others from its unbadged cap. A destroyed domain's slot, a
 * group that went away, a group that moved: each goes to a new generation,
 * so an old badge never names anything again.
 */
#ifndef IOMMU_BADGE_H
#define IOMMU_BADGE_H

#include <stdbool.h>
#include <stdint.h>

#define IOMMU_BADGE_DOMAIN     (1ULL << 62)
#define IOMMU_BADGE_CLIENT     (1ULL << 61)
#define IOMMU_BADGE_PRIVILEGED (1ULL << 60)
#define IOMMU_BADGE_ASSIGN     (1ULL << 59)
#define IOMMU_BADGE_DEVICE     (1ULL << 58)
#define IOMMU_BADGE_PID_MASK   0xffffffffULL
#define IOMMU_BADGE_GEN_SHIFT  16
#define IOMMU_BADGE_GEN_MASK   0xffffffffULL
#define IOMMU_BADGE_INDEX_MASK 0xffffULL

static inline uint64_t iommu_badge_client(uint32_t pid, bool privileged)
{
	return IOMMU_BADGE_CLIENT | (privileged ? IOMMU_BADGE_PRIVILEGED : 0) | pid;
}

static inline bool iommu_badge_is_client(uint64_t badge)
{
	return (badge & ~(IOMMU_BADGE_CLIENT | IOMMU_BADGE_PRIVILEGED | IOMMU_BADGE_PID_MASK)) ==
	               0 &&
	       (badge & IOMMU_BADGE_CLIENT) && (badge & IOMMU_BADGE_PID_MASK) != 0;
}

static inline bool iommu_badge_is_privileged(uint64_t badge)
{
	return iommu_badge_is_client(badge) && (badge & IOMMU_BADGE_PRIVILEGED);
}

static inline uint64_t iommu_badge_domain(uint32_t index, uint32_t generation)
{
	return IOMMU_BADGE_DOMAIN | ((uint64_t)generation << IOMMU_BADGE_GEN_SHIFT) |
	       (index & IOMMU_BADGE_INDEX_MASK);
}

/* A badge of `kind` (DOMAIN, ASSIGN or DEVICE) for slot `index` at `generation`. */
static inline uint64_t iommu_badge_slot(uint64_t kind, uint32_t index, uint32_t generation)
{
	return kind | ((uint64_t)generation << IOMMU_BADGE_GEN_SHIFT) |
	       (index & IOMMU_BADGE_INDEX_MASK);
}

static inline bool iommu_badge_is(uint64_t badge, uint64_t kind)
{
	const uint64_t bits =
	        kind | (IOMMU_BADGE_GEN_MASK << IOMMU_BADGE_GEN_SHIFT) | IOMMU_BADGE_INDEX_MASK;

	return (badge & ~bits) == 0 && (badge & kind);
}

static inline bool iommu_badge_is_domain(uint64_t badge)
{
	return iommu_badge_is(badge, IOMMU_BADGE_DOMAIN);
}

static inline uint32_t iommu_badge_index(uint64_t badge)
{
	return (uint32_t)(badge & IOMMU_BADGE_INDEX_MASK);
}

static inline uint32_t iommu_badge_generation(uint64_t badge)
{
	return (uint32_t)((badge >> IOMMU_BADGE_GEN_SHIFT) & IOMMU_BADGE_GEN_MASK);
}

#endif /* IOMMU_BADGE_H */

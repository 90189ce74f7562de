/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A mock remapping unit and page allocator for host tests of the IOMMU
 * core, after Linux iommufd's mock domain. Tests check outcomes, not
 * calls: mock_translate() walks the tables the way hardware would, from a
 * device's context through physical addresses, and answers "is IOVA X
 * mapped to physical Y with rights R for source S (in domain D)".
 *
 * The mock has its own entry format (not VT-d's), so the core cannot lean
 * on one vendor's encoding. Its memory hands out 4 KiB pages at fake
 * physical addresses; a walk through a freed page is recorded as a
 * use-after-free. With a non-coherent walk the "hardware" reads a copy of
 * each page refreshed only by flush_entries(), so an entry the core forgot
 * to flush is invisible, as on real non-snooping hardware.
 *
 * Interrupt remapping has a table of MOCK_IRQ_ENTRIES and an entry cache,
 * so mock_irq_deliver() shows a missing entry-cache invalidation.
 *
 * Counters record every invalidation and wait by kind; a wait can be set
 * to time out. One fail-nth counter is shared by page and bookkeeping
 * allocations and by the unit's queue operations and waits: step N fails,
 * the way iommufd's fail_nth sweeps are written.
 */
#ifndef MOCK_BACKEND_H
#define MOCK_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

#define MOCK_PHYS_BASE   0x100000000ull /* fake physical address of page 0 */
#define MOCK_MAX_PAGES   8192u
#define MOCK_MAX_DEVICES 16u
#define MOCK_MAX_FAULTS  16u
#define MOCK_LOG_ENTRIES 64u
#define MOCK_IOTLB       1024u /* cached translations per unit */
#define MOCK_PENDING     256u  /* invalidations queued and not yet waited for */
#define MOCK_PSC         256u  /* cached pointers to level-1 tables per unit */
#define MOCK_IRQ_ENTRIES 64u   /* interrupt remapping entries per unit */

/* Default capabilities: those of QEMU 7.2's intel-iommu with aw-bits=48. */
#define MOCK_LEVELS_MASK   ((1u << 3) | (1u << 4)) /* SAGAW 39- and 48-bit, as levels */
#define MOCK_MAX_WIDTH     48u
#define MOCK_DOMAIN_IDS    (1u << 16) /* ND = 6 */
#define MOCK_MAX_INV_ORDER 18u        /* MAMV */

/* Mock entry format: present, read, write, leaf, address bits 51:12. */
#define MOCK_PTE_P    (1ull << 0)
#define MOCK_PTE_R    (1ull << 1)
#define MOCK_PTE_W    (1ull << 2)
#define MOCK_PTE_LEAF (1ull << 3)
#define MOCK_PTE_ADDR 0x000ffffffffff000ull

extern const struct iommu_pte_ops mock_pte_ops;
extern const struct iommu_unit_ops mock_unit_ops;

/* Fail the nth counted step (1-based); 0 never fails. */
struct mock_fail {
	unsigned nth;
	unsigned count;
	bool fired;
};

/* Returns true when this step is the one to fail. */
bool mock_fail_step(struct mock_fail *f);

struct mock_page {
	void *va;
	uint8_t *hw; /* what a non-coherent walk sees */
	bool live;
};

struct mock_mem {
	struct iommu_mem_ops ops; /* ops.ctx points back here */
	struct mock_page pages[MOCK_MAX_PAGES];
	unsigned next;       /* pages handed out so far (index of the next) */
	unsigned pages_live; /* allocated and not freed */
	unsigned meta_live;
	unsigned page_frees;
	unsigned zero_frees; /* of them, pages said to be all zero (emptied tables) */
	struct mock_fail *fail;
};

void mock_mem_init(struct mock_mem *m, struct mock_fail *fail);
/* Frees what remains; returns the number of pages and metas leaked. */
unsigned mock_mem_fini(struct mock_mem *m);
/* The page at phys (NULL if never allocated); *live says if still allocated. */
struct mock_page *mock_mem_page(struct mock_mem *m, uint64_t phys);

enum mock_inv_kind {
	MOCK_INV_IOTLB_PAGES,
	MOCK_INV_IOTLB_DOMAIN,
	MOCK_INV_IOTLB_GLOBAL,
	MOCK_INV_CONTEXT_DEVICE,
	MOCK_INV_CONTEXT_DOMAIN,
	MOCK_INV_CONTEXT_GLOBAL,
	MOCK_INV_IRQ_INDEX, /* iova holds the index */
	MOCK_INV_IRQ_GLOBAL,
	MOCK_INV_KINDS
};

struct mock_inv {
	enum mock_inv_kind kind;
	uint16_t domain_id;
	uint64_t iova;
	unsigned order;
};

struct mock_context {
	bool used;
	bool attached; /* false: blocked (quarantine) */
	uint16_t source_id;
	uint16_t domain_id;
	uint64_t root;
	unsigned levels;
};

/* A cached translation (present) or, in caching mode, a cached miss. */
struct mock_iotlb_entry {
	bool valid;
	bool present;
	uint16_t domain_id;
	uint64_t iova; /* aligned to size */
	uint64_t size;
	uint64_t phys;
	unsigned rights;
};

/* A cached non-leaf entry: the level-1 table that maps a 2 MiB span. */
struct mock_psc_entry {
	bool valid;
	uint16_t domain_id;
	uint64_t iova; /* 2 MiB aligned */
	uint64_t table;
};

struct mock_unit {
	struct iommu_caps caps;
	struct mock_mem *mem;
	struct mock_fail *fail;
	struct mock_context ctx[MOCK_MAX_DEVICES];
	unsigned inv[MOCK_INV_KINDS]; /* queued, by kind */
	unsigned queued;              /* descriptors since the last wait */
	unsigned waits;
	unsigned waits_failed;
	bool wait_times_out; /* every wait returns IOMMU_ERR_TIMEOUT */
	unsigned flushes;    /* flush_entries calls */
	struct mock_inv log[MOCK_LOG_ENTRIES];
	unsigned log_count;
	struct iommu_fault faults[MOCK_MAX_FAULTS];
	unsigned fault_count;
	bool fault_overflow;
	unsigned walk_errors; /* walks through freed pages or malformed entries */
	struct mock_iotlb_entry iotlb[MOCK_IOTLB];
	unsigned iotlb_victim; /* next entry replaced when full */
	struct mock_inv pending[MOCK_PENDING];
	unsigned pending_count;
	bool pending_overflow; /* more queued than remembered: a wait drops everything */
	struct mock_psc_entry psc[MOCK_PSC];
	unsigned psc_victim;
	/* interrupt remapping: the table software wrote, and the entry cache delivery uses */
	struct iommu_irq_entry irq[MOCK_IRQ_ENTRIES];
	bool irq_present[MOCK_IRQ_ENTRIES];
	struct iommu_irq_entry irq_cache[MOCK_IRQ_ENTRIES];
	bool irq_cached[MOCK_IRQ_ENTRIES];
};

/* The default capabilities (MOCK_*), 1 GiB leaves, coherent walk, no caching mode. */
void mock_unit_init(struct mock_unit *u, struct mock_mem *mem, struct mock_fail *fail);
struct iommu_unit *mock_unit_handle(struct mock_unit *u);
/* Total invalidations queued, every kind. */
unsigned mock_unit_invalidations(const struct mock_unit *u);
void mock_unit_reset_counters(struct mock_unit *u);

/*
 * Translate iova as the unit would for source_id: IOMMU_ERR_NOT_MAPPED if
 * the source is blocked or the walk ends at a non-present entry, else
 * *phys, *rights and, if domain_id is not NULL, the domain ID it is
 * tagged with.
 */
enum iommu_err mock_translate(struct mock_unit *u, uint16_t source_id, uint64_t iova,
                              uint64_t *phys, unsigned *rights, uint16_t *domain_id);

/*
 * A DMA access by source_id to iova, as a device sees it: through the
 * unit's IOTLB, which caches every translation a walk found (at the
 * leaf's size, tagged with the domain ID) and, in caching mode, misses
 * too; and through a paging-structure cache of pointers to level-1
 * tables, so a table freed before the invalidation that covers its span
 * is still walked (a use-after-free, counted in walk_errors, once the
 * page is released). Cached entries leave only when an invalidation that covers them
 * completes: at a successful wait; a failed wait discards what was
 * queued without applying it (the worst a timed-out queue can do). So a
 * missing or too-narrow invalidation shows up as a stale translation, as
 * with QEMU's model. Same results as mock_translate() otherwise.
 */
enum iommu_err mock_dma(struct mock_unit *u, uint16_t source_id, uint64_t iova, uint64_t *phys,
                        unsigned *rights);

/* The same walk from a root table, without a context. */
enum iommu_err mock_walk(struct mock_unit *u, uint64_t root, unsigned levels, uint64_t iova,
                         uint64_t *phys, unsigned *rights);

/* Whether iova is mapped to phys with exactly rights for source_id in domain_id. */
bool mock_is_mapped(struct mock_unit *u, uint16_t source_id, uint16_t domain_id, uint64_t iova,
                    uint64_t phys, unsigned rights);

/*
 * An interrupt request from source_id naming remapping entry `index`, as
 * the unit would treat it: through its entry cache (filled by a lookup,
 * emptied only by a completed invalidation), so a cleared entry still
 * delivers until its invalidation completed. IOMMU_OK with *vector and
 * *apic_id, or IOMMU_ERR_RANGE (index past the table), IOMMU_ERR_NOT_MAPPED
 * (entry not present) or IOMMU_ERR_INVAL (the source check failed): blocked.
 */
enum iommu_err mock_irq_deliver(struct mock_unit *u, uint16_t source_id, uint32_t index,
                                uint8_t *vector, uint32_t *apic_id);

/* Queue a fault record for drain_faults(). */
void mock_unit_raise_fault(struct mock_unit *u, const struct iommu_fault *f);

#endif /* MOCK_BACKEND_H */

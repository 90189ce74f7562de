/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The interface between the vendor-neutral IOMMU core and one kind of
 * remapping hardware (VT-d now, AMD-Vi later, the mock in host tests).
 *
 * Both VT-d second-level tables and AMD-Vi I/O page tables are radix trees
 * of 4 KiB pages holding 512 64-bit entries; they differ only in how an
 * entry is encoded. So a backend describes its entry format with a few
 * encoders (struct iommu_pte_ops) and the core's iopt.c builds and walks
 * the tree. Levels are numbered from the leaves: an entry of level 1 maps
 * 4 KiB, of level 2 2 MiB, of level 3 1 GiB; the root table of an n-level
 * tree holds level-n entries. A domain's depth is chosen from its address
 * width when it is created and never changes (iopt_levels_for_width()).
 *
 * Per remapping unit the backend points devices (source IDs) at a
 * domain's root table or at quarantine, queues invalidations and waits
 * for them, and drains fault records into the neutral struct iommu_fault.
 * Queueing is cheap and never waits; iommu_unit_ops.wait() completes
 * everything queued on the unit so far, so one request pays for one wait.
 * A unit that remaps interrupts also keeps, per index, the entry that a
 * device's MSI names (struct iommu_irq_entry).
 *
 * All of this is used by the server thread alone; nothing here locks.
 */
#ifndef IOMMU_BACKEND_H
#define IOMMU_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommu_err.h"

#define IOMMU_PAGE_SHIFT 12u
#define IOMMU_PAGE_SIZE  (1ull << IOMMU_PAGE_SHIFT)
#define IOMMU_LEVEL_BITS 9u /* index bits resolved by one table level */
#define IOMMU_PT_ENTRIES (1u << IOMMU_LEVEL_BITS)
#define IOMMU_LEVELS_MAX 5u /* 57-bit widths; 6 would exceed 64 bits */
#define IOMMU_LEAF_4K    1u
#define IOMMU_LEAF_2M    2u
#define IOMMU_LEAF_1G    3u
#define IOMMU_MAX_WIDTH  64u

/* Rights of a mapping; a leaf has at least one. */
#define IOMMU_READ        (1u << 0)
#define IOMMU_WRITE       (1u << 1)
#define IOMMU_RIGHTS_MASK (IOMMU_READ | IOMMU_WRITE)

/* Bytes mapped by one entry of `level` (1 = 4 KiB). */
static inline uint64_t iommu_level_size(unsigned level)
{
	return 1ull << (IOMMU_PAGE_SHIFT + IOMMU_LEVEL_BITS * (level - 1));
}

/* Index of iova's entry in a table of `level`. */
static inline unsigned iommu_level_index(uint64_t iova, unsigned level)
{
	return (unsigned)(iova >> (IOMMU_PAGE_SHIFT + IOMMU_LEVEL_BITS * (level - 1))) &
	       (IOMMU_PT_ENTRIES - 1);
}

/*
 * Encoders and accessors of one page-table entry format. All are pure
 * functions of their arguments. An all-zero entry is not present in every
 * format (new table pages are zeroed).
 */
struct iommu_pte_ops {
	/* A leaf mapping phys (aligned to iommu_level_size(level)) with rights. */
	uint64_t (*make_leaf)(uint64_t phys, unsigned level, unsigned rights);
	/* An entry of `level` (>= 2) pointing at the table page at table_phys. */
	uint64_t (*make_table)(uint64_t table_phys, unsigned level);
	/* Whether the entry translates at all (leaf or table). */
	bool (*present)(uint64_t pte);
	/* Whether a present entry of `level` is a leaf (always true at level 1). */
	bool (*is_leaf)(uint64_t pte, unsigned level);
	/* Physical address in a present entry: the page mapped or the next table. */
	uint64_t (*addr)(uint64_t pte);
	/* IOMMU_READ/IOMMU_WRITE of a present leaf. */
	unsigned (*rights)(uint64_t pte);
};

/*
 * What a unit can do, read once from the hardware (VT-d: CAP and ECAP).
 * The server keeps, per domain, the intersection over the units it spans.
 */
struct iommu_caps {
	uint32_t levels_mask;    /* bit n set: n-level tables supported (VT-d SAGAW << 2) */
	unsigned max_width;      /* widest input address (VT-d MGAW + 1) */
	unsigned max_leaf_level; /* IOMMU_LEAF_4K, _2M or _1G (VT-d SLLPS) */
	uint32_t domain_ids;     /* number of domain IDs (VT-d ND); ID 0 is never handed out */
	unsigned max_inv_order;  /* largest page-selective mask order (VT-d MAMV) */
	bool page_selective;     /* page-selective IOTLB invalidation (VT-d PSI) */
	bool caching_mode;       /* not-present -> present needs invalidation (VT-d CM) */
	bool coherent_walk;      /* the walk snoops CPU caches (VT-d ECAP.C) */
	bool write_buffer_flush; /* table writes need a write-buffer flush (VT-d RWBF) */
	uint32_t irq_entries;    /* interrupt remapping table entries; 0: no remapping (VT-d IR) */
};

/* A fault record, decoded from the unit's format. */
struct iommu_fault {
	uint16_t source_id; /* requester ID: bus << 8 | devfn */
	uint64_t iova;      /* faulting address, page-aligned as the unit reports it */
	bool write;         /* the request was a write */
	uint8_t reason;     /* the specification's fault reason number */
	bool pasid_valid;
	uint32_t pasid;
};

/*
 * Interrupt remapping. A device's MSI/MSI-X entry is programmed with an
 * address and data that name an entry of the unit's interrupt remapping
 * table (irq_msi()); the unit delivers the entry's vector to its
 * destination only if the request's requester ID passes the entry's
 * source check, and blocks it otherwise, or when the entry is cleared.
 * There is always a source check: an entry any requester could use would
 * let one device raise another's interrupt.
 */
enum iommu_irq_check {
	IOMMU_IRQ_CHECK_SOURCE = 1, /* exactly requester ID source_id */
	IOMMU_IRQ_CHECK_BUSES,      /* any requester on buses [first_bus, last_bus]: devices
	                               behind a PCIe-to-PCI bridge, which may carry its ID */
};

struct iommu_irq_entry {
	uint8_t vector;   /* CPU vector, 0x10 or above */
	uint32_t apic_id; /* physical destination (xAPIC: 0-255) */
	enum iommu_irq_check check;
	uint16_t source_id; /* IOMMU_IRQ_CHECK_SOURCE */
	uint8_t first_bus;  /* IOMMU_IRQ_CHECK_BUSES */
	uint8_t last_bus;
};

struct iommu_unit; /* the backend's state for one remapping unit */

/*
 * Operations on one unit. "Queue" operations append to the unit's
 * invalidation queue and return an error only if the queue cannot take the
 * descriptor (IOMMU_ERR_HARDWARE); they never wait. A domain ID is one the
 * core's domain_id allocator handed out.
 */
struct iommu_unit_ops {
	const struct iommu_pte_ops *pte;

	void (*caps)(const struct iommu_unit *u, struct iommu_caps *out);

	/*
	 * Point source_id at the tree rooted at root_phys with `levels` levels,
	 * tagged domain_id, replacing what it pointed at. Queues the context
	 * invalidation the change needs; the caller waits. On error the device
	 * is left blocked, never pointing at a half-written entry.
	 */
	enum iommu_err (*attach)(struct iommu_unit *u, uint16_t source_id, uint16_t domain_id,
	                         uint64_t root_phys, unsigned levels);
	/* Point source_id at quarantine (DMA blocked) and queue the invalidation. */
	enum iommu_err (*block)(struct iommu_unit *u, uint16_t source_id);

	/*
	 * IOTLB: the 2^order pages at iova (aligned to them) of domain_id,
	 * and the cached non-leaf entries that translate them (VT-d: IH = 0;
	 * AMD-Vi: PDE = 1): the core frees tables that such a range covers.
	 */
	enum iommu_err (*inv_iotlb_pages)(struct iommu_unit *u, uint16_t domain_id, uint64_t iova,
	                                  unsigned order);
	enum iommu_err (*inv_iotlb_domain)(struct iommu_unit *u, uint16_t domain_id);
	enum iommu_err (*inv_iotlb_global)(struct iommu_unit *u);
	/* Context cache: one device's entry, or every entry tagged domain_id. */
	enum iommu_err (*inv_context_device)(struct iommu_unit *u, uint16_t domain_id,
	                                     uint16_t source_id);
	enum iommu_err (*inv_context_domain)(struct iommu_unit *u, uint16_t domain_id);
	/* Context cache, every entry: the recovery flush after a failed wait. */
	enum iommu_err (*inv_context_global)(struct iommu_unit *u);

	/*
	 * Complete everything queued so far. Returns IOMMU_OK, or
	 * IOMMU_ERR_TIMEOUT after a bounded time, or IOMMU_ERR_HARDWARE if the
	 * unit reported a queue error; never hangs. After an error nothing
	 * queued before may be assumed done (see deferred.h).
	 */
	enum iommu_err (*wait)(struct iommu_unit *u);

	/*
	 * Make len bytes of table entries at va visible to a walk that does
	 * not snoop (caps.coherent_walk false): clflush each line, then fence.
	 * May be NULL when the walk is coherent.
	 */
	void (*flush_entries)(struct iommu_unit *u, const void *va, size_t len);

	/*
	 * Move up to max pending fault records into out[], clearing them in
	 * the hardware; *count receives how many. *overflowed is set when
	 * the unit dropped records (VT-d PFO). Bounded by max: a fault storm
	 * cannot hold the caller.
	 */
	void (*drain_faults)(struct iommu_unit *u, struct iommu_fault *out, unsigned max,
	                     unsigned *count, bool *overflowed);

	/*
	 * Interrupt remapping; every operation fails with IOMMU_ERR_UNSUPPORTED
	 * when caps.irq_entries is 0, IOMMU_ERR_RANGE for index >= irq_entries.
	 *
	 * irq_set: makes entry `index` deliver e->vector to e->apic_id for the
	 * requesters e's check admits, replacing what it held, and queues the
	 * entry-cache invalidation for the index (the caller waits before
	 * handing the MSI to a device). IOMMU_ERR_INVAL for a vector below
	 * 0x10, an APIC ID the unit's mode cannot name, an unknown check or
	 * first_bus > last_bus; nothing written then.
	 */
	enum iommu_err (*irq_set)(struct iommu_unit *u, uint32_t index,
	                          const struct iommu_irq_entry *e);
	/* Entry `index` not present (its interrupts blocked); queues its invalidation. */
	enum iommu_err (*irq_clear)(struct iommu_unit *u, uint32_t index);
	/* Queues the invalidation of every cached entry: the recovery flush after a failed wait. */
	enum iommu_err (*inv_irq_entries)(struct iommu_unit *u);
	/* The MSI address and data a device's MSI/MSI-X entry must hold to raise entry `index`. */
	enum iommu_err (*irq_msi)(const struct iommu_unit *u, uint32_t index, uint64_t *address,
	                          uint32_t *data);
	/*
	 * Entry `index` as the hardware reads it: *present, and if so *out
	 * decoded (for dump to check against the server's records).
	 * IOMMU_ERR_HARDWARE if a present entry holds what irq_set never writes.
	 */
	enum iommu_err (*irq_get)(const struct iommu_unit *u, uint32_t index,
	                          struct iommu_irq_entry *out, bool *present);
};

/*
 * A 4 KiB page the core uses for page tables and its own bookkeeping: its
 * address in the server's address space and its physical address.
 */
struct iommu_page {
	void *va;
	uint64_t phys;
	bool zero; /* free_page: every byte is zero and written back (an emptied table) */
};

/*
 * Where the core gets memory. alloc_page returns a zeroed, 4 KiB-aligned
 * page or IOMMU_ERR_NO_MEMORY (and *out untouched). free_page takes back
 * a page alloc_page returned; the core calls it only once no hardware can
 * reach the page any more (after deferred.c released it), saying whether
 * the page is all zero already (so it need not be cleared again). The server backs
 * pages with Ward frames, host tests with aligned malloc and fake
 * addresses. alloc_meta/free_meta hold the core's own bookkeeping (never
 * seen by hardware): zeroed, or NULL when out of memory; the server may use
 * calloc/free. Both go through here so tests can fail any allocation.
 */
struct iommu_mem_ops {
	enum iommu_err (*alloc_page)(void *ctx, struct iommu_page *out);
	void (*free_page)(void *ctx, struct iommu_page page);
	void *(*alloc_meta)(void *ctx, size_t size);
	void (*free_meta)(void *ctx, void *p);
	void *ctx;
};

#endif /* IOMMU_BACKEND_H */

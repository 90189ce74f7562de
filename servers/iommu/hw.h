/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The server's view of the remapping hardware and of its own memory: the
 * interface between the protocol side (domain.c, buffer.c, device.c,
 * fault.c, dump.c) and hw.c, which drives the units through the VT-d
 * backend (vtd/vtd.h, vtd/vtd_backend.h) and keeps each domain's I/O page
 * table with the core's iopt (core/iopt.h). This header includes neither
 * the core's headers nor the protocol's, whose names overlap
 * (IOMMU_ERR_*): hw.c includes the first, the rest of the server the
 * second. Everything here belongs to the server thread alone.
 */
#ifndef IOMMU_HW_H
#define IOMMU_HW_H

#include <stdbool.h>
#include <stdint.h>

#include "deferred.h" /* the core's deferred free: no names that overlap the protocol's */

/* --- mem.c: the server's memory and CSpace ---------------------------- */

/* A 4 KiB page of the server's own: mapped in it, physical address known. */
struct mem_page {
	void *va;
	uint64_t phys;
	bool zero; /* all zero and written back from the CPU cache */
};

bool mem_init(void);
/* A free slot of the server's root CNode, or 0. */
uint64_t mem_root_slot(void);
/* A zeroed page for hardware tables, or false when memory ran out. */
bool mem_table_page(struct mem_page *pg);
/*
 * 2 MiB of zeroed, physically contiguous memory for a table that size
 * (AMD-Vi's device table): a chunk of the DMA pool, kept for good.
 */
bool mem_table_block(struct mem_page *pg);
/* Gives a table page back (only after the invalidation covering it completed); pg->zero
 * spares clearing it again. */
void mem_table_page_free(const struct mem_page *pg);
/* Table pages on the free list (each released after the invalidation covering it). */
unsigned mem_table_free_count(void);
/* The server's mapping of table page at phys, or NULL. */
void *mem_table_va(uint64_t phys);
/* Makes `count` objects of `type` from untyped `ut` (a big-CNode index, or a root cptr). */
bool mem_retype_big(uint64_t ut, bool ut_in_big, unsigned type, unsigned bits, unsigned count,
                    uint32_t *first);
/* Maps the frame at big-CNode index `idx` at `va` in the server (cached, RW); its address. */
bool mem_map_big(uint32_t idx, uint64_t va, uint64_t *phys);
/* Copies big-CNode index `idx` into root slot `slot` (a child: Revoke of the original takes it). */
bool mem_copy_out(uint32_t idx, uint64_t slot);
/* The same into slot `index` (of `depth` bits) of the CNode at root cptr `cnode`. */
bool mem_copy_into(uint32_t idx, uint64_t cnode, uint64_t index, unsigned depth);
/* Revokes every copy of the cap at big-CNode index `idx`, keeping it. */
void mem_revoke_big(uint32_t idx);
/* Writes back the cache lines of [p, p + len) so a non-snooping page walk sees them. */
void mem_flush(const void *p, uint64_t len);

uint64_t iommu_tsc(void);
extern uint64_t iommu_tsc_hz;

/* --- hw.c: the remapping units ------------------------------------------ */

struct iommu_hw_caps {
	unsigned units;
	unsigned widths;     /* bit 0: 39-bit, bit 1: 48-bit domains possible on every unit */
	bool caching_mode;   /* any unit has CM */
	unsigned domain_ids; /* IDs 1 .. domain_ids may be handed out (quarantine's excluded) */
};

/*
 * Probes and takes over every unit (translation still off); false if
 * units are described but none is usable. None described: bare mode.
 */
bool hw_init(const struct iommu_hw_caps **caps);
/* Global invalidation, then translation on, on every unit (after every device is placed). */
bool hw_enable(void);
unsigned hw_unit_count(void);
/*
 * True when the firmware describes no remapping unit (hw_bare.c): no
 * units, every hardware step a no-op, DMA unprotected, IOVA = physical.
 */
bool hw_bare(void);
/* Prints the units' capabilities that matter and their state. */
void hw_print(void);

/* A domain's I/O page table: its depth is fixed by its width at creation. */
struct hw_table;
/* A new empty table for IOVAs below 2^width; NULL if out of memory or width unsupported. */
struct hw_table *hw_table_new(unsigned width);
unsigned hw_table_levels(const struct hw_table *t);
uint64_t hw_table_root(const struct hw_table *t);
/*
 * Maps [iova, +size) to the physically contiguous [phys, +size) with
 * IOMMU_READ/IOMMU_WRITE rights (the largest leaves that fit); false (and
 * nothing changed) when out of table memory.
 */
bool hw_map(struct hw_table *t, uint64_t iova, uint64_t phys, uint64_t size, unsigned rights);
/* Unmaps [iova, +size), which must be mapped; the IOTLB ranges are kept for hw_inv_table(). */
bool hw_unmap(struct hw_table *t, uint64_t iova, uint64_t size);
/* Queues the IOTLB invalidations the table's changes since the last call need, for `did`. */
void hw_inv_table(struct hw_table *t, unsigned did);
/* The translation of iova: physical address (0 and *rights 0 if none), rights, leaf size. */
uint64_t hw_lookup(const struct hw_table *t, uint64_t iova, unsigned *rights, uint64_t *size);
/* Bytes the table maps, and whether the tables in memory agree with its bookkeeping. */
uint64_t hw_mapped_bytes(const struct hw_table *t);
bool hw_table_verify(const struct hw_table *t, const char **what, uint64_t *iova);
/* Drops the table; its pages are reused only after the next successful hw_inv_wait(). */
void hw_table_free(struct hw_table *t, unsigned did);

/*
 * The table's IOVA space (the core's iova.h): [0, 2^width) less the
 * interrupt window and whatever hw_iova_reserve() kept out. Results name
 * what went wrong; for RESERVED and OVERLAP, [*lo, *hi] is the range in
 * the way.
 */
enum hw_iova {
	HW_IOVA_OK,
	HW_IOVA_RANGE,
	HW_IOVA_RESERVED,
	HW_IOVA_OVERLAP,
	HW_IOVA_EXHAUSTED,
	HW_IOVA_NO_MEMORY
};
bool hw_iova_reserve(struct hw_table *t, uint64_t base, uint64_t size);
/* Claims exactly [iova, +size) (page aligned). */
enum hw_iova hw_iova_claim(struct hw_table *t, uint64_t iova, uint64_t size, uint64_t *lo,
                           uint64_t *hi);
/* Claims the lowest free [*iova, +size) aligned to align (a power of two >= 4 KiB). */
enum hw_iova hw_iova_alloc(struct hw_table *t, uint64_t size, uint64_t align, uint64_t *iova);
/* Gives back a claimed range: only once the invalidation of its unmap completed. */
void hw_iova_free(struct hw_table *t, uint64_t iova, uint64_t size);

/*
 * Domain IDs (the core's domain_id.h): 1 .. count, the never used first,
 * then the least recently freed; `limit` (3 or more, 0: none) keeps them
 * below limit. A freed ID comes back only after the next completed wait.
 */
bool hw_did_init(unsigned limit);
bool hw_did_alloc(unsigned *did);
void hw_did_free(unsigned did);
/* Queues item (release set) behind the next wait: released once a wait covering it completed. */
void hw_defer(struct deferred_item *item);
/* Items in the deferred-free queue, waiting for an invalidation to complete. */
unsigned hw_deferred_pending(void);
/* Test hook (server option `inject`): the next wait of every unit times out. */
void hw_inject_timeout(void);

/* Points source ID sid at the table with domain ID did; queues its invalidations. */
bool hw_attach(uint16_t sid, const struct hw_table *t, unsigned did);
/* Points sid at the backend's quarantine (DMA blocked); queues its invalidations. */
bool hw_block(uint16_t sid);
/* The context entry of sid as the hardware reads it: false if not present. */
bool hw_context_get(uint16_t sid, uint64_t *table, unsigned *levels, unsigned *did);
/* The quarantine table and domain ID hw_block() points devices at. */
void hw_quarantine(uint64_t *table, unsigned *did);

/* Invalidation: queue descriptors, then one wait per unit for all of them. */
void hw_inv_domain(unsigned did);
/* Waits for every queued descriptor; false on time-out or a queue error. */
bool hw_inv_wait(void);
/* Descriptors queued and waits done since start (for STATS and the bench). */
void hw_inv_counts(uint64_t *descriptors, uint64_t *waits);

struct iommu_fault_record {
	uint16_t sid;
	uint8_t reason;
	bool read;
	uint64_t iova;
	uint64_t tsc; /* when the server took the interrupt */
};
/* Reads and clears the fault records of unit u (bounded); returns how many. */
unsigned hw_fault_drain(unsigned unit, struct iommu_fault_record *out, unsigned max,
                        bool *overflow);
/* Unit u's fault interrupt signals notification cap `ntfn`; then acknowledges it. */
bool hw_irq_bind(unsigned unit, uint64_t ntfn);
void hw_fault_ack(unsigned unit);

/* --- hw.c: interrupt remapping ---------------------------------------------- */

/*
 * An entry of every unit's interrupt remapping table per interrupt the
 * server hands out: the device's MSI/MSI-X entry is programmed with the
 * address and data hw_irq_alloc() returns, and the units deliver it as
 * `vector` to `apic_id` only when the request carries the requester ID
 * the entry names. The index is the same on every unit; a freed index
 * is handed out again only after the invalidation that removed its entry
 * from the units' caches completed (hw_inv_wait()).
 */

/* Whose interrupt requests an entry accepts. */
struct hw_irq_source {
	bool bus_range; /* false: exactly requester `sid`; true: any on [first_bus, last_bus] */
	uint16_t sid;
	uint8_t first_bus, last_bus; /* a PCIe-to-PCI bridge's secondary to subordinate bus */
};

enum hw_irq {
	HW_IRQ_OK,
	HW_IRQ_UNSUPPORTED,   /* a unit does not remap interrupts (or there is none) */
	HW_IRQ_INVAL,         /* vector below 0x10, APIC ID above 255, first_bus > last_bus */
	HW_IRQ_RANGE,         /* free/get: index past the table */
	HW_IRQ_NOT_ALLOCATED, /* free: index not handed out (or freed already) */
	HW_IRQ_EXHAUSTED,     /* every index in use or waiting for its invalidation */
	HW_IRQ_HARDWARE,      /* a unit refused or an entry holds what Ward never writes */
};

/* True when every unit remaps interrupts (the table is usable). */
bool hw_irq_supported(void);
/* Entries per table (0 without remapping): indexes are 0 .. hw_irq_entries() - 1. */
unsigned hw_irq_entries(void);

/*
 * Takes a free index, writes its entry (vector 0x10..0xff, xAPIC
 * destination `apic_id`, source check `src`) on every unit and queues
 * each unit's invalidation of that index; the caller then calls
 * hw_inv_wait() and only after it succeeded programs the device with
 * *msi_address / *msi_data (what the device's MSI or MSI-X entry must
 * hold: remappable format, handle = *index). On error nothing is left
 * written and no index is taken (one already written on some unit is
 * cleared again and its index freed through the deferred queue).
 */
enum hw_irq hw_irq_alloc(const struct hw_irq_source *src, unsigned vector, unsigned apic_id,
                         unsigned *index, uint64_t *msi_address, uint32_t *msi_data);

/*
 * Clears entry `index` on every unit (interrupts naming it are blocked
 * from the moment the cleared entry is visible, and certainly once the
 * invalidation completed) and queues the invalidations; the index comes
 * back after the next successful hw_inv_wait(), which the caller makes.
 */
enum hw_irq hw_irq_free(unsigned index);

/* Whether `index` is handed out (not free, not waiting for its invalidation). */
bool hw_irq_allocated(unsigned index);

/* What dump reads back: an entry as the first unit's table in memory holds it. */
struct hw_irq_entry {
	bool present;
	unsigned vector;
	unsigned apic_id;
	struct hw_irq_source src;
};

/*
 * Entry `index` read from every unit's table: HW_IRQ_OK with *out as
 * unit 0 holds it, HW_IRQ_RANGE, HW_IRQ_UNSUPPORTED, or HW_IRQ_HARDWARE
 * when a present entry holds what hw_irq_alloc() never writes or the
 * units' tables disagree.
 */
enum hw_irq hw_irq_entry_get(unsigned index, struct hw_irq_entry *out);

#endif /* IOMMU_HW_H */

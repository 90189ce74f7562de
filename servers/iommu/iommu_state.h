/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IOMMU server's state. All of it belongs to the server's one thread:
 * requests, fault interrupts and death notifications are handled by that
 * thread one at a time, each to completion, so nothing here is locked and
 * nothing is ever seen half-changed (docs/iommu.md).
 *
 *   memory   the server's own table pages and its big CNode (mem.c, hw.h)
 *   pool     the DMA pool it lends buffers from, in 2 MiB chunks (pool.c)
 *   units    the remapping hardware: the VT-d backend and the core's
 *            I/O page tables behind hw.h (hw.c)
 *   domains  a slot per domain, with a generation for its badge (domain.c)
 *   buffers  lent DMA memory and where it is mapped (buffer.c)
 *   devices  every PCI function behind a unit: quarantine or a domain (device.c)
 *   faults   per-domain bounded queues of fault records (fault.c)
 */
#ifndef IOMMU_STATE_H
#define IOMMU_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <ward/protocol.h>

#include "hw.h"
#include "iommu_badge.h"
#include "ledger.h"
#include "iommu_client.h"

#define IOMMU_PAGE          4096ULL
#define IOMMU_LARGE         (2ULL << 20)
#define IOMMU_MAX_DOMAINS   64
#define IOMMU_MAX_BUFFERS   256
#define IOMMU_MAX_DEVICES   256
#define IOMMU_MAX_CHUNKS    64 /* 128 MiB of pool */
#define IOMMU_MAX_RMRR      8
#define IOMMU_BUFFER_CHUNKS 16 /* a buffer of 2 MiB frames: at most 32 MiB */
#define IOMMU_FAULT_QUEUE   16 /* records kept per domain */
#define IOMMU_FAULT_LOG     16 /* the system's last faults (FAULT_LOG) */
#define IOMMU_NO_DOMAIN     0xffff

/* Per-client quotas (docs/iommu.md). */
#define IOMMU_DOMAINS_PER_CLIENT 8
#define IOMMU_BUFFERS_PER_CLIENT 64
#define IOMMU_BYTES_PER_CLIENT   (8ULL << 20)
#define IOMMU_MAPS_PER_BUFFER    4

/* The fault-storm rule: more than this many faults in the window quarantines a device. */
#define IOMMU_STORM_FAULTS    64
#define IOMMU_STORM_WINDOW_MS 1000

/* --- pool.c: the DMA pool --------------------------------------------- */

bool pool_init(uint64_t untyped, unsigned bits);
/* Whole 2 MiB chunks for a buffer of large frames; false if too few are free. */
bool pool_alloc_large(unsigned n, uint16_t *chunks);
/* A run of n 4 KiB pages in one chunk; false if no chunk has one. */
bool pool_alloc_small(unsigned n, uint16_t *chunk, uint16_t *first);
void pool_free_large(unsigned n, const uint16_t *chunks);
void pool_free_small(uint16_t chunk, uint16_t first, unsigned n);
/* Frame `i` of a chunk (large: i = 0): its cap (big-CNode index), address, server mapping. */
uint32_t pool_frame_cap(uint16_t chunk, unsigned i);
uint64_t pool_frame_phys(uint16_t chunk, unsigned i);
void *pool_frame_va(uint16_t chunk, unsigned i);
unsigned pool_chunks_free(void);

/* --- domain.c ----------------------------------------------------------- */

struct iommu_fault_queue {
	struct iommu_fault_record rec[IOMMU_FAULT_QUEUE];
	uint16_t sbdf[IOMMU_FAULT_QUEUE];
	unsigned head, count;
	uint64_t lost;
};

struct iommu_domain {
	bool used;
	uint32_t generation;
	uint32_t owner; /* pid */
	unsigned width, did;
	struct hw_table *table;
	unsigned devices, buffers, maps; /* attached devices, home buffers, foreign mappings */
	bool rmrr_mapped;                /* an RMRR device joined: the identity maps are in */
	uint64_t notify;                 /* root slot of the owner's notification, 0: none */
	uint64_t cap_slot;               /* root slot of the domain cap's original, 0: none yet */
	struct iommu_fault_queue faults;
};

extern struct iommu_domain iommu_domains[IOMMU_MAX_DOMAINS];
/*
 * Quarantine: the backend's (DMA blocked) for every device but those an
 * RMRR names, which go to this table with nothing but the RMRR identity
 * maps, under domain ID 1.
 */
extern struct hw_table *iommu_rmrr_quarantine;
extern bool iommu_caching_mode;
#define IOMMU_RMRR_QUARANTINE_DID 1

bool domain_init(unsigned did_limit);
/* The domain the request's badge names, or an error (STALE, DENIED) in rq. */
enum ward_error domain_of(struct ward_request *rq, struct iommu_domain **d);
/* The live domain a domain-badge value names, or NULL. */
struct iommu_domain *domain_by_badge(uint64_t badge);
uint64_t domain_badge(const struct iommu_domain *d);
/* Tears down a domain with nothing attached or mapped; the DID is freed after the wait. */
bool domain_teardown(struct iommu_domain *d);
/* A client died: destroy its domains (called after its buffers and devices went). */
void domain_client_gone(uint32_t pid);

/* --- buffer.c ------------------------------------------------------------ */

struct iommu_mapping {
	uint16_t domain; /* IOMMU_NO_DOMAIN: unused */
	uint8_t rights;
	uint64_t iova;
};

struct iommu_buffer {
	struct deferred_item release; /* first: its memory waits here for an invalidation */
	bool used;
	bool releasing; /* freed; the memory is not back in the pool yet */
	int16_t lend;   /* the CNode lent with its frame caps (lend.c), -1: none */
	uint32_t generation;
	uint32_t owner;
	uint64_t size;
	bool large; /* 2 MiB frames */
	unsigned frames;
	uint16_t chunk[IOMMU_BUFFER_CHUNKS];             /* large: one per frame; small: chunk[0] */
	uint16_t first;                                  /* small: first page in the chunk */
	struct iommu_mapping map[IOMMU_MAPS_PER_BUFFER]; /* map[0]: the home domain */
};

extern struct iommu_buffer iommu_buffers[IOMMU_MAX_BUFFERS];
extern unsigned iommu_buffer_top;
uint64_t buffer_id(const struct iommu_buffer *b);
/* Frees every buffer of a client (unmap, invalidate, wait, revoke, zero). */
void buffer_client_gone(uint32_t pid);
/* Counts a client's buffers and bytes. */
void buffer_usage(uint32_t pid, unsigned *count, uint64_t *bytes);

/* --- lend.c: CNodes that carry a buffer's frame caps to its client ------- */

/* A CNode with room for `frames` caps, or -1 when none is left. */
int lend_take(unsigned frames);
/* Copies the frame cap at big-CNode index idx into slot i of lent CNode l. */
bool lend_put(int l, unsigned i, uint32_t idx);
/* The root slot of lent CNode l (sent in a reply: the client gets a copy) and its radix. */
uint64_t lend_cnode(unsigned l, unsigned *radix);
/* Takes lent CNode l back: it and every cap in it or copied from it are gone. */
void lend_return(unsigned l);

/* --- device.c, assign.c ----------------------------------------------------- */

/* What the server keeps per device beside the ledger (same index as the ledger's). */
struct iommu_device {
	uint32_t sbdf;
	bool rmrr;          /* an RMRR names it */
	bool no_reset;      /* the PCI server knows no reset method for it (CAPABILITIES) */
	uint32_t id;        /* vendor << 16 | device */
	uint32_t class_rev; /* class code << 8 | revision */
	uint64_t faults;    /* recorded since boot, whoever owned it */
	uint32_t storm_faults;
	uint64_t storm_start; /* TSC */
	bool storm_stopped;
};

/* Per group (the ledger's index): the caps the server minted for it. */
struct iommu_group_caps {
	uint64_t assign_slot;       /* the assignment cap's original, 0: not minted yet */
	uint32_t assign_generation; /* its badge's generation: bumped when the group goes */
	uint64_t device_slot;       /* the owner's device cap's original (revoked at each move) */
};

extern struct iommu_device iommu_devices[IOMMU_MAX_DEVICES];
extern struct iommu_group_caps iommu_group_caps[IOMMU_MAX_DEVICES];
extern struct ledger iommu_ledger;
extern uint64_t iommu_pci_ep;
bool device_init(void);
/* Interrupts its remapped interrupt delivered (the kernel's count), 0 if it has none. */
uint64_t device_irq_delivered(const struct iommu_device *dv);
unsigned device_count(void);
struct iommu_device *device_by_sid(uint16_t sid);
struct iommu_device *device_by_sbdf(uint64_t sbdf);
/* The owner (domain index, or LEDGER_QUARANTINE) and the ledger's record of a device. */
uint16_t device_owner(const struct iommu_device *dv);
const struct ledger_device *device_ledger(const struct iommu_device *dv);
/* Moves the device's group (ledger_move, with the domains' device counts kept). */
enum ledger_err device_move(struct iommu_device *dv, uint16_t to, unsigned flags,
                            struct ledger_result *r);
/* Every group domain index di owns to quarantine; false if a move failed (still quarantined). */
bool device_release_domain(unsigned di);
/* assign.c: the group an assignment or device badge names; the member of it with this SBDF. */
enum ward_error group_of(struct ward_request *rq, uint64_t kind, uint16_t *group);
enum ward_error member_of(struct ward_request *rq, uint16_t group, uint64_t sbdf,
                          struct iommu_device **dv);

/*
 * RMRRs from the DMAR table and IVMDs from the IVRS: identity maps kept in
 * every domain of their devices.
 */
struct iommu_rmrr {
	uint64_t base, end; /* [base, end] */
	unsigned rights;    /* IOMMU_READ | IOMMU_WRITE (an RMRR: both) */
};
extern struct iommu_rmrr iommu_rmrrs[IOMMU_MAX_RMRR];
extern unsigned iommu_rmrr_count;
void reserved_read(void);

/* --- fault.c ------------------------------------------------------------ */

/* Handles a fault interrupt of the units named by `bits`: bounded work. */
void fault_event(uint64_t bits);
extern uint64_t iommu_fault_total;
extern unsigned iommu_storm_faults; /* the storm rule's threshold (server option storm=N) */

/* --- death.c -------------------------------------------------------------- */

/* Subscribes notification cap `ntfn` to the root task's death notifications. */
bool death_init(uint64_t ntfn);
void death_event(void);
void iommu_client_gone(uint32_t pid);

/* Server option `inject`: DUMP may arm an invalidation time-out (tests only). */
extern bool iommu_inject_allowed;

/* --- clock ---------------------------------------------------------------- */

uint64_t iommu_tsc(void);
extern uint64_t iommu_tsc_hz;

/* --- loop.c --------------------------------------------------------------- */

/* The cap (a root cptr) the current reply carries, or 0. */
extern uint64_t iommu_reply_cap;
uint64_t iommu_server_run(uint64_t endpoint, uint64_t reply, uint64_t recv_slot,
                          void (*on_event)(uint64_t bits));

/* The server's endpoint (unbadged) and its CNode, for minting domain caps. */
extern uint64_t iommu_endpoint;
extern uint64_t iommu_reply_slot;

#endif /* IOMMU_STATE_H */

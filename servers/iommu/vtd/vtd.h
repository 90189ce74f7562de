/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Intel VT-d backend of the IOMMU server: one `struct vtd_unit` per
 * DMA-remapping unit (DMAR DRHD), driven by the server thread alone. No
 * function here takes a lock or may be called from two threads; none
 * allocates kernel objects: memory the hardware reads (root and context
 * tables, the quarantine table, the invalidation queue and its status
 * page) comes from the caller's page allocator in `struct vtd_env`.
 *
 * A unit moves through these states, never backwards:
 *
 *   vtd_unit_probe()    PROBED   registers read, capabilities decoded;
 *                       REFUSED  a capability Ward cannot honour: nothing
 *                                was written to the unit, it stays as
 *                                firmware left it (u->refused says why)
 *   vtd_unit_prepare()  PREPARED root table installed, queued invalidation
 *                                on, every context entry not present
 *                                (DMA from unknown sources blocked when
 *                                translation is on); then vtd_block() for
 *                                each known device and vtd_attach() for
 *                                RMRR devices
 *   vtd_unit_enable()   ENABLED  caches invalidated, translation on
 *                       FAILED   a hardware step timed out; the unit is
 *                                reported and left as it is
 *
 * Every device the server knows is always in exactly one domain: the
 * quarantine domain (u->quarantine_did, an empty second-stage table: all
 * DMA faults) or a domain the core built. Legacy translation mode only.
 *
 * Errors are `enum vtd_status`; on an error the unit's tables and the
 * caller's outputs are as they were, unless the function says otherwise.
 */
#ifndef WARD_VTD_H
#define WARD_VTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ward/startinfo.h>

#include "vtd_regs.h"

struct acpi_dmar;

enum vtd_status {
	VTD_OK = 0,
	VTD_E_ARG,           /* NULL, misaligned or out-of-range argument */
	VTD_E_STATE,         /* the unit is not in a state that allows the call */
	VTD_E_WINDOW,        /* register window too small, or registers read as all ones */
	VTD_E_NO_QI,         /* the unit has no queued invalidation (ECAP.QI) */
	VTD_E_NO_DEPTH,      /* SAGAW offers no 3-, 4- or 5-level table Ward supports */
	VTD_E_REGS_OUTSIDE,  /* IOTLB or fault recording registers past the window */
	VTD_E_SCALABLE_ONLY, /* the unit does not do legacy mode */
	VTD_E_NO_MEMORY,     /* the page allocator had no page */
	VTD_E_TIMEOUT,       /* the hardware did not finish within the bound */
	VTD_E_QUEUE_ERROR,   /* FSTS.IQE: the unit refused a descriptor */
	VTD_E_QUEUE_ITE,     /* FSTS.ITE: a device-TLB invalidation timed out */
	VTD_E_QUEUE_ICE,     /* FSTS.ICE: an invalid device-TLB completion */
	VTD_E_QUEUE_FULL,    /* more descriptors than the queue holds at once */
	VTD_E_WEDGED,        /* an earlier timeout left the queue undrained: refused */
	VTD_E_TAKEOVER,      /* firmware's queued invalidation would not stop */
	VTD_E_WIDTH,         /* table depth or address beyond what the unit translates */
	VTD_E_NOT_PRESENT,   /* no context entry for that source ID */
	VTD_E_COUNT
};

/* A short name of `s` for logs ("queue error", ...). */
const char *vtd_strerror(enum vtd_status s);

/* ---- Capabilities -------------------------------------------------------- */

/* CAP and ECAP (§10.4.2, §10.4.3) decoded: everything that changes what software does. */
struct vtd_caps {
	uint32_t ver;      /* VER: major << 4 | minor */
	uint64_t cap;      /* raw */
	uint64_t ecap;     /* raw */
	unsigned mgaw;     /* maximum guest address width, bits */
	unsigned sagaw;    /* SAGAW bits (VTD_SAGAW_*) */
	unsigned levels;   /* bitmask of usable depths: bit n = n-level table */
	uint32_t domains;  /* domain IDs the unit tags (2^(4 + 2 * ND)) */
	unsigned nfr;      /* fault recording registers */
	uint32_t fro;      /* their offset */
	uint32_t iro;      /* IOTLB registers' offset */
	unsigned mamv;     /* largest page-selective address mask (PSI) */
	bool cm;           /* caching mode: not-present entries may be cached */
	bool rwbf;         /* write buffer flush needed after writing entries */
	bool coherent;     /* ECAP.C: the page walk snoops; else clflush entries */
	bool qi;           /* queued invalidation */
	bool ir;           /* interrupt remapping */
	bool eim;          /* x2APIC interrupt remapping */
	bool psi;          /* page-selective IOTLB invalidation */
	bool sp_2m, sp_1g; /* second-stage 2 MiB / 1 GiB pages */
	bool drain_read;   /* CAP.DRD: IOTLB invalidations may drain reads */
	bool drain_write;  /* CAP.DWD: and writes */
	bool pt, dt, sc;   /* pass-through, device-TLB, snoop control (not used) */
	bool legacy;       /* legacy translation mode available (not scalable-only) */
};

/* Decodes raw registers; pure (host tested). */
void vtd_caps_decode(uint32_t ver, uint64_t cap, uint64_t ecap, struct vtd_caps *out);

/*
 * Why a unit with `c` cannot be used: VTD_OK if it can, else the first
 * reason in this order: VTD_E_SCALABLE_ONLY, VTD_E_NO_QI, VTD_E_NO_DEPTH,
 * VTD_E_REGS_OUTSIDE (against a window of `window` bytes). Pure.
 */
enum vtd_status vtd_caps_check(const struct vtd_caps *c, uint64_t window);

/*
 * The depth of a domain able to address `width` bits: the smallest depth
 * the unit supports that covers it (39 → 3, 40..48 → 4, ...), or 0 if
 * none does (also when width exceeds MGAW). A domain keeps this depth for
 * its life (SEEDS.md §5). Pure.
 */
unsigned vtd_caps_levels_for_width(const struct vtd_caps *c, unsigned width);

/* The widest address width the unit translates: min(MGAW, deepest table). Pure. */
unsigned vtd_caps_max_width(const struct vtd_caps *c);

/* One line for `dump`, e.g. "ver 1.0 mgaw 48 depth 3,4 ... cm qi psi mamv 18". */
size_t vtd_caps_describe(const struct vtd_caps *c, char *buf, size_t len);

/* ---- What the backend needs from its host --------------------------------- */

/* A page the hardware may read: CPU view and physical address. */
struct vtd_page {
	void *va;
	uint64_t pa; /* 0: none */
};

struct vtd_env {
	void *ctx;
	/* A zero-filled, 4 KiB aligned page; false when memory ran out. */
	bool (*page_alloc)(void *ctx, struct vtd_page *out);
	/* The CPU view of a page page_alloc() returned (or the core's), NULL if unknown. */
	void *(*page_va)(void *ctx, uint64_t pa);
	/* Monotonic nanoseconds, for bounded waits. */
	uint64_t (*now_ns)(void *ctx);
	/*
	 * Writes back [va, va + len) from the CPU caches (clflush), called
	 * after entries are written when the unit's walk is not coherent
	 * (ECAP.C = 0). NULL: the backend's own clflush loop.
	 */
	void (*cache_flush)(void *ctx, const void *va, size_t len);
};

/* ---- A unit --------------------------------------------------------------- */

enum vtd_unit_state {
	VTD_UNIT_NONE = 0,
	VTD_UNIT_PROBED,
	VTD_UNIT_REFUSED,
	VTD_UNIT_PREPARED,
	VTD_UNIT_ENABLED,
	VTD_UNIT_FAILED,
};

/*
 * Domain IDs: 0 is never used (CM=1 units tag cached not-present entries
 * with it, §6.1); quarantine takes the highest, caps.domains - 1; the core
 * hands out 1 .. caps.domains - 2 (vtd_domain_ids()).
 */
#define VTD_DID_RESERVED 0

/* The quarantine domain's ID on a unit with `c`. */
static inline uint16_t vtd_quarantine_did(const struct vtd_caps *c)
{
	return (uint16_t)(c->domains - 1);
}

/* How many IDs the core may hand out: 1 .. this (quarantine's excluded). */
static inline uint32_t vtd_domain_ids(const struct vtd_caps *c)
{
	return c->domains - 2;
}

/* Bounds of every wait on the hardware (nanoseconds). */
#define VTD_TIMEOUT_STATUS_NS 10000000ULL  /* GSTS after a GCMD write: 10 ms */
#define VTD_TIMEOUT_QI_NS     100000000ULL /* a queued invalidation's wait: 100 ms */

/* One-shot fault injection for tests (vtd_qi_inject()). */
enum vtd_inject {
	VTD_INJECT_NONE = 0,
	VTD_INJECT_QUEUE_ERROR, /* the next submission starts with a refused descriptor (IQE) */
	VTD_INJECT_TIMEOUT,     /* the next wait writes its status elsewhere: the poll times out */
};

struct vtd_qi_stats {
	uint64_t submits;   /* waits issued */
	uint64_t errors;    /* IQE / ITE / ICE seen */
	uint64_t timeouts;  /* waits that ran out of time */
	uint64_t recovered; /* times the queue was drained again after one of those */
};

struct vtd_unit {
	/* the register window and where it came from */
	volatile uint8_t *regs;
	uint64_t window;
	uint64_t phys;
	uint16_t segment;
	uint8_t drhd_flags; /* ACPI_DMAR_DRHD_INCLUDE_PCI_ALL, ... */
	const struct vtd_env *env;
	struct vtd_caps caps;
	enum vtd_unit_state state;
	enum vtd_status refused; /* REFUSED / FAILED: why */
	bool took_over;          /* firmware had translation or QI on */
	bool translating;        /* TE is on: context changes must be invalidated */
	uint32_t gsts_found;     /* GSTS as firmware left it */
	/* translation tables */
	unsigned quarantine_levels;
	uint16_t quarantine_did;
	struct vtd_page root;
	struct vtd_page context[VTD_ROOT_ENTRIES]; /* pa 0: bus has no context table */
	struct vtd_page quarantine;                /* empty top-level table */
	/* queued invalidation */
	struct vtd_page iq;
	uint32_t iq_entries;
	uint32_t iq_tail;
	struct vtd_page status; /* dword 0: wait status, dword 1: discard */
	uint32_t iq_seq;
	bool iq_wedged;
	enum vtd_inject inject;
	uint64_t qi_timeout_ns;
	struct vtd_qi_stats qi_stats;
	/* interrupt remapping (ECAP.IR): Ward's table, xAPIC mode (IRTA.EIME clear) */
	struct vtd_page irt;  /* VTD_IRT_ENTRIES IRTEs; pa 0: no interrupt remapping */
	uint32_t irt_entries; /* 0: the unit does not remap interrupts */
	bool remapping;       /* IRE is on */
	/* faults */
	uint64_t faults;          /* records drained */
	uint64_t fault_overflows; /* times PFO was found set */
};

/*
 * Reads VER/CAP/ECAP of the unit whose registers `w` (kind
 * WARD_WINDOW_VTD, already mapped at w->vaddr) describes and decides
 * whether Ward can drive it. Returns VTD_OK with u->state PROBED, or the
 * reason (vtd_caps_check(), VTD_E_WINDOW) with u->state REFUSED. Writes
 * nothing to the unit either way; `env` must outlive the unit.
 */
enum vtd_status vtd_unit_probe(struct vtd_unit *u, const struct ward_device_window *w,
                               const struct vtd_env *env);

/*
 * Takes a PROBED unit over: masks its fault interrupt; if firmware left
 * queued invalidation on, waits for its queue to drain and turns it off
 * (VTD_E_TAKEOVER if it would not); clears queue errors firmware left;
 * turns Ward's queue on; installs the root table (SRTP) with every entry
 * not present; invalidates context cache, IOTLB (and the interrupt entry
 * cache if IR) globally; clears stale fault records. If firmware left
 * translation on, it stays on throughout: DMA goes from firmware's tables
 * straight to Ward's (blocked), never untranslated. Returns VTD_OK with
 * state PREPARED; VTD_E_NO_MEMORY before touching the unit (pages already
 * allocated are reused by a retry); a timeout leaves state FAILED
 * (u->refused says why).
 */
enum vtd_status vtd_unit_prepare(struct vtd_unit *u);

/*
 * Invalidates context cache and IOTLB (and the interrupt entry cache)
 * globally and turns translation on (TE), polling GSTS.TES for at most
 * VTD_TIMEOUT_STATUS_NS; then, on a unit with interrupt remapping,
 * turns it on (IRE, GSTS.IRES polled). Call after vtd_block() /
 * vtd_attach() wrote every known device's context entry. Returns VTD_OK
 * with state ENABLED; VTD_E_TIMEOUT leaves state FAILED.
 */
enum vtd_status vtd_unit_enable(struct vtd_unit *u);

/* "probed", "refused", ... */
const char *vtd_unit_state_name(enum vtd_unit_state s);

/*
 * One line for `dump`: state (and why, if refused or failed), register
 * base, whether firmware's state was taken over and GSTS as found,
 * queue counters (submissions, errors, time-outs, recoveries, wedged),
 * faults drained and overflows. Returns the length written (truncated to
 * len - 1).
 */
size_t vtd_unit_describe(const struct vtd_unit *u, char *buf, size_t len);

/* ---- Context entries: which domain a device's DMA goes through ------------ */

/* The most invalidation descriptors one context change needs. */
#define VTD_CTX_INV_MAX 4

/*
 * Points source ID `sid` at the domain `did` whose `levels`-level
 * second-stage table is at physical `table`, on a PREPARED or ENABLED
 * unit: allocates the bus's context table if needed, writes the entry
 * (first clearing P, then the high half, then the low half, so the walk
 * never sees a mix), flushes it from the CPU cache when the walk is not
 * coherent and the write buffer when RWBF, and stores in inv[] (*ninv of
 * them) the invalidations that make the unit forget the old entry:
 * context cache for the device and IOTLB for the old domain, and on a CM
 * unit the not-present entry's domain 0 and the new domain (§6.1). None
 * before translation is on (vtd_unit_enable() invalidates everything).
 * `levels` must be one the unit supports, `did` in [1, caps.domains).
 * Errors: VTD_E_ARG, VTD_E_STATE, VTD_E_WIDTH, VTD_E_NO_MEMORY (nothing
 * changed; a bus without a context table blocks its devices' DMA), or a
 * write-buffer flush timeout (entry written).
 */
enum vtd_status vtd_context_set(struct vtd_unit *u, uint16_t sid, uint16_t did, uint64_t table,
                                unsigned levels, struct vtd_desc inv[VTD_CTX_INV_MAX],
                                size_t *ninv);

/*
 * vtd_context_set() and vtd_qi_submit() of its invalidations: one wait.
 * An invalidation error leaves the entry written but caches may still
 * hold the old one: the caller must treat the device as unsettled (block
 * it again, or retry).
 */
enum vtd_status vtd_attach(struct vtd_unit *u, uint16_t sid, uint16_t did, uint64_t table,
                           unsigned levels);

/* vtd_attach() to the quarantine domain: DMA from `sid` is blocked (faults). */
enum vtd_status vtd_block(struct vtd_unit *u, uint16_t sid);

/*
 * The context entry of `sid` as the hardware reads it (for `dump`).
 * VTD_E_NOT_PRESENT if the bus has no context table; the entry itself may
 * be not present (P clear).
 */
enum vtd_status vtd_context_read(const struct vtd_unit *u, uint16_t sid,
                                 struct vtd_context_entry *out);

/* Result of walking the tables for one address, as the hardware would. */
struct vtd_walk {
	uint8_t fault;   /* 0: translated; else the Appendix A reason it would record */
	uint16_t did;    /* the context entry's domain ID */
	unsigned levels; /* the domain's depth */
	unsigned leaf;   /* level of the leaf: 1 (4 KiB), 2 (2 MiB), 3 (1 GiB) */
	uint64_t pa;     /* translated address */
	uint64_t rights; /* VTD_PTE_R | VTD_PTE_W granted along the walk */
	uint64_t entry[VTD_LEVEL_MAX]; /* the entries read, top first */
};

/*
 * Walks root → context → second-stage entries for a DMA from `sid` to
 * `iova` through env->page_va, checking present and reserved bits as
 * §3.4.2 and §9.8 say. Fills *out; returns VTD_OK if the walk was
 * possible (out->fault says what the hardware would do), VTD_E_ARG if a
 * table's page is unknown to page_va. For `dump` to check tables against
 * the server's records.
 */
enum vtd_status vtd_translate(const struct vtd_unit *u, uint16_t sid, uint64_t iova,
                              struct vtd_walk *out);

/* ---- Queued invalidation --------------------------------------------------- */

/* Descriptors one submission can carry: a queue page of 256, less the wait, one slot
 * left empty (head == tail means empty) and one for an injected fault. */
#define VTD_QI_MAX_BATCH 253

/*
 * Submits `n` descriptors plus one invalidation wait with status write,
 * and polls the status for at most u->qi_timeout_ns. Returns VTD_OK when
 * the hardware completed all of them. On FSTS.IQE / ITE / ICE: returns
 * VTD_E_QUEUE_ERROR / _ITE / _ICE after recovering the queue (the
 * unfinished descriptors replaced by harmless waits, the error cleared,
 * the queue drained). On a timeout: VTD_E_TIMEOUT, the queue marked
 * wedged; a later submission first checks that it drained (else
 * VTD_E_WEDGED at once). Never waits longer than the bound. In every
 * error case the caller must assume none of the invalidations happened.
 * VTD_E_QUEUE_FULL if n > VTD_QI_MAX_BATCH (nothing submitted).
 */
enum vtd_status vtd_qi_submit(struct vtd_unit *u, const struct vtd_desc *d, size_t n);

/* Arms a one-shot fault for the next vtd_qi_submit() (QEMU tests of XSA-373). */
void vtd_qi_inject(struct vtd_unit *u, enum vtd_inject what);

/* The drain bits (VTD_IOTLB_DR/DW) every IOTLB invalidation of this unit carries. */
uint64_t vtd_iotlb_drain(const struct vtd_caps *c);

/*
 * The one IOTLB descriptor that invalidates [iova, iova + size) of domain
 * `did`: page-selective over the smallest naturally aligned block of 2^AM
 * pages containing the range, or domain-selective when the unit has no
 * PSI or AM would exceed MAMV (§6.5.2.3 allows invalidating more than
 * asked). `leaf_only` sets the IH hint (only leaf entries were cleared).
 * Carries the unit's drain bits. Pure.
 */
struct vtd_desc vtd_iotlb_range(const struct vtd_caps *c, uint16_t did, uint64_t iova,
                                uint64_t size, bool leaf_only);

/*
 * Flushes the CPU write buffer when CAP.RWBF says the unit needs it
 * (§6.8), bounded by VTD_TIMEOUT_STATUS_NS; a no-op otherwise.
 */
enum vtd_status vtd_write_buffer_flush(struct vtd_unit *u);

/* Writes [va, va + len) back from the CPU caches if the walk is not coherent. */
void vtd_entries_written(const struct vtd_unit *u, const void *va, size_t len);

/* The cache line size clflush works on; every x86-64 CPU Ward runs on has 64. */
#define VTD_CACHE_LINE 64

/* The backend's own write-back (no env->cache_flush): clflush every line, fenced. */
static inline void vtd_cache_writeback(const void *va, size_t len)
{
	uintptr_t p, end = (uintptr_t)va + len;

	__asm__ volatile("mfence" ::: "memory");
	for (p = (uintptr_t)va & ~(uintptr_t)(VTD_CACHE_LINE - 1); p < end; p += VTD_CACHE_LINE)
		__asm__ volatile("clflush (%0)" ::"r"(p) : "memory");
	__asm__ volatile("mfence" ::: "memory");
}

/* ---- Interrupt remapping (§5.1, §9.10) ------------------------------------- */

/*
 * Prepare gives a unit with ECAP.IR one page of VTD_IRT_ENTRIES IRTEs,
 * all not present, in xAPIC mode (Ward's CPUs run their LAPICs in xAPIC
 * mode, so EIME stays clear even where ECAP.EIM is set), compatibility-
 * format interrupts blocked (CFI clear); enable turns remapping on. An
 * entry is written so that the hardware never reads half of two
 * entries: P cleared first if it was set, then the high half, then the
 * low half with P. Each change returns the index-selective interrupt
 * entry cache invalidation (§6.5.2.7) the caller must submit: until it
 * completed the unit may still use the old entry.
 */

/*
 * Writes `e` (a present remapped-format IRTE, vtd_irte_remapped()) at
 * `index` and stores its invalidation in *inv. VTD_E_STATE if the unit
 * has no table (no IR, or not prepared); VTD_E_ARG for an index past the
 * table, a vector below VTD_IRT_MIN_VECTOR, P clear, the posted format,
 * or a reserved bit set (xAPIC mode). Nothing written on error.
 */
enum vtd_status vtd_irte_set(struct vtd_unit *u, uint16_t index, struct vtd_irte e,
                             struct vtd_desc *inv);

/* Clears the IRTE at `index` (not present: its interrupts are blocked) and stores its
 * invalidation in *inv. VTD_E_STATE, VTD_E_ARG as vtd_irte_set(). */
enum vtd_status vtd_irte_clear(struct vtd_unit *u, uint16_t index, struct vtd_desc *inv);

/* The IRTE at `index` as the hardware reads it (for `dump`). VTD_E_STATE, VTD_E_ARG. */
enum vtd_status vtd_irte_read(const struct vtd_unit *u, uint16_t index, struct vtd_irte *out);

/* ---- Faults ---------------------------------------------------------------- */

/* One primary fault record (§10.4.14) decoded. */
struct vtd_fault {
	uint16_t sid;       /* requester */
	uint8_t reason;     /* Appendix A number */
	bool write;         /* T1 clear: a write; set: a read */
	bool interrupt;     /* an interrupt-remapping fault (reason 0x20-0x2f) */
	uint64_t addr;      /* DMA: the page address; interrupt: 0 */
	uint16_t irq_index; /* interrupt: the remapping table index */
	uint8_t at;         /* address type */
};

/* Decodes one 128-bit record (lo = bits 63:0, hi = bits 127:64); false if F is clear. Pure. */
bool vtd_fault_decode(uint64_t lo, uint64_t hi, struct vtd_fault *out);

/*
 * Programs the unit's fault event interrupt from `irq` (the MSI address
 * and data the root task granted with the unit's IRQHandler) and unmasks
 * it (FEDATA, FEADDR, FEUADDR, then FECTL.IM clear). On a PREPARED or
 * ENABLED unit (prepare masks the interrupt while it takes over);
 * VTD_E_STATE otherwise. Queue errors raise it too: the server then finds
 * no fault record, the submission that met the error reports it.
 */
enum vtd_status vtd_fault_irq_setup(struct vtd_unit *u, const struct ward_irq_grant *irq);

/*
 * Reads and clears up to `cap` fault records, starting at FSTS.FRI and
 * wrapping over the NFR registers, each record cleared by writing its F
 * bit back. Clears Primary Fault Overflow and counts it (*overflow, may
 * be NULL, set if PFO was set: faults were lost). Returns the number
 * stored in out[]; *more (may be NULL) says records are still pending
 * (call again: the unit raises no new interrupt while PPF stays set).
 * Bounded work: at most NFR records looked at per call. A unit not
 * PREPARED or ENABLED is not touched (returns 0).
 */
size_t vtd_fault_drain(struct vtd_unit *u, struct vtd_fault *out, size_t cap, bool *overflow,
                       bool *more);

/* ---- DMAR: which unit covers which device, and reserved memory ------------ */

#define VTD_DMAR_MAX_UNITS  16
#define VTD_DMAR_MAX_RMRRS  32
#define VTD_DMAR_MAX_SCOPES 128
#define VTD_DMAR_MAX_PATH   8 /* bridges between the scope's bus and the device */

struct vtd_scope {
	uint8_t type; /* ACPI_DMAR_SCOPE_ENDPOINT, _BRIDGE, _IOAPIC, _HPET, ... */
	uint8_t enumeration_id;
	uint8_t start_bus;
	uint8_t path_len;
	uint8_t path[VTD_DMAR_MAX_PATH]; /* devfn of each hop */
};

struct vtd_dmar_unit {
	uint64_t base;
	uint16_t segment;
	uint8_t flags; /* ACPI_DMAR_DRHD_INCLUDE_PCI_ALL */
	uint8_t size;  /* 2^size pages of registers */
	uint16_t scope_first, scope_count;
};

struct vtd_rmrr {
	uint64_t base;
	uint64_t limit; /* inclusive */
	uint16_t segment;
	uint16_t scope_first, scope_count;
};

/* The DMAR table reduced to what the backend uses (docs/vtd.md). */
struct vtd_dmar {
	uint8_t haw; /* host address width */
	uint8_t flags;
	uint16_t unit_count, rmrr_count, scope_count;
	uint16_t atsr_count, satc_count; /* noted, not used: Ward enables no ATS */
	bool truncated;                  /* more than the arrays hold: the rest ignored */
	struct vtd_dmar_unit units[VTD_DMAR_MAX_UNITS];
	struct vtd_rmrr rmrrs[VTD_DMAR_MAX_RMRRS];
	struct vtd_scope scopes[VTD_DMAR_MAX_SCOPES];
};

/*
 * Collects the DRHDs (with their scopes), RMRRs (with theirs), and counts
 * ATSRs and SATCs of a DMAR that acpi_dmar_parse() validated. Scopes with
 * longer paths than VTD_DMAR_MAX_PATH and entries past the arrays set
 * `truncated`. Returns VTD_OK, or VTD_E_ARG for NULL arguments.
 */
enum vtd_status vtd_dmar_collect(const struct acpi_dmar *dmar, struct vtd_dmar *out);

/*
 * How scope paths are resolved: the secondary and subordinate bus of the
 * bridge at (segment, bus, devfn), false if it is not a bridge. The server
 * answers from the PCI server's table.
 */
struct vtd_bus_ops {
	bool (*bridge_buses)(void *ctx, uint16_t segment, uint8_t bus, uint8_t devfn,
	                     uint8_t *secondary, uint8_t *subordinate);
	void *ctx;
};

/*
 * True if `scope` covers requester `sid` of segment `seg` (the scope's
 * own segment is the caller's to match): an endpoint scope names it; a
 * bridge scope names it or the buses below it.
 */
bool vtd_scope_covers(const struct vtd_scope *scope, const struct vtd_bus_ops *ops, uint16_t seg,
                      uint16_t sid);

/*
 * The index in dmar->units of the unit translating `sid` of segment
 * `seg` (§8.3: a unit whose scopes name it wins over the segment's
 * INCLUDE_PCI_ALL unit), or -1 if none does.
 */
int vtd_dmar_unit_for(const struct vtd_dmar *dmar, const struct vtd_bus_ops *ops, uint16_t seg,
                      uint16_t sid);

/* The index in dmar->units of the DRHD whose registers are at `base` (a window's phys), or -1. */
int vtd_dmar_unit_at(const struct vtd_dmar *dmar, uint64_t base);

/*
 * Stores in out[] (room for `cap`) the RMRRs whose scopes name `sid`:
 * ranges that must stay identity-mapped (read-write) in every domain the
 * device is in, quarantine included (XSA-400). Returns how many there are
 * (more than `cap`: the array was too small).
 */
size_t vtd_dmar_rmrrs_for(const struct vtd_dmar *dmar, const struct vtd_bus_ops *ops, uint16_t seg,
                          uint16_t sid, const struct vtd_rmrr **out, size_t cap);

#endif /* WARD_VTD_H */

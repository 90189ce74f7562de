/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The AMD-Vi backend of the IOMMU server: one `struct amdvi_unit` per IOMMU
 * (IVRS IVHD), driven by the server thread alone. No function here takes a
 * lock; none allocates kernel objects: memory the hardware reads (the
 * device table, command buffer, event log, completion-wait store and
 * interrupt remapping tables) comes from the caller's `struct amdvi_env`.
 *
 * A unit moves through these states, never backwards:
 *
 *   amdvi_unit_probe()    PROBED   registers read (EFR, control)
 *                         REFUSED  window unusable; nothing written
 *   amdvi_unit_prepare()  PREPARED device table of 65,536 entries, each
 *                                  valid and blocking (V = 1, TV = 1,
 *                                  Mode 0, IR = IW = 0, interrupts
 *                                  aborted); command buffer and event log
 *                                  installed. If firmware left the unit
 *                                  enabled it is disabled first (see
 *                                  docs/amdvi.md for the window this opens)
 *   amdvi_unit_enable()   ENABLED  translation, command buffer and event
 *                                  log on; every cache invalidated
 *                         FAILED   a bounded wait ran out; left as it is
 *
 * The device table always covers every DeviceID: QEMU 7.2 reads entries
 * past the table's size field, and a zeroed entry (V = 0) would let DMA
 * through untranslated. Domain ID 0 tags blocked entries; the core hands
 * out 1 .. AMDVI_DOMAIN_IDS.
 */
#ifndef WARD_AMDVI_H
#define WARD_AMDVI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ward/startinfo.h>

#include "amdvi_regs.h"

struct acpi_ivrs;

enum amdvi_status {
	AMDVI_OK = 0,
	AMDVI_E_ARG,       /* NULL, misaligned or out-of-range argument */
	AMDVI_E_STATE,     /* the unit is not in a state that allows the call */
	AMDVI_E_WINDOW,    /* not an AMD-Vi window, too small, or registers all ones */
	AMDVI_E_NO_MEMORY, /* the environment had no memory */
	AMDVI_E_TIMEOUT,   /* the hardware did not finish within the bound */
	AMDVI_E_HARDWARE,  /* the command buffer stopped (an illegal command, a hardware error) */
	AMDVI_E_WIDTH,     /* table depth the unit does not walk */
	AMDVI_E_COUNT
};

const char *amdvi_strerror(enum amdvi_status s);

/* ---- What the backend needs from its host --------------------------------- */

struct amdvi_page {
	void *va;
	uint64_t pa; /* 0: none */
};

struct amdvi_env {
	void *ctx;
	/*
	 * `bytes` (a power of two, at least 4 KiB) of zeroed, physically
	 * contiguous memory aligned to its size; false when there is none.
	 * The device table asks for 2 MiB, everything else for 4 KiB.
	 */
	bool (*alloc)(void *ctx, size_t bytes, struct amdvi_page *out);
	/* Monotonic nanoseconds, for bounded waits. */
	uint64_t (*now_ns)(void *ctx);
	/* Writes [va, va + len) back from the CPU caches; NULL: the backend's clflush loop. */
	void (*cache_flush)(void *ctx, const void *va, size_t len);
};

/* ---- A unit --------------------------------------------------------------- */

enum amdvi_unit_state {
	AMDVI_UNIT_NONE = 0,
	AMDVI_UNIT_PROBED,
	AMDVI_UNIT_REFUSED,
	AMDVI_UNIT_PREPARED,
	AMDVI_UNIT_ENABLED,
	AMDVI_UNIT_FAILED,
};

/*
 * Domain IDs. The specification gives 16 bits; QEMU 7.2's model rejects a
 * device table entry with DomainID bit 8 set as an illegal entry (its
 * reserved-bit mask for quadword 1 is 0x100), so Ward tags with 1..255.
 */
#define AMDVI_QUARANTINE_DOMAIN 0
#define AMDVI_DOMAIN_IDS        255u

/* Ring sizes: 256 commands and 256 events, one 4 KiB page each. */
#define AMDVI_CMD_ENTRIES   (1u << AMDVI_LEN_MIN)
#define AMDVI_EVT_ENTRIES   (1u << AMDVI_LEN_MIN)
/* Commands one submission carries: the ring less the completion wait and one empty slot. */
#define AMDVI_CMD_MAX_BATCH (AMDVI_CMD_ENTRIES - 2)

/* Bounds of every wait on the hardware (nanoseconds). */
#define AMDVI_TIMEOUT_STATUS_NS 10000000ULL  /* a run bit after a control write: 10 ms */
#define AMDVI_TIMEOUT_CMD_NS    100000000ULL /* one completion wait: 100 ms */

/* One-shot fault injection for tests (amdvi_cmd_inject()). */
enum amdvi_inject {
	AMDVI_INJECT_NONE = 0,
	AMDVI_INJECT_TIMEOUT, /* the next wait stores its data elsewhere: the poll times out */
};

/*
 * Interrupt remapping: one table per DeviceID with remapped interrupts
 * (§2.2.5), AMDVI_IRQ_ENTRIES 32-bit entries each (IntTabLen 8: Linux's
 * size too; with 2,048 the MSI data's bits 10:8, which QEMU 7.2 reads as
 * the delivery mode, would carry index bits). The unit-wide index of the
 * core's interface is the entry index in the owning device's table, so
 * the source check is the table's owner: an index belongs to one DeviceID
 * at a time. Tables are kept (and reused) once made, for at most
 * AMDVI_IRQ_TABLES devices per unit.
 */
#define AMDVI_IRQ_LEN_LOG2 8
#define AMDVI_IRQ_ENTRIES  (1u << AMDVI_IRQ_LEN_LOG2)
#define AMDVI_IRQ_TABLES   64
#define AMDVI_IRQ_NONE     0xff /* irq_table_of[]: the index is not in use */

struct amdvi_irq_table {
	bool used;
	uint16_t devid;
	struct amdvi_page page;
};

struct amdvi_cmd_stats {
	uint64_t submits;   /* completion waits issued */
	uint64_t errors;    /* command buffer found stopped */
	uint64_t timeouts;  /* waits that ran out of time */
	uint64_t recovered; /* command buffer restarted after one of those */
};

struct amdvi_unit {
	volatile uint8_t *regs;
	uint64_t phys;
	uint16_t segment;
	uint16_t devid; /* the IOMMU's own PCI function: it is never translated */
	const struct amdvi_env *env;
	uint64_t efr;
	unsigned max_levels; /* 4 + EFR.HATS */
	bool ia;             /* INVALIDATE_IOMMU_ALL */
	enum amdvi_unit_state state;
	enum amdvi_status refused;
	bool took_over; /* firmware had left the unit enabled */
	uint64_t control_found;
	/* tables */
	struct amdvi_page devtab; /* 2 MiB: every DeviceID */
	struct amdvi_page cmdbuf; /* AMDVI_CMD_ENTRIES commands */
	struct amdvi_page evtlog; /* AMDVI_EVT_ENTRIES events */
	struct amdvi_page store;  /* quadword 0: completion-wait store, 1: injected elsewhere */
	uint32_t cmd_tail;        /* byte offset of the next free slot */
	uint32_t evt_head;        /* byte offset of the next record to read */
	uint64_t seq;             /* last completion-wait datum */
	bool wedged;              /* a wait timed out: the buffer must drain or restart */
	enum amdvi_inject inject;
	uint64_t cmd_timeout_ns;
	struct amdvi_cmd_stats cmd_stats;
	struct amdvi_irq_table irq_tables[AMDVI_IRQ_TABLES];
	uint8_t irq_table_of[AMDVI_IRQ_ENTRIES]; /* index → irq_tables[] slot, AMDVI_IRQ_NONE */
	uint64_t events;                         /* records drained */
	uint64_t overflows;                      /* times EventOverflow was found set */
};

/*
 * Reads EFR and the control register of the IOMMU whose registers `w`
 * (kind WARD_WINDOW_AMDVI, mapped at w->vaddr) describes. Returns AMDVI_OK
 * with state PROBED, or AMDVI_E_WINDOW with state REFUSED. Writes nothing.
 */
enum amdvi_status amdvi_unit_probe(struct amdvi_unit *u, const struct ward_device_window *w,
                                   const struct amdvi_env *env);

/*
 * Allocates and fills the tables (every entry blocking), then, if the
 * unit is enabled, turns it off and waits (bounded) for the command
 * buffer and event log to stop; programs the three base registers and
 * zeroes the four ring pointers; clears stale status. Returns AMDVI_OK
 * with state PREPARED; AMDVI_E_NO_MEMORY before touching the unit; a
 * timeout leaves state FAILED.
 */
enum amdvi_status amdvi_unit_prepare(struct amdvi_unit *u);

/*
 * Turns translation, the command buffer and the event log on, waits for
 * the command buffer to run, and invalidates every cache (IOMMU_ALL, or
 * every device table entry and domain when EFR lacks IASup). Returns
 * AMDVI_OK with state ENABLED; a failure leaves state FAILED.
 */
enum amdvi_status amdvi_unit_enable(struct amdvi_unit *u);

const char *amdvi_unit_state_name(enum amdvi_unit_state s);

/*
 * Invalidates every cache of an enabled unit: INVALIDATE_IOMMU_ALL, or
 * without EFR.IASup every device table entry and every domain's pages
 * (about 260 submissions). The recovery flush after a failed wait.
 */
enum amdvi_status amdvi_invalidate_all(struct amdvi_unit *u);

/* One line for `dump`: state, base, take-over, command and event counters. */
size_t amdvi_unit_describe(const struct amdvi_unit *u, char *buf, size_t len);

/* Writes [va, va + len) back from the CPU caches: the walk is not assumed to snoop. */
void amdvi_entries_written(const struct amdvi_unit *u, const void *va, size_t len);

/* ---- Device table entries ------------------------------------------------- */

/* The most commands one device table change needs. */
#define AMDVI_DTE_INV_MAX 2

/*
 * Points DeviceID `devid` at the `levels`-level table at `root`, tagged
 * `domain` (1..AMDVI_DOMAIN_IDS), on a PREPARED or ENABLED unit: writes
 * quadword 1 then quadword 0 (so a walk sees either the old or the new
 * translation, never a mix), keeps the interrupt quadword, flushes the
 * entry from the CPU cache and stores in inv[] (*ninv) the commands that
 * make the unit forget the old entry: INVALIDATE_DEVTAB_ENTRY and the old
 * domain's pages (QEMU's IOTLB is keyed by device and tagged by domain:
 * without the second, a blocked device keeps its cached translations).
 * Errors: AMDVI_E_ARG, AMDVI_E_STATE, AMDVI_E_WIDTH (nothing changed).
 */
enum amdvi_status amdvi_dte_set(struct amdvi_unit *u, uint16_t devid, uint16_t domain,
                                uint64_t root, unsigned levels,
                                struct amdvi_cmd inv[AMDVI_DTE_INV_MAX], size_t *ninv);

/* The blocking entry (domain 0, DMA target-aborted), and its invalidations. */
enum amdvi_status amdvi_dte_block(struct amdvi_unit *u, uint16_t devid,
                                  struct amdvi_cmd inv[AMDVI_DTE_INV_MAX], size_t *ninv);

/* Sets the interrupt quadword of `devid` (amdvi_dte_int_remap() or _int_block()); flushes it. */
enum amdvi_status amdvi_dte_set_interrupts(struct amdvi_unit *u, uint16_t devid, uint64_t q2);

/* The entry as the hardware reads it. */
enum amdvi_status amdvi_dte_read(const struct amdvi_unit *u, uint16_t devid, struct amdvi_dte *out);

/* ---- Interrupt remapping table entries ------------------------------------- */

/* The most commands one entry change needs. */
#define AMDVI_IRTE_INV_MAX 4

/*
 * Makes entry `index` of `devid`'s interrupt table `irte` (the table made
 * and the device's entry switched to remapping when needed), after
 * clearing the index in the table of a device that held it before; stores
 * in inv[] (*ninv) the INVALIDATE_DEVTAB_ENTRY / INVALIDATE_INTERRUPT_TABLE
 * commands the change needs. Errors: AMDVI_E_ARG (index out of range, or
 * the IOMMU's own DeviceID), AMDVI_E_STATE, AMDVI_E_NO_MEMORY (no table
 * could be made: nothing changed).
 */
enum amdvi_status amdvi_irte_set(struct amdvi_unit *u, uint32_t index, uint16_t devid,
                                 uint32_t irte, struct amdvi_cmd inv[AMDVI_IRTE_INV_MAX],
                                 size_t *ninv);

/* Entry `index` not present (interrupts naming it target-aborted), and its invalidation. */
enum amdvi_status amdvi_irte_clear(struct amdvi_unit *u, uint32_t index,
                                   struct amdvi_cmd inv[AMDVI_IRTE_INV_MAX], size_t *ninv);

/* Entry `index` as the hardware reads it and the DeviceID whose table holds it; false if unused. */
bool amdvi_irte_get(const struct amdvi_unit *u, uint32_t index, uint16_t *devid, uint32_t *irte);

/* ---- Command buffer --------------------------------------------------------- */

/*
 * Appends `n` commands and a COMPLETION_WAIT that stores a new sequence
 * number, moves the tail once, and polls the store for at most
 * u->cmd_timeout_ns. Returns AMDVI_OK when the unit completed them all;
 * AMDVI_E_HARDWARE if the command buffer stopped running (the buffer is
 * restarted empty); AMDVI_E_TIMEOUT after the bound (the unit is marked
 * wedged: the next submission restarts the buffer unless the store has
 * arrived since). In every error case none of the commands may be
 * assumed done. AMDVI_E_ARG if n > AMDVI_CMD_MAX_BATCH.
 */
enum amdvi_status amdvi_cmd_submit(struct amdvi_unit *u, const struct amdvi_cmd *c, size_t n);

/* Arms a one-shot fault for the next amdvi_cmd_submit(). */
void amdvi_cmd_inject(struct amdvi_unit *u, enum amdvi_inject what);

/* ---- Event log -------------------------------------------------------------- */

/*
 * Moves up to `cap` records from the event log into out[], zeroing each
 * slot and advancing the head register. If EventOverflow is set (records
 * were lost) the log is restarted empty after the records found are read
 * and *overflow (may be NULL) is set. Returns the number stored; *more
 * (may be NULL) says records are still pending. Bounded: at most `cap`
 * records, one restart.
 */
size_t amdvi_event_drain(struct amdvi_unit *u, struct amdvi_event *out, size_t cap, bool *overflow,
                         bool *more);

/*
 * Whether the log holds records not yet drained, or overflowed: what the
 * event interrupt would say, for a host that has not programmed it.
 */
bool amdvi_event_pending(const struct amdvi_unit *u);

/* ---- IVRS: which IOMMU translates which device, and reserved memory -------- */

#define AMDVI_IVRS_MAX_UNITS   8
#define AMDVI_IVRS_MAX_ENTRIES 128
#define AMDVI_IVRS_MAX_IVMDS   32

/* A device entry of an IVHD, ranges joined: DeviceIDs first..last. */
struct amdvi_ivrs_devices {
	uint16_t first, last;
	uint16_t alias; /* the DeviceID their requests carry (== each ID unless aliased) */
	bool aliased;
	bool special; /* an IOAPIC or HPET (48h): first == last, its requester ID */
	uint8_t variety, handle;
	uint8_t data; /* DTE settings firmware asks for (INITPass, ...): not applied */
};

struct amdvi_ivrs_unit {
	uint64_t base;
	uint16_t segment;
	uint16_t devid; /* the IOMMU's own function */
	uint8_t type;   /* the IVHD type used: 10h, 11h or 40h (the highest listed) */
	uint8_t flags;
	uint64_t efr_image; /* 11h/40h only; 10h's feature field is not EFR */
	uint16_t entry_first, entry_count;
};

/* IVMD (§5.2): memory a device must keep reaching (Unity) or an exclusion range. */
#define AMDVI_IVMD_UNITY     (1u << 0)
#define AMDVI_IVMD_READ      (1u << 1)
#define AMDVI_IVMD_WRITE     (1u << 2)
#define AMDVI_IVMD_EXCLUSION (1u << 3)

struct amdvi_ivmd {
	uint8_t type;  /* 20h all devices, 21h one, 22h a range */
	uint8_t flags; /* AMDVI_IVMD_* */
	uint16_t first, last;
	uint64_t start, length;
};

struct amdvi_ivrs {
	uint32_t iv_info;
	uint16_t unit_count, entry_count, ivmd_count;
	bool truncated; /* more than the arrays hold: the rest ignored */
	struct amdvi_ivrs_unit units[AMDVI_IVRS_MAX_UNITS];
	struct amdvi_ivrs_devices entries[AMDVI_IVRS_MAX_ENTRIES];
	struct amdvi_ivmd ivmds[AMDVI_IVRS_MAX_IVMDS];
};

/*
 * Collects an IVRS that acpi_ivrs_parse() validated: per IOMMU base the
 * IVHD block of the highest type Ward knows (10h, 11h, 40h: one IOMMU is
 * described once per type, §5.2.2), its device entries (select, range,
 * alias, extended, special, ACPI HID; ALL as 0..FFFFh; padding and
 * reserved types skipped), and every IVMD. Returns AMDVI_OK or AMDVI_E_ARG.
 */
enum amdvi_status amdvi_ivrs_collect(const struct acpi_ivrs *ivrs, struct amdvi_ivrs *out);

/* The index in out->units of the IOMMU translating `devid` of `seg`, or -1. */
int amdvi_ivrs_unit_for(const struct amdvi_ivrs *ivrs, uint16_t seg, uint16_t devid);

/* The index of the IOMMU whose registers are at `base` (a window's phys), or -1. */
int amdvi_ivrs_unit_at(const struct amdvi_ivrs *ivrs, uint64_t base);

/*
 * The DeviceID the unit sees for requests of `devid` (its alias, or
 * itself): the entry the backend must program as well as `devid`'s own.
 */
uint16_t amdvi_ivrs_alias(const struct amdvi_ivrs *ivrs, uint16_t seg, uint16_t devid);

/*
 * Stores in out[] (room for `cap`) the IVMD ranges that apply to `devid`
 * (20h: every device; 21h, 22h: by DeviceID): Unity ranges must stay identity-mapped with
 * their rights in every domain the device joins (like VT-d RMRRs).
 * Returns how many apply (more than `cap`: the array was too small).
 */
size_t amdvi_ivrs_ivmds_for(const struct amdvi_ivrs *ivrs, uint16_t devid,
                            const struct amdvi_ivmd **out, size_t cap);

#endif /* WARD_AMDVI_H */
